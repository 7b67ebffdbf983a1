// The web build in a real browser: pkg/ served over loopback, Chromium driven by
// playwright-core, the page importing './browser.mjs' (top-level await, no init step).
// What the browser signs must equal what the SDK and our Node build sign in Node.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPairSync, verify } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import * as sdk from '@aws-sdk/cloudfront-signer';
import { chromium } from 'playwright-core';

import * as node from '../../pkg/index.mjs';
import { PASSPHRASE, cannedPolicy, cookieHeader, decodeCloudFrontBase64, makeRsaKey } from './support.mjs';

const PKG = resolve(dirname(fileURLToPath(import.meta.url)), '../../pkg');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const KEY_PAIR_ID = 'K2JCJMDEHXQW5F';
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>cloudfront-edge-auth browser test</title>
<script type="module">
  import { Signer, Verifier, getSignedUrl, getSignedCookies, hasSignedUrlParameters, limits } from './browser.mjs';
  window.cfea = { Signer, Verifier, getSignedUrl, getSignedCookies, hasSignedUrlParameters, limits };
</script>
<script>
  window.addEventListener('error', (e) => { window.cfeaError = String(e.message); });
</script>
`;

/** @type {ReturnType<typeof makeRsaKey>} */
let key;
let server;
let origin;
let browser;
let page;
/** Every request the page made: `status path`. */
const requests = [];
/** Console warnings and errors, page errors. */
const problems = [];

async function serve(req, res) {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (path === '/test.html') {
    requests.push(`200 ${path}`);
    res.writeHead(200, { 'content-type': TYPES['.html'] }).end(PAGE);
    return;
  }
  const file = resolve(join(PKG, path));
  const type = TYPES[extname(file)];
  try {
    if (!file.startsWith(PKG + sep) || !type) throw new Error('not served');
    const body = await readFile(file);
    requests.push(`200 ${path}`);
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  } catch {
    requests.push(`404 ${path}`);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }
}

before(async () => {
  key = makeRsaKey();
  server = createServer((req, res) => {
    serve(req, res).catch(() => res.destroy());
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  // Only loopback: anything else the page asks for is refused.
  await page.route((url) => !url.href.startsWith(origin), (route) => {
    problems.push(`off-host request: ${route.request().url()}`);
    return route.abort();
  });
  await page.goto(`${origin}/test.html`);
  await page.waitForFunction(() => window.cfea || window.cfeaError, null, { timeout: 30_000 });
  const loadError = await page.evaluate(() => window.cfeaError);
  assert.equal(loadError, undefined, `the page failed to load the package: ${loadError}`);
});

after(async () => {
  await browser?.close();
  if (server) await new Promise((ok) => server.close(ok));
});

/** Runs `fn(api, arg)` in the page; results come back through JSON so key order survives. */
async function inBrowser(fn, arg) {
  const json = await page.evaluate(
    ([source, a]) => {
      const f = new Function(`return (${source})`)();
      try {
        return JSON.stringify({ value: f(window.cfea, a) });
      } catch (e) {
        return JSON.stringify({ thrown: { isError: e instanceof Error, name: e.name, code: e.code, message: e.message } });
      }
    },
    [fn.toString(), arg],
  );
  return JSON.parse(json);
}

describe('the web build in Chromium', () => {
  test('loads browser.mjs and the web build only, wasm streamed as application/wasm', () => {
    for (const path of ['/test.html', '/browser.mjs', '/web/cloudfront_edge_auth.js', '/web/cloudfront_edge_auth_bg.wasm']) {
      assert.ok(requests.includes(`200 ${path}`), `${path} not loaded: ${requests.join(', ')}`);
    }
    assert.deepStrictEqual(requests.filter((r) => !r.startsWith('200 ') && r !== '404 /favicon.ico'), []);
    assert.deepStrictEqual(requests.filter((r) => r.includes('/node/')), [], 'the Node build must not be fetched');
    // wasm-bindgen warns and falls back when the MIME type is wrong; nothing may be logged.
    assert.deepStrictEqual(problems, []);
  });

  test('signed cookies equal the SDK and Node outputs, for every plain key form and hash', async () => {
    const cases = [];
    for (const privateKey of [key.pkcs1, key.pkcs8]) {
      for (const algorithm of [undefined, 'SHA256']) {
        const signer = { keyPairId: KEY_PAIR_ID, privateKey, ...(algorithm && { algorithm }) };
        cases.push({ ...signer, url: 'https://d.example/private/a b.png?x=\u20ac', dateLessThan: '2031-05-17T08:00:00Z' });
        cases.push({ ...signer, url: 'https://d.example/private/*', dateLessThan: 1_900_000_000_499, dateGreaterThan: 1_800_000_000_000, ipAddress: '198.51.100.0/24' });
      }
    }
    const { value } = await inBrowser(({ getSignedCookies }, all) => all.map((o) => getSignedCookies(o)), cases);
    assert.equal(value.length, cases.length);
    cases.forEach((options, i) => {
      const expected = sdk.getSignedCookies(options);
      assert.equal(JSON.stringify(value[i]), JSON.stringify(expected), `case ${i}`);
      assert.deepStrictEqual(value[i], node.getSignedCookies(options), `case ${i}`);
    });
  });

  test('Signer and getSignedUrl (Date, number and string dates) equal the SDK in Node', async () => {
    const options = { keyPairId: KEY_PAIR_ID, privateKey: key.pkcs8 };
    const url = "https://d.example/it's/caf\u00e9.mp4?a=b c&&flag";
    const { value } = await inBrowser(({ Signer, getSignedUrl }, o) => {
      const signer = new Signer({ keyPairId: o.keyPairId, privateKey: o.privateKey });
      return {
        free: getSignedUrl({ ...o, url: o.url, dateLessThan: new Date(1_900_000_000_000) }),
        signerUrl: signer.getSignedUrl({ url: o.url, dateLessThan: 1_900_000_000_000, ipAddress: '203.0.113.9' }),
        signerCookies: signer.getSignedCookies({ url: o.url, dateLessThan: '2030-01-01T00:00:00Z' }),
        keyPairId: signer.keyPairId,
      };
    }, { ...options, url });
    assert.equal(value.free, sdk.getSignedUrl({ ...options, url, dateLessThan: new Date(1_900_000_000_000) }));
    assert.equal(value.signerUrl, sdk.getSignedUrl({ ...options, url, dateLessThan: 1_900_000_000_000, ipAddress: '203.0.113.9' }));
    assert.deepStrictEqual(value.signerCookies, sdk.getSignedCookies({ ...options, url, dateLessThan: '2030-01-01T00:00:00Z' }));
    assert.equal(value.keyPairId, KEY_PAIR_ID);
  });

  test('the Verifier accepts what the browser and the SDK sign, and refuses the rest', async () => {
    const url = 'https://d.example/private/a.png';
    const sdkUrl = sdk.getSignedUrl({ keyPairId: KEY_PAIR_ID, privateKey: key.pkcs8, url, dateLessThan: 2_000_000_000_000 });
    const sdkCookie = cookieHeader(sdk.getSignedCookies({ keyPairId: KEY_PAIR_ID, privateKey: key.pkcs8, url: 'https://d.example/private/*', dateLessThan: 2_000_000_000_000, ipAddress: '198.51.100.0/24' }));
    const { value } = await inBrowser(({ Verifier, getSignedCookies }, a) => {
      const verifier = new Verifier({ keys: { [a.keyPairId]: a.publicKey } });
      const cookies = getSignedCookies({ keyPairId: a.keyPairId, privateKey: a.privateKey, url: a.url, dateLessThan: Date.now() + 3_600_000 });
      const cookie = Object.entries(cookies).map(([n, v]) => `${n}=${v}`).join('; ');
      const tampered = cookie.replace(/CloudFront-Signature=(.)/, (m, c) => m.slice(0, -1) + (c === 'A' ? 'B' : 'A'));
      const now = 1_900_000_000_000;
      return {
        own: verifier.verify({ url: a.url, cookie }),
        tampered: verifier.verify({ url: a.url, cookie: tampered }).reason,
        sdkUrl: verifier.verify({ url: a.sdkUrl, now }),
        sdkCookie: verifier.verify({ url: `${a.url}?v=2`, cookie: a.sdkCookie, clientIp: '198.51.100.20', now }),
        wrongIp: verifier.verify({ url: a.url, cookie: a.sdkCookie, clientIp: '203.0.113.1', now }).reason,
        expired: verifier.verify({ url: a.sdkUrl, now: 2_000_000_000_000 }).reason,
        missing: verifier.verify({ url: a.url }).reason,
      };
    }, { keyPairId: KEY_PAIR_ID, privateKey: key.pkcs8, publicKey: key.spki, url, sdkUrl, sdkCookie });
    assert.equal(value.own.ok, true, JSON.stringify(value.own));
    assert.equal(value.own.source, 'cookie');
    const window = { expiresAtMs: 2_000_000_000_000, notBeforeMs: null };
    assert.deepStrictEqual(value.sdkUrl, {
      ok: true, keyPairId: KEY_PAIR_ID, expiresAt: 2_000_000_000_000, source: 'url',
      policy: { kind: 'canned', resource: url, ...window, ipAddress: null },
    });
    assert.deepStrictEqual(value.sdkCookie, {
      ok: true, keyPairId: KEY_PAIR_ID, expiresAt: 2_000_000_000_000, source: 'cookie',
      policy: { kind: 'custom', resource: 'https://d.example/private/*', ...window, ipAddress: '198.51.100.0/24' },
    });
    assert.deepStrictEqual(
      [value.tampered, value.wrongIp, value.expired, value.missing],
      ['bad-signature', 'ip-mismatch', 'expired', 'missing'],
    );
  });

  test('errors are CloudFrontEdgeAuthError with a code in the browser too', async () => {
    const weak = makeRsaKey(1024).spki;
    for (const [keys, code] of [[{ [KEY_PAIR_ID]: 'not a pem' }, 'ERR_KEY_FORMAT'], [{ [KEY_PAIR_ID]: weak }, 'ERR_KEY_SIZE'], [{ 'K;1': key.spki }, 'ERR_KEY_ID']]) {
      const { thrown } = await inBrowser(({ Verifier }, k) => new Verifier({ keys: k }), keys);
      assert.deepStrictEqual({ ...thrown, message: undefined }, { isError: true, name: 'CloudFrontEdgeAuthError', code, message: undefined });
    }
    const { thrown } = await inBrowser(({ getSignedUrl }, k) => getSignedUrl({ keyPairId: 'K1', privateKey: k, url: 'https://d.example/a', dateLessThan: 'never' }), key.pkcs8);
    assert.equal(thrown.code, 'ERR_SIGN_DATE');
  });

  test('ECDSA P-256 (PKCS#8 and SEC1): the browser signs, node:crypto and both Verifiers accept', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = ec.publicKey.export({ type: 'spki', format: 'pem' });
    const url = 'https://d.example/private/a.png';
    const forms = ['pkcs8', 'sec1'].map((type) => ec.privateKey.export({ type, format: 'pem' }));
    const { value } = await inBrowser(({ Signer, Verifier }, a) => a.forms.map((privateKey) => {
      const signer = new Signer({ keyPairId: a.keyPairId, privateKey, algorithm: 'SHA256' });
      const cookies = signer.getSignedCookies({ url: a.url, dateLessThan: 2_000_000_000_000 });
      const cookie = Object.entries(cookies).map(([n, v]) => `${n}=${v}`).join('; ');
      const verdict = new Verifier({ keys: { [a.keyPairId]: a.spki } }).verify({ url: a.url, cookie, now: 1_900_000_000_000 });
      return { cookies, cookie, verdict, publicKeyPem: signer.publicKeyPem };
    }), { keyPairId: KEY_PAIR_ID, forms, spki, url });
    const policy = { kind: 'canned', resource: url, expiresAtMs: 2_000_000_000_000, notBeforeMs: null, ipAddress: null };
    const accepted = { ok: true, keyPairId: KEY_PAIR_ID, expiresAt: 2_000_000_000_000, source: 'cookie', policy };
    for (const [i, out] of value.entries()) {
      assert.equal(out.publicKeyPem, spki);
      assert.deepStrictEqual(out.verdict, accepted, `form ${i}`);
      assert.deepStrictEqual(new node.Verifier({ keys: { [KEY_PAIR_ID]: spki } }).verify({ url, cookie: out.cookie, now: 1_900_000_000_000 }), accepted);
      const der = decodeCloudFrontBase64(out.cookies['CloudFront-Signature']);
      assert.ok(der.length <= 72, `${der.length} bytes`);
      assert.ok(verify('sha256', Buffer.from(cannedPolicy(url, 2_000_000_000)), ec.publicKey, der), `form ${i}`);
    }
  });

  test('limits() and hasSignedUrlParameters() are exported by browser.mjs', async () => {
    const { value } = await inBrowser(({ limits, hasSignedUrlParameters }) => ({
      limits: limits(),
      signed: hasSignedUrlParameters('x=1&Key-Pair-Id=K'),
      plain: hasSignedUrlParameters('x=1'),
    }));
    assert.deepStrictEqual(value, { limits: node.limits(), signed: true, plain: false });
  });

  test('an ENCRYPTED PRIVATE KEY is refused with ERR_KEY_PASSPHRASE: decrypt it first', async () => {
    // The web build has no PBES2 (scrypt, PBKDF2, AES: ~170 KB of wasm) and no node:crypto.
    for (const passphrase of [PASSPHRASE, undefined]) {
      const options = { keyPairId: KEY_PAIR_ID, privateKey: key.encryptedPkcs8, ...(passphrase && { passphrase }) };
      for (const call of ['Signer', 'getSignedCookies']) {
        const { thrown } = await inBrowser(({ Signer, getSignedCookies }, a) => a.call === 'Signer'
          ? new Signer(a.options)
          : getSignedCookies({ ...a.options, url: 'https://d.example/a', dateLessThan: 1_900_000_000_000 }),
        { call, options });
        assert.equal(thrown?.name, 'CloudFrontEdgeAuthError', `${call} ${passphrase}`);
        assert.equal(thrown.code, 'ERR_KEY_PASSPHRASE');
        // The core's message (the same for every build without PBES2) says what to do.
        assert.match(thrown.message, /cannot be decrypted by this build: decrypt the key first/);
      }
    }
    // The same key and passphrase sign in Node, where node:crypto decrypts it.
    const options = { keyPairId: KEY_PAIR_ID, url: 'https://d.example/a', dateLessThan: 1_900_000_000_000 };
    assert.equal(
      node.getSignedUrl({ ...options, privateKey: key.encryptedPkcs8, passphrase: PASSPHRASE }),
      node.getSignedUrl({ ...options, privateKey: key.pkcs8 }),
    );
  });
});
