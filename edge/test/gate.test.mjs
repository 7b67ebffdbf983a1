// Private and public paths: pass, deny (401/403 JSON or 302 to sign-in), re-mint, caches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';
import {
  BROWSER,
  DOMAIN,
  KEY_ID,
  NOW,
  OTHER_KEY_ID,
  assertNoSecrets,
  body,
  config,
  cookieHeaderFor,
  cookieJar,
  cookieSetFor,
  harness,
  idToken,
  keys,
  location,
  policyFor,
  setCookies,
  signIn,
  viewerRequest,
} from './helpers.mjs';

const JSON_ACCEPT = 'application/json';
const nowSeconds = Math.floor(NOW / 1000);

/** Signs in and returns the browser's cookie jar. */
async function signedInJar(handler, token) {
  return cookieJar(setCookies(await signIn(handler, token ? { token } : {})));
}

const get = (uri, cookie, { accept = JSON_ACCEPT, querystring = '', method = 'GET' } = {}) =>
  viewerRequest({ uri, querystring, method, headers: { accept, ...(cookie ? { cookie } : {}) } });

test('a public path is returned unchanged with no crypto work', async () => {
  const { handler, state, logs } = harness();
  const event = get('/index.html', 'CloudFront-Signature=junk');
  const before = structuredClone(event.Records[0].cf.request);
  const result = await handler(event);
  assert.equal(result, event.Records[0].cf.request);
  assert.deepEqual(result, before);
  assert.deepEqual(state.gate.stats, { verifications: 0, hits: 0 });
  assert.equal(state.minter.stats.signs, 0);
  assert.deepEqual([logs[0].class, logs[0].outcome], ['public', 'pass']);
  // A prefix is a directory: /premium (no slash) and /premiumx are not under /premium/.
  for (const uri of ['/premium', '/premiumx/a', '/Premium/a', '/']) {
    const other = get(uri);
    assert.equal(await handler(other), other.Records[0].cf.request, uri);
  }
  assert.equal(state.gate.stats.verifications, 0);
});

test('valid cookies pass the request through unchanged, and a warm repeat hits the cache', async () => {
  const { handler, state, logs } = harness();
  const jar = await signedInJar(handler);
  const cookie = `theme=dark; ${cookieHeaderFor(jar, '/premium/movie.mp4')}`;
  const event = get('/premium/movie.mp4', cookie);
  const before = structuredClone(event.Records[0].cf.request);
  const result = await handler(event);
  assert.deepEqual(result, before);
  assert.deepEqual(state.gate.stats, { verifications: 1, hits: 0 });
  const again = await handler(get('/premium/other/part-2.ts', cookie));
  assert.equal(again.uri, '/premium/other/part-2.ts');
  assert.deepEqual(state.gate.stats, { verifications: 1, hits: 1 });
  assert.deepEqual(
    logs.slice(-2).map((l) => [l.outcome, l.cache]),
    [
      ['pass', 'miss'],
      ['pass', 'hit'],
    ],
  );
  assertNoSecrets(
    assert,
    logs,
    Object.values(jar)
      .map((c) => c.value)
      .filter((v) => v.length > 20),
  );
});

test('a cached verification ends when the cookies expire', async () => {
  const { handler, state, clock } = harness();
  const cookie = cookieHeaderFor(await signedInJar(handler), '/premium/', { session: false });
  assert.equal((await handler(get('/premium/a', cookie))).uri, '/premium/a');
  clock.now = NOW + 3600 * 1000; // the policy's DateLessThan
  const response = await handler(get('/premium/a', cookie));
  assert.equal(response.status, '401');
  assert.deepEqual(body(response), { error: 'unauthorized', reason: 'expired', tier: 'gold' });
  assert.equal(state.gate.stats.hits, 0);
});

test('missing cookies: an API client gets 401 JSON, a browser 302 to sign-in with a way back', async () => {
  const { handler } = harness();
  const api = await handler(get('/premium/movie.mp4'));
  assert.equal(api.status, '401');
  assert.deepEqual(body(api), { error: 'unauthorized', reason: 'missing', tier: 'gold' });
  assert.equal(api.headers['content-type'][0].value, 'application/json; charset=utf-8');
  const browser = await handler(get('/premium/movie.mp4', undefined, { accept: BROWSER, querystring: 't=30' }));
  assert.equal(browser.status, '302');
  assert.equal(
    location(browser),
    'https://login.example.com/signin?redirect=%2Fpremium%2Fmovie.mp4%3Ft%3D30&reason=missing',
  );
  assert.equal(browser.body, undefined);
});

test('expired cookies are refused with 401', async () => {
  const { handler } = harness();
  const cookie = cookieSetFor(policyFor('/premium/', nowSeconds - 1));
  const response = await handler(get('/premium/a.mp4', cookie));
  assert.equal(response.status, '401');
  assert.equal(body(response).reason, 'expired');
});

