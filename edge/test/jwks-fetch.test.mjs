// The identity provider's JWKS fetched from a URL and cached, against a local HTTP server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { CLIENT_ID, ISSUER, body, config, harness, idToken, jwk, keys, signIn } from './helpers.mjs';

const server = { published: { keys: [jwk(keys.idp, 'idp-1')] }, requests: 0, status: 200 };
let jwksUrl;
let httpServer;

before(async () => {
  httpServer = http.createServer((req, res) => {
    server.requests += 1;
    if (req.url !== '/us-east-1_EdgeTest/.well-known/jwks.json' || server.status !== 200) {
      res.writeHead(server.status === 200 ? 404 : server.status).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(server.published));
  });
  await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${httpServer.address().port}/us-east-1_EdgeTest/.well-known/jwks.json`;
});

after(() => new Promise((resolve) => httpServer.close(resolve)));

const fetchedConfig = () => config({ identityProvider: { issuer: ISSUER, clientIds: [CLIENT_ID], jwksUrl } });

test('the JWKS is fetched on first use and cached for the container', async () => {
  server.requests = 0;
  const { handler, state } = harness(fetchedConfig());
  assert.equal(server.requests, 0, 'nothing fetched at load');
  assert.equal((await signIn(handler)).status, '200');
  assert.equal((await signIn(handler)).status, '200');
  assert.equal(server.requests, 1);
  assert.equal(state.identity.stats.fetches, 1);
});

test('concurrent first requests share one fetch', async () => {
  server.requests = 0;
  const { handler } = harness(fetchedConfig());
  const responses = await Promise.all([signIn(handler), signIn(handler), signIn(handler)]);
  assert.deepEqual(
    responses.map((r) => r.status),
    ['200', '200', '200'],
  );
  assert.equal(server.requests, 1);
});

test('an unknown kid refetches once (key rotation), then waits out the penalty interval', async () => {
  server.requests = 0;
  server.published = { keys: [jwk(keys.idp, 'idp-1')] };
  const { handler, clock } = harness(fetchedConfig());
  assert.equal((await signIn(handler)).status, '200');
  clock.now += 61_000;
  // The provider rotates: a token under the new key, published alongside the old one.
  server.published = { keys: [jwk(keys.idp, 'idp-1'), jwk(keys.idpRotated, 'idp-2')] };
  const rotated = idToken({ key: keys.idpRotated.privateKey, header: { kid: 'idp-2' }, now: clock.now });
  assert.equal((await signIn(handler, { token: rotated })).status, '200');
  assert.equal(server.requests, 2);
  // Forged kids right after do not cause more fetches.
  for (const kid of ['idp-3', 'idp-4', 'idp-5']) {
    const response = await signIn(handler, { token: idToken({ header: { kid }, now: clock.now }) });
    assert.equal(body(response).reason, 'unknown-kid');
  }
  assert.equal(server.requests, 2);
});

test('an embedded JWKS is tried first; the URL only for kids it lacks', async () => {
  server.requests = 0;
  server.published = { keys: [jwk(keys.idpRotated, 'idp-2')] };
  const cfg = config({
    identityProvider: { issuer: ISSUER, clientIds: [CLIENT_ID], jwks: { keys: [jwk(keys.idp, 'idp-1')] }, jwksUrl },
  });
  const { handler } = harness(cfg);
  assert.equal((await signIn(handler)).status, '200');
  assert.equal(server.requests, 0);
  const rotated = idToken({ key: keys.idpRotated.privateKey, header: { kid: 'idp-2' } });
  assert.equal((await signIn(handler, { token: rotated })).status, '200');
  assert.equal(server.requests, 1);
});

test('an unreachable or broken JWKS endpoint answers 503, and the log says why', async () => {
  server.requests = 0;
  server.status = 500;
  try {
    const { handler, logs } = harness(fetchedConfig());
    const response = await signIn(handler);
    assert.equal(response.status, '503');
    assert.deepEqual(body(response), { error: 'unavailable', reason: 'jwks-unavailable' });
    assert.match(logs.at(-1).error, /HTTP 500/);
    // Within the penalty interval, no new fetch: the failure is answered at once.
    assert.equal((await signIn(handler)).status, '503');
    assert.equal(server.requests, 1);
  } finally {
    server.status = 200;
  }
  server.published = { keys: [{ kty: 'EC', kid: 'x', crv: 'P-256', x: 'AA', y: 'AA' }] };
  const { handler, logs } = harness(fetchedConfig());
  assert.equal((await signIn(handler)).status, '503');
  assert.match(logs.at(-1).error, /only RSA keys/);
});
