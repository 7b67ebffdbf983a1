// The Verifier as a specification: what it accepts (what @aws-sdk/cloudfront-signer signs,
// as a URL or as cookies) and the exact reason for everything it refuses. Checks run in a
// fixed order (parse, key id, signature, time, resource, IP), so a tampered value is refused
// as 'malformed', 'unknown-key' or 'bad-signature' before its window is even looked at.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import * as sdk from '@aws-sdk/cloudfront-signer';

import { Verifier } from '../../pkg/index.mjs';
import { cookieHeader, decodeCloudFrontBase64, encodeCloudFrontBase64, makeRsaKey } from './support.mjs';

const ID_A = 'K2JCJMDEHXQW5F';
const ID_B = 'K3NEWKEY0000AB';
const EXPIRES = 2_000_000_000; // epoch seconds
const NOW = 1_900_000_000_000; // ms, inside every window below
const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-~';

let keyA;
let keyB;
let stranger;
/** @type {Verifier} */
let verifier;

before(() => {
  keyA = makeRsaKey();
  keyB = makeRsaKey();
  stranger = makeRsaKey();
  verifier = new Verifier({ keys: { [ID_A]: keyA.spki } });
});

const signA = (options) => ({ keyPairId: ID_A, privateKey: keyA.pkcs8, ...options });
/** An accepted verdict, down to the policy that was verified. */
const accepted = (keyPairId, expiresAt, source, policy) => ({ ok: true, keyPairId, expiresAt, source, policy });
/** The verdict's `policy` of a canned policy: the URL it was signed for (rebuilt by the verifier). */
const canned = (resource, expiresAtMs = EXPIRES * 1000) =>
  ({ kind: 'canned', resource, expiresAtMs, notBeforeMs: null, ipAddress: null });
/** The verdict's `policy` of a custom policy, as decoded from `Policy`. */
const custom = (resource, { expiresAtMs = EXPIRES * 1000, notBeforeMs = null, ipAddress = null } = {}) =>
  ({ kind: 'custom', resource, expiresAtMs, notBeforeMs, ipAddress });
/** What customCookies() signs. */
const WILDCARD = custom('https://d.example/private/*', { notBeforeMs: 1_800_000_000_000, ipAddress: '198.51.100.0/24' });

/** Asserts a refusal with exactly this reason (and a message saying something). */
function assertDenied(verdict, reason, label = '') {
  assert.equal(verdict.ok, false, `expected ${reason}, got ${JSON.stringify(verdict)} ${label}`);
  assert.deepStrictEqual(Object.keys(verdict), ['ok', 'reason', 'message']);
  assert.equal(verdict.reason, reason, `${verdict.message} ${label}`);
  assert.ok(verdict.message.length > 0);
}

/** A canned cookie set for `url` and its Cookie header. */
function cannedCookies(url = 'https://d.example/private/a.png', options = {}) {
  const cookies = sdk.getSignedCookies(signA({ url, dateLessThan: EXPIRES * 1000, ...options }));
  return { url, cookies, header: cookieHeader(cookies) };
}

/** A custom cookie set (wildcard resource) and its Cookie header. */
function customCookies(options = {}) {
  const cookies = sdk.getSignedCookies(signA({
    url: 'https://d.example/private/*',
    dateLessThan: EXPIRES * 1000,
    dateGreaterThan: 1_800_000_000_000,
    ipAddress: '198.51.100.0/24',
    ...options,
  }));
  return { cookies, header: cookieHeader(cookies) };
}

/** Replaces the character at `index` of `text`. */
const replaceAt = (text, index, c) => text.slice(0, index) + c + text.slice(index + 1);
/** A different character of the CloudFront base64 alphabet. */
const otherBase64Char = (c, step = 1) => BASE64_ALPHABET[(BASE64_ALPHABET.indexOf(c) + step) % BASE64_ALPHABET.length];

/**
 * Whether writing `c` at `index` of a base64 value only cuts its optional padding off: a
 * cookie or query delimiter there ends the value early and leaves the same bytes.
 */
const onlyCutsPadding = (value, index, c) => [';', ' ', '&'].includes(c) && /^_+$/.test(value.slice(index));

/**
 * Runs every tamper; each must be refused with one of `allowed`. Returns how often each
 * reason came up, so a caller can check the loop exercised what it meant to.
 */
