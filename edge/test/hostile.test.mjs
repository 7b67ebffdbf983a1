// Hostile input for the edge handler: oversized headers and URLs, cookie floods, duplicated
// and conflicting cookies, credentials for another tier, signed URL against cookies, path
// tricks, forged and mis-claimed ID tokens, open-redirect payloads. Each case states the
// refusal it must get (docs/security.md lists the decisions), and no case may reach the
// handler's internal-error path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';
import {
  BROWSER,
  DOMAIN,
  KEY_ID,
  NOW,
  body,
  config,
  cookieHeaderFor,
  cookieJar,
  cookieSetFor,
  forgedTokens,
  harness,
  idToken,
  keys,
  location,
  policyFor,
  setCookies,
  signIn,
  viewerRequest,
} from './helpers.mjs';

const API = 'application/json';
const nowSeconds = Math.floor(NOW / 1000);

/** A harness whose log is checked after every call: no decision may come from an exception. */
function hostile(cfg = config()) {
  const h = harness(cfg);
  const call = async (event) => {
    const result = await h.handler(event);
    const crashed = h.logs.filter((l) => l.reason === 'internal-error');
    assert.deepEqual(crashed, [], 'the handler hit an exception');
    return result;
  };
  return { ...h, call };
}

const get = (uri, { cookie, accept = API, querystring = '', headers = {}, method = 'GET' } = {}) =>
  viewerRequest({ uri, method, querystring, headers: { accept, ...(cookie ? { cookie } : {}), ...headers } });

/** The request came back unchanged: CloudFront goes on to the origin. */
const passed = (result, uri) => result.uri === uri && result.status === undefined;

/** Gold and silver cookie headers for their own paths, without the session cookie. */
async function goldAndSilver(handler) {
  const gold = cookieJar(setCookies(await signIn(handler)));
  const silverToken = idToken({ claims: { 'cognito:groups': ['silver'] } });
  const silver = cookieJar(setCookies(await signIn(handler, { token: silverToken })));
  return {
    goldJar: gold,
    silverJar: silver,
    gold: cookieHeaderFor(gold, '/premium/', { session: false }),
    silver: cookieHeaderFor(silver, '/videos/', { session: false }),
    silverSession: cookieHeaderFor(silver, '/premium/'),
  };
}

// ---- sizes ----------------------------------------------------------------------------

test('a Cookie header over 20 KB is refused unread; just under, valid cookies inside still pass', async () => {
  const { call, handler } = hostile();
  const { gold } = await goldAndSilver(handler);
  const pad = (n) => `pad=${'x'.repeat(n)}`;
  const over = await call(get('/premium/a.mp4', { cookie: `${gold}; ${pad(20 * 1024)}` }));
  assert.equal(over.status, '403');
  assert.equal(body(over).reason, 'malformed');
  const browser = await call(get('/premium/a.mp4', { cookie: `${gold}; ${pad(20 * 1024)}`, accept: BROWSER }));
  assert.equal(browser.status, '302');
  assert.match(location(browser), /reason=malformed/);
  const under = `${gold}; ${pad(20 * 1024 - gold.length - 8)}`;
  assert.ok(under.length <= 20 * 1024);
  assert.ok(passed(await call(get('/premium/a.mp4', { cookie: under })), '/premium/a.mp4'));
  // The cap is on the joined header: the same bytes split over many entries are refused too.
  const split = [gold, ...Array.from({ length: 30 }, () => pad(700))];
  const many = await call(get('/premium/a.mp4', { cookie: split }));
  assert.equal(body(many).reason, 'malformed');
});

test('20 KB of other headers changes nothing; a 20 KB Authorization header is malformed', async () => {
  const { call, handler } = hostile();
  const { gold } = await goldAndSilver(handler);
  const big = 'y'.repeat(20 * 1024);
  const headers = { 'user-agent': big, 'x-forwarded-for': big, referer: big };
  assert.ok(passed(await call(get('/premium/a.mp4', { cookie: gold, headers })), '/premium/a.mp4'));
  assert.ok(passed(await call(get('/index.html', { headers })), '/index.html'));
  const auth = await call(get('/auth', { headers: { authorization: `Bearer ${big}` } }));
  assert.equal(auth.status, '401');
  assert.equal(body(auth).reason, 'malformed');
  // Just under the header cap, over the 16 KiB token cap: refused before aws-jwt-verify reads it.
  const long = await call(get('/auth', { headers: { authorization: `Bearer ${'a'.repeat(16 * 1024)}.b.c` } }));
  assert.equal(body(long).reason, 'too-long');
});

