// Lambda@Edge as the emulator runs it: the viewer-request event shape, and CloudFront's
// quotas and validation of what a function returns (40 KB generated response, 5 s timeout,
// errors, malformed responses, disallowed and read-only headers).
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import {
  viewerRequestEvent, invokeViewerRequest, validateResult, newRequestId,
  VIEWER_REQUEST_TIMEOUT_MS, MAX_GENERATED_RESPONSE_BYTES,
} from '../src/lambda-edge.js';

const viewer = {
  method: 'GET',
  uri: '/private/a%20b.png',
  querystring: 'x=1&y=2',
  clientIp: '203.0.113.9',
  rawHeaders: ['Host', 'media.example.com', 'Cookie', 'a=1', 'cookie', 'b=2', 'Connection', 'keep-alive', 'X-Amz-Cf-Id', 'spoof', 'Accept', 'text/html'],
};
const cfConfig = { distributionDomainName: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE', requestId: newRequestId() };
const event = () => viewerRequestEvent(viewer, cfConfig);
const response = (extra = {}) => ({ status: '200', statusDescription: 'OK', headers: {}, ...extra });

test('builds the viewer-request event CloudFront sends', () => {
  const e = event();
  assert.equal(e.Records.length, 1);
  const { config, request } = e.Records[0].cf;
  assert.deepEqual(config, { ...cfConfig, eventType: 'viewer-request' });
  assert.equal(cfConfig.requestId.length, 56);
  assert.deepEqual(Object.keys(request).sort(), ['clientIp', 'headers', 'method', 'querystring', 'uri']);
  assert.equal(request.uri, '/private/a%20b.png'); // as sent, percent-encoding kept
  assert.equal(request.querystring, 'x=1&y=2'); // without the `?`
  assert.deepEqual(request.headers.cookie, [{ key: 'Cookie', value: 'a=1' }, { key: 'cookie', value: 'b=2' }]);
  assert.deepEqual(request.headers.host, [{ key: 'Host', value: 'media.example.com' }]);
  // Disallowed headers are never exposed to the function.
  assert.equal(request.headers.connection, undefined);
  assert.equal(request.headers['x-amz-cf-id'], undefined);
});

test('a returned request carries on, with the function\'s changes', async () => {
  const outcome = await invokeViewerRequest(async (e) => {
    const r = e.Records[0].cf.request;
    r.headers['x-tier'] = [{ key: 'X-Tier', value: 'gold' }];
    r.uri = '/private/b.png';
    return r;
  }, event());
  assert.equal(outcome.kind, 'request');
  assert.equal(outcome.request.uri, '/private/b.png');
  assert.deepEqual(outcome.request.headers['x-tier'], [{ key: 'X-Tier', value: 'gold' }]);
});

test('callback-style handlers work too', async () => {
  const outcome = await invokeViewerRequest((e, context, callback) => {
    assert.equal(typeof context.getRemainingTimeInMillis(), 'number');
    setImmediate(() => callback(null, response({ body: 'hi' })));
  }, event());
  assert.equal(outcome.kind, 'response');
  assert.equal(outcome.response.body.toString(), 'hi');
});

test('a generated response keeps every set-cookie entry and decodes base64 bodies', () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
  const outcome = validateResult(
    response({
      status: '302',
      headers: {
        location: [{ key: 'Location', value: 'https://media.example.com/private/' }],
        'set-cookie': [{ key: 'Set-Cookie', value: 'a=1; Path=/private/' }, { key: 'Set-Cookie', value: 'b=2; Path=/private/' }, { value: 'c=3' }],
      },
      body: png.toString('base64'),
      bodyEncoding: 'base64',
    }),
    event().Records[0].cf.request,
  );
  assert.equal(outcome.kind, 'response');
  assert.equal(outcome.response.status, 302);
  assert.deepEqual(outcome.response.headers['set-cookie'].map((e) => e.value), ['a=1; Path=/private/', 'b=2; Path=/private/', 'c=3']);
  assert.equal(outcome.response.headers['set-cookie'][2].key, 'set-cookie'); // a missing key takes the name
  assert.deepEqual(outcome.response.body, png);
});

test('the default quotas are Lambda@Edge\'s viewer-request ones', () => {
  assert.equal(VIEWER_REQUEST_TIMEOUT_MS, 5_000);
  assert.equal(MAX_GENERATED_RESPONSE_BYTES, 40 * 1024);
});

