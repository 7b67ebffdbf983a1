// Our getSignedUrl / getSignedCookies / Signer against @aws-sdk/cloudfront-signer: same
// options in, byte-identical strings and identically ordered objects out. Every signature is
// also checked with node:crypto over the policy bytes, independently of both signers.
//
// Random cases are seeded: TEST_SEED=<n> replays a run, TEST_CASES=<n> changes its size.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import * as sdk from '@aws-sdk/cloudfront-signer';

import { Signer, getSignedCookies, getSignedUrl } from '../../pkg/index.mjs';
import {
  PASSPHRASE,
  cannedPolicy,
  decodeCloudFrontBase64,
  makeRsaKey,
  prng,
  runSeed,
  signatureVerifies,
  splitSignedUrl,
} from './support.mjs';

const KEY_PAIR_ID = 'K2JCJMDEHXQW5F';
const CASES = Number(process.env.TEST_CASES ?? 100);
const ALGORITHMS = [undefined, 'SHA1', 'SHA256'];
const KEY_FORMS = ['pkcs1', 'pkcs8', 'encryptedPkcs8'];

/** @type {ReturnType<typeof makeRsaKey>} */
let key;
/** One Signer per (key form, algorithm): the class parses its key once and signs many times. */
const signers = new Map();

before(() => {
  key = makeRsaKey();
});

/** The signer's options of a case: which PEM form, passphrase, algorithm. */
function keyOptions(form, algorithm) {
  const options = { keyPairId: KEY_PAIR_ID, privateKey: key[form] };
  if (form === 'encryptedPkcs8') options.passphrase = PASSPHRASE;
  if (algorithm) options.algorithm = algorithm;
  return options;
}

function signerFor(form, algorithm) {
  const id = `${form}/${algorithm}`;
  if (!signers.has(id)) signers.set(id, new Signer(keyOptions(form, algorithm)));
  return signers.get(id);
}

/** Epoch seconds the way the SDK reads a date (the reference for the independent check). */
const epoch = (date) => Math.round(new Date(date).getTime() / 1000);

/**
 * Signs one case with the SDK, our free functions and our Signer; asserts all agree and
 * that every signature verifies over the policy bytes.
 * @param {{ form: string, algorithm?: string, policy: object }} c
 */
function checkCase(c) {
  const options = { ...keyOptions(c.form, c.algorithm), ...c.policy };
  const signer = signerFor(c.form, c.algorithm);
  const label = JSON.stringify({ form: c.form, algorithm: c.algorithm, ...c.policy });
  // With neither a url nor a Resource to take one from, there is no URL to sign.
  const signsUrl = c.policy.url !== undefined || /"Resource"/.test(c.policy.policy ?? '');

  if (signsUrl) {
    const expected = sdk.getSignedUrl(options);
    assert.equal(getSignedUrl(options), expected, `getSignedUrl ${label}`);
    assert.equal(signer.getSignedUrl(c.policy), expected, `Signer#getSignedUrl ${label}`);
    checkSignedUrl(expected, c, label);
  }

  const expected = sdk.getSignedCookies(options);
  for (const [name, ours] of [
    ['getSignedCookies', getSignedCookies(options)],
    ['Signer#getSignedCookies', signer.getSignedCookies(c.policy)],
  ]) {
    assert.deepStrictEqual(ours, expected, `${name} ${label}`);
    assert.equal(JSON.stringify(ours), JSON.stringify(expected), `${name} key order ${label}`);
  }
  checkCookies(expected, c, label);
}

function checkSignedUrl(signedUrl, c, label) {
  const { base, params, values } = splitSignedUrl(signedUrl);
  const names = params.map(([name]) => name);
  const sha256 = c.algorithm === 'SHA256';
  const carrier = 'Expires' in values ? 'Expires' : 'Policy';
  assert.deepStrictEqual(
    names,
    [carrier, 'Key-Pair-Id', 'Signature', ...(sha256 ? ['Hash-Algorithm'] : [])],
    `parameter order ${label}`,
  );
  assert.equal(values['Key-Pair-Id'], KEY_PAIR_ID);
  if (sha256) assert.equal(values['Hash-Algorithm'], 'SHA256');
  const policy =
    carrier === 'Expires'
      ? cannedPolicy(base, Number(values.Expires))
      : decodeCloudFrontBase64(values.Policy);
  checkPolicy(policy, carrier, c, label);
  assert.ok(
    signatureVerifies(policy, values.Signature, key.publicKey, c.algorithm),
    `URL signature does not verify with node:crypto: ${label}`,
  );
}