test('tampered cookies are refused with 403', async () => {
  const { handler } = harness();
  const jar = await signedInJar(handler);
  const valid = cookieHeaderFor(jar, '/premium/', { session: false });
  const signature = jar['CloudFront-Signature|/premium/'].value;
  const flipped = signature.slice(0, 10) + (signature[10] === 'A' ? 'B' : 'A') + signature.slice(11);
  const widened = cookieSetFor(policyFor('/', nowSeconds + 86400)).split('; ')[0];
  const cases = [
    ['bad-signature', valid.replace(signature, flipped)],
    ['bad-signature', valid.replace(/CloudFront-Policy=[^;]+/, widened)],
    ['malformed', valid.replace(signature, 'not*base64')],
    ['malformed', valid.replace(/CloudFront-Key-Pair-Id=[^;]+/, '')],
  ];
  for (const [reason, cookie] of cases) {
    const response = await handler(get('/premium/a.mp4', cookie));
    assert.equal(response.status, '403', reason);
    assert.equal(body(response).reason, reason);
  }
});

test('cookies of another tier are refused as wrong-tier', async () => {
  const { handler } = harness();
  const jar = await signedInJar(handler);
  // A browser would not send /videos/ cookies to /premium/; a hand-made request does.
  const silverCookies = cookieHeaderFor(jar, '/videos/', { session: false });
  const response = await handler(get('/premium/a.mp4', silverCookies));
  assert.equal(response.status, '403');
  assert.deepEqual(body(response), { error: 'forbidden', reason: 'wrong-tier', tier: 'gold' });
  const browser = await handler(get('/premium/a.mp4', silverCookies, { accept: BROWSER }));
  assert.equal(browser.status, '302');
  assert.match(location(browser), /reason=wrong-tier$/);
});

test('cookies signed by a key outside the key group are refused', async () => {
  const { handler } = harness();
  const policy = policyFor('/premium/', nowSeconds + 3600);
  const unknown = await handler(
    get('/premium/a', cookieSetFor(policy, { key: keys.stranger.privateKey, keyPairId: OTHER_KEY_ID })),
  );
  assert.equal(body(unknown).reason, 'unknown-key');
  const impostor = await handler(
    get('/premium/a', cookieSetFor(policy, { key: keys.stranger.privateKey, keyPairId: KEY_ID })),
  );
  assert.equal(body(impostor).reason, 'bad-signature');
});

test('a signed URL (as the SDK makes it) passes, and is never cached', async () => {
  const { handler, state } = harness();
  const url = getSignedUrl({
    url: `https://${DOMAIN}/premium/trailer.mp4`,
    keyPairId: KEY_ID,
    privateKey: keys.cloudfront.privatePem,
    dateLessThan: new Date(NOW + 600_000).toISOString(),
  });
  const querystring = url.split('?')[1];
  for (let i = 0; i < 2; i++) {
    const result = await handler(get('/premium/trailer.mp4', undefined, { querystring }));
    assert.equal(result.uri, '/premium/trailer.mp4');
  }
  assert.deepEqual(state.gate.stats, { verifications: 2, hits: 0 });
  // A canned policy is rebuilt from the URL asked for, so another URL breaks the signature.
  const other = await handler(get('/premium/other.mp4', undefined, { querystring }));
  assert.equal(body(other).reason, 'bad-signature');
});

test('a policy narrower than the tier is honoured for its URL only and never cached', async () => {
  const { handler, state } = harness();
  const narrow = JSON.stringify({
    Statement: [
      {
        Resource: `https://${DOMAIN}/premium/one.mp4`,
        Condition: { DateLessThan: { 'AWS:EpochTime': nowSeconds + 600 } },
      },
    ],
  });
  const cookie = cookieSetFor(narrow);
  assert.equal((await handler(get('/premium/one.mp4', cookie))).uri, '/premium/one.mp4');
  assert.equal(body(await handler(get('/premium/two.mp4', cookie))).reason, 'wrong-tier');
  assert.equal(state.gate.stats.hits, 0);
});