test('a generated response over 40 KB, headers included, is a validation error', () => {
  const original = event().Records[0].cf.request;
  const header = { 'content-type': [{ key: 'Content-Type', value: 'text/plain' }] };
  const headerBytes = Buffer.byteLength('Content-Type: text/plain\r\n');
  const fits = validateResult(response({ headers: header, body: 'x'.repeat(40 * 1024 - headerBytes) }), original);
  assert.equal(fits.kind, 'response');
  const over = validateResult(response({ headers: header, body: 'x'.repeat(40 * 1024 - headerBytes + 1) }), original);
  assert.equal(over.kind, 'invalid');
  assert.match(over.why, /over the 40960-byte quota/);
  // The quota is on the response, not on its base64 transport: 40 KB decoded fits.
  const b64 = validateResult(response({ body: Buffer.alloc(40 * 1024).toString('base64'), bodyEncoding: 'base64' }), original);
  assert.equal(b64.kind, 'response');
});

test('a handler running past 5 s is cut off (LambdaLimitExceeded)', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    let settled = false;
    const pending = invokeViewerRequest(() => new Promise(() => {}), event()).then((o) => {
      settled = true;
      return o;
    });
    mock.timers.tick(4_999);
    await Promise.resolve();
    assert.equal(settled, false);
    mock.timers.tick(1);
    assert.deepEqual(await pending, { kind: 'timeout' });
  } finally {
    mock.timers.reset();
  }
});

test('a handler that throws, rejects or calls back with an error is an execution error', async () => {
  const boom = new Error('boom');
  for (const handler of [
    () => {
      throw boom;
    },
    async () => {
      throw boom;
    },
    (e, c, callback) => callback(boom),
  ]) {
    const outcome = await invokeViewerRequest(handler, event());
    assert.equal(outcome.kind, 'execution-error');
    assert.equal(outcome.error, boom);
  }
});

test('responses CloudFront would refuse are validation errors', () => {
  const original = event().Records[0].cf.request;
  const refused = {
    'no object': undefined,
    'a string': 'OK',
    'status not a code': response({ status: 'OK' }),
    'status out of range': response({ status: '99' }),
    'headers not an object': response({ headers: [] }),
    'header key not lower case': response({ headers: { Location: [{ key: 'Location', value: '/' }] } }),
    'header value not an array': response({ headers: { location: { key: 'Location', value: '/' } } }),
    'entry key naming another header': response({ headers: { location: [{ key: 'Refresh', value: '/' }] } }),
    'entry without a value': response({ headers: { location: [{ key: 'Location' }] } }),
    'CRLF in a value': response({ headers: { location: [{ key: 'Location', value: '/\r\nSet-Cookie: x=1' }] } }),
    'disallowed header': response({ headers: { connection: [{ key: 'Connection', value: 'close' }] } }),
    'disallowed header prefix': response({ headers: { 'x-amz-cf-pop': [{ key: 'X-Amz-Cf-Pop', value: 'x' }] } }),
    'body not a string': response({ body: { a: 1 } }),
    'unknown bodyEncoding': response({ body: 'x', bodyEncoding: 'gzip' }),
    'invalid base64': response({ body: 'not base64!', bodyEncoding: 'base64' }),
  };
  for (const [name, result] of Object.entries(refused)) {
    assert.equal(validateResult(result, original).kind, 'invalid', name);
  }
});

test('returned requests may not touch read-only headers nor add disallowed ones', () => {
  const original = event().Records[0].cf.request;
  const changed = (patch) => ({ ...structuredClone(original), ...patch });
  assert.equal(validateResult(changed({}), original).kind, 'request');
  assert.equal(validateResult(changed({ headers: { ...original.headers, host: [{ key: 'Host', value: 'evil.example' }] } }), original).kind, 'invalid');
  assert.equal(validateResult(changed({ headers: { ...original.headers, via: [{ key: 'Via', value: '1.1 me' }] } }), original).kind, 'invalid');
  assert.equal(validateResult(changed({ headers: { ...original.headers, 'x-real-ip': [{ key: 'X-Real-IP', value: '1.2.3.4' }] } }), original).kind, 'invalid');
  assert.equal(validateResult(changed({ uri: 'private/a' }), original).kind, 'invalid');
  assert.equal(validateResult(changed({ querystring: 'a=1#frag' }), original).kind, 'invalid');
  assert.equal(validateResult(changed({ uri: `/${'a'.repeat(8192)}` }), original).kind, 'invalid');
});
