// End to end, in headless Chromium: signing in through the identity provider's own login page
// (the local OpenID Provider), from a deep link and back to it, in each check order: the
// viewer-request function before CloudFront's trusted-key-group check, and CloudFront's check
// first (a refusal then reaches the viewer as the distribution's 403 page, which takes the
// browser to /auth, and from there to the provider). A viewer must see the same flow in both.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import {
  useDemo, ORDERS, NO_ACCESS, loginLink, SESSION_COOKIE, FLOW_COOKIE_PREFIX, pathOf, pageKind, imagesLoaded, headerSignLinks,
  cloudFrontCookies, edgeCookies, tierPaths, decodePolicy, policyExpiry,
} from './e2e-support.mjs';

const DOCS_SHOT = fileURLToPath(new URL('../../../docs/demo.png', import.meta.url));
const e2e = useDemo();

for (const order of ORDERS) {
  const functionFirst = order === 'function-first';
  const shot = (page, name) => e2e.shot(page, `${order}-sign-in-${name}`);

  describe(`sign-in, check order: ${order}`, () => {
    before(() => e2e.demo.deploy({ checkOrder: order }));

    test('an anonymous viewer gets public content, and is sent from private content to the provider with PKCE, state and nonce', async () => {
      const { context, page } = await e2e.newPage();
      await page.goto(e2e.url('/'));
      assert.deepEqual(await headerSignLinks(page), ['Sign in']);
      await page.waitForFunction(() => document.getElementById('status').dataset.tiers !== undefined);
      assert.match(await page.textContent('#status'), /Not signed in/);
      await shot(page, '01-home-anonymous');

      await page.click('#to-public');
      await page.waitForURL(e2e.url('/public/index.html'));
      const images = await imagesLoaded(page);
      assert.equal(images.length, 3);
      assert.ok(images.every((i) => i.ok), JSON.stringify(images));

      const authorization = page.waitForRequest((r) => r.url().startsWith(`${e2e.idp.issuer}/auth?`));
      await e2e.visit(page, '/private/index.html');
      await e2e.loginForm(page);
      const asked = new URL((await authorization).url()).searchParams;
      assert.equal(asked.get('response_type'), 'code');
      assert.equal(asked.get('client_id'), 'edge-demo-public');
      assert.equal(asked.get('redirect_uri'), `https://${e2e.demo.domain}/auth/callback`);
      assert.deepEqual(asked.get('scope').split(' ').sort(), ['email', 'openid']);
      assert.equal(asked.get('code_challenge_method'), 'S256');
      assert.match(asked.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);
      assert.match(asked.get('state'), /^[A-Za-z0-9_-]{22,}$/);
      assert.match(asked.get('nonce'), /^[A-Za-z0-9_-]{22,}$/);
      // The verifier and the way back live in the sealed flow cookie, never in the URL.
      assert.equal(asked.has('code_verifier'), false);
      assert.equal(asked.has('redirect'), false);
      assert.doesNotMatch(asked.toString(), /private/);
      const [flow, ...others] = await edgeCookies(context);
      assert.equal(others.length, 0);
      assert.ok(flow.name.startsWith(FLOW_COOKIE_PREFIX), flow.name);
      assert.equal(flow.path, '/');
      assert.equal(flow.domain, 'localhost');
      assert.equal(flow.secure, true);
      assert.equal(flow.httpOnly, true);
      assert.equal(flow.sameSite, 'Lax');
      assert.ok(Math.abs(flow.expires - (Date.now() / 1000 + 300)) < 10, `flow cookie expires ${flow.expires}`);
      assert.deepEqual(await cloudFrontCookies(context), []);
      await shot(page, '02-private-sends-anonymous-to-provider');

      // What the distribution answered before any script ran: the function's redirect, or
      // CloudFront's refusal carrying the 403 page (which then took the browser to /auth).
      const first = await page.request.get(e2e.url('/private/index.html'), { headers: { accept: 'text/html' }, maxRedirects: 0 });
      const api = await page.request.get(e2e.url('/private/gallery/01.svg'), { headers: { accept: 'application/json' }, maxRedirects: 0 });
      if (functionFirst) {
        assert.equal(first.status(), 302);
        assert.ok(first.headers().location.startsWith(`${e2e.idp.discovery.authorization_endpoint}?`), first.headers().location);
        assert.match(first.headers()['set-cookie'], /^__Host-edge-auth-flow-[A-Za-z0-9_-]{16}=[A-Za-z0-9_-]+; Path=\/; Max-Age=300; Secure; HttpOnly; SameSite=Lax$/);
        // A non-browser client gets the handler's JSON instead of a redirect.
        assert.equal(api.status(), 401);
        assert.deepEqual(await api.json(), { error: 'unauthorized', reason: 'missing', tier: 'private' });
      } else {
        assert.equal(first.status(), 403);
        assert.equal(first.headers()['x-cache'], 'Error from cloudfront');
        assert.match(await first.text(), /<title>Checking your access<\/title>/);
        // An API client gets CloudFront's 403 (with the page as body): it never reaches the function.
        assert.equal(api.status(), 403);
        const refusal = e2e.requests.findLast((r) => r.uri === '/private/gallery/01.svg');
        assert.match(refusal.keyGroup, /^MissingKey/);
        assert.equal(refusal.viewerRequest, undefined);
        assert.equal(refusal.customErrorResponse.page, '/errors/403.html [*]');
      }
      await context.close();
    });

    test('a basic user signs in from a deep link to a folder URL, and lands on it with host-only cookies for /private/ only', async () => {
      const { context, page } = await e2e.newPage();
      const stats = await e2e.stats();
      const mark = e2e.mark();
      await e2e.signInAt(page, '/private/', 'basic');
      // The folder URL serves its index page, right after signing in too (never S3's NoSuchKey).
      assert.equal(await page.textContent('h1'), 'Private content');
      const images = await imagesLoaded(page);
      assert.equal(images.length, 9);
      assert.ok(images.every((i) => i.ok), JSON.stringify(images));
      assert.deepEqual(await headerSignLinks(page), ['Sign out']);
      await shot(page, '03-basic-private-folder');

      const { decisions, requests } = e2e.since(mark);
      const begun = decisions.find((d) => d.redirect === 'identity-provider');
      assert.equal(begun.uri, functionFirst ? '/private/' : '/auth');
      assert.equal(begun.reason, 'missing');
      const minted = decisions.filter((d) => d.outcome === 'mint');
      assert.equal(minted.length, 1, JSON.stringify(decisions));
      assert.equal(minted[0].route, 'callback');
      assert.equal(minted[0].source, 'code');
      assert.deepEqual(minted[0].tiers, ['private']);
      assert.equal(minted[0].sub, (await e2e.stats()).users.find((u) => u.username === 'basic').sub);
      const landed = requests.findLast((r) => r.uri === '/private/');
      assert.equal(landed.status, 200);
      assert.match(landed.keyGroup, /^ok \(cookie,/);
      const after = await e2e.stats();
      assert.equal(after.requests.authorization - stats.requests.authorization, 1);
      assert.equal(after.requests.token - stats.requests.token, 1, 'one code exchange');

      const cookies = await cloudFrontCookies(context);
      assert.deepEqual(cookies.map((c) => c.name).sort(), ['CloudFront-Key-Pair-Id', 'CloudFront-Policy', 'CloudFront-Signature']);
      for (const c of cookies) {
        assert.equal(c.path, '/private/');
        assert.equal(c.domain, 'localhost');
        assert.equal(c.httpOnly, true);
        assert.equal(c.secure, true);
        assert.equal(c.sameSite, 'Lax');
      }
      const policyValue = cookies.find((c) => c.name === 'CloudFront-Policy').value;
      const policy = JSON.parse(decodePolicy(policyValue));
      assert.equal(policy.Statement.length, 1);
      assert.equal(policy.Statement[0].Resource, `https://${e2e.demo.domain}/private/*`);
      assert.equal(policy.Statement[0].Condition.IpAddress, undefined);
      assert.ok(policyExpiry(policyValue) <= Date.now() / 1000 + 600);
      // The flow cookie was spent by the callback; the session stayed.
      const edge = await edgeCookies(context);
      assert.deepEqual(edge.map((c) => c.name), [SESSION_COOKIE]);
      assert.equal(edge[0].path, '/');
      assert.equal(edge[0].domain, 'localhost');
      assert.equal(edge[0].secure && edge[0].httpOnly && edge[0].sameSite === 'Lax', true);
      await context.close();
    });

    test('a basic user is told premium is not theirs (not asked to sign in), and can sign in with another account', async () => {
      const { context, page } = await e2e.newPage();
      await e2e.signInAt(page, '/private/index.html', 'basic');
      const mark = e2e.mark();
      const { response, state } = await e2e.visit(page, '/premium/index.html');
      assert.equal(await e2e.onLoginForm(page), false);
      assert.doesNotMatch(await page.textContent('body'), /Sign in to open/);
      assert.equal(await page.title(), 'You do not have access');
      if (functionFirst) {
        // The handler's page, at the URL asked for.
        assert.equal(response.status(), 403);
        assert.equal(pathOf(page), '/premium/index.html');
        assert.equal(await pageKind(page), NO_ACCESS);
        assert.equal(await page.textContent('h1'), 'You do not have access');
        assert.match(await page.textContent('main'), /signed in, but your account does not have access to \/premium\/index\.html/);
        const denied = e2e.since(mark).decisions.find((d) => d.uri === '/premium/index.html');
        assert.deepEqual([denied.status, denied.reason, denied.remint], [403, 'wrong-tier', 'session-lacks-tier']);
      } else {
        // One round trip to /auth (the session re-mints private only), then the 403 page stops.
        assert.equal(state, 'refused');
        assert.equal(pathOf(page), '/premium/index.html');
        assert.equal(await pageKind(page), 'access-check');
        assert.ok(await page.isVisible('#refused'));
        assert.equal(await page.isVisible('#checking'), false);
        assert.equal(await page.textContent('#refused h1'), 'You do not have access');
        assert.equal(await page.textContent('#url'), '/premium/index.html');
        assert.equal(e2e.since(mark).requests.filter((r) => r.uri === '/auth').length, 1);
      }
      assert.deepEqual(loginLink(await page.getAttribute('#another-account', 'href')), { path: '/auth/login', redirect: '/premium/index.html', prompt: 'login' });
      assert.equal(await page.getAttribute('#sign-out', 'href'), '/auth/logout');
      await shot(page, '04-basic-premium-no-access');

      // An API client with that session: 403 wrong-tier from the function; CloudFront's own
      // 403 when its check runs first (the function never sees the request).
      const api = await page.request.get(e2e.url('/premium/media/gold.png'), { headers: { accept: 'application/json' }, maxRedirects: 0 });
      assert.equal(api.status(), 403);
      if (functionFirst) assert.deepEqual(await api.json(), { error: 'forbidden', reason: 'wrong-tier', tier: 'premium' });
      else assert.equal(api.headers()['x-cache'], 'Error from cloudfront');

      // Another account: prompt=login, so the provider asks for credentials although its
      // session is live.
      const stats = await e2e.stats();
      await page.click('#another-account');
      await e2e.submitLogin(page, 'premium', '/premium/index.html');
      assert.equal(await page.textContent('h1'), 'Premium content');
      assert.deepEqual(await tierPaths(context), ['/premium/', '/private/']);
      assert.equal((await e2e.stats()).requests.token - stats.requests.token, 1);
      const minted = e2e.decisions.findLast((d) => d.route === 'callback');
      assert.deepEqual(minted.tiers, ['private', 'premium']);
      await shot(page, '05-another-account-premium');
      await context.close();
    });

    test('a premium user opens a premium deep link and gets both tiers', async () => {
      const { context, page } = await e2e.newPage();
      const mark = e2e.mark();
      await e2e.signInAt(page, '/premium/index.html', 'premium');
      let images = await imagesLoaded(page);
      assert.equal(images.length, 5);
      assert.ok(images.every((i) => i.ok), JSON.stringify(images));
      // The video plays: its (range) requests pass the same cookie check.
      await page.waitForFunction(() => document.getElementById('clip').readyState >= 2);
      assert.ok(e2e.since(mark).requests.some((r) => r.uri === '/premium/media/sunrise.webm' && r.status < 300 && r.keyGroup?.startsWith('ok')));
      await shot(page, '06-premium-premium');

      await page.click('header nav a[href="/private/index.html"]');
      await page.waitForURL(e2e.url('/private/index.html'));
      images = await imagesLoaded(page);
      assert.ok(images.every((i) => i.ok), JSON.stringify(images));
      assert.deepEqual(await tierPaths(context), ['/premium/', '/private/']);
      for (const prefix of ['/private/', '/premium/']) {
        const policy = (await cloudFrontCookies(context)).find((c) => c.name === 'CloudFront-Policy' && c.path === prefix);
        assert.equal(JSON.parse(decodePolicy(policy.value)).Statement[0].Resource, `https://${e2e.demo.domain}${prefix}*`);
      }

      await page.goto(e2e.url('/'));
      await page.waitForFunction(() => document.getElementById('status').dataset.tiers !== undefined);
      assert.equal(await page.getAttribute('#status', 'data-tiers'), 'private,premium');
      assert.match(await page.textContent('#status'), /Signed in, with access to: private, premium/);
      assert.deepEqual(await headerSignLinks(page), ['Sign out']);
      await shot(page, '07-home-premium');
      if (functionFirst && process.env.UPDATE_DEMO_SCREENSHOT === '1') await page.screenshot({ path: DOCS_SHOT });
      await context.close();
    });

    test('a missing object is the site\'s 404 page, never S3\'s XML nor the sign-in flow', async () => {
      const { context, page } = await e2e.newPage();
      let { response } = await e2e.visit(page, '/public/nope.html');
      assert.equal(response.status(), 404);
      assert.equal(await pageKind(page), 'not-found');
      assert.equal(await page.title(), 'Not found');
      assert.equal(await page.textContent('#url'), '/public/nope.html');
      assert.doesNotMatch(await response.text(), /<Code>NoSuchKey<\/Code>/);

      await e2e.signInAt(page, '/private/index.html', 'basic');
      const mark = e2e.mark();
      let state;
      ({ response, state } = await e2e.visit(page, '/private/nope.html'));
      assert.equal(response.status(), 404);
      assert.equal(state, 'done');
      assert.equal(pathOf(page), '/private/nope.html');
      assert.equal(await pageKind(page), 'not-found');
      assert.equal(await page.textContent('#url'), '/private/nope.html');
      assert.doesNotMatch(await response.text(), /<Code>NoSuchKey<\/Code>/);
      const served = e2e.since(mark).requests.find((r) => r.uri === '/private/nope.html');
      assert.match(served.keyGroup, /^ok/);
      assert.equal(served.customErrorResponse.page, '/errors/404.html [*]');
      await shot(page, '08-private-not-found');
      await context.close();
    });
  });
}
