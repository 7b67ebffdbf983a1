// What the Chromium end-to-end files share: one demo per file (its own moto, local OpenID
// Provider, CloudFront emulator and edge handler, with a clock the tests move), one headless
// Chromium, and the few moves a viewer makes: open a URL and follow wherever the distribution
// sends the browser, sign in on the provider's own login page, sign out at the provider.
// Screenshots land in test-output/e2e/.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startDemo, CHECK_ORDERS } from '../demo/site.js';

/** Both check orders (the demo's names): each file's tests run once in each. */
export const ORDERS = Object.freeze(Object.keys(CHECK_ORDERS));
export const SHOTS = fileURLToPath(new URL('../../../test-output/e2e/', import.meta.url));
/** Short enough to expire within a test: 10-minute cookies from a 30-minute session, refreshed in their last 2. */
export const COOKIES = Object.freeze({ lifetimeSeconds: 600, refreshBeforeSeconds: 120, windowSeconds: 60, sessionLifetimeSeconds: 1800 });
export const MINUTE = 60 * 1000;
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** The handler's data-page of its page for a signed-in viewer without the tier. */
export const NO_ACCESS = 'no-access';

/**
 * Starts a demo and Chromium before the file's tests and stops them after.
 * @param {object} [options] startDemo's, over `{cookies: COOKIES}` and the shared clock and logs
 * @returns {EndToEnd} usable once the file's `before` has run
 */
export function useDemo(options = {}) {
  const e2e = new EndToEnd();
  before(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    e2e.demo = await startDemo({
      now: () => Date.now() + e2e.clock.offsetMs,
      cookies: COOKIES,
      onDecision: (d) => e2e.decisions.push(d),
      onRequest: (r) => e2e.requests.push(r),
      ...options,
    });
    e2e.idp = e2e.demo.idp;
    e2e.users = Object.fromEntries(e2e.demo.users.map((u) => [u.username, u]));
    e2e.browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await e2e.browser?.close();
    await e2e.demo?.stop();
  });
  return e2e;
}

class EndToEnd {
  constructor() {
    /** @type {Awaited<ReturnType<typeof startDemo>>} */
    this.demo = /** @type {any} */ (null);
    /** @type {import('../idp/launch.js').Idp} */
    this.idp = /** @type {any} */ (null);
    /** @type {import('playwright-core').Browser} */
    this.browser = /** @type {any} */ (null);
    /** @type {Record<string, {username: string, password: string}>} */
    this.users = {};
    /**
     * The handler's and the emulator's clock: real time plus `offsetMs`. The provider keeps
     * real time: the ID tokens it issues are judged by aws-jwt-verify and oauth4webapi against
     * the real clock, and its own session (12 hours) outlives any offset a test uses.
     */
    this.clock = { offsetMs: 0 };
    /** The handler's decision log lines and the emulator's request log lines, in order. */
    this.decisions = [];
    this.requests = [];
  }

  url(path) {
    return `${this.demo.url}${path}`;
  }