function assertAllRefused(tampers, allowed) {
  const seen = {};
  const wrong = [];
  for (const [label, verdict] of tampers) {
    if (verdict.ok || !allowed.includes(verdict.reason)) wrong.push(`${label}: ${JSON.stringify(verdict)}`);
    else seen[verdict.reason] = (seen[verdict.reason] ?? 0) + 1;
  }
  assert.deepStrictEqual(wrong.slice(0, 10), [], `${wrong.length} tampers not refused as ${allowed.join('/')}`);
  return seen;
}

describe('accepts what @aws-sdk/cloudfront-signer signs', () => {
  // Each URL with the one the SDK normalises it to before signing: the verified Resource.
  const urls = [
    ['https://d111111abcdef8.cloudfront.net/images/a.png', 'https://d111111abcdef8.cloudfront.net/images/a.png'],
    ['https://d.example/a b/caf\u00e9.png?x=1&q=a b&&flag', 'https://d.example/a%20b/caf%C3%A9.png?x=1&q=a%20b&flag='],
    ["https://d.example/it's/100%/%zz?p=a+b&e=a=b", "https://d.example/it's/100%25/%25zz?p=a+b&e=a%3Db"],
    ['http://d.example:8080/v/index.m3u8', 'http://d.example:8080/v/index.m3u8'],
  ];
  for (const [url, resource] of urls) {
    test(`canned and custom signed URLs, SHA1 and SHA256 (${url})`, () => {
      for (const algorithm of ['SHA1', 'SHA256']) {
        const cannedUrl = sdk.getSignedUrl(signA({ url, dateLessThan: EXPIRES * 1000, algorithm }));
        assert.deepStrictEqual(verifier.verify({ url: cannedUrl, now: NOW }), accepted(ID_A, EXPIRES * 1000, 'url', canned(resource)));
        const customUrl = sdk.getSignedUrl(signA({ url, dateLessThan: EXPIRES * 1000, ipAddress: '203.0.113.0/24', algorithm }));
        assert.deepStrictEqual(
          verifier.verify({ url: customUrl, now: NOW, clientIp: '203.0.113.250' }),
          accepted(ID_A, EXPIRES * 1000, 'url', custom(resource, { ipAddress: '203.0.113.0/24' })),
        );
      }
    });
  }

  test('canned cookies, among other cookies, as the browser sends them back', () => {
    const { url, header } = cannedCookies();
    const expected = accepted(ID_A, EXPIRES * 1000, 'cookie', canned(url));
    assert.deepStrictEqual(verifier.verify({ url, cookie: header, now: NOW }), expected);
    assert.deepStrictEqual(verifier.verify({ url, cookie: `session=abc; ${header}; theme=dark`, now: NOW }), expected);
    assert.deepStrictEqual(verifier.verify({ url, cookie: header.replace(/; /g, ';'), now: NOW }), expected);
  });

  test('custom cookies open every URL under the wildcard, with any query', () => {
    const { header } = customCookies();
    for (const url of ['https://d.example/private/a.png', 'https://d.example/private/', 'https://d.example/private/x/y.mp4?lang=en&t=1']) {
      assert.deepStrictEqual(
        verifier.verify({ url, cookie: header, now: NOW, clientIp: '198.51.100.7' }),
        accepted(ID_A, EXPIRES * 1000, 'cookie', WILDCARD),
        url,
      );
    }
  });

  test('SHA256 cookies (CloudFront-Hash-Algorithm)', () => {
    const { url, cookies, header } = cannedCookies(undefined, { algorithm: 'SHA256' });
    assert.equal(cookies['CloudFront-Hash-Algorithm'], 'SHA256');
    assert.deepStrictEqual(verifier.verify({ url, cookie: header, now: NOW }), accepted(ID_A, EXPIRES * 1000, 'cookie', canned(url)));
    // The same signature announced as SHA1 does not verify.
    const asSha1 = header.replace('CloudFront-Hash-Algorithm=SHA256', 'CloudFront-Hash-Algorithm=SHA1');
    assertDenied(verifier.verify({ url, cookie: asSha1, now: NOW }), 'bad-signature');
  });

  test('the policy option, and keys in PKCS#1, PKCS#8 and encrypted PKCS#8 form', () => {
    const policy = `{"Statement":[{"Resource":"https://d.example/v/*","Condition":{"DateLessThan":{"AWS:EpochTime":${EXPIRES}}}}]}`;
    const expected = custom('https://d.example/v/*');
    for (const privateKey of [keyA.pkcs1, keyA.pkcs8]) {
      const url = sdk.getSignedUrl({ keyPairId: ID_A, privateKey, policy });
      assert.deepStrictEqual(verifier.verify({ url, now: NOW }), accepted(ID_A, EXPIRES * 1000, 'url', expected));
    }
    const cookies = sdk.getSignedCookies({ keyPairId: ID_A, privateKey: keyA.encryptedPkcs8, passphrase: 'correct horse battery staple', policy });
    assert.deepStrictEqual(
      verifier.verify({ url: 'https://d.example/v/seg-1.ts', cookie: cookieHeader(cookies), now: NOW }),
      accepted(ID_A, EXPIRES * 1000, 'cookie', expected),
    );
  });

  test('a PKCS#1 public key in the group works as well as SPKI', () => {
    const pkcs1Verifier = new Verifier({ keys: { [ID_A]: keyA.pkcs1Public } });
    const { url, header } = cannedCookies();
    assert.deepStrictEqual(pkcs1Verifier.verify({ url, cookie: header, now: NOW }), accepted(ID_A, EXPIRES * 1000, 'cookie', canned(url)));
  });

  test('now defaults to the clock', () => {
    const url = 'https://d.example/a.png';
    const fresh = sdk.getSignedUrl(signA({ url, dateLessThan: Date.now() + 3_600_000 }));
    assert.equal(verifier.verify({ url: fresh }).ok, true);
    const stale = sdk.getSignedUrl(signA({ url, dateLessThan: Date.now() - 3_600_000 }));
    assertDenied(verifier.verify({ url: stale }), 'expired');
  });
});

