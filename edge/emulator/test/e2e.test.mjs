// End to end, in headless Chromium: the demo (moto as Cognito and Secrets Manager, the real
// edge handler, the distribution of deploy/template.yaml in the CloudFront emulator) driven
// like a viewer would, once in each check order: the viewer-request function before
// CloudFront's trusted-key-group check, and CloudFront's check first (refusals then reach the
// viewer as the distribution's 403 page, which takes the browser to /auth and back). A viewer
// must see the same flow in both. The handler and the emulator share one clock, which the
// tests move forward to expire cookies and sessions. Screenshots land in test-output/e2e/.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startDemo, CHECK_ORDERS } from '../demo/site.js';

const SHOTS = fileURLToPath(new URL('../../../test-output/e2e/', import.meta.url));
const DOCS_SHOT = fileURLToPath(new URL('../../../docs/demo.png', import.meta.url));
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** Short enough to expire within a test: 10-minute cookies from a 30-minute session, refreshed in their last 2. */
const COOKIES = { lifetimeSeconds: 600, refreshBeforeSeconds: 120, windowSeconds: 60, sessionLifetimeSeconds: 1800 };
const MINUTE = 60 * 1000;

const clock = { offsetMs: 0 };
const decisions = [];
const requests = [];
let demo;
let browser;
let users;

before(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  demo = await startDemo({
    now: () => Date.now() + clock.offsetMs,
    cookies: COOKIES,
    onDecision: (d) => decisions.push(d),
    onRequest: (r) => requests.push(r),
  });
  users = Object.fromEntries(demo.users.map((u) => [u.username, u]));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await demo?.stop();
});

async function newPage() {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1100, height: 760 } });
  const page = await context.newPage();
  return { context, page };
}

const url = (path) => `${demo.url}${path}`;
const pathOf = (page) => {
  const u = new URL(page.url());
  return u.pathname + u.search;
};

/** Every <img> on the page finished loading with pixels (none refused). */
async function imagesLoaded(page) {
  await page.waitForFunction(() => [...document.images].every((img) => img.complete));
  return page.evaluate(() => [...document.images].map((img) => ({ src: img.getAttribute('src'), ok: img.naturalWidth > 0 })));
}

/**
 * Waits until the browser has left the 403 page's trip to /auth and back (if it is on one):
 * returns the page's state, `refused` when it stopped on the 403 page's error, else `done`.
 */
