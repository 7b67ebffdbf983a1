// The identity provider's JWKS fetched from a URL by aws-jwt-verify's cache (through our
// bounded fetcher), against a local HTTP server: cached, shared, refetched on an unknown
// kid and then held by the library's penalty box, and failures answered at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createRequire } from 'node:module';
import { CLIENT_ID, ISSUER, body, config, forgedTokens, harness, idToken, jwk, keys, signIn } from './helpers.mjs';

const require = createRequire(import.meta.url);
const { SimplePenaltyBox } = require('aws-jwt-verify/jwk');

const server = { published: /** @type {unknown} */ ({ keys: [jwk(keys.idp, 'idp-1')] }), requests: 0, status: 200 };
let jwksUrl;
let httpServer;

before(async () => {
  httpServer = http.createServer((req, res) => {
    server.requests += 1;
    if (req.url !== '/us-east-1_EdgeTest/.well-known/jwks.json' || server.status !== 200) {
      res.writeHead(server.status === 200 ? 404 : server.status).end();
      return;
    }
    const text = typeof server.published === 'string' ? server.published : JSON.stringify(server.published);
    res.writeHead(200, { 'content-type': 'application/json' }).end(text);
  });
  await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${httpServer.address().port}/us-east-1_EdgeTest/.well-known/jwks.json`;
});

after(() => new Promise((resolve) => httpServer.close(resolve)));

const fetchedConfig = () => config({ identityProvider: { issuer: ISSUER, clientIds: [CLIENT_ID], jwksUrl } });
const reset = (published = { keys: [jwk(keys.idp, 'idp-1')] }) => {
  server.requests = 0;
  server.status = 200;
  server.published = published;
};

test('the JWKS is fetched on first use and cached for the container', async () => {
  reset();
  const { handler, state } = harness(fetchedConfig());
  assert.equal(server.requests, 0, 'nothing fetched at load');
  assert.equal((await signIn(handler)).status, '200');
  assert.equal((await signIn(handler)).status, '200');
  assert.equal(server.requests, 1);
  assert.equal(state.identity.stats.fetches, 1);
});

test('concurrent first requests share one fetch', async () => {
  reset();
  const { handler } = harness(fetchedConfig());
  const responses = await Promise.all([signIn(handler), signIn(handler), signIn(handler)]);
  assert.deepEqual(
    responses.map((r) => r.status),
    ['200', '200', '200'],
  );
  assert.equal(server.requests, 1);
});

test('an unknown kid refetches (key rotation); a kid still unknown then waits in the penalty box', async () => {
  reset();
  const penaltyBox = new SimplePenaltyBox({ waitSeconds: 0.2 });
  const { handler, logs } = harness(fetchedConfig(), { penaltyBox });
  assert.equal((await signIn(handler)).status, '200');
  // The provider rotates: a token under the new key, published alongside the old one.
  server.published = { keys: [jwk(keys.idp, 'idp-1'), jwk(keys.idpRotated, 'idp-2')] };
  const rotated = idToken({ key: keys.idpRotated.privateKey, header: { kid: 'idp-2' } });
  assert.equal((await signIn(handler, { token: rotated })).status, '200');
  assert.equal(server.requests, 2);
  // A forged kid costs one more fetch; the next ones, none until the penalty is over.
  for (const kid of ['idp-3', 'idp-4', 'idp-5']) {
    const response = await signIn(handler, { token: idToken({ header: { kid } }) });
    assert.equal(response.status, '401');
    assert.equal(body(response).reason, 'unknown-kid');
  }
  assert.equal(server.requests, 3);
  assert.deepEqual(
    logs.slice(-3).map((l) => [l.reason, l.detail]),
    [
      ['unknown-kid', undefined],
      ['unknown-kid', 'refetch-throttled'],
      ['unknown-kid', 'refetch-throttled'],
    ],
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(body(await signIn(handler, { token: idToken({ header: { kid: 'idp-6' } }) })).reason, 'unknown-kid');
  assert.equal(server.requests, 4);
});

test('an algorithm other than RS256 is refused before any fetch, whatever its kid', async () => {
  reset();
  const { handler } = harness(fetchedConfig());
  const { noneSigned, hs256 } = forgedTokens();
  const rs512 = idToken({ header: { alg: 'RS512', kid: 'never-seen' } });
  for (const token of [noneSigned, hs256, rs512]) {
    assert.equal(body(await signIn(handler, { token })).reason, 'unsupported-alg');
  }
  assert.equal(server.requests, 0);
});

test('an embedded JWKS seeds the cache: no fetch for its kids, the URL for a kid it lacks', async () => {
  reset({ keys: [jwk(keys.idp, 'idp-1'), jwk(keys.idpRotated, 'idp-2')] });
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

test('an unreachable or broken JWKS endpoint answers 503 at once, and the log says why', async () => {
  reset();
  server.status = 500;
  const { handler, logs, clock } = harness(fetchedConfig());
  const response = await signIn(handler);
  assert.equal(response.status, '503');
  assert.deepEqual(body(response), { error: 'unavailable', reason: 'jwks-unavailable' });
  assert.match(logs.at(-1).error, /HTTP 500/);
  // Within the retry interval, no new fetch: the failure is answered at once.
  assert.equal((await signIn(handler)).status, '503');
  assert.equal(server.requests, 1);
  server.status = 200;
  clock.now += 10_000;
  assert.equal((await signIn(handler, { token: idToken({ now: clock.now }) })).status, '200');
  assert.equal(server.requests, 2);

  for (const [published, why] of [
    ['not json', /JWKS could not be parsed/],
    [{ keys: 'none' }, /keys should be an array/],
  ]) {
    reset(published);
    const broken = harness(fetchedConfig());
    assert.equal((await signIn(broken.handler)).status, '503');
    assert.match(broken.logs.at(-1).error, why);
  }
});
