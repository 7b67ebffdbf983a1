// The package's two crypto backends against each other and against bare node:crypto: the
// Node build (pkg/node) signs with node:crypto (OpenSSL), the web build (pkg/web, loaded here
// in Node from its wasm bytes) with RustCrypto's `rsa` and `p256`. RSASSA-PKCS1-v1_5 is
// deterministic, so for the same key and policy all three must give the same bytes. Keys are
// parsed and checked by the core before either backend sees them, so the same bad key must
// give the same error code from both builds; the one legitimate difference is an ENCRYPTED
// PRIVATE KEY, which only the Node build can decrypt.
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { before, describe, test } from 'node:test';

import { BUILDS, node, web } from './builds.mjs';
import {
  PASSPHRASE,
  cookieHeader,
  decodeCloudFrontBase64,
  encodeCloudFrontBase64,
  makeRsaKey,
  policyBytes,
  splitSignedUrl,
  unprefixed,
} from './support.mjs';

const KEY_PAIR_ID = 'K2JCJMDEHXQW5F';
const EXPIRES = 2_000_000_000;
const NOW = 1_900_000_000_000;

/** @type {ReturnType<typeof makeRsaKey>} */
let key;

before(() => {
  key = makeRsaKey();
});

// What gets signed: canned (one URL, the SDK's normalisation included) and custom (wildcard,
// start, IP), each as cookies and as a URL.
const POLICIES = [
  ['canned', { url: 'https://d.example/private/a b.png?x=1', dateLessThan: EXPIRES * 1000 }],
  ['custom', {
    url: 'https://d.example/private/*',
    dateLessThan: EXPIRES * 1000,
    dateGreaterThan: 1_800_000_000_000,
    ipAddress: '198.51.100.0/24',
  }],
  ['policy option', {
    policy: `{"Statement":[{"Resource":"https://d.example/v/*","Condition":{"DateLessThan":{"AWS:EpochTime":${EXPIRES}}}}]}`,
  }],
];

/** RSASSA-PKCS1-v1_5 by node:crypto alone, CloudFront base64. */
function bareSignature(bytes, privateKey, algorithm) {
  return encodeCloudFrontBase64(sign(algorithm === 'SHA256' ? 'sha256' : 'sha1', bytes, privateKey));
}

describe('RSA: the same key and policy give byte-identical signatures', () => {
  for (const form of ['pkcs1', 'pkcs8']) {
    for (const algorithm of ['SHA1', 'SHA256']) {
      for (const [kind, policy] of POLICIES) {
        test(`node:crypto, the rsa crate and bare crypto.sign agree (${form}, ${algorithm}, ${kind})`, () => {
          const signerOptions = { keyPairId: KEY_PAIR_ID, privateKey: key[form], algorithm };
          const byBuild = BUILDS.map(([name, build]) => {
            const signer = new build.Signer(signerOptions);
            return {
              name,
              cookies: signer.getSignedCookies(policy),
              freeCookies: build.getSignedCookies({ ...signerOptions, ...policy }),
              url: signer.getSignedUrl(policy),
              freeUrl: build.getSignedUrl({ ...signerOptions, ...policy }),
            };
          });
          const [ours, theirs] = byBuild;
          // Whole outputs, byte for byte and in the same key order.
          for (const field of ['cookies', 'freeCookies', 'url', 'freeUrl']) {
            assert.equal(JSON.stringify(theirs[field]), JSON.stringify(ours[field]), `${field}: node vs web`);
          }
          assert.equal(JSON.stringify(ours.freeCookies), JSON.stringify(ours.cookies));
          assert.equal(ours.freeUrl, ours.url);

          const bytes = policyBytes(unprefixed(ours.cookies), policy.url);
          const expected = bareSignature(bytes, key.privateKey, algorithm);
          assert.equal(ours.cookies['CloudFront-Signature'], expected, 'cookie signature vs crypto.sign');
          assert.equal(decodeCloudFrontBase64(expected).length, 256);
          // The URL signs the SDK-normalised URL (canned) or the same policy (custom).
          const { base, values } = splitSignedUrl(ours.url);
          const urlBytes = policyBytes(values, base);
          assert.equal(values.Signature, bareSignature(urlBytes, key.privateKey, algorithm), 'URL signature vs crypto.sign');
        });
      }
    }
  }

  test('each build verifies what the other signs, with the same verdict', () => {
    const url = 'https://d.example/private/a.png';
    for (const [, policy] of POLICIES.slice(0, 2)) {
      for (const [signedBy, signer] of BUILDS) {
        const cookies = signer.getSignedCookies({ keyPairId: KEY_PAIR_ID, privateKey: key.pkcs8, ...policy, url: policy.url.replace(/ /g, '%20') });
        const request = { url: policy.url.includes('*') ? url : policy.url.replace(/ /g, '%20'), cookie: cookieHeader(cookies), now: NOW, clientIp: '198.51.100.7' };
        const verdicts = BUILDS.map(([, build]) => new build.Verifier({ keys: { [KEY_PAIR_ID]: key.spki } }).verify(request));
        assert.equal(verdicts[0].ok, true, `signed by ${signedBy}: ${JSON.stringify(verdicts[0])}`);
        assert.deepStrictEqual(verdicts[1], verdicts[0], `signed by ${signedBy}`);
        // A tampered signature: the same refusal, message included, from both.
        const signature = cookies['CloudFront-Signature'];
        const tampered = { ...request, cookie: cookieHeader({ ...cookies, 'CloudFront-Signature': (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1) }) };
        const refusals = BUILDS.map(([, build]) => new build.Verifier({ keys: { [KEY_PAIR_ID]: key.spki } }).verify(tampered));
        assert.equal(refusals[0].reason, 'bad-signature');
        assert.deepStrictEqual(refusals[1], refusals[0]);
      }
    }
  });
});

