// Hostile values at every entry point of both builds: the caller's own code (a getter, a
// Proxy trap, valueOf / toString / Symbol.toPrimitive) throwing while the package reads an
// option, and Symbols and BigInts where strings or dates go. Every call must throw an Error
// (the caller's own where the SDK lets it through, else a CloudFrontEdgeAuthError), never a
// WebAssembly trap, and the module must keep working: an exception that unwinds through the
// wasm leaves its stack pointer behind, and after ~1,500 of them every later call, valid ones
// included, failed with "memory access out of bounds" until the process restarted.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import * as sdk from '@aws-sdk/cloudfront-signer';

import { BUILDS } from './builds.mjs';
import { makeRsaKey } from './support.mjs';

const KEY_PAIR_ID = 'K2JCJMDEHXQW5F';
const URL = 'https://d.example/a.png';
const SOON = '2031-05-17T08:00:00.000Z';
/** Rounds over every hostile value at every position: well past the ~1,500 that broke it. */
const ROUNDS = 40;

/** @type {ReturnType<typeof makeRsaKey>} */
let key;
before(() => {
  key = makeRsaKey();
});

class Boom extends Error {}

/** A Proxy whose every trap throws. */
function trapsThrow() {
  const handler = new Proxy({}, { get: (_, trap) => () => { throw new Boom(`trap ${String(trap)}`); } });
  return new Proxy({}, handler);
}

/**
 * Values that run code of their own, or that `new Date()` and string conversion refuse,
 * each with what it throws (or null: it throws nothing of its own).
 */
function hostileValues() {
  const thrown = new Boom('from valueOf');
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  const lyingBytes = new Proxy(new Uint8Array(8), { get() { throw new Boom('bytes get'); } });
  const ownLength = new Uint8Array(4);
  Object.defineProperty(ownLength, 'length', { get() { throw new Boom('own length'); } });
  return [
    ['a Symbol', Symbol('s')],
    ['a BigInt', 10n],
    ['valueOf throws', { valueOf() { throw thrown; } }],
    ['toString throws', { toString() { throw new Boom('from toString'); }, valueOf: undefined }],
    ['Symbol.toPrimitive throws', { [Symbol.toPrimitive]() { throw new Boom('from toPrimitive'); } }],
    ['Symbol.toPrimitive returns a Symbol', { [Symbol.toPrimitive]: () => Symbol('p') }],
    ['valueOf throws a string', { valueOf() { throw 'not an Error'; } }],
    ['a Proxy whose every trap throws', trapsThrow()],
    ['a revoked Proxy', revocable.proxy],
    ['a Proxy of a Uint8Array whose get throws', lyingBytes],
    ['a Uint8Array with a throwing own length', ownLength],
    ['an object with a throwing Symbol.toStringTag', { get [Symbol.toStringTag]() { throw new Boom('tag'); }, [Symbol.toPrimitive]: () => 'x' }],
  ];
}

/** `base` with `name` as each hostile value, then as a getter that throws. */
function* hostileOptions(base, names) {
  for (const name of names) {
    for (const [what, value] of hostileValues()) yield [`${name}: ${what}`, { ...base, [name]: value }];
    const getter = { ...base };
    Object.defineProperty(getter, name, { enumerable: true, get() { throw new Boom(`getter ${name}`); } });
    yield [`${name}: a throwing getter`, getter];
    const stringGetter = { ...base };
    Object.defineProperty(stringGetter, name, { enumerable: true, get() { throw 'a string'; } });
    yield [`${name}: a getter that throws a string`, stringGetter];
  }
  yield ['the options: a Proxy whose every trap throws', trapsThrow()];
  yield ['the options: a revoked Proxy', (() => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; })()];
}

/**
 * Runs `call`; it may return or throw, but what it throws must be an Error and never a
 * WebAssembly trap. Returns 1 when it threw.
 */
function throwsOnlyErrors(call, label) {
  try {
    call();
    return 0;
  } catch (error) {
    assert.ok(error instanceof Error, `${label}: threw a non-Error ${typeof error}`);
    assert.ok(!(error instanceof WebAssembly.RuntimeError), `${label}: a wasm trap: ${error.message}`);
    return 1;
  }
}

