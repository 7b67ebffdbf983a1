// /auth and /auth/logout: minting one cookie set per tier from a Cognito ID token or a session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getSignedCookies } from '@aws-sdk/cloudfront-signer';
import crypto from 'node:crypto';
import {
  BROWSER,
  DOMAIN,
  KEY_ID,
  SESSION_SECRET,
  NOW,
  TIERS,
  assertNoSecrets,
  body,
  config,
  cookieJar,
  forgedTokens,
  harness,
  idToken,
  independentVerify,
  keys,
  location,
  policyFor,
  setCookies,
  signIn,
  tierCookies,
  viewerRequest,
} from './helpers.mjs';

const publicKeys = { [KEY_ID]: keys.cloudfront.publicPem };
const nowSeconds = Math.floor(NOW / 1000);
const expectedExpiry = Math.floor(nowSeconds / 300) * 300 + 3600;

test('a valid ID token gets 200 JSON and one cookie set per granted tier, plus a session', async () => {
  const { handler, logs } = harness();
  const response = await signIn(handler);
  assert.equal(response.status, '200');
  assert.deepEqual(body(response), { tiers: ['gold', 'silver'], expiresAt: expectedExpiry });
  assert.equal(response.headers['cache-control'][0].value, 'no-store');
  const lines = setCookies(response);
  assert.equal(lines.length, 2 * 3 + 1);
  for (const line of lines)
    assert.equal(response.headers['set-cookie'].find((h) => h.value === line).key, 'Set-Cookie');
  const jar = cookieJar(lines);
  for (const tier of TIERS) {
    for (const name of ['CloudFront-Policy', 'CloudFront-Signature', 'CloudFront-Key-Pair-Id']) {
      const cookie = jar[`${name}|${tier.pathPrefix}`];
      assert.ok(cookie, `${name} for ${tier.name}`);
      assert.equal(cookie.attributes.Domain, undefined, 'host-only without a configured domain');
      assert.equal(cookie.attributes.Expires, new Date(expectedExpiry * 1000).toUTCString());
      for (const flag of ['Secure', 'HttpOnly']) assert.equal(cookie.attributes[flag], true);
      assert.equal(cookie.attributes.SameSite, 'Lax');
    }
  }
  const session = jar['__Host-edge-auth-session|/'];
  assert.ok(session && session.attributes.Domain === undefined, 'session cookie is host-only');
  assert.equal(logs.length, 1);
  assert.deepEqual([logs[0].class, logs[0].outcome, logs[0].status], ['auth', 'mint', 200]);
  assertNoSecrets(assert, logs, [idToken(), ...lines.map((l) => l.split(';')[0].split('=')[1])]);
});

