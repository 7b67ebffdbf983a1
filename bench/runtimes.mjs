// One row per runtime this machine has: the npm package as a user installs it (the packed
// tarball in a fresh project, tests/install/project.mjs), loaded through the runtime's own
// `exports` condition, timing one sign (getSignedCookies with an RSA-2048 PEM, custom policy)
// and one verify (a Verifier checking that cookie set), each as a ratio to node:crypto in this
// Node doing the same signature (createSign / createVerify, RSA-SHA1, KeyObjects made once),
// measured in the same run, after Node's row and after the last. The rows of the Node build
// (Node, Deno, Bun) also time that runtime's own node:crypto doing the same. Every runtime's
// cookies are checked first (node:crypto verifies them; RSA's are byte for byte Node's): a wrong
// answer fails the run, never makes a row. Writes bench/out/runtimes.json.
//
// Node, Deno and Bun time each call with performance.now() (medians); the Edge runtime
// (`edge-runtime`, in a Node vm) with its host's clock. workerd (through miniflare, which needs
// Node 22) stops its clock between I/O, so it is timed from outside: requests that run a batch
// of calls, less an empty request, per call.
//
// Usage: node bench/runtimes.mjs   (after `make pkg`; `make bench` runs it)
//   BENCH_RUNTIMES_SIGN_N    sign calls timed per runtime (default 100)
//   BENCH_RUNTIMES_VERIFY_N  verify calls timed per runtime (default 1000)
import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, createSign, createVerify } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { median, round } from './timing.mjs';
import { wasmModulePlugin } from '../tests/install/project.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SIGN_N = Number(process.env.BENCH_RUNTIMES_SIGN_N ?? 100);
const VERIFY_N = Number(process.env.BENCH_RUNTIMES_VERIFY_N ?? 1000);

/**
 * The work timed in every runtime, as source text: `bench(input, now)` with the package's
 * names in scope and `now()` a clock in milliseconds (null: time nothing, only answer).
 */
const BENCH = `
function bench(input, now) {
  const verifier = new Verifier({ keys: { [input.keyPairId]: input.publicKey } });
  const calls = {
    none: () => {},
    sign: () => getSignedCookies(input.options),
    verify: () => verifier.verify(input.batch.request),
  };
  if (input.batch) {
    for (let i = 0; i < input.batch.n; i++) calls[input.batch.op]();
    return {};
  }
  const cookies = getSignedCookies(input.options);
  const cookie = Object.entries(cookies).map(([n, v]) => n + '=' + v).join('; ');
  input.batch = { request: { url: input.requestUrl, cookie, now: input.now } };
  const out = { cookies, verdict: verifier.verify(input.batch.request) };
  if (!now) return out;
  out.sign_us = timed(calls.sign, input.signN, now);
  out.verify_us = timed(calls.verify, input.verifyN, now);
  return out;
}

/** Median microseconds of one call of fn, n calls timed after a warm-up. */
function timed(fn, n, now) {
  for (let i = 0; i < Math.max(5, n / 4); i++) fn();
  const samples = [];
  for (let i = 0; i < n; i++) {
    const t0 = now();
    fn();
    samples.push((now() - t0) * 1000);
  }
  return samples.sort((a, b) => a - b)[Math.floor(n / 2)];
}
`;
const IMPORT = "import { Verifier, getSignedCookies } from 'cloudfront-edge-auth';";

// --- children: workerd and the Edge runtime, each run by this file in its own process ---

/** Under Node 22: the Worker bundle in workerd; stdin the input, stdout the result. */
async function workerdChild(/** @type {string} */ script) {
  const { Miniflare } = await import('miniflare');
  const input = JSON.parse(readFileSync(0, 'utf8'));
  const mf = new Miniflare({
    scriptPath: script,
    modules: true,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2026-07-01',
  });
  try {
    const call = async (/** @type {object} */ body) => {
      const t0 = process.hrtime.bigint();
      const response = await mf.dispatchFetch('http://bench.test/', { method: 'POST', body: JSON.stringify(body) });
      const text = await response.text();
      if (!response.ok) throw new Error(`workerd: ${response.status} ${text}`);
      return { us: Number(process.hrtime.bigint() - t0) / 1000, out: JSON.parse(text) };
    };
    const { out } = await call(input);
    const request = { url: input.requestUrl, cookie: Object.entries(out.cookies).map(([n, v]) => `${n}=${v}`).join('; '), now: input.now };
    /** Per call: a request running `n` calls, less the median request running none, over `n`. */
    const time = async (/** @type {string} */ op, /** @type {number} */ samples, /** @type {number} */ n) => {
      const empty = [];
      const full = [];
      for (let i = 0; i < Math.max(3, samples / 4); i++) await call({ ...input, batch: { op, n, request } });
      for (let i = 0; i < samples; i++) {
        empty.push((await call({ ...input, batch: { op: 'none', n, request } })).us);
        full.push((await call({ ...input, batch: { op, n, request } })).us);
      }
      const base = median(empty);
      return median(full.map((us) => (us - base) / n));
    };
    out.sign_us = await time('sign', Math.ceil(input.signN / 2), 2);
    out.verify_us = await time('verify', Math.ceil(input.verifyN / 10), 10);
    process.stdout.write(JSON.stringify(out));
  } finally {
    await mf.dispose();
  }
}

