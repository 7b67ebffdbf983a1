// "Does this query string carry signed-URL parameters?" has one answer in the project, the
// core's `hasSignedUrlParameters` (pkg/node); the emulator, written apart from the core on
// purpose, must read every query string the same way, since the answer decides whether
// CloudFront looks at the URL or at the cookies. CloudFront's rule: any of Expires, Policy,
// Signature, Key-Pair-Id, Hash-Algorithm as a parameter name, with or without a value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { getSignedCookies } from '@aws-sdk/cloudfront-signer';
import { hasSignedUrlParameters, checkSignedRequest, trustedKeys } from '../src/signed-request.js';

const require = createRequire(import.meta.url);
const core = require('../../../pkg/node/cloudfront_edge_auth.js');

/** [query string, carries signed-URL parameters] */
const TABLE = [
  ['', false],
  ['x=1', false],
  ['Expires=1', true],
  ['Policy=abc', true],
  ['Signature=', true],
  ['Key-Pair-Id=K2JCJMDEHXQW5F', true],
  ['Hash-Algorithm=SHA256', true],
  ['x=1&Hash-Algorithm=SHA256', true],
  ['Key-Pair-Id', true],
  ['Hash-Algorithm', true],
  ['x=1&Signature=a=b', true],
  ['&Expires=1', true],
  ['Expires=1&', true],
  ['a=1&&Policy=2', true],
  ['Expires=1&Signature=s&Key-Pair-Id=K', true],
  ['expires=1', false],
  ['EXPIRES=1', false],
  ['Key-Pair-ID=K', false],
  ['key-pair-id=K', false],
  ['Key_Pair_Id=K', false],
  ['Expiresx=2', false],
  ['xExpires=2', false],
  ['policy=1&Expiresx=2', false],
  ['a=Expires', false],
  ['a=Expires=1', false],
  ['=Expires', false],
  ['%45xpires=1', false],
  ['Expires%3D1', false],
  ['Expires;x=1', false],
  [' Expires=1', false],
  ['Expires =1', false],
  ['Policy[]=1', false],
  ['redirect=%2Fprivate%2F%3FExpires%3D1', false],
  ['x=1;Expires=1', false],
];

test('the emulator and the core agree on which query strings carry signed-URL parameters', () => {
  assert.equal(typeof core.hasSignedUrlParameters, 'function', 'pkg/node exports hasSignedUrlParameters (make pkg)');
  for (const [querystring, expected] of TABLE) {
    assert.equal(core.hasSignedUrlParameters(querystring), expected, `core: ${JSON.stringify(querystring)}`);
    assert.equal(hasSignedUrlParameters(querystring), expected, `emulator: ${JSON.stringify(querystring)}`);
  }
});

test('with valid tier cookies, the emulator\'s check and the core\'s verifier pass or refuse each query string alike', () => {
  const KEY = 'K2JCJMDEHXQW5F';
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' });
  const nowMs = Date.now();
  const policy = JSON.stringify({ Statement: [{ Resource: 'https://d.example/private/*', Condition: { DateLessThan: { 'AWS:EpochTime': Math.floor(nowMs / 1000) + 600 } } }] });
  const cookie = Object.entries(getSignedCookies({ policy, keyPairId: KEY, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) }))
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
  const keys = trustedKeys([{ keys: { [KEY]: publicPem } }]);
  const verifier = new core.Verifier({ keys: { [KEY]: publicPem } });
  for (const [querystring, signedUrl] of TABLE) {
    const url = `https://d.example/private/a.svg${querystring ? `?${querystring}` : ''}`;
    const emulator = checkSignedRequest({ url, cookieHeader: cookie, nowMs, keys });
    const verdict = verifier.verify({ url, cookie, now: nowMs });
    // Signed-URL parameters (none of them valid here) win over the valid cookies.
    assert.equal(emulator.ok, !signedUrl, `emulator: ${JSON.stringify(querystring)} ${emulator.why ?? ''}`);
    assert.equal(verdict.ok, !signedUrl, `core: ${JSON.stringify(querystring)} ${verdict.reason ?? ''}`);
  }
});
