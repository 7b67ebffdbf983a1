// ECDSA P-256 keys through the JS API, in both builds (pkg/node on node:crypto, pkg/web on
// RustCrypto's p256, loaded here in Node from its wasm bytes). CloudFront key groups take
// "RSA 2048 or ECDSA 256" public keys; the signature is DER-encoded ECDSA over the SHA-1 (or,
// with Hash-Algorithm=SHA256, SHA-256) digest of the policy bytes, in CloudFront base64.
// ECDSA signatures are randomised (node:crypto) or RFC 6979 deterministic (p256), so
// signatures are checked with node:crypto and by the emulator's independent check, and
// everything around them is compared with @aws-sdk/cloudfront-signer byte for byte.
import assert from 'node:assert/strict';
import { generateKeyPairSync, verify } from 'node:crypto';
import { before, describe, test } from 'node:test';

import * as sdk from '@aws-sdk/cloudfront-signer';

import { checkSignedRequest, trustedKeys } from '../../edge/emulator/src/signed-request.js';
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

const EC_ID = 'KECDSAP256KEY1';
const RSA_ID = 'K2JCJMDEHXQW5F';
const EXPIRES = 2_000_000_000;
const NOW = 1_900_000_000_000;
const CLIENT_IP = '198.51.100.7';
/** The order of the P-256 group, for the (r, n - s) twin of a signature. */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** A fresh P-256 key in every PEM form the package takes. */
function makeEcKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = (/** @type {any} */ options) => /** @type {string} */ (privateKey.export({ format: 'pem', ...options }));
  return {
    privateKey,
    publicKey,
    pkcs8: pem({ type: 'pkcs8' }),
    sec1: pem({ type: 'sec1' }),
    encryptedPkcs8: pem({ type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: PASSPHRASE }),
    spki: /** @type {string} */ (publicKey.export({ type: 'spki', format: 'pem' })),
  };
}

/** @type {ReturnType<typeof makeEcKey>} */
let ec;
/** @type {ReturnType<typeof makeRsaKey>} */
let rsa;

before(() => {
  ec = makeEcKey();
  rsa = makeRsaKey();
});

const POLICIES = [
  ['canned', { url: 'https://d.example/private/a b.png?x=1', dateLessThan: EXPIRES * 1000 }],
  ['custom', {
    url: 'https://d.example/private/*',
    dateLessThan: EXPIRES * 1000,
    dateGreaterThan: 1_800_000_000_000,
    ipAddress: '198.51.100.0/24',
  }],
];
/** The viewer URL each policy is verified with. */
const viewerUrl = (policy) => (policy.url.endsWith('*') ? 'https://d.example/private/movie.mp4?t=1' : policy.url.replace(/ /g, '%20'));


/**
 * Asserts `signature` (CloudFront base64) is a DER ECDSA signature that node:crypto accepts
 * over `bytes`; returns the DER.
 */
function assertEcdsaSignature(signature, bytes, algorithm, label) {
  const der = decodeCloudFrontBase64(signature);
  assert.ok(der.length >= 8 && der.length <= 72, `DER is ${der.length} bytes ${label}`);
  assert.equal(der[0], 0x30, `a DER SEQUENCE ${label}`);
  assert.equal(der[1], der.length - 2, `DER length ${label}`);
  const hash = algorithm === 'SHA256' ? 'sha256' : 'sha1';
  assert.ok(verify(hash, bytes, { key: ec.publicKey, dsaEncoding: 'der' }, der), `node:crypto refuses the signature ${label}`);
  return der;
}