function checkCookies(cookies, c, label) {
  const carrier = 'CloudFront-Expires' in cookies ? 'Expires' : 'Policy';
  const policy =
    carrier === 'Expires'
      ? cannedPolicy(c.policy.url, cookies['CloudFront-Expires'])
      : decodeCloudFrontBase64(cookies['CloudFront-Policy']);
  checkPolicy(policy, carrier, c, label);
  assert.equal(cookies['CloudFront-Key-Pair-Id'], KEY_PAIR_ID);
  assert.equal(cookies['CloudFront-Hash-Algorithm'], c.algorithm === 'SHA256' ? 'SHA256' : undefined);
  assert.ok(
    signatureVerifies(policy, cookies['CloudFront-Signature'], key.publicKey, c.algorithm),
    `cookie signature does not verify with node:crypto: ${label}`,
  );
}

/** The signed policy says what the options asked for, with the SDK's canned/custom choice. */
function checkPolicy(policyBytes, carrier, c, label) {
  const { policy, dateLessThan, dateGreaterThan, ipAddress } = c.policy;
  if (policy) {
    assert.equal(carrier, 'Policy', label);
    assert.equal(Buffer.from(policyBytes).toString(), policy, `the policy option is signed verbatim ${label}`);
    return;
  }
  const custom = Boolean(epoch(dateGreaterThan ?? 0)) || Boolean(ipAddress);
  assert.equal(carrier, custom ? 'Policy' : 'Expires', `canned/custom choice ${label}`);
  const { Statement } = JSON.parse(Buffer.from(policyBytes).toString());
  assert.equal(Statement.length, 1);
  const { Condition } = Statement[0];
  assert.equal(Condition.DateLessThan['AWS:EpochTime'], epoch(dateLessThan), label);
  if (custom) {
    assert.equal(Condition.DateGreaterThan?.['AWS:EpochTime'], dateGreaterThan ? epoch(dateGreaterThan) : undefined);
    const cidr = ipAddress && (ipAddress.includes('/') ? ipAddress : `${ipAddress}/32`);
    assert.equal(Condition.IpAddress?.['AWS:SourceIp'], cidr || undefined, label);
  }
}

// Pieces of URLs: the characters the SDK re-encodes (spaces, unicode, quotes, `+`, broken
// and valid percent escapes) next to ones it keeps.
const HOSTS = ['d111111abcdef8.cloudfront.net', 'media.example.com', 'cdn.example.org:8443'];
const SCHEMES = ['https', 'https', 'http', 'wss', 'ws'];
const SEGMENTS = [
  'images', 'a.png', 'my file.mp4', 'caf\u00e9', '\u20ac', '\u65e5\u672c', '\u{1F600}.jpg',
  'a%20b', '%7Euser', '%E2%82%AC', '100%', '%FF', '%zz', "it's", 'a+b', '(x)', 'x!*~', 'A-Z_0.9',
  'semi;colon', 'co:lon', 'at@sign', 'eq=ual', 'comma,list', '',
];
const QUERY_PAIRS = [
  'x=1', 'size=large', 'a=b c', 'q=%2f', 'Q=%2F', 'empty=', 'flag', '', "it's=ok", 'p=a+b',
  'u=\u20ac', 'e=a=b', '%zz=1', 'k%20ey=v', 'list=1,2', 'amp=%26', 'star=*', 'tilde=~',
];

function randomUrl(r) {
  const segments = Array.from({ length: r.int(1, 4) }, () => r.pick(SEGMENTS));
  let url = `${r.pick(SCHEMES)}://${r.pick(HOSTS)}/${segments.join('/')}`;
  if (r.chance(0.6)) url += `?${Array.from({ length: r.int(1, 4) }, () => r.pick(QUERY_PAIRS)).join('&')}`;
  return url;
}

/** A date in one of the forms the SDK takes: ISO string, other string, ms number, Date. */
function randomDate(r, seconds) {
  // Milliseconds off a whole second exercise the SDK's Math.round.
  const ms = seconds * 1000 + r.pick([0, 0, 1, 499, 500, 501, 999]);
  switch (r.int(0, 4)) {
    case 0: return new Date(ms).toISOString();
    case 1: return new Date(ms).toUTCString();
    case 2: return ms;
    case 3: return new Date(ms);
    default: return new Date(seconds * 1000).toISOString().replace('.000Z', '+00:00');
  }
}

function randomIp(r) {
  const octets = Array.from({ length: 4 }, () => r.int(0, 255)).join('.');
  return r.chance(0.3) ? octets : `${octets}/${r.int(0, 32)}`;
}

