// The demo identity provider's process (Node 22, started by launch.js): oidc-provider on
// http://127.0.0.1:PORT, and a control channel for tests on stdin/stdout.
//
// Configuration: JSON in the IDP_CONFIG environment variable (or the first argument):
//   {"users": [{"username", "password", "groups"?: [..], "disabled"?: bool, "email"?}],
//    "clients": [oidc-provider client metadata: client_id, client_secret?, token_endpoint_auth_method,
//                redirect_uris, post_logout_redirect_uris, client_name?],
//    "port"?: 0, "host"?: "127.0.0.1", "rotateRefreshTokens"?: false, "slowMs"?: 10000}
//
// stdout carries JSON lines only: first `{"ready":true,"issuer":...,"kid":...}` (or
// `{"ready":false,"error":...}` and exit 1), then one answer per command read on stdin:
//   {"id":1,"command":"setGroups","username":"basic","groups":["premium"]}  -> {"id":1,"ok":true}
//   {"id":2,"command":"setDisabled","username":"basic","disabled":true}
//   {"id":3,"command":"setTokenEndpoint","mode":"up"|"down"|"slow","delayMs"?:10000}
//   {"id":4,"command":"setClock","offsetMs":0}     the IdP's clock: real time plus offsetMs
//   {"id":5,"command":"stats"}                      -> {"id":5,"ok":true,"stats":{...}}
//   {"id":6,"command":"resetStats"}
//   a refused command: {"id":..,"ok":false,"error":"..."}
// stderr: one JSON line per HTTP request ({"log":{method, path, status, ms}}: no query string,
// no body, so no code, token or password) and oidc-provider's own notices.
// The process exits when stdin closes (its parent is gone) or on SIGTERM / SIGINT.

import http from 'node:http';
import readline from 'node:readline';
import { UserTable, IdpInputError } from './users.mjs';

const writeStdout = process.stdout.write.bind(process.stdout);
const reply = (value) => writeStdout(`${JSON.stringify(value)}\n`);
// oidc-provider prints its notices with console.info, which would land in the middle of the
// JSON lines on stdout: everything the console prints goes to stderr.
console.log = console.info = console.debug = (...args) => console.error(...args);

// One clock for the IdP, movable by the tests (setClock) to follow the handler's test clock:
// oidc-provider takes every "now" (iat, exp, expiry of codes, sessions and tokens) from Date.now.
const realNow = Date.now.bind(Date);
let clockOffsetMs = 0;
Date.now = () => realNow() + clockOffsetMs;

const fail = (message) => {
  reply({ ready: false, error: message });
  process.exit(1);
};

if (Number(process.versions.node.split('.')[0]) < 22) {
  fail(`node ${process.versions.node}: oidc-provider 9 needs Node 22 (launch.js runs .tools/node22; run make bootstrap)`);
}

const AUTH_METHODS = new Set(['none', 'client_secret_basic', 'client_secret_post']);

/** Checks what oidc-provider would accept too loosely for this demo; the rest it validates itself. */
function checkClients(clients) {
  if (!Array.isArray(clients) || clients.length === 0) throw new IdpInputError('clients: a non-empty array is required');
  for (const [i, client] of clients.entries()) {
    const where = `clients[${i}]`;
    if (typeof client?.client_id !== 'string' || !client.client_id) throw new IdpInputError(`${where}.client_id: a non-empty string`);
    const method = client.token_endpoint_auth_method;
    if (!AUTH_METHODS.has(method)) throw new IdpInputError(`${where}.token_endpoint_auth_method: one of ${[...AUTH_METHODS].join(', ')}`);
    if ((method === 'none') !== (client.client_secret === undefined)) {
      throw new IdpInputError(`${where}: a client_secret is required with ${method} and refused with none`);
    }
    if (!Array.isArray(client.redirect_uris) || client.redirect_uris.length === 0) throw new IdpInputError(`${where}.redirect_uris: a non-empty array`);
  }
  return clients.map((client) => ({ ...client }));
}

