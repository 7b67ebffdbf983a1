// The package as a drop-in for @aws-sdk/cloudfront-signer, judged by the code it replaces:
// for the same options, both builds return what the SDK returns and throw where it throws,
// with its message (and a `code` beside it). Every case runs the SDK in the same test.
// `strict: true` turns CloudFront's rules back on; the divergences that remain (README
// "Differences from @aws-sdk/cloudfront-signer") are asserted at the end.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { before, describe, test } from 'node:test';

import * as sdk from '@aws-sdk/cloudfront-signer';

import { BUILDS } from './builds.mjs';
import { makeRsaKey } from './support.mjs';

const KEY_PAIR_ID = 'K2JCJMDEHXQW5F';
const SOON = '2031-05-17T08:00:00.000Z';
const URL = 'https://d.example/a b.png?x=1';

/** @type {ReturnType<typeof makeRsaKey>} */
let key;
before(() => {
  key = makeRsaKey();
});

const credentials = () => ({ keyPairId: KEY_PAIR_ID, privateKey: key.pkcs8 });

/**
 * Asserts both builds' free functions and Signer give what the SDK gives for `options`
 * (with `what` 'url', 'cookies' or 'both').
 */
function sameAsSdk(options, what = 'both', label = JSON.stringify(options)) {
  const full = { ...credentials(), ...options };
  for (const [build, api] of BUILDS) {
    const signer = new api.Signer(credentials());
    if (what !== 'cookies') {
      const expected = sdk.getSignedUrl(full);
      assert.equal(api.getSignedUrl(full), expected, `${build} getSignedUrl ${label}`);
      assert.equal(signer.getSignedUrl(options), expected, `${build} Signer#getSignedUrl ${label}`);
    }
    if (what !== 'url') {
      const expected = JSON.stringify(sdk.getSignedCookies(full));
      assert.equal(JSON.stringify(api.getSignedCookies(full)), expected, `${build} getSignedCookies ${label}`);
      assert.equal(JSON.stringify(signer.getSignedCookies(options)), expected, `${build} Signer#getSignedCookies ${label}`);
    }
  }
}

/** The SDK's error for `call`, which must throw. */
function sdkError(call) {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new assert.AssertionError({ message: 'the SDK did not throw' });
}

/** Both builds throw the SDK's message for `options`, with `code`. */
function sameErrorAsSdk(fn, options, code) {
  const full = { ...credentials(), ...options };
  const expected = sdkError(() => sdk[fn](full));
  for (const [build, api] of BUILDS) {
    const label = `${build} ${fn} ${JSON.stringify(options)}`;
    assert.throws(() => api[fn](full), { name: 'CloudFrontEdgeAuthError', message: expected.message, code }, label);
    assert.throws(() => new api.Signer(credentials())[fn](options), { message: expected.message, code }, `Signer ${label}`);
  }
}

/** `strict: true` refuses `options` with `code`, on the free functions and on a Signer. */
function strictRefuses(fn, options, code) {
  for (const [build, api] of BUILDS) {
    const label = `${build} strict ${fn} ${JSON.stringify(options)}`;
    assert.throws(() => api[fn]({ ...credentials(), ...options, strict: true }), { code }, label);
    assert.throws(() => new api.Signer({ ...credentials(), strict: true })[fn](options), { code }, `Signer ${label}`);
  }
}

