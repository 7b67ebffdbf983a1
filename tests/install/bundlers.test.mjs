// The installed package bundled by webpack 5 and by Vite, each from a fresh project with the
// tarball installed and no plugin, loader or setting for the package. For the browser (the
// `browser` export, the web build, whose .wasm each bundler emits as an asset from
// `new URL(..., import.meta.url)`), the bundle runs in Chromium. For Node (the `node` export,
// the Node build), it runs in Node 20 and 22, from another folder, with the Node build's
// .wasm shipped beside it where the bundle takes the package in. Each signs a URL and cookies
// with an RSA and an ECDSA key and verifies them; node:crypto alone checks every signature.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { build as viteBuild, createLogger } from 'vite';
import webpack from 'webpack';

import { BROWSER_APP, consumeInPage, launchChromium, serve } from './chromium.mjs';
import { CONSUME, NODE22, ROOT, checkConsumerOutput, consumerInput, makeKeys, run, workspace } from './project.mjs';

/** The Node half of the consumer program: reads the input on stdin, prints the output. */
const NODE_APP = `import { Signer, Verifier, getSignedUrl, getSignedCookies } from 'cloudfront-edge-auth';
import { readFileSync } from 'node:fs';
${CONSUME}
console.log(JSON.stringify(consume(JSON.parse(readFileSync(0, 'utf8')), null)));
`;
const INDEX_HTML = (/** @type {string} */ script) =>
  `<!doctype html><meta charset="utf-8"><script ${script}></script>`;
const PACKAGE = 'node_modules/cloudfront-edge-auth/';
const NODE_WASM = `${PACKAGE}node/cloudfront_edge_auth_bg.wasm`;
// pkg/package.json lists browser.mjs (and the other entries that instantiate the wasm) as
// having side effects: with `"sideEffects": false`, webpack and Vite dropped its top-level
// `await init(...)` for the module it re-exports, and the page's first call found no wasm.

/** @type {ReturnType<typeof workspace>} */
let space;
/** @type {import('playwright-core').Browser} */
let browser;
const input = consumerInput(makeKeys());

before(async () => {
  space = workspace();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  space?.remove();
});

/** The package files among `paths` (absolute), relative to the package, sorted. */
const packageFiles = (/** @type {string} */ project, /** @type {Iterable<string>} */ paths) =>
  [...new Set([...paths].map((path) => relative(project, path)).filter((path) => path.startsWith(PACKAGE))
    .map((path) => path.slice(PACKAGE.length)).filter((path) => /\.(m?js|wasm)$/.test(path)))].sort();

/** Runs a Node bundle with Node 20 and 22 from `cwd` and judges what it printed. */
function consumeInNode(/** @type {string} */ file, /** @type {string} */ cwd) {
  for (const node of [process.execPath, NODE22]) {
    checkConsumerOutput(JSON.parse(run(node, [file], { cwd, input: JSON.stringify(input) })), input);
  }
}

/** Serves `site`, runs the consumer in Chromium, judges it; returns the requests the page made. */
async function consumeInChromium(/** @type {string} */ site) {
  const server = await serve(site);
  try {
    const { out, problems } = await consumeInPage(browser, server.origin, input);
    checkConsumerOutput(out, input);
    assert.deepStrictEqual(problems, []);
    return server.requests.sort();
  } finally {
    await server.close();
  }
}

/** Copies `files` (relative to `from`) into a fresh folder of the workspace: a deployment. */
function deploy(/** @type {string} */ from, /** @type {string[]} */ files, /** @type {string} */ name) {
  const to = join(space.dir, name);
  mkdirSync(to);
  for (const file of files) {
    mkdirSync(dirname(join(to, file)), { recursive: true });
    copyFileSync(join(from, file), join(to, file));
  }
  return to;
}

