// `make deploy-package`: the bundle built for a real deployment is under Lambda@Edge's 1 MB,
// carries a config that needs nothing the stack creates (no domain, no key id: the secret the
// stack writes is named before the deploy), holds no key material, and the printed deploy
// command hands the template PEMs it accepts.
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

const args = (...extra) => [
  SCRIPT,
  '--user-pool-id', 'us-east-1_AbCdEf',
  '--client-id', '1example23456789',
  '--sign-in-url', 'https://www.example.com/signin',
  ...extra,
];

/** Every entry of the zip, by name (unzip -p streams one). */
function zipEntries(file) {
  const names = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n');
  return Object.fromEntries(names.map((n) => [n, execFileSync('unzip', ['-p', file, n], { maxBuffer: 8 << 20 })]));
}

test('the deployment bundle is under 1 MB, names the secret, and needs no domain or key id', () => {
  const out = execFileSync(process.execPath, args(), { encoding: 'utf8' });
  assert.match(out, /EdgeBundleSha256=[0-9a-f]{64}/);
  assert.match(out, /SecretName=cloudfront-edge-auth\/keys /);
  assert.ok(fs.statSync(ZIP).size < 1024 * 1024);
  const entries = zipEntries(ZIP);
  const config = JSON.parse(entries['edge/config.json']);
  assert.equal(config.dev, undefined);
  assert.equal(config.domain, undefined);
  assert.equal(config.keyGroup, undefined);
  assert.equal(config.activeKeyId, undefined);
  assert.deepEqual(config.signing, { secretsManager: { secretId: 'cloudfront-edge-auth/keys', region: 'us-east-1' } });
  assert.equal(config.identityProvider.issuer, 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf');
  assert.deepEqual(config.tiers.map((t) => [t.pathPrefix, t.groups]), [['/private/', ['*']], ['/premium/', ['premium']]]);
  for (const [name, bytes] of Object.entries(entries)) {
    // A PEM block with a body, not merely the label (the wasm knows the labels to parse them).
    assert.doesNotMatch(bytes.toString('latin1'), /-----BEGIN [A-Z ]*KEY-----\r?\n[A-Za-z0-9+/]{16}/,
      `${name} holds key material`);
  }
});

test('a chosen secret name and cookie domain reach the config and the printed command', () => {
  const out = execFileSync(process.execPath, args('--secret-name', 'media/edge-keys', '--domain', 'example.com'), {
    encoding: 'utf8',
  });
  assert.match(out, /SecretName=media\/edge-keys /);
  assert.match(out, /secret_name = "media\/edge-keys"/);
  const config = JSON.parse(zipEntries(ZIP)['edge/config.json']);
  assert.equal(config.signing.secretsManager.secretId, 'media/edge-keys');
  assert.equal(config.domain, 'example.com');
});

test('the printed PEM arguments are one line with \\n escapes, as the template takes them', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-package-'));
  const { publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  fs.writeFileSync(path.join(work, 'public_key.pem'), publicKey);
  const out = execFileSync(process.execPath, args('--keys-dir', work), { encoding: 'utf8' });
  const argument = /PublicKeyPemA=(.*) \\$/m.exec(out)[1];
  // The shell expands the printed argument exactly as a user's shell would.
  const expanded = execFileSync('bash', ['-c', `printf '%s' ${argument}`], { encoding: 'utf8' });
  assert.ok(!expanded.includes('\n'));
  assert.equal(expanded, publicKey.replaceAll('\n', '\\n'));
});

test('a bad secret name, missing and unknown flags are refused with the flag named', () => {
  const badName = spawnSync(process.execPath, args('--secret-name', 'has space'), { encoding: 'utf8' });
  assert.equal(badName.status, 2);
  assert.match(badName.stderr, /--secret-name must be a Secrets Manager name/);
  const missing = spawnSync(process.execPath, [SCRIPT, '--user-pool-id', 'us-east-1_X'], { encoding: 'utf8' });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /missing --client-id, --sign-in-url/);
  const removed = spawnSync(process.execPath, args('--key-id', 'K2JCJMDEHXQW5F'), { encoding: 'utf8' });
  assert.equal(removed.status, 2);
  assert.match(removed.stderr, /unknown flag --key-id/);
});
