// `make bundle`: the zip is self-contained (handler, wasm, config, aws-jwt-verify's CommonJS
// runtime), under 1 MB, and its index.handler answers CloudFront events once unzipped
// somewhere else (outside the repository, so nothing resolves from its node_modules).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { body, config, idToken, viewerRequest } from './helpers.mjs';

const require = createRequire(import.meta.url);
const SCRIPT = fileURLToPath(new URL('../scripts/bundle.mjs', import.meta.url));
let tmp;

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-bundle-test-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function bundle(args) {
  return spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });
}

function writeConfig(name, cfg) {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, JSON.stringify(cfg));
  return file;
}

test('the zip holds the handler, the nodejs wasm build, the config and aws-jwt-verify, and stays under 1 MB', () => {
  const out = path.join(tmp, 'edge-auth.zip');
  const run = bundle(['--config', writeConfig('dev.json', config()), '--out', out, '--dev']);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /bundle: .*edge-auth\.zip [\d,]+ bytes zipped \(\d+ files; limit 1,048,576\)/);
  const size = fs.statSync(out).size;
  assert.ok(size < 1024 * 1024, `${size} bytes`);
  const listing = execFileSync('unzip', ['-Z1', out], { encoding: 'utf8' }).trim().split('\n');
  for (const file of [
    'index.js',
    'package.json',
    'edge/config.json',
    'edge/src/index.js',
    'pkg/node/cloudfront_edge_auth.js',
    'pkg/node/cloudfront_edge_auth_bg.wasm',
    'node_modules/aws-jwt-verify/package.json',
    'node_modules/aws-jwt-verify/LICENSE',
    'node_modules/aws-jwt-verify/dist/cjs/package.json',
    'node_modules/aws-jwt-verify/dist/cjs/cognito-verifier.js',
    'node_modules/aws-jwt-verify/dist/cjs/jwt-verifier.js',
    'node_modules/aws-jwt-verify/dist/cjs/node-web-compat-node.js',
  ]) {
    assert.ok(listing.includes(file), `${file} missing from the zip`);
  }
  // Only what `require` reaches: no ESM build, typings, browser code, ALB verifier, tests, or
  // the AWS SDK (the Lambda runtime provides it).
  const modules = listing.filter((f) => f.startsWith('node_modules/'));
  assert.ok(modules.every((f) => f.startsWith('node_modules/aws-jwt-verify/')), modules.join(' '));
  for (const absent of ['/esm/', '.d.ts', 'node-web-compat-web', 'alb-', 'index.js']) {
    assert.ok(!modules.some((f) => f.includes(absent)), `${absent} is bundled`);
  }
  assert.ok(!listing.some((f) => f.includes('test')), listing.join(' '));
  // The handler is one file: edge/src bundled, the core and the npm packages left out of it.
  assert.deepEqual(listing.filter((f) => f.startsWith('edge/src/')), ['edge/src/index.js']);

  // Unzipped elsewhere, index.handler loads the wasm synchronously and answers.
  const dir = path.join(tmp, 'unzipped');
  execFileSync('unzip', ['-q', out, '-d', dir]);
  const { handler } = require(path.join(dir, 'index.js'));
  return (async () => {
    const event = viewerRequest({ uri: '/index.html' });
    assert.equal(await handler(event), event.Records[0].cf.request);
    const minted = await handler(
      viewerRequest({ uri: '/auth', headers: { authorization: `Bearer ${idToken({ now: Date.now() })}` } }),
    );
    assert.equal(minted.status, '200', minted.body);
    assert.deepEqual(body(minted).tiers, ['gold', 'silver']);
  })();
});

test('the same inputs give the same zip', () => {
  const cfg = writeConfig('same.json', config());
  const a = path.join(tmp, 'a.zip');
  const b = path.join(tmp, 'b.zip');
  assert.equal(bundle(['--config', cfg, '--out', a, '--dev']).status, 0);
  assert.equal(bundle(['--config', cfg, '--out', b, '--dev']).status, 0);
  assert.deepEqual(fs.readFileSync(a), fs.readFileSync(b));
});

