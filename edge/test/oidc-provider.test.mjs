// The redirect flow end to end at the handler, against a real OpenID Provider (oidc-provider,
// edge/emulator/idp): a browser modelled with two cookie jars (one for the site, one for the
// provider) follows the handler's redirect to the provider's login form, signs in, and comes
// back through /auth/callback. Public and confidential clients, renewal that follows the
// provider's groups, a disabled user, sign-out with revocation, a replayed callback and a token
// endpoint that goes down and comes back.
//
// The handler's Date is mocked (helpers.mjs); the provider runs on real time, so every step
// first sets the handler's clock to the real time (plus any offset the test moves it by).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startIdp, demoClients, DEMO_CLIENT_IDS } from '../emulator/idp/launch.js';
import { BROWSER, DOMAIN, SESSION_SECRET, config, harness, viewerRequest, keys, KEY_ID } from './helpers.mjs';

const SITE = `https://${DOMAIN}`;
const USERS = [
  { username: 'goldie', password: 'Goldie-test-1', groups: ['gold'] },
  { username: 'sylvia', password: 'Sylvia-test-1', groups: ['silver'] },
  { username: 'nobody', password: 'Nobody-test-1', groups: [] },
];
const realNow = () => Math.round(performance.timeOrigin + performance.now());

let idp;
let clients;
before(async () => {
  clients = demoClients(SITE);
  idp = await startIdp({ users: USERS, clients });
});
after(() => idp?.stop());

/** A handler signing in as one of the provider's clients (public by default). */
function site({ method = 'none', clientSecret, recheckSeconds, provider = idp } = {}) {
  const d = provider.discovery;
  const cfg = config({
    signing: { dev: { keyPairId: KEY_ID, privateKey: keys.cloudfront.privatePem, sessionSecret: SESSION_SECRET, ...(method === 'none' ? {} : { clientSecret: clientSecret ?? clients.find((c) => c.token_endpoint_auth_method === method).client_secret }) } },
    identityProvider: {
      issuer: d.issuer,
      clientIds: [DEMO_CLIENT_IDS[method]],
      jwksUrl: d.jwks_uri,
      groupsClaim: 'groups',
      tokenUse: null,
      signIn: {
        clientId: DEMO_CLIENT_IDS[method],
        clientAuthentication: method,
        ...(recheckSeconds ? { recheckSeconds } : {}),
        metadata: Object.fromEntries(Object.entries(d).filter(([k]) => ['issuer', 'authorization_endpoint', 'token_endpoint', 'revocation_endpoint', 'end_session_endpoint', 'authorization_response_iss_parameter_supported'].includes(k))),
      },
    },
    allowedRedirectPaths: ['/'],
  });
  delete cfg.signInUrl;
  const h = harness(cfg, { start: realNow() });
  return { ...h, offsetMs: 0 };
}