test('an 8 KB URL: a public one passes untouched, a private one is checked and refused over the cap', async () => {
  const { call, handler, state } = hostile();
  const { gold } = await goldAndSilver(handler);
  const longPublic = `/public/${'p'.repeat(8 * 1024)}`;
  assert.ok(passed(await call(get(longPublic)), longPublic));
  // The core reads at most 8 KiB of URL (https://DOMAIN + URI + query), CloudFront's own limit.
  const room = 8 * 1024 - `https://${DOMAIN}`.length;
  const fits = `/premium/${'a'.repeat(room - '/premium/'.length)}`;
  const tooLong = `${fits}b`;
  // Cold cache: the core sees the URL and refuses it over the cap.
  const refused = await call(get(tooLong, { cookie: gold }));
  assert.equal(refused.status, '403');
  assert.equal(body(refused).reason, 'malformed');
  const query = await call(get('/premium/a.mp4', { cookie: gold, querystring: `q=${'z'.repeat(8 * 1024)}` }));
  assert.equal(body(query).reason, 'malformed');
  assert.ok(passed(await call(get(fits, { cookie: gold })), fits));
  assert.equal(state.gate.stats.verifications, 3);
  // Warm, with those cookies verified and cached: the over-long URL is still refused, as a
  // cold container refuses it (CloudFront itself answers 414 over 8,192 bytes anyway).
  const warm = await call(get(tooLong, { cookie: gold }));
  assert.equal(body(warm).reason, 'malformed');
  assert.equal(state.gate.stats.hits, 0);
  assert.ok(passed(await call(get('/premium/b.mp4', { cookie: gold })), '/premium/b.mp4'));
  assert.equal(state.gate.stats.hits, 1);
});

test('thousands of cookies: the CloudFront ones are found among them; over the cap, refused', async () => {
  const { call, handler } = hostile();
  const { gold } = await goldAndSilver(handler);
  const noise = (n) => Array.from({ length: n }, (_, i) => `c${i}=${i}`).join('; ');
  assert.ok(passed(await call(get('/premium/a.mp4', { cookie: `${noise(1500)}; ${gold}` })), '/premium/a.mp4'));
  assert.ok(passed(await call(get('/premium/a.mp4', { cookie: `${gold}; ${noise(1500)}` })), '/premium/a.mp4'));
  const flood = await call(get('/premium/a.mp4', { cookie: `${noise(4000)}; ${gold}` }));
  assert.equal(body(flood).reason, 'malformed');
  // 3,000 empty pairs and bare separators.
  const junk = await call(get('/premium/a.mp4', { cookie: ';'.repeat(3000) + '=;'.repeat(3000) }));
  assert.equal(body(junk).reason, 'missing');
});

// ---- duplicated, conflicting and misplaced cookies ------------------------------------

test('duplicated cookie names: the first wins, as in browsers (longest Path first) and the core', async () => {
  const { call, handler } = hostile();
  const { gold, silver } = await goldAndSilver(handler);
  const forged = cookieSetFor(policyFor('/premium/', nowSeconds + 3600), { key: keys.stranger.privateKey });
  // Genuine first: later forgeries are never read.
  assert.ok(passed(await call(get('/premium/a.mp4', { cookie: `${gold}; ${forged}` })), '/premium/a.mp4'));
  // Forged first: refused, even though a valid set follows.
  const first = await call(get('/premium/a.mp4', { cookie: `${forged}; ${gold}` }));
  assert.equal(first.status, '403');
  assert.equal(body(first).reason, 'bad-signature');
  // Silver's set first on a gold path: silver's policy is read, and it does not cover /premium/.
  const wrong = await call(get('/premium/a.mp4', { cookie: `${silver}; ${gold}` }));
  assert.equal(body(wrong).reason, 'wrong-tier');
});