test('a live session re-mints expired or missing cookies with a 302 back to the same URL', async () => {
  const { handler, clock, logs } = harness();
  const jar = await signedInJar(handler);
  clock.now += 2 * 3600 * 1000;
  const cookie = cookieHeaderFor(jar, '/premium/a.mp4');
  const response = await handler(get('/premium/a.mp4', cookie, { querystring: 'x=1' }));
  assert.equal(response.status, '302');
  assert.equal(location(response), `https://${DOMAIN}/premium/a.mp4?x=1`);
  const fresh = cookieJar(setCookies(response));
  assert.ok(
    fresh['CloudFront-Policy|/premium/'] && fresh['CloudFront-Policy|/videos/'],
    'every session tier re-minted',
  );
  assert.equal(fresh['__Host-edge-auth-remint|/'].attributes['Max-Age'], '10');
  assert.equal(logs.at(-1).outcome, 'remint');
  // Following the redirect with the new cookies gets through.
  const followed = await handler(
    get('/premium/a.mp4', cookieHeaderFor({ ...jar, ...fresh }, '/premium/a.mp4'), { querystring: 'x=1' }),
  );
  assert.equal(followed.uri, '/premium/a.mp4');
  // Missing CloudFront cookies (the browser dropped them at Expires), session still there.
  const sessionOnly = `__Host-edge-auth-session=${jar['__Host-edge-auth-session|/'].value}`;
  assert.equal((await handler(get('/videos/v.mp4', sessionOnly))).status, '302');
  // A POST is re-minted with 307, which keeps the method.
  assert.equal((await handler(get('/videos/v.mp4', sessionOnly, { method: 'POST' }))).status, '307');
});

test('cookies close to expiry are re-minted when a session exists, else still pass', async () => {
  const { handler, clock } = harness();
  const jar = await signedInJar(handler);
  clock.now = NOW + (3600 - 200) * 1000; // inside the 300 s refresh margin
  const withSession = await handler(get('/premium/a', cookieHeaderFor(jar, '/premium/a')));
  assert.equal(withSession.status, '302');
  const cfOnly = cookieHeaderFor(jar, '/premium/a', { session: false });
  assert.equal((await handler(get('/premium/a', cfOnly))).uri, '/premium/a');
});

test('no re-mint for a session without the tier, a forged session, or a redirect loop', async () => {
  const { handler, logs } = harness();
  const silver = await signedInJar(handler, idToken({ claims: { 'cognito:groups': ['silver'] } }));
  const session = `__Host-edge-auth-session=${silver['__Host-edge-auth-session|/'].value}`;
  // Signed in, but not to this tier: no sign-in would help, so 403 `wrong-tier`, not 401.
  const lacks = await handler(get('/premium/a', session));
  assert.equal(lacks.status, '403');
  assert.equal(body(lacks).reason, 'wrong-tier');
  assert.equal(logs.at(-1).remint, 'session-lacks-tier');
  const forged = await handler(get('/premium/a', '__Host-edge-auth-session=v1.e30.AAAA'));
  assert.equal(forged.status, '401');
  assert.equal(logs.at(-1).remint, 'session-invalid');
  const loop = await handler(get('/videos/a', `${session}; __Host-edge-auth-remint=1`));
  assert.equal(loop.status, '401');
  assert.equal(logs.at(-1).remint, 'remint-loop');
});

test('an oversized Cookie header is refused without parsing', async () => {
  const { handler, state } = harness();
  const response = await handler(get('/premium/a', `a=${'x'.repeat(21 * 1024)}`));
  assert.equal(response.status, '403');
  assert.equal(body(response).reason, 'malformed');
  assert.equal(state.gate.stats.verifications, 0);
});

test('cookies split over several cookie header entries are read together', async () => {
  const { handler } = harness();
  const parts = cookieHeaderFor(await signedInJar(handler), '/premium/').split('; ');
  const event = viewerRequest({ uri: '/premium/a', headers: { cookie: parts, accept: JSON_ACCEPT } });
  assert.equal((await handler(event)).uri, '/premium/a');
});

test('every decision logs one JSON-safe line with class, outcome and duration', async () => {
  const { handler, logs } = harness();
  await handler(get('/index.html'));
  await handler(get('/premium/a'));
  await signIn(handler);
  assert.equal(logs.length, 3);
  for (const line of logs) {
    assert.equal(typeof line.ms, 'number');
    assert.ok(line.class && line.outcome, JSON.stringify(line));
    assert.deepEqual(JSON.parse(JSON.stringify(line)), line);
  }
  assert.deepEqual(
    logs.map((l) => l.class),
    ['public', 'private', 'auth'],
  );
});

test('an expired signed URL is refused even with a session: redirecting to it would change nothing', async () => {
  const { handler, logs } = harness();
  const jar = await signedInJar(handler);
  const url = getSignedUrl({
    url: `https://${DOMAIN}/premium/trailer.mp4`,
    keyPairId: KEY_ID,
    privateKey: keys.cloudfront.privatePem,
    dateLessThan: new Date(NOW - 1000).toISOString(),
  });
  const querystring = url.split('?')[1];
  const response = await handler(
    get('/premium/trailer.mp4', cookieHeaderFor(jar, '/premium/'), { querystring, accept: BROWSER }),
  );
  assert.equal(response.status, '302');
  assert.equal(location(response), 'https://login.example.com/signin?redirect=%2Fpremium%2Ftrailer.mp4&reason=expired');
  assert.equal(logs.at(-1).remint, 'signed-url');
  assertNoSecrets(assert, logs, [new URLSearchParams(querystring).get('Signature')]);
});