describe('privateKey as the SDK takes it: a string or the PEM bytes', () => {
  test('a Buffer (fs.readFileSync) and a Uint8Array sign as the string does, in both builds', () => {
    const options = { url: URL, dateLessThan: SOON };
    const expected = sdk.getSignedUrl({ ...credentials(), ...options });
    const bytes = Buffer.from(key.pkcs8);
    for (const privateKey of [bytes, new Uint8Array(bytes)]) {
      const full = { keyPairId: KEY_PAIR_ID, privateKey, ...options };
      assert.equal(sdk.getSignedUrl(full), expected, 'the premise: the SDK takes PEM bytes');
      for (const [build, api] of BUILDS) {
        assert.equal(api.getSignedUrl(full), expected, `${build} ${privateKey.constructor.name}`);
        assert.deepStrictEqual(api.getSignedCookies(full), sdk.getSignedCookies(full), build);
        assert.equal(new api.Signer({ keyPairId: KEY_PAIR_ID, privateKey }).getSignedUrl(options), expected, build);
      }
    }
  });

  test('bytes that are not PEM text are ERR_KEY_FORMAT; another type is ERR_INVALID_ARGUMENT', () => {
    for (const [build, api] of BUILDS) {
      const options = { keyPairId: KEY_PAIR_ID, url: URL, dateLessThan: SOON };
      assert.throws(() => api.getSignedUrl({ ...options, privateKey: new Uint8Array([0xff, 0xfe, 0x00]) }), { code: 'ERR_KEY_FORMAT' }, build);
      assert.throws(() => new api.Signer({ keyPairId: KEY_PAIR_ID, privateKey: 42 }), { code: 'ERR_INVALID_ARGUMENT' }, build);
    }
  });
});