/** A custom policy for the `policy` option, compact as CloudFront requires. */
function randomPolicyJson(r, resource, start, end) {
  const condition = { DateLessThan: { 'AWS:EpochTime': end } };
  if (r.chance(0.5)) condition.IpAddress = { 'AWS:SourceIp': `${r.int(1, 223)}.0.0.0/8` };
  if (r.chance(0.5)) condition.DateGreaterThan = { 'AWS:EpochTime': start };
  const statement = resource === undefined ? { Condition: condition } : { Resource: resource, Condition: condition };
  return JSON.stringify({ Statement: [statement] });
}

function randomCase(r) {
  const now = Math.floor(Date.now() / 1000);
  const end = r.int(now + 60, 2_147_000_000);
  const start = r.int(1_000_000_000, end - 2);
  const url = randomUrl(r);
  const form = r.pick(KEY_FORMS);
  const algorithm = r.pick(ALGORITHMS);
  if (r.chance(0.2)) {
    const wildcard = r.pick([undefined, `${url.split('?')[0]}*`, `https://${r.pick(HOSTS)}/*`, `*://${r.pick(HOSTS)}/v/*`]);
    const policy = randomPolicyJson(r, wildcard, start, end);
    // Without a url the SDK signs a URL taken from the policy's Resource.
    const withUrl = wildcard === undefined || r.chance(0.5);
    return { form, algorithm, policy: withUrl ? { url, policy } : { policy } };
  }
  const policy = { url, dateLessThan: randomDate(r, end) };
  if (r.chance(0.4)) policy.dateGreaterThan = randomDate(r, start);
  if (r.chance(0.4)) policy.ipAddress = randomIp(r);
  return { form, algorithm, policy };
}

