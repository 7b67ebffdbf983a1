// The redirect flow's edge side, without a provider on the other end: what a refused browser
// is sent to, what the flow cookie holds (opened here with the session secret), and every
// malformed or hostile callback, each answered with a page that mints nothing and never
// loops. The whole flow against a real OpenID Provider is in oidc-provider.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import {
  BROWSER,
  CLIENT_ID,
  DOMAIN,
  ISSUER,
  NOW,
  SESSION_SECRET,
  body,
  config,
  cookieHeaderFor,
  cookieJar,
  harness,
  idToken,
  location,
  setCookies,
  signIn,
  viewerRequest,
} from './helpers.mjs';

const require = createRequire(import.meta.url);
const { unseal } = require('../src/seal.js');
const { MAX_FLOW_COOKIE } = require('../src/sign-in.js');

const IDP = 'https://idp.example.net';
const METADATA = {
  issuer: ISSUER,
  authorization_endpoint: `${IDP}/oauth2/authorize`,
  token_endpoint: `${IDP}/oauth2/token`,
  revocation_endpoint: `${IDP}/oauth2/revoke`,
  end_session_endpoint: `${IDP}/logout`,
  authorization_response_iss_parameter_supported: true,
};

/** A dev config with the redirect flow and no sign-in page of its own. */
function flowConfig(signInPatch = {}, patch = {}) {
  const base = config(patch);
  delete base.signInUrl;
  return {
    ...base,
    identityProvider: {
      ...base.identityProvider,
      signIn: { clientId: CLIENT_ID, scopes: ['email'], metadata: METADATA, ...signInPatch },
    },
  };
}

const KEYS = { current: Buffer.from(SESSION_SECRET, 'base64'), previous: null };
const browserGet = (uri, { cookie, querystring = '' } = {}) =>
  viewerRequest({ uri, querystring, headers: { accept: BROWSER, ...(cookie ? { cookie } : {}) } });

/** Starts a flow from a private path; returns the redirect, its parameters and the open flow cookie. */
async function begin(handler, uri = '/premium/a', querystring = 'x=1') {
  const response = await handler(browserGet(uri, { querystring }));
  assert.equal(response.status, '302');
  const to = new URL(location(response));
  const [line] = setCookies(response);
  const [name, value] = line.split(';')[0].split(/=(.*)/s);
  const flow = unseal(KEYS, 'flow', value, MAX_FLOW_COOKIE);
  return { response, to, params: to.searchParams, line, name, value, flow, cookie: `${name}=${value}` };
}

const callback = (handler, query, cookie) =>
  handler(viewerRequest({ uri: '/auth/callback', querystring: new URLSearchParams(query).toString(), headers: { accept: BROWSER, ...(cookie ? { cookie } : {}) } }));

/** A token endpoint that answers any code with a valid ID token for the nonce it is told. */
function tokenEndpoint() {
  const endpoint = {
    nonce: '',
    requests: 0,
    fetch: async () => {
      endpoint.requests += 1;
      const id_token = idToken({ claims: { nonce: endpoint.nonce, aud: CLIENT_ID } });
      return Response.json({ access_token: 'at', token_type: 'Bearer', expires_in: 3600, id_token });
    },
  };
  return endpoint;
}

/** A whole sign-in begun at `uri?querystring`: the callback's answer, and the flow begun. */
async function signInFrom(handler, endpoint, uri, querystring) {
  const started = await begin(handler, uri, querystring);
  endpoint.nonce = started.params.get('nonce');
  const response = await callback(handler, { code: 'c', state: started.flow.s, iss: ISSUER }, started.cookie);
  return { started, response };
}

/** A refusal page: HTML, the kind asked for, nothing minted, no redirect. */
function assertPage(response, status, kind) {
  assert.equal(response.status, String(status));
  assert.match(response.headers['content-type'][0].value, /^text\/html/);
  assert.match(response.body, new RegExp(`data-page="${kind}"`));
  assert.equal(response.headers.location, undefined);
  for (const line of setCookies(response)) assert.match(line, /^__Host-edge-auth-flow-[^=]+=;/, `only flow cookies expire: ${line}`);
}

