// `make deploy-package`: the bundle built for a real deployment is under Lambda@Edge's 1 MB,
// carries the config generated from the stack's values, and holds no private key.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCRIPT = path.join(ROOT, 'deploy/package.mjs');
const ZIP = path.join(ROOT, 'edge/dist/edge-auth.zip');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-package-'));
const { publicKey, privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
fs.writeFileSync(path.join(work, 'public_key.pem'), publicKey);
fs.writeFileSync(path.join(work, 'private_key.pem'), privateKey);

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:edge-key-AbCdEf';
const args = (publicKeyFile) => [
  SCRIPT,
  '--domain', 'd111111abcdef8.cloudfront.net',
  '--key-id', 'K2JCJMDEHXQW5F',
  '--public-key', publicKeyFile,
  '--secret-arn', SECRET_ARN,
  '--user-pool-id', 'us-east-1_AbCdEf',
  '--client-id', '1example23456789',
  '--sign-in-url', 'https://www.example.com/signin',
];

/** Every entry of the zip, by name (unzip -p streams one). */
function zipEntries(file) {
  const names = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n');
  return Object.fromEntries(names.map((n) => [n, execFileSync('unzip', ['-p', file, n], { maxBuffer: 8 << 20 })]));
}

test('the deployment bundle is under 1 MB, configured from the stack values, with no private key', () => {
  const out = execFileSync(process.execPath, args(path.join(work, 'public_key.pem')), { encoding: 'utf8' });
  assert.match(out, /EdgeBundleSha256=[0-9a-f]{64}/);
  assert.ok(fs.statSync(ZIP).size < 1024 * 1024);
  const entries = zipEntries(ZIP);
  const config = JSON.parse(entries['edge/config.json']);
  assert.equal(config.dev, undefined);
  assert.deepEqual(config.privateKey, { secretsManager: { secretId: SECRET_ARN, region: 'us-east-1' } });
  assert.equal(config.identityProvider.issuer, 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf');
  assert.deepEqual(config.tiers.map((t) => [t.pathPrefix, t.groups]), [['/private/', ['*']], ['/premium/', ['premium']]]);
  for (const [name, bytes] of Object.entries(entries)) {
    // A PEM block with a body, not merely the label (the wasm knows the labels to parse them).
    assert.doesNotMatch(bytes.toString('latin1'), /-----BEGIN [A-Z ]*PRIVATE KEY-----\r?\n[A-Za-z0-9+/]{16}/,
      `${name} holds a private key`);
  }
  const body = privateKey.split('\n')[1];
  assert.ok(!Object.values(entries).some((b) => b.includes(body)), 'private key material in the zip');
});

test('a private key given as the public key is refused before anything is written', () => {
  const run = spawnSync(process.execPath, args(path.join(work, 'private_key.pem')), { encoding: 'utf8' });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /--public-key is a private key/);
});

test('missing and unknown flags are refused with the flag named', () => {
  const missing = spawnSync(process.execPath, [SCRIPT, '--domain', 'x.example'], { encoding: 'utf8' });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /missing --key-id, --public-key/);
  const unknown = spawnSync(process.execPath, [...args('x'), '--colour', 'blue'], { encoding: 'utf8' });
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown flag --colour/);
});