  /**
   * A fresh browser context (no cookies, no provider session) and a page in it.
   * @param {import('playwright-core').BrowserContextOptions} [options] e.g. `{javaScriptEnabled: false}`
   */
  async newPage(options = {}) {
    const context = await this.browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1100, height: 760 }, ...options });
    const page = await context.newPage();
    return { context, page };
  }

  /** Where the logs stand now, for `since`. */
  mark() {
    return { decisions: this.decisions.length, requests: this.requests.length };
  }

  /** The decision and request log lines written after `mark`. */
  since(mark) {
    return { decisions: this.decisions.slice(mark.decisions), requests: this.requests.slice(mark.requests) };
  }

  /**
   * Opens `path` as a viewer typing it would, and follows wherever the distribution sends the
   * browser (the 403 page's trip to /auth and back included).
   */
  async visit(page, path) {
    const response = await page.goto(this.url(path));
    const state = await settled(page);
    return { response, state };
  }

  /** Whether the page is the provider's login form (its URL on the provider, the form on show). */
  async onLoginForm(page) {
    const at = new URL(page.url());
    return at.origin === this.idp.issuer && at.pathname.startsWith('/interaction/') && (await page.isVisible('input[name=password]'));
  }

  /** Waits for the provider's login form, wherever the browser is on its way to it. */
  async loginForm(page) {
    await page.waitForSelector('input[name=password]');
    assert.ok(await this.onLoginForm(page), `expected the provider's login form, at ${page.url()}`);
  }

  /**
   * On the provider's login form: signs in as `username` and, given `target`, waits to land
   * back on it (then on whatever the distribution answers there).
   */
  async submitLogin(page, username, target) {
    await this.loginForm(page);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', this.users[username].password);
    await Promise.all([target ? page.waitForURL(this.url(target)) : Promise.resolve(), page.click('button[type=submit]')]);
    if (target) await settled(page);
  }

  /** Opens a private `path` with no session, signs in at the provider, and lands back on it. */
  async signInAt(page, path, username) {
    await this.visit(page, path);
    await this.submitLogin(page, username, path);
    assert.equal(pathOf(page), path);
  }

  /**
   * Signs in on the login form the page shows, as the browser's form post would, but stops
   * at the provider's redirect to the callback and returns that URL, unopened: the code is
   * unused and the flow cookie still in the browser. (Playwright's routes cannot hold a
   * request that is the end of a redirect chain, so the chain is followed by hand, with the
   * context's own cookies.)
   */
  async callbackUrl(page, username) {
    await this.loginForm(page);
    let at = new URL(/** @type {string} */ (await page.locator('form').getAttribute('action')), page.url()).href;
    let response = await page.request.post(at, { form: { username, password: this.users[username].password }, maxRedirects: 0 });
    for (let hops = 0; hops < 5; hops += 1) {
      assert.ok([302, 303].includes(response.status()), `the provider answered ${response.status()} at ${at}`);
      at = new URL(response.headers().location, at).href;
      if (at.startsWith(this.url('/auth/callback?'))) return at;
      response = await page.request.get(at, { maxRedirects: 0 });
    }
    throw new Error(`no redirect to the callback, last at ${at}`);
  }

  /** On the provider's sign-out confirmation: confirms, and lands on the site's home page. */
  async confirmSignOut(page) {
    await page.waitForSelector('button[type=submit]');
    assert.equal(new URL(page.url()).origin, this.idp.issuer);
    assert.equal((await page.textContent('button[type=submit]')).trim(), 'Sign out');
    await Promise.all([page.waitForURL(this.url('/')), page.click('button[type=submit]')]);
  }

  /** The provider's request counters and revocations, now. */
  stats() {
    return this.idp.stats();
  }

  /** Screenshot into test-output/e2e/, named by check order, file and step. */
  shot(page, name) {
    return page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
  }
}

/** The page's path and query. */
export const pathOf = (page) => {
  const u = new URL(page.url());
  return u.pathname + u.search;
};

/**
 * Waits until the browser has left the 403 page's trip to /auth and back (if it is on one):
 * returns the page's state, `refused` when it stopped on the 403 page's error, else `done`.
 * @param {import('playwright-core').Page} page
 */
export async function settled(page) {
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

/**
 * A sign-in link (`/auth/login?...`) as what it asks for, whatever the order of its parameters:
 * `redirect` is the home page when the link leaves it out.
 * @param {string | null} href
 */
export function loginLink(href) {
  const link = new URL(String(href), 'https://site.invalid');
  return { path: link.pathname, redirect: link.searchParams.get('redirect') ?? '/', prompt: link.searchParams.get('prompt') };
}

/** `<html data-page>`: which generated or error page this is (undefined on content pages). */
export const pageKind = (page) => page.evaluate(() => document.documentElement.dataset.page);

/** Every <img> on the page finished loading with pixels (none refused). */
export async function imagesLoaded(page) {
  await page.waitForFunction(() => [...document.images].every((img) => img.complete));
  return page.evaluate(() => [...document.images].map((img) => ({ src: img.getAttribute('src'), ok: img.naturalWidth > 0 })));
}

/**
 * The "Sign in" / "Sign out" links the site header shows, once the page has asked
 * /auth/session (session.js sets `<html data-session>`).
 */
export async function headerSignLinks(page) {
  await page.waitForFunction(() => document.documentElement.dataset.session !== undefined);
  return page.evaluate(() =>
    [...document.querySelectorAll('header a')]
      .filter((a) => a.checkVisibility() && /^Sign (in|out)$/.test(a.textContent.trim()))
      .map((a) => a.textContent.trim()),
  );
}

export async function cloudFrontCookies(context) {
  return (await context.cookies()).filter((c) => c.name.startsWith('CloudFront-'));
}

/** The handler's own cookies (session, re-mint guard, sign-ins in progress). */
export async function edgeCookies(context) {
  return (await context.cookies()).filter((c) => c.name.startsWith('__Host-edge-auth-'));
}

export const SESSION_COOKIE = '__Host-edge-auth-session';
export const FLOW_COOKIE_PREFIX = '__Host-edge-auth-flow-';

/** The paths of the CloudFront cookie sets the browser holds, sorted. */
export async function tierPaths(context) {
  return [...new Set((await cloudFrontCookies(context)).map((c) => c.path))].sort();
}

export const decodePolicy = (value) => Buffer.from(value.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64').toString();
export const encodePolicy = (text) => Buffer.from(text).toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
export const policyExpiry = (value) => JSON.parse(decodePolicy(value)).Statement[0].Condition.DateLessThan['AWS:EpochTime'];
export const flip = (value) => `${value.startsWith('A') ? 'B' : 'A'}${value.slice(1)}`;
