// Lambda@Edge, viewer-request trigger: the event CloudFront builds, the invocation with its
// quotas, and CloudFront's validation of what the function hands back.
//
// AWS sources (CloudFront Developer Guide): *Lambda@Edge event structure* (the event),
// *Generate HTTP responses in request triggers* (the response object: `status` required,
// `statusDescription`, `headers`, `body`, `bodyEncoding` text|base64), *Quotas on
// Lambda@Edge* (viewer request: 5 s timeout, 40 KB generated response "including headers and
// body"), *Restrictions on all edge functions* (disallowed and read-only headers: adding one
// fails validation with a 502), *Troubleshooting error responses* (502 validation error,
// 503 execution error, 503 limit exceeded, which includes the function timing out).

import crypto from 'node:crypto';

export const VIEWER_REQUEST_TIMEOUT_MS = 5_000;
export const MAX_GENERATED_RESPONSE_BYTES = 40 * 1024;
const MAX_URI_AND_QUERY = 8_192;

/** Never exposed to, nor accepted from, a function. `*` ends a prefix. */
const DISALLOWED_HEADERS = [
  'connection', 'expect', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection',
  'trailer', 'upgrade', 'x-accel-buffering', 'x-accel-charset', 'x-accel-limit-rate', 'x-accel-redirect',
  'x-amz-cf-*', 'x-amzn-*', 'x-cache', 'x-edge-*', 'x-forwarded-proto', 'x-real-ip',
];
/** A viewer-request function may read these but not change them in the request it returns. */
const READ_ONLY_REQUEST_HEADERS = ['content-length', 'host', 'transfer-encoding', 'via'];

export const isDisallowedHeader = (name) =>
  DISALLOWED_HEADERS.some((d) => (d.endsWith('*') ? name.startsWith(d.slice(0, -1)) : name === d));

/** A CloudFront request id: 56 characters of URL-safe base64, as in `x-amz-cf-id`. */
export const newRequestId = () => crypto.randomBytes(42).toString('base64url');

/**
 * The viewer-request event for one viewer request.
 * @param {{method: string, uri: string, querystring: string, rawHeaders: string[], clientIp: string}} viewer
 *   `rawHeaders` as Node gives them: name, value, name, value... (case and order kept)
 * @param {{distributionDomainName: string, distributionId: string, requestId: string}} config
 */
export function viewerRequestEvent(viewer, config) {
  const headers = {};
  for (let i = 0; i < viewer.rawHeaders.length; i += 2) {
    const key = viewer.rawHeaders[i];
    const name = key.toLowerCase();
    if (isDisallowedHeader(name)) continue;
    (headers[name] ??= []).push({ key, value: viewer.rawHeaders[i + 1] });
  }
  return {
    Records: [
      {
        cf: {
          config: { ...config, eventType: 'viewer-request' },
          request: {
            clientIp: viewer.clientIp,
            headers,
            method: viewer.method,
            querystring: viewer.querystring,
            uri: viewer.uri,
          },
        },
      },
    ],
  };
}

/**
 * Runs a viewer-request handler the way Lambda@Edge does: async or callback style, at most
 * `timeoutMs`, and checks what comes back.
 * @param {Function} handler `async (event, context) => result` or `(event, context, callback) => void`
 * @returns {Promise<{kind: 'request', request: object}
 *                 | {kind: 'response', response: {status: number, statusDescription?: string,
 *                                               headers: Record<string, {key: string, value: string}[]>, body: Buffer}}
 *                 | {kind: 'execution-error', error: unknown}
 *                 | {kind: 'timeout'}
 *                 | {kind: 'invalid', why: string}>}
 */
export async function invokeViewerRequest(handler, event, { timeoutMs = VIEWER_REQUEST_TIMEOUT_MS, maxResponseBytes = MAX_GENERATED_RESPONSE_BYTES } = {}) {
  const original = structuredClone(event.Records[0].cf.request);
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
  });
  const run = new Promise((resolve) => {
    const context = lambdaContext(timeoutMs);
    const callback = (error, result) => resolve(error ? { kind: 'execution-error', error } : { kind: 'result', result });
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof returned.then === 'function') {
        returned.then((result) => resolve({ kind: 'result', result }), (error) => resolve({ kind: 'execution-error', error }));
      }
    } catch (error) {
      resolve({ kind: 'execution-error', error });
    }
  });
  const outcome = await Promise.race([run, timeout]);
  clearTimeout(timer);
  if (outcome.kind !== 'result') return outcome;
  return validateResult(outcome.result, original, maxResponseBytes);
}

