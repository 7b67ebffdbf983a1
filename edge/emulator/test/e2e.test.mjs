// End to end, in headless Chromium: the demo (moto as Cognito and Secrets Manager, the real
// edge handler, the CloudFront emulator) driven like a viewer would. The handler and the
// emulator share one clock, which the tests move forward to expire cookies and sessions.
// Screenshots of the key steps land in test-output/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startDemo } from '../demo/site.js';

const SHOTS = fileURLToPath(new URL('../../../test-output/e2e/', import.meta.url));
const DOCS_SHOT = fileURLToPath(new URL('../../../docs/demo.png', import.meta.url));
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** Short enough to expire within a test: 10-minute cookies from a 30-minute session. */
const COOKIES = { lifetimeSeconds: 600, refreshBeforeSeconds: 120, windowSeconds: 60, sessionLifetimeSeconds: 1800 };

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
const shot = (page, name) => page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });

/** Every <img> on the page finished loading with pixels (none refused). */
async function imagesLoaded(page) {
  await page.waitForFunction(() => [...document.images].every((img) => img.complete));
  return page.evaluate(() => [...document.images].map((img) => ({ src: img.getAttribute('src'), ok: img.naturalWidth > 0 })));
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

  await page.goto(url('/private/index.html'));
  assert.equal(pathOf(page), '/signin.html?redirect=%2Fprivate%2Findex.html&reason=missing');
  assert.match(await page.textContent('#message'), /Sign in to open \/private\/index.html/);
  await shot(page, '02-private-sends-anonymous-to-sign-in');

  // A non-browser client gets the handler's JSON instead of a redirect.
  const api = await page.request.get(url('/private/gallery/01.svg'), { headers: { accept: 'application/json' }, maxRedirects: 0 });
  assert.equal(api.status(), 401);
  assert.equal((await api.json()).reason, 'missing');
  await context.close();
});

