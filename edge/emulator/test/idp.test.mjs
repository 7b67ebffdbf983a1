// The demo identity provider (../idp), driven as the edge drives an OpenID Provider:
// oauth4webapi for the protocol steps, plain fetch with a hand-carried cookie jar for the
// browser's part (the login form, the sign-out confirmation). One IdP for the file; each test
// signs in with its own cookie jar (its own browser).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import * as oauth from 'oauth4webapi';
import { startIdp, demoClients, DEMO_USERS, DEMO_CLIENT_IDS } from '../idp/launch.js';

const ORIGIN = 'https://localhost:8443';
const REDIRECT_URI = `${ORIGIN}/auth/callback`;
const INSECURE = { [oauth.allowInsecureRequests]: true }; // the IdP is http on loopback
const USERS = [
  ...DEMO_USERS,
  { username: 'carol', password: 'Carol-test-1', groups: ['staff'] },
  { username: 'dave', password: 'Dave-test-1', groups: [] },
];

let idp;
let as;
const logLines = [];
/** @type {Record<'none'|'client_secret_basic'|'client_secret_post', {client: oauth.Client, auth: oauth.ClientAuth}>} */
const rp = {};

before(async () => {
  const clients = demoClients(ORIGIN);
  idp = await startIdp({ users: USERS, clients, onLog: (line) => logLines.push(line) });
  as = await oauth.processDiscoveryResponse(new URL(idp.issuer), await oauth.discoveryRequest(new URL(idp.issuer), INSECURE));
  for (const c of clients) {
    const auth = { none: oauth.None, client_secret_basic: oauth.ClientSecretBasic, client_secret_post: oauth.ClientSecretPost }[c.token_endpoint_auth_method];
    rp[c.token_endpoint_auth_method] = { client: { client_id: c.client_id }, auth: auth(c.client_secret) };
  }
});
after(() => idp?.stop());

/** A browser's cookies for the IdP: name -> {value, path}, sent where the path matches. */
class CookieJar {
  #cookies = new Map();
  header(url) {
    const { pathname } = new URL(url);
    return [...this.#cookies].filter(([, c]) => pathname.startsWith(c.path)).map(([n, c]) => `${n}=${c.value}`).join('; ');
  }
  store(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((s) => s.trim());
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      const path = attributes.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      const expired = attributes.some((a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) <= Date.now()));
      if (expired || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, { value, path });
    }
  }
  has(name) {
    return this.#cookies.has(name);
  }
}

/** One browser request to the IdP, redirects not followed. */
async function browse(jar, url, { method = 'GET', form } = {}) {
  const headers = { cookie: jar.header(url), accept: 'text/html' };
  if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
  const response = await fetch(url, { method, headers, body: form && new URLSearchParams(form), redirect: 'manual' });
  jar.store(response);
  const location = response.headers.get('location');
  return { status: response.status, location: location && new URL(location, url).href, text: await response.text() };
}

/**
 * Follows the IdP's own redirects and its self-submitting forms (oidc-provider's form_post
 * page, which a browser submits with script: e.g. ending the old session when another account
 * signs in); stops at any other page, or at a redirect that leaves the IdP.
 */
async function follow(jar, url, options) {
  let step = await browse(jar, url, options);
  for (;;) {
    if (step.location?.startsWith(idp.issuer)) {
      step = await browse(jar, step.location);
    } else if (step.status === 200 && step.text.includes('document.forms[0].submit()')) {
      const action = /<form method="post" action="([^"]+)"/.exec(step.text)[1];
      const form = Object.fromEntries([...step.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)].map((m) => [m[1], m[2]]));
      step = await browse(jar, action, { method: 'POST', form });
    } else {
      return step;
    }
  }
}

const formAction = (page, base) => new URL(/<form method="post" action="([^"]+)"/.exec(page)[1], base).href;
const isLoginForm = (text) => text.includes('<h1>Demo identity provider</h1>') && text.includes('name="password"');

/**
 * The authorization request the edge makes (PKCE S256, state, nonce) up to the redirect back to
 * the site; signs in on the login form when one is shown.
 */