test('a refused browser goes to the provider with PKCE S256, state, nonce and the exact callback', async () => {
  const { handler, logs } = harness(flowConfig());
  const { to, params, line, flow } = await begin(handler);
  assert.equal(`${to.origin}${to.pathname}`, METADATA.authorization_endpoint);
  assert.equal(params.get('response_type'), 'code');
  assert.equal(params.get('client_id'), CLIENT_ID);
  assert.equal(params.get('redirect_uri'), `https://${DOMAIN}/auth/callback`);
  assert.equal(params.get('scope'), 'openid email');
  assert.equal(params.get('code_challenge_method'), 'S256');
  // The challenge is the verifier's SHA-256, and state and nonce are what the cookie keeps.
  assert.equal(params.get('code_challenge'), crypto.createHash('sha256').update(flow.v).digest('base64url'));
  assert.equal(params.get('state'), flow.s);
  assert.equal(params.get('nonce'), flow.n);
  assert.equal(flow.r, '/premium/a?x=1');
  assert.ok(flow.s.length >= 32 && flow.n.length >= 32 && flow.v.length >= 43);
  // Nothing secret in the URL beyond state, nonce and challenge; the verifier never leaves.
  assert.ok(!to.href.includes(flow.v));
  assert.match(line, /^__Host-edge-auth-flow-[A-Za-z0-9_-]{16}=/);
  assert.match(line, /; Path=\/; Max-Age=300; Secure; HttpOnly; SameSite=Lax$/);
  assert.ok(!/Domain=/.test(line));
  assert.equal(logs.at(-1).redirect, 'identity-provider');
  assert.ok(!JSON.stringify(logs).includes(flow.s) && !JSON.stringify(logs).includes(flow.v));
});

test('two tabs signing in at once each keep their own flow cookie', async () => {
  const { handler } = harness(flowConfig());
  const a = await begin(handler, '/premium/a');
  const b = await begin(handler, '/videos/b');
  assert.notEqual(a.name, b.name);
  assert.notEqual(a.flow.s, b.flow.s);
  assert.equal(b.flow.r, '/videos/b?x=1');
});

test('a browser piling up abandoned sign-ins drops the old flow cookies', async () => {
  const { handler } = harness(flowConfig());
  const flows = [];
  for (let i = 0; i < 4; i++) flows.push((await begin(handler)).cookie);
  const response = await handler(browserGet('/premium/a', { cookie: flows.join('; ') }));
  const lines = setCookies(response);
  assert.equal(lines.filter((l) => /Max-Age=0/.test(l)).length, 4);
  assert.equal(lines.filter((l) => /Max-Age=300/.test(l)).length, 1);
});

test('an API client is told 401, never redirected to a login page', async () => {
  const { handler } = harness(flowConfig());
  const response = await handler(viewerRequest({ uri: '/premium/a' }));
  assert.equal(response.status, '401');
  assert.equal(body(response).reason, 'missing');
});

test('a custom signInUrl still wins over the provider page', async () => {
  const cfg = flowConfig();
  cfg.signInUrl = '/signin.html';
  const { handler } = harness(cfg);
  const response = await handler(browserGet('/premium/a'));
  assert.equal(location(response), '/signin.html?redirect=%2Fpremium%2Fa&reason=missing');
});

test('/auth/login starts a flow, with prompt=login for another account; hostile parameters are refused', async () => {
  const { handler } = harness(flowConfig());
  const ok = await handler(viewerRequest({ uri: '/auth/login', querystring: 'redirect=%2Fvideos%2Fx&prompt=login' }));
  assert.equal(ok.status, '302');
  const to = new URL(location(ok));
  assert.equal(to.searchParams.get('prompt'), 'login');
  for (const querystring of ['redirect=//evil.example', 'redirect=https://evil.example/', 'prompt=none', 'prompt=login&prompt=login', 'redirect=/x&redirect=/y']) {
    const refused = await handler(viewerRequest({ uri: '/auth/login', querystring }));
    assert.equal(refused.status, '400', querystring);
    assert.equal(refused.headers.location, undefined);
  }
  assert.equal((await handler(viewerRequest({ uri: '/auth/login', method: 'POST' }))).status, '405');
});

