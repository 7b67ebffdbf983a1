// The emulator's trusted-key-group check, against what @aws-sdk/cloudfront-signer produces:
// everything the SDK signs must pass, and every alteration must fail with CloudFront's code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { getSignedUrl, getSignedCookies } from '@aws-sdk/cloudfront-signer';
import { checkSignedRequest, trustedKeys, splitSigningParams, resourceMatches, ipInCidr } from '../src/signed-request.js';

const rsa = () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = {
  private: (pair) => pair.privateKey.export({ type: 'pkcs8', format: 'pem' }),
  public: (pair) => pair.publicKey.export({ type: 'spki', format: 'pem' }),
};
const signing = rsa();
const rotated = rsa();
const stranger = rsa();
const KEY = 'K2JCJMDEHXQW5F';
const ROTATED = 'K3ROTATEDKEY01';
const keys = trustedKeys([{ keys: { [KEY]: pem.public(signing) } }, { keys: { [ROTATED]: pem.public(rotated) } }]);

const NOW = Date.UTC(2027, 0, 15, 8, 0, 0);
const IN_AN_HOUR = new Date(NOW + 3600e3);
const BASE = 'https://media.example.com';
const sign = { keyPairId: KEY, privateKey: pem.private(signing) };

const check = (request) => checkSignedRequest({ nowMs: NOW, clientIp: '203.0.113.9', keys, ...request });
const cookieHeader = (cookies) => Object.entries(cookies).map(([k, v]) => `${k}=${v}`).join('; ');
const customPolicy = (resource, expiresAt, extra = {}) =>
  JSON.stringify({ Statement: [{ Resource: resource, Condition: { DateLessThan: { 'AWS:EpochTime': expiresAt }, ...extra } }] });
const epoch = (ms) => Math.floor(ms / 1000);

function assertDenied(verdict, code) {
  assert.equal(verdict.ok, false, `expected ${code}, got ok`);
  assert.equal(verdict.code, code, verdict.why);
}

test('accepts a canned-policy signed URL from the SDK', () => {
  const url = getSignedUrl({ url: `${BASE}/private/a.png`, dateLessThan: IN_AN_HOUR, ...sign });
  const verdict = check({ url });
  assert.deepEqual(verdict, { ok: true, keyPairId: KEY, source: 'url', expiresAt: epoch(IN_AN_HOUR.getTime()) * 1000 });
});

test('rebuilds the canned policy with the URL\'s own query parameters', () => {
  const url = getSignedUrl({ url: `${BASE}/private/a.png?size=large&v=2`, dateLessThan: IN_AN_HOUR, ...sign });
  assert.equal(splitSigningParams(url).resource, `${BASE}/private/a.png?size=large&v=2`);
  assert.equal(check({ url }).ok, true);
  assertDenied(check({ url: url.replace('size=large', 'size=small') }), 'AccessDenied');
});

test('accepts a custom-policy signed URL with start time and IP range from the SDK', () => {
  const url = getSignedUrl({
    url: `${BASE}/private/a.png`,
    dateLessThan: IN_AN_HOUR,
    dateGreaterThan: new Date(NOW - 60e3),
    ipAddress: '203.0.113.0/24',
    ...sign,
  });
  assert.equal(check({ url }).ok, true);
  assertDenied(check({ url, clientIp: '198.51.100.7' }), 'AccessDenied');
  assertDenied(check({ url, clientIp: undefined }), 'AccessDenied');
  assertDenied(check({ url, clientIp: '2001:db8::1' }), 'AccessDenied');
  assert.equal(check({ url, clientIp: '::ffff:203.0.113.200' }).ok, true);
});

test('refuses a URL before DateGreaterThan and accepts it exactly at that second', () => {
  const start = epoch(NOW) + 30;
  const url = getSignedUrl({ url: `${BASE}/private/a.png`, dateLessThan: IN_AN_HOUR, dateGreaterThan: new Date(start * 1000), ...sign });
  assertDenied(check({ url }), 'AccessDenied');
  assert.equal(check({ url, nowMs: start * 1000 }).ok, true);
});

test('refuses an expired URL, at DateLessThan exactly', () => {
  const url = getSignedUrl({ url: `${BASE}/private/a.png`, dateLessThan: IN_AN_HOUR, ...sign });
  assert.equal(check({ url, nowMs: IN_AN_HOUR.getTime() - 1000 }).ok, true);
  assertDenied(check({ url, nowMs: IN_AN_HOUR.getTime() }), 'AccessDenied');
});