/** The DER (r, s) of an ECDSA signature, and the DER of (r, s') for another s'. */
function derParts(der) {
  const rLength = der[3];
  const r = der.subarray(4, 4 + rLength);
  const s = der.subarray(6 + rLength);
  return { r, s };
}
function derOf(r, s) {
  const int = (bytes) => Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
  const body = Buffer.concat([int(r), int(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}
/** A big-endian positive integer as minimal DER INTEGER content. */
function derInteger(value) {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = Buffer.from(hex, 'hex');
  return bytes[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
}

describe('signing with a P-256 key', () => {
  for (const [build, m] of BUILDS) {
    for (const form of ['pkcs8', 'sec1']) {
      test(`${build} build, ${form === 'sec1' ? 'SEC1 (EC PRIVATE KEY)' : 'PKCS#8'}: DER signatures node:crypto verifies, the rest byte-identical to the SDK`, () => {
        for (const algorithm of ['SHA1', 'SHA256']) {
          for (const [kind, policy] of POLICIES) {
            const label = `(${build}, ${form}, ${algorithm}, ${kind})`;
            const options = { keyPairId: EC_ID, privateKey: ec[form], algorithm };
            const signer = new m.Signer(options);
            const sdkOptions = { ...options, privateKey: ec.pkcs8, ...policy };
            const withoutSignature = (cookies) => JSON.stringify({ ...cookies, 'CloudFront-Signature': undefined });

            const sdkCookies = sdk.getSignedCookies(sdkOptions);
            for (const cookies of [signer.getSignedCookies(policy), m.getSignedCookies({ ...options, ...policy })]) {
              assert.equal(withoutSignature(cookies), withoutSignature(sdkCookies), `cookies ${label}`);
              assertEcdsaSignature(cookies['CloudFront-Signature'], policyBytes(unprefixed(cookies), policy.url), algorithm, `cookie ${label}`);
            }

            const sdkUrl = splitSignedUrl(sdk.getSignedUrl(sdkOptions));
            for (const signedUrl of [signer.getSignedUrl(policy), m.getSignedUrl({ ...options, ...policy })]) {
              const ours = splitSignedUrl(signedUrl);
              assert.equal(ours.base, sdkUrl.base, `URL ${label}`);
              assert.deepStrictEqual(ours.params.map(([n]) => n), sdkUrl.params.map(([n]) => n), `parameter order ${label}`);
              assert.deepStrictEqual({ ...ours.values, Signature: '' }, { ...sdkUrl.values, Signature: '' }, `parameters ${label}`);
              assertEcdsaSignature(ours.values.Signature, policyBytes(ours.values, ours.base), algorithm, `URL ${label}`);
            }
          }
        }
      });
    }

    test(`${build} build: publicKeyPem of a P-256 key is node:crypto's SPKI, from PKCS#8 and SEC1`, () => {
      for (const form of ['pkcs8', 'sec1']) {
        assert.equal(new m.Signer({ keyPairId: EC_ID, privateKey: ec[form] }).publicKeyPem, ec.spki, form);
      }
    });
  }

  test('an encrypted PKCS#8 P-256 key: the Node build decrypts it, the web build refuses', () => {
    const options = { keyPairId: EC_ID, privateKey: ec.encryptedPkcs8, passphrase: PASSPHRASE };
    assert.equal(new node.Signer(options).publicKeyPem, ec.spki);
    const cookies = node.getSignedCookies({ ...options, ...POLICIES[1][1] });
    assertEcdsaSignature(cookies['CloudFront-Signature'], policyBytes(unprefixed(cookies)), 'SHA1', 'encrypted key');
    assert.throws(() => new web.Signer(options), { name: 'CloudFrontEdgeAuthError', code: 'ERR_KEY_PASSPHRASE' });
    assert.throws(() => new node.Signer({ ...options, passphrase: 'wrong' }), { name: 'CloudFrontEdgeAuthError', code: 'ERR_KEY_PASSPHRASE' });
  });
});

describe('verifying with a P-256 public key', () => {
  /**
   * Cookie sets and signed URLs from every signer: our two builds and the SDK. Cookies of a
   * canned policy are signed for the viewer URL as a browser sends it (percent-encoded):
   * getSignedCookies signs its url as given, getSignedUrl normalises it first.
   */
  function signedBy(policy, algorithm) {
    const options = { keyPairId: EC_ID, privateKey: ec.pkcs8, algorithm, ...policy };
    const forCookies = { ...options, url: policy.url.endsWith('*') ? policy.url : viewerUrl(policy) };
    const sec1 = { privateKey: ec.sec1 };
    return [
      ['node', node.getSignedCookies(forCookies), node.getSignedUrl(options)],
      ['web', web.getSignedCookies({ ...forCookies, ...sec1 }), web.getSignedUrl({ ...options, ...sec1 })],
      ['sdk', sdk.getSignedCookies(forCookies), sdk.getSignedUrl(options)],
    ];
  }

  for (const [build, m] of BUILDS) {
    test(`${build} build: accepts what both builds and the SDK sign, with the verified policy`, () => {
      const verifier = new m.Verifier({ keys: { [EC_ID]: ec.spki } });
      for (const algorithm of ['SHA1', 'SHA256']) {
        for (const [kind, policy] of POLICIES) {
          const expectedPolicy = kind === 'canned'
            ? { kind, resource: viewerUrl(policy), expiresAtMs: EXPIRES * 1000, notBeforeMs: null, ipAddress: null }
            : { kind, resource: policy.url, expiresAtMs: EXPIRES * 1000, notBeforeMs: 1_800_000_000_000, ipAddress: '198.51.100.0/24' };
          const accepted = (source) => ({ ok: true, keyPairId: EC_ID, expiresAt: EXPIRES * 1000, source, policy: expectedPolicy });
          for (const [signer, cookies, signedUrl] of signedBy(policy, algorithm)) {
            const label = `${signer} ${algorithm} ${kind}`;
            const cookie = cookieHeader(cookies);
            assert.deepStrictEqual(verifier.verify({ url: viewerUrl(policy), cookie, now: NOW, clientIp: CLIENT_IP }), accepted('cookie'), `cookie ${label}`);
            const url = kind === 'canned' ? signedUrl : `${viewerUrl(policy)}&${signedUrl.split('?')[1]}`;
            assert.deepStrictEqual(verifier.verify({ url, now: NOW, clientIp: CLIENT_IP }), accepted('url'), `URL ${label}`);
          }
        }
      }
    });

    test(`${build} build: a tampered ECDSA signature is refused as bad-signature`, () => {
      const verifier = new m.Verifier({ keys: { [EC_ID]: ec.spki } });
      const policy = POLICIES[1][1];
      const cookies = node.getSignedCookies({ keyPairId: EC_ID, privateKey: ec.pkcs8, ...policy });
      const der = decodeCloudFrontBase64(cookies['CloudFront-Signature']);
      const request = (signature) => ({
        url: viewerUrl(policy),
        cookie: cookieHeader({ ...cookies, 'CloudFront-Signature': encodeCloudFrontBase64(signature) }),
        now: NOW,
        clientIp: CLIENT_IP,
      });
      assert.equal(verifier.verify(request(der)).ok, true);
      const { r, s } = derParts(der);
      const flipped = (bytes, i) => Buffer.from(bytes.map((b, j) => (j === i ? b ^ 0x01 : b)));
      const tampers = [
        ['last byte of s', derOf(r, flipped(s, s.length - 1))],
        ['last byte of r', derOf(flipped(r, r.length - 1), s)],
        ['r and s swapped', derOf(s, r)],
        ['s = 1', derOf(r, Buffer.from([1]))],
        ['r = 0', derOf(Buffer.from([0]), s)],
        ['another policy\'s signature', decodeCloudFrontBase64(node.getSignedCookies({ keyPairId: EC_ID, privateKey: ec.pkcs8, ...POLICIES[0][1] })['CloudFront-Signature'])],
        ['an RSA signature', decodeCloudFrontBase64(node.getSignedCookies({ keyPairId: EC_ID, privateKey: rsa.pkcs8, ...policy })['CloudFront-Signature'])],
      ];
      for (const [label, signature] of tampers) {
        const verdict = verifier.verify(request(signature));
        assert.equal(verdict.ok, false, label);
        assert.equal(verdict.reason, 'bad-signature', `${label}: ${verdict.message}`);
      }
      // Bytes that are no DER signature at all get the same opaque refusal (no oracle).
      for (const [label, signature] of [['cut by a byte', der.subarray(0, -1)], ['a byte more', Buffer.concat([der, Buffer.from([0])])], ['64 raw bytes (P1363)', Buffer.alloc(64, 7)]]) {
        const verdict = verifier.verify(request(signature));
        assert.equal(verdict.ok, false, label);
        assert.equal(verdict.reason, 'bad-signature', `${label}: ${verdict.message}`);
      }
    });
  }

  test('both builds give the same verdict for the (r, n - s) twin of a signature', () => {
    // ECDSA itself accepts both; whatever the core decides, its two backends must agree.
    const policy = POLICIES[1][1];
    const cookies = node.getSignedCookies({ keyPairId: EC_ID, privateKey: ec.pkcs8, ...policy });
    const { r, s } = derParts(decodeCloudFrontBase64(cookies['CloudFront-Signature']));
    const twin = derOf(r, derInteger(P256_ORDER - BigInt(`0x${s.toString('hex')}`)));
    const request = {
      url: viewerUrl(policy),
      cookie: cookieHeader({ ...cookies, 'CloudFront-Signature': encodeCloudFrontBase64(twin) }),
      now: NOW,
      clientIp: CLIENT_IP,
    };
    const verdicts = BUILDS.map(([, m]) => new m.Verifier({ keys: { [EC_ID]: ec.spki } }).verify(request));
    assert.deepStrictEqual(verdicts[1], verdicts[0]);
    assert.equal(verify('sha1', policyBytes(unprefixed(cookies)), ec.publicKey, twin), true, 'node:crypto accepts the twin');
  });

  test('a group of an RSA and a P-256 key: each signature only under its own key id', () => {
    for (const [build, m] of BUILDS) {
      const verifier = new m.Verifier({ keys: { [RSA_ID]: rsa.spki, [EC_ID]: ec.spki } });
      const policy = POLICIES[1][1];
      const request = (keyPairId, privateKey) => ({
        url: viewerUrl(policy),
        cookie: cookieHeader(m.getSignedCookies({ keyPairId, privateKey, ...policy })),
        now: NOW,
        clientIp: CLIENT_IP,
      });
      assert.equal(verifier.verify(request(RSA_ID, rsa.pkcs8)).keyPairId, RSA_ID, build);
      assert.equal(verifier.verify(request(EC_ID, ec.sec1)).keyPairId, EC_ID, build);
      assert.equal(verifier.verify(request(RSA_ID, ec.pkcs8)).reason, 'bad-signature', `${build}: ECDSA under the RSA id`);
      assert.equal(verifier.verify(request(EC_ID, rsa.pkcs8)).reason, 'bad-signature', `${build}: RSA under the ECDSA id`);
    }
  });

  test("the emulator's independent check (node:crypto) accepts our ECDSA cookies and URLs", () => {
    const keys = trustedKeys([{ keys: { [EC_ID]: ec.spki } }]);
    for (const [build, m] of BUILDS) {
      for (const algorithm of ['SHA1', 'SHA256']) {
        for (const [kind, policy] of POLICIES) {
          const label = `${build} ${algorithm} ${kind}`;
          const options = { keyPairId: EC_ID, privateKey: ec.sec1, algorithm, ...policy };
          const url = viewerUrl(policy);
          const cookies = m.getSignedCookies({ ...options, url: kind === 'canned' ? url : policy.url });
          const byCookie = checkSignedRequest({ url, cookieHeader: cookieHeader(cookies), clientIp: CLIENT_IP, nowMs: NOW, keys });
          assert.deepStrictEqual(byCookie, { ok: true, keyPairId: EC_ID, source: 'cookie', expiresAt: EXPIRES * 1000 }, `cookie ${label}`);
          const signed = m.getSignedUrl(options);
          const requestUrl = kind === 'canned' ? signed : `${url}&${signed.split('?')[1]}`;
          const byUrl = checkSignedRequest({ url: requestUrl, clientIp: CLIENT_IP, nowMs: NOW, keys });
          assert.deepStrictEqual(byUrl, { ok: true, keyPairId: EC_ID, source: 'url', expiresAt: EXPIRES * 1000 }, `URL ${label}`);
          // And refuses a tampered one, as our verifier does.
          const bad = decodeCloudFrontBase64(cookies['CloudFront-Signature']);
          bad[bad.length - 1] ^= 1;
          const tampered = cookieHeader({ ...cookies, 'CloudFront-Signature': encodeCloudFrontBase64(bad) });
          assert.equal(checkSignedRequest({ url, cookieHeader: tampered, clientIp: CLIENT_IP, nowMs: NOW, keys }).ok, false, label);
        }
      }
    }
  });
});

describe('sizes', () => {
  test('ECDSA P-256 signatures (DER <= 72 bytes) make cookies and URLs ~248 characters shorter than RSA-2048', () => {
    const rows = [];
    for (const [kind, policy] of POLICIES) {
      const lengths = {};
      for (const [name, privateKey] of [['rsa', rsa.pkcs8], ['ecdsa', ec.pkcs8]]) {
        const signer = new node.Signer({ keyPairId: RSA_ID, privateKey });
        // Many signatures: an ECDSA DER is 70 to 72 bytes nearly always (shorter when r or s
        // has leading zero bytes), so the longest of many is what a budget must allow.
        let cookie = 0;
        let url = 0;
        let der = 0;
        for (let i = 0; i < (name === 'ecdsa' ? 200 : 1); i += 1) {
          const cookies = signer.getSignedCookies(policy);
          cookie = Math.max(cookie, cookieHeader(cookies).length);
          url = Math.max(url, signer.getSignedUrl(policy).length);
          der = Math.max(der, decodeCloudFrontBase64(cookies['CloudFront-Signature']).length);
        }
        lengths[name] = { der, cookie, url };
      }
      assert.equal(lengths.rsa.der, 256);
      assert.ok(lengths.ecdsa.der <= 72, JSON.stringify(lengths));
      // 344 base64 characters for RSA-2048, at most 96 for ECDSA.
      assert.ok(lengths.rsa.cookie - lengths.ecdsa.cookie >= 248, JSON.stringify(lengths));
      assert.ok(lengths.rsa.url - lengths.ecdsa.url >= 248, JSON.stringify(lengths));
      rows.push(`${kind}: Cookie header ${lengths.rsa.cookie} (RSA-2048) vs ${lengths.ecdsa.cookie} (ECDSA), ` +
        `signed URL ${lengths.rsa.url} vs ${lengths.ecdsa.url}`);
    }
    for (const row of rows) console.log(`# sizes ${row}`);
  });
});