test('a callback without state, without its flow cookie or with a forged one mints nothing', async () => {
  const { handler, clock } = harness(flowConfig());
  const started = await begin(handler);
  const code = 'abc';
  // No state at all, or two.
  assertPage(await callback(handler, { code }, started.cookie), 400, 'sign-in-no-state');
  assertPage(await callback(handler, `code=x&state=${started.flow.s}&state=${started.flow.s}`, started.cookie), 400, 'sign-in-no-state');
  // A browser without the cookie (another browser, or the callback replayed after use).
  assertPage(await callback(handler, { code, state: started.flow.s }), 400, 'sign-in-no-flow');
  // A state whose cookie this browser does not have.
  assertPage(await callback(handler, { code, state: `${started.flow.s}x` }, started.cookie), 400, 'sign-in-no-flow');
  // The cookie renamed to another state's name: found, opened, and its state compared.
  const other = 'forged-state-value-0123456789abcdef';
  const otherName = `__Host-edge-auth-flow-${crypto.createHash('sha256').update(other).digest('base64url').slice(0, 16)}`;
  const mismatch = await callback(handler, { code, state: other }, `${otherName}=${started.value}`);
  assertPage(mismatch, 400, 'sign-in-state-mismatch');
  assert.match(setCookies(mismatch)[0], new RegExp(`^${otherName}=;.*Max-Age=0`));
  // A tampered cookie value.
  const raw = Buffer.from(started.value, 'base64url');
  raw[raw.length - 3] ^= 1;
  assertPage(await callback(handler, { code, state: started.flow.s }, `${started.name}=${raw.toString('base64url')}`), 400, 'sign-in-flow-invalid');
  // Expired: the cookie's five minutes are over (whatever the browser kept).
  clock.now = NOW + 301 * 1000;
  assertPage(await callback(handler, { code, state: started.flow.s }, started.cookie), 400, 'sign-in-flow-expired');
  assertPage(await callback(handler, { code, state: 'x'.repeat(5000) }, started.cookie), 400, 'sign-in-callback-too-long');
  assert.equal((await handler(viewerRequest({ uri: '/auth/callback', method: 'POST' }))).status, '405');
});

test('an error answer (access_denied) is a page with a way to try again, never a redirect loop', async () => {
  const { handler, logs } = harness(flowConfig());
  const started = await begin(handler);
  const response = await callback(handler, { error: 'access_denied', state: started.flow.s, iss: ISSUER }, started.cookie);
  assertPage(response, 403, 'sign-in-idp-refused');
  assert.match(response.body, /href="\/auth\/login\?redirect=%2Fpremium%2Fa%3Fx%3D1"/);
  assert.equal(logs.at(-1).idpError, 'access_denied');
  // An error with someone else's state is no answer to this flow at all.
  const started2 = await begin(handler);
  assertPage(await callback(handler, { error: 'access_denied', state: 'other' }, started2.cookie), 400, 'sign-in-no-flow');
});

test('an answer from another issuer (mix-up, RFC 9207) or without iss is refused before any token request', async () => {
  let requests = 0;
  const fetch = async () => {
    requests += 1;
    throw new Error('no token request expected');
  };
  const { handler } = harness(flowConfig(), { fetch });
  for (const iss of ['https://evil.example', undefined]) {
    const started = await begin(handler);
    const query = { code: 'c', state: started.flow.s, ...(iss ? { iss } : {}) };
    assertPage(await callback(handler, query, started.cookie), 400, 'sign-in-invalid-response');
  }
  assert.equal(requests, 0);
});

