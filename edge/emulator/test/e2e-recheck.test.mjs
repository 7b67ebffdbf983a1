// End to end, in headless Chromium: tiers follow the identity provider. A session from the
// redirect flow is trusted for `recheckSeconds` (here 5 minutes, more than the cookies'
// refreshBeforeSeconds + windowSeconds); after that, a re-mint first refreshes at the provider
// and reads the user's groups again. A user removed from a group loses the tier, a user added
// gains it, a disabled user or a revoked refresh token is signed out, and a provider that
// cannot be reached is a 503 rather than a sign-out. The clock the handler and the emulator
// share is moved past the recheck; the provider keeps real time.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  useDemo, ORDERS, MINUTE, NO_ACCESS, SESSION_COOKIE, pathOf, pageKind, cloudFrontCookies, edgeCookies, tierPaths, policyExpiry,
} from './e2e-support.mjs';

const RECHECK_SECONDS = 300;
const e2e = useDemo({ recheckSeconds: RECHECK_SECONDS });
/** Past the recheck: every cookie minted at sign-in has expired, and the tiers are due to be read again. */
const PAST_RECHECK = 6 * MINUTE;

/** Signs `username` in on `path`, then moves the clock past the recheck. */
async function signedInThenLater(page, path, username) {
  await e2e.signInAt(page, path, username);
  e2e.clock.offsetMs = PAST_RECHECK;
}

/** After a failed recheck: back on the provider's login form, with every cookie of ours gone. */
async function assertSignedOut(page, context, mark) {
  assert.ok(await e2e.onLoginForm(page), `expected the provider's login form, at ${page.url()}: ${(await page.textContent('body')).slice(0, 200)}`);
  assert.deepEqual(await cloudFrontCookies(context), []);
  assert.equal((await edgeCookies(context)).some((c) => c.name === SESSION_COOKIE), false);
  const { decisions } = e2e.since(mark);
  const ended = decisions.find((d) => d.outcome === 'deny' && (d.reason === 'session-ended' || d.cause === 'invalid-grant'));
  assert.ok(ended, JSON.stringify(decisions));
}

