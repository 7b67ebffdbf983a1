// The installed package in Node 20 and Node 22 (Lambda's runtime), through ESM `import` and
// CommonJS `require`, and bundled by esbuild for Node: each signs a URL and cookies with an
// RSA and an ECDSA key and verifies them; node:crypto alone checks every signature.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  BIN, CONSUMER_CJS, CONSUMER_ESM, NODE22, checkConsumerOutput, consumerInput, makeKeys, run, workspace,
} from './project.mjs';

/** @type {ReturnType<typeof workspace>} */
let space;
let project = '';
const input = consumerInput(makeKeys());

before(() => {
  space = workspace();
  project = space.project('node-consumer');
  writeFileSync(join(project, 'consumer.mjs'), CONSUMER_ESM);
  writeFileSync(join(project, 'consumer.cjs'), CONSUMER_CJS);
});
after(() => space?.remove());

/** Runs a consumer file with a node binary and judges what it printed. */
function consume(/** @type {string} */ node, /** @type {string} */ file, /** @type {string} */ cwd = project) {
  const out = JSON.parse(run(node, [file], { cwd, input: JSON.stringify(input) }));
  checkConsumerOutput(out, input);
  return out;
}

describe('the installed package in Node', () => {
  for (const [name, node] of [['Node 20', process.execPath], ['Node 22', NODE22]]) {
    test(`${name}: ESM import loads the Node build's entry, signs and verifies`, () => {
      const version = run(node, ['--version']).trim();
      assert.match(version, name === 'Node 20' ? /^v20\./ : /^v22\./);
      const out = consume(node, 'consumer.mjs');
      assert.equal(out.resolved, `file://${project}/node_modules/cloudfront-edge-auth/index.mjs`);
    });

    test(`${name}: CommonJS require loads the Node build, signs and verifies`, () => {
      const out = consume(node, 'consumer.cjs');
      assert.equal(out.resolved, join(project, 'node_modules/cloudfront-edge-auth/node/cloudfront_edge_auth.js'));
    });
  }
});

describe('esbuild for Node', () => {
  const esbuild = join(BIN, 'esbuild');

  test('a CommonJS bundle runs from another folder with the Node build\'s .wasm copied beside it', () => {
    const out = join(project, 'dist-cjs');
    run(esbuild, ['consumer.mjs', '--bundle', '--platform=node', '--format=cjs', '--log-level=warning',
      `--outfile=${join(out, 'consumer.cjs')}`], { cwd: project });
    // The Node build reads `${__dirname}/cloudfront_edge_auth_bg.wasm`: the one file to ship with the bundle.
    copyFileSync(join(project, 'node_modules/cloudfront-edge-auth/node/cloudfront_edge_auth_bg.wasm'),
      join(out, 'cloudfront_edge_auth_bg.wasm'));
    const elsewhere = join(space.dir, 'deployed-cjs');
    mkdirSync(elsewhere);
    for (const file of ['consumer.cjs', 'cloudfront_edge_auth_bg.wasm']) copyFileSync(join(out, file), join(elsewhere, file));
    for (const node of [process.execPath, NODE22]) consume(node, join(elsewhere, 'consumer.cjs'), elsewhere);
  });

  test('an ESM bundle runs with the package left external (installed beside it)', () => {
    run(esbuild, ['consumer.mjs', '--bundle', '--platform=node', '--format=esm', '--log-level=warning',
      '--external:cloudfront-edge-auth', '--outfile=dist-esm/consumer.mjs'], { cwd: project });
    for (const node of [process.execPath, NODE22]) consume(node, 'dist-esm/consumer.mjs');
  });

  test('an ESM bundle with the package inside fails at load (the README says to use CommonJS or keep it external)', () => {
    run(esbuild, ['consumer.mjs', '--bundle', '--platform=node', '--format=esm', '--log-level=error',
      '--outfile=dist-esm-inlined/consumer.mjs'], { cwd: project });
    // The Node build is CommonJS and calls require (node:crypto, fs), which an ESM bundle lacks.
    assert.throws(() => run(process.execPath, ['dist-esm-inlined/consumer.mjs'], { cwd: project, input: '{}' }),
      /Dynamic require of "[\w:]+" is not supported/);
  });
});
