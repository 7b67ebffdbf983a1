// The ```js examples of pkg/README.md, run against the installed package: a block that
// imports the package runs as an ES module, given the names it leaves to the reader
// (`privateKey`, `publicKeyPem`, `request`) from keys made here; any other block is a value's
// shape (`policy: { ... }`) and must at least parse as one.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { after, before, describe, test } from 'node:test';

import { ROOT, run, workspace } from './project.mjs';

const README = readFileSync(join(ROOT, 'pkg/README.md'), 'utf8');
const BLOCKS = [...README.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m, i) => ({
  index: i + 1,
  line: README.slice(0, m.index).split('\n').length + 1,
  code: m[1],
}));
const PROGRAMS = BLOCKS.filter((b) => /from 'cloudfront-edge-auth'/.test(b.code));
const SHAPES = BLOCKS.filter((b) => !PROGRAMS.includes(b));

// What an example assumes its reader has: a key pair (RSA here), and a request whose Cookie
// header carries the cookies the example itself signed (read when the example asks for it).
const PREAMBLE = `import { generateKeyPairSync as __keys } from 'node:crypto';
const __pair = __keys('rsa', { modulusLength: 2048 });
const privateKey = __pair.privateKey.export({ type: 'pkcs8', format: 'pem' });
const publicKeyPem = __pair.publicKey.export({ type: 'spki', format: 'pem' });
const request = { headers: { get cookie() {
  return Object.entries(cookies).map(([name, value]) => name + '=' + value).join('; ');
} } };
`;

/** @type {ReturnType<typeof workspace>} */
let space;
let project = '';

before(() => {
  space = workspace();
  project = space.project('readme-examples', { type: 'module' });
});
after(() => space?.remove());

describe('pkg/README.md examples', () => {
  test('there are examples to run', () => {
    assert.ok(PROGRAMS.length >= 1, `no runnable \`\`\`js block among ${BLOCKS.length}`);
  });

  for (const block of PROGRAMS) {
    test(`block ${block.index} (line ${block.line}) runs and its verdict is accepted`, () => {
      const file = join(project, `example-${block.index}.mjs`);
      writeFileSync(file, PREAMBLE + block.code);
      const out = run(process.execPath, [file], { cwd: project });
      // The first example ends by logging its verdict: accepted, with the policy it verified.
      assert.match(out, /^valid until .+ for https:\/\/d111111abcdef8\.cloudfront\.net\/private\/\*$/m, out);
      assert.doesNotMatch(out, /refused/);
    });
  }

  for (const block of SHAPES) {
    test(`block ${block.index} (line ${block.line}) is an object's shape that parses`, () => {
      assert.doesNotThrow(() => new Script(`({\n${block.code}\n})`));
    });
  }
});