for (const order of ORDERS) {
  const functionFirst = order === 'function-first';
  const shot = (page, name) => e2e.shot(page, `${order}-recheck-${name}`);

  describe(`recheck at the provider, check order: ${order}`, () => {
    before(() => e2e.demo.deploy({ checkOrder: order }));

    test('a user removed from a group loses the tier after recheckSeconds, and keeps the others', async () => {
      const { context, page } = await e2e.newPage();
      try {
        await e2e.signInAt(page, '/premium/index.html', 'premium');
        // Cookies from such a session never outlive its next check.
        for (const c of (await cloudFrontCookies(context)).filter((c) => c.name === 'CloudFront-Policy')) {
          assert.ok(policyExpiry(c.value) <= Date.now() / 1000 + RECHECK_SECONDS, `${c.path} outlives the recheck`);
        }
        await e2e.idp.setGroups('premium', []);
        e2e.clock.offsetMs = PAST_RECHECK;
        const stats = await e2e.stats();
        const mark = e2e.mark();
        const { response, state } = await e2e.visit(page, '/premium/index.html');
        assert.equal((await e2e.stats()).requests.token - stats.requests.token, 1, 'one refresh at the provider');
        assert.equal(await e2e.onLoginForm(page), false);
        assert.equal(await page.title(), 'You do not have access');
        assert.equal(pathOf(page), '/premium/index.html');
        if (functionFirst) {
          assert.equal(response.status(), 403);
          assert.equal(await pageKind(page), NO_ACCESS);
          const denied = e2e.since(mark).decisions.find((d) => d.uri === '/premium/index.html');
          assert.deepEqual([denied.reason, denied.remint], ['wrong-tier', 'session-lacks-tier']);
        } else {
          assert.equal(state, 'refused');
          assert.equal(await pageKind(page), 'access-check');
          assert.ok(await page.isVisible('#refused'));
          const minted = e2e.since(mark).decisions.find((d) => d.uri === '/auth' && d.outcome === 'mint');
          assert.deepEqual(minted.tiers, ['private'], 'the renewed session grants private only');
        }
        await shot(page, '01-group-removed-no-access');

        // The session now says private only, and /private/ still opens.
        const info = await page.request.get(e2e.url('/auth/session'));
        assert.deepEqual((await info.json()).tiers, ['private']);
        await e2e.visit(page, '/private/index.html');
        assert.equal(pathOf(page), '/private/index.html');
        assert.equal(await page.textContent('h1'), 'Private content');
        assert.equal((await e2e.stats()).requests.token - stats.requests.token, 1, 'checked once, not at every request');
      } finally {
        await e2e.idp.setGroups('premium', ['premium']);
        e2e.clock.offsetMs = 0;
        await context.close();
      }
    });

    test('a user added to a group gains the tier after recheckSeconds', async () => {
      const { context, page } = await e2e.newPage();
      try {
        await signedInThenLater(page, '/private/index.html', 'basic');
        await e2e.idp.setGroups('basic', ['premium']);
        const mark = e2e.mark();
        await e2e.visit(page, '/premium/index.html');
        assert.equal(pathOf(page), '/premium/index.html');
        assert.equal(await page.textContent('h1'), 'Premium content');
        assert.deepEqual(await tierPaths(context), ['/premium/', '/private/']);
        const { decisions } = e2e.since(mark);
        if (functionFirst) {
          const remint = decisions.find((d) => d.outcome === 'remint');
          assert.equal(remint.recheck, 'renewed');
          assert.deepEqual(remint.tiers, ['private', 'premium']);
        } else {
          assert.deepEqual(decisions.find((d) => d.uri === '/auth' && d.outcome === 'mint').tiers, ['private', 'premium']);
        }
        assert.deepEqual(decisions.filter((d) => d.route === 'callback'), [], 'no new sign-in: the refresh did it');
      } finally {
        await e2e.idp.setGroups('basic', []);
        e2e.clock.offsetMs = 0;
        await context.close();
      }
    });

    test('a disabled user is signed out at the recheck: every cookie expired, and the login form again', async () => {
      const { context, page } = await e2e.newPage();
      try {
        await signedInThenLater(page, '/private/index.html', 'basic');
        await e2e.idp.setDisabled('basic', true);
        const mark = e2e.mark();
        await e2e.visit(page, '/private/index.html');
        await assertSignedOut(page, context, mark);
        await shot(page, '02-disabled-signed-out');
      } finally {
        await e2e.idp.setDisabled('basic', false);
        e2e.clock.offsetMs = 0;
        await context.close();
      }
    });

    test('a session cookie kept past a sign-out cannot be renewed: its refresh token was revoked', async () => {
      const { context, page } = await e2e.newPage();
      try {
        await e2e.signInAt(page, '/private/index.html', 'basic');
        const kept = (await context.cookies()).find((c) => c.name === SESSION_COOKIE);
        await page.goto(e2e.url('/auth/logout'));
        await e2e.confirmSignOut(page);
        // Someone put the old session cookie back; by now the tiers are due to be read again.
        await context.addCookies([kept]);
        e2e.clock.offsetMs = PAST_RECHECK;
        const mark = e2e.mark();
        await e2e.visit(page, '/private/index.html');
        await assertSignedOut(page, context, mark);
      } finally {
        e2e.clock.offsetMs = 0;
        await context.close();
      }
    });

    test('the provider unreachable at the recheck is a 503 page with Retry-After, not a sign-out', async () => {
      const { context, page } = await e2e.newPage();
      try {
        await signedInThenLater(page, '/private/index.html', 'basic');
        await e2e.idp.setTokenEndpoint('down');
        const answered = page.waitForResponse((r) => r.status() === 503);
        await e2e.visit(page, '/private/index.html');
        const response = await answered;
        assert.equal(await e2e.onLoginForm(page), false);
        assert.ok((await edgeCookies(context)).some((c) => c.name === SESSION_COOKIE), 'the session is kept');
        assert.equal(response.headers()['retry-after'], '5');
        assert.match(response.headers()['content-type'], /^text\/html/, `a browser reads a page, not ${await page.textContent('body')}`);
        assert.equal(await page.getAttribute('.actions a.primary', 'href'), '/private/index.html');
        if (functionFirst) {
          assert.equal(new URL(response.url()).pathname, '/private/index.html');
          assert.equal(await pageKind(page), 'recheck-unavailable');
        }
        await shot(page, '03-provider-down-at-recheck');

        await e2e.idp.setTokenEndpoint('up');
        await e2e.visit(page, '/private/index.html');
        assert.equal(await page.textContent('h1'), 'Private content');
      } finally {
        await e2e.idp.setTokenEndpoint('up');
        e2e.clock.offsetMs = 0;
        await context.close();
      }
    });
  });
}