describe('refuses single-byte tampers', () => {
  test('of the signature (cookie and URL): bad-signature or malformed, never accepted', () => {
    const { url, cookies } = cannedCookies();
    const signature = cookies['CloudFront-Signature'];
    const signedUrl = sdk.getSignedUrl(signA({ url, dateLessThan: EXPIRES * 1000 }));
    const tampers = [];
    for (let i = 0; i < signature.length; i += 1) {
      for (const c of [otherBase64Char(signature[i]), otherBase64Char(signature[i], 32), '+', '/', '=', '.', ' ', ';']) {
        if (onlyCutsPadding(signature, i, c)) continue;
        const bad = replaceAt(signature, i, c);
        const cookie = cookieHeader({ ...cookies, 'CloudFront-Signature': bad });
        tampers.push([`cookie signature[${i}]=${c}`, verifier.verify({ url, cookie, now: NOW })]);
        tampers.push([`url signature[${i}]=${c}`, verifier.verify({ url: signedUrl.replace(signature, bad), now: NOW })]);
      }
    }
    const seen = assertAllRefused(tampers, ['bad-signature', 'malformed']);
    assert.ok(seen['bad-signature'] > signature.length && seen.malformed > signature.length, JSON.stringify(seen));
  });

  test('of the policy (cookie and URL): malformed or bad-signature, never accepted', () => {
    const { cookies } = customCookies();
    const policy = cookies['CloudFront-Policy'];
    const signedUrl = sdk.getSignedUrl(signA({ url: 'https://d.example/private/*', dateLessThan: EXPIRES * 1000, ipAddress: '198.51.100.0/24' }));
    const urlPolicy = new URLSearchParams(signedUrl.split('?')[1]).get('Policy');
    const viewerUrl = (query) => `https://d.example/private/a.png?${query}`;
    const tampers = [];
    for (let i = 0; i < policy.length; i += 1) {
      for (const c of [otherBase64Char(policy[i]), otherBase64Char(policy[i], 21), '+', '=', '&', ' ']) {
        if (onlyCutsPadding(policy, i, c)) continue;
        const cookie = cookieHeader({ ...cookies, 'CloudFront-Policy': replaceAt(policy, i, c) });
        tampers.push([`cookie policy[${i}]=${c}`, verifier.verify({ url: 'https://d.example/private/a.png', cookie, now: NOW, clientIp: '198.51.100.1' })]);
      }
    }
    for (let i = 0; i < urlPolicy.length; i += 1) {
      for (const c of [otherBase64Char(urlPolicy[i]), '&', '=']) {
        if (onlyCutsPadding(urlPolicy, i, c)) continue;
        const query = signedUrl.split('?')[1].replace(urlPolicy, replaceAt(urlPolicy, i, c));
        tampers.push([`url policy[${i}]=${c}`, verifier.verify({ url: viewerUrl(query), now: NOW, clientIp: '198.51.100.1' })]);
      }
    }
    const seen = assertAllRefused(tampers, ['malformed', 'bad-signature']);
    assert.ok(seen['bad-signature'] > 0 && seen.malformed > 0, JSON.stringify(seen));
  });

  test('of the key id: unknown-key or malformed, never accepted', () => {
    const { url, cookies } = cannedCookies();
    const signedUrl = sdk.getSignedUrl(signA({ url, dateLessThan: EXPIRES * 1000 }));
    const tampers = [];
    for (let i = 0; i < ID_A.length; i += 1) {
      for (let code = 0x21; code <= 0x7e; code += 1) {
        const c = String.fromCharCode(code);
        if (c === ID_A[i]) continue;
        const bad = replaceAt(ID_A, i, c);
        const cookie = cookieHeader({ ...cookies, 'CloudFront-Key-Pair-Id': bad });
        tampers.push([`cookie id ${bad}`, verifier.verify({ url, cookie, now: NOW })]);
        tampers.push([`url id ${bad}`, verifier.verify({ url: signedUrl.replace(`Key-Pair-Id=${ID_A}`, `Key-Pair-Id=${bad}`), now: NOW })]);
      }
    }
    const seen = assertAllRefused(tampers, ['unknown-key', 'malformed']);
    assert.ok(seen['unknown-key'] >= 2 * ID_A.length * 61, JSON.stringify(seen));
    assert.ok(seen.malformed > 0, JSON.stringify(seen));
  });

  test('of a canned expiry: bad-signature when it still reads as an epoch, else malformed', () => {
    const { url, cookies } = cannedCookies();
    const signedUrl = sdk.getSignedUrl(signA({ url, dateLessThan: EXPIRES * 1000 }));
    const expires = String(EXPIRES);
    const wrong = [];
    for (let i = 0; i < expires.length; i += 1) {
      for (const c of [...'0123456789', 'a', '-', '+', '.', ' ', 'e', '\u0660']) {
        if (c === expires[i]) continue;
        const bad = replaceAt(expires, i, c);
        const cookie = cookieHeader({ ...cookies, 'CloudFront-Expires': bad });
        for (const [where, value, verdict] of [
          // A cookie pair is trimmed of spaces at both ends, a query value is not.
          ['cookie', bad.trim(), verifier.verify({ url, cookie, now: NOW })],
          ['url', bad, verifier.verify({ url: signedUrl.replace(`Expires=${expires}`, `Expires=${bad}`), now: NOW })],
        ]) {
          const epoch = /^[0-9]{1,10}$/.test(value) ? Number(value) : NaN;
          const reason = epoch >= 1 && epoch <= 2_147_483_647 ? 'bad-signature' : 'malformed';
          if (verdict.ok || verdict.reason !== reason) wrong.push(`${where} Expires=${bad}: ${JSON.stringify(verdict)}, expected ${reason}`);
        }
      }
    }
    assert.deepStrictEqual(wrong, []);
  });

  test("of a custom policy's DateLessThan, re-encoded: bad-signature when still valid, else malformed", () => {
    const { cookies } = customCookies();
    const json = decodeCloudFrontBase64(cookies['CloudFront-Policy']).toString();
    const at = json.indexOf(String(EXPIRES));
    assert.ok(at > 0);
    const wrong = [];
    for (let i = at; i < at + 10; i += 1) {
      for (const c of '0123456789x') {
        if (c === json[i]) continue;
        const digits = replaceAt(json, i, c).slice(at, at + 10);
        // serde_json refuses leading zeros; CloudFront epochs are 1..2^31-1 and after DateGreaterThan.
        const valid = /^[1-9][0-9]{9}$/.test(digits) && Number(digits) <= 2_147_483_647 && Number(digits) > 1_800_000_000;
        const cookie = cookieHeader({ ...cookies, 'CloudFront-Policy': encodeCloudFrontBase64(replaceAt(json, i, c)) });
        const verdict = verifier.verify({ url: 'https://d.example/private/a', cookie, now: NOW, clientIp: '198.51.100.1' });
        const reason = valid ? 'bad-signature' : 'malformed';
        if (verdict.ok || verdict.reason !== reason) wrong.push(`DateLessThan ${digits}: ${JSON.stringify(verdict)}, expected ${reason}`);
      }
    }
    assert.deepStrictEqual(wrong, []);
  });
});