async function settled(page) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await page.waitForLoadState('load');
      const state = await page.evaluate(() => document.documentElement.dataset.state ?? 'done');
      if (state !== 'redirecting' && state !== 'checking') return state;
    } catch (error) {
      // The page navigated while we asked.
      if (!/destroyed|navigat/i.test(String(error?.message))) throw error;
    }
    if (Date.now() > deadline) throw new Error(`still redirecting at ${page.url()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Opens `path` as a viewer typing it would, and follows wherever the distribution sends the browser. */
async function visit(page, path) {
  const response = await page.goto(url(path));
  const state = await settled(page);
  return { response, state };
}

/** From the sign-in page the handler sent us to: sign in and land on `target`. */
async function signIn(page, { username, password }, target) {
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await Promise.all([target ? page.waitForURL(url(target)) : Promise.resolve(), page.click('button[type=submit]')]);
}

async function cloudFrontCookies(context) {
  return (await context.cookies()).filter((c) => c.name.startsWith('CloudFront-'));
}

const decodePolicy = (value) => Buffer.from(value.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64').toString();
const flip = (value) => `${value.startsWith('A') ? 'B' : 'A'}${value.slice(1)}`;

for (const order of Object.keys(CHECK_ORDERS)) {
  const functionFirst = order === 'function-first';
  const shot = (page, name) => page.screenshot({ path: `${SHOTS}${order}-${name}.png`, fullPage: true });

  describe(`check order: ${order}`, () => {
    before(() => demo.deploy({ checkOrder: order }));

    test('an anonymous viewer gets public content and is sent to sign-in for private content', async () => {
      const { context, page } = await newPage();
      await page.goto(url('/'));
      await page.waitForFunction(() => document.getElementById('status').dataset.tiers !== undefined);
      assert.match(await page.textContent('#status'), /Not signed in/);
      await shot(page, '01-home-anonymous');

      await page.click('#to-public');
      await page.waitForURL(url('/public/index.html'));
      const images = await imagesLoaded(page);
      assert.equal(images.length, 3);
      assert.ok(images.every((i) => i.ok), JSON.stringify(images));

      await visit(page, '/private/index.html');
      assert.equal(pathOf(page), '/signin.html?redirect=%2Fprivate%2Findex.html&reason=missing');
      assert.match(await page.textContent('#message'), /Sign in to open \/private\/index.html/);
      await shot(page, '02-private-sends-anonymous-to-sign-in');

      // What the distribution answered before any script ran: the function's redirect, or
      // CloudFront's refusal carrying the 403 page (which then took the browser to /auth).
      const first = await page.request.get(url('/private/index.html'), { headers: { accept: 'text/html' }, maxRedirects: 0 });
      const api = await page.request.get(url('/private/gallery/01.svg'), { headers: { accept: 'application/json' }, maxRedirects: 0 });
      if (functionFirst) {
        assert.equal(first.status(), 302);
        assert.equal(first.headers().location, '/signin.html?redirect=%2Fprivate%2Findex.html&reason=missing');
        // A non-browser client gets the handler's JSON instead of a redirect.
        assert.equal(api.status(), 401);
        assert.equal((await api.json()).reason, 'missing');
      } else {
        assert.equal(first.status(), 403);
        assert.equal(first.headers()['content-type'], 'text/html');
        assert.equal(first.headers()['x-cache'], 'Error from cloudfront');
        assert.match(await first.text(), /<title>Checking your access<\/title>/);
        // An API client gets CloudFront's 403 (with the page as body): it never reaches the function.
        assert.equal(api.status(), 403);
        const refusal = requests.findLast((r) => r.uri === '/private/gallery/01.svg');
        assert.match(refusal.keyGroup, /^MissingKey/);
        assert.equal(refusal.viewerRequest, undefined);
        assert.equal(refusal.customErrorResponse.page, '/errors/403.html [*]');
      }
      await context.close();
    });

    test('a basic user signs in, sees every private file, and is refused premium', async () => {
      const { context, page } = await newPage();
      await visit(page, '/private/index.html');
      await signIn(page, users.basic, '/private/index.html');
      const images = await imagesLoaded(page);
      assert.equal(images.length, 9);
      assert.ok(images.every((i) => i.ok), JSON.stringify(images));
      await shot(page, '03-basic-private');

      const cookies = await cloudFrontCookies(context);
      assert.deepEqual(cookies.map((c) => c.name).sort(), ['CloudFront-Key-Pair-Id', 'CloudFront-Policy', 'CloudFront-Signature']);
      for (const c of cookies) {
        assert.equal(c.path, '/private/');
        assert.equal(c.httpOnly, true);
        assert.equal(c.secure, true);
        assert.equal(c.sameSite, 'Lax');
      }
      const policy = JSON.parse(decodePolicy(cookies.find((c) => c.name === 'CloudFront-Policy').value));
      assert.equal(policy.Statement[0].Resource, `https://${demo.domain}/private/*`);

      const authCalls = () => requests.filter((r) => r.uri === '/auth').length;
      const before = authCalls();
      const { state } = await visit(page, '/premium/index.html');
      assert.notEqual(await page.textContent('h1'), 'Premium content');
      if (functionFirst) {
        assert.equal(new URL(page.url()).pathname, '/signin.html');
      } else {
        // One round trip to /auth (the session re-mints private only), then the 403 page stops.
        assert.equal(state, 'refused');
        assert.equal(pathOf(page), '/premium/index.html');
        assert.equal(await page.textContent('#refused h1'), 'You do not have access');
        assert.ok(await page.isVisible('#refused'));
        assert.equal(await page.textContent('#url'), '/premium/index.html');
        assert.equal(authCalls() - before, 1);
        await shot(page, '04a-basic-premium-403-page');
        // Its sign-in link signs out first, so /auth sends the viewer to sign-in.
        await Promise.all([page.waitForURL((u) => u.pathname === '/signin.html'), page.click('#sign-in')]);
        assert.equal(pathOf(page), '/signin.html?redirect=%2Fpremium%2Findex.html&reason=missing');
      }
      // Signing in again does not help: the account has no premium tier.
      await signIn(page, users.basic);
      await page.waitForFunction(() => document.body.dataset.state === 'refused');
      assert.match(await page.textContent('#message'), /Signed in as basic, but your account cannot open \/premium\/index.html/);
      await shot(page, '04-basic-refused-premium');
      assert.equal((await page.request.get(url('/premium/media/gold.png'), { maxRedirects: 0 })).status(), functionFirst ? 401 : 403);
      await context.close();
    });

    test('a premium user sees private and premium content', async () => {
      const { context, page } = await newPage();
      const start = requests.length;
      await visit(page, '/premium/index.html');
      await signIn(page, users.premium, '/premium/index.html');
      let images = await imagesLoaded(page);
      assert.equal(images.length, 5);
      assert.ok(images.every((i) => i.ok), JSON.stringify(images));
      // The video plays: its (range) requests pass the same cookie check.
      await page.waitForFunction(() => document.getElementById('clip').readyState >= 2);
      assert.ok(requests.slice(start).some((r) => r.uri === '/premium/media/sunrise.webm' && r.status < 300 && r.keyGroup?.startsWith('ok')));
      await shot(page, '05-premium-premium');

      await page.click('header nav a[href="/private/index.html"]');
      await page.waitForURL(url('/private/index.html'));
      images = await imagesLoaded(page);
      assert.ok(images.every((i) => i.ok), JSON.stringify(images));
      const paths = new Set((await cloudFrontCookies(context)).map((c) => c.path));
      assert.deepEqual([...paths].sort(), ['/premium/', '/private/']);

      await page.goto(url('/'));
      await page.waitForFunction(() => document.getElementById('status').dataset.tiers !== undefined);
      assert.match(await page.textContent('#status'), /CloudFront cookies for: private, premium/);
      await shot(page, '06-home-premium');
      if (functionFirst && process.env.UPDATE_DEMO_SCREENSHOT === '1') await page.screenshot({ path: DOCS_SHOT });
      await context.close();
    });

    test('signing out removes access', async () => {
      const { context, page } = await newPage();
      await visit(page, '/private/index.html');
      await signIn(page, users.premium, '/private/index.html');
      await page.goto(url('/'));
      await Promise.all([page.waitForURL(url('/')), page.click('#signout')]);
      assert.deepEqual(await cloudFrontCookies(context), []);
      assert.equal((await context.cookies()).some((c) => c.name.includes('edge-auth-session')), false);
      await page.waitForFunction(() => document.getElementById('status').dataset.tiers !== undefined);
      assert.match(await page.textContent('#status'), /Not signed in/);
      await visit(page, '/premium/index.html');
      assert.equal(pathOf(page), '/signin.html?redirect=%2Fpremium%2Findex.html&reason=missing');
      await shot(page, '07-signed-out');
      await context.close();
    });

    test('cookies close to expiry are refreshed on the way, without leaving the page', async () => {
      const { context, page } = await newPage();
      try {
        await visit(page, '/private/index.html');
        await signIn(page, users.basic, '/private/index.html');
        const first = (await cloudFrontCookies(context)).find((c) => c.name === 'CloudFront-Policy').value;

        // Still valid for a minute (10-minute cookies, refreshed in their last 2): both checks
        // pass, and the function swaps in fresh cookies with a redirect to the same URL.
        clock.offsetMs = 9 * MINUTE;
        const seen = decisions.length;
        await visit(page, '/private/index.html');
        assert.equal(pathOf(page), '/private/index.html');
        assert.equal(await page.textContent('h1'), 'Private content');
        assert.ok((await imagesLoaded(page)).every((i) => i.ok));
        assert.ok(decisions.slice(seen).some((d) => d.outcome === 'remint'), 'the handler refreshed the cookies');
        const fresh = (await cloudFrontCookies(context)).find((c) => c.name === 'CloudFront-Policy').value;
        assert.notEqual(fresh, first);
        const expiry = (value) => JSON.parse(decodePolicy(value)).Statement[0].Condition.DateLessThan['AWS:EpochTime'];
        assert.ok(expiry(fresh) > expiry(first));
      } finally {
        clock.offsetMs = 0;
        await context.close();
      }
    });

    test('expired cookies are re-minted while the session lasts, and refused after it', async () => {
      const { context, page } = await newPage();
      try {
        await visit(page, '/private/index.html');
        await signIn(page, users.basic, '/private/index.html');
        const policyOf = async () => (await cloudFrontCookies(context)).find((c) => c.name === 'CloudFront-Policy').value;
        const first = await policyOf();

        // Past the cookies' expiry (10 min), well inside the session (30 min).
        clock.offsetMs = 11 * MINUTE;
        const seen = decisions.length;
        await visit(page, '/private/index.html');
        assert.equal(pathOf(page), '/private/index.html');
        assert.equal(await page.textContent('h1'), 'Private content');
        const images = await imagesLoaded(page);
        assert.ok(images.every((i) => i.ok), JSON.stringify(images));
        // The function re-mints in front of CloudFront's check; behind it, the 403 page's trip
        // to /auth does (a mint from the session).
        const reminted = functionFirst
          ? (d) => d.outcome === 'remint'
          : (d) => d.class === 'auth' && d.outcome === 'mint' && d.source === 'session';
        assert.ok(decisions.slice(seen).some(reminted), 'fresh cookies were minted from the session');
        assert.notEqual(await policyOf(), first, 'fresh cookies replaced the expired ones');
        await shot(page, '08-reminted');

        // Past the session: no more re-minting, back to sign-in.
        clock.offsetMs = 31 * MINUTE;
        await visit(page, '/private/index.html');
        assert.equal(new URL(page.url()).pathname, '/signin.html');
        assert.match(new URL(page.url()).searchParams.get('reason'), /^(expired|missing)$/);
        await shot(page, '09-session-over');
      } finally {
        clock.offsetMs = 0;
        await context.close();
      }
    });

    test('a tampered cookie is refused by the emulator\'s own key-group check, with the function off', async () => {
      const { context, page } = await newPage();
      try {
        await visit(page, '/private/index.html');
        await signIn(page, users.basic, '/private/index.html');
        const cookies = await cloudFrontCookies(context);

        // The function taken off the private behaviors: CloudFront's check alone.
        demo.deploy({ checkOrder: order, functions: false });
        await visit(page, '/private/index.html');
        assert.equal(await page.textContent('h1'), 'Private content');
        assert.ok((await imagesLoaded(page)).every((i) => i.ok));

        /** CloudFront's verdict on a request the page's APIRequestContext sends (no script runs). */
        const verdict = async (path) => {
          const res = await page.request.get(url(path), { maxRedirects: 0 });
          const entry = requests.findLast((r) => r.uri === path);
          assert.equal(entry.viewerRequest, undefined, 'no function ran');
          return { status: res.status(), code: entry.keyGroup?.split(':')[0] };
        };

        // Widen the policy to the whole site and offer it to /premium/, signature unchanged.
        const policy = cookies.find((c) => c.name === 'CloudFront-Policy');
        const widened = Buffer.from(decodePolicy(policy.value).replace('/private/*', '/*'))
          .toString('base64')
          .replace(/\+/g, '-')
          .replace(/=/g, '_')
          .replace(/\//g, '~');
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
        await visit(page, '/private/index.html');
        assert.equal(pathOf(page), '/private/index.html');
        assert.equal(await page.textContent('h1'), 'Private content');
        await shot(page, '10-tampered-cookie-reminted-through-403-page');

        // No cookies at all.
        await context.clearCookies();
        assert.deepEqual(await verdict('/private/index.html'), { status: 403, code: 'MissingKey' });
      } finally {
        demo.deploy({ checkOrder: order });
        await context.close();
      }
    });

    test('with the function on, a tampered cookie is re-minted from the session, or sends the browser to sign-in', async () => {
      const { context, page } = await newPage();
      await visit(page, '/private/index.html');
      await signIn(page, users.basic, '/private/index.html');
      const signature = (await cloudFrontCookies(context)).find((c) => c.name === 'CloudFront-Signature');
      await context.addCookies([{ ...signature, value: flip(signature.value) }]);
      await visit(page, '/private/index.html');
      assert.equal(pathOf(page), '/private/index.html');
      assert.equal(await page.textContent('h1'), 'Private content');
      assert.notEqual((await cloudFrontCookies(context)).find((c) => c.name === 'CloudFront-Signature').value, flip(signature.value));

      await context.addCookies([{ ...signature, value: flip(signature.value) }]);
      await context.clearCookies({ name: /edge-auth-session/ });
      await visit(page, '/private/index.html');
      assert.equal(new URL(page.url()).pathname, '/signin.html');
      // The function saw the bad signature; CloudFront's check does not tell /auth why.
      assert.equal(new URL(page.url()).searchParams.get('reason'), functionFirst ? 'bad-signature' : 'missing');
      await context.close();
    });

    test('a missing object is a 404, never the sign-in flow', async () => {
      const { context, page } = await newPage();
      const publicMiss = await page.request.get(url('/public/nope.html'), { maxRedirects: 0 });
      assert.equal(publicMiss.status(), 404);
      assert.match(await publicMiss.text(), /<Code>NoSuchKey<\/Code>/);

      await visit(page, '/private/index.html');
      await signIn(page, users.basic, '/private/index.html');
      const { response, state } = await visit(page, '/private/nope.html');
      assert.equal(response.status(), 404);
      assert.equal(state, 'done');
      assert.equal(pathOf(page), '/private/nope.html');
      assert.match(await response.text(), /<Code>NoSuchKey<\/Code>/);
      await context.close();
    });
  });
}