test('accepts SDK signed cookies, canned and custom, and a wildcard policy covers the whole tier', () => {
  const canned = getSignedCookies({ url: `${BASE}/private/a.png`, dateLessThan: IN_AN_HOUR, ...sign });
  assert.ok(canned['CloudFront-Expires']);
  assert.equal(check({ url: `${BASE}/private/a.png`, cookieHeader: cookieHeader(canned) }).source, 'cookie');
  assertDenied(check({ url: `${BASE}/private/b.png`, cookieHeader: cookieHeader(canned) }), 'AccessDenied');

  const tier = getSignedCookies({ policy: customPolicy(`${BASE}/private/*`, epoch(IN_AN_HOUR.getTime())), ...sign });
  const header = `theme=dark; ${cookieHeader(tier)}; other=1`;
  for (const path of ['/private/a.png', '/private/gallery/2.svg', '/private/']) {
    assert.equal(check({ url: `${BASE}${path}`, cookieHeader: header }).ok, true, path);
  }
  for (const path of ['/premium/a.png', '/privatex', '/']) {
    assertDenied(check({ url: `${BASE}${path}`, cookieHeader: header }), 'AccessDenied');
  }
  assertDenied(check({ url: `http://media.example.com/private/a.png`, cookieHeader: header }), 'AccessDenied');
});

test('accepts SHA-256 signatures when Hash-Algorithm says so, and only then', () => {
  const url = getSignedUrl({ url: `${BASE}/private/a.png`, dateLessThan: IN_AN_HOUR, algorithm: 'SHA256', ...sign });
  assert.match(url, /Hash-Algorithm=SHA256$/);
  assert.equal(check({ url }).ok, true);
  assertDenied(check({ url: url.replace('&Hash-Algorithm=SHA256', '') }), 'AccessDenied');
  assertDenied(check({ url: url.replace('SHA256', 'MD5') }), 'AccessDenied');
  const cookies = getSignedCookies({ policy: customPolicy(`${BASE}/private/*`, epoch(IN_AN_HOUR.getTime())), algorithm: 'SHA256', ...sign });
  assert.equal(cookies['CloudFront-Hash-Algorithm'], 'SHA256');
  assert.equal(check({ url: `${BASE}/private/x`, cookieHeader: cookieHeader(cookies) }).ok, true);
});

test('accepts every key of every trusted key group (rotation), and no other key', () => {
  const byRotated = getSignedUrl({ url: `${BASE}/private/a.png`, dateLessThan: IN_AN_HOUR, keyPairId: ROTATED, privateKey: pem.private(rotated) });
  assert.equal(check({ url: byRotated }).keyPairId, ROTATED);
  const byStranger = getSignedUrl({ url: `${BASE}/private/a.png`, dateLessThan: IN_AN_HOUR, keyPairId: KEY, privateKey: pem.private(stranger) });
  assertDenied(check({ url: byStranger }), 'AccessDenied');
  const unknownId = getSignedUrl({ url: `${BASE}/private/a.png`, dateLessThan: IN_AN_HOUR, keyPairId: 'KUNKNOWN00001', privateKey: pem.private(signing) });
  assertDenied(check({ url: unknownId }), 'InvalidKey');
});

test('accepts an ECDSA P-256 key with a DER signature', () => {
  const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ecKeys = trustedKeys([{ keys: { KECDSAKEY0001: ec.publicKey } }]);
  const policy = customPolicy(`${BASE}/private/*`, epoch(IN_AN_HOUR.getTime()));
  const b64 = (buf) => buf.toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
  const cookie = `CloudFront-Policy=${b64(Buffer.from(policy))}; CloudFront-Signature=${b64(crypto.sign('sha1', Buffer.from(policy), ec.privateKey))}; CloudFront-Key-Pair-Id=KECDSAKEY0001`;
  assert.equal(checkSignedRequest({ url: `${BASE}/private/a`, cookieHeader: cookie, nowMs: NOW, keys: ecKeys }).ok, true);
});

test('a signed URL wins over cookies, whichever of the two is valid', () => {
  const goodCookies = cookieHeader(getSignedCookies({ policy: customPolicy(`${BASE}/private/*`, epoch(IN_AN_HOUR.getTime())), ...sign }));
  const expiredUrl = getSignedUrl({ url: `${BASE}/private/a.png`, dateLessThan: new Date(NOW - 1000), ...sign });
  assertDenied(check({ url: expiredUrl, cookieHeader: goodCookies }), 'AccessDenied');
  const goodUrl = getSignedUrl({ url: `${BASE}/private/a.png`, dateLessThan: IN_AN_HOUR, ...sign });
  assert.equal(check({ url: goodUrl, cookieHeader: 'CloudFront-Key-Pair-Id=nope' }).source, 'url');
});