describe('bad keys: the same error code from both builds', () => {
  /** The thrown error's name and code, or null if nothing was thrown. */
  function thrown(fn) {
    try {
      fn();
    } catch (error) {
      assert.ok(error instanceof Error);
      return { name: error.name, code: error.code, message: error.message };
    }
    return null;
  }

  /** @type {Record<string, string>} */
  let bad;
  before(() => {
    const weak = makeRsaKey(1024);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const ed25519 = generateKeyPairSync('ed25519');
    bad = {
      garbage: 'not a pem',
      garbledBody: key.pkcs8.replace(/\n[A-Za-z0-9+/]{8}/, '\n!!!!!!!!'),
      truncated: key.pkcs8.slice(0, 200) + '\n-----END PRIVATE KEY-----\n',
      certificateLabel: key.pkcs8.replace(/PRIVATE KEY/g, 'CERTIFICATE'),
      rsa1024Pkcs8: weak.pkcs8,
      rsa1024Pkcs1: weak.pkcs1,
      rsa1024Spki: weak.spki,
      p384Pkcs8: /** @type {string} */ (p384.privateKey.export({ type: 'pkcs8', format: 'pem' })),
      p384Sec1: /** @type {string} */ (p384.privateKey.export({ type: 'sec1', format: 'pem' })),
      p384Spki: /** @type {string} */ (p384.publicKey.export({ type: 'spki', format: 'pem' })),
      ed25519Pkcs8: /** @type {string} */ (ed25519.privateKey.export({ type: 'pkcs8', format: 'pem' })),
      ed25519Spki: /** @type {string} */ (ed25519.publicKey.export({ type: 'spki', format: 'pem' })),
    };
  });

  const privateCases = [
    ['garbage PEM', 'garbage', 'ERR_KEY_FORMAT'],
    ['a PEM body that is not base64', 'garbledBody', 'ERR_KEY_FORMAT'],
    ['a truncated PEM body', 'truncated', 'ERR_KEY_FORMAT'],
    ['a certificate label', 'certificateLabel', 'ERR_KEY_FORMAT'],
    ['a public key where a private key belongs', 'spki', 'ERR_KEY_FORMAT'],
    ['a 1024-bit RSA key (PKCS#8)', 'rsa1024Pkcs8', 'ERR_KEY_SIZE'],
    ['a 1024-bit RSA key (PKCS#1)', 'rsa1024Pkcs1', 'ERR_KEY_SIZE'],
    ['an EC key on P-384 (PKCS#8)', 'p384Pkcs8', 'ERR_KEY_FORMAT'],
    ['an EC key on P-384 (SEC1)', 'p384Sec1', 'ERR_KEY_FORMAT'],
    ['an Ed25519 key', 'ed25519Pkcs8', 'ERR_KEY_FORMAT'],
  ];
  for (const [label, name, code] of privateCases) {
    test(`Signer and getSignedCookies: ${label} -> ${code}`, () => {
      const pem = bad[name] ?? key[name];
      for (const [build, m] of BUILDS) {
        const options = { keyPairId: KEY_PAIR_ID, privateKey: pem };
        for (const [call, fn] of [
          ['Signer', () => new m.Signer(options)],
          ['getSignedCookies', () => m.getSignedCookies({ ...options, url: 'https://d.example/a', dateLessThan: NOW })],
        ]) {
          const error = thrown(fn);
          assert.equal(error?.name, 'CloudFrontEdgeAuthError', `${build} ${call}`);
          assert.equal(error.code, code, `${build} ${call}: ${error.message}`);
        }
      }
      // The checks are the core's, not a backend's: the messages agree too.
      assert.equal(thrown(() => new web.Signer({ keyPairId: KEY_PAIR_ID, privateKey: pem })).message,
        thrown(() => new node.Signer({ keyPairId: KEY_PAIR_ID, privateKey: pem })).message);
    });
  }

  const publicCases = [
    ['garbage PEM', 'garbage', 'ERR_KEY_FORMAT'],
    ['a private key where a public key belongs', 'pkcs8', 'ERR_KEY_FORMAT'],
    ['a 1024-bit RSA key', 'rsa1024Spki', 'ERR_KEY_SIZE'],
    ['an EC key on P-384', 'p384Spki', 'ERR_KEY_FORMAT'],
    ['an Ed25519 key', 'ed25519Spki', 'ERR_KEY_FORMAT'],
  ];
  for (const [label, name, code] of publicCases) {
    test(`Verifier: ${label} -> ${code}`, () => {
      const pem = bad[name] ?? key[name];
      const errors = BUILDS.map(([, m]) => thrown(() => new m.Verifier({ keys: { [KEY_PAIR_ID]: pem } })));
      assert.equal(errors[0]?.code, code, errors[0]?.message);
      assert.deepStrictEqual(errors[1], errors[0]);
    });
  }

  test('ENCRYPTED PRIVATE KEY: a wrong or missing passphrase is ERR_KEY_PASSPHRASE in both builds', () => {
    for (const passphrase of ['wrong', undefined]) {
      for (const [build, m] of BUILDS) {
        const error = thrown(() => new m.Signer({ keyPairId: KEY_PAIR_ID, privateKey: key.encryptedPkcs8, passphrase }));
        assert.equal(error?.code, 'ERR_KEY_PASSPHRASE', `${build}, passphrase ${passphrase}`);
      }
    }
  });

  test('ENCRYPTED PRIVATE KEY with the right passphrase: the Node build decrypts, the web build refuses', () => {
    // The legitimate difference: the web build carries no PBES2 (scrypt, PBKDF2, AES) and
    // has no node:crypto, so it cannot decrypt and says so with the same code as a bad
    // passphrase.
    const options = { keyPairId: KEY_PAIR_ID, privateKey: key.encryptedPkcs8, passphrase: PASSPHRASE };
    const signer = new node.Signer(options);
    assert.equal(signer.publicKeyPem, key.spki);
    const policy = POLICIES[0][1];
    assert.equal(signer.getSignedUrl(policy), new web.Signer({ keyPairId: KEY_PAIR_ID, privateKey: key.pkcs8 }).getSignedUrl(policy));
    const error = thrown(() => new web.Signer(options));
    assert.equal(error?.code, 'ERR_KEY_PASSPHRASE');
    assert.match(error.message, /cannot be decrypted by this build: decrypt the key first/);
  });
});

