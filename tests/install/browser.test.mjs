// The installed package bundled by esbuild for the browser (the `browser` export: the web
// build, RustCrypto), the bundle served over loopback with the web build's .wasm copied to
// `web/` beside it, and run in Chromium: it signs a URL and cookies with an RSA and an ECDSA
// key and verifies them; node:crypto alone checks every signature.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { BROWSER_APP, consumeInPage, launchChromium, serve } from './chromium.mjs';
import { BIN, checkConsumerOutput, consumerInput, makeKeys, run, workspace } from './project.mjs';

/** @type {ReturnType<typeof workspace>} */
let space;
/** @type {Awaited<ReturnType<typeof serve>>} */
let server;
/** @type {import('playwright-core').Browser} */
let browser;

before(async () => {
  space = workspace();
  const project = space.project('browser-consumer');
  writeFileSync(join(project, 'app.mjs'), BROWSER_APP);
  const site = join(project, 'site');
  run(join(BIN, 'esbuild'), ['app.mjs', '--bundle', '--platform=browser', '--format=esm', '--log-level=warning',
    '--outfile=site/app.js'], { cwd: project });
  // The bundle fetches new URL('./web/cloudfront_edge_auth_bg.wasm', import.meta.url).
  mkdirSync(join(site, 'web'));
  copyFileSync(join(project, 'node_modules/cloudfront-edge-auth/web/cloudfront_edge_auth_bg.wasm'),
    join(site, 'web/cloudfront_edge_auth_bg.wasm'));
  writeFileSync(join(site, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./app.js"></script>');
  server = await serve(site);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  space?.remove();
});

describe('esbuild for the browser, run in Chromium', () => {
  test('the bundle loads the web build with no init step, signs and verifies', async () => {
    const input = consumerInput(makeKeys());
    const { out, problems } = await consumeInPage(browser, server.origin, input);
    checkConsumerOutput(out, input);
    assert.deepStrictEqual(problems, []);
    assert.deepStrictEqual(server.requests.sort(), ['200 /', '200 /app.js', '200 /web/cloudfront_edge_auth_bg.wasm']);
  });
});