test('a basic user signs in, sees every private file, and is refused premium', async () => {
  const { context, page } = await newPage();
  await page.goto(url('/private/index.html'));
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
  const policy = JSON.parse(Buffer.from(cookies.find((c) => c.name === 'CloudFront-Policy').value.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64'));
  assert.equal(policy.Statement[0].Resource, `https://${demo.domain}/private/*`);

  await page.goto(url('/premium/index.html'));
  assert.equal(new URL(page.url()).pathname, '/signin.html');
  assert.notEqual(await page.textContent('h1'), 'Premium content');
  // Signing in again does not help: the account has no premium tier.
  await signIn(page, users.basic);
  await page.waitForFunction(() => document.body.dataset.state === 'refused');
  assert.match(await page.textContent('#message'), /Signed in as basic, but your account cannot open \/premium\/index.html/);
  await shot(page, '04-basic-refused-premium');
  assert.equal((await page.request.get(url('/premium/media/gold.png'), { maxRedirects: 0 })).status(), 401);
  await context.close();
});

test('a premium user sees private and premium content', async () => {
  const { context, page } = await newPage();
  await page.goto(url('/premium/index.html'));
  await signIn(page, users.premium, '/premium/index.html');
  let images = await imagesLoaded(page);
  assert.equal(images.length, 5);
  assert.ok(images.every((i) => i.ok), JSON.stringify(images));
  // The video plays: its (range) requests pass the same cookie check.
  await page.waitForFunction(() => document.getElementById('clip').readyState >= 2);
  assert.ok(requests.some((r) => r.uri === '/premium/media/sunrise.webm' && r.status < 300 && r.keyGroup?.startsWith('ok')));
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
  if (process.env.UPDATE_DEMO_SCREENSHOT === '1') await page.screenshot({ path: DOCS_SHOT });
  await context.close();
});

test('signing out removes access', async () => {
  const { context, page } = await newPage();
  await page.goto(url('/private/index.html'));
  await signIn(page, users.premium, '/private/index.html');
  await page.goto(url('/'));
  await Promise.all([page.waitForURL(url('/')), page.click('#signout')]);
  assert.deepEqual(await cloudFrontCookies(context), []);
  assert.equal((await context.cookies()).some((c) => c.name.includes('edge-auth-session')), false);
  await page.waitForFunction(() => document.getElementById('status').dataset.tiers !== undefined);
  assert.match(await page.textContent('#status'), /Not signed in/);
  await page.goto(url('/premium/index.html'));
  assert.equal(new URL(page.url()).pathname, '/signin.html');
  await shot(page, '07-signed-out');
  await context.close();
});

test('expired cookies are re-minted while the session lasts, and refused after it', async () => {
  const { context, page } = await newPage();
  try {
    await page.goto(url('/private/index.html'));
    await signIn(page, users.basic, '/private/index.html');
    const policyOf = async () => (await cloudFrontCookies(context)).find((c) => c.name === 'CloudFront-Policy').value;
    const first = await policyOf();

    // Past the cookies' expiry (10 min), well inside the session (30 min).
    clock.offsetMs = 11 * 60 * 1000;
    const seen = decisions.length;
    await page.goto(url('/private/index.html'));
    assert.equal(pathOf(page), '/private/index.html');
    assert.equal(await page.textContent('h1'), 'Private content');
    const images = await imagesLoaded(page);
    assert.ok(images.every((i) => i.ok), JSON.stringify(images));
    assert.ok(decisions.slice(seen).some((d) => d.outcome === 'remint'), 'the handler re-minted');
    assert.notEqual(await policyOf(), first, 'fresh cookies replaced the expired ones');
    await shot(page, '08-reminted');

    // Past the session: no more re-minting, back to sign-in.
    clock.offsetMs = 31 * 60 * 1000;
    await page.goto(url('/private/index.html'));
    assert.equal(new URL(page.url()).pathname, '/signin.html');
    assert.match(new URL(page.url()).searchParams.get('reason'), /^(expired|missing)$/);
    await shot(page, '09-session-over');
  } finally {
    clock.offsetMs = 0;
    await context.close();
  }
});

test('a tampered cookie is refused by the emulator\'s own key-group check, with the function bypassed', async () => {
  const { context, page } = await newPage();
  try {
    await page.goto(url('/private/index.html'));
    await signIn(page, users.basic, '/private/index.html');
    const cookies = await cloudFrontCookies(context);

    // The function taken off the private behaviors: CloudFront's check alone.
    demo.deploy({ functions: false });
    await page.goto(url('/private/index.html'));
    assert.equal(await page.textContent('h1'), 'Private content');
    assert.ok((await imagesLoaded(page)).every((i) => i.ok));

    // Widen the policy to the whole site and offer it to /premium/, signature unchanged.
    const policy = cookies.find((c) => c.name === 'CloudFront-Policy');
    const widened = Buffer.from(
      Buffer.from(policy.value.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64').toString().replace('/private/*', '/*'),
    )
      .toString('base64')
      .replace(/\+/g, '-')
      .replace(/=/g, '_')
      .replace(/\//g, '~');
    await context.addCookies(cookies.map((c) => ({ ...c, path: '/premium/', value: c.name === 'CloudFront-Policy' ? widened : c.value })));
    const forged = await page.goto(url('/premium/index.html'));
    assert.equal(forged.status(), 403);
    assert.equal(
      await forged.text(),
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access denied</Message></Error>',
    );
    await shot(page, '10-tampered-policy-access-denied');

    // The genuine cookies, but not for this tier: AccessDenied too (Resource mismatch).
    await context.addCookies(cookies.map((c) => ({ ...c, path: '/premium/' })));
    assert.equal((await page.goto(url('/premium/index.html'))).status(), 403);

    // A flipped signature character on /private/.
    const signature = cookies.find((c) => c.name === 'CloudFront-Signature');
    const flipped = `${signature.value.startsWith('A') ? 'B' : 'A'}${signature.value.slice(1)}`;
    await context.addCookies([{ ...signature, value: flipped }]);
    const badSignature = await page.goto(url('/private/index.html'));
    assert.equal(badSignature.status(), 403);
    assert.match(await badSignature.text(), /<Code>AccessDenied<\/Code>/);

    // No cookies at all.
    await context.clearCookies();
    const missing = await page.goto(url('/private/index.html'));
    assert.equal(missing.status(), 403);
    assert.match(await missing.text(), /<Code>MissingKey<\/Code>/);
    assert.ok(requests.some((r) => r.keyGroup?.startsWith('AccessDenied') && r.viewerRequest === undefined), 'refused with no function run');
  } finally {
    demo.deploy();
    await context.close();
  }
});

test('with the function in front, a tampered cookie sends the browser back to sign-in', async () => {
  const { context, page } = await newPage();
  await page.goto(url('/private/index.html'));
  await signIn(page, users.basic, '/private/index.html');
  const signature = (await cloudFrontCookies(context)).find((c) => c.name === 'CloudFront-Signature');
  await context.addCookies([{ ...signature, value: `${signature.value.startsWith('A') ? 'B' : 'A'}${signature.value.slice(1)}` }]);
  await context.clearCookies({ name: /edge-auth-session/ });
  await page.goto(url('/private/index.html'));
  assert.equal(new URL(page.url()).pathname, '/signin.html');
  assert.equal(new URL(page.url()).searchParams.get('reason'), 'bad-signature');
  await context.close();
});

test('if CloudFront checked cookies before the function, viewers would see its XML instead of sign-in and re-mints', async () => {
  const { context, page } = await newPage();
  try {
    demo.deploy({ keyGroupCheck: 'before-viewer-request' });
    const anonymous = await page.goto(url('/private/index.html'));
    assert.equal(anonymous.status(), 403);
    assert.match(await anonymous.text(), /<Code>MissingKey<\/Code>/);
    await shot(page, '11-check-first-anonymous');

    // Signing in still works (/auth has no key group), and valid cookies still get through.
    await page.goto(url('/signin.html?redirect=%2Fprivate%2Findex.html'));
    await signIn(page, users.basic, '/private/index.html');
    assert.equal(await page.textContent('h1'), 'Private content');

    // But expired cookies are refused before the handler could re-mint them.
    clock.offsetMs = 11 * 60 * 1000;
    const expired = await page.goto(url('/private/index.html'));
    assert.equal(expired.status(), 403);
    assert.match(await expired.text(), /<Code>AccessDenied<\/Code>/);
  } finally {
    clock.offsetMs = 0;
    demo.deploy();
    await context.close();
  }
});