describe('keys whose parts disagree', () => {
  // OpenSSL loads an RSA key with a wrong d or a wrong prime and still signs correctly (its
  // CRT fault check falls back to the other half), where the `rsa` crate refuses it. Only
  // big-integer arithmetic of our own could refuse it in the Node build too, so that is the
  // accepted difference (docs/security.md): the web build refuses, the Node build signs, and
  // its signature is the intact key's. An EC key whose embedded public point is another
  // key's is refused by both (`p256` on import; the Node build by a signature checked against
  // that point). The encoded CRT values (dp, dq, qi) are not checked by either: the `rsa`
  // crate recomputes them and OpenSSL's signature is right regardless, so both sign alike.
  const INCONSISTENT = "not a usable key: the private key's parts do not agree with each other (a damaged or edited key)";

  /** A base64url big-endian integer with one bit of its low bytes flipped. */
  const flip = (value) => {
    const bytes = Buffer.from(value, 'base64url');
    bytes[bytes.length - 5] ^= 0x10;
    return bytes.toString('base64url');
  };
  /** The JWK `jwk` with `changes`, re-encoded by node:crypto as `type` PEM. */
  const edited = (jwk, changes, type) =>
    /** @type {string} */ (createPrivateKey({ key: { ...jwk, ...changes }, format: 'jwk' }).export({ type, format: 'pem' }));
  const answer = (m, pem) => {
    try {
      return new m.Signer({ keyPairId: KEY_PAIR_ID, privateKey: pem }).getSignedUrl(POLICIES[0][1]);
    } catch (error) {
      return `${error.code}: ${error.message}`;
    }
  };

  /** @type {any} */
  let rsa;
  /** @type {any} */
  let ec;
  /** @type {any} */
  let otherEc;
  before(() => {
    rsa = createPrivateKey(key.pkcs8).export({ format: 'jwk' });
    ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    otherEc = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  });

  for (const part of ['d', 'p', 'q']) {
    for (const type of ['pkcs1', 'pkcs8']) {
      test(`RSA with a wrong ${part} (${type}): the web build refuses, the Node build signs as the intact key`, () => {
        const pem = edited(rsa, { [part]: flip(rsa[part]) }, type);
        assert.equal(answer(node, pem), answer(web, key.pkcs8));
        assert.equal(answer(web, pem), `ERR_KEY_FORMAT: ${INCONSISTENT}`);
      });
    }
  }

  test('RSA with d + (p-1)(q-1) (still a working exponent, but not under n): the web build refuses, the Node build signs', () => {
    const big = (v) => BigInt('0x' + Buffer.from(v, 'base64url').toString('hex'));
    const d = big(rsa.d) + (big(rsa.p) - 1n) * (big(rsa.q) - 1n);
    assert.ok(d >= big(rsa.n));
    const hex = d.toString(16);
    const pem = edited(rsa, { d: Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url') }, 'pkcs1');
    assert.equal(answer(node, pem), answer(web, key.pkcs8));
    assert.equal(answer(web, pem), `ERR_KEY_FORMAT: ${INCONSISTENT}`);
  });

  for (const part of ['dp', 'dq', 'qi']) {
    test(`RSA with a wrong ${part}: both sign, byte-identical to the intact key`, () => {
      const pem = edited(rsa, { [part]: flip(rsa[part]) }, 'pkcs1');
      const intact = answer(web, key.pkcs8);
      assert.match(intact, /Signature=/);
      assert.equal(answer(node, pem), intact);
      assert.equal(answer(web, pem), intact);
    });
  }

  for (const type of ['sec1', 'pkcs8']) {
    test(`EC P-256 whose public point is another key's (${type}): refused by both, one message`, () => {
      const pem = edited(ec, { x: otherEc.x, y: otherEc.y }, type);
      assert.equal(answer(node, pem), `ERR_KEY_FORMAT: ${INCONSISTENT}`);
      assert.equal(answer(web, pem), `ERR_KEY_FORMAT: ${INCONSISTENT}`);
    });
    test(`EC P-256 with a wrong scalar (${type}): refused by both, one message`, () => {
      const pem = edited(ec, { d: flip(ec.d) }, type);
      assert.equal(answer(node, pem), `ERR_KEY_FORMAT: ${INCONSISTENT}`);
      assert.equal(answer(web, pem), `ERR_KEY_FORMAT: ${INCONSISTENT}`);
    });
  }
});

describe('the rest of the API is the same in both builds', () => {
  test('publicKeyPem is the SPKI PEM node:crypto writes, for every private key form', () => {
    for (const [build, m] of BUILDS) {
      for (const form of ['pkcs1', 'pkcs8']) {
        assert.equal(new m.Signer({ keyPairId: KEY_PAIR_ID, privateKey: key[form] }).publicKeyPem, key.spki, `${build} ${form}`);
      }
    }
  });

  test('limits() and hasSignedUrlParameters() answer alike', () => {
    assert.deepStrictEqual(web.limits(), node.limits());
    assert.deepStrictEqual(Object.keys(node.limits()).sort(),
      ['maxCookieHeaderBytes', 'maxKeysPerGroup', 'maxPemBytes', 'maxPolicyBytes', 'maxUrlBytes']);
    assert.equal(node.limits().maxKeysPerGroup, 5);
    for (const [query, expected] of [
      ['', false], ['x=1', false], ['Expires=1&Signature=a&Key-Pair-Id=K', true], ['a=1&Signature', true],
      ['Policy=', true], ['Hash-Algorithm=SHA256', true], ['signature=a', false], ['xSignature=a', false],
    ]) {
      assert.equal(node.hasSignedUrlParameters(query), expected, query);
      assert.equal(web.hasSignedUrlParameters(query), expected, query);
    }
  });

  test('a path escape decodeURIComponent refuses (%+F, %-1) is read alike', () => {
    const options = { keyPairId: KEY_PAIR_ID, privateKey: key.pkcs8, dateLessThan: EXPIRES * 1000 };
    for (const url of ['https://d.example/p/%+F', 'https://d.example/p/%-1?q=%+F']) {
      const signed = BUILDS.map(([, m]) => m.getSignedUrl({ ...options, url }));
      assert.equal(signed[1], signed[0], url);
    }
  });
});