test('a malformed callback (two codes, an empty code, none) is a 400 page, not the provider being down', async () => {
  let requests = 0;
  const fetch = async () => {
    requests += 1;
    throw new Error('no token request expected');
  };
  const { handler, logs } = harness(flowConfig(), { fetch });
  for (const codes of [['c', 'd'], [''], []]) {
    const started = await begin(handler);
    const query = [...codes.map((c) => `code=${c}`), `state=${started.flow.s}`, `iss=${encodeURIComponent(ISSUER)}`].join('&');
    const response = await callback(handler, query, started.cookie);
    assertPage(response, 400, 'sign-in-invalid-response');
    assert.equal(response.headers['retry-after'], undefined);
    assert.equal(logs.at(-1).reason, 'invalid-response');
    assert.match(logs.at(-1).error, /^OperationProcessingError: /);
  }
  assert.equal(requests, 0);
});

test('a token endpoint that fails or hangs gives a 503 page with Retry-After, and the log names the step', async () => {
  const attempts = [
    async () => new Response('busy', { status: 503 }),
    async () => {
      throw new TypeError('fetch failed');
    },
    // Hangs until oauth4webapi's signal (our timeout) aborts it.
    (url, init) =>
      new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason), { once: true })),
  ];
  for (const fetch of attempts) {
    const { handler, logs } = harness(flowConfig(), { fetch });
    const started = await begin(handler);
    const response = await callback(handler, { code: 'c', state: started.flow.s, iss: ISSUER }, started.cookie);
    assertPage(response, 503, 'sign-in-unavailable');
    assert.equal(response.headers['retry-after'][0].value, '5');
    assert.equal(logs.at(-1).reason, 'idp-unavailable');
    assert.equal(logs.at(-1).step, 'token-endpoint');
  }
});

test('a token endpoint answering invalid_grant (a used or forged code) is a page, not a mint', async () => {
  const fetch = async () => Response.json({ error: 'invalid_grant' }, { status: 400 });
  const { handler, logs } = harness(flowConfig(), { fetch });
  const started = await begin(handler);
  assertPage(await callback(handler, { code: 'used', state: started.flow.s, iss: ISSUER }, started.cookie), 400, 'sign-in-invalid-grant');
  assert.equal(logs.at(-1).idpError, 'invalid_grant');
});

test('a confidential client without the secret\'s clientSecret says so instead of calling the provider', async () => {
  let requests = 0;
  const fetch = async () => {
    requests += 1;
    return new Response('{}');
  };
  const { handler } = harness(flowConfig({ clientAuthentication: 'client_secret_basic' }), { fetch });
  const started = await begin(handler);
  assertPage(await callback(handler, { code: 'c', state: started.flow.s, iss: ISSUER }, started.cookie), 400, 'sign-in-client-secret-missing');
  assert.equal(requests, 0);
});

test('/auth/session says whether this browser is signed in, and to what', async () => {
  const { handler } = harness(flowConfig());
  const anonymous = await handler(viewerRequest({ uri: '/auth/session' }));
  assert.deepEqual(body(anonymous), { signedIn: false, tiers: [], expiresAt: null });
  const minted = await signIn(handler, { token: idToken({ claims: { 'cognito:groups': ['silver'] } }) });
  const session = cookieJar(setCookies(minted))['__Host-edge-auth-session|/'].value;
  const signedIn = await handler(viewerRequest({ uri: '/auth/session', headers: { cookie: `__Host-edge-auth-session=${session}` } }));
  assert.deepEqual(body(signedIn).tiers, ['silver']);
  assert.equal(body(signedIn).signedIn, true);
  assert.equal(signedIn.headers['cache-control'][0].value, 'no-store');
  const forged = await handler(viewerRequest({ uri: '/auth/session', headers: { cookie: `__Host-edge-auth-session=v2.${'A'.repeat(80)}` } }));
  assert.equal(body(forged).signedIn, false);
});

