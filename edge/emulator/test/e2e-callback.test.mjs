// End to end, in headless Chromium: /auth/callback under attack and under failure. A tampered
// state, a replayed callback, a callback opened in another browser, the provider's
// access_denied, a sign-in that took too long, a token endpoint that is down, and two tabs
// signing in at once. Every failure is a page with a way to start again, never a redirect
// loop, and mints nothing.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  useDemo, ORDERS, MINUTE, loginLink, FLOW_COOKIE_PREFIX, SESSION_COOKIE, pathOf, pageKind, cloudFrontCookies, edgeCookies, tierPaths, settled, flip,
} from './e2e-support.mjs';

const e2e = useDemo();

/** The flow cookie the handler would look for with this state (sign-in.js names it so). */
const flowCookieName = (state) => FLOW_COOKIE_PREFIX + createHash('sha256').update(state).digest('base64url').slice(0, 16);

/** Whether `page` shows the handler's failed sign-in page of `reason`, with a link to start again. */
async function assertSignInFailed(page, response, { status, reason, title, retry = '/' }) {
  assert.equal(response.status(), status);
  assert.equal(new URL(page.url()).pathname, '/auth/callback', 'the page stays: no redirect');
  assert.equal(await pageKind(page), `sign-in-${reason}`);
  assert.equal(await page.title(), title);
  // A new sign-in back to where this one began (the home page when the flow is unknown).
  assert.deepEqual(loginLink(await page.getAttribute('#sign-in-again', 'href')), { path: '/auth/login', redirect: retry, prompt: null });
  assert.equal(response.headers()['cache-control'], 'no-store');
}

/** The decisions of `mark`'s window: exactly one callback, refused for `reason`, and no mint. */
function assertNothingMinted(mark, reason) {
  const { decisions, requests } = e2e.since(mark);
  const callbacks = decisions.filter((d) => d.uri === '/auth/callback');
  assert.equal(callbacks.length, 1, JSON.stringify(decisions));
  assert.equal(callbacks[0].outcome, 'deny');
  assert.equal(callbacks[0].reason, reason);
  assert.deepEqual(decisions.filter((d) => d.outcome === 'mint'), []);
  // No loop: nothing after the callback went back to sign-in.
  assert.deepEqual(requests.filter((r) => r.uri.startsWith('/auth')).map((r) => r.uri), ['/auth/callback']);
  return callbacks[0];
}