let config;
try {
  config = JSON.parse(process.env.IDP_CONFIG ?? process.argv[2] ?? '');
} catch {
  fail('configuration: IDP_CONFIG (or the first argument) must hold JSON');
}
const host = config.host ?? '127.0.0.1';
// Loopback only, and 127.0.0.1 rather than localhost: the IdP's cookies then stay apart from
// the emulator's (cookies are scoped by host name, not port).
if (host !== '127.0.0.1') fail(`host: only 127.0.0.1 is allowed, got ${host}`);
const port = config.port ?? 0;
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`port: an integer 0-65535, got ${port}`);

let users;
let clients;
try {
  users = new UserTable(config.users);
  clients = checkClients(config.clients);
} catch (error) {
  if (error instanceof IdpInputError) fail(error.message);
  throw error;
}

/** @type {{tokenEndpoint: 'up'|'down'|'slow', slowMs: number, counts: Record<string, number>, refreshTokensRevoked: number}} */
const state = {
  tokenEndpoint: 'up',
  slowMs: config.slowMs ?? 10_000,
  counts: {},
  refreshTokensRevoked: 0,
};
const log = (line) => process.stderr.write(`${JSON.stringify({ log: line })}\n`);

const server = http.createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, host, () => resolve(undefined));
}).catch((error) => fail(`listen ${host}:${port}: ${error.message}`));
const issuer = `http://${host}:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;

// Imported only now: the console is redirected and the clock is in place.
const { createProvider, emptyCounts } = await import('./provider.mjs');
state.counts = emptyCounts();
let provider;
let kid;
try {
  ({ provider, kid } = createProvider({ issuer, users, clients, rotateRefreshTokens: config.rotateRefreshTokens === true, state, log }));
} catch (error) {
  fail(`oidc-provider refused the configuration: ${error.message}`);
}
server.on('request', provider.callback());

const MODES = new Set(['up', 'down', 'slow']);
/** @type {Record<string, (request: any) => object | void>} */
const COMMANDS = {
  setGroups: ({ username, groups }) => users.setGroups(username, groups),
  setDisabled: ({ username, disabled }) => users.setDisabled(username, disabled),
  setTokenEndpoint: ({ mode, delayMs }) => {
    if (!MODES.has(mode)) throw new IdpInputError(`mode: one of up, down, slow; got ${mode}`);
    if (delayMs !== undefined && !(Number.isInteger(delayMs) && delayMs >= 0 && delayMs <= 120_000)) throw new IdpInputError('delayMs: 0-120000');
    state.tokenEndpoint = mode;
    if (delayMs !== undefined) state.slowMs = delayMs;
  },
  setClock: ({ offsetMs }) => {
    if (!Number.isInteger(offsetMs)) throw new IdpInputError('offsetMs: an integer');
    clockOffsetMs = offsetMs;
  },
  stats: () => ({
    stats: {
      requests: { ...state.counts },
      refreshTokensRevoked: state.refreshTokensRevoked,
      tokenEndpoint: state.tokenEndpoint,
      clockOffsetMs,
      users: users.list(),
    },
  }),
  resetStats: () => {
    state.counts = emptyCounts();
    state.refreshTokensRevoked = 0;
  },
};

const shutdown = () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);

const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
input.on('line', (line) => {
  if (!line.trim()) return;
  let request;
  try {
    request = JSON.parse(line);
  } catch {
    return reply({ ok: false, error: 'a command must be one JSON object per line' });
  }
  const { id, command } = request ?? {};
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!run) return reply({ id, ok: false, error: `unknown command: ${command}` });
  try {
    return reply({ id, ok: true, ...run(request) });
  } catch (error) {
    if (!(error instanceof IdpInputError)) throw error;
    return reply({ id, ok: false, error: error.message });
  }
});
// The parent's end of the pipe closes when it exits, however it exits: no orphan IdP.
input.on('close', shutdown);

reply({ ready: true, issuer, kid });