test('minted cookies pass an independent node:crypto check for their tier and no other', async () => {
  const { handler } = harness();
  const lines = setCookies(await signIn(handler));
  const gold = tierCookies(lines, '/premium/');
  const silver = tierCookies(lines, '/videos/');
  const at = (url) => ({ url, nowSeconds, publicKeys });
  assert.equal(independentVerify(gold, at(`https://${DOMAIN}/premium/movie.mp4`)), 'ok');
  assert.equal(independentVerify(gold, at(`https://${DOMAIN}/premium/a/b/c.m3u8?x=1`)), 'ok');
  assert.equal(independentVerify(silver, at(`https://${DOMAIN}/videos/clip.mp4`)), 'ok');
  assert.equal(independentVerify(gold, at(`https://${DOMAIN}/videos/clip.mp4`)), 'resource-mismatch');
  assert.equal(
    independentVerify(gold, { ...at(`https://${DOMAIN}/premium/x`), nowSeconds: expectedExpiry }),
    'expired',
  );
  assert.equal(
    Buffer.from(gold.policy.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64').toString(),
    policyFor('/premium/', expectedExpiry),
  );
});

test('minted cookies are byte-identical to @aws-sdk/cloudfront-signer for the same policy', async () => {
  const { handler } = harness();
  const gold = tierCookies(setCookies(await signIn(handler)), '/premium/');
  const sdk = getSignedCookies({
    policy: policyFor('/premium/', expectedExpiry),
    keyPairId: KEY_ID,
    privateKey: keys.cloudfront.privatePem,
  });
  assert.deepEqual(gold, {
    policy: sdk['CloudFront-Policy'],
    signature: sdk['CloudFront-Signature'],
    keyPairId: sdk['CloudFront-Key-Pair-Id'],
  });
});

test('tiers follow cognito:groups; a user in no tier group is refused with 403', async () => {
  const { handler } = harness();
  const silverOnly = await signIn(handler, { token: idToken({ claims: { 'cognito:groups': ['silver'] } }) });
  assert.deepEqual(body(silverOnly).tiers, ['silver']);
  assert.equal(setCookies(silverOnly).length, 3 + 1);
  const none = await signIn(handler, { token: idToken({ claims: { 'cognito:groups': ['staff'] } }) });
  assert.equal(none.status, '403');
  assert.deepEqual(body(none), { error: 'forbidden', reason: 'no-tier' });
  const absent = await signIn(handler, { token: idToken({ claims: { 'cognito:groups': undefined } }) });
  assert.equal(absent.status, '403');
  assert.equal(setCookies(absent).length, 0);
});

test('a tier whose groups include "*" is granted to every signed-in user, groups or not', async () => {
  const tiers = [
    { name: 'members', pathPrefix: '/private/', groups: ['*'] },
    { name: 'gold', pathPrefix: '/premium/', groups: ['gold'] },
  ];
  const { handler } = harness(config({ tiers, allowedRedirectPaths: ['/'] }));
  const noGroups = await signIn(handler, { token: idToken({ claims: { 'cognito:groups': undefined } }) });
  assert.equal(noGroups.status, '200');
  assert.deepEqual(body(noGroups).tiers, ['members']);
  const gold = await signIn(handler, { token: idToken({ claims: { 'cognito:groups': ['gold'] } }) });
  assert.deepEqual(body(gold).tiers.sort(), ['gold', 'members']);
  const forged = await signIn(handler, { token: forgedTokens().none });
  assert.notEqual(forged.status, '200');
});

test('POST works like GET; other methods get 405', async () => {
  const { handler } = harness();
  assert.equal((await signIn(handler, { method: 'POST' })).status, '200');
  const put = await signIn(handler, { method: 'PUT' });
  assert.equal(put.status, '405');
  assert.equal(put.headers.allow[0].value, 'GET, POST');
});

test('?redirect= to an allowed same-origin path answers 302 with the cookies', async () => {
  const { handler } = harness();
  const response = await signIn(handler, { querystring: 'redirect=%2Fpremium%2Fshow%2Fep1.m3u8%3Fq%3D1' });
  assert.equal(response.status, '302');
  assert.equal(location(response), `https://${DOMAIN}/premium/show/ep1.m3u8?q=1`);
  assert.equal(setCookies(response).length, 7);
  const home = await signIn(handler, { querystring: 'redirect=/home' });
  assert.equal(location(home), `https://${DOMAIN}/home`);
});

test('open-redirect attempts are refused with 400 and no cookies', async () => {
  const { handler, logs } = harness();
  const attempts = [
    'redirect=//evil.example/premium/',
    'redirect=%2F%2Fevil.example',
    'redirect=https:evil.example',
    'redirect=https://evil.example/premium/',
    'redirect=/%5Cevil.example',
    'redirect=/\\evil.example',
    'redirect=%2F%252F%252Fevil.example',
    'redirect=/%09/evil.example',
    'redirect=/%0a/evil.example',
    'redirect=javascript:alert(1)',
    'redirect=/admin',
    'redirect=/premium/../admin',
    'redirect=/homework',
    'redirect=',
    'redirect=/premium/a&redirect=//evil.example',
  ];
  for (const querystring of attempts) {
    const response = await signIn(handler, { querystring });
    assert.equal(response.status, '400', querystring);
    assert.deepEqual(body(response), { error: 'bad-request', reason: 'unsafe-redirect' }, querystring);
    assert.equal(setCookies(response).length, 0, querystring);
  }
  assert.ok(logs.every((l) => l.reason === 'unsafe-redirect'));
});

test('tokens that fail verification get 401 with the reason and no cookies', async () => {
  const { handler, logs } = harness();
  const { none, noneSigned, hs256 } = forgedTokens();
  const s = nowSeconds;
  const cases = {
    'unsupported-alg': [noneSigned, hs256],
    'unknown-kid': [
      idToken({ header: { kid: 'idp-9' } }),
      idToken({ key: keys.idpRotated.privateKey, header: { kid: 'idp-2' } }),
    ],
    'bad-signature': [
      idToken({ key: keys.stranger.privateKey }),
      (() => {
        const [h, , sig] = idToken().split('.');
        const forgedClaims = Buffer.from(
          JSON.stringify({
            ...JSON.parse(Buffer.from(idToken().split('.')[1], 'base64url')),
            'cognito:groups': ['gold', 'admin'],
          }),
        ).toString('base64url');
        return `${h}.${forgedClaims}.${sig}`;
      })(),
    ],
    expired: [idToken({ claims: { exp: s - 61, iat: s - 3700 } })],
    'wrong-issuer': [idToken({ claims: { iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other' } })],
    'wrong-audience': [idToken({ claims: { aud: 'another-client' } })],
    'wrong-token-use': [idToken({ claims: { token_use: 'access', aud: undefined, client_id: 'edge-test-client' } })],
    'not-yet-valid': [idToken({ claims: { nbf: s + 120 } })],
    'issued-in-future': [idToken({ claims: { iat: s + 120 } })],
    'missing-claim': [idToken({ claims: { sub: undefined } })],
    // An empty signature is not a JWS at all: aws-jwt-verify refuses to parse it.
    malformed: ['abc.def.ghi', 'e30.e30', none],
    'too-long': [`${'a'.repeat(16 * 1024)}.b.c`],
  };
  for (const [reason, tokens] of Object.entries(cases)) {
    for (const token of tokens) {
      const response = await signIn(handler, { token });
      assert.equal(response.status, '401', reason);
      assert.equal(body(response).reason, reason);
      assert.match(response.headers['www-authenticate'][0].value, /^Bearer/);
      assert.equal(setCookies(response).length, 0);
    }
  }
  assertNoSecrets(assert, logs, [none, noneSigned, hs256, idToken().split('.')[2]]);
});

test('an Authorization header that is not one Bearer token is malformed', async () => {
  const { handler } = harness();
  for (const authorization of [
    'Basic YWxpY2U6cHc=',
    'Bearer',
    'Bearer a b',
    [`Bearer ${idToken()}`, `Bearer ${idToken()}`],
  ]) {
    const response = await handler(viewerRequest({ uri: '/auth', headers: { authorization } }));
    assert.equal(response.status, '401');
    assert.equal(body(response).reason, 'malformed');
  }
  const lower = await handler(viewerRequest({ uri: '/auth', headers: { authorization: `bearer ${idToken()}` } }));
  assert.equal(lower.status, '200');
});

test('a repeated mint in the same window is served from cache with no RSA operation', async () => {
  const { handler, clock, state } = harness();
  const first = setCookies(await signIn(handler)).slice(0, 6);
  // 08:00:00 + 200 s = 08:03:20: still inside the 300 s window.
  assert.equal(state.minter.stats.signs, 2);
  clock.now += 200_000;
  const second = setCookies(
    await signIn(handler, { token: idToken({ claims: { sub: 'someone-else' }, now: clock.now }) }),
  ).slice(0, 6);
  assert.deepEqual(second, first);
  assert.equal(state.minter.stats.signs, 2);
  assert.equal(state.minter.stats.hits, 2);
  clock.now += 100_000; // next window
  const third = setCookies(await signIn(handler, { token: idToken({ now: clock.now }) })).slice(0, 6);
  assert.notDeepEqual(third, first);
  assert.equal(state.minter.stats.signs, 4);
});

test('the session cookie alone re-mints at /auth, without extending itself', async () => {
  const { handler, clock } = harness();
  const jar = cookieJar(setCookies(await signIn(handler)));
  const session = jar['__Host-edge-auth-session|/'];
  clock.now += 2 * 3600 * 1000; // the ID token and the cookies have expired; the session has not
  const response = await handler(
    viewerRequest({ uri: '/auth', headers: { cookie: `__Host-edge-auth-session=${session.value}` } }),
  );
  assert.equal(response.status, '200');
  assert.deepEqual(body(response).tiers, ['gold', 'silver']);
  const renewed = cookieJar(setCookies(response))['__Host-edge-auth-session|/'];
  assert.equal(renewed.attributes.Expires, session.attributes.Expires);
  clock.now += 11 * 3600 * 1000; // past the 12 h session
  const late = await handler(
    viewerRequest({ uri: '/auth', headers: { cookie: `__Host-edge-auth-session=${session.value}` } }),
  );
  assert.equal(late.status, '401');
  assert.equal(body(late).reason, 'missing');
});

test('a forged or altered session cookie is not a session', async () => {
  const { handler } = harness();
  const jar = cookieJar(
    setCookies(await signIn(handler, { token: idToken({ claims: { 'cognito:groups': ['silver'] } }) })),
  );
  const value = jar['__Host-edge-auth-session|/'].value;
  assert.match(value, /^v2\.[A-Za-z0-9_-]+$/);
  const sealed = Buffer.from(value.slice(3), 'base64url');
  const flipped = (i) => {
    const copy = Buffer.from(sealed);
    copy[i] ^= 1;
    return `v2.${copy.toString('base64url')}`;
  };
  // The old format's MAC under the same secret, but a tier the token never granted: only a
  // holder of the session secret could make it, and it opens (sessions survive the upgrade).
  const v1 = (payload, key = Buffer.from(SESSION_SECRET, 'base64')) => {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `v1.${body}.${crypto.createHmac('sha256', key).update(`v1.${body}`).digest('base64url')}`;
  };
  const exp = Math.floor(NOW / 1000) + 3600;
  for (const forged of [
    flipped(0), // IV
    flipped(20), // ciphertext
    flipped(sealed.length - 1), // tag
    `v2.${sealed.subarray(0, sealed.length - 1).toString('base64url')}`,
    'v2.',
    `v2.${sealed.toString('base64url')}.x`,
    v1({ sub: 'u', tiers: ['gold'], exp }, crypto.randomBytes(32)),
    `v1.${Buffer.from(JSON.stringify({ sub: 'u', tiers: ['gold'], exp })).toString('base64url')}.AAAA`,
    'garbage',
  ]) {
    const response = await handler(
      viewerRequest({ uri: '/auth', headers: { cookie: `__Host-edge-auth-session=${forged}` } }),
    );
    assert.equal(response.status, '401', forged);
    assert.equal(setCookies(response).length, 0);
  }
  const legacy = await handler(
    viewerRequest({ uri: '/auth', headers: { cookie: `__Host-edge-auth-session=${v1({ sub: 'u', tiers: ['gold'], exp })}` } }),
  );
  assert.equal(legacy.status, '200');
  assert.deepEqual(body(legacy).tiers, ['gold']);
});

test('a browser without credentials at /auth is sent to sign-in', async () => {
  const { handler } = harness();
  const response = await handler(
    viewerRequest({ uri: '/auth', querystring: 'redirect=/premium/x', headers: { accept: BROWSER } }),
  );
  assert.equal(response.status, '302');
  assert.equal(location(response), 'https://login.example.com/signin?redirect=%2Fpremium%2Fx&reason=missing');
});

test('/auth/logout expires every cookie it set, on the same paths and domain', async () => {
  const { handler } = harness();
  const response = await handler(viewerRequest({ uri: '/auth/logout', method: 'POST' }));
  assert.equal(response.status, '200');
  const jar = cookieJar(setCookies(response));
  for (const tier of TIERS) {
    for (const name of ['CloudFront-Policy', 'CloudFront-Signature', 'CloudFront-Key-Pair-Id']) {
      const c = jar[`${name}|${tier.pathPrefix}`];
      assert.equal(c.value, '');
      assert.equal(c.attributes['Max-Age'], '0');
      assert.equal(c.attributes.Domain, undefined);
      assert.equal(c.attributes.Expires, 'Thu, 01 Jan 1970 00:00:00 GMT');
    }
  }
  assert.equal(jar['__Host-edge-auth-session|/'].attributes['Max-Age'], '0');
  assert.equal(jar['__Host-edge-auth-remint|/'].attributes['Max-Age'], '0');
  assert.ok(setCookies(response).every((line) => !/;\s*Domain=/i.test(line)));
  const back = await handler(viewerRequest({ uri: '/auth/logout', querystring: 'redirect=/home' }));
  assert.equal(back.status, '302');
  assert.equal(location(back), `https://${DOMAIN}/home`);
  const evil = await handler(viewerRequest({ uri: '/auth/logout', querystring: 'redirect=//evil.example' }));
  assert.equal(evil.status, '400');
});

test('with a domain, sign-out also expires the Domain= tier cookies earlier versions set', async () => {
  const { handler } = harness(config({ domain: 'example.com' }));
  const lines = setCookies(await handler(viewerRequest({ uri: '/auth/logout', method: 'POST' })));
  for (const tier of TIERS) {
    for (const name of ['CloudFront-Policy', 'CloudFront-Signature', 'CloudFront-Key-Pair-Id']) {
      const expired = lines.filter((l) => l.startsWith(`${name}=;`) && l.includes(`; Path=${tier.pathPrefix};`) && /Max-Age=0/.test(l));
      assert.deepEqual(
        expired.map((l) => /; Domain=([^;]+)/.exec(l)?.[1] ?? null),
        [null, 'example.com'],
        `${name} on ${tier.pathPrefix}`,
      );
    }
  }
  // The session cookie is `__Host-` (never had a Domain): one line.
  assert.equal(lines.filter((l) => l.startsWith('__Host-edge-auth-session=')).length, 1);
});

test('other paths under /auth/ are 404', async () => {
  const { handler } = harness();
  assert.equal((await handler(viewerRequest({ uri: '/auth/admin' }))).status, '404');
});

test('a configured domain names the hosts served; others are refused with 400, and every cookie stays host-only', async () => {
  const { handler } = harness(config({ domain: 'example.com' }));
  const response = await signIn(handler);
  // Tier cookies are bearer credentials whose policy names this one host: with a Domain they
  // would reach every sibling host (on this distribution or not) and could be overwritten there.
  for (const line of setCookies(response)) assert.doesNotMatch(line, /;\s*Domain=/i, line);
  const gold = tierCookies(setCookies(response), '/premium/');
  const at = (url) => ({ url, nowSeconds, publicKeys });
  assert.equal(independentVerify(gold, at(`https://${DOMAIN}/premium/a.mp4`)), 'ok');
  for (const host of ['example.com', 'www.example.com']) {
    const other = await handler(viewerRequest({ uri: '/auth', host, headers: { authorization: `Bearer ${idToken()}` } }));
    assert.equal(other.status, '200', host);
  }
  for (const host of ['example.org', 'evilexample.com', 'example.com.evil.example', 'media.example.com:443:1', 'exa mple.com', '']) {
    const refused = await handler(viewerRequest({ uri: '/auth', host, headers: { authorization: `Bearer ${idToken()}` } }));
    assert.equal(refused.status, '400', host);
    assert.deepEqual(body(refused), { error: 'bad-request', reason: 'bad-host' });
    assert.equal(setCookies(refused).length, 0);
  }
});

test('policies name the host the viewer asked for', async () => {
  const { handler } = harness();
  for (const host of [DOMAIN, 'd111111abcdef8.cloudfront.net']) {
    const response = await handler(viewerRequest({ uri: '/auth', host, headers: { authorization: `Bearer ${idToken()}` } }));
    const gold = tierCookies(setCookies(response), '/premium/');
    const policy = Buffer.from(gold.policy.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64').toString();
    assert.equal(policy, policyFor('/premium/', expectedExpiry, host));
  }
});