/** A browser: a cookie jar per origin (keyed by name and path), Set-Cookie honoured. */
class Browser {
  jars = new Map();
  jar(url) {
    const { origin } = new URL(url);
    if (!this.jars.has(origin)) this.jars.set(origin, new Map());
    return this.jars.get(origin);
  }
  header(url) {
    const { pathname } = new URL(url);
    return [...this.jar(url).values()]
      .filter((c) => pathname.startsWith(c.path))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
  store(url, lines) {
    for (const line of lines) {
      const [pair, ...attributes] = line.split(';').map((s) => s.trim());
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const path = attributes.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      const key = `${name}|${path}`;
      if (value === '' || attributes.some((a) => /^max-age=0$/i.test(a))) this.jar(url).delete(key);
      else this.jar(url).set(key, { value, path, name });
    }
  }
  names(url) {
    return [...this.jar(url).values()].map((c) => c.name);
  }
}
/** One request to the handler, as CloudFront would pass it; the browser keeps its cookies. */
async function atSite(s, browser, url, { accept = BROWSER, method = 'GET' } = {}) {
  s.clock.now = realNow() + s.offsetMs;
  const u = new URL(url, SITE);
  const cookie = browser.header(u.href);
  const response = await s.handler(viewerRequest({ uri: u.pathname, method, querystring: u.search.slice(1), headers: { accept, ...(cookie ? { cookie } : {}) } }));
  if (response.headers?.['set-cookie']) browser.store(u.href, response.headers['set-cookie'].map((h) => h.value));
  return response;
}

/** One request to the provider (a fetch with the browser's provider cookies, no redirects followed). */
async function atIdp(browser, url, { form } = {}) {
  const headers = { accept: 'text/html', cookie: browser.header(url) };
  if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
  const response = await fetch(url, { method: form ? 'POST' : 'GET', headers, body: form && new URLSearchParams(form), redirect: 'manual' });
  browser.store(url, response.headers.getSetCookie());
  const location = response.headers.get('location');
  return { status: response.status, location: location && new URL(location, url).href, text: await response.text() };
}

const isLoginForm = (text) => text.includes('name="password"');
const formAction = (text, base) => new URL(/<form[^>]*\saction="([^"]+)"/.exec(text)[1].replace(/&amp;/g, '&'), base).href;
const hiddenFields = (text) => Object.fromEntries([...text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));

/**
 * From a URL at the provider, through its login form (when shown) and self-submitting pages,
 * to the redirect back to the site. Returns that URL, and whether credentials were asked.
 */
async function throughProvider(browser, url, user) {
  const { origin } = new URL(url);
  let step = await atIdp(browser, url);
  let askedCredentials = false;
  for (let hops = 0; hops < 20; hops++) {
    if (step.location && new URL(step.location).origin !== origin) return { back: step.location, askedCredentials };
    if (step.location) step = await atIdp(browser, step.location);
    else if (step.status === 200 && isLoginForm(step.text)) {
      askedCredentials = true;
      step = await atIdp(browser, formAction(step.text, url), { form: { username: user.username, password: user.password } });
    } else if (step.status === 200 && step.text.includes('document.forms[0].submit()')) {
      step = await atIdp(browser, formAction(step.text, url), { form: hiddenFields(step.text) });
    } else return { page: step, askedCredentials };
  }
  throw new Error('too many hops at the provider');
}

/** Opens a private deep link, signs in at the provider, and follows the callback. */
async function signIn(s, browser, user, deepLink = '/premium/a') {
  const refused = await atSite(s, browser, deepLink);
  assert.equal(refused.status, '302');
  const { back, askedCredentials } = await throughProvider(browser, refused.headers.location[0].value, user);
  assert.ok(back.startsWith(`${SITE}/auth/callback?`), back);
  const callback = await atSite(s, browser, back);
  return { callback, back, askedCredentials };
}

const statusOf = (r) => (r.status === undefined ? 'pass' : r.status);
const tokenRequests = async () => (await idp.stats()).requests.token;

