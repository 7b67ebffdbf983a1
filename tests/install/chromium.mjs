// A bundled site served over loopback and run in Chromium (Debian's, through playwright-core):
// the page's script sets `window.consume` (project.mjs's consumer program), which the test
// calls with an input and whose output node:crypto then judges.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';

import { chromium } from 'playwright-core';

import { CONSUME } from './project.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
/** @type {Record<string, string>} */
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };

/** The browser half of the consumer program: no stdin, no node:fs. */
export const BROWSER_APP = `import { Signer, Verifier, getSignedUrl, getSignedCookies } from 'cloudfront-edge-auth';
${CONSUME}
window.consume = (input) => consume(input, null);
`;

/** @returns {Promise<import('playwright-core').Browser>} */
export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
}

/**
 * Serves the files of `dir` on a loopback port, `/` being index.html; records `status path`
 * of every request, so a test can tell which files the page fetched.
 * @param {string} dir
 */
export async function serve(dir) {
  /** @type {string[]} */
  const requests = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    try {
      const body = readFileSync(join(dir, path === '/' ? 'index.html' : path.replace(/\.\.+/g, '')));
      requests.push(`200 ${path}`);
      res.writeHead(200, { 'content-type': TYPES[extname(path) || '.html'] ?? 'application/octet-stream' }).end(body);
    } catch {
      requests.push(`404 ${path}`);
      res.writeHead(404).end();
    }
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', () => done(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    origin: `http://127.0.0.1:${address.port}`,
    requests,
    close: () => new Promise((done) => server.close(() => done(undefined))),
  };
}

/**
 * Opens `origin` in a new page, waits for `window.consume` and calls it with `input`.
 * Returns its output and every page error, console error and console warning.
 * @param {import('playwright-core').Browser} browser @param {string} origin @param {object} input
 */
export async function consumeInPage(browser, origin, input) {
  const page = await browser.newPage();
  /** @type {string[]} */
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
  try {
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => typeof (/** @type {any} */ (window)).consume === 'function', null, { timeout: 15_000 })
      .catch((error) => { throw new Error(`window.consume never came: ${problems.join('\n') || error.message}`); });
    const out = await page.evaluate((i) => (/** @type {any} */ (window)).consume(i), input);
    return { out, problems };
  } finally {
    await page.close();
  }
}