const SIGN_OPTIONS = ['url', 'keyPairId', 'privateKey', 'passphrase', 'dateLessThan', 'dateGreaterThan', 'ipAddress', 'policy', 'algorithm', 'strict'];
const POLICY_OPTIONS = ['url', 'dateLessThan', 'dateGreaterThan', 'ipAddress', 'policy'];
const SIGNER_OPTIONS = ['keyPairId', 'privateKey', 'passphrase', 'algorithm', 'strict'];

describe('hostile values never throw through the wasm, and the module keeps working', () => {
  for (const [build, api] of BUILDS) {
    test(`${build}: every entry point, thousands of times, then valid calls still sign and verify`, () => {
      const credentials = { keyPairId: KEY_PAIR_ID, privateKey: key.pkcs8 };
      const sign = { ...credentials, url: URL, dateLessThan: SOON };
      const expected = sdk.getSignedUrl(sign);
      const signer = new api.Signer(credentials);
      const verifier = new api.Verifier({ keys: { [KEY_PAIR_ID]: key.spki } });
      let threw = 0;
      for (let round = 0; round < ROUNDS; round++) {
        for (const [what, options] of hostileOptions(sign, SIGN_OPTIONS)) {
          threw += throwsOnlyErrors(() => api.getSignedUrl(options), `getSignedUrl ${what}`);
          threw += throwsOnlyErrors(() => api.getSignedCookies(options), `getSignedCookies ${what}`);
        }
        for (const [what, options] of hostileOptions({ url: URL, dateLessThan: SOON }, POLICY_OPTIONS)) {
          threw += throwsOnlyErrors(() => signer.getSignedUrl(options), `Signer#getSignedUrl ${what}`);
          threw += throwsOnlyErrors(() => signer.getSignedCookies(options), `Signer#getSignedCookies ${what}`);
        }
        if (round % 8 === 0) {
          // Parsing a key per case is slow: a few rounds are enough here.
          for (const [what, options] of hostileOptions(credentials, SIGNER_OPTIONS)) {
            threw += throwsOnlyErrors(() => new api.Signer(options), `new Signer ${what}`);
          }
        }
        for (const [what, options] of hostileOptions({ keys: { [KEY_PAIR_ID]: key.spki } }, ['keys'])) {
          threw += throwsOnlyErrors(() => new api.Verifier(options), `new Verifier ${what}`);
        }
        for (const [what, keys] of hostileOptions({ [KEY_PAIR_ID]: key.spki }, [KEY_PAIR_ID])) {
          threw += throwsOnlyErrors(() => new api.Verifier({ keys }), `new Verifier keys ${what}`);
        }
        for (const [what, input] of hostileOptions({ url: URL, cookie: 'a=b', clientIp: '203.0.113.9', now: 1 }, ['url', 'cookie', 'clientIp', 'now'])) {
          threw += throwsOnlyErrors(() => verifier.verify(input), `Verifier#verify ${what}`);
        }
        for (const [what, value] of hostileValues()) {
          threw += throwsOnlyErrors(() => api.hasSignedUrlParameters(value), `hasSignedUrlParameters ${what}`);
        }
      }
      assert.ok(threw > 20_000, `only ${threw} calls threw`);
      assert.equal(api.getSignedUrl(sign), expected);
      assert.deepStrictEqual(api.getSignedCookies(sign), sdk.getSignedCookies(sign));
      assert.equal(new api.Signer(credentials).getSignedUrl({ url: URL, dateLessThan: SOON }), expected);
      const [, query] = expected.split('?');
      const verdict = verifier.verify({ url: expected, now: Date.parse('2030-01-01') });
      assert.equal(verdict.ok, true, `${query}: ${verdict.message}`);
      assert.equal(api.hasSignedUrlParameters(query), true);
      assert.equal(api.limits().maxPemBytes, 16384);
    });
  }
});

