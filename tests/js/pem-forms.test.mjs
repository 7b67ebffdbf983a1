// PEM as OpenSSL reads it, so as @aws-sdk/cloudfront-signer (and node:crypto) takes it: the
// first block of a label the call accepts, wherever it sits; other blocks and text around
// them ignored; a byte order mark; trailing whitespace; base64 at any line width. Each form
// is signed by the SDK in the same test, and the package must sign it the same way (RSA:
// byte for byte; ECDSA, whose signatures are random: verified). Public keys go to the
// Verifier in the same forms, against node:crypto's createPublicKey. What OpenSSL refuses is
// refused; the two differences that remain (README) are asserted last.
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { before, describe, test } from 'node:test';

import * as sdk from '@aws-sdk/cloudfront-signer';

import { BUILDS } from './builds.mjs';
import { makeRsaKey } from './support.mjs';

const KEY_PAIR_ID = 'K2JCJMDEHXQW5F';
const URL = 'https://d.example/a.png';
const SOON = '2031-05-17T08:00:00.000Z';
const NOW = Date.parse('2030-01-01');
const EC_PARAMETERS = '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n';
const CERTIFICATE = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';

let rsa;
let ec;
before(() => {
  rsa = makeRsaKey();
  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  ec = {
    sec1: /** @type {string} */ (pair.privateKey.export({ type: 'sec1', format: 'pem' })),
    pkcs8: /** @type {string} */ (pair.privateKey.export({ type: 'pkcs8', format: 'pem' })),
    spki: /** @type {string} */ (pair.publicKey.export({ type: 'spki', format: 'pem' })),
    privateKey: pair.privateKey,
  };
});

/** `pem` with its base64 body re-wrapped at `width` columns (0: one line). */
function rewrap(pem, width) {
  const lines = pem.trim().split('\n');
  const body = lines.slice(1, -1).join('');
  const wrapped = width ? body.match(new RegExp(`.{1,${width}}`, 'g')) : [body];
  return [lines[0], ...wrapped, lines.at(-1), ''].join('\n');
}

/** The forms OpenSSL reads: [name, edit of a PEM]. */
const FORMS = [
  ['the base64 body on one line', (pem) => rewrap(pem, 0)],
  ['the body wrapped at 76 columns', (pem) => rewrap(pem, 76)],
  ['the body wrapped at 48 columns', (pem) => rewrap(pem, 48)],
  ['a UTF-8 byte order mark before -----BEGIN', (pem) => `\ufeff${pem}`],
  ['text before the block', (pem) => `Bag Attributes\n  friendlyName: signer\n${pem}`],
  ['text after -----END', (pem) => `${pem}trailing\n`],
  ['trailing spaces at every line end', (pem) => pem.replace(/\n/g, '  \n')],
  ['CRLF line ends and a tab', (pem) => pem.replace(/\n/g, '\t\r\n')],
  ['no final line break', (pem) => pem.trimEnd()],
  ['a CERTIFICATE block after the key', (pem) => pem + CERTIFICATE],
  ['a CERTIFICATE block before the key', (pem) => CERTIFICATE + pem],
];

/** The SDK's answer: its URL, or the error it throws. */
function sdkUrl(options) {
  try {
    return sdk.getSignedUrl(options);
  } catch (error) {
    return error;
  }
}

