// The installed package in Bun and Deno (both from npm, dev dependencies of the repository):
// each picks the `node` export (Bun also through `require`), so the Node build runs on the
// runtime's own node:crypto. The same consumer program as in Node; node:crypto here checks
// every signature it printed.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { BIN, CONSUMER_CJS, CONSUMER_ESM, checkConsumerOutput, consumerInput, makeKeys, run, workspace } from './project.mjs';

/** @type {ReturnType<typeof workspace>} */
let space;
let project = '';
const input = consumerInput(makeKeys());

before(() => {
  space = workspace();
  project = space.project('runtime-consumer');
  writeFileSync(join(project, 'consumer.mjs'), CONSUMER_ESM);
  writeFileSync(join(project, 'consumer.cjs'), CONSUMER_CJS);
  // Deno's own specifier for npm packages; with a package.json beside it, Deno reads the
  // installed node_modules and fetches nothing.
  writeFileSync(join(project, 'npm-specifier.mjs'),
    CONSUMER_ESM.replace("from 'cloudfront-edge-auth';", "from 'npm:cloudfront-edge-auth';"));
});
after(() => space?.remove());

/** Runs a consumer with a runtime and judges what it printed. */
function consume(/** @type {string} */ cmd, /** @type {string[]} */ args) {
  const env = { ...process.env, DENO_DIR: join(space.dir, 'deno'), DENO_NO_UPDATE_CHECK: '1', BUN_INSTALL_CACHE_DIR: join(space.dir, 'bun') };
  const out = JSON.parse(run(cmd, args, { cwd: project, input: JSON.stringify(input), env }));
  checkConsumerOutput(out, input);
  return out;
}

const ENTRY = 'node_modules/cloudfront-edge-auth/index.mjs';

describe('the installed package in Bun', () => {
  const bun = join(BIN, 'bun');

  test('ESM import gets the Node build, signs and verifies', () => {
    assert.match(run(bun, ['--version']), /^1\./);
    assert.equal(consume(bun, ['consumer.mjs']).resolved, `file://${join(project, ENTRY)}`);
  });

  test('CommonJS require gets the Node build, signs and verifies', () => {
    const out = consume(bun, ['consumer.cjs']);
    assert.equal(out.resolved, join(project, 'node_modules/cloudfront-edge-auth/node/cloudfront_edge_auth.js'));
  });
});

describe('the installed package in Deno', () => {
  const deno = join(BIN, 'deno');

  for (const [how, file] of [['a bare specifier', 'consumer.mjs'], ['an npm: specifier', 'npm-specifier.mjs']]) {
    test(`${how}: the Node build with --allow-read (for its .wasm), signs and verifies`, () => {
      assert.equal(consume(deno, ['run', '--allow-read', file]).resolved, `file://${join(project, ENTRY)}`);
    });
  }

  test('without --allow-read, the Node build cannot read its .wasm', () => {
    assert.throws(() => consume(deno, ['run', 'consumer.mjs']), /Requires read access to .*cloudfront_edge_auth_bg\.wasm/);
  });
});
