// Our signer and verifier against botocore's, through `aws cloudfront sign` (awscli v1).
//
// The two AWS signers append the same parameters in different orders (DESIGN 2): the SDK,
// which our JS API mirrors, writes Expires, Key-Pair-Id, Signature; botocore writes Expires,
// Signature, Key-Pair-Id. For plain URLs every value, the signature included, is the same.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Verifier, getSignedUrl } from '../../pkg/index.mjs';
import { decodeCloudFrontBase64, makeRsaKey, signatureVerifies, splitSignedUrl } from './support.mjs';

const KEY_PAIR_ID = 'K2JCJMDEHXQW5F';

function awsCliVersion() {
  try {
    return execFileSync('aws', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return null;
  }
}
const AWS_CLI = awsCliVersion();

/** @type {ReturnType<typeof makeRsaKey>} */
let key;
let dir;
let keyFile;
let verifier;

before(() => {
  key = makeRsaKey();
  dir = mkdtempSync(join(tmpdir(), 'cfea-awscli-'));
  keyFile = join(dir, 'key.pem');
  // awscli's `rsa` package reads PKCS#1 only.
  writeFileSync(keyFile, key.pkcs1, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  verifier = new Verifier({ keys: { [KEY_PAIR_ID]: key.spki } });
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * `aws cloudfront sign`; dates are epoch seconds, which the CLI reads as UTC.
 * @param {string} url
 * @param {{ dateLessThan: number, dateGreaterThan?: number, ipAddress?: string }} o
 */
function awsSign(url, o) {
  const args = ['cloudfront', 'sign', '--url', url, '--key-pair-id', KEY_PAIR_ID,
    '--private-key', `file://${keyFile}`, '--date-less-than', String(o.dateLessThan)];
  if (o.dateGreaterThan !== undefined) args.push('--date-greater-than', String(o.dateGreaterThan));
  if (o.ipAddress !== undefined) args.push('--ip-address', o.ipAddress);
  return execFileSync('aws', args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, AWS_PAGER: '', AWS_DEFAULT_REGION: 'us-east-1' },
  });
}

/** Our SDK-ordered signed URL with its last two parameters swapped into botocore's order. */
function inBotocoreOrder(sdkUrl) {
  const { base, params } = splitSignedUrl(sdkUrl);
  const [carrier, keyPairId, signature, ...rest] = params;
  assert.deepStrictEqual([keyPairId[0], signature[0]], ['Key-Pair-Id', 'Signature']);
  const join = base.includes('?') ? '&' : '?';
  return base + join + [carrier, signature, keyPairId, ...rest].map(([n, v]) => `${n}=${v}`).join('&');
}

// scripts/bootstrap.sh installs awscli, so under `make test` / CI a missing CLI is a failure,
// not a skip; a developer running this file alone without it gets a skip.
if (!AWS_CLI && process.env.CI) {
  throw new Error('the aws CLI (awscli v1) is not on PATH; run scripts/bootstrap.sh');
}
const skip = AWS_CLI ? false : 'the aws CLI (awscli v1) is not on PATH';

describe(`aws cloudfront sign (${AWS_CLI ?? 'not installed'})`, { skip }, () => {
  // Plain URLs: nothing the SDK's normaliser re-encodes, so both sign the same Resource.
  const plain = [
    ['https://d111111abcdef8.cloudfront.net/images/photo.jpg', 1_893_456_000],
    ['https://d.example/a/b-c_d.e~f.png?size=large&v=2', 2_000_000_000],
    ['http://media.example.com:8080/video/index.m3u8?x=1&y=', 2_147_483_647],
    ['wss://live.example.net/stream', 1_900_000_123],
  ];
  for (const [url, expires] of plain) {
    test(`canned: same signed URL as ours, botocore's parameter order (${url})`, () => {
      const theirs = awsSign(url, { dateLessThan: expires });
      assert.doesNotMatch(theirs, /\n/, 'aws prints the URL without a newline');
      const ours = getSignedUrl({ url, keyPairId: KEY_PAIR_ID, privateKey: key.pkcs1, dateLessThan: expires * 1000 });
      assert.equal(theirs, inBotocoreOrder(ours));
      const { base, values } = splitSignedUrl(theirs);
      assert.equal(base, url);
      assert.equal(values.Expires, String(expires));

      const verdict = verifier.verify({ url: theirs, now: (expires - 1) * 1000 });
      assert.deepStrictEqual(verdict, {
        ok: true,
        keyPairId: KEY_PAIR_ID,
        expiresAt: expires * 1000,
        source: 'url',
        policy: { kind: 'canned', resource: url, expiresAtMs: expires * 1000, notBeforeMs: null, ipAddress: null },
      });
      assert.equal(verifier.verify({ url: theirs, now: expires * 1000 }).reason, 'expired');
    });
  }

  /**
   * Signs with the CLI, checks the policy bytes it signed, that our JS API signs the same
   * bytes to the same signature, and returns the CLI's URL and decoded policy.
   */
  function awsCustom(url, options, expectedPolicy) {
    const signed = awsSign(url, options);
    const { base, params, values } = splitSignedUrl(signed);
    assert.equal(base, url);
    assert.deepStrictEqual(params.map(([n]) => n), ['Policy', 'Signature', 'Key-Pair-Id']);
    const policy = decodeCloudFrontBase64(values.Policy).toString();
    assert.equal(policy, expectedPolicy);
    assert.ok(signatureVerifies(policy, values.Signature, key.publicKey));
    // Our `policy` option signs these exact bytes: the signature must be botocore's.
    const ours = splitSignedUrl(getSignedUrl({ url, policy, keyPairId: KEY_PAIR_ID, privateKey: key.pkcs1 })).values;
    assert.equal(ours.Policy, values.Policy);
    assert.equal(ours.Signature, values.Signature);
    return { signed, query: signed.slice(url.length + 1) };
  }

  test('custom (start and IP): accepted in its window from inside the CIDR, refused otherwise', () => {
    const url = 'https://d111111abcdef8.cloudfront.net/reports/q3.pdf';
    const window = { dateLessThan: 1_900_000_000, dateGreaterThan: 1_800_000_000, ipAddress: '198.51.100.0/24' };
    // botocore's condition order: DateLessThan, IpAddress, DateGreaterThan (the SDK puts
    // DateGreaterThan second). The verifier checks the bytes as sent, so both pass.
    const { signed } = awsCustom(url, window,
      `{"Statement":[{"Resource":"${url}","Condition":{"DateLessThan":{"AWS:EpochTime":1900000000},` +
      '"IpAddress":{"AWS:SourceIp":"198.51.100.0/24"},"DateGreaterThan":{"AWS:EpochTime":1800000000}}}]}');
    const at = (now, clientIp = '198.51.100.77') => verifier.verify({ url: signed, now: now * 1000, clientIp });

    assert.deepStrictEqual(at(1_850_000_000), {
      ok: true,
      keyPairId: KEY_PAIR_ID,
      expiresAt: 1_900_000_000_000,
      source: 'url',
      policy: { kind: 'custom', resource: url, expiresAtMs: 1_900_000_000_000, notBeforeMs: 1_800_000_000_000, ipAddress: '198.51.100.0/24' },
    });
    assert.equal(at(1_800_000_000).ok, true, 'valid from DateGreaterThan on');
    assert.equal(at(1_799_999_999).reason, 'not-yet-valid');
    assert.equal(at(1_900_000_000).reason, 'expired');
    assert.equal(at(1_850_000_000, '198.51.101.77').reason, 'ip-mismatch');
    assert.equal(at(1_850_000_000, '2001:db8::1').reason, 'ip-mismatch');
    assert.equal(verifier.verify({ url: signed, now: 1_850_000_000_000 }).reason, 'ip-mismatch', 'no client IP');
  });

  test('custom (bare IP): botocore writes /32, the verifier accepts that one address', () => {
    const url = 'https://d.example/a.png?size=large';
    const { signed } = awsCustom(url, { dateLessThan: 2_000_000_000, ipAddress: '203.0.113.9' },
      `{"Statement":[{"Resource":"${url}","Condition":{"DateLessThan":{"AWS:EpochTime":2000000000},` +
      '"IpAddress":{"AWS:SourceIp":"203.0.113.9/32"}}}]}');
    const now = 1_950_000_000_000;
    assert.equal(verifier.verify({ url: signed, now, clientIp: '203.0.113.9' }).ok, true);
    assert.equal(verifier.verify({ url: signed, now, clientIp: '203.0.113.10' }).reason, 'ip-mismatch');
  });

  test('custom (start only): accepted after the start, not before', () => {
    const url = 'https://d.example/later.mp4';
    const { signed } = awsCustom(url, { dateLessThan: 2_100_000_000, dateGreaterThan: 2_000_000_000 },
      `{"Statement":[{"Resource":"${url}","Condition":{"DateLessThan":{"AWS:EpochTime":2100000000},` +
      '"DateGreaterThan":{"AWS:EpochTime":2000000000}}}]}');
    assert.equal(verifier.verify({ url: signed, now: 2_050_000_000_000 }).ok, true);
    assert.equal(verifier.verify({ url: signed, now: 1_999_999_999_999 }).reason, 'not-yet-valid');
  });

  test('custom wildcard Resource: its query string opens every URL under the prefix', () => {
    const pattern = 'https://d.example/private/*';
    const { query } = awsCustom(pattern, { dateLessThan: 2_000_000_000, ipAddress: '0.0.0.0/0' },
      `{"Statement":[{"Resource":"${pattern}","Condition":{"DateLessThan":{"AWS:EpochTime":2000000000},` +
      '"IpAddress":{"AWS:SourceIp":"0.0.0.0/0"}}}]}');
    const now = 1_900_000_000_000;
    const clientIp = '192.0.2.1';
    const verdict = verifier.verify({ url: `https://d.example/private/movies/a.mp4?${query}`, now, clientIp });
    assert.deepStrictEqual(verdict, {
      ok: true,
      keyPairId: KEY_PAIR_ID,
      expiresAt: 2_000_000_000_000,
      source: 'url',
      policy: { kind: 'custom', resource: pattern, expiresAtMs: 2_000_000_000_000, notBeforeMs: null, ipAddress: '0.0.0.0/0' },
    });
    assert.equal(verifier.verify({ url: `https://d.example/private/a.mp4?lang=en&${query}`, now, clientIp }).ok, true);
    assert.equal(verifier.verify({ url: `https://d.example/public/a.mp4?${query}`, now, clientIp }).reason, 'resource-mismatch');
    assert.equal(verifier.verify({ url: `http://d.example/private/a.mp4?${query}`, now, clientIp }).reason, 'resource-mismatch');
  });

  test('a canned URL signed by the CLI for one path is refused on another', () => {
    const signed = awsSign('https://d.example/a.png', { dateLessThan: 2_000_000_000 });
    const moved = signed.replace('/a.png?', '/b.png?');
    // A canned policy is rebuilt from the request, so another path is another policy.
    assert.equal(verifier.verify({ url: moved, now: 1_900_000_000_000 }).reason, 'bad-signature');
  });
});