describe('private keys in every form the SDK signs with', () => {
  test('RSA, PKCS#1 and PKCS#8, as text and as bytes: byte for byte the SDK\'s URL and cookies', () => {
    for (const type of ['pkcs1', 'pkcs8']) {
      for (const [name, edit] of FORMS) {
        const pem = edit(rsa[type]);
        for (const privateKey of [pem, Buffer.from(pem)]) {
          const options = { keyPairId: KEY_PAIR_ID, privateKey, url: URL, dateLessThan: SOON };
          const label = `${type}, ${name}, ${typeof privateKey}`;
          const expected = sdk.getSignedUrl(options);
          for (const [build, api] of BUILDS) {
            assert.equal(api.getSignedUrl(options), expected, `${build} ${label}`);
            assert.deepStrictEqual(api.getSignedCookies(options), sdk.getSignedCookies(options), `${build} ${label}`);
            assert.equal(new api.Signer(options).getSignedUrl({ url: URL, dateLessThan: SOON }), expected, `${build} ${label}`);
          }
        }
      }
    }
  });

  test('ECDSA P-256, SEC1 and PKCS#8, and `openssl ecparam -genkey` (EC PARAMETERS first): signed, and verified', () => {
    const forms = [...FORMS, ['an EC PARAMETERS block first (openssl ecparam -genkey)', (pem) => EC_PARAMETERS + pem]];
    for (const type of ['sec1', 'pkcs8']) {
      for (const [name, edit] of forms) {
        const options = { keyPairId: KEY_PAIR_ID, privateKey: edit(ec[type]), url: URL, dateLessThan: SOON };
        assert.equal(typeof sdkUrl(options), 'string', `the premise: the SDK signs ${type}, ${name}`);
        for (const [build, api] of BUILDS) {
          const verifier = new api.Verifier({ keys: { [KEY_PAIR_ID]: ec.spki } });
          const verdict = verifier.verify({ url: api.getSignedUrl(options), now: NOW });
          assert.equal(verdict.ok, true, `${build} ${type}, ${name}: ${verdict.message}`);
        }
      }
    }
  });

  test('what OpenSSL refuses is refused: BEGIN not at a line start, two byte order marks, a mismatched or unfinished END', () => {
    const refused = [
      ['text before -----BEGIN on its line', (pem) => `x${pem}`],
      ['two byte order marks', (pem) => `\ufeff\ufeff${pem}`],
      ['an END of another label', (pem) => pem.replace('END RSA PRIVATE KEY', 'END PRIVATE KEY')],
      ['text after -----END on its line', (pem) => `${pem.trimEnd()}x\n`],
      ['an unfinished block before the key', (pem) => `-----BEGIN FOO-----\nAAAA\n${pem}`],
    ];
    for (const [name, edit] of refused) {
      const options = { keyPairId: KEY_PAIR_ID, privateKey: edit(rsa.pkcs1), url: URL, dateLessThan: SOON };
      assert.ok(sdkUrl(options) instanceof Error, `the premise: the SDK refuses ${name}`);
      for (const [build, api] of BUILDS) {
        assert.throws(() => api.getSignedUrl(options), { code: 'ERR_KEY_FORMAT' }, `${build} ${name}`);
      }
    }
  });

  test('a public key where a private key goes: ERR_KEY_FORMAT naming its label', () => {
    for (const [build, api] of BUILDS) {
      assert.throws(() => new api.Signer({ keyPairId: KEY_PAIR_ID, privateKey: CERTIFICATE + rsa.spki }), {
        code: 'ERR_KEY_FORMAT',
        message: /PEM type "CERTIFICATE" is not accepted here/,
      }, build);
    }
  });
});

describe('public keys in the same forms', () => {
  test('RSA SPKI and PKCS#1, ECDSA SPKI: the Verifier takes every form node:crypto takes', () => {
    const signed = {
      rsa: sdk.getSignedUrl({ keyPairId: KEY_PAIR_ID, privateKey: rsa.pkcs8, url: URL, dateLessThan: SOON }),
      ec: BUILDS[0][1].getSignedUrl({ keyPairId: KEY_PAIR_ID, privateKey: ec.pkcs8, url: URL, dateLessThan: SOON }),
    };
    for (const [kind, pem] of [['rsa', rsa.spki], ['rsa', rsa.pkcs1Public], ['ec', ec.spki]]) {
      for (const [name, edit] of FORMS) {
        const edited = edit(pem);
        createPublicKey(edited); // the premise: node:crypto takes it
        for (const [build, api] of BUILDS) {
          const verdict = new api.Verifier({ keys: { [KEY_PAIR_ID]: edited } }).verify({ url: signed[kind], now: NOW });
          assert.equal(verdict.ok, true, `${build} ${kind}, ${name}: ${verdict.message}`);
        }
      }
    }
  });
});

describe('differences that remain (pkg/README.md)', () => {
  test('PEM text over 16 KiB: the SDK reads any length, both builds refuse it before parsing', () => {
    const options = { keyPairId: KEY_PAIR_ID, privateKey: `${'#'.repeat(16_400)}\n${rsa.pkcs1}`, url: URL, dateLessThan: SOON };
    assert.equal(typeof sdkUrl(options), 'string');
    for (const [build, api] of BUILDS) {
      assert.throws(() => api.getSignedUrl(options), { code: 'ERR_KEY_FORMAT', message: /over the 16384 byte limit/ }, build);
    }
  });

  test('legacy OpenSSL encryption (Proc-Type: 4,ENCRYPTED), RSA and EC: the SDK decrypts it, both builds refuse it alike', () => {
    const legacy = [
      rsa.privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }),
      ec.privateKey.export({ type: 'sec1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }),
    ];
    for (const privateKey of legacy) {
      assert.match(privateKey, /Proc-Type: 4,ENCRYPTED/);
      const options = { keyPairId: KEY_PAIR_ID, privateKey, passphrase: 'pw', url: URL, dateLessThan: SOON };
      assert.equal(typeof sdkUrl(options), 'string', 'the premise: the SDK decrypts it');
      for (const [build, api] of BUILDS) {
        for (const passphrase of ['pw', undefined]) {
          assert.throws(() => api.getSignedUrl({ ...options, passphrase }), {
            code: 'ERR_KEY_PASSPHRASE',
            message: /^legacy OpenSSL-encrypted PEM keys \(Proc-Type: 4,ENCRYPTED\) are not supported; convert with `openssl pkcs8 -topk8/,
          }, build);
        }
      }
    }
  });
});