describe('webpack 5', () => {
  let project = '';
  before(() => {
    project = space.project('webpack-consumer');
    writeFileSync(join(project, 'app.mjs'), BROWSER_APP);
    writeFileSync(join(project, 'consumer.mjs'), NODE_APP);
  });

  /**
   * Builds with webpack's API in production mode; returns the package files in its chunks
   * (not those it read and then left out) and the names of its warnings (errors fail the build).
   * @param {import('webpack').Configuration} config
   */
  async function bundle(config) {
    /** @type {import('webpack').Stats} */
    const stats = await new Promise((done, fail) => webpack({ mode: 'production', context: project, ...config },
      (error, result) => (error || !result ? fail(error) : done(result))));
    const { compilation } = stats;
    assert.deepStrictEqual(compilation.errors.map(String), [], 'webpack errors');
    /** @type {string[]} */
    const bundled = [];
    for (const module of compilation.modules) {
      if (compilation.chunkGraph.getNumberOfModuleChunks(module) === 0) continue;
      // A concatenated module holds the modules webpack joined into one scope.
      for (const inner of /** @type {any} */ (module).modules ?? [module]) if (inner.resource) bundled.push(inner.resource);
    }
    return { inputs: packageFiles(project, bundled), warnings: compilation.warnings.map((w) => w.name) };
  }

  test('for the browser: the `browser` export, its .wasm emitted as an asset; runs in Chromium, signs and verifies', async () => {
    const site = join(project, 'webpack-site');
    const { inputs, warnings } = await bundle({ target: 'web', entry: './app.mjs', output: { path: site, filename: 'app.js' } });
    assert.deepStrictEqual(inputs, ['browser.mjs', 'web/cloudfront_edge_auth.js', 'web/cloudfront_edge_auth_bg.wasm']);
    // webpack's size hints (performance.hints) flag the web build's ~450 KB .wasm; nothing else.
    assert.deepStrictEqual([...new Set(warnings)].sort(), ['AssetsOverSizeLimitWarning', 'NoAsyncChunksWarning']);
    const wasm = readdirSync(site).filter((f) => f.endsWith('.wasm'));
    assert.equal(wasm.length, 1, `one .wasm emitted: ${wasm}`);
    // A classic script: webpack's runtime awaits the package's top-level await itself.
    writeFileSync(join(site, 'index.html'), INDEX_HTML('src="./app.js"'));
    assert.deepStrictEqual(await consumeInChromium(deploy(site, ['index.html', 'app.js', wasm[0]], 'webpack-deployed')),
      ['200 /', '200 /app.js', `200 /${wasm[0]}`].sort());
  });

  test('for Node (target node): the `node` export; runs from another folder with the Node build\'s .wasm beside it', async () => {
    const out = join(project, 'webpack-node');
    const { inputs, warnings } = await bundle({ target: 'node', entry: './consumer.mjs', output: { path: out, filename: 'consumer.js' } });
    // index.mjs, the `node` export's `import` entry, only re-exports the Node build: webpack
    // resolves through it and bundles the Node build alone.
    assert.deepStrictEqual(inputs, ['node/cloudfront_edge_auth.js']);
    assert.deepStrictEqual(warnings, []);
    // The Node build reads `${__dirname}/cloudfront_edge_auth_bg.wasm`, which webpack leaves to
    // Node (node.__dirname 'eval-only'): the bundle's folder, where the .wasm must be shipped.
    const bare = deploy(out, ['consumer.js'], 'webpack-node-bare');
    assert.throws(() => run(process.execPath, ['consumer.js'], { cwd: bare, input: '{}' }),
      /ENOENT[^\n]*webpack-node-bare\/cloudfront_edge_auth_bg\.wasm/);
    copyFileSync(join(project, NODE_WASM), join(out, 'cloudfront_edge_auth_bg.wasm'));
    consumeInNode('consumer.js', deploy(out, ['consumer.js', 'cloudfront_edge_auth_bg.wasm'], 'webpack-node-deployed'));
  });
});