/** The script bundle in the Edge runtime, its `?module` globals compiled by this host. */
async function edgeRuntimeChild(/** @type {string} */ script, /** @type {string[]} */ wasmFiles) {
  const { EdgeRuntime } = await import('edge-runtime');
  const input = JSON.parse(readFileSync(0, 'utf8'));
  const runtime = new EdgeRuntime();
  const { Module } = runtime.evaluate('WebAssembly');
  wasmFiles.forEach((file, i) => { runtime.context[`wasm_${i}`] = new Module(readFileSync(file)); });
  runtime.evaluate(readFileSync(script, 'utf8'));
  runtime.context.hostNow = () => performance.now();
  runtime.context.benchInput = input;
  process.stdout.write(runtime.evaluate('JSON.stringify(bench(benchInput, hostNow))'));
}

if (process.argv[2] === '--workerd') {
  await workerdChild(process.argv[3]);
} else if (process.argv[2] === '--edge-runtime') {
  await edgeRuntimeChild(process.argv[3], process.argv.slice(4));
} else {
  await main();
}

// --- the run ---

async function main() {
  const require = createRequire(import.meta.url);
  const { KEY_ID, fixtures } = require('./fixtures.cjs');
  const { NODE22, workspace } = await import('../tests/install/project.mjs');
  const esbuild = await import('esbuild');

  const { rsa, options, requestUrl } = fixtures();
  const input = {
    options, keyPairId: KEY_ID, publicKey: rsa.publicKey, requestUrl, now: 1.8e12, signN: SIGN_N, verifyN: VERIFY_N,
  };
  const privateKey = createPrivateKey(rsa.privateKey);
  const publicKey = createPublicKey(rsa.publicKey);
  /** CloudFront base64 to bytes. */
  const bytes = (/** @type {string} */ text) => Buffer.from(text.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');

  // The peer: node:crypto's RSA-SHA1 over the same policy bytes, in this process.
  const peer = { sign: /** @type {number[]} */ ([]), verify: /** @type {number[]} */ ([]) };
  /** Node's answer (the first runtime run): the policy bytes and signature the peer works on. */
  let nodeCookies = /** @type {Record<string, string> | null} */ (null);
  const peerRound = () => {
    const cookies = nodeCookies ?? {};
    const policy = bytes(cookies['CloudFront-Policy']);
    const signature = bytes(cookies['CloudFront-Signature']);
    const sign = () => createSign('RSA-SHA1').update(policy).sign(privateKey);
    const verify = () => createVerify('RSA-SHA1').update(policy).verify(publicKey, signature);
    for (const [op, fn, n] of /** @type {const} */ ([['sign', sign, SIGN_N], ['verify', verify, VERIFY_N]])) {
      for (let i = 0; i < n / 4; i++) fn();
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        fn();
        peer[op].push((performance.now() - t0) * 1000);
      }
    }
  };

  const space = workspace();
  try {
    const project = space.project('bench-runtimes');
    const program = `${IMPORT}
import { readFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey, createSign, createVerify } from 'node:crypto';
${BENCH}
const input = JSON.parse(readFileSync(0, 'utf8'));
const now = () => performance.now();
const out = bench(input, now);
out.resolved = import.meta.resolve('cloudfront-edge-auth');
// This runtime's own node:crypto doing the peer's work, for the row's second ratio.
const decode = (text) => Buffer.from(text.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');
const policy = decode(out.cookies['CloudFront-Policy']);
const signature = decode(out.cookies['CloudFront-Signature']);
const privateKey = createPrivateKey(input.options.privateKey);
const publicKey = createPublicKey(input.publicKey);
out.own_sign_us = timed(() => createSign('RSA-SHA1').update(policy).sign(privateKey), input.signN, now);
out.own_verify_us = timed(() => createVerify('RSA-SHA1').update(policy).verify(publicKey, signature), input.verifyN, now);
console.log(JSON.stringify(out));
`;
    writeFileSync(join(project, 'bench.mjs'), program);
    const bin = (/** @type {string} */ name) => join(root, 'node_modules/.bin', name);
    const runIn = (/** @type {string} */ cmd, /** @type {string[]} */ args, env = {}) => {
      const result = spawnSync(cmd, args, {
        cwd: project, input: JSON.stringify(input), encoding: 'utf8', env: { ...process.env, ...env },
        maxBuffer: 1 << 24,
      });
      if (result.status !== 0) throw new Error(`bench: ${cmd} ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
      return JSON.parse(result.stdout);
    };
    const version = (/** @type {string} */ cmd, /** @type {string[]} */ args) =>
      spawnSync(cmd, args, { encoding: 'utf8' }).stdout.trim().split('\n')[0];
    const npmVersion = (/** @type {string} */ name) =>
      JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
    const entry = (/** @type {string} */ resolved) => resolved.replace(/^.*node_modules\/cloudfront-edge-auth\//, '');
    /** What a runtime loaded: its entry file and the build folder that entry takes. */
    const loaded = (/** @type {string[]} */ files) => {
      const builds = [...new Set(files.map((f) => f.split('/')[0]).filter((f) => f === 'node' || f === 'web'))];
      const entries = files.filter((f) => !f.includes('/'));
      return `${entries.join(' + ')} -> ${builds.map((b) => `${b}/`).join(' + ')}`;
    };

    // The Worker and the Edge runtime's script, bundled as their platforms' builders do
    // (tests/install/edge.test.mjs explains each).
    const inputsOf = (/** @type {import('esbuild').Metafile} */ meta) => loaded(Object.keys(meta.inputs)
      .filter((p) => p.startsWith('node_modules/cloudfront-edge-auth/')).map(entry));
    // index.mjs, the `node` export's `import` entry, re-exports the Node build (node/).
    const nodeEntry = (/** @type {any} */ r) => {
      if (entry(r.resolved) !== 'index.mjs') throw new Error(`bench: resolved ${r.resolved}`);
      return loaded(['index.mjs', 'node/cloudfront_edge_auth.js']);
    };
    writeFileSync(join(project, 'worker.mjs'), `${IMPORT}
${BENCH}
export default { async fetch(request) { return Response.json(bench(await request.json(), null)); } };
`);
    const worker = await esbuild.build({
      absWorkingDir: project, entryPoints: ['worker.mjs'], bundle: true, format: 'esm', platform: 'browser',
      conditions: ['workerd', 'worker'], loader: { '.wasm': 'copy' }, outdir: 'worker', metafile: true, logLevel: 'error',
    });
    writeFileSync(join(project, 'edge.mjs'), `${IMPORT}\n${BENCH}\nglobalThis.bench = bench;\n`);
    /** @type {string[]} */
    const wasmFiles = [];
    const edge = await esbuild.build({
      absWorkingDir: project, entryPoints: ['edge.mjs'], bundle: true, format: 'iife', platform: 'browser',
      conditions: ['edge-light'], outfile: 'edge/edge.js', metafile: true, logLevel: 'error',
      plugins: [wasmModulePlugin(wasmFiles)],
    });

    const NODE_CRYPTO = 'node:crypto';
    const WASM_CRYPTO = 'RustCrypto rsa, in the wasm';
    const runtimes = [
      {
        id: 'node', name: `Node ${process.version} (reference)`, crypto: `Node's ${NODE_CRYPTO} (OpenSSL)`,
        run: () => runIn(process.execPath, ['bench.mjs']), build: nodeEntry,
      },
      {
        id: 'deno', name: `Deno ${version(bin('deno'), ['--version']).split(' ')[1]}`, crypto: `Deno's ${NODE_CRYPTO}`,
        run: () => runIn(bin('deno'), ['run', '--allow-read', 'bench.mjs'], { DENO_DIR: join(space.dir, 'deno'), DENO_NO_UPDATE_CHECK: '1' }),
        build: nodeEntry,
      },
      {
        id: 'bun', name: `Bun ${version(bin('bun'), ['--version'])}`, crypto: `Bun's ${NODE_CRYPTO}`,
        run: () => runIn(bin('bun'), ['bench.mjs'], { BUN_INSTALL_CACHE_DIR: join(space.dir, 'bun') }),
        build: nodeEntry,
      },
      {
        id: 'workerd', name: `workerd ${npmVersion('workerd')} (miniflare ${npmVersion('miniflare')})`, crypto: WASM_CRYPTO,
        run: () => runIn(NODE22, [fileURLToPath(import.meta.url), '--workerd', join(project, 'worker/worker.js')]),
        build: () => inputsOf(worker.metafile),
      },
      {
        id: 'edge_runtime', name: `Edge runtime (edge-runtime ${npmVersion('edge-runtime')}, in Node ${process.version})`, crypto: WASM_CRYPTO,
        run: () => runIn(process.execPath, [fileURLToPath(import.meta.url), '--edge-runtime', join(project, 'edge/edge.js'), ...wasmFiles]),
        build: () => inputsOf(edge.metafile),
      },
    ];

    const results = [];
    for (const runtime of runtimes) {
      const t0 = Date.now();
      const result = runtime.run();
      // Each runtime's answer, checked before its time counts.
      const policy = bytes(result.cookies['CloudFront-Policy']);
      const signature = bytes(result.cookies['CloudFront-Signature']);
      if (!createVerify('RSA-SHA1').update(policy).verify(publicKey, signature)) throw new Error(`bench: ${runtime.id} signed wrongly`);
      if (result.verdict?.ok !== true) throw new Error(`bench: ${runtime.id} refused its own cookies: ${JSON.stringify(result.verdict)}`);
      if (runtime.id === 'node') {
        nodeCookies = result.cookies;
        peerRound();
      } else if (JSON.stringify(result.cookies) !== JSON.stringify(nodeCookies)) {
        throw new Error(`bench: ${runtime.id}'s cookies differ from Node's (RSA PKCS#1 v1.5 is deterministic)`);
      }
      results.push({ ...runtime, result });
      console.error(`bench: ${runtime.id} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    peerRound();

    const peerSign = median(peer.sign);
    const peerVerify = median(peer.verify);
    const rows = results.map(({ id, name, crypto, build, result }) => ({
      id, runtime: name, build: build(result), crypto,
      sign_us: round(result.sign_us), verify_us: round(result.verify_us),
      sign_ratio: round(result.sign_us / peerSign), verify_ratio: round(result.verify_us / peerVerify),
      // The Node build in Deno or Bun: against that runtime's own node:crypto too.
      own_peer_sign_us: result.own_sign_us === undefined ? null : round(result.own_sign_us),
      own_peer_verify_us: result.own_verify_us === undefined ? null : round(result.own_verify_us),
    }));
    const out = {
      date: new Date().toISOString(),
      what: {
        sign: 'getSignedCookies: custom policy (wildcard resource, start and end), RSA-2048 PEM each call',
        verify: 'Verifier.verify of that cookie set (parse, key id, RSA-SHA1 signature, time, resource)',
        peer: `node:crypto in Node ${process.version}: createSign / createVerify RSA-SHA1 of the same policy bytes, KeyObjects made once`,
      },
      peer_sign_us: round(peerSign),
      peer_verify_us: round(peerVerify),
      rows,
    };
    mkdirSync(join(root, 'bench/out'), { recursive: true });
    writeFileSync(join(root, 'bench/out/runtimes.json'), `${JSON.stringify(out, null, 2)}\n`);

    console.log(`Runtimes: our package, RSA-2048, against ${out.what.peer} (sign ${out.peer_sign_us} us, verify ${out.peer_verify_us} us)`);
    console.log('| runtime | build loaded | crypto | sign us (x node:crypto) | verify us (x node:crypto) | that runtime\'s node:crypto: sign / verify us |');
    console.log('|---|---|---|---|---|---|');
    for (const r of rows) {
      const own = r.own_peer_sign_us === null ? '' : `${r.own_peer_sign_us} / ${r.own_peer_verify_us}`;
      console.log(`| ${r.runtime} | ${r.build} | ${r.crypto} | ${r.sign_us} (${r.sign_ratio}x) | ${r.verify_us} (${r.verify_ratio}x) | ${own} |`);
    }
  } finally {
    space.remove();
  }
}
