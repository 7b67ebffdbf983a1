// The installed package's typings under a user's plain TypeScript config: `--strict`,
// `target: es2022` (and its default lib: no esnext.disposable), no `skipLibCheck`, with
// `moduleResolution` node16 (ESM and CommonJS files) and bundler. A correct consumer
// compiles; each misuse is an error on its own line.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { BIN, run, workspace } from './project.mjs';

/** @type {ReturnType<typeof workspace>} */
let space;
let project = '';

const CONSUMER = `import { Signer, Verifier, getSignedUrl, getSignedCookies, hasSignedUrlParameters, limits } from 'cloudfront-edge-auth';
import type { CloudfrontSignedCookies, CloudFrontEdgeAuthErrorCode, DenyReason, Verdict } from 'cloudfront-edge-auth';

declare const pem: string;
const base = { keyPairId: 'K2JCJMDEHXQW5F', privateKey: pem };
export const url: string = getSignedUrl({ ...base, url: 'https://d.example/a', dateLessThan: new Date() });
export const cookies: CloudfrontSignedCookies = getSignedCookies({
  ...base, url: 'https://d.example/*', dateLessThan: '2030-01-01', dateGreaterThan: 0, algorithm: 'SHA256',
});
const signer = new Signer({ ...base, strict: true });
export const publicKeyPem: string = signer.publicKeyPem;
const verdict: Verdict = new Verifier({ keys: { K2JCJMDEHXQW5F: publicKeyPem } }).verify({ url, now: Date.now() });
export const expiry: number | DenyReason = verdict.ok ? verdict.expiresAt : verdict.reason;
export const caps: number = limits().maxPemBytes + (hasSignedUrlParameters('x=1') ? 1 : 0);
export const code: CloudFrontEdgeAuthErrorCode = 'ERR_KEY_FORMAT';
signer.free();
`;

/** Each line errs by itself; the count of error lines must equal the count of lines. */
const MISUSE = [
  `getSignedUrl({ ...base, url: 'https://d.example/a', dateLessThan: true });`,
  `getSignedUrl({ ...base, url: 'https://d.example/a', dateLessThan: 1, algorithm: 'sha256' });`,
  `new Signer({ privateKey: pem });`,
  `new Verifier({ keys: { K: 42 } });`,
  `new Verifier({ keys: { K: pem } }).verify({ url: 'https://d.example/' }).expiresAt.toFixed();`,
  `const reason: DenyReason = 'nope';`,
];
const MISUSE_FILE = `import { Signer, Verifier, getSignedUrl } from 'cloudfront-edge-auth';
import type { DenyReason } from 'cloudfront-edge-auth';
declare const pem: string;
const base = { keyPairId: 'K2JCJMDEHXQW5F', privateKey: pem };
${MISUSE.join('\n')}
`;

/** A plain strict config: the target's default lib, and no skipLibCheck. */
const tsconfig = (/** @type {string} */ module, /** @type {string} */ resolution, /** @type {string[]} */ files) =>
  JSON.stringify({
    compilerOptions: {
      strict: true, target: 'es2022', module, moduleResolution: resolution, noEmit: true, types: [],
    },
    files,
  });

/** tsc's errors as { file, line, message }; empty when it passed. */
function tsc(/** @type {string} */ config) {
  try {
    run(join(BIN, 'tsc'), ['-p', config], { cwd: project });
    return [];
  } catch (error) {
    const out = /** @type {any} */ (error).stdout ?? '';
    assert.ok(out.includes('error TS'), /** @type {Error} */ (error).message);
    return [...out.matchAll(/^(\S+)\((\d+),\d+\): error (TS\d+: .*)$/gm)].map((m) => ({ file: m[1], line: Number(m[2]), message: m[3] }));
  }
}

before(() => {
  space = workspace();
  project = space.project('ts-consumer', { type: 'module' });
  writeFileSync(join(project, 'esm.mts'), CONSUMER);
  writeFileSync(join(project, 'cjs.cts'), CONSUMER);
  writeFileSync(join(project, 'bundler.ts'), CONSUMER);
  writeFileSync(join(project, 'misuse.mts'), MISUSE_FILE);
  writeFileSync(join(project, 'misuse.ts'), MISUSE_FILE);
  writeFileSync(join(project, 'tsconfig.node16.json'), tsconfig('node16', 'node16', ['esm.mts', 'cjs.cts', 'misuse.mts']));
  writeFileSync(join(project, 'tsconfig.bundler.json'), tsconfig('esnext', 'bundler', ['bundler.ts', 'misuse.ts']));
});
after(() => space?.remove());

describe('the installed typings under tsc --strict, target es2022, no skipLibCheck', () => {
  test('the typings use Symbol.dispose, which the es2022 lib lacks (what these configs exercise)', () => {
    const typings = readFileSync(join(project, 'node_modules/cloudfront-edge-auth/node/cloudfront_edge_auth.d.ts'), 'utf8');
    assert.match(typings, /\[Symbol\.dispose\]\(\): void;/);
  });

  for (const resolution of ['node16', 'bundler']) {
    test(`moduleResolution ${resolution}: a correct consumer compiles and each misuse is an error on its line`, () => {
      // One program: errors anywhere but the misuse file's own lines (our .d.ts included) fail.
      const errors = tsc(`tsconfig.${resolution}.json`);
      const shown = JSON.stringify(errors, null, 1);
      assert.ok(errors.every((e) => /^misuse\.m?ts$/.test(e.file)), shown);
      const first = MISUSE_FILE.split('\n').indexOf(MISUSE[0]) + 1;
      const lines = [...new Set(errors.map((e) => e.line))].sort((a, b) => a - b);
      assert.deepStrictEqual(lines, MISUSE.map((_, i) => first + i), shown);
    });
  }
});