test('conflicting cookies: a policy of one set with the signature of another is a bad signature', async () => {
  const { call, handler } = hostile();
  const { gold, silver } = await goldAndSilver(handler);
  const pick = (header, name) => header.split('; ').find((c) => c.startsWith(`${name}=`));
  const mixed = [
    pick(gold, 'CloudFront-Policy'),
    pick(silver, 'CloudFront-Signature'),
    pick(gold, 'CloudFront-Key-Pair-Id'),
  ].join('; ');
  assert.equal(body(await call(get('/premium/a.mp4', { cookie: mixed }))).reason, 'bad-signature');
  // CloudFront-Expires beside a policy: both a canned and a custom policy; malformed.
  const both = await call(get('/premium/a.mp4', { cookie: `CloudFront-Expires=${nowSeconds + 60}; ${gold}` }));
  assert.equal(body(both).reason, 'malformed');
  // An announced SHA-256 over a SHA-1 signature.
  const sha = await call(get('/premium/a.mp4', { cookie: `${gold}; CloudFront-Hash-Algorithm=SHA256` }));
  assert.equal(body(sha).reason, 'bad-signature');
  // Names are case-sensitive: lower-case CloudFront cookies are not credentials.
  const lower = await call(get('/premium/a.mp4', { cookie: gold.replace(/CloudFront-/g, 'cloudfront-') }));
  assert.equal(body(lower).reason, 'missing');
  // Quoted values are read as the core reads them (quotes dropped).
  const quoted = gold.replace(/=([^;]+)/g, '="$1"');
  assert.ok(passed(await call(get('/premium/a.mp4', { cookie: quoted })), '/premium/a.mp4'));
});

test("one tier's cookies on another tier's path are wrong-tier, with or without a session", async () => {
  const { call, handler } = hostile();
  const { silver, silverSession } = await goldAndSilver(handler);
  const api = await call(get('/premium/a.mp4', { cookie: silver }));
  assert.equal(api.status, '403');
  assert.deepEqual(body(api), { error: 'forbidden', reason: 'wrong-tier', tier: 'gold' });
  const browser = await call(get('/premium/a.mp4', { cookie: silver, accept: BROWSER }));
  assert.equal(browser.status, '302');
  assert.match(location(browser), /^https:\/\/login\.example\.com\/signin\?redirect=%2Fpremium%2Fa\.mp4&reason=wrong-tier$/);
  // A silver session cannot re-mint gold: still wrong-tier, no cookies.
  const session = await call(get('/premium/a.mp4', { cookie: `${silver}; ${silverSession}` }));
  assert.equal(body(session).reason, 'wrong-tier');
  assert.equal(setCookies(session).length, 0);
});

// ---- signed URL and cookies together --------------------------------------------------

test('a signed URL and cookies together: the URL decides, as CloudFront does', async () => {
  const { call, handler } = hostile();
  const { gold } = await goldAndSilver(handler);
  const sign = (dateLessThan, privateKey = keys.cloudfront.privatePem) =>
    getSignedUrl({ url: `https://${DOMAIN}/premium/a.mp4`, keyPairId: KEY_ID, privateKey, dateLessThan })
      .split('?')[1];
  const valid = sign(new Date(NOW + 600_000).toISOString());
  const expired = sign(new Date(NOW - 1000).toISOString());
  const forged = sign(new Date(NOW + 600_000).toISOString(), keys.stranger.privatePem);
  // Valid URL, junk cookies: passes.
  const junk = 'CloudFront-Policy=AAAA; CloudFront-Signature=AAAA; CloudFront-Key-Pair-Id=KJUNK';
  assert.ok(passed(await call(get('/premium/a.mp4', { cookie: junk, querystring: valid })), '/premium/a.mp4'));
  // Valid cookies, bad URL: refused for the URL's reason.
  assert.equal(body(await call(get('/premium/a.mp4', { cookie: gold, querystring: expired }))).reason, 'expired');
  assert.equal(body(await call(get('/premium/a.mp4', { cookie: gold, querystring: forged }))).reason, 'bad-signature');
  // A lone signing parameter is enough to make the URL decide.
  for (const qs of ['Signature=AAAA', 'Key-Pair-Id=K2JCJMDEHXQW5F', 'Expires=1', 'Policy=AAAA']) {
    const result = await call(get('/premium/a.mp4', { cookie: gold, querystring: qs }));
    assert.equal(result.status, '403', qs);
    assert.equal(body(result).reason, 'malformed', qs);
  }
  // A signed URL for one file does not open another.
  // (A canned policy is rebuilt from the URL asked for, so the signature no longer matches.)
  assert.equal(body(await call(get('/premium/b.mp4', { querystring: valid }))).reason, 'bad-signature');
});