test('tampering with any part of a signed cookie set is refused', () => {
  const cookies = getSignedCookies({ policy: customPolicy(`${BASE}/private/*`, epoch(IN_AN_HOUR.getTime())), ...sign });
  const url = `${BASE}/premium/a.png`;
  // Widen the policy to the premium tier, keep the signature.
  const widened = Buffer.from(customPolicy(`${BASE}/*`, epoch(IN_AN_HOUR.getTime()))).toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
  assertDenied(check({ url, cookieHeader: cookieHeader({ ...cookies, 'CloudFront-Policy': widened }) }), 'AccessDenied');
  // Flip one signature character.
  const sig = cookies['CloudFront-Signature'];
  const flipped = `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
  assertDenied(check({ url: `${BASE}/private/a.png`, cookieHeader: cookieHeader({ ...cookies, 'CloudFront-Signature': flipped }) }), 'AccessDenied');
  // A signature that is not CloudFront base64.
  assertDenied(check({ url: `${BASE}/private/a.png`, cookieHeader: cookieHeader({ ...cookies, 'CloudFront-Signature': 'not*base64' }) }), 'MalformedSignature');
  // A policy that is not a policy.
  assertDenied(check({ url: `${BASE}/private/a.png`, cookieHeader: cookieHeader({ ...cookies, 'CloudFront-Policy': 'e30_' }) }), 'MalformedPolicy');
  assertDenied(check({ url: `${BASE}/private/a.png`, cookieHeader: cookieHeader({ ...cookies, 'CloudFront-Policy': '%%%' }) }), 'MalformedPolicy');
});

test('answers MissingKey without credentials or without a Key-Pair-Id', () => {
  assertDenied(check({ url: `${BASE}/private/a.png` }), 'MissingKey');
  assertDenied(check({ url: `${BASE}/private/a.png`, cookieHeader: 'session=abc; theme=dark' }), 'MissingKey');
  const cookies = getSignedCookies({ policy: customPolicy(`${BASE}/private/*`, epoch(IN_AN_HOUR.getTime())), ...sign });
  delete cookies['CloudFront-Key-Pair-Id'];
  assertDenied(check({ url: `${BASE}/private/a.png`, cookieHeader: cookieHeader(cookies) }), 'MissingKey');
  const url = getSignedUrl({ url: `${BASE}/private/a.png`, dateLessThan: IN_AN_HOUR, ...sign });
  assertDenied(check({ url: url.replace(/&Key-Pair-Id=[^&]+/, '') }), 'MissingKey');
});

test('the first of repeated cookies is read, as browsers send the longest path first', () => {
  const good = getSignedCookies({ policy: customPolicy(`${BASE}/private/*`, epoch(IN_AN_HOUR.getTime())), ...sign });
  const header = `${cookieHeader(good)}; CloudFront-Signature=AAAA`;
  assert.equal(check({ url: `${BASE}/private/a`, cookieHeader: header }).ok, true);
  assertDenied(check({ url: `${BASE}/private/a`, cookieHeader: `CloudFront-Signature=AAAA; ${cookieHeader(good)}` }), 'AccessDenied');
});

test('resource wildcards and CIDR ranges', () => {
  assert.equal(resourceMatches('https://d/a*', 'https://d/a'), true);
  assert.equal(resourceMatches('https://d/a?c', 'https://d/abc'), true);
  assert.equal(resourceMatches('https://d/a?c', 'https://d/ac'), false);
  assert.equal(resourceMatches('http*://d/*.png', 'https://d/x/y.png'), true);
  assert.equal(resourceMatches('https://d/a.png', 'https://d/aXpng'), false);
  assert.equal(ipInCidr('10.1.2.3', '10.0.0.0/8'), true);
  assert.equal(ipInCidr('11.1.2.3', '10.0.0.0/8'), false);
  assert.equal(ipInCidr('192.0.2.1', '192.0.2.1'), true);
  assert.equal(ipInCidr('192.0.2.1', '0.0.0.0/0'), true);
  assert.equal(ipInCidr('192.0.2.1', '192.0.2.0/33'), false);
});