describe("the caller's policy is signed as given, byte for byte", () => {
  const policies = [
    ['a Resource and no Condition', '{"Statement":[{"Resource":"https://d.example/v/*"}]}'],
    ['a field CloudFront does not know', '{"Statement":[{"Resource":"https://d.example/v/*","Condition":{"DateLessThan":{"AWS:EpochTime":1900000000}},"Effect":"Allow"}]}'],
    ['whitespace', '{ "Statement": [ { "Resource": "https://d.example/v/*", "Condition": { "DateLessThan": { "AWS:EpochTime": 1900000000 } } } ] }'],
    ['two statements', '{"Statement":[{"Resource":"https://d.example/v/*","Condition":{"DateLessThan":{"AWS:EpochTime":1900000000}}},{"Resource":"https://d.example/w/*"}]}'],
    ['an expiry past 2038', '{"Statement":[{"Resource":"https://d.example/v/*","Condition":{"DateLessThan":{"AWS:EpochTime":4102444800}}}]}'],
  ];
  for (const [name, policy] of policies) {
    test(`${name}: signed as the SDK signs it; strict: true refuses it`, () => {
      sameAsSdk({ policy });
      sameAsSdk({ url: 'https://d.example/v/a.m3u8', policy });
      const cookies = BUILDS[0][1].getSignedCookies({ ...credentials(), policy });
      assert.equal(Buffer.from(cookies['CloudFront-Policy'].replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64').toString(), policy);
      strictRefuses('getSignedCookies', { policy }, /^ERR_POLICY_/);
    });
  }
});

describe('date windows the SDK accepts are accepted', () => {
  const cases = [
    ['a start after the end', { url: URL, dateLessThan: SOON, dateGreaterThan: '2032-01-01' }, 'ERR_POLICY_DATE'],
    ['a canned expiry past 2038', { url: URL, dateLessThan: '2100-01-01' }, 'ERR_POLICY_DATE'],
    ['a custom expiry past 2038', { url: URL, dateLessThan: '2100-01-01', ipAddress: '10.0.0.0/8' }, 'ERR_POLICY_DATE'],
    ['an unreadable start (the SDK drops it: canned)', { url: URL, dateLessThan: SOON, dateGreaterThan: 'soon' }, 'ERR_SIGN_DATE'],
    ['a start before 1970', { url: URL, dateLessThan: SOON, dateGreaterThan: '1960-01-01' }, 'ERR_SIGN_DATE'],
  ];
  for (const [name, options, strictCode] of cases) {
    test(`${name}: as the SDK; strict: true refuses it (${strictCode})`, () => {
      sameAsSdk(options);
      strictRefuses('getSignedUrl', options, strictCode);
    });
  }

  test('dates in every form the SDK reads, halves of a second rounded as Math.round does', () => {
    for (const dateLessThan of [1_900_000_000_500, 1_900_000_000_499, new Date(1_900_000_000_500), 'Tue, 17 Mar 2030 07:33:20 GMT', '2030-03-17']) {
      sameAsSdk({ url: URL, dateLessThan });
      sameAsSdk({ url: URL, dateLessThan: SOON, dateGreaterThan: dateLessThan });
    }
  });
});

describe("ipAddress as the SDK's CIDR check reads it", () => {
  test('what Number() reads as integers is signed as written, as the SDK signs it', () => {
    for (const ipAddress of ['203.0.113.9', '203.0.113.0/24', '0x7f.0.0.1', ' 1.2.3.4', '1..2.3', '1.2.3.4/24.0', '1.2.3.4/8/9', '1.2.3.4/0x18', '1e2.0.0.1']) {
      sameAsSdk({ url: URL, dateLessThan: SOON, ipAddress });
    }
    strictRefuses('getSignedUrl', { url: URL, dateLessThan: SOON, ipAddress: '0x7f.0.0.1' }, 'ERR_POLICY_IP');
  });

  test("what it refuses throws the SDK's message, code ERR_POLICY_IP", () => {
    for (const ipAddress of ['10.0.0.0/', '/8', '10.0.0/8', '10.0.0.256', '10.0.0.0/33', '10.0.0.0/8.5', '::1', 'localhost', '10.0.0.a']) {
      sameErrorAsSdk('getSignedUrl', { url: URL, dateLessThan: SOON, ipAddress }, 'ERR_POLICY_IP');
      sameErrorAsSdk('getSignedCookies', { url: URL, dateLessThan: SOON, ipAddress }, 'ERR_POLICY_IP');
    }
  });
});

describe("the SDK's errors, with its messages", () => {
  const cases = [
    ['getSignedUrl', 'neither url nor policy', { dateLessThan: SOON }, 'ERR_SIGN_URL'],
    ['getSignedUrl', 'a policy without Resource and no url', { policy: '{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":1900000000}}}]}' }, 'ERR_SIGN_URL'],
    ['getSignedUrl', 'a policy without Statement and no url', { policy: '{}' }, 'ERR_SIGN_URL'],
    ['getSignedUrl', 'a policy that is not JSON and no url', { policy: '{"Statement":' }, 'ERR_POLICY_JSON'],
    ['getSignedUrl', 'a Resource without a scheme and no url', { policy: '{"Statement":[{"Resource":"d.example/*"}]}' }, 'ERR_SIGN_URL'],
    ['getSignedUrl', 'an ftp url', { url: 'ftp://d.example/a', dateLessThan: SOON }, 'ERR_SIGN_URL'],
    ['getSignedUrl', 'an ftp url with a policy (checked after signing)', { url: 'ftp://d.example/a', policy: '{"Statement":[{"Resource":"ftp://d.example/*"}]}' }, 'ERR_SIGN_URL'],
    ['getSignedUrl', 'no dateLessThan', { url: URL }, 'ERR_SIGN_DATE'],
    ['getSignedUrl', 'an ftp url and no dateLessThan', { url: 'ftp://d.example/a' }, 'ERR_SIGN_DATE'],
    ['getSignedUrl', 'an unreadable dateLessThan', { url: URL, dateLessThan: 'never' }, 'ERR_SIGN_DATE'],
    ['getSignedUrl', 'a dateLessThan that rounds to epoch 0', { url: URL, dateLessThan: 400 }, 'ERR_SIGN_DATE'],
    ['getSignedUrl', 'an invalid Date', { url: URL, dateLessThan: new Date(NaN) }, 'ERR_SIGN_DATE'],
    ['getSignedCookies', 'no url', { dateLessThan: SOON }, 'ERR_SIGN_URL'],
    ['getSignedCookies', 'an empty url', { url: '', dateLessThan: SOON }, 'ERR_SIGN_URL'],
    ['getSignedCookies', 'no dateLessThan', { url: URL }, 'ERR_SIGN_DATE'],
    ['getSignedCookies', 'a dateLessThan of 0', { url: URL, dateLessThan: 0 }, 'ERR_SIGN_DATE'],
    ['getSignedCookies', 'an ftp url', { url: 'ftp://d.example/a', dateLessThan: SOON }, 'ERR_SIGN_URL'],
    // No "//": the SDK's scheme is `url.slice(0, -1)`, which halves a last character outside
    // the BMP ("http:\uD83D"), so no scheme matches.
    ['getSignedCookies', 'a url with no "//" whose last character is outside the BMP', { url: 'http:\u{1F600}', dateLessThan: SOON }, 'ERR_SIGN_URL'],
    ['getSignedUrl', 'a url with no "//" whose last character is outside the BMP', { url: 'https:\u{1F600}', dateLessThan: SOON }, 'ERR_SIGN_URL'],
  ];
  for (const [fn, name, options, code] of cases) {
    test(`${fn}, ${name}: the SDK's message, ${code}`, () => sameErrorAsSdk(fn, options, code));
  }

  test('a url with no "//" whose scheme is all but its last character is signed, as the SDK signs it', () => {
    sameAsSdk({ url: 'http:x', dateLessThan: SOON }, 'cookies');
    sameAsSdk({ url: 'https:\u00e9', dateLessThan: SOON }, 'cookies');
  });

  test('the options are read before the key, as the SDK reads them', () => {
    const options = { keyPairId: KEY_PAIR_ID, privateKey: 'not a key', url: URL, dateLessThan: 'never' };
    const expected = sdkError(() => sdk.getSignedUrl(options));
    for (const [build, api] of BUILDS) {
      assert.throws(() => api.getSignedUrl(options), { message: expected.message, code: 'ERR_SIGN_DATE' }, build);
      assert.throws(() => api.getSignedUrl({ ...options, dateLessThan: SOON }), { code: 'ERR_KEY_FORMAT' }, build);
    }
  });
});

describe('divergences that remain (pkg/README.md lists each with why)', () => {
  test('rtmp:// URLs: the SDK signs them, this package refuses (RTMP distributions were retired in 2020)', () => {
    const options = { ...credentials(), url: 'rtmp://s1.cloudfront.net/cfx/st/mp4:a.mp4', dateLessThan: SOON };
    assert.match(sdk.getSignedUrl(options), /^cfx\/st\/mp4%3Aa\.mp4\?Expires=/);
    for (const [build, api] of BUILDS) assert.throws(() => api.getSignedUrl(options), { code: 'ERR_SIGN_URL' }, build);
  });

  test('a canned expiry before 1970: the SDK writes a negative Expires, this package refuses', () => {
    const options = { ...credentials(), url: URL, dateLessThan: '1960-01-01' };
    assert.match(sdk.getSignedUrl(options), /Expires=-/);
    for (const [build, api] of BUILDS) assert.throws(() => api.getSignedUrl(options), { code: 'ERR_SIGN_DATE' }, build);
  });

  test('a key id CloudFront would not issue, or none: the SDK writes it (or leaves it out), this package refuses', () => {
    const options = { privateKey: key.pkcs8, url: URL, dateLessThan: SOON };
    assert.match(sdk.getSignedUrl({ ...options, keyPairId: 'K 1' }), /Key-Pair-Id=K%201/);
    assert.doesNotMatch(sdk.getSignedUrl(/** @type {any} */ (options)), /Key-Pair-Id/);
    for (const [build, api] of BUILDS) {
      assert.throws(() => api.getSignedUrl({ ...options, keyPairId: 'K 1' }), { code: 'ERR_KEY_ID' }, build);
      assert.throws(() => api.getSignedUrl(options), { code: 'ERR_INVALID_ARGUMENT' }, build);
    }
  });

  test('an ENCRYPTED PRIVATE KEY under a PKCS#12 scheme (openssl pkcs8 -v1): the SDK decrypts it, both builds refuse it as ERR_KEY_FORMAT', () => {
    // A fresh key, encrypted at test time by the OpenSSL command line (node:crypto only
    // writes PBES2): no private key is committed.
    const privateKey = execFileSync('openssl', ['pkcs8', '-topk8', '-v1', 'PBE-SHA1-3DES', '-passout', 'pass:correct horse'], { input: key.pkcs8 });
    assert.match(privateKey.toString(), /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    const options = { keyPairId: KEY_PAIR_ID, privateKey, passphrase: 'correct horse', url: URL, dateLessThan: SOON };
    assert.match(sdk.getSignedUrl(options), /Signature=/);
    for (const [build, api] of BUILDS) {
      assert.throws(() => api.getSignedUrl(options), { code: 'ERR_KEY_FORMAT', message: /encryption is not supported: PBES2/ }, build);
    }
  });

  test('an algorithm other than "SHA1" or "SHA256": the SDK signs SHA-1, this package refuses', () => {
    const options = { ...credentials(), url: URL, dateLessThan: SOON, algorithm: 'sha256' };
    assert.equal(sdk.getSignedUrl(options), sdk.getSignedUrl({ ...options, algorithm: 'SHA1' }));
    for (const [build, api] of BUILDS) assert.throws(() => api.getSignedUrl(options), { code: 'ERR_SIGN_ALGORITHM' }, build);
  });

  test('passphrase: null: the SDK fails inside node:crypto (TypeError), this package throws ERR_INVALID_ARGUMENT', () => {
    const options = { ...credentials(), url: URL, dateLessThan: SOON, passphrase: null };
    assert.throws(() => sdk.getSignedUrl(options), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
    for (const [build, api] of BUILDS) {
      assert.throws(() => api.getSignedUrl(options), { code: 'ERR_INVALID_ARGUMENT', message: 'passphrase must be a string' }, build);
      assert.throws(() => api.getSignedCookies(options), { code: 'ERR_INVALID_ARGUMENT' }, build);
      assert.throws(() => new api.Signer({ ...credentials(), passphrase: null }), { code: 'ERR_INVALID_ARGUMENT' }, build);
      assert.equal(api.getSignedUrl({ ...options, passphrase: undefined }), sdk.getSignedUrl({ ...options, passphrase: undefined }), build);
    }
  });

  test('an unpaired surrogate in a URL: the SDK throws a URIError in a path, writes U+FFFD in a query, keeps it elsewhere; this package writes U+FFFD everywhere', () => {
    // [function, option, its text with @ where the surrogate goes]
    const cases = [
      ['getSignedUrl', 'url', 'https://d.example/a@'], // a path segment: encodeURIComponent throws
      ['getSignedUrl', 'url', 'https://d.example/a?x=@'], // a query: the SDK writes U+FFFD itself
      ['getSignedCookies', 'url', 'https://d.example/a@'], // kept by the SDK (JSON.stringify: \ud800)
      ['getSignedUrl', 'url', 'https://d.example?x=@'], // no path: kept by the SDK
      ['getSignedUrl', 'policy', '{"Statement":[{"Resource":"https://d.example/@"}]}'], // the URL from the Resource: kept
    ];
    const call = (api, fn, name, text, mark) =>
      JSON.stringify(api[fn]({ ...credentials(), dateLessThan: SOON, [name]: text.replace('@', mark) }));
    const [[fn, name, text], [queryFn, queryName, queryText], ...kept] = cases;
    assert.throws(() => call(sdk, fn, name, text, '\uD800'), URIError);
    assert.equal(call(sdk, queryFn, queryName, queryText, '\uD800'), call(sdk, queryFn, queryName, queryText, '\uFFFD'));
    for (const [keptFn, keptName, keptText] of kept) {
      assert.notEqual(call(sdk, keptFn, keptName, keptText, '\uD800'), call(sdk, keptFn, keptName, keptText, '\uFFFD'), `the premise: the SDK keeps it in ${keptText}`);
    }
    for (const [build, api] of BUILDS) {
      for (const [caseFn, caseName, caseText] of cases) {
        assert.equal(call(api, caseFn, caseName, caseText, '\uD800'), call(api, caseFn, caseName, caseText, '\uFFFD'), `${build} ${caseFn} ${caseText}`);
      }
    }
  });

  test('a policy whose Statement is not an array of objects: the SDK fails in its own code (TypeError)', () => {
    for (const policy of ['{"Statement":{"Resource":"https://d.example/*"}}', '{"Statement":[null]}', '{"Statement":[{"Resource":5}]}']) {
      const options = { ...credentials(), policy };
      assert.throws(() => sdk.getSignedUrl(options), TypeError, policy);
      for (const [build, api] of BUILDS) assert.throws(() => api.getSignedUrl(options), { code: 'ERR_POLICY_JSON' }, `${build} ${policy}`);
    }
  });
});
