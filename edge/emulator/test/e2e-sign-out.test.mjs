// End to end, in headless Chromium: signing out signs out everywhere. /auth/logout expires the
// handler's cookies, revokes the session's refresh token at the provider (RFC 7009) and sends
// the browser to the provider's own logout (RP-Initiated Logout), so the next private path
// asks for credentials again instead of signing the viewer straight back in. And the site
// header offers exactly one of "Sign in" and "Sign out", whichever applies.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { useDemo, ORDERS, loginLink, pathOf, headerSignLinks, cloudFrontCookies, edgeCookies } from './e2e-support.mjs';

const e2e = useDemo();

/** How a viewer signs out: the header's link on a content page, or /auth/logout typed in. */
const WAYS = Object.freeze({
  'the site header\'s "Sign out" link': async (page) => {
    assert.deepEqual(await headerSignLinks(page), ['Sign out']);
    await page.click('header #signout');
  },
  '/auth/logout typed in': (page) => page.goto(e2e.url('/auth/logout')),
});

for (const order of ORDERS) {
  const shot = (page, name) => e2e.shot(page, `${order}-sign-out-${name}`);

  describe(`sign-out, check order: ${order}`, () => {
    before(() => e2e.demo.deploy({ checkOrder: order }));

    for (const [way, signOut] of Object.entries(WAYS)) {
      test(`${way} ends the provider's session: the next private path asks for credentials again`, async () => {
        const { context, page } = await e2e.newPage();
        await e2e.signInAt(page, '/premium/index.html', 'premium');
        const before = await e2e.stats();
        const mark = e2e.mark();
        const logout = page.waitForResponse((r) => new URL(r.url()).pathname === '/auth/logout');
        await signOut(page);

        // Our part, in the one response: every cookie expired, then the provider's logout.
        const response = await logout;
        await page.waitForSelector('button[type=submit]');
        assert.equal(response.status(), 302);
        const to = new URL(response.headers().location);
        assert.equal(`${to.origin}${to.pathname}`, e2e.idp.discovery.end_session_endpoint);
        assert.equal(to.searchParams.get('client_id'), 'edge-demo-public');
        assert.equal(to.searchParams.get('post_logout_redirect_uri'), `https://${e2e.demo.domain}/`);
        assert.deepEqual(await cloudFrontCookies(context), []);
        assert.deepEqual(await edgeCookies(context), []);
        const logged = e2e.since(mark).decisions.find((d) => d.class === 'logout');
        assert.equal(logged.outcome, 'logout');
        assert.equal(logged.revocation, 'revoked');
        assert.equal(logged.redirect, 'identity-provider');
        await shot(page, `01-provider-confirms-${way.startsWith('/') ? 'typed' : 'link'}`);

        // The provider's part: its confirmation, then back on the site's home page.
        await e2e.confirmSignOut(page);
        const after = await e2e.stats();
        assert.equal(after.refreshTokensRevoked - before.refreshTokensRevoked, 1, 'the session\'s refresh token was revoked');
        assert.equal(after.requests.revocation - before.requests.revocation, 1);
        assert.equal(after.requests.end_session_confirm - before.requests.end_session_confirm, 1, 'the provider session was ended');
        assert.deepEqual(await headerSignLinks(page), ['Sign in']);
        await page.waitForFunction(() => document.getElementById('status').dataset.tiers !== undefined);
        assert.match(await page.textContent('#status'), /Not signed in/);

        // Nothing signs the viewer back in: the provider asks for the password again.
        await e2e.visit(page, '/premium/index.html');
        await e2e.loginForm(page);
        assert.equal((await e2e.stats()).requests.token, after.requests.token, 'no code was issued without credentials');
        assert.deepEqual(await cloudFrontCookies(context), []);
        await shot(page, `02-credentials-asked-again-${way.startsWith('/') ? 'typed' : 'link'}`);
        await context.close();
      });
    }

    test('an API client\'s POST /auth/logout answers 200 JSON, revokes, and expires every cookie', async () => {
      const { context, page } = await e2e.newPage();
      await e2e.signInAt(page, '/private/index.html', 'basic');
      const before = await e2e.stats();
      const response = await page.request.post(e2e.url('/auth/logout'), { headers: { accept: 'application/json' }, maxRedirects: 0 });
      assert.equal(response.status(), 200);
      assert.deepEqual(await response.json(), { loggedOut: true });
      assert.deepEqual(await cloudFrontCookies(context), []);
      assert.deepEqual(await edgeCookies(context), []);
      assert.equal((await e2e.stats()).refreshTokensRevoked - before.refreshTokensRevoked, 1);
      await context.close();
    });

    test('the site header shows exactly one of "Sign in" and "Sign out" in every state, and its "Sign in" comes back to the page', async () => {
      const { context, page } = await e2e.newPage();
      for (const path of ['/', '/public/index.html']) {
        await page.goto(e2e.url(path));
        assert.deepEqual(await headerSignLinks(page), ['Sign in'], `anonymous on ${path}`);
        assert.deepEqual(loginLink(await page.getAttribute('header #signin', 'href')), { path: '/auth/login', redirect: path, prompt: null });
      }
      // Signing in from a public page's header: the provider's form, then back on that page.
      await page.click('header #signin');
      await e2e.submitLogin(page, 'basic', '/public/index.html');
      assert.equal(pathOf(page), '/public/index.html');
      for (const path of ['/public/index.html', '/', '/private/index.html']) {
        await e2e.visit(page, path);
        assert.deepEqual(await headerSignLinks(page), ['Sign out'], `signed in on ${path}`);
      }
      await shot(page, '03-header-signed-in');
      await page.click('header #signout');
      await e2e.confirmSignOut(page);
      assert.deepEqual(await headerSignLinks(page), ['Sign in'], 'signed out');
      await context.close();
    });
  });
}