describe('sign-in through the provider\'s login page', () => {
  for (const method of ['none', 'client_secret_basic', 'client_secret_post']) {
    test(`${method}: deep link -> login form -> back on the deep link with the user's tiers`, async () => {
      const s = site({ method });
      const browser = new Browser();
      const { callback, askedCredentials, back } = await signIn(s, browser, USERS[0]);
      assert.equal(askedCredentials, true);
      // Neither the code nor the state reaches a log line.
      const answer = new URL(back).searchParams;
      const logged = JSON.stringify(s.logs);
      for (const name of ['code', 'state']) assert.ok(!logged.includes(answer.get(name)), `the ${name} is logged`);
      assert.equal(callback.status, '302');
      assert.equal(callback.headers.location[0].value, `${SITE}/premium/a`);
      const names = browser.names(SITE);
      assert.ok(names.includes('__Host-edge-auth-session'));
      assert.ok(!names.some((n) => n.startsWith('__Host-edge-auth-flow-')), 'the flow cookie is spent');
      assert.equal(statusOf(await atSite(s, browser, '/premium/a')), 'pass');
      assert.equal(statusOf(await atSite(s, browser, '/videos/b')), 'pass'); // gold is in silver's groups too
      const minted = s.logs.find((l) => l.outcome === 'mint');
      assert.equal(minted.source, 'code');
      assert.deepEqual(minted.tiers, ['gold', 'silver']);
    });
  }

  test('a wrong client secret mints nothing: a page, not a loop', async () => {
    const s = site({ method: 'client_secret_basic', clientSecret: 'not-the-secret' });
    const { callback } = await signIn(s, new Browser(), USERS[0]);
    assert.equal(callback.status, '400');
    assert.match(callback.body, /data-page="sign-in-idp-error"/);
    assert.equal(s.logs.at(-1).idpError, 'invalid_client');
  });

  test('a replayed callback mints nothing, with or without the spent flow cookie', async () => {
    const s = site();
    const browser = new Browser();
    const flowCookieBefore = [];
    const refused = await atSite(s, browser, '/premium/a');
    for (const c of browser.jar(SITE).values()) flowCookieBefore.push(`${c.name}=${c.value}`);
    const { back } = await throughProvider(browser, refused.headers.location[0].value, USERS[0]);
    assert.equal((await atSite(s, browser, back)).status, '302');
    // The same browser again: its flow cookie is gone.
    const again = await atSite(s, browser, back);
    assert.equal(again.status, '400');
    assert.match(again.body, /data-page="sign-in-no-flow"/);
    // An attacker who kept the flow cookie: the code is spent at the provider.
    s.clock.now = realNow();
    const u = new URL(back);
    const replay = await s.handler(viewerRequest({ uri: u.pathname, querystring: u.search.slice(1), headers: { accept: BROWSER, cookie: flowCookieBefore.join('; ') } }));
    assert.equal(replay.status, '400');
    assert.match(replay.body, /data-page="sign-in-invalid-grant"/);
    assert.ok(!(replay.headers['set-cookie'] ?? []).some((h) => /^CloudFront-/.test(h.value)));
  });

  test('a token endpoint that is down gives a 503 page; once it is back, trying again signs in', async () => {
    const s = site();
    const browser = new Browser();
    await idp.setTokenEndpoint('down');
    let failed;
    try {
      ({ callback: failed } = await signIn(s, browser, USERS[1], '/videos/x'));
    } finally {
      await idp.setTokenEndpoint('up');
    }
    assert.equal(failed.status, '503');
    assert.equal(failed.headers['retry-after'][0].value, '5');
    assert.equal(s.logs.at(-1).step, 'token-endpoint');
    const retry = /href="([^"]+)" id="sign-in-again"/.exec(failed.body)[1].replace(/&amp;/g, '&');
    const started = await atSite(s, browser, retry);
    // The provider's session is alive: no credentials asked this time.
    const { back, askedCredentials } = await throughProvider(browser, started.headers.location[0].value, USERS[1]);
    assert.equal(askedCredentials, false);
    const done = await atSite(s, browser, back);
    assert.equal(done.headers.location[0].value, `${SITE}/videos/x`);
  });
});

