#!/usr/bin/env node
// Builds the Lambda@Edge deployment package: edge/dist/edge-auth.zip holding the handler
// (edge/src, bundled by esbuild into one file), the wasm core's nodejs build (pkg/node), the
// config (edge/config.json) and the handler's npm runtime dependencies, aws-jwt-verify and
// oauth4webapi: exactly the files `require` reaches when the handler loads and signs a viewer
// in (with the package.json files that resolve them, and the license), never typings or
// source maps. Laid out as in the repository so the handler's requires work unchanged, with
// index.js at the root (handler name: index.handler). Fails if the zip is over Lambda@Edge's
// 1 MB limit for viewer-request functions, or if the config does not validate.
// @aws-sdk/client-secrets-manager is not bundled: the Lambda Node.js runtime provides it (and
// the handler requires it lazily, only to read its secret).
//
// With the redirect flow (`identityProvider.signIn`) and no `signIn.metadata`, the identity
// provider's endpoints are read here from its discovery document
// (ISSUER/.well-known/openid-configuration, checked by oauth4webapi: its `issuer` must be
// ISSUER) and embedded in the bundled config, so that a cold start makes no discovery call.
// The config file itself is not changed.
//
// Usage: node edge/scripts/bundle.mjs [--config FILE] [--out FILE] [--dev] [--max-bytes N]
//   --config     the config to bundle (default: edge/config.json, else edge/config.example.json)
//   --out        where to write the zip (default: edge/dist/edge-auth.zip)
//   --dev        allow a "dev": true config (inline private key): never for deployment
//   --max-bytes  the size limit (default 1048576)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const LIMIT = 1024 * 1024; // AWS: Lambda@Edge quotas, "compressed size ... viewer request: 1 MB"
const NODE_MODULES = path.join(ROOT, 'node_modules');
/** Provided by the Lambda runtime: never bundled, even if something loaded it. */
const RUNTIME_PROVIDED = ['@aws-sdk/', '@smithy/', '@aws-crypto/', '@aws/'];
/** Fixed file times: the same inputs give the same zip. */
const EPOCH = new Date('2000-01-01T00:00:00Z');

function fail(message) {
  console.error(`bundle: ${message}`);
  process.exit(1);
}

function parseArgs(argv) {
  const args = { config: undefined, out: path.join(ROOT, 'edge/dist/edge-auth.zip'), dev: false, maxBytes: LIMIT };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => argv[++i] ?? fail(`${flag} needs a value`);
    if (flag === '--config') args.config = path.resolve(value());
    else if (flag === '--out') args.out = path.resolve(value());
    else if (flag === '--dev') args.dev = true;
    else if (flag === '--max-bytes') args.maxBytes = Number(value());
    else fail(`unknown argument ${flag} (see the header of edge/scripts/bundle.mjs)`);
  }
  if (!args.config) {
    const own = path.join(ROOT, 'edge/config.json');
    args.config = fs.existsSync(own) ? own : path.join(ROOT, 'edge/config.example.json');
    if (!fs.existsSync(own))
      console.error('bundle: no edge/config.json; bundling edge/config.example.json (replace it before deploying)');
  }
  return args;
}

function readConfig(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    return fail(`cannot read ${file}: ${error.message}`);
  }
}

/** The config must load exactly as the handler will load it, with the same core. */
function checkConfig(file, allowDev) {
  const raw = readConfig(file);
  const { createHandler } = require(path.join(ROOT, 'edge/src/handler.js'));
  const handler = createHandler(raw, { log: () => {} });
  if (handler.configError) fail(`${path.relative(ROOT, file)}: ${handler.configError.message}`);
  // The handler loads aws-jwt-verify on first use; loading it here checks the embedded JWKS
  // now, so a bundle never ships one the first sign-in would refuse.
  try {
    handler.state.identity.load();
  } catch (error) {
    fail(`${path.relative(ROOT, file)}: ${error.message}`);
  }
  if (raw.dev === true && !allowDev) {
    fail(`${path.relative(ROOT, file)} has "dev": true (inline keys); pass --dev to bundle it anyway`);
  }
  // Loaded lazily by the handler (only sign-in needs it): required here so it is bundled.
  if (raw.identityProvider?.signIn) require('oauth4webapi');
}

/** The metadata fields the handler reads (edge/src/config.js). */
const METADATA_FIELDS = [
  'issuer',
  'authorization_endpoint',
  'token_endpoint',
  'revocation_endpoint',
  'end_session_endpoint',
  'authorization_response_iss_parameter_supported',
];

/**
 * `raw` with `identityProvider.signIn.metadata` read from the provider's discovery document
 * when it is absent; `raw` itself when there is nothing to resolve.
 */
async function withDiscoveredMetadata(raw) {
  const signIn = raw?.identityProvider?.signIn;
  if (!signIn || signIn.metadata !== undefined) return raw;
  const oauth = require('oauth4webapi');
  const issuer = new URL(raw.identityProvider.issuer);
  const options = { signal: AbortSignal.timeout(10_000), [oauth.allowInsecureRequests]: raw.dev === true };
  let as;
  try {
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...options, algorithm: 'oidc' }));
  } catch (error) {
    fail(`cannot read ${issuer.href.replace(/\/$/, '')}/.well-known/openid-configuration: ${error.message}`);
  }
  const metadata = Object.fromEntries(METADATA_FIELDS.filter((k) => as[k] !== undefined).map((k) => [k, as[k]]));
  console.error(`bundle: identity provider endpoints read from ${issuer.href} (discovery)`);
  return { ...raw, identityProvider: { ...raw.identityProvider, signIn: { ...signIn, metadata } } };
}