for (const order of ORDERS) {
  const shot = (page, name) => e2e.shot(page, `${order}-callback-${name}`);

  describe(`callback, check order: ${order}`, () => {
    before(() => e2e.demo.deploy({ checkOrder: order }));

    test('a tampered state mints nothing (with or without a flow cookie forged to match it); the genuine callback still signs in', async () => {
      const { context, page } = await e2e.newPage();
      await e2e.visit(page, '/private/index.html');
      const genuine = new URL(await e2e.callbackUrl(page, 'basic'));
      const tokens = (await e2e.stats()).requests.token;
      const tampered = new URL(genuine);
      tampered.searchParams.set('state', flip(genuine.searchParams.get('state')));

      // No flow cookie goes by the tampered state's name.
      let mark = e2e.mark();
      let response = await page.goto(tampered.href);
      await assertSignInFailed(page, response, { status: 400, reason: 'no-flow', title: 'This sign-in has expired' });
      assertNothingMinted(mark, 'no-flow');
      await shot(page, '01-tampered-state');

      // The genuine flow cookie copied under the tampered state's name: opened, and its state
      // does not match.
      const [flow] = (await edgeCookies(context)).filter((c) => c.name.startsWith(FLOW_COOKIE_PREFIX));
      const forged = flowCookieName(tampered.searchParams.get('state'));
      await context.addCookies([{ name: forged, value: flow.value, url: e2e.url('/'), secure: true, httpOnly: true, sameSite: 'Lax' }]);
      mark = e2e.mark();
      response = await page.goto(tampered.href);
      await assertSignInFailed(page, response, { status: 400, reason: 'state-mismatch', title: 'Sign-in could not be completed', retry: '/private/index.html' });
      assertNothingMinted(mark, 'state-mismatch');
      assert.equal((await context.cookies()).some((c) => c.name === forged), false, 'the forged flow cookie was expired');
      assert.deepEqual(await cloudFrontCookies(context), []);
      assert.equal((await context.cookies()).some((c) => c.name === SESSION_COOKIE), false);
      assert.equal((await e2e.stats()).requests.token, tokens, 'no code was exchanged');

      await page.goto(genuine.href);
      await settled(page);
      assert.equal(pathOf(page), '/private/index.html');
      assert.equal(await page.textContent('h1'), 'Private content');
      assert.equal((await e2e.stats()).requests.token, tokens + 1);
      await context.close();
    });

    test('a replayed callback mints nothing and says the sign-in has expired', async () => {
      const { context, page } = await e2e.newPage();
      await e2e.visit(page, '/premium/index.html');
      const callback = page.waitForRequest((r) => new URL(r.url()).pathname === '/auth/callback');
      await e2e.submitLogin(page, 'premium', '/premium/index.html');
      const used = (await callback).url();
      const policy = (await cloudFrontCookies(context)).find((c) => c.name === 'CloudFront-Policy' && c.path === '/premium/').value;
      const tokens = (await e2e.stats()).requests.token;

      const mark = e2e.mark();
      const response = await page.goto(used);
      await assertSignInFailed(page, response, { status: 400, reason: 'no-flow', title: 'This sign-in has expired' });
      assertNothingMinted(mark, 'no-flow');
      assert.match(await page.textContent('main'), /already used/);
      assert.equal((await e2e.stats()).requests.token, tokens, 'the code was not offered to the provider again');
      // The viewer stays signed in with what the first callback gave.
      assert.equal((await cloudFrontCookies(context)).find((c) => c.name === 'CloudFront-Policy' && c.path === '/premium/').value, policy);
      await shot(page, '02-replayed');
      await context.close();
    });

    test('a callback opened in another browser (no flow cookie) mints nothing there, and the code still works where it began', async () => {
      const { context, page } = await e2e.newPage();
      await e2e.visit(page, '/premium/index.html');
      const callback = await e2e.callbackUrl(page, 'premium');
      const tokens = (await e2e.stats()).requests.token;

      const other = await e2e.newPage();
      const mark = e2e.mark();
      const response = await other.page.goto(callback);
      await assertSignInFailed(other.page, response, { status: 400, reason: 'no-flow', title: 'This sign-in has expired' });
      assertNothingMinted(mark, 'no-flow');
      assert.deepEqual((await other.context.cookies()).filter((c) => c.domain === 'localhost'), []);
      assert.equal((await e2e.stats()).requests.token, tokens);
      await shot(other.page, '03-other-browser');
      await other.context.close();

      await page.goto(callback);
      await settled(page);
      assert.equal(pathOf(page), '/premium/index.html');
      assert.equal(await page.textContent('h1'), 'Premium content');
      await context.close();
    });

    test('the provider\'s error=access_denied is a clear page, not a loop, and "Sign in again" starts over', async () => {
      const { context, page } = await e2e.newPage();
      const authorization = page.waitForRequest((r) => r.url().startsWith(`${e2e.idp.issuer}/auth?`));
      await e2e.visit(page, '/premium/index.html');
      await e2e.loginForm(page);
      const state = new URL((await authorization).url()).searchParams.get('state');
      const tokens = (await e2e.stats()).requests.token;

      const mark = e2e.mark();
      const query = new URLSearchParams({ error: 'access_denied', error_description: 'The user cancelled', state, iss: e2e.idp.issuer });
      const response = await page.goto(e2e.url(`/auth/callback?${query}`));
      await page.waitForLoadState('networkidle');
      await assertSignInFailed(page, response, { status: 403, reason: 'idp-refused', title: 'Sign-in was not completed', retry: '/premium/index.html' });
      const refused = assertNothingMinted(mark, 'idp-refused');
      assert.equal(refused.idpError, 'access_denied');
      assert.equal(refused.step, 'authorization-response');
      assert.equal((await e2e.stats()).requests.token, tokens);
      assert.deepEqual(await edgeCookies(context), [], 'the flow cookie was spent');
      await shot(page, '04-access-denied');

      await page.click('#sign-in-again');
      await e2e.submitLogin(page, 'premium', '/premium/index.html');
      assert.equal(await page.textContent('h1'), 'Premium content');
      await context.close();
    });

    test('a sign-in that took longer than the flow cookie\'s five minutes mints nothing', async () => {
      const { context, page } = await e2e.newPage();
      try {
        await e2e.visit(page, '/private/index.html');
        const callback = await e2e.callbackUrl(page, 'basic');
        e2e.clock.offsetMs = 6 * MINUTE;
        const mark = e2e.mark();
        const response = await page.goto(callback);
        await assertSignInFailed(page, response, { status: 400, reason: 'flow-expired', title: 'This sign-in has expired', retry: '/private/index.html' });
        assertNothingMinted(mark, 'flow-expired');
        assert.deepEqual(await cloudFrontCookies(context), []);
      } finally {
        e2e.clock.offsetMs = 0;
        await context.close();
      }
    });

    test('with the token endpoint down, the callback is a 503 page with Retry-After, and "Try again" signs in once it is back', async () => {
      const { context, page } = await e2e.newPage();
      try {
        await e2e.visit(page, '/premium/index.html');
        await e2e.loginForm(page);
        await e2e.idp.setTokenEndpoint('down');
        const mark = e2e.mark();
        const callback = page.waitForResponse((r) => new URL(r.url()).pathname === '/auth/callback');
        await e2e.submitLogin(page, 'premium');
        const response = await callback;
        await page.waitForURL((u) => u.pathname === '/auth/callback');
        assert.equal(response.status(), 503);
        assert.equal(response.headers()['retry-after'], '5');
        assert.equal(await pageKind(page), 'sign-in-unavailable');
        assert.equal(await page.title(), 'Sign-in is unavailable right now');
        assert.equal(await page.textContent('#sign-in-again'), 'Try again');
        assert.deepEqual(loginLink(await page.getAttribute('#sign-in-again', 'href')), { path: '/auth/login', redirect: '/premium/index.html', prompt: null });
        const failed = assertNothingMinted(mark, 'idp-unavailable');
        assert.equal(failed.step, 'token-endpoint');
        assert.deepEqual(await cloudFrontCookies(context), []);
        assert.deepEqual(await edgeCookies(context), []);
        await shot(page, '05-token-endpoint-down');

        await e2e.idp.setTokenEndpoint('up');
        // The provider's session is live: back through it without the form, signed in.
        await Promise.all([page.waitForURL(e2e.url('/premium/index.html')), page.click('#sign-in-again')]);
        await settled(page);
        assert.equal(await page.textContent('h1'), 'Premium content');
        assert.deepEqual(await tierPaths(context), ['/premium/', '/private/']);
        assert.equal(e2e.decisions.findLast((d) => d.uri === '/auth/callback').outcome, 'mint');
      } finally {
        await e2e.idp.setTokenEndpoint('up');
        await context.close();
      }
    });

    test('two tabs signing in at once both end signed in, each on its own deep link', async () => {
      const { context, page: first } = await e2e.newPage();
      const second = await context.newPage();
      await e2e.visit(first, '/private/index.html');
      await e2e.loginForm(first);
      await e2e.visit(second, '/premium/index.html');
      await e2e.loginForm(second);
      const flows = (await edgeCookies(context)).filter((c) => c.name.startsWith(FLOW_COOKIE_PREFIX));
      assert.equal(flows.length, 2, 'one flow cookie per tab');

      const mark = e2e.mark();
      await e2e.submitLogin(first, 'premium', '/private/index.html');
      // The second tab's form is still on show; the provider's session now exists as well.
      await e2e.submitLogin(second, 'premium', '/premium/index.html');
      assert.equal(pathOf(first), '/private/index.html');
      assert.equal(await first.textContent('h1'), 'Private content');
      assert.equal(pathOf(second), '/premium/index.html');
      assert.equal(await second.textContent('h1'), 'Premium content');
      const callbacks = e2e.since(mark).decisions.filter((d) => d.uri === '/auth/callback');
      assert.deepEqual(callbacks.map((d) => d.outcome), ['mint', 'mint']);
      assert.deepEqual((await edgeCookies(context)).map((c) => c.name), [SESSION_COOKIE], 'both flow cookies were spent');
      await shot(second, '06-two-tabs');
      await context.close();
    });
  });
}