describe('refuses with the right reason', () => {
  test('unknown-key: a key id outside the group; bad-signature: a stranger signing as a member', () => {
    const url = 'https://d.example/a.png';
    const unknown = sdk.getSignedUrl({ url, keyPairId: 'KUNKNOWN00000', privateKey: stranger.pkcs8, dateLessThan: EXPIRES * 1000 });
    assertDenied(verifier.verify({ url: unknown, now: NOW }), 'unknown-key');
    const impostor = sdk.getSignedUrl({ url, keyPairId: ID_A, privateKey: stranger.pkcs8, dateLessThan: EXPIRES * 1000 });
    assertDenied(verifier.verify({ url: impostor, now: NOW }), 'bad-signature');
  });

  test('expired: from DateLessThan on (now is in ms, compared in whole seconds)', () => {
    const { url, header } = cannedCookies();
    assert.equal(verifier.verify({ url, cookie: header, now: EXPIRES * 1000 - 1 }).ok, true);
    assertDenied(verifier.verify({ url, cookie: header, now: EXPIRES * 1000 }), 'expired');
    assertDenied(verifier.verify({ url, cookie: header, now: EXPIRES * 1000 + 86_400_000 }), 'expired');
  });

  test('not-yet-valid: before DateGreaterThan; valid from that second on', () => {
    const { header } = customCookies();
    const request = { url: 'https://d.example/private/a.png', cookie: header, clientIp: '198.51.100.7' };
    assertDenied(verifier.verify({ ...request, now: 1_800_000_000_000 - 1 }), 'not-yet-valid');
    assert.equal(verifier.verify({ ...request, now: 1_800_000_000_000 }).ok, true);
  });

  test('resource-mismatch: a URL outside the custom policy Resource', () => {
    const { header } = customCookies();
    for (const url of [
      'https://d.example/public/a.png',
      'https://d.example/privateer/a.png',
      'https://other.example/private/a.png',
      'http://d.example/private/a.png',
      'https://d.example/Private/a.png',
    ]) {
      assertDenied(verifier.verify({ url, cookie: header, now: NOW, clientIp: '198.51.100.7' }), 'resource-mismatch', url);
    }
  });

  test('a canned policy names one exact URL: another path or query fails its signature', () => {
    const { header } = cannedCookies('https://d.example/private/a.png');
    // CloudFront rebuilds a canned policy from the request, so the bytes (not a Resource) differ.
    assertDenied(verifier.verify({ url: 'https://d.example/private/b.png', cookie: header, now: NOW }), 'bad-signature');
    assertDenied(verifier.verify({ url: 'https://d.example/private/a.png?x=1', cookie: header, now: NOW }), 'bad-signature');
  });

  test('ip-mismatch: outside the CIDR, IPv6, or no client IP at all', () => {
    const { header } = customCookies();
    const request = { url: 'https://d.example/private/a.png', cookie: header, now: NOW };
    assert.equal(verifier.verify({ ...request, clientIp: '198.51.100.255' }).ok, true);
    // An IPv4-mapped IPv6 address (what a dual-stack Node server reports) is its IPv4 address.
    assert.equal(verifier.verify({ ...request, clientIp: '::ffff:198.51.100.7' }).ok, true);
    for (const clientIp of ['198.51.101.0', '10.0.0.1', '2001:db8::1', '::ffff:198.51.101.7', '::198.51.100.7', undefined]) {
      assertDenied(verifier.verify({ ...request, clientIp }), 'ip-mismatch', String(clientIp));
    }
  });

  test('missing: no signed-URL parameters and no CloudFront cookies', () => {
    const url = 'https://d.example/a.png?x=1';
    assertDenied(verifier.verify({ url }), 'missing');
    assertDenied(verifier.verify({ url, cookie: '' }), 'missing');
    assertDenied(verifier.verify({ url, cookie: 'session=abc; theme=dark; CloudFrontX=1' }), 'missing');
  });

  test('malformed: truncated cookies', () => {
    const { cookies } = customCookies();
    const policy = cookies['CloudFront-Policy'];
    const request = { url: 'https://d.example/private/a.png', now: NOW, clientIp: '198.51.100.7' };
    const padding = policy.length - policy.replace(/_+$/, '').length;
    for (let length = 0; length < policy.length - padding; length += 1) {
      const cookie = cookieHeader({ ...cookies, 'CloudFront-Policy': policy.slice(0, length) });
      assertDenied(verifier.verify({ ...request, cookie }), 'malformed', `policy cut to ${length}`);
    }
    // Padding is optional (some signers strip it): the same bytes, still accepted.
    for (let length = policy.length - padding; length < policy.length; length += 1) {
      const cookie = cookieHeader({ ...cookies, 'CloudFront-Policy': policy.slice(0, length) });
      assert.equal(verifier.verify({ ...request, cookie }).ok, true, `policy without ${policy.length - length} padding`);
    }
    const signature = cookies['CloudFront-Signature'];
    const cuts = [];
    for (let length = 0; length < signature.length - 2; length += 1) {
      const cookie = cookieHeader({ ...cookies, 'CloudFront-Signature': signature.slice(0, length) });
      cuts.push([`signature cut to ${length}`, verifier.verify({ ...request, cookie })]);
    }
    // A cut signature either is not base64 or is a shorter (wrong) signature.
    const seen = assertAllRefused(cuts, ['malformed', 'bad-signature']);
    assert.ok(seen.malformed > 0, JSON.stringify(seen));
    for (const name of Object.keys(cookies)) {
      const { [name]: _dropped, ...rest } = cookies;
      assertDenied(verifier.verify({ ...request, cookie: cookieHeader(rest) }), 'malformed', `without ${name}`);
    }
  });

  test('malformed: values that are not CloudFront base64', () => {
    const { cookies } = customCookies();
    const request = { url: 'https://d.example/private/a.png', now: NOW, clientIp: '198.51.100.7' };
    const standard = (text) => decodeCloudFrontBase64(text).toString('base64');
    // A 256-byte signature always ends in `==` in standard base64.
    assert.match(standard(cookies['CloudFront-Signature']), /==$/);
    const bad = [
      ['CloudFront-Policy', 'not*base64!'],
      ['CloudFront-Policy', encodeCloudFrontBase64('not json')],
      ['CloudFront-Policy', cookies['CloudFront-Policy'].replace(/.$/, '=')],
      ['CloudFront-Signature', standard(cookies['CloudFront-Signature'])],
      ['CloudFront-Signature', '%%%'],
      ['CloudFront-Signature', ''],
      ['CloudFront-Key-Pair-Id', ''],
      ['CloudFront-Hash-Algorithm', 'MD5'],
    ];
    // The policy's standard base64 differs from its CloudFront form only if it has + / =.
    if (standard(cookies['CloudFront-Policy']) !== cookies['CloudFront-Policy']) {
      bad.push(['CloudFront-Policy', standard(cookies['CloudFront-Policy'])]);
    }
    for (const [name, value] of bad) {
      const cookie = cookieHeader({ ...cookies, [name]: value });
      assertDenied(verifier.verify({ ...request, cookie }), 'malformed', `${name}=${value}`);
    }
  });

  test('malformed: policies CloudFront would not take (whitespace, two statements, bad epoch, IPv6)', () => {
    const request = { url: 'https://d.example/a.png', now: NOW, clientIp: '198.51.100.7' };
    const resource = '"Resource":"https://d.example/a.png"';
    const condition = `"Condition":{"DateLessThan":{"AWS:EpochTime":${EXPIRES}}}`;
    for (const json of [
      `{"Statement":[{${resource}, ${condition}}]}`,
      `{"Statement":[{${resource},${condition}},{${resource},${condition}}]}`,
      `{"Statement":[]}`,
      `{"Statement":[{${resource},"Condition":{"DateLessThan":{"AWS:EpochTime":"${EXPIRES}"}}}]}`,
      `{"Statement":[{${resource},"Condition":{"DateLessThan":{"AWS:EpochTime":4102444800}}}]}`,
      `{"Statement":[{${resource},"Condition":{"DateLessThan":{"AWS:EpochTime":${EXPIRES}},"IpAddress":{"AWS:SourceIp":"2001:db8::/32"}}}]}`,
      `{"Statement":[{${resource},"Condition":{}}]}`,
    ]) {
      // Signed for real, so only the policy's shape can be what is refused.
      const signature = sdk.getSignedCookies(signA({ policy: json }))['CloudFront-Signature'];
      const cookie = cookieHeader({
        'CloudFront-Key-Pair-Id': ID_A,
        'CloudFront-Signature': signature,
        'CloudFront-Policy': encodeCloudFrontBase64(json),
      });
      assertDenied(verifier.verify({ ...request, cookie }), 'malformed', json);
    }
  });

  test('malformed: oversized cookie header, policy or URL', () => {
    const { url, header } = cannedCookies();
    assertDenied(verifier.verify({ url, cookie: `${header}; junk=${'x'.repeat(21 * 1024)}`, now: NOW }), 'malformed', 'header');
    const big = cookieHeader({ 'CloudFront-Key-Pair-Id': ID_A, 'CloudFront-Signature': 'AAAA', 'CloudFront-Policy': 'A'.repeat(17 * 1024) });
    assertDenied(verifier.verify({ url, cookie: big, now: NOW }), 'malformed', 'policy');
    assertDenied(verifier.verify({ url: `${url}?pad=${'x'.repeat(9 * 1024)}`, cookie: header, now: NOW }), 'malformed', 'URL');
  });

  test('malformed: signed-URL parameters that contradict or repeat', () => {
    const signedUrl = sdk.getSignedUrl(signA({ url: 'https://d.example/a.png', dateLessThan: EXPIRES * 1000 }));
    const signature = new URLSearchParams(signedUrl.split('?')[1]).get('Signature');
    for (const url of [
      `${signedUrl}&Signature=${signature}`,
      `${signedUrl}&Policy=${encodeCloudFrontBase64('{}')}`,
      signedUrl.replace(`Expires=${EXPIRES}`, 'Expires=soon'),
      `${signedUrl}&Hash-Algorithm=SHA512`,
    ]) {
      assertDenied(verifier.verify({ url, now: NOW }), 'malformed', url);
    }
  });
});