async function authorize({ method = 'none', jar = new CookieJar(), user, password, params = {}, redirectUri = REDIRECT_URI }) {
  const { client } = rp[method];
  const flow = { verifier: oauth.generateRandomCodeVerifier(), state: oauth.generateRandomState(), nonce: oauth.generateRandomNonce() };
  const url = new URL(as.authorization_endpoint);
  const query = {
    client_id: client.client_id,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid',
    state: flow.state,
    nonce: flow.nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(flow.verifier),
    code_challenge_method: 'S256',
    ...params,
  };
  // `params` can take a parameter away by setting it to undefined.
  url.search = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined));
  let step = await follow(jar, url.href);
  const sawLoginForm = step.status === 200 && isLoginForm(step.text);
  if (sawLoginForm && user) {
    const name = typeof user === 'string' ? user : user.username;
    step = await follow(jar, formAction(step.text, step.location ?? url.href), {
      method: 'POST',
      form: { username: name, password: password ?? USERS.find((u) => u.username === name).password },
    });
  }
  return { ...flow, jar, step, sawLoginForm, callback: step.location?.startsWith(redirectUri) ? new URL(step.location) : null };
}

/** Signs in through the login form and exchanges the code: the edge's /auth/callback. */
async function signIn(method, user, options = {}) {
  const flow = await authorize({ method, user, ...options });
  assert.ok(flow.callback, `expected a redirect to the callback, got ${flow.step.status}: ${flow.step.text.slice(-600)}`);
  const { client, auth } = rp[method];
  const params = oauth.validateAuthResponse(as, client, flow.callback, flow.state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT_URI, flow.verifier, INSECURE);
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: flow.nonce, requireIdToken: true });
  return { ...flow, tokens, claims: oauth.getValidatedIdTokenClaims(tokens) };
}

async function refresh(method, refreshToken) {
  const { client, auth } = rp[method];
  const response = await oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, INSECURE);
  const tokens = await oauth.processRefreshTokenResponse(as, client, response);
  return { tokens, claims: oauth.getValidatedIdTokenClaims(tokens) };
}

/** Asserts that a promise fails with an OAuth error response of this `error` code. */
async function rejectsWith(promise, error, status = 400) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof oauth.ResponseBodyError, `expected an OAuth error response, got ${e}`);
    assert.equal(e.error, error);
    assert.equal(e.status, status);
    return true;
  });
}

