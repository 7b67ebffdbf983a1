// End to end, in headless Chromium: cookies renewed from the session as they near expiry or
// after it, the session's end, and cookies tampered with, with the viewer-request function on
// and off. The handler and the emulator share one clock, which the tests move forward to expire
// cookies and sessions (the provider keeps real time, so its own session outlives ours).
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  useDemo, ORDERS, MINUTE, SESSION_COOKIE, pathOf, imagesLoaded, cloudFrontCookies, decodePolicy, encodePolicy, policyExpiry, flip,
} from './e2e-support.mjs';

const e2e = useDemo();

const policyOf = async (context) => (await cloudFrontCookies(context)).find((c) => c.name === 'CloudFront-Policy').value;

for (const order of ORDERS) {
  const functionFirst = order === 'function-first';
  const shot = (page, name) => e2e.shot(page, `${order}-renewal-${name}`);

  describe(`renewal, check order: ${order}`, () => {
    before(() => e2e.demo.deploy({ checkOrder: order }));

    test('cookies close to expiry are refreshed on the way, without leaving the page', async () => {
      const { context, page } = await e2e.newPage();
      try {
        await e2e.signInAt(page, '/private/index.html', 'basic');
        const first = await policyOf(context);

        // A minute before they expire (10-minute cookies, refreshed in their last 2; the expiry
        // is rounded down to the minute, so it is read from the policy): both checks pass, and
        // the function swaps in fresh cookies with a redirect to the same URL.
        e2e.clock.offsetMs = (policyExpiry(first) - 60) * 1000 - Date.now();
        assert.ok(e2e.clock.offsetMs > 7 * MINUTE && e2e.clock.offsetMs < 9 * MINUTE, `offset ${e2e.clock.offsetMs} ms`);
        const mark = e2e.mark();
        await e2e.visit(page, '/private/index.html');
        assert.equal(pathOf(page), '/private/index.html');
        assert.equal(await page.textContent('h1'), 'Private content');
        assert.ok((await imagesLoaded(page)).every((i) => i.ok));
        const { decisions } = e2e.since(mark);
        const remint = decisions.find((d) => d.outcome === 'remint');
        assert.ok(remint, 'the handler refreshed the cookies');
        assert.equal(remint.status, 302);
        assert.equal(remint.recheck, undefined, 'the tiers were checked less than recheckSeconds ago');
        const fresh = await policyOf(context);
        assert.notEqual(fresh, first);
        assert.ok(policyExpiry(fresh) > policyExpiry(first));
      } finally {
        e2e.clock.offsetMs = 0;
        await context.close();
      }
    });

    test('expired cookies are re-minted while the session lasts; after it, the provider\'s session signs the viewer in again', async () => {
      const { context, page } = await e2e.newPage();
      try {
        await e2e.signInAt(page, '/private/index.html', 'basic');
        const first = await policyOf(context);

        // Past the cookies' expiry (10 min), well inside the session (30 min).
        e2e.clock.offsetMs = 11 * MINUTE;
        let mark = e2e.mark();
        await e2e.visit(page, '/private/index.html');
        assert.equal(pathOf(page), '/private/index.html');
        assert.equal(await page.textContent('h1'), 'Private content');
        const images = await imagesLoaded(page);
        assert.ok(images.every((i) => i.ok), JSON.stringify(images));
        // The function re-mints in front of CloudFront's check; behind it, the 403 page's trip
        // to /auth does (a mint from the session).
        const reminted = functionFirst
          ? (d) => d.outcome === 'remint'
          : (d) => d.class === 'auth' && d.outcome === 'mint' && d.source === 'session';
        assert.ok(e2e.since(mark).decisions.some(reminted), 'fresh cookies were minted from the session');
        assert.notEqual(await policyOf(context), first, 'fresh cookies replaced the expired ones');
        await shot(page, '01-reminted');

        // Past the session (30 min): no more re-minting; the viewer goes back to the provider,
        // whose own session (12 hours, and real time here) signs them in without the form.
        e2e.clock.offsetMs = 31 * MINUTE;
        const stats = await e2e.stats();
        mark = e2e.mark();
        const callback = page.waitForResponse((r) => new URL(r.url()).pathname === '/auth/callback');
        await e2e.visit(page, '/private/index.html');
        await callback;
        await page.waitForURL(e2e.url('/private/index.html'));
        assert.equal(await page.textContent('h1'), 'Private content');
        const { decisions } = e2e.since(mark);
        assert.equal(decisions.some(reminted), false, 'no re-mint from an ended session');
        assert.ok(decisions.some((d) => d.redirect === 'identity-provider'), JSON.stringify(decisions));
        assert.equal(decisions.filter((d) => d.route === 'callback' && d.outcome === 'mint').length, 1);
        const after = await e2e.stats();
        assert.equal(after.requests.authorization - stats.requests.authorization, 1);
        assert.equal(after.requests.interaction - stats.requests.interaction, 0, 'no login form: the provider session answered');
        await shot(page, '02-session-over-provider-signs-in');
      } finally {
        e2e.clock.offsetMs = 0;
        await context.close();
      }
    });

    test('a tampered cookie is refused by the emulator\'s own key-group check, with the function off', async () => {
      const { context, page } = await e2e.newPage();
      try {
        await e2e.signInAt(page, '/private/index.html', 'basic');
        const cookies = await cloudFrontCookies(context);

        // The function taken off the private behaviors: CloudFront's check alone.
        e2e.demo.deploy({ checkOrder: order, functions: false });
        await e2e.visit(page, '/private/index.html');
        assert.equal(await page.textContent('h1'), 'Private content');
        assert.ok((await imagesLoaded(page)).every((i) => i.ok));

        /** CloudFront's verdict on a request the page's APIRequestContext sends (no script runs). */
        const verdict = async (path) => {
          const res = await page.request.get(e2e.url(path), { maxRedirects: 0 });
          const entry = e2e.requests.findLast((r) => r.uri === path);
          assert.equal(entry.viewerRequest, undefined, 'no function ran');
          return { status: res.status(), code: entry.keyGroup?.split(':')[0] };
        };

        // Widen the policy to the whole site and offer it to /premium/, signature unchanged.
        const policy = cookies.find((c) => c.name === 'CloudFront-Policy');
        const widened = encodePolicy(decodePolicy(policy.value).replace('/private/*', '/*'));
        await context.addCookies(cookies.map((c) => ({ ...c, path: '/premium/', value: c.name === 'CloudFront-Policy' ? widened : c.value })));
        assert.deepEqual(await verdict('/premium/index.html'), { status: 403, code: 'AccessDenied' });

        // The genuine cookies, but not for this tier: AccessDenied too (Resource mismatch).
        await context.addCookies(cookies.map((c) => ({ ...c, path: '/premium/' })));
        assert.deepEqual(await verdict('/premium/index.html'), { status: 403, code: 'AccessDenied' });

        // A flipped signature character on /private/.
        const signature = cookies.find((c) => c.name === 'CloudFront-Signature');
        await context.addCookies([{ ...signature, value: flip(signature.value) }]);
        assert.deepEqual(await verdict('/private/index.html'), { status: 403, code: 'AccessDenied' });

        // A browser with that cookie and a live session: the 403 page's trip to /auth re-mints.
        await e2e.visit(page, '/private/index.html');
        assert.equal(pathOf(page), '/private/index.html');
        assert.equal(await page.textContent('h1'), 'Private content');
        await shot(page, '03-tampered-cookie-reminted-through-403-page');

        // No cookies at all.
        await context.clearCookies();
        assert.deepEqual(await verdict('/private/index.html'), { status: 403, code: 'MissingKey' });
      } finally {
        e2e.demo.deploy({ checkOrder: order });
        await context.close();
      }
    });

    test('with the function on, a tampered cookie is re-minted from the session, or without one goes back through the provider', async () => {
      const { context, page } = await e2e.newPage();
      await e2e.signInAt(page, '/private/index.html', 'basic');
      const signature = (await cloudFrontCookies(context)).find((c) => c.name === 'CloudFront-Signature');
      await context.addCookies([{ ...signature, value: flip(signature.value) }]);
      let mark = e2e.mark();
      await e2e.visit(page, '/private/index.html');
      assert.equal(pathOf(page), '/private/index.html');
      assert.equal(await page.textContent('h1'), 'Private content');
      assert.notEqual((await cloudFrontCookies(context)).find((c) => c.name === 'CloudFront-Signature').value, flip(signature.value));
      assert.deepEqual(e2e.since(mark).decisions.filter((d) => d.route === 'callback'), [], 'no new sign-in');

      await context.addCookies([{ ...signature, value: flip(signature.value) }]);
      await context.clearCookies({ name: SESSION_COOKIE });
      mark = e2e.mark();
      const callback = page.waitForResponse((r) => new URL(r.url()).pathname === '/auth/callback');
      await e2e.visit(page, '/private/index.html');
      await callback;
      await page.waitForURL(e2e.url('/private/index.html'));
      assert.equal(await page.textContent('h1'), 'Private content');
      const { decisions } = e2e.since(mark);
      const begun = decisions.find((d) => d.redirect === 'identity-provider');
      // The function saw the bad signature; CloudFront's check does not tell /auth why.
      assert.equal(begun.reason, functionFirst ? 'bad-signature' : 'missing');
      assert.equal(begun.uri, functionFirst ? '/private/index.html' : '/auth');
      assert.equal(decisions.filter((d) => d.route === 'callback' && d.outcome === 'mint').length, 1);
      await context.close();
    });
  });
}