// ---- path tricks ----------------------------------------------------------------------

test('non-canonical paths that any reading puts under a tier are refused with 400 ambiguous-path', async () => {
  const { call, handler, state } = hostile();
  const { gold } = await goldAndSilver(handler);
  const signs = state.minter.stats.signs;
  const ambiguous = [
    '/public/../premium/a.mp4', // CloudFront routes on the RFC 3986 form: /premium/a.mp4
    '/public/%2e%2e/premium/a.mp4',
    '/public/%2E%2E/premium/a.mp4',
    '/public/.%2e/premium/a.mp4',
    '/%70remium/a.mp4', // %70 = p: decoded before routing
    '/premium%2Fa.mp4', // S3 decodes %2F: the key premium/a.mp4
    '/premium%2fa.mp4',
    '/public/..%2Fpremium/a.mp4',
    '/public/..%5Cpremium/a.mp4',
    '/public\\..\\premium\\a.mp4',
    '//premium/a.mp4', // origins that merge slashes
    '/./premium/a.mp4',
    '/premium/../premium/a.mp4',
    '/premium/./a.mp4',
    '/premium//a.mp4',
    '/premium/a/..',
    '/premium/%2e%2e/videos/a.mp4', // under gold as written, silver once normalised
  ];
  for (const uri of ambiguous) {
    for (const accept of [API, BROWSER]) {
      const result = await call(get(uri, { cookie: gold, accept }));
      assert.equal(result.status, '400', uri);
      assert.deepEqual(body(result), { error: 'bad-request', reason: 'ambiguous-path' }, uri);
      assert.equal(setCookies(result).length, 0, uri);
    }
  }
  // Non-canonical paths that no reading puts under a tier stay public, untouched.
  for (const uri of ['/public/../index.html', '/a//b.png', '/%61ssets/x.css', '/img/./a.png']) {
    assert.ok(passed(await call(get(uri)), uri), uri);
  }
  // Case: CloudFront path patterns and S3 keys are case-sensitive, so these are public paths.
  for (const uri of ['/Premium/a.mp4', '/PREMIUM/a.mp4', '/premiuM/a.mp4']) {
    assert.ok(passed(await call(get(uri)), uri), uri);
  }
  // Encodings that change no routing stay ordinary private paths.
  for (const uri of ['/premium/my%20film.mp4', '/premium/caf%C3%A9.mp4', '/premium/%E2%80%AE.mp4']) {
    assert.ok(passed(await call(get(uri, { cookie: gold })), uri), uri);
  }
  assert.equal(state.minter.stats.signs, signs, 'nothing minted');
});

test('Unicode look-alikes in a path are not slashes or dots to anyone: ordinary paths', async () => {
  const { call, handler } = hostile();
  const { gold } = await goldAndSilver(handler);
  // Fullwidth solidus, fraction slash, one-dot leader: CloudFront passes them percent-encoded.
  for (const uri of ['/public/%EF%BC%8F..%EF%BC%8Fpremium/a', '/public/%E2%81%84premium', '/premium/%E2%80%A4%E2%80%A4/x']) {
    const result = await call(get(uri, { cookie: gold }));
    assert.ok(passed(result, uri), uri);
  }
  // Raw (unencoded) Unicode in the URI is handled the same way, without an exception.
  assert.ok(passed(await call(get('/premium/ｆｉｌｍ.mp4', { cookie: gold })), '/premium/ｆｉｌｍ.mp4'));
});