describe('byte-identical to @aws-sdk/cloudfront-signer', () => {
  const soon = '2031-05-17T08:00:00.000Z';
  const table = [
    ['canned, plain URL', { url: 'https://d111111abcdef8.cloudfront.net/images/a.png', dateLessThan: soon }],
    ['canned, existing query', { url: 'https://d.example/a.png?size=large&v=2', dateLessThan: soon }],
    ['canned, space and unicode in the path', { url: 'https://d.example/my file/\u20ac \u65e5\u672c.png', dateLessThan: soon }],
    ['canned, percent escapes valid and broken', { url: 'https://d.example/a%20b/%7e/100%/%FF?q=%2f&r=%zz', dateLessThan: soon }],
    ["canned, quote and plus in path and query", { url: "https://d.example/it's/a+b?q='x'&p=a+b", dateLessThan: soon }],
    ['canned, empty query pairs', { url: 'https://d.example/a?&&x=1&&flag&', dateLessThan: soon }],
    ['canned, bare question mark', { url: 'https://d.example/a?', dateLessThan: soon }],
    ['canned, no path', { url: 'https://d.example', dateLessThan: soon }],
    ['canned, ms number', { url: 'https://d.example/a', dateLessThan: 1_900_000_000_500 }],
    ['canned, Date', { url: 'https://d.example/a', dateLessThan: new Date(1_900_000_000_499) }],
    ['canned, wildcard URL stays canned (SDK issue 4516)', { url: 'https://d.example/private/*', dateLessThan: soon }],
    ['custom, dateGreaterThan', { url: 'https://d.example/a.png', dateLessThan: soon, dateGreaterThan: '2020-01-01T00:00:00Z' }],
    ['custom, ipAddress bare', { url: 'https://d.example/a.png', dateLessThan: soon, ipAddress: '203.0.113.9' }],
    ['custom, ipAddress CIDR and start', { url: 'https://d.example/a b.png?x=\u20ac', dateLessThan: soon, dateGreaterThan: 1_600_000_000_000, ipAddress: '192.0.2.0/24' }],
    ['custom, wildcard resource', { url: 'https://d.example/private/*', dateLessThan: soon, ipAddress: '0.0.0.0/0' }],
    ['policy option with url', { url: 'https://d.example/v/a.m3u8?x=1', policy: '{"Statement":[{"Resource":"https://d.example/v/*","Condition":{"DateLessThan":{"AWS:EpochTime":1900000000}}}]}' }],
    ['policy option, URL from Resource', { policy: '{"Statement":[{"Resource":"https://d.example/v/*","Condition":{"DateLessThan":{"AWS:EpochTime":1900000000},"IpAddress":{"AWS:SourceIp":"10.0.0.0/8"}}}]}' }],
    ['policy option, *:// Resource', { policy: '{"Statement":[{"Resource":"*://d.example/v/*","Condition":{"DateLessThan":{"AWS:EpochTime":1900000000}}}]}' }],
    // The SDK tests `if (url)` and `if (policy)`: empty strings count as absent.
    ['policy option, empty url', { url: '', policy: '{"Statement":[{"Resource":"https://d.example/v/*","Condition":{"DateLessThan":{"AWS:EpochTime":1900000000}}}]}' }],
    ['empty policy option', { url: 'https://d.example/a.png', dateLessThan: soon, policy: '' }],
    ['empty dateGreaterThan and ipAddress', { url: 'https://d.example/a.png', dateLessThan: soon, dateGreaterThan: '', ipAddress: '' }],
  ];
  // Each row with every hash; the key forms take turns (all of them meet every row in the
  // random cases, and every form meets every hash in the test after this loop).
  table.forEach(([name, policy], row) => {
    const form = KEY_FORMS[row % KEY_FORMS.length];
    test(`${name} (${form} key)`, () => {
      for (const algorithm of ALGORITHMS) checkCase({ form, algorithm, policy });
    });
  });

  test('every key form with every hash, canned and custom', () => {
    for (const form of KEY_FORMS) {
      for (const algorithm of ALGORITHMS) {
        checkCase({ form, algorithm, policy: table[2][1] });
        checkCase({ form, algorithm, policy: table[13][1] });
      }
    }
  });

  test('policy option without Resource (cookies only: no URL to sign)', () => {
    const policy = { policy: '{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":1900000000}}}]}' };
    for (const form of KEY_FORMS) checkCase({ form, policy });
  });

  test(`${CASES} random cases`, () => {
    const seed = runSeed('sdk-interop random cases');
    const r = prng(seed);
    const kinds = { canned: 0, custom: 0, policy: 0 };
    for (let i = 0; i < CASES; i += 1) {
      const c = randomCase(r);
      kinds[c.policy.policy ? 'policy' : c.policy.dateGreaterThan || c.policy.ipAddress ? 'custom' : 'canned'] += 1;
      try {
        checkCase(c);
      } catch (error) {
        error.message = `case ${i} of seed ${seed}: ${error.message}`;
        throw error;
      }
    }
    console.log(`# sdk-interop random cases: ${JSON.stringify(kinds)}`);
  });

  // A path segment `decodeURIComponent` refuses: `%+F` and `%-1` look like escapes to a
  // parser that takes a sign before hex digits (Rust's `u8::from_str_radix`). The SDK's
  // encodeUrlPath catches the throw and encodes the segment as text, `%` and `+` included:
  // it neither keeps the URL as given nor throws. Query components never go through the
  // decoder (`%` that starts no `%XX` is encoded, `+` is kept).
  test('a path escape decodeURIComponent refuses (%+F, %-1) is encoded as text, as the SDK does', () => {
    const cases = [
      ['https://d.example/p/%+F', 'https://d.example/p/%25%2BF'],
      ['https://d.example/p/%-1', 'https://d.example/p/%25-1'],
      ['https://d.example/p/a%+Fb%20c/%41', 'https://d.example/p/a%25%2BFb%2520c/A'],
      ['https://d.example/%-1/x?q=%+F&%-1=%2f', 'https://d.example/%25-1/x?q=%25+F&%25-1=%2F'],
    ];
    for (const segment of ['%+F', '%-1', 'a%+Fb%20c']) {
      assert.throws(() => decodeURIComponent(segment), URIError, `the premise: decodeURIComponent(${segment}) throws`);
    }
    for (const [url, signedResource] of cases) {
      const options = { ...keyOptions('pkcs1'), url, dateLessThan: '2031-01-01' };
      const expected = sdk.getSignedUrl(options);
      assert.equal(splitSignedUrl(expected).base, signedResource, `the SDK's reading of ${url}`);
      assert.equal(getSignedUrl(options), expected, url);
      for (const form of KEY_FORMS) {
        for (const algorithm of ALGORITHMS) checkCase({ form, algorithm, policy: { url, dateLessThan: '2031-01-01' } });
      }
    }
  });

  test('the same URL is signed the same way for every key form', () => {
    const options = { url: 'https://d.example/a b.png', dateLessThan: '2031-01-01' };
    const urls = KEY_FORMS.map((form) => signerFor(form, undefined).getSignedUrl(options));
    assert.equal(new Set(urls).size, 1);
    assert.equal(urls[0], sdk.getSignedUrl({ ...keyOptions('pkcs1'), ...options }));
  });
});