describe('precedence and key rotation', () => {
  test('signed-URL parameters win over cookies', () => {
    const url = 'https://d.example/private/a.png';
    const signedUrl = sdk.getSignedUrl(signA({ url, dateLessThan: EXPIRES * 1000 }));
    const { header } = cannedCookies(url);
    const fromUrl = accepted(ID_A, EXPIRES * 1000, 'url', canned(url));
    assert.deepStrictEqual(verifier.verify({ url: signedUrl, cookie: header, now: NOW }), fromUrl);
    assert.deepStrictEqual(verifier.verify({ url: signedUrl, cookie: 'CloudFront-Policy=garbage', now: NOW }), fromUrl);
    // A bad signed URL is not rescued by good cookies.
    const broken = signedUrl.replace(/Signature=./, (m) => m.slice(0, -1) + otherBase64Char(m.at(-1)));
    assertDenied(verifier.verify({ url: broken, cookie: header, now: NOW }), 'bad-signature');
    const expired = sdk.getSignedUrl(signA({ url, dateLessThan: 1_800_000_000_000 }));
    assertDenied(verifier.verify({ url: expired, cookie: header, now: NOW }), 'expired');
    // Without signing parameters in the URL, the cookies decide.
    assert.deepStrictEqual(verifier.verify({ url, cookie: header, now: NOW }), accepted(ID_A, EXPIRES * 1000, 'cookie', canned(url)));
  });

  test('a group of two keys accepts both; each key only under its own id', () => {
    const group = new Verifier({ keys: { [ID_A]: keyA.spki, [ID_B]: keyB.pkcs1Public } });
    const url = 'https://d.example/a.png';
    for (const [id, key] of [[ID_A, keyA], [ID_B, keyB]]) {
      const cookies = sdk.getSignedCookies({ url, keyPairId: id, privateKey: key.pkcs8, dateLessThan: EXPIRES * 1000 });
      assert.deepStrictEqual(group.verify({ url, cookie: cookieHeader(cookies), now: NOW }), accepted(id, EXPIRES * 1000, 'cookie', canned(url)));
    }
    const crossed = sdk.getSignedCookies({ url, keyPairId: ID_B, privateKey: keyA.pkcs8, dateLessThan: EXPIRES * 1000 });
    assertDenied(group.verify({ url, cookie: cookieHeader(crossed), now: NOW }), 'bad-signature');
    // The one-key verifier does not know the new key.
    const rotated = sdk.getSignedCookies({ url, keyPairId: ID_B, privateKey: keyB.pkcs8, dateLessThan: EXPIRES * 1000 });
    assertDenied(verifier.verify({ url, cookie: cookieHeader(rotated), now: NOW }), 'unknown-key');
  });
});

