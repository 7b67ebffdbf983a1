// The installed package in the edge runtimes that cannot fetch a `.wasm` from
// `import.meta.url` nor wait on a top-level await: Cloudflare's workerd (through miniflare)
// and Vercel's Edge runtime (the `edge-runtime` package), both from npm. Each bundle is
// made by esbuild from a fresh project with the tarball installed, picks its entry through
// its `exports` condition, and runs the consumer program; node:crypto, outside the runtime,
// checks every signature it returned.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { EdgeRuntime } from 'edge-runtime';
import * as esbuild from 'esbuild';

import { BIN, CONSUME, NODE22, ROOT, checkConsumerOutput, consumerInput, makeKeys, run, wasmModulePlugin, workspace } from './project.mjs';

const IMPORT = "import { Signer, Verifier, getSignedUrl, getSignedCookies } from 'cloudfront-edge-auth';";

/** @type {ReturnType<typeof workspace>} */
let space;
let project = '';
const input = consumerInput(makeKeys());

before(() => {
  space = workspace();
  project = space.project('edge-consumer');
});
after(() => space?.remove());

/**
 * Bundles `entry` with esbuild; returns the package files the bundle took in.
 * @param {string} entry @param {string[]} flags
 */
function bundle(entry, flags) {
  run(join(BIN, 'esbuild'), [entry, '--bundle', '--log-level=error', `--metafile=${entry}.meta.json`, ...flags], { cwd: project });
  const meta = JSON.parse(readFileSync(join(project, `${entry}.meta.json`), 'utf8'));
  return Object.keys(meta.inputs)
    .filter((path) => path.startsWith('node_modules/cloudfront-edge-auth/'))
    .map((path) => path.slice('node_modules/cloudfront-edge-auth/'.length))
    .sort();
}

describe('the installed package in Cloudflare workerd (miniflare)', () => {
  test('the `workerd` condition loads workerd.mjs, whose .wasm import workerd compiles; signs and verifies', () => {
    writeFileSync(join(project, 'worker.mjs'), `${IMPORT}
${CONSUME}
export default {
  async fetch(request) {
    return Response.json(consume(await request.json(), null));
  },
};
`);
    // As wrangler bundles: its conditions, and the .wasm left as a module beside the bundle.
    const inputs = bundle('worker.mjs', ['--format=esm', '--platform=browser', '--conditions=workerd,worker',
      '--loader:.wasm=copy', '--outdir=worker']);
    assert.deepStrictEqual(inputs, ['web/cloudfront_edge_auth.js', 'web/cloudfront_edge_auth_bg.wasm', 'workerd.mjs']);
    assert.ok(readdirSync(join(project, 'worker')).some((f) => f.endsWith('.wasm')), 'the .wasm beside the bundle');

    const out = JSON.parse(run(NODE22, [join(ROOT, 'tests/install/miniflare-run.mjs'), 'worker/worker.js'], {
      cwd: project, input: JSON.stringify(input),
    }));
    checkConsumerOutput(out, input);
  });
});

describe("the installed package in Vercel's Edge runtime (edge-runtime)", () => {
  test('the `edge-light` condition loads edge-light.mjs, whose `?module` import is a compiled module; signs and verifies', async () => {
    writeFileSync(join(project, 'edge.mjs'), `${IMPORT}
${CONSUME}
globalThis.consume = consume;
`);
    // The Edge runtime runs one classic script: no import, no top-level await. Its `?module`
    // imports are the platform build's to provide, as Next.js's does: each becomes a global
    // holding the file compiled once, by the host, into a WebAssembly.Module.
    /** @type {string[]} */
    const wasmFiles = [];
    const result = await esbuild.build({
      absWorkingDir: project,
      entryPoints: ['edge.mjs'],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      conditions: ['edge-light'],
      logLevel: 'error',
      metafile: true,
      plugins: [wasmModulePlugin(wasmFiles)],
    });
    const inputs = Object.keys(result.metafile.inputs).filter((path) => path.startsWith('node_modules/')).sort();
    assert.deepStrictEqual(inputs, [
      'node_modules/cloudfront-edge-auth/edge-light.mjs',
      'node_modules/cloudfront-edge-auth/web/cloudfront_edge_auth.js',
    ]);
    assert.deepStrictEqual(wasmFiles, [join(project, 'node_modules/cloudfront-edge-auth/web/cloudfront_edge_auth_bg.wasm')]);

    const runtime = new EdgeRuntime();
    // Compiled in the runtime's own realm, so the web build sees a WebAssembly.Module.
    const { Module } = runtime.evaluate('WebAssembly');
    wasmFiles.forEach((file, i) => { runtime.context[`wasm_${i}`] = new Module(readFileSync(file)); });
    // Vercel's Edge runtime refuses to compile WebAssembly at run time, as Next.js's sandbox
    // does in development: so must this one, or the test would pass on bytes.
    runtime.evaluate(`{
      const refuse = () => { throw new EvalError('WebAssembly compiled at run time'); };
      const Module = function () { refuse(); };
      Module.prototype = WebAssembly.Module.prototype;
      WebAssembly.Module = Module;
      WebAssembly.compile = WebAssembly.instantiate = WebAssembly.compileStreaming = WebAssembly.instantiateStreaming = refuse;
    }`);
    runtime.evaluate(result.outputFiles[0].text);
    const out = JSON.parse(runtime.evaluate(`JSON.stringify(consume(${JSON.stringify(input)}, null))`));
    checkConsumerOutput(out, input);
  });
});