/**
 * The npm files the loaded handler has required (repository-relative), plus, for each, the
 * package.json files from its folder up to its package's root (`exports` and `imports` maps
 * that resolve them at run time) and the package's LICENSE.
 */
function requiredPackageFiles() {
  const files = new Set();
  for (const loaded of Object.keys(require.cache)) {
    if (!loaded.startsWith(`${NODE_MODULES}${path.sep}`)) continue;
    const inside = path.relative(NODE_MODULES, loaded).split(path.sep).join('/');
    if (RUNTIME_PROVIDED.some((prefix) => inside.startsWith(prefix))) continue;
    const parts = inside.split('/');
    const packageRoot = path.join(NODE_MODULES, ...parts.slice(0, parts[0].startsWith('@') ? 2 : 1));
    files.add(loaded);
    for (let dir = path.dirname(loaded); dir.startsWith(packageRoot); dir = path.dirname(dir)) {
      const manifest = path.join(dir, 'package.json');
      if (fs.existsSync(manifest)) files.add(manifest);
    }
    for (const name of ['LICENSE', 'LICENSE.md']) {
      const license = path.join(packageRoot, name);
      if (fs.existsSync(license)) files.add(license);
    }
  }
  return [...files].sort();
}

function copy(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

/**
 * edge/src as one CommonJS file at edge/src/index.js: `require` of ~30 files (resolving,
 * reading and wrapping each) was about a fifth of a cold start (bench/cold-handler.mjs times
 * this bundle). Not minified, so a stack trace still reads as the source, each module under
 * its `// edge/src/...` heading. The core, the npm packages and the AWS SDK stay files of
 * their own, required by the same relative paths and names as in the repository.
 */
function bundleHandler(outfile) {
  const { buildSync } = require('esbuild');
  buildSync({
    entryPoints: [path.join(ROOT, 'edge/src/index.js')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['../../pkg/node/cloudfront_edge_auth.js', 'aws-jwt-verify/*', 'oauth4webapi', '@aws-sdk/*'],
    banner: { js: '// cloudfront-edge-auth: the Lambda@Edge handler, edge/src bundled by edge/scripts/bundle.mjs' },
    logLevel: 'warning',
  });
}

function stage(configFile) {
  // Read before esbuild is loaded: a build tool is not among what the handler requires.
  const packageFiles = requiredPackageFiles();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-auth-bundle-'));
  const wasmBuild = path.join(ROOT, 'pkg/node');
  for (const file of ['cloudfront_edge_auth.js', 'cloudfront_edge_auth_bg.wasm', 'package.json']) {
    const from = path.join(wasmBuild, file);
    if (!fs.existsSync(from)) fail(`${path.relative(ROOT, from)} is missing: run \`make pkg\` first`);
    copy(from, path.join(dir, 'pkg/node', file));
  }
  bundleHandler(path.join(dir, 'edge/src/index.js'));
  for (const file of packageFiles) copy(file, path.join(dir, path.relative(ROOT, file)));
  copy(path.join(ROOT, 'edge/package.json'), path.join(dir, 'edge/package.json'));
  copy(configFile, path.join(dir, 'edge/config.json'));
  fs.writeFileSync(path.join(dir, 'index.js'), "'use strict';\nmodule.exports = require('./edge/src/index.js');\n");
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "private": true, "type": "commonjs" }\n');
  const files = [];
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else files.push(path.relative(dir, p));
    }
  };
  walk(dir);
  files.sort();
  for (const f of files) fs.utimesSync(path.join(dir, f), EPOCH, EPOCH);
  return { dir, files };
}

function zip({ dir, files }, out) {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.rmSync(out, { force: true });
  try {
    // -X: no extra attributes (uid/gid, extended times), so the zip depends on content only.
    execFileSync('zip', ['-X', '-q', '-9', out, ...files], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (error) {
    fail(
      error.code === 'ENOENT'
        ? '`zip` is not installed (scripts/bootstrap.sh installs it)'
        : `zip failed: ${error.message}`,
    );
  }
}

const args = parseArgs(process.argv.slice(2));
let configFile = args.config;
const original = readConfig(configFile);
const resolved = await withDiscoveredMetadata(original);
let resolvedDir = null;
if (resolved !== original) {
  resolvedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-auth-config-'));
  configFile = path.join(resolvedDir, 'config.json');
  fs.writeFileSync(configFile, `${JSON.stringify(resolved, null, 2)}\n`);
}
checkConfig(configFile, args.dev);
const staged = stage(configFile);
if (resolvedDir) fs.rmSync(resolvedDir, { recursive: true, force: true });
try {
  zip(staged, args.out);
} finally {
  fs.rmSync(staged.dir, { recursive: true, force: true });
}
const size = fs.statSync(args.out).size;
const shown = path.relative(process.cwd(), args.out) || args.out;
const fmt = (n) => n.toLocaleString('en-US');
console.log(`bundle: ${shown} ${fmt(size)} bytes zipped (${staged.files.length} files; limit ${fmt(args.maxBytes)})`);
if (size > args.maxBytes) fail(`${shown} is ${fmt(size)} bytes, over the ${fmt(args.maxBytes)} byte limit`);