function lambdaContext(timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  return {
    functionName: 'us-east-1.edge-auth',
    functionVersion: '1',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:edge-auth:1',
    memoryLimitInMB: '128',
    awsRequestId: crypto.randomUUID(),
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

const invalid = (why) => ({ kind: 'invalid', why });
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A function returns either a request (CloudFront carries on) or a response (sent as is). */
export function validateResult(result, original, maxResponseBytes = MAX_GENERATED_RESPONSE_BYTES) {
  if (!isObject(result)) return invalid('the function returned neither a request nor a response object');
  if ('status' in result) return validateResponse(result, maxResponseBytes);
  return validateRequest(result, original);
}

function validateHeaders(headers, where) {
  if (headers === undefined) return { ok: true, value: {} };
  if (!isObject(headers)) return { ok: false, why: `${where} headers must be an object` };
  const out = {};
  for (const [name, entries] of Object.entries(headers)) {
    if (name !== name.toLowerCase()) return { ok: false, why: `${where} header key ${name} is not lower case` };
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) return { ok: false, why: `${where} header ${name} is not a header name` };
    if (isDisallowedHeader(name)) return { ok: false, why: `${where} header ${name} is not allowed` };
    if (!Array.isArray(entries)) return { ok: false, why: `${where} header ${name} must be an array of {key, value}` };
    out[name] = [];
    for (const entry of entries) {
      if (!isObject(entry) || typeof entry.value !== 'string') return { ok: false, why: `${where} header ${name} has an entry without a string value` };
      if (entry.key !== undefined && (typeof entry.key !== 'string' || entry.key.toLowerCase() !== name)) {
        return { ok: false, why: `${where} header ${name} has an entry whose key ${entry.key} is another header` };
      }
      if (/[\r\n\0]/.test(entry.value)) return { ok: false, why: `${where} header ${name} has a control character in its value` };
      out[name].push({ key: entry.key ?? name, value: entry.value });
    }
  }
  return { ok: true, value: out };
}

function validateResponse(response, maxResponseBytes) {
  const status = typeof response.status === 'string' && /^[0-9]{3}$/.test(response.status) ? Number(response.status) : response.status;
  if (!Number.isInteger(status) || status < 200 || status > 599) return invalid(`status ${JSON.stringify(response.status)} is not an HTTP status code`);
  if (response.statusDescription !== undefined && typeof response.statusDescription !== 'string') return invalid('statusDescription must be a string');
  const headers = validateHeaders(response.headers, 'response');
  if (!headers.ok) return invalid(headers.why);
  const encoding = response.bodyEncoding ?? 'text';
  if (encoding !== 'text' && encoding !== 'base64') return invalid(`bodyEncoding ${JSON.stringify(encoding)} is neither text nor base64`);
  let body = Buffer.alloc(0);
  if (response.body !== undefined) {
    if (typeof response.body !== 'string') return invalid('body must be a string');
    if (encoding === 'base64') {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(response.body) || response.body.length % 4 !== 0) return invalid('body is not valid base64');
      body = Buffer.from(response.body, 'base64');
    } else {
      body = Buffer.from(response.body, 'utf8');
    }
  }
  // "Size of a response that is generated by a Lambda function, including headers and body".
  let size = body.length;
  for (const entries of Object.values(headers.value)) {
    for (const { key, value } of entries) size += Buffer.byteLength(`${key}: ${value}\r\n`);
  }
  if (size > maxResponseBytes) return invalid(`the generated response is ${size} bytes, over the ${maxResponseBytes}-byte quota`);
  return { kind: 'response', response: { status, statusDescription: response.statusDescription, headers: headers.value, body } };
}

function validateRequest(request, original) {
  if (typeof request.uri !== 'string' || !request.uri.startsWith('/')) return invalid('the returned request has no uri starting with /');
  if (typeof request.method !== 'string') return invalid('the returned request has no method');
  const querystring = request.querystring ?? '';
  if (typeof querystring !== 'string' || /[\s#\0-\x1f]/.test(querystring)) {
    return invalid('querystring must be a string without spaces, control characters or #');
  }
  if (request.uri.length + querystring.length >= MAX_URI_AND_QUERY) return invalid('uri and querystring are 8,192 characters or more');
  const headers = validateHeaders(request.headers, 'request');
  if (!headers.ok) return invalid(headers.why);
  for (const name of READ_ONLY_REQUEST_HEADERS) {
    const before = JSON.stringify((original.headers[name] ?? []).map((e) => e.value));
    const after = JSON.stringify((headers.value[name] ?? []).map((e) => e.value));
    if (before !== after) return invalid(`request header ${name} is read-only in a viewer-request trigger`);
  }
  return { kind: 'request', request: { ...request, querystring, headers: request.headers ?? {} } };
}