test('a broken config keeps refusing ambiguous tier paths instead of passing them as public', async () => {
  const cfg = config({ cookies: { lifetimeSeconds: 1 } });
  const { call } = hostile(cfg);
  for (const uri of ['/public/../premium/a.mp4', '/%70remium/a.mp4', '//premium/a.mp4']) {
    const result = await call(get(uri));
    assert.equal(result.status, '403', uri);
    assert.equal(body(result).reason, 'config-invalid');
  }
  assert.ok(passed(await call(get('/index.html')), '/index.html'));
});

// ---- ID tokens ------------------------------------------------------------------------

test('forged and mis-claimed ID tokens get 401 with their reason, no cookies, and nothing logged of them', async () => {
  const { call, logs } = hostile();
  const { none, noneSigned, hs256 } = forgedTokens();
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const [, payload, signature] = idToken().split('.');
  const cases = {
    // Unsigned tokens with an empty signature are not even a JWS to aws-jwt-verify.
    malformed: [none, `${b64({ alg: 'None', kid: 'idp-1' })}.${payload}.`],
    'unsupported-alg': [
      noneSigned,
      hs256,
      `${b64({ alg: 'None', kid: 'idp-1' })}.${payload}.${signature}`,
      `${b64({ alg: 'RS512', kid: 'idp-1' })}.${payload}.${signature}`,
      `${b64({ alg: 'ES256', kid: 'idp-1' })}.${payload}.${signature}`,
      `${b64({ alg: 'rs256', kid: 'idp-1' })}.${payload}.${signature}`,
    ],
    'unknown-kid': [
      idToken({ header: { kid: 'idp-2' } }),
      idToken({ header: { kid: '../../idp-1' } }),
      idToken({ header: { kid: 'idp-1 ' } }),
      idToken({ header: { kid: 'x'.repeat(2000) } }),
    ],
    'missing-kid': [idToken({ header: { kid: undefined } })],
    'bad-signature': [
      idToken({ key: keys.cloudfront.privateKey }),
      idToken({ header: { jku: 'https://evil.example/jwks.json' }, key: keys.stranger.privateKey }),
      `${idToken().split('.').slice(0, 2).join('.')}.${signature.slice(0, -4)}AAAA`,
    ],
    expired: [
      idToken({ claims: { exp: nowSeconds - 61 } }),
      idToken({ claims: { exp: 0 } }),
      idToken({ now: NOW - 7200 * 1000 }),
    ],
    'issued-in-future': [idToken({ claims: { iat: nowSeconds + 61 } }), idToken({ claims: { iat: 4102444800 } })],
    'not-yet-valid': [idToken({ claims: { nbf: nowSeconds + 61 } })],
    'wrong-issuer': [
      idToken({ claims: { iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Evil' } }),
      idToken({ claims: { iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EdgeTest/' } }),
    ],
    'wrong-audience': [
      idToken({ claims: { aud: 'edge-test-client-2' } }),
      idToken({ claims: { aud: ['other'] } }),
      idToken({ claims: { aud: [] } }),
    ],
    'wrong-token-use': [idToken({ claims: { token_use: 'access' } }), idToken({ claims: { token_use: 'ID' } })],
    'missing-claim': [idToken({ claims: { iss: undefined } }), idToken({ claims: { exp: undefined } })],
  };
  for (const [reason, tokens] of Object.entries(cases)) {
    for (const token of tokens) {
      for (const accept of [API, BROWSER]) {
        const response = await call(get('/auth', { accept, headers: { authorization: `Bearer ${token}` } }));
        assert.equal(response.status, '401', `${reason}: ${token.slice(0, 40)}`);
        assert.equal(body(response).reason, reason, token.slice(0, 60));
        assert.equal(setCookies(response).length, 0);
      }
    }
  }
  const text = JSON.stringify(logs);
  assert.ok(!text.includes(payload) && !text.includes(signature), 'a token reached the log');
});

test('a token anywhere but the Authorization header is ignored', async () => {
  const { call } = hostile();
  const token = idToken();
  for (const request of [
    get('/auth', { querystring: `token=${token}&id_token=${token}&access_token=${token}` }),
    get('/auth', { cookie: `id_token=${token}; __Host-edge-auth-session=${token}` }),
    get('/auth', { headers: { 'x-amz-security-token': token, 'proxy-authorization': `Bearer ${token}` } }),
  ]) {
    const response = await call(request);
    assert.equal(response.status, '401');
    assert.equal(body(response).reason, 'missing');
  }
});

// ---- open redirects -------------------------------------------------------------------

test('open-redirect payloads at /auth and /auth/logout get 400 unsafe-redirect and no cookies', async () => {
  const { call } = hostile();
  const payloads = [
    '//evil.example',
    '///evil.example',
    '////evil.example',
    'https:evil.example',
    'https:/evil.example',
    'HTTPS://evil.example',
    '/\\evil.example',
    '\\/evil.example',
    '\\\\evil.example',
    '/\\/evil.example',
    '/.\\evil.example',
    '%2F%2Fevil.example',
    '%2f%2fevil.example',
    '/%2F/evil.example',
    '/%5Cevil.example',
    '/%5cevil.example',
    '%5C%5Cevil.example',
    '%252F%252Fevil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\n/evil.example',
    '/%09/evil.example',
    '/%0A/evil.example',
    '/%0d%0aSet-Cookie:x=1',
    ' //evil.example',
    '/ /evil.example',
    '/\u0000/evil.example',
    '/%00/evil.example',
    'evil.example',
    'javascript:alert(1)',
    'data:text/html,x',
    `/${'a'.repeat(3000)}`,
    '/admin',
    '/premium/../admin',
    '/homework',
  ];
  for (const uri of ['/auth', '/auth/logout']) {
    for (const payload of payloads) {
      const querystring = `redirect=${encodeURIComponent(payload)}`;
      const headers = uri === '/auth' ? { authorization: `Bearer ${idToken()}` } : {};
      const response = await call(get(uri, { querystring, headers, accept: BROWSER }));
      assert.equal(response.status, '400', `${uri} ${JSON.stringify(payload)}`);
      assert.equal(body(response).reason, 'unsafe-redirect');
      assert.equal(setCookies(response).length, 0);
      assert.equal(response.headers.location, undefined);
    }
    // Raw (not encoded) payloads in the query string, as a hand-written link would carry them.
    for (const querystring of ['redirect=//evil.example', 'redirect=/\\evil.example', 'redirect=https:evil.example']) {
      const headers = uri === '/auth' ? { authorization: `Bearer ${idToken()}` } : {};
      assert.equal((await call(get(uri, { querystring, headers }))).status, '400', querystring);
    }
  }
});

test('every redirect the handler does issue stays on the distribution', async () => {
  const { call, handler } = hostile();
  const locations = [];
  const ok = await call(get('/auth', { querystring: 'redirect=%2Fpremium%2F..%2Fvideos%2Fa', headers: { authorization: `Bearer ${idToken()}` } }));
  locations.push(location(ok));
  const jar = cookieJar(setCookies(await signIn(handler)));
  // A re-mint sends the browser back to the URI it asked for: always on our own origin.
  const odd = await call(get('/auth', { querystring: 'redirect=%2Fpremium%2F%E2%80%A8', headers: { authorization: `Bearer ${idToken()}` } }));
  locations.push(location(odd));
  for (const uri of ['/premium/a.mp4', '/premium/%2F%2Fevil.example']) {
    const session = cookieHeaderFor(jar, '/premium/').split('; ').filter((c) => c.startsWith('__Host-'));
    const result = await call(get(uri, { cookie: session.join('; '), accept: BROWSER }));
    if (result.status === '302') locations.push(location(result));
  }
  // Sign-in redirects carry the path as a parameter, never as the target.
  const signInRedirect = await call(get('/premium/x', { accept: BROWSER }));
  assert.match(location(signInRedirect), /^https:\/\/login\.example\.com\/signin\?redirect=/);
  for (const target of locations.filter(Boolean)) {
    assert.equal(new URL(target).origin, `https://${DOMAIN}`, target);
  }
  assert.ok(locations.length >= 2);
});
