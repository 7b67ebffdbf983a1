// The installed package bundled by esbuild for the browser (the `browser` export: the web
// build, RustCrypto), the bundle served over loopback with the web build's .wasm copied to
// `web/` beside it, and run in Chromium: it signs a URL and cookies with an RSA and an ECDSA
// key and verifies them; node:crypto alone checks every signature.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { chromium } from 'playwright-core';

import { BIN, checkConsumerOutput, consumerInput, makeKeys, run, workspace } from './project.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

// The browser half of the consumer program (project.mjs's, without stdin and node:fs).
const APP = `import { Signer, Verifier, getSignedUrl, getSignedCookies } from 'cloudfront-edge-auth';
window.consume = (input) => {
  const out = { resolved: null };
  for (const [kind, key] of Object.entries(input.keys)) {
    const base = { keyPairId: input.keyPairId, privateKey: key.privateKey };
    const url = getSignedUrl({ ...base, url: input.url, dateLessThan: input.dateLessThan });
    const cookies = getSignedCookies({
      ...base, url: input.resource, dateLessThan: input.dateLessThan, dateGreaterThan: input.dateGreaterThan,
    });
    const verifier = new Verifier({ keys: { [input.keyPairId]: key.publicKey } });
    const cookie = Object.entries(cookies).map(([n, v]) => n + '=' + v).join('; ');
    out[kind] = {
      url, cookies, publicKeyPem: new Signer(base).publicKeyPem,
      urlVerdict: verifier.verify({ url, now: input.now }),
      cookieVerdict: verifier.verify({ url: input.url, cookie, now: input.now }),
      otherPath: verifier.verify({ url: url.replace('/movie.mp4', '/other.mp4'), now: input.now }),
    };
  }
  try { new Verifier({ keys: { K: 'not a pem' } }); } catch (e) { out.error = { isError: e instanceof Error, name: e.name, code: e.code }; }
  return out;
};
`;

/** @type {ReturnType<typeof workspace>} */
let space;
/** @type {import('node:http').Server} */
let server;
/** @type {import('playwright-core').Browser} */
let browser;
let origin = '';
let site = '';
/** `status path` of every request the page made. */
const requests = [];

before(async () => {
  space = workspace();
  const project = space.project('browser-consumer');
  writeFileSync(join(project, 'app.mjs'), APP);
  site = join(project, 'site');
  run(join(BIN, 'esbuild'), ['app.mjs', '--bundle', '--platform=browser', '--format=esm', '--log-level=warning',
    '--outfile=site/app.js'], { cwd: project });
  // The bundle fetches new URL('./web/cloudfront_edge_auth_bg.wasm', import.meta.url).
  mkdirSync(join(site, 'web'));
  copyFileSync(join(project, 'node_modules/cloudfront-edge-auth/web/cloudfront_edge_auth_bg.wasm'),
    join(site, 'web/cloudfront_edge_auth_bg.wasm'));
  writeFileSync(join(site, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./app.js"></script>');
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    try {
      const body = readFileSync(join(site, path === '/' ? 'index.html' : path.replace(/\.\.+/g, '')));
      requests.push(`200 ${path}`);
      res.writeHead(200, { 'content-type': TYPES[extname(path) || '.html'] ?? 'application/octet-stream' }).end(body);
    } catch {
      requests.push(`404 ${path}`);
      res.writeHead(404).end();
    }
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', () => done(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  origin = `http://127.0.0.1:${address.port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
  space?.remove();
});

describe('esbuild for the browser, run in Chromium', () => {
  test('the bundle loads the web build with no init step, signs and verifies', async () => {
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => typeof (/** @type {any} */ (window)).consume === 'function', null, { timeout: 15_000 });
    const input = consumerInput(makeKeys());
    const out = await page.evaluate((i) => (/** @type {any} */ (window)).consume(i), input);
    checkConsumerOutput(out, input);
    assert.deepStrictEqual(problems, []);
    assert.deepStrictEqual(requests.sort(), ['200 /', '200 /app.js', '200 /web/cloudfront_edge_auth_bg.wasm']);
    await page.close();
  });
});
