// The npm package as a user gets it: `npm pack` pkg/, install the tarball into a fresh
// project (offline: it has no dependencies), then import it from ESM and require it from
// CommonJS with no init step, and type-check a consumer against its .d.ts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import * as sdk from '@aws-sdk/cloudfront-signer';

import { PASSPHRASE, makeRsaKey } from './support.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

let dir;
let project;
let packed;
/** @type {ReturnType<typeof makeRsaKey>} */
let key;

const run = (cmd, args, options = {}) =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...options });

before(() => {
  key = makeRsaKey();
  dir = mkdtempSync(join(tmpdir(), 'cfea-package-'));
  [packed] = JSON.parse(run('npm', ['pack', './pkg', '--json', '--pack-destination', dir], { cwd: ROOT }));
  project = join(dir, 'consumer');
  run('mkdir', [project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', join(dir, packed.filename)], { cwd: project });
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// The same program twice: once as ESM, once as CommonJS. It reads a key from stdin, signs
// a URL and cookies three ways, verifies both, and prints everything as JSON.
const PROGRAM = `
const input = JSON.parse(readFileSync(0, 'utf8'));
const options = { keyPairId: 'K2JCJMDEHXQW5F', privateKey: input.privateKey, dateLessThan: input.dateLessThan };
const url = getSignedUrl({ ...options, url: input.url });
const cookies = getSignedCookies({ ...options, url: input.url });
const signer = new Signer(options);
const signerCookies = signer.getSignedCookies({ url: input.url, dateLessThan: input.dateLessThan });
const verifier = new Verifier({ keys: { K2JCJMDEHXQW5F: input.publicKey } });
const now = input.dateLessThan - 60000;
const cookie = Object.entries(cookies).map(([n, v]) => n + '=' + v).join('; ');
const caught = (f) => { try { f(); } catch (e) { return { isError: e instanceof Error, name: e.name, code: e.code }; } };
const error = caught(() => new Verifier({ keys: { K2JCJMDEHXQW5F: 'not a pem' } }));
// The encrypted PKCS#8 form: the Node build decrypts it with node:crypto (the wasm has no PBES2).
const encrypted = { ...options, privateKey: input.encryptedKey };
const encryptedUrl = getSignedUrl({ ...encrypted, passphrase: input.passphrase, url: input.url });
const encryptedSignerUrl = new Signer({ ...encrypted, passphrase: input.passphrase }).getSignedUrl({ url: input.url, dateLessThan: input.dateLessThan });
const wrongPassphrase = caught(() => new Signer({ ...encrypted, passphrase: 'wrong' }));
const noPassphrase = caught(() => getSignedUrl({ ...encrypted, url: input.url }));
console.log(JSON.stringify({
  resolved,
  url,
  cookies,
  signerCookies,
  urlVerdict: verifier.verify({ url, now }),
  cookieVerdict: verifier.verify({ url: input.url, cookie, now }),
  error,
  encryptedUrl,
  encryptedSignerUrl,
  wrongPassphrase,
  noPassphrase,
  publicKeyPem: signer.publicKeyPem,
  limits: limits(),
  signedQuery: hasSignedUrlParameters(url.slice(url.indexOf('?') + 1)),
  plainQuery: hasSignedUrlParameters('x=1'),
}));
`;

const ESM = `import { Signer, Verifier, getSignedUrl, getSignedCookies, hasSignedUrlParameters, limits } from 'cloudfront-edge-auth';
import { readFileSync } from 'node:fs';
const resolved = import.meta.resolve('cloudfront-edge-auth');
${PROGRAM}`;

const CJS = `'use strict';
const { Signer, Verifier, getSignedUrl, getSignedCookies, hasSignedUrlParameters, limits } = require('cloudfront-edge-auth');
const { readFileSync } = require('node:fs');
const resolved = require.resolve('cloudfront-edge-auth');
${PROGRAM}`;

describe('the packed npm package', () => {
  test('the tarball holds both builds, the entry points and typings, and nothing else', () => {
    const files = packed.files.map((f) => f.path).sort();
    for (const required of [
      'package.json', 'index.mjs', 'browser.mjs', 'workerd.mjs', 'edge-light.mjs', 'index.d.ts',
      'node/cloudfront_edge_auth.js', 'node/cloudfront_edge_auth_bg.wasm', 'node/cloudfront_edge_auth.d.ts', 'node/package.json',
      'web/cloudfront_edge_auth.js', 'web/cloudfront_edge_auth_bg.wasm', 'web/cloudfront_edge_auth.d.ts', 'web/package.json',
    ]) {
      assert.ok(files.includes(required), `${required} missing from ${files.join(', ')}`);
    }
    const stray = files.filter((f) => !/^(package\.json|README\.md|LICENSE[^/]*|index\.mjs|browser\.mjs|workerd\.mjs|edge-light\.mjs|index\.d\.ts|(node|web)\/[^/]+)$/.test(f));
    assert.deepStrictEqual(stray, []);
    assert.equal(packed.name, 'cloudfront-edge-auth');
    const manifest = JSON.parse(readFileSync(join(project, 'node_modules/cloudfront-edge-auth/package.json'), 'utf8'));
    assert.equal(manifest.dependencies, undefined, 'the package must have no dependencies');
  });

  /** What the ESM and CJS scripts read on stdin. */
  const inputFor = (url) => ({
    url,
    dateLessThan: 1_900_000_000_000,
    privateKey: key.pkcs8,
    publicKey: key.spki,
    encryptedKey: key.encryptedPkcs8,
    passphrase: PASSPHRASE,
  });
  for (const [kind, file, source, entry] of [
    ['ESM import', 'esm.mjs', ESM, /\/node_modules\/cloudfront-edge-auth\/index\.mjs$/],
    ['CommonJS require', 'cjs.cjs', CJS, /\/node_modules\/cloudfront-edge-auth\/node\/cloudfront_edge_auth\.js$/],
  ]) {
    test(`${kind}: signs like the SDK and verifies, with no init step`, () => {
      writeFileSync(join(project, file), source);
      const input = inputFor('https://d111111abcdef8.cloudfront.net/private/a b.png?x=1');
      const out = JSON.parse(run('node', [file], { cwd: project, input: JSON.stringify(input) }));
      assert.match(out.resolved, entry);

      const sdkOptions = { keyPairId: 'K2JCJMDEHXQW5F', privateKey: key.pkcs8, dateLessThan: input.dateLessThan, url: input.url };
      assert.equal(out.url, sdk.getSignedUrl(sdkOptions));
      assert.deepStrictEqual(out.cookies, sdk.getSignedCookies(sdkOptions));
      assert.deepStrictEqual(out.signerCookies, out.cookies);
      const ok = { ok: true, keyPairId: 'K2JCJMDEHXQW5F', expiresAt: 1_900_000_000_000 };
      // The SDK signs the normalised URL (a space becomes %20): that is the verified Resource.
      const policy = { kind: 'canned', expiresAtMs: 1_900_000_000_000, notBeforeMs: null, ipAddress: null };
      assert.deepStrictEqual(out.urlVerdict, {
        ...ok, source: 'url', policy: { ...policy, resource: 'https://d111111abcdef8.cloudfront.net/private/a%20b.png?x=1' },
      });
      assert.deepStrictEqual(out.cookieVerdict, { ...ok, source: 'cookie', policy: { ...policy, resource: input.url } });
      assert.deepStrictEqual(out.error, { isError: true, name: 'CloudFrontEdgeAuthError', code: 'ERR_KEY_FORMAT' });
      assert.equal(out.publicKeyPem, key.spki);
      assert.deepStrictEqual(out.limits, {
        maxKeysPerGroup: 5, maxUrlBytes: 8192, maxCookieHeaderBytes: 20480, maxPolicyBytes: 8192, maxPemBytes: 16384,
      });
      assert.deepStrictEqual([out.signedQuery, out.plainQuery], [true, false]);
    });

    test(`${kind}: an ENCRYPTED PRIVATE KEY with its passphrase signs as the plain key does`, () => {
      const input = inputFor('https://d111111abcdef8.cloudfront.net/private/a.png');
      const out = JSON.parse(run('node', [file], { cwd: project, input: JSON.stringify(input) }));
      assert.equal(out.encryptedUrl, out.url);
      assert.equal(out.encryptedSignerUrl, out.url);
      const passphraseError = { isError: true, name: 'CloudFrontEdgeAuthError', code: 'ERR_KEY_PASSPHRASE' };
      assert.deepStrictEqual(out.wrongPassphrase, passphraseError);
      assert.deepStrictEqual(out.noPassphrase, passphraseError);
    });
  }

  test('typings: a correct consumer type-checks under --strict, misuse does not', () => {
    const consumer = `
import { Signer, Verifier, getSignedUrl, getSignedCookies, hasSignedUrlParameters, limits } from 'cloudfront-edge-auth';
import type {
  CloudFrontEdgeAuthError, CloudFrontEdgeAuthErrorCode, CloudfrontSignedCookies, DenyReason, Limits, Verdict, VerifiedPolicy,
  CloudfrontSignInput, CloudfrontSignInputWithPolicy, CloudfrontSignedCookiesOutput, CloudfrontSignerCredentials,
} from 'cloudfront-edge-auth';

declare const pem: string;
const base = { keyPairId: 'K2JCJMDEHXQW5F', privateKey: pem };
const url: string = getSignedUrl({ ...base, url: 'https://d.example/a', dateLessThan: new Date() });
const cookies: CloudfrontSignedCookies = getSignedCookies({ ...base, url: 'https://d.example/*', dateLessThan: '2030-01-01', ipAddress: '192.0.2.0/24', algorithm: 'SHA256' });
const signature: string = cookies['CloudFront-Signature'];
// The SDK's type names, and PEM bytes (a Buffer is a Uint8Array) as the private key.
const bytes: CloudfrontSignerCredentials = { keyPairId: 'K2JCJMDEHXQW5F', privateKey: new TextEncoder().encode(pem) };
const withPolicy: CloudfrontSignInputWithPolicy = { ...bytes, policy: '{"Statement":[{"Resource":"https://d.example/*"}]}' };
const input: CloudfrontSignInput = withPolicy;
const sdkCookies: CloudfrontSignedCookiesOutput = getSignedCookies({ ...input, strict: true });
const expires: number | undefined = cookies['CloudFront-Expires'];
const signer = new Signer({ ...base, passphrase: 'secret', algorithm: 'SHA1' });
const again: string = signer.getSignedUrl({ url: 'https://d.example/a', dateLessThan: 1_900_000_000_000, dateGreaterThan: 0 });
const id: string = signer.keyPairId;
const publicKeyPem: string = signer.publicKeyPem;
const caps: Limits = limits();
const maxPem: number = caps.maxPemBytes;
const signedQuery: boolean = hasSignedUrlParameters('Expires=1&Signature=x&Key-Pair-Id=K');
declare const thrown: CloudFrontEdgeAuthError;
const code: CloudFrontEdgeAuthErrorCode = thrown.code;
const verifier = new Verifier({ keys: { K2JCJMDEHXQW5F: pem } });
const verdict: Verdict = verifier.verify({ url, cookie: 'a=b', clientIp: '192.0.2.1', now: Date.now() });
if (verdict.ok) {
  const at: number = verdict.expiresAt;
  const source: 'url' | 'cookie' = verdict.source;
  const keyPairId: string = verdict.keyPairId;
  const policy: VerifiedPolicy = verdict.policy;
  const kind: 'canned' | 'custom' = policy.kind;
  const resource: string | null = policy.resource;
  const window: [number, number | null] = [policy.expiresAtMs, policy.notBeforeMs];
  const ip: string | null = policy.ipAddress;
} else {
  const reason: DenyReason = verdict.reason;
  const message: string = verdict.message;
}

// @ts-expect-error the hash is "SHA1" or "SHA256"
getSignedUrl({ ...base, url: 'https://d.example/a', dateLessThan: 1, algorithm: 'MD5' });
// @ts-expect-error a policy and dateLessThan exclude each other, as in the SDK
getSignedUrl({ ...base, policy: '{}', dateLessThan: 1 });
// @ts-expect-error keyPairId is required
new Signer({ privateKey: pem });
// @ts-expect-error a verdict must be narrowed on ok before its expiry is read
const unchecked: number = verifier.verify({ url }).expiresAt;
// @ts-expect-error key group values are PEM strings
new Verifier({ keys: { K2JCJMDEHXQW5F: 42 } });
// @ts-expect-error dates are strings, numbers or Dates
getSignedCookies({ ...base, url: 'https://d.example/a', dateLessThan: true });
// @ts-expect-error there is no such reason
const bogus: DenyReason = 'nope';
// @ts-expect-error there is no such error code
const bogusCode: CloudFrontEdgeAuthErrorCode = 'ERR_NOPE';
// @ts-expect-error publicKeyPem is read-only
signer.publicKeyPem = pem;
`;
    writeFileSync(join(project, 'consumer.mts'), consumer);
    // The same API through require() in a CommonJS module.
    writeFileSync(join(project, 'consumer.cts'), `
import { Verifier } from 'cloudfront-edge-auth';
declare const pem: string;
const verdict = new Verifier({ keys: { K: pem } }).verify({ url: 'https://d.example/' });
const reason: string | undefined = verdict.ok ? undefined : verdict.reason;
`);
    // wasm-bindgen's classes declare [Symbol.dispose]: a consumer needs esnext.disposable in
    // its lib (the default for target esnext) or skipLibCheck.
    try {
      run('node', [TSC, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext',
        '--target', 'es2022', '--lib', 'es2022,esnext.disposable,dom', 'consumer.mts', 'consumer.cts'], { cwd: project });
    } catch (error) {
      assert.fail(`tsc failed:\n${error.stdout}${error.stderr}`);
    }
    // And the misuse lines are errors for the right reason: without their directives they fail.
    writeFileSync(join(project, 'misuse.mts'), consumer.replace(/\/\/ @ts-expect-error.*\n/g, ''));
    let output = '';
    try {
      run('node', [TSC, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext',
        '--target', 'es2022', '--lib', 'es2022,esnext.disposable,dom', 'misuse.mts'], { cwd: project });
    } catch (error) {
      output = error.stdout;
    }
    const errorLines = new Set([...output.matchAll(/misuse\.mts\((\d+),/g)].map((m) => m[1]));
    assert.equal(errorLines.size, 9, `expected 9 misuse errors:\n${output}`);
  });
});