test('sign-out ends the provider session too: a browser goes to its logout endpoint', async () => {
  for (const [logout, expected] of [
    ['end-session', `${IDP}/logout?client_id=${CLIENT_ID}&post_logout_redirect_uri=${encodeURIComponent(`https://${DOMAIN}/`)}`],
    ['cognito', `${IDP}/logout?client_id=${CLIENT_ID}&logout_uri=${encodeURIComponent(`https://${DOMAIN}/`)}`],
  ]) {
    const { handler, logs } = harness(flowConfig({ logout }));
    const response = await handler(browserGet('/auth/logout'));
    assert.equal(response.status, '302');
    assert.equal(location(response), expected);
    assert.ok(setCookies(response).some((l) => l.startsWith('__Host-edge-auth-session=;')));
    assert.equal(logs.at(-1).redirect, 'identity-provider');
  }
  // `local` ends only our cookies: a browser goes home, an API client (POST) is answered here.
  const { handler } = harness(flowConfig({ logout: 'local' }));
  assert.equal(location(await handler(browserGet('/auth/logout'))), `https://${DOMAIN}/`);
  const api = await handler(viewerRequest({ uri: '/auth/logout', method: 'POST' }));
  assert.deepEqual(body(api), { loggedOut: true });
});

test('a tier\'s own pages are always allowed redirect targets; other paths need allowedRedirectPaths', async () => {
  const { handler } = harness(flowConfig({}, { allowedRedirectPaths: ['/home'] }));
  const tier = await handler(viewerRequest({ uri: '/auth/login', querystring: 'redirect=%2Fpremium%2Fx' }));
  assert.equal(tier.status, '302');
  const other = await handler(viewerRequest({ uri: '/auth/login', querystring: 'redirect=%2Fother' }));
  assert.equal(other.status, '400');
  // Without a redirect, home.
  const home = await begin(handler, '/premium/y', '');
  assert.equal(home.flow.r, '/premium/y');
});

test('a query with an encoded slash is kept on the way back; in the path it is still refused', async () => {
  const endpoint = tokenEndpoint();
  const { handler } = harness(flowConfig(), { fetch: endpoint.fetch });
  for (const query of ['path=season1%2Fep2', 'src=https%3A%2F%2Fcdn.example.org%2Fa.vtt', 'p=a%5Cb']) {
    const { response } = await signInFrom(handler, endpoint, '/premium/player.html', query);
    assert.equal(response.status, '302', query);
    assert.equal(location(response), `https://${DOMAIN}/premium/player.html?${query}`);
    const login = await handler(viewerRequest({ uri: '/auth/login', querystring: new URLSearchParams({ redirect: `/premium/player.html?${query}` }).toString() }));
    assert.equal(login.status, '302', query);
    assert.equal(unseal(KEYS, 'flow', setCookies(login).at(-1).split(';')[0].split(/=(.*)/s)[1], 1024).r, `/premium/player.html?${query}`);
  }
  // The same bytes in the path, or control characters anywhere, are refused as before.
  for (const target of ['/premium/%2F%2Fevil.example', '/premium/a%5Cb', '/premium/a?x=%0d%0aSet-Cookie:a=b', '/premium/a?x=\t']) {
    const login = await handler(viewerRequest({ uri: '/auth/login', querystring: new URLSearchParams({ redirect: target }).toString() }));
    assert.equal(login.status, '400', target);
    assert.equal(body(login).reason, 'unsafe-redirect');
  }
});

test('a deep link too long for the flow cookie still signs in: back without its query, else to its tier', async () => {
  const endpoint = tokenEndpoint();
  const { handler } = harness(flowConfig(), { fetch: endpoint.fetch });
  const cases = [
    // [path, query, where the callback sends the viewer]
    ['/premium/movie.mp4', `utm=${'a'.repeat(100)}`, `/premium/movie.mp4?utm=${'a'.repeat(100)}`],
    ['/premium/movie.mp4', `utm=${'a'.repeat(700)}`, '/premium/movie.mp4'],
    ['/premium/movie.mp4', `utm=${'a'.repeat(3000)}`, '/premium/movie.mp4'],
    [`/premium/${'b'.repeat(2000)}`, 'x=1', '/premium/'],
  ];
  for (const [uri, query, back] of cases) {
    const { started, response } = await signInFrom(handler, endpoint, uri, query);
    // The cookie begin sets is one the callback opens: the same cap.
    assert.ok(started.value.length <= MAX_FLOW_COOKIE, `${started.value.length} characters`);
    assert.equal(started.flow.r, back);
    assert.equal(response.status, '302', `${uri.length} + ${query.length}`);
    assert.equal(location(response), `https://${DOMAIN}${back}`);
    assert.ok(setCookies(response).some((l) => l.startsWith('CloudFront-Policy=')));
  }
});

test('a refused refresh signs out only a request whose cookies no longer verify (with rotation, another request may have won)', async () => {
  let refreshes = 0;
  let nonce = '';
  const fetch = async (url, init) => {
    if (new URLSearchParams(String(init.body)).get('grant_type') === 'refresh_token') {
      refreshes += 1;
      // What a rotating provider answers the second use of a refresh token.
      return Response.json({ error: 'invalid_grant', error_description: 'refresh token already used' }, { status: 400 });
    }
    const id_token = idToken({ claims: { nonce, aud: CLIENT_ID } });
    return Response.json({ access_token: 'at', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt-1', id_token });
  };
  const { handler, clock, logs } = harness(flowConfig({ recheckSeconds: 900 }), { fetch });
  const started = await begin(handler);
  nonce = started.params.get('nonce');
  const signedIn = await callback(handler, { code: 'c', state: started.flow.s, iss: ISSUER }, started.cookie);
  assert.equal(signedIn.status, '302');
  const cookie = cookieHeaderFor(cookieJar(setCookies(signedIn)), '/premium/');
  // 12 minutes in: the cookies (minted to expire at the 15-minute recheck) still verify, and
  // are due for a re-mint, which must first refresh.
  clock.now = NOW + 12 * 60 * 1000;
  for (const accept of [BROWSER, 'application/json']) {
    const overlapping = await handler(viewerRequest({ uri: '/premium/a', headers: { accept, cookie } }));
    assert.equal(overlapping.status, undefined, 'passed on to CloudFront');
    assert.equal(overlapping.uri, '/premium/a');
    assert.equal(overlapping.headers['set-cookie'], undefined);
    assert.deepEqual(
      { outcome: logs.at(-1).outcome, remint: logs.at(-1).remint, idpError: logs.at(-1).idpError },
      { outcome: 'pass', remint: 'recheck-refused', idpError: 'invalid_grant' },
    );
  }
  assert.equal(refreshes, 2);
  // /auth is asked for new cookies: it signs out, as before.
  const auth = await handler(viewerRequest({ uri: '/auth', headers: { accept: BROWSER, cookie } }));
  assert.equal(auth.status, '302');
  assert.ok(setCookies(auth).some((l) => /^__Host-edge-auth-session=;/.test(l)));
  assert.equal(logs.at(-1).reason, 'session-ended');
  // Once the cookies no longer verify, the same refusal signs the viewer out.
  clock.now = NOW + 15 * 60 * 1000 + 1000;
  const expired = await handler(viewerRequest({ uri: '/premium/a', headers: { accept: BROWSER, cookie } }));
  assert.equal(expired.status, '302');
  assert.ok(location(expired).startsWith(METADATA.authorization_endpoint));
  assert.ok(setCookies(expired).some((l) => /^__Host-edge-auth-session=;/.test(l)));
  assert.ok(setCookies(expired).some((l) => /^CloudFront-Policy=; Path=\/premium\//.test(l)));
  assert.equal(logs.at(-1).reason, 'session-ended');
  assert.equal(logs.at(-1).idpError, 'invalid_grant');
});