describe('renewal through the provider', () => {
  test('a user removed from a group loses the tier at the next recheck; the other tier stays', async () => {
    const s = site({ recheckSeconds: 900 });
    const browser = new Browser();
    await signIn(s, browser, USERS[0]);
    try {
      await idp.setGroups('goldie', ['silver']);
      // Inside the recheck window nothing asks the provider.
      s.offsetMs = 5 * 60 * 1000;
      const before = await tokenRequests();
      assert.equal(statusOf(await atSite(s, browser, '/premium/a')), 'pass');
      assert.equal(await tokenRequests(), before);
      // Past it, the cookies (capped at the recheck) are re-minted only after a refresh.
      s.offsetMs = 15 * 60 * 1000 + 1000;
      const refused = await atSite(s, browser, '/premium/a');
      assert.equal(await tokenRequests(), before + 1);
      assert.equal(refused.status, '403');
      assert.match(refused.body, /data-page="no-access"/);
      assert.ok(refused.headers['set-cookie'].some((h) => h.value.startsWith('__Host-edge-auth-session=v2.')));
      assert.ok(refused.headers['set-cookie'].some((h) => /^CloudFront-Policy=; Path=\/premium\//.test(h.value)));
      // The renewed session grants silver: /videos/ re-mints without asking the provider again.
      const videos = await atSite(s, browser, '/videos/a');
      assert.equal(videos.status, '302');
      assert.equal(await tokenRequests(), before + 1);
      assert.equal(statusOf(await atSite(s, browser, '/videos/a')), 'pass');
      // An API client with that session is told wrong-tier.
      const api = await atSite(s, browser, '/premium/a', { accept: 'application/json' });
      assert.equal(api.status, '403');
      assert.equal(JSON.parse(api.body).reason, 'wrong-tier');
    } finally {
      await idp.setGroups('goldie', ['gold']);
    }
  });

  test('a disabled user is signed out at the next recheck: cookies expired, back to the login form', async () => {
    const s = site({ recheckSeconds: 900 });
    const browser = new Browser();
    await signIn(s, browser, USERS[1], '/videos/a');
    await idp.setDisabled('sylvia', true);
    try {
      s.offsetMs = 16 * 60 * 1000;
      const out = await atSite(s, browser, '/videos/a');
      assert.equal(out.status, '302');
      assert.ok(out.headers.location[0].value.startsWith(idp.discovery.authorization_endpoint));
      assert.ok(out.headers['set-cookie'].some((h) => /^__Host-edge-auth-session=;/.test(h.value)));
      assert.equal(s.logs.at(-1).reason, 'session-ended');
      assert.equal(s.logs.at(-1).idpError, 'invalid_grant');
      assert.ok(!browser.names(SITE).includes('__Host-edge-auth-session'));
    } finally {
      await idp.setDisabled('sylvia', false);
    }
  });
});

describe('renewal with refresh-token rotation (a new refresh token at every refresh, reuse refused)', () => {
  let rotating;
  before(async () => {
    rotating = await startIdp({ users: USERS, clients, rotateRefreshTokens: true });
  });
  after(() => rotating?.stop());

  test('overlapping requests at the recheck: the one that reused the rotated token passes, and the winner\'s session survives', async () => {
    const s = site({ recheckSeconds: 900, provider: rotating });
    const browser = new Browser();
    await signIn(s, browser, USERS[0]);
    const stats = async () => (await rotating.stats()).requests.token;
    const before = await stats();
    // 12 minutes in, the cookies (valid to the 15-minute recheck) are due for a re-mint; a
    // page fires two requests at once, with the same session and so the same refresh token.
    s.offsetMs = 12 * 60 * 1000;
    s.clock.now = realNow() + s.offsetMs;
    const send = (path) => {
      const u = new URL(path, SITE);
      const cookie = browser.header(u.href);
      return { u, response: s.handler(viewerRequest({ uri: u.pathname, headers: { accept: BROWSER, cookie } })) };
    };
    const pending = [send('/premium/seg1.ts'), send('/premium/seg2.ts')];
    const answers = await Promise.all(pending.map((p) => p.response));
    assert.equal(await stats(), before + 2);
    const [winner, loser] = answers[0].status === '302' ? answers : [...answers].reverse();
    assert.equal(winner.status, '302');
    assert.ok(winner.headers['set-cookie'].some((h) => h.value.startsWith('__Host-edge-auth-session=v2.')));
    // The other refresh reused the rotated token: refused, but its cookies still verify, so it
    // passes with nothing set (before, it expired every cookie and the viewer was signed out).
    assert.equal(statusOf(loser), 'pass');
    assert.equal(loser.headers['set-cookie'], undefined);
    const refused = s.logs.find((l) => l.remint === 'recheck-refused');
    assert.equal(refused.idpError, 'invalid_grant');
    // The browser keeps both answers, in whichever order; the next page passes on the
    // winner's cookies, without asking the provider.
    for (const [i, p] of pending.entries()) browser.store(p.u.href, (answers[i].headers?.['set-cookie'] ?? []).map((h) => h.value));
    s.offsetMs += 1000;
    assert.equal(statusOf(await atSite(s, browser, '/premium/next')), 'pass');
    assert.equal(statusOf(await atSite(s, browser, '/videos/a')), 'pass'); // the winner re-minted every tier
    assert.equal(await stats(), before + 2);
    assert.ok(browser.names(SITE).includes('__Host-edge-auth-session'));
  });
});

describe('renewal at /auth (the 403 page\'s trip, when CloudFront checks first)', () => {
  test('a browser whose refresh is refused is sent to sign in, its cookies expired; an unreachable provider is a 503 page', async () => {
    const s = site({ recheckSeconds: 900 });
    const browser = new Browser();
    await signIn(s, browser, USERS[1], '/videos/a');
    s.offsetMs = 16 * 60 * 1000;
    await idp.setTokenEndpoint('down');
    try {
      const down = await atSite(s, browser, '/auth?redirect=%2Fvideos%2Fa');
      assert.equal(down.status, '503');
      assert.match(down.headers['content-type'][0].value, /^text\/html/);
      assert.match(down.body, /data-page="recheck-unavailable"/);
      assert.equal(down.headers['retry-after'][0].value, '5');
      const api = await atSite(s, browser, '/auth', { accept: 'application/json' });
      assert.equal(JSON.parse(api.body).reason, 'idp-unavailable');
    } finally {
      await idp.setTokenEndpoint('up');
    }
    await idp.setDisabled('sylvia', true);
    try {
      const out = await atSite(s, browser, '/auth?redirect=%2Fvideos%2Fa');
      assert.equal(out.status, '302');
      assert.ok(out.headers.location[0].value.startsWith(idp.discovery.authorization_endpoint));
      assert.ok(out.headers['set-cookie'].some((h) => /^__Host-edge-auth-session=;/.test(h.value)));
      assert.ok(out.headers['set-cookie'].some((h) => /^CloudFront-Policy=; Path=\/videos\//.test(h.value)));
      assert.equal(s.logs.at(-1).reason, 'session-ended');
      assert.equal(s.logs.at(-1).cause, 'invalid-grant');
    } finally {
      await idp.setDisabled('sylvia', false);
    }
  });
});

describe('sign-out', () => {
  test('revokes the refresh token, ends the provider session, and the next sign-in asks for credentials', async () => {
    const s = site();
    const browser = new Browser();
    await signIn(s, browser, USERS[2], '/auth/login?redirect=%2F');
    const revokedBefore = (await idp.stats()).refreshTokensRevoked;
    const out = await atSite(s, browser, '/auth/logout');
    assert.equal(out.status, '302');
    const endSession = new URL(out.headers.location[0].value);
    assert.equal(`${endSession.origin}${endSession.pathname}`, idp.discovery.end_session_endpoint);
    assert.equal(endSession.searchParams.get('post_logout_redirect_uri'), `${SITE}/`);
    assert.equal(s.logs.at(-1).revocation, 'revoked');
    assert.equal((await idp.stats()).refreshTokensRevoked, revokedBefore + 1);
    assert.deepEqual(browser.names(SITE), []);
    // The provider asks to confirm; the confirmation ends its session and returns to the site.
    const confirm = await atIdp(browser, endSession.href);
    const done = await atIdp(browser, formAction(confirm.text, endSession.href), { form: { ...hiddenFields(confirm.text), logout: 'yes' } });
    let back = done;
    while (back.location?.startsWith(idp.issuer)) back = await atIdp(browser, back.location);
    assert.equal(back.location, `${SITE}/`);
    const { askedCredentials } = await signIn(s, browser, USERS[2], '/videos/a');
    assert.equal(askedCredentials, true);
  });
});