/** Checks the JWS signature against the IdP's JWKS with node:crypto; returns the header. */
async function verifiedHeader(idToken) {
  const [h, p, s] = idToken.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  const { keys } = await (await fetch(as.jwks_uri)).json();
  const jwk = keys.find((k) => k.kid === header.kid);
  assert.ok(jwk, 'the kid names a key of the JWKS');
  const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
  assert.ok(crypto.verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url')), 'signature verifies');
  return header;
}

describe('discovery', () => {
  test('advertises what the edge relies on', () => {
    const d = idp.discovery;
    assert.equal(d.issuer, idp.issuer);
    assert.match(idp.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(d.authorization_response_iss_parameter_supported, true);
    assert.deepEqual(d.id_token_signing_alg_values_supported, ['RS256']);
    assert.deepEqual(d.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(d.response_types_supported, ['code']);
    assert.equal(d.revocation_endpoint, `${idp.issuer}/token/revocation`);
    assert.equal(d.end_session_endpoint, `${idp.issuer}/session/end`);
    for (const m of ['none', 'client_secret_basic', 'client_secret_post']) assert.ok(d.token_endpoint_auth_methods_supported.includes(m), m);
    assert.ok(d.claims_supported.includes('groups'));
  });
});

describe('authorization code flow with PKCE', () => {
  for (const [method, user, groups] of [
    ['none', 'basic', []],
    ['client_secret_basic', 'premium', ['premium']],
    ['client_secret_post', 'carol', ['staff']],
  ]) {
    test(`${method} client signs ${user} in and gets an RS256 ID token with groups, nonce and a refresh token`, async () => {
      const { callback, claims, tokens, nonce, sawLoginForm } = await signIn(method, user);
      assert.equal(sawLoginForm, true);
      assert.equal(callback.searchParams.get('iss'), idp.issuer, 'RFC 9207 iss in the authorization response');
      assert.equal(claims.aud, DEMO_CLIENT_IDS[method]);
      assert.equal(claims.nonce, nonce);
      assert.deepEqual(claims.groups, groups);
      assert.equal(claims.sub, (await idp.stats()).users.find((u) => u.username === user).sub);
      assert.notEqual(claims.sub, user);
      assert.equal(typeof tokens.refresh_token, 'string');
      const header = await verifiedHeader(tokens.id_token);
      assert.equal(header.alg, 'RS256');
      assert.equal(header.kid, idp.kid);
    });
  }

  test('a live IdP session signs in again without the form, prompt=login shows it anyway', async () => {
    const first = await signIn('none', 'basic');
    const again = await authorize({ jar: first.jar });
    assert.equal(again.sawLoginForm, false);
    assert.ok(again.callback?.searchParams.get('code'));
    const forced = await authorize({ jar: first.jar, params: { prompt: 'login' } });
    assert.equal(forced.sawLoginForm, true);
  });
});

describe('switching accounts', () => {
  for (const prompt of ['login', 'select_account']) {
    test(`prompt=${prompt} with a live session lets another user sign in`, async () => {
      const first = await signIn('none', 'basic');
      const second = await signIn('none', 'premium', { jar: first.jar, params: { prompt } });
      assert.equal(second.sawLoginForm, true);
      assert.notEqual(second.claims.sub, first.claims.sub);
      assert.deepEqual(second.claims.groups, ['premium']);
    });
  }
});

describe('control channel', () => {
  test('counts requests per endpoint', async () => {
    await idp.resetStats();
    const { tokens } = await signIn('client_secret_basic', 'premium');
    await refresh('client_secret_basic', tokens.refresh_token);
    const { requests, refreshTokensRevoked } = await idp.stats();
    assert.equal(requests.authorization, 1);
    assert.equal(requests.interaction, 2, 'the form, then its post');
    assert.equal(requests.token, 2, 'the code exchange and the refresh');
    assert.equal(requests.discovery, 0);
    assert.equal(requests.revocation, 0);
    assert.equal(requests.end_session, 0);
    assert.equal(refreshTokensRevoked, 0);
  });

  test('the request log carries no query string, code or token', async () => {
    const { tokens, callback } = await signIn('none', 'basic');
    const logged = JSON.stringify(logLines);
    assert.ok(logLines.some((l) => l.path === '/auth' && l.status === 303));
    assert.ok(logLines.every((l) => !l.path.includes('?')));
    for (const secret of [tokens.refresh_token, tokens.access_token, callback.searchParams.get('code'), 'Basic-demo-1']) assert.equal(logged.includes(secret), false);
  });

  test('setClock moves the IdP clock: ID tokens are issued at the moved time', async (t) => {
    await idp.setClock(3600_000);
    t.after(() => idp.setClock(0));
    const { claims } = await signIn('none', 'basic');
    assert.ok(Math.abs(claims.iat - (Math.floor(Date.now() / 1000) + 3600)) <= 5, `iat ${claims.iat}`);
  });

  test('a command the IdP refuses rejects with its reason', async () => {
    await assert.rejects(idp.setGroups('nobody', []), /demo IdP: unknown user: nobody/);
    await assert.rejects(idp.setTokenEndpoint('sideways'), /mode: one of up, down, slow/);
  });
});

describe('refresh', () => {
  test('the refreshed ID token carries the groups of the moment', async () => {
    const { tokens } = await signIn('client_secret_basic', 'dave');
    await idp.setGroups('dave', ['premium', 'beta']);
    const refreshed = await refresh('client_secret_basic', tokens.refresh_token);
    assert.deepEqual(refreshed.claims.groups, ['premium', 'beta']);
    await idp.setGroups('dave', []);
    assert.deepEqual((await refresh('client_secret_basic', tokens.refresh_token)).claims.groups, []);
  });

  test('a disabled user cannot refresh (invalid_grant) nor sign in', async (t) => {
    const { tokens, jar } = await signIn('client_secret_post', 'carol');
    await idp.setDisabled('carol', true);
    t.after(() => idp.setDisabled('carol', false));
    await rejectsWith(refresh('client_secret_post', tokens.refresh_token), 'invalid_grant');
    // The live session of a disabled user asks for a sign-in, which the form refuses.
    const flow = await authorize({ method: 'client_secret_post', jar, user: 'carol' });
    assert.equal(flow.sawLoginForm, true);
    assert.equal(flow.callback, null);
    assert.match(flow.step.text, /Incorrect username or password\./);
  });

  test('a revoked refresh token is refused (RFC 7009)', async () => {
    const before = await idp.stats();
    const { client, auth } = rp.client_secret_basic;
    const { tokens } = await signIn('client_secret_basic', 'premium');
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, tokens.refresh_token, INSECURE));
    await rejectsWith(refresh('client_secret_basic', tokens.refresh_token), 'invalid_grant');
    const after = await idp.stats();
    assert.equal(after.refreshTokensRevoked - before.refreshTokensRevoked, 1);
    assert.equal(after.requests.revocation - before.requests.revocation, 1);
  });
});

describe('login form', () => {
  test('a wrong password shows the form again with an error, and no code', async () => {
    const flow = await authorize({ user: 'basic', password: 'not-the-password' });
    assert.equal(flow.step.status, 200);
    assert.equal(flow.callback, null);
    assert.ok(isLoginForm(flow.step.text));
    assert.match(flow.step.text, /Incorrect username or password\./);
    assert.match(flow.step.text, /<button type="submit">/);
    assert.equal(flow.jar.has('_session'), false);
  });

  test('an unknown user gets the same answer', async () => {
    const flow = await authorize({ user: 'nobody', password: 'x' });
    assert.equal(flow.callback, null);
    assert.match(flow.step.text, /Incorrect username or password\./);
  });
});

describe('RP-initiated logout', () => {
  test('after end_session the next authorization request shows the login form', async () => {
    const { jar } = await signIn('none', 'basic');
    const before = await idp.stats();
    const url = new URL(as.end_session_endpoint);
    url.search = new URLSearchParams({ client_id: DEMO_CLIENT_IDS.none, post_logout_redirect_uri: `${ORIGIN}/` });
    const confirm = await browse(jar, url.href);
    assert.equal(confirm.status, 200);
    assert.match(confirm.text, /<button type="submit" form="op.logoutForm" name="logout" value="yes"[^>]*>Sign out<\/button>/);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.text)[1];
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(confirm.text)[1];
    const done = await browse(jar, new URL(action, url).href, { method: 'POST', form: { xsrf, logout: 'yes' } });
    assert.equal(done.status, 303);
    assert.equal(done.location, `${ORIGIN}/`);
    assert.equal(jar.has('_session'), false);
    assert.equal((await idp.stats()).requests.end_session - before.requests.end_session, 1);
    const next = await authorize({ jar });
    assert.equal(next.sawLoginForm, true);
    assert.equal(next.callback, null);
  });

  test('a post_logout_redirect_uri that is not registered is refused with an error page', async () => {
    const url = new URL(as.end_session_endpoint);
    url.search = new URLSearchParams({ client_id: DEMO_CLIENT_IDS.none, post_logout_redirect_uri: 'https://evil.example/' });
    const page = await browse(new CookieJar(), url.href);
    assert.equal(page.status, 400);
    assert.equal(page.location, null);
    assert.match(page.text, /post_logout_redirect_uri not registered/);
  });
});