describe('Vite', () => {
  let project = '';
  /** @type {string[]} */
  const warnings = [];
  const logger = createLogger('warn');
  logger.warn = (message) => void warnings.push(message);
  logger.warnOnce = logger.warn;

  before(() => {
    project = space.project('vite-consumer');
    writeFileSync(join(project, 'app.mjs'), BROWSER_APP);
    writeFileSync(join(project, 'consumer.mjs'), NODE_APP);
    writeFileSync(join(project, 'index.html'), INDEX_HTML('type="module" src="./app.mjs"'));
  });

  /**
   * Builds with Vite's API and no config file; returns the package files in its chunks and
   * the names of the files it wrote.
   * @param {import('vite').InlineConfig} config
   */
  async function bundle(config) {
    warnings.length = 0;
    const result = await viteBuild({ root: project, configFile: false, logLevel: 'warn', customLogger: logger, ...config });
    const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => /** @type {any} */ (r).output);
    const modules = outputs.filter((o) => o.type === 'chunk').flatMap((chunk) => chunk.moduleIds);
    assert.deepStrictEqual(warnings, [], 'Vite warnings');
    return { inputs: packageFiles(project, modules), files: outputs.map((o) => o.fileName).sort() };
  }

  test('for the browser: the `browser` export, its .wasm emitted as an asset; runs in Chromium, signs and verifies', async () => {
    const { inputs, files } = await bundle({ build: { outDir: 'vite-site' } });
    assert.deepStrictEqual(inputs, ['browser.mjs', 'web/cloudfront_edge_auth.js']);
    const wasm = files.filter((f) => f.endsWith('.wasm'));
    const js = files.filter((f) => f.endsWith('.js'));
    assert.equal(wasm.length, 1, `one .wasm emitted: ${files}`);
    assert.equal(js.length, 1, `one script: ${files}`);
    assert.deepStrictEqual(await consumeInChromium(deploy(join(project, 'vite-site'), files, 'vite-deployed')),
      ['200 /', `200 /${js[0]}`, `200 /${wasm[0]}`].sort());
  });

  test('for Node (an SSR build): the package left external, Node picks the `node` export; signs and verifies', async () => {
    const { inputs, files } = await bundle({ build: { ssr: 'consumer.mjs', outDir: 'vite-node' } });
    // Vite keeps an SSR build's dependencies external by default: Node resolves them at run time.
    assert.deepStrictEqual(inputs, []);
    assert.deepStrictEqual(files, ['consumer.mjs']);
    assert.match(readFileSync(join(project, 'vite-node/consumer.mjs'), 'utf8'), /\bfrom\s*["']cloudfront-edge-auth["']/);
    consumeInNode('vite-node/consumer.mjs', project);
  });

  test('for Node, the package bundled in (ssr.noExternal): the `node` export; runs with the Node build\'s .wasm beside it', async () => {
    const out = join(project, 'vite-node-bundled');
    const { inputs, files } = await bundle({ ssr: { noExternal: true }, build: { ssr: 'consumer.mjs', outDir: out } });
    assert.deepStrictEqual(inputs, ['index.mjs', 'node/cloudfront_edge_auth.js']);
    assert.deepStrictEqual(files, ['consumer.mjs']);
    // Vite turns the Node build's `__dirname` into `import.meta.dirname`: the bundle's folder.
    const bare = deploy(out, ['consumer.mjs'], 'vite-node-bare');
    assert.throws(() => run(process.execPath, ['consumer.mjs'], { cwd: bare, input: '{}' }),
      /ENOENT[^\n]*vite-node-bare\/cloudfront_edge_auth_bg\.wasm/);
    copyFileSync(join(project, NODE_WASM), join(out, 'cloudfront_edge_auth_bg.wasm'));
    consumeInNode('consumer.mjs', deploy(out, ['consumer.mjs', 'cloudfront_edge_auth_bg.wasm'], 'vite-node-deployed'));
  });
});