describe('bad input throws a CloudFrontEdgeAuthError with a stable code', () => {
  /** @param {() => unknown} fn @param {string} code */
  function assertThrowsCode(fn, code) {
    assert.throws(fn, (error) => {
      assert.ok(error instanceof Error, 'an Error');
      assert.equal(error.name, 'CloudFrontEdgeAuthError');
      assert.equal(error.code, code, error.message);
      assert.ok(error.message.length > 0);
      return true;
    });
  }

  test('constructor: key that is not PEM, or is a private key', () => {
    assertThrowsCode(() => new Verifier({ keys: { [ID_A]: 'not a pem' } }), 'ERR_KEY_FORMAT');
    assertThrowsCode(() => new Verifier({ keys: { [ID_A]: keyA.pkcs8 } }), 'ERR_KEY_FORMAT');
    const garbled = keyA.spki.replace(/\n[A-Za-z0-9+/]{8}/, '\n!!!!!!!!');
    assertThrowsCode(() => new Verifier({ keys: { [ID_A]: garbled } }), 'ERR_KEY_FORMAT');
  });

  test('constructor: a 1024-bit public key', () => {
    const { publicKey } = makeRsaKey(1024);
    assertThrowsCode(() => new Verifier({ keys: { [ID_A]: publicKey.export({ type: 'spki', format: 'pem' }) } }), 'ERR_KEY_SIZE');
  });

  test('constructor: six keys, or none', () => {
    const six = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`K${i}ABCDEFGHIJ`, keyA.spki]));
    assertThrowsCode(() => new Verifier({ keys: six }), 'ERR_KEY_GROUP');
    const five = Object.fromEntries(Object.entries(six).slice(0, 5));
    assert.ok(new Verifier({ keys: five }));
    assertThrowsCode(() => new Verifier({ keys: {} }), 'ERR_KEY_GROUP');
  });

  test('constructor: key ids CloudFront would not issue', () => {
    for (const id of ['K2;Path=/', 'K2 JCJ', 'K2\u00e9', 'K'.repeat(129)]) {
      assertThrowsCode(() => new Verifier({ keys: { [id]: keyA.spki } }), 'ERR_KEY_ID');
    }
  });

  test('constructor: options of the wrong shape', () => {
    assertThrowsCode(() => new Verifier(), 'ERR_INVALID_ARGUMENT');
    assertThrowsCode(() => new Verifier({}), 'ERR_INVALID_ARGUMENT');
    assertThrowsCode(() => new Verifier({ keys: { [ID_A]: 42 } }), 'ERR_INVALID_ARGUMENT');
  });

  test('verify: input of the wrong shape (credentials themselves never throw)', () => {
    assertThrowsCode(() => verifier.verify({}), 'ERR_INVALID_ARGUMENT');
    assertThrowsCode(() => verifier.verify({ url: 'https://d.example/', now: -1 }), 'ERR_INVALID_ARGUMENT');
    assertThrowsCode(() => verifier.verify({ url: 'https://d.example/', now: Number.NaN }), 'ERR_INVALID_ARGUMENT');
    assertThrowsCode(() => verifier.verify({ url: 'https://d.example/', clientIp: 'not-an-ip' }), 'ERR_INVALID_ARGUMENT');
  });
});