describe('token endpoint modes', () => {
  test('down answers 503, and once up again the same code is exchanged', async (t) => {
    const flow = await authorize({ user: 'basic' });
    const { client, auth } = rp.none;
    const params = oauth.validateAuthResponse(as, client, flow.callback, flow.state);
    await idp.setTokenEndpoint('down');
    t.after(() => idp.setTokenEndpoint('up'));
    const down = await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT_URI, flow.verifier, INSECURE);
    assert.equal(down.status, 503);
    assert.equal((await down.json()).error, 'temporarily_unavailable');
    await idp.setTokenEndpoint('up');
    const up = await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT_URI, flow.verifier, INSECURE);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, up, { expectedNonce: flow.nonce });
    assert.equal(typeof tokens.id_token, 'string');
  });

  test('slow answers after the delay', async (t) => {
    const { tokens } = await signIn('client_secret_basic', 'premium');
    await idp.setTokenEndpoint('slow', { delayMs: 400 });
    t.after(() => idp.setTokenEndpoint('up'));
    const started = performance.now();
    await refresh('client_secret_basic', tokens.refresh_token);
    assert.ok(performance.now() - started >= 390, 'waited for the delay');
  });
});

describe('hostile input', () => {
  const exchange = async (flow, method, verifier = flow.verifier) => {
    const { client, auth } = rp[method];
    const params = oauth.validateAuthResponse(as, client, flow.callback, flow.state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT_URI, verifier, INSECURE);
    return oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: flow.nonce });
  };

  test('a wrong code_verifier is refused', async () => {
    const flow = await authorize({ user: 'basic' });
    await rejectsWith(exchange(flow, 'none', oauth.generateRandomCodeVerifier()), 'invalid_grant');
  });

  test('a code used twice is refused, and the tokens of its first use are revoked', async () => {
    const flow = await authorize({ method: 'client_secret_basic', user: 'premium' });
    const first = await exchange(flow, 'client_secret_basic');
    await rejectsWith(exchange(flow, 'client_secret_basic'), 'invalid_grant');
    // RFC 6749 4.1.2: the authorization server SHOULD revoke what the code already gave.
    await rejectsWith(refresh('client_secret_basic', first.refresh_token), 'invalid_grant');
  });

  test('a redirect_uri that is not registered gets an error page, no redirect', async () => {
    const flow = await authorize({ redirectUri: 'https://evil.example/auth/callback' });
    assert.equal(flow.step.status, 400);
    assert.equal(flow.step.location, null);
    assert.match(flow.step.text, /<code>invalid_redirect_uri<\/code>: redirect_uri did not match any of the client&#39;s registered redirect_uris/);
    assert.match(flow.step.text, /<h1>Demo identity provider<\/h1>/);
  });

  test('a request without PKCE is refused back at the callback (invalid_request)', async () => {
    const flow = await authorize({ method: 'client_secret_basic', params: { code_challenge: undefined, code_challenge_method: undefined } });
    assert.equal(flow.callback?.searchParams.get('error'), 'invalid_request');
    assert.match(flow.callback?.searchParams.get('error_description'), /requires PKCE/);
    assert.equal(flow.callback?.searchParams.get('code'), null);
    assert.equal(flow.callback?.searchParams.get('iss'), idp.issuer);
  });

  test('a confidential client with the wrong secret is refused (invalid_client)', async () => {
    const flow = await authorize({ method: 'client_secret_post', user: 'premium' });
    const { client } = rp.client_secret_post;
    const params = oauth.validateAuthResponse(as, client, flow.callback, flow.state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretPost('wrong'), params, REDIRECT_URI, flow.verifier, INSECURE);
    await rejectsWith(oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: flow.nonce }), 'invalid_client', 401);
  });
});

describe('process', () => {
  test('a bad configuration is refused with the reason', async () => {
    await assert.rejects(startIdp({ users: [{ username: 'x', password: '' }], clients: demoClients(ORIGIN) }), /demo IdP refused to start: users\[0\]\.password/);
  });

  test('the IdP exits with its parent (no orphan)', async () => {
    const script = `import { startIdp, demoClients } from ${JSON.stringify(new URL('../idp/launch.js', import.meta.url).href)};
      const idp = await startIdp({ clients: demoClients('https://localhost:8443') });
      console.log(idp.pid);`;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = Number(await new Promise((resolve) => parent.stdout.once('data', (d) => resolve(String(d).trim()))));
    assert.ok(alive(pid));
    parent.kill('SIGKILL'); // no exit handler runs: only the closed stdin pipe tells the IdP
    const deadline = performance.now() + 5000;
    while (alive(pid) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(alive(pid), false);
  });
});

/** Whether a process runs. A zombie counts as gone: once orphaned, the IdP is reaped by PID 1 whenever PID 1 gets to it. */
function alive(pid) {
  try {
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}
