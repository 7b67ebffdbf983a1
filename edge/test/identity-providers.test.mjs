// /auth against real identity providers' tokens, verified by aws-jwt-verify: Cognito ID
// tokens issued by moto's user pool (CognitoJwtVerifier over moto's JWKS embedded in the
// config, and the generic verifier fetching it over http://, as the demo does), and a
// generic OIDC issuer whose tokens are signed here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { REAL_NOW, body, config, harness, setCookies, signIn } from './helpers.mjs';
import { cognitoPool, startMoto } from './moto.mjs';

let moto;
let pool;
let publishedJwks;

before(async () => {
  moto = await startMoto();
  pool = await cognitoPool(moto.endpoint, { groups: ['gold'] });
  publishedJwks = await (await fetch(pool.jwksUrl)).json();
});

after(() => moto?.stop());

/** moto's tokens carry the real time: the handler's clock (and Date) starts there. */
const realTime = (cfg) => harness(cfg, { start: REAL_NOW });

test('a Cognito ID token from the user pool is verified by CognitoJwtVerifier over the embedded JWKS', async () => {
  const cfg = config({ identityProvider: { issuer: pool.issuer, clientIds: [pool.clientId], jwks: publishedJwks } });
  const { handler, state } = realTime(cfg);
  assert.equal(state.identity.kind, 'cognito');
  const response = await signIn(handler, { token: await pool.signIn() });
  assert.equal(response.status, '200', response.body);
  assert.deepEqual(body(response).tiers, ['gold', 'silver']);
  assert.equal(setCookies(response).length, 2 * 3 + 1);
  assert.equal(state.identity.stats.fetches, 0, 'the embedded JWKS is the key set');
});

test('the same pool with its JWKS fetched over http:// (dev only) uses the generic verifier', async () => {
  const cfg = config({ identityProvider: { issuer: pool.issuer, clientIds: [pool.clientId], jwksUrl: pool.jwksUrl } });
  const { handler, state } = realTime(cfg);
  assert.equal(state.identity.kind, 'oidc');
  const token = await pool.signIn();
  assert.equal((await signIn(handler, { token })).status, '200');
  assert.equal((await signIn(handler, { token })).status, '200');
  assert.equal(state.identity.stats.fetches, 1);
  // Another app client of the same pool is another audience.
  const other = realTime(config({ identityProvider: { issuer: pool.issuer, clientIds: ['someone-else'], jwks: publishedJwks } }));
  assert.equal(body(await signIn(other.handler, { token })).reason, 'wrong-audience');
  // And another pool is another issuer.
  const elsewhere = config({
    identityProvider: { issuer: `${pool.issuer.slice(0, -1)}X`, clientIds: [pool.clientId], jwks: publishedJwks },
  });
  assert.equal(body(await signIn(realTime(elsewhere).handler, { token })).reason, 'wrong-issuer');
});

// ---- a generic OIDC issuer --------------------------------------------------------------

const ISSUER = 'https://login.example.org/realms/media';
const oidcKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
let server;
let jwksUrl;
let jwksRequests = 0;

before(async () => {
  server = http.createServer((req, res) => {
    jwksRequests += 1;
    const jwk = { ...oidcKey.publicKey.export({ format: 'jwk' }), kid: 'oidc-1', alg: 'RS256', use: 'sig' };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${server.address().port}/realms/media/protocol/openid-connect/certs`;
});

after(() => new Promise((resolve) => server.close(resolve)));

function oidcToken(claims = {}) {
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: 'RS256', kid: 'oidc-1', typ: 'JWT' })}.${b64({
    iss: ISSUER,
    aud: 'media-web',
    sub: 'f:1234:bob',
    groups: ['silver'],
    iat: now,
    exp: now + 300,
    ...claims,
  })}`;
  return `${input}.${crypto.sign('sha256', Buffer.from(input), oidcKey.privateKey).toString('base64url')}`;
}

const oidcConfig = (patch = {}) =>
  config({
    identityProvider: { issuer: ISSUER, clientIds: ['media-web'], jwksUrl, tokenUse: null, groupsClaim: 'groups', ...patch },
  });

test('a generic OIDC issuer: JwtVerifier, groups from the configured claim, no token_use', async () => {
  const { handler, state } = harness(oidcConfig());
  assert.equal(state.identity.kind, 'oidc');
  const response = await signIn(handler, { token: oidcToken() });
  assert.equal(response.status, '200', response.body);
  assert.deepEqual(body(response).tiers, ['silver']);
  const cases = {
    'wrong-audience': oidcToken({ aud: 'another-app' }),
    'wrong-issuer': oidcToken({ iss: 'https://login.example.org/realms/other' }),
    'missing-claim': oidcToken({ iss: undefined }),
    expired: oidcToken({ exp: Math.floor(Date.now() / 1000) - 120 }),
  };
  for (const [reason, token] of Object.entries(cases)) {
    assert.equal(body(await signIn(handler, { token })).reason, reason);
  }
});

test('a generic OIDC issuer with tokenUse "id" requires token_use: id', async () => {
  const { handler } = harness(oidcConfig({ tokenUse: 'id' }));
  assert.equal(body(await signIn(handler, { token: oidcToken() })).reason, 'wrong-token-use');
  assert.equal((await signIn(handler, { token: oidcToken({ token_use: 'id' }) })).status, '200');
  assert.ok(jwksRequests >= 1);
});