test('a zip over the limit fails the build, printing the size', () => {
  const run = bundle([
    '--config',
    writeConfig('dev2.json', config()),
    '--out',
    path.join(tmp, 'big.zip'),
    '--dev',
    '--max-bytes',
    '1000',
  ]);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /over the 1,000 byte limit/);
});

test('an invalid config, or a dev config without --dev, fails the build', () => {
  const broken = { ...config() };
  delete broken.signInUrl;
  const invalid = bundle(['--config', writeConfig('broken.json', broken), '--out', path.join(tmp, 'x.zip'), '--dev']);
  assert.equal(invalid.status, 1);
  assert.match(invalid.stderr, /signInUrl is required/);
  const dev = bundle(['--config', writeConfig('dev3.json', config()), '--out', path.join(tmp, 'y.zip')]);
  assert.equal(dev.status, 1);
  assert.match(dev.stderr, /"dev": true/);
});

test('the example config bundles as is', () => {
  const run = bundle([
    '--config',
    fileURLToPath(new URL('../config.example.json', import.meta.url)),
    '--out',
    path.join(tmp, 'example.zip'),
  ]);
  assert.equal(run.status, 0, run.stderr);
});

test('with the redirect flow, the bundle embeds the provider\'s discovery metadata and oauth4webapi, and starts a sign-in on Node 22 (the Lambda runtime)', async () => {
  const { startIdp, demoClients, NODE22 } = await import('../emulator/idp/launch.js');
  const idp = await startIdp({ clients: demoClients('https://media.example.com') });
  try {
    const cfg = config();
    delete cfg.signInUrl;
    cfg.identityProvider = {
      issuer: idp.issuer,
      clientIds: ['edge-demo-public'],
      jwksUrl: idp.discovery.jwks_uri,
      groupsClaim: 'groups',
      tokenUse: null,
      signIn: { clientId: 'edge-demo-public' },
    };
    const out = path.join(tmp, 'flow.zip');
    const run = bundle(['--config', writeConfig('flow.json', cfg), '--out', out, '--dev']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /endpoints read from .* \(discovery\)/);
    const listing = execFileSync('unzip', ['-Z1', out], { encoding: 'utf8' }).trim().split('\n');
    for (const file of ['node_modules/oauth4webapi/build/index.js', 'node_modules/oauth4webapi/package.json', 'node_modules/oauth4webapi/LICENSE.md']) {
      assert.ok(listing.includes(file), `${file} missing from the zip`);
    }
    assert.ok(!listing.some((f) => f.endsWith('.map') || f.endsWith('.d.ts')), 'no source maps or typings');
    const dir = path.join(tmp, 'flow-unzipped');
    execFileSync('unzip', ['-q', out, '-d', dir]);
    const bundled = JSON.parse(fs.readFileSync(path.join(dir, 'edge/config.json'), 'utf8'));
    assert.equal(bundled.identityProvider.signIn.metadata.authorization_endpoint, idp.discovery.authorization_endpoint);
    assert.equal(bundled.identityProvider.signIn.metadata.token_endpoint, idp.discovery.token_endpoint);
    // The unzipped handler under Node 22, as Lambda@Edge's nodejs22.x runs it.
    const script = `
      const { handler } = require(${JSON.stringify(path.join(dir, 'index.js'))});
      handler(${JSON.stringify(viewerRequest({ uri: '/premium/a', headers: { accept: 'text/html' } }))})
        .then((r) => console.log(JSON.stringify({ status: r.status, location: r.headers.location[0].value, node: process.version })));`;
    const answer = JSON.parse(execFileSync(NODE22, ['-e', script], { encoding: 'utf8', cwd: tmp }).trim().split('\n').pop());
    assert.match(answer.node, /^v22\./);
    assert.equal(answer.status, '302');
    assert.ok(answer.location.startsWith(`${idp.discovery.authorization_endpoint}?`), answer.location);
    assert.equal(new URL(answer.location).searchParams.get('code_challenge_method'), 'S256');
  } finally {
    await idp.stop();
  }
});
