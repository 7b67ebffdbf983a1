// The distribution end to end over HTTPS with stub viewer-request functions: behavior
// order, the function/key-group order, CloudFront's 403 XML, custom error responses,
// Lambda@Edge failures as CloudFront reports them, generated responses, and the S3-like origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getSignedCookies, getSignedUrl } from '@aws-sdk/cloudfront-signer';
import { createDistribution, DistributionConfigError } from '../src/distribution.js';
import { s3Origin } from '../src/s3-origin.js';
import { emulator, request } from './helpers.mjs';

const KEY = 'K2JCJMDEHXQW5F';
const pair = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' });
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-emulator-origin-'));
const VIDEO = crypto.randomBytes(1000);
const ERROR_PAGE = '<!doctype html><title>403</title><p>no access</p>';
const PAGE_403 = { errorCode: 403, responseCode: 403, responsePagePath: '/errors/403.html', errorCachingMinTTL: 0 };
let emu;
let base;

before(async () => {
  fs.mkdirSync(path.join(root, 'private'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<h1>home</h1>');
  fs.writeFileSync(path.join(root, 'private', 'a.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  fs.writeFileSync(path.join(root, 'private', 'clip.mp4'), VIDEO);
  fs.writeFileSync(path.join(root, 'data.bin'), 'x');
  fs.mkdirSync(path.join(root, 'errors'));
  fs.writeFileSync(path.join(root, 'errors', '403.html'), ERROR_PAGE);
  fs.writeFileSync(path.join(root, 'private', 'denied.html'), ERROR_PAGE);
  emu = await emulator({ httpPort: 0 });
  base = emu.url;
});
after(async () => {
  await emu.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const passThrough = async (event) => event.Records[0].cf.request;
/** Configures the running emulator; returns the log entries it writes. */
function deploy({ privateFunction = passThrough, defaultFunction, keyGroupCheck, origin = {}, lambda, customErrorResponses } = {}) {
  const log = [];
  emu.setDistribution(
    createDistribution({
      domainName: `localhost:${emu.port}`,
      defaultRootObject: 'index.html',
      origins: { s3: s3Origin({ root, ...origin }) },
      keyGroups: { kg: { keys: { [KEY]: pair.publicKey.export({ type: 'spki', format: 'pem' }) } } },
      cacheBehaviors: [
        { pathPattern: '/auth*', targetOriginId: 's3', allowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'], viewerRequest: privateFunction },
        { pathPattern: '/private/*', targetOriginId: 's3', trustedKeyGroups: ['kg'], viewerRequest: privateFunction },
      ],
      defaultCacheBehavior: { targetOriginId: 's3', viewerRequest: defaultFunction },
      keyGroupCheck,
      customErrorResponses,
      lambda,
      log: (entry) => log.push(entry),
    }),
  );
  return log;
}
const tierCookies = (resource = `https://localhost:${emu.port}/private/*`, expires = Math.floor(Date.now() / 1000) + 600) =>
  Object.entries(
    getSignedCookies({ policy: JSON.stringify({ Statement: [{ Resource: resource, Condition: { DateLessThan: { 'AWS:EpochTime': expires } } }] }), keyPairId: KEY, privateKey: privatePem }),
  )
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');

const MISSING_KEY_XML = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>MissingKey</Code><Message>Missing Key-Pair-Id query parameter or cookie value</Message></Error>';
const ACCESS_DENIED_XML = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access denied</Message></Error>';

test('a private path without credentials gets CloudFront\'s MissingKey 403, byte for byte', async () => {
  deploy();
  const res = await request(`${base}/private/a.svg`);
  assert.equal(res.status, 403);
  assert.equal(res.text, MISSING_KEY_XML);
  assert.equal(res.headers['content-type'], 'text/xml');
  assert.equal(res.headers['content-length'], '146'); // what CloudFront sends for this body
  assert.equal(res.headers['x-cache'], 'Error from cloudfront');
  assert.equal(res.headers['x-amz-cf-id'].length, 56);
});

test('valid signed cookies or a signed URL reach the origin; tampered ones get AccessDenied', async () => {
  const log = deploy();
  const ok = await request(`${base}/private/a.svg`, { headers: { cookie: tierCookies() } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers['content-type'], 'image/svg+xml');
  assert.equal(ok.headers['x-cache'], 'Miss from cloudfront');
  assert.match(log.at(-1).keyGroup, /^ok \(cookie, K2JCJMDEHXQW5F\)$/);

  const url = getSignedUrl({ url: `https://localhost:${emu.port}/private/a.svg`, dateLessThan: new Date(Date.now() + 60e3), keyPairId: KEY, privateKey: privatePem });
  assert.equal((await request(url.replace(`https://localhost:${emu.port}`, base))).status, 200);

  const wider = tierCookies(`https://localhost:${emu.port}/*`);
  const forged = tierCookies().replace(/CloudFront-Policy=[^;]+/, wider.match(/CloudFront-Policy=[^;]+/)[0]);
  const denied = await request(`${base}/private/a.svg`, { headers: { cookie: forged } });
  assert.equal(denied.status, 403);
  assert.equal(denied.text, ACCESS_DENIED_XML);
  const expired = await request(`${base}/private/a.svg`, { headers: { cookie: tierCookies(undefined, Math.floor(Date.now() / 1000) - 1) } });
  assert.equal(expired.text, ACCESS_DENIED_XML);
});

test('the viewer-request function runs before the key-group check by default, and can answer first', async () => {
  let calls = 0;
  const redirectingFunction = async (event) => {
    calls += 1;
    const r = event.Records[0].cf.request;
    if (!r.headers.cookie) return { status: '302', headers: { location: [{ key: 'Location', value: '/signin.html' }] } };
    return r;
  };
  deploy({ privateFunction: redirectingFunction });
  const res = await request(`${base}/private/a.svg`);
  assert.equal(res.status, 302);
  assert.equal(res.headers.location, '/signin.html');
  assert.equal(res.headers['x-cache'], 'LambdaGeneratedResponse from cloudfront');
  assert.equal(calls, 1);
  // The function passing a request on does not bypass CloudFront's own check.
  const forwarded = await request(`${base}/private/a.svg`, { headers: { cookie: 'CloudFront-Key-Pair-Id=K2JCJMDEHXQW5F' } });
  assert.equal(forwarded.status, 403);

  // The other possible order: CloudFront refuses before the function ever runs.
  calls = 0;
  deploy({ privateFunction: redirectingFunction, keyGroupCheck: 'before-viewer-request' });
  const refused = await request(`${base}/private/a.svg`);
  assert.equal(refused.status, 403);
  assert.equal(refused.text, MISSING_KEY_XML);
  assert.equal(calls, 0);
});

test('a generated response keeps each Set-Cookie line and the function\'s status', async () => {
  deploy({
    privateFunction: async () => ({
      status: '302',
      statusDescription: 'Found',
      headers: {
        location: [{ key: 'Location', value: 'https://example.test/' }],
        'set-cookie': [
          { key: 'Set-Cookie', value: 'CloudFront-Policy=p; Path=/private/; Secure; HttpOnly' },
          { key: 'Set-Cookie', value: 'CloudFront-Signature=s; Path=/private/; Secure; HttpOnly' },
          { key: 'Set-Cookie', value: 'CloudFront-Key-Pair-Id=K; Path=/private/; Secure; HttpOnly' },
        ],
      },
    }),
  });
  const res = await request(`${base}/auth`, { method: 'POST' });
  assert.equal(res.status, 302);
  assert.equal(res.statusMessage, 'Found');
  assert.equal(res.headers['set-cookie'].length, 3);
  assert.match(res.headers['set-cookie'][1], /^CloudFront-Signature=s;/);
});

test('Lambda@Edge failures come back as CloudFront reports them', async () => {
  const big = 'x'.repeat(41 * 1024);
  deploy({ privateFunction: async () => ({ status: '200', body: big }) });
  const tooBig = await request(`${base}/auth`);
  assert.equal(tooBig.status, 502);
  assert.equal(tooBig.headers['x-cache'], 'LambdaValidationError from cloudfront');
  assert.match(tooBig.text, /over the 40960-byte quota/);

  deploy({ privateFunction: async () => ({ status: '200', headers: { 'X-Bad': [{ value: 'v' }] } }) });
  assert.equal((await request(`${base}/auth`)).status, 502);

  deploy({ privateFunction: () => new Promise(() => {}), lambda: { timeoutMs: 50 } });
  const slow = await request(`${base}/auth`);
  assert.equal(slow.status, 503);
  assert.equal(slow.headers['x-cache'], 'LambdaLimitExceeded from cloudfront');

  const log = deploy({
    privateFunction: async () => {
      throw new Error('kaput');
    },
  });
  const thrown = await request(`${base}/auth`);
  assert.equal(thrown.status, 503);
  assert.equal(thrown.headers['x-cache'], 'LambdaExecutionError from cloudfront');
  assert.match(log.at(-1).error, /kaput/);
});

test('base64 generated bodies are decoded for the viewer', async () => {
  const bytes = crypto.randomBytes(64);
  deploy({ privateFunction: async () => ({ status: '200', headers: { 'content-type': [{ key: 'Content-Type', value: 'application/octet-stream' }] }, body: bytes.toString('base64'), bodyEncoding: 'base64' }) });
  const res = await request(`${base}/auth`);
  assert.deepEqual(res.body, bytes);
});

test('the origin serves like S3 behind OAC: default root object, HEAD, ranges, 403 for a missing key', async () => {
  deploy();
  const home = await request(`${base}/`);
  assert.equal(home.text, '<h1>home</h1>');
  assert.equal(home.headers['content-type'], 'text/html');
  assert.match(home.headers.etag, /^"[0-9a-f]{32}"$/);

  const head = await request(`${base}/index.html`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], String('<h1>home</h1>'.length));
  assert.equal(head.body.length, 0);

  assert.equal((await request(`${base}/data.bin`)).headers['content-type'], 'binary/octet-stream');

  const cookie = tierCookies();
  const range = await request(`${base}/private/clip.mp4`, { headers: { cookie, range: 'bytes=10-19' } });
  assert.equal(range.status, 206);
  assert.equal(range.headers['content-range'], `bytes 10-19/${VIDEO.length}`);
  assert.deepEqual(range.body, VIDEO.subarray(10, 20));
  assert.equal(range.headers['content-type'], 'video/mp4');

  const missing = await request(`${base}/nope.html`);
  assert.equal(missing.status, 403);
  assert.match(missing.text, /<Code>AccessDenied<\/Code><Message>Access Denied<\/Message><RequestId>/);
  assert.equal(missing.headers['content-type'], 'application/xml');
  assert.equal((await request(`${base}/private/`, { headers: { cookie } })).status, 403); // no index documents
  // Keys never resolve outside the folder (called directly: URL clients normalise `..` away).
  const origin = s3Origin({ root: path.join(root, 'private') });
  for (const uri of ['/../index.html', '/%2e%2e/index.html', '/..%2Findex.html', '/a.svg/']) {
    assert.equal((await origin({ method: 'GET', uri, headers: {} })).status, 403, uri);
  }
  assert.equal((await origin({ method: 'GET', uri: '/a.svg', headers: {} })).status, 200);

  deploy({ origin: { listBucket: true } });
  const noSuchKey = await request(`${base}/nope.html`);
  assert.equal(noSuchKey.status, 404);
  assert.match(noSuchKey.text, /<Code>NoSuchKey<\/Code><Message>The specified key does not exist.<\/Message><Key>nope.html<\/Key>/);
});

test('a 403 custom error response puts the page on CloudFront\'s refusal and the origin\'s 403, at the refused URL', async () => {
  let calls = 0;
  const counted = async (event) => {
    calls += 1;
    return event.Records[0].cf.request;
  };
  const log = deploy({ privateFunction: counted, keyGroupCheck: 'before-viewer-request', customErrorResponses: [PAGE_403] });
  const refused = await request(`${base}/private/a.svg?x=1`);
  assert.equal(refused.status, 403);
  assert.equal(refused.text, ERROR_PAGE);
  assert.equal(refused.headers['content-type'], 'text/html');
  assert.equal(refused.headers['x-cache'], 'Error from cloudfront');
  assert.equal(calls, 0, 'neither the refused request nor the page fetch ran the function');
  assert.match(log.at(-1).keyGroup, /^MissingKey/);
  assert.deepEqual(log.at(-1).customErrorResponse, { errorCode: 403, errorCachingMinTTL: 0, page: '/errors/403.html [*]' });

  // The function first: its request passed on, then refused by CloudFront's check.
  deploy({ privateFunction: counted, customErrorResponses: [PAGE_403] });
  assert.equal((await request(`${base}/private/a.svg`)).text, ERROR_PAGE);
  assert.equal(calls, 1);
  // The origin's 403 (a missing key without s3:ListBucket) gets the page too; HEAD, no body.
  assert.equal((await request(`${base}/nope.html`)).text, ERROR_PAGE);
  const head = await request(`${base}/nope.html`, { method: 'HEAD' });
  assert.equal(head.status, 403);
  assert.equal(head.body.length, 0);
  // A 404 has no custom error response here: S3's own.
  deploy({ customErrorResponses: [PAGE_403], origin: { listBucket: true } });
  assert.match((await request(`${base}/nope.html`)).text, /<Code>NoSuchKey<\/Code>/);
});

test('a custom error page is fetched through the behavior its path matches, without that behavior\'s key group', async () => {
  const log = deploy({ customErrorResponses: [{ errorCode: 403, responseCode: 200, responsePagePath: '/private/denied.html' }] });
  const res = await request(`${base}/private/a.svg`);
  assert.equal(res.status, 200);
  assert.equal(res.text, ERROR_PAGE);
  assert.deepEqual(log.at(-1).customErrorResponse, { errorCode: 403, errorCachingMinTTL: 10, page: '/private/denied.html [/private/*]' });
});

test('a response the function generated is never replaced by a custom error page', async () => {
  deploy({
    privateFunction: async () => ({ status: '403', headers: { 'content-type': [{ key: 'Content-Type', value: 'application/json' }] }, body: '{"error":"forbidden"}' }),
    customErrorResponses: [PAGE_403],
  });
  const res = await request(`${base}/private/a.svg`);
  assert.equal(res.status, 403);
  assert.equal(res.text, '{"error":"forbidden"}');
  assert.equal(res.headers['x-cache'], 'LambdaGeneratedResponse from cloudfront');
});

test('a custom error page that cannot be had leaves the viewer the status its origin answered', async () => {
  const log = deploy({ customErrorResponses: [{ ...PAGE_403, responsePagePath: '/errors/gone.html' }], origin: { listBucket: true } });
  const res = await request(`${base}/private/a.svg`);
  assert.equal(res.status, 404);
  assert.match(res.text, /<Code>NoSuchKey<\/Code>/);
  assert.match(log.at(-1).customErrorResponse.error, /answered 404/);
});

test('the S3 stand-in looks a key up in each of its folders in turn, and refuses every key without s3:GetObject', async () => {
  const over = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-emulator-overlay-'));
  try {
    fs.writeFileSync(path.join(over, 'index.html'), '<h1>over</h1>');
    const origin = s3Origin({ root: [over, root] });
    const get = async (uri) => origin({ method: 'GET', uri, headers: {} });
    assert.equal((await get('/index.html')).body.toString(), '<h1>over</h1>');
    assert.equal((await get('/data.bin')).body.toString(), 'x');
    assert.equal((await get('/nope')).status, 403);
    assert.equal((await s3Origin({ root: [over, root], listBucket: true })({ method: 'GET', uri: '/nope', headers: {} })).status, 404);
    const locked = await s3Origin({ root, getObject: false, listBucket: true })({ method: 'GET', uri: '/index.html', headers: {} });
    assert.equal(locked.status, 403);
  } finally {
    fs.rmSync(over, { recursive: true, force: true });
  }
});

test('methods a behavior does not allow, and unknown hosts, are refused by CloudFront', async () => {
  deploy();
  const post = await request(`${base}/private/a.svg`, { method: 'POST' });
  assert.equal(post.status, 403);
  assert.match(post.text, /not configured to allow the HTTP request method/);
  const otherHost = await request(`${base}/`, { headers: { host: '127.0.0.1' } });
  assert.equal(otherHost.status, 403);
  assert.match(otherHost.text, /answers for localhost:/);
});

test('plain HTTP is redirected to HTTPS, as with ViewerProtocolPolicy redirect-to-https', async () => {
  const res = await request(`${emu.httpUrl}/private/a.svg?x=1`);
  assert.equal(res.status, 301);
  assert.equal(res.headers.location, `https://localhost:${emu.port}/private/a.svg?x=1`);
});

test('rejects a distribution config that names what does not exist', () => {
  const origins = { s3: s3Origin({ root }) };
  assert.throws(() => createDistribution({ origins, defaultCacheBehavior: { targetOriginId: 's3' } }), DistributionConfigError);
  assert.throws(() => createDistribution({ domainName: 'd', origins, defaultCacheBehavior: { targetOriginId: 'nope' } }), /targetOriginId/);
  assert.throws(
    () => createDistribution({ domainName: 'd', origins, cacheBehaviors: [{ pathPattern: '/p/*', targetOriginId: 's3', trustedKeyGroups: ['kg'] }], defaultCacheBehavior: { targetOriginId: 's3' } }),
    /trustedKeyGroups\[0\] names no key group/,
  );
  assert.throws(() => createDistribution({ domainName: 'd', origins, defaultCacheBehavior: { targetOriginId: 's3' }, keyGroupCheck: 'never' }), /keyGroupCheck/);
  const withErrors = (customErrorResponses) => () => createDistribution({ domainName: 'd', origins, defaultCacheBehavior: { targetOriginId: 's3' }, customErrorResponses });
  assert.throws(withErrors([{ errorCode: 418, responseCode: 200, responsePagePath: '/e.html' }]), /errorCode must be one of/);
  assert.throws(withErrors([{ errorCode: 403, responsePagePath: '/e.html' }]), /both responsePagePath and responseCode/);
  assert.throws(withErrors([{ errorCode: 403, responseCode: 200, responsePagePath: 'e.html' }]), /must start with \//);
  assert.throws(withErrors([{ errorCode: 403 }, { errorCode: 403 }]), /repeats 403/);
  const sixKeys = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`K${i}`, pair.publicKey]));
  assert.throws(() => createDistribution({ domainName: 'd', origins, keyGroups: { kg: { keys: sixKeys } }, defaultCacheBehavior: { targetOriginId: 's3' } }), /1 to 5 public keys/);
});