describe("the caller's exception, where the SDK lets it through", () => {
  test('a date whose conversion throws: the same exception as the SDK, the very object when it is an Error', () => {
    for (const [what, value] of hostileValues()) {
      const options = { keyPairId: KEY_PAIR_ID, privateKey: key.pkcs8, url: URL, dateLessThan: SOON, dateGreaterThan: value };
      let fromSdk;
      try {
        sdk.getSignedUrl(options);
      } catch (error) {
        fromSdk = error;
      }
      for (const [build, api] of BUILDS) {
        for (const fn of ['getSignedUrl', 'getSignedCookies']) {
          const label = `${build} ${fn} ${what}`;
          if (fromSdk === undefined) {
            assert.doesNotThrow(() => api[fn](options), label);
          } else if (fromSdk instanceof Error) {
            assert.throws(() => api[fn](options), (error) => error.constructor === fromSdk.constructor && error.message === fromSdk.message, label);
          } else {
            // The SDK rethrows a thrown string as is; callers here always catch an Error.
            assert.throws(() => api[fn](options), (error) => error.code === 'ERR_INVALID_ARGUMENT' && error.cause === fromSdk, label);
          }
        }
      }
    }
  });

  test('a getter that throws: the same Error object as from the SDK', () => {
    const thrown = new Boom('getter');
    const options = { keyPairId: KEY_PAIR_ID, privateKey: key.pkcs8, dateLessThan: SOON, get url() { throw thrown; } };
    assert.throws(() => sdk.getSignedUrl(options), (error) => error === thrown);
    for (const [build, api] of BUILDS) {
      assert.throws(() => api.getSignedUrl(options), (error) => error === thrown, build);
      assert.throws(() => api.getSignedCookies(options), (error) => error === thrown, build);
      assert.throws(() => new api.Signer({ keyPairId: KEY_PAIR_ID, get privateKey() { throw thrown; } }), (error) => error === thrown, build);
    }
  });

  test('each getter runs once, in the order the SDK destructures the options', () => {
    const order = (fn, api) => {
      const seen = [];
      const values = { keyPairId: KEY_PAIR_ID, privateKey: key.pkcs8, url: URL, dateLessThan: SOON };
      const options = new Proxy(values, { get: (target, name) => { seen.push(String(name)); return target[name]; } });
      api[fn](options);
      return seen.filter((name) => name !== 'strict');
    };
    for (const fn of ['getSignedUrl', 'getSignedCookies']) {
      const expected = order(fn, sdk);
      for (const [build, api] of BUILDS) assert.deepStrictEqual(order(fn, api), expected, `${build} ${fn}`);
    }
  });

  test("the URL and its scheme are checked before a date is converted, as in the SDK", () => {
    const cases = [
      ['getSignedCookies', { dateLessThan: Symbol('s') }, 'ERR_SIGN_URL'],
      ['getSignedCookies', { url: 'ftp://d.example/a', dateLessThan: { valueOf() { throw new Boom('x'); } } }, 'ERR_SIGN_URL'],
      ['getSignedUrl', { url: 'ftp://d.example/a', dateLessThan: 10n }, 'ERR_SIGN_URL'],
    ];
    for (const [fn, options, code] of cases) {
      const full = { keyPairId: KEY_PAIR_ID, privateKey: key.pkcs8, ...options };
      let expected;
      try {
        sdk[fn](full);
      } catch (error) {
        expected = error;
      }
      assert.ok(expected instanceof Error, `the SDK throws for ${fn}`);
      for (const [build, api] of BUILDS) {
        assert.throws(() => api[fn](full), { name: 'CloudFrontEdgeAuthError', code, message: expected.message }, `${build} ${fn}`);
        assert.throws(() => api[fn]({ ...full, strict: true }), { code }, `${build} strict ${fn}`);
      }
    }
  });

  test("the Verifier, which has no SDK to match: ERR_INVALID_ARGUMENT with the caller's exception as cause", () => {
    const thrown = new Boom('keys');
    for (const [build, api] of BUILDS) {
      assert.throws(() => new api.Verifier({ get keys() { throw thrown; } }), (error) => error.code === 'ERR_INVALID_ARGUMENT' && error.cause === thrown, build);
      assert.throws(() => new api.Verifier({ keys: { get [KEY_PAIR_ID]() { throw thrown; } } }), (error) => error.code === 'ERR_INVALID_ARGUMENT' && error.cause === thrown, build);
    }
  });
});
