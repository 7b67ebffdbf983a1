// A CloudFront distribution, minus the network: one viewer request in, one response out.
// The order of the steps is CloudFront's, as far as AWS documents it:
//   host check -> cache behavior (path pattern, first match) -> allowed methods
//   -> viewer-request function -> trusted key group check -> origin
//   -> custom error response (an error status CloudFront or the origin produced, replaced by
//      a page fetched from the origin of the behavior that the page's path matches).
// There is no cache: every request reaches the function (as viewer-request triggers do) and
// the origin (`X-Cache: Miss from cloudfront`).
//
// Where the key-group check sits relative to the viewer-request function is not written
// down by AWS. The default here, `keyGroupCheck: 'after-viewer-request'`, is the order the
// edge handler's design relies on (a function in front turns refusals into redirects and
// re-mints); `'before-viewer-request'` is the other possibility, so a deployment can be
// tested against both. See ../README.md.

import { compilePathPattern, selectBehavior } from './path-pattern.js';
import { checkSignedRequest, trustedKeys } from './signed-request.js';
import { invokeViewerRequest, viewerRequestEvent, newRequestId } from './lambda-edge.js';
import {
  signedRequestError,
  errorPage,
  lambdaValidationError,
  lambdaExecutionError,
  lambdaLimitExceeded,
  methodNotAllowed,
} from './cloudfront-errors.js';

const DEFAULT_METHODS = Object.freeze(['GET', 'HEAD']);
const KEY_GROUP_CHECKS = ['after-viewer-request', 'before-viewer-request'];
/** The codes CloudFront accepts as a custom error response's ErrorCode (*CustomErrorResponse*, API reference). */
const ERROR_CODES = new Set([400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504]);
/** ... and as its ResponseCode. */
const RESPONSE_CODES = new Set([200, 400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504]);

export class DistributionConfigError extends Error {
  constructor(field, problem) {
    super(`distribution: ${field} ${problem}`);
    this.name = 'DistributionConfigError';
    this.field = field;
  }
}

/**
 * @typedef {object} CacheBehavior
 * @property {string} pathPattern CloudFront path pattern (the default behavior's is `*`)
 * @property {string} targetOriginId a key of `origins`
 * @property {string[]} [allowedMethods] defaults to GET, HEAD
 * @property {string[]} [trustedKeyGroups] keys of `keyGroups`: requests need a signed URL or cookies
 * @property {Function} [viewerRequest] a Lambda@Edge viewer-request handler
 *
 * @typedef {object} CustomErrorResponse
 * @property {number} errorCode the status to replace
 * @property {string} [responsePagePath] the page served instead, fetched through the behavior its path matches
 * @property {number} [responseCode] the status sent with that page (required with `responsePagePath`)
 * @property {number} [errorCachingMinTTL] seconds CloudFront caches the error; noted in the log only (no cache here)
 *
 * @typedef {object} DistributionConfig
 * @property {string} domainName the host viewers use (an alternate domain name), with :port if not 443
 * @property {string} [distributionId]
 * @property {string} [defaultRootObject] served for `/`
 * @property {Record<string, Function>} origins id -> `async (request, {body}) => {status, headers, body}`,
 *   `request` in the CloudFront event shape (after the viewer-request function), `body` the viewer's
 * @property {Record<string, {keys: Record<string, string>}>} [keyGroups] id -> public keys by key pair id
 * @property {CacheBehavior[]} [cacheBehaviors] in CloudFront's order
 * @property {Omit<CacheBehavior, 'pathPattern'>} defaultCacheBehavior
 * @property {CustomErrorResponse[]} [customErrorResponses]
 * @property {'after-viewer-request' | 'before-viewer-request'} [keyGroupCheck]
 * @property {{timeoutMs?: number, maxResponseBytes?: number}} [lambda] Lambda@Edge quotas
 * @property {() => number} [now] the clock of the key-group check, epoch ms
 * @property {(entry: object) => void} [log] one entry per request
 */

/**
 * Validates a distribution config and returns its request handler.
 * @param {DistributionConfig} config
 */
export function createDistribution(config) {
  const {
    domainName,
    distributionId = 'EDFDVBD6EXAMPLE',
    defaultRootObject,
    origins,
    keyGroups = {},
    cacheBehaviors = [],
    defaultCacheBehavior,
    customErrorResponses = [],
    keyGroupCheck = 'after-viewer-request',
    lambda = {},
    now = Date.now,
    log = () => {},
  } = config;
  if (typeof domainName !== 'string' || domainName === '') throw new DistributionConfigError('domainName', 'is required');
  if (!KEY_GROUP_CHECKS.includes(keyGroupCheck)) throw new DistributionConfigError('keyGroupCheck', `must be one of ${KEY_GROUP_CHECKS.join(', ')}`);
  if (!defaultCacheBehavior) throw new DistributionConfigError('defaultCacheBehavior', 'is required');
  const keysByGroup = new Map(Object.entries(keyGroups));
  for (const [id, group] of keysByGroup) {
    const count = Object.keys(group?.keys ?? {}).length;
    // CloudFront quotas: 5 public keys per key group, 4 key groups per distribution.
    if (count === 0 || count > 5) throw new DistributionConfigError(`keyGroups.${id}.keys`, 'must hold 1 to 5 public keys');
  }
  if (keysByGroup.size > 4) throw new DistributionConfigError('keyGroups', 'may hold at most 4 key groups');
  const compile = (behavior, field) => {
    if (typeof origins?.[behavior.targetOriginId] !== 'function') {
      throw new DistributionConfigError(`${field}.targetOriginId`, `names no origin (${Object.keys(origins ?? {}).join(', ')})`);
    }
    const groups = (behavior.trustedKeyGroups ?? []).map((id, i) => {
      if (!keysByGroup.has(id)) throw new DistributionConfigError(`${field}.trustedKeyGroups[${i}]`, 'names no key group');
      return keysByGroup.get(id);
    });
    if (behavior.viewerRequest !== undefined && typeof behavior.viewerRequest !== 'function') {
      throw new DistributionConfigError(`${field}.viewerRequest`, 'must be a function');
    }
    return {
      ...behavior,
      allowedMethods: behavior.allowedMethods ?? DEFAULT_METHODS,
      keys: groups.length > 0 ? trustedKeys(groups) : null,
      origin: origins[behavior.targetOriginId],
    };
  };
  const errorResponses = new Map();
  for (const [i, r] of customErrorResponses.entries()) {
    const field = `customErrorResponses[${i}]`;
    if (!ERROR_CODES.has(r?.errorCode)) throw new DistributionConfigError(`${field}.errorCode`, `must be one of ${[...ERROR_CODES].join(', ')}`);
    if (errorResponses.has(r.errorCode)) throw new DistributionConfigError(`${field}.errorCode`, `repeats ${r.errorCode}`);
    if ((r.responsePagePath === undefined) !== (r.responseCode === undefined)) {
      throw new DistributionConfigError(field, 'needs both responsePagePath and responseCode, or neither');
    }
    if (r.responsePagePath !== undefined && (typeof r.responsePagePath !== 'string' || !r.responsePagePath.startsWith('/'))) {
      throw new DistributionConfigError(`${field}.responsePagePath`, 'must start with /');
    }
    if (r.responseCode !== undefined && !RESPONSE_CODES.has(r.responseCode)) {
      throw new DistributionConfigError(`${field}.responseCode`, `must be one of ${[...RESPONSE_CODES].join(', ')}`);
    }
    errorResponses.set(r.errorCode, r);
  }
  const distribution = {
    behaviors: cacheBehaviors.map((b, i) => ({ ...compile(b, `cacheBehaviors[${i}]`), matches: compilePathPattern(b.pathPattern) })),
    defaultBehavior: { ...compile(defaultCacheBehavior, 'defaultCacheBehavior'), pathPattern: '*' },
  };
  const context = {
    domainName,
    distributionId,
    distributionDomainName: `d${distributionId.toLowerCase().slice(0, 13).padEnd(13, '0')}.cloudfront.net`,
    defaultRootObject,
    errorResponses,
    keyGroupCheck,
    lambda,
    now,
    log,
  };
  return {
    domainName,
    /** @param {ViewerRequest} viewer */
    handle: (viewer) => handle(distribution, context, viewer),
  };
}

/**
 * @typedef {{method: string, scheme: 'https' | 'http', host: string, uri: string, querystring: string,
 *            rawHeaders: string[], clientIp: string, body?: Buffer}} ViewerRequest
 * @typedef {{status: number, statusMessage?: string, headers: [string, string][], body: Buffer}} ViewerResponse
 */

/** @returns {Promise<ViewerResponse>} */
async function handle(distribution, context, viewer) {
  const started = performance.now();
  const requestId = newRequestId();
  const entry = { requestId, method: viewer.method, uri: viewer.uri, querystring: viewer.querystring || undefined };
  const send = (response, source) => {
    const out = finalize(response, context, requestId, source, viewer.method);
    context.log({ ...entry, status: out.status, source, ms: Math.round((performance.now() - started) * 10) / 10 });
    return out;
  };
  // CloudFront's own errors and the origin's go through the custom error responses; a
  // response the function generated is sent as it is (see ../README.md).
  const finish = async (response, source) => {
    if (source === 'function') return send(response, source);
    const replaced = await customErrorResponse(distribution, context, viewer, response, entry);
    return replaced ? send(replaced, 'custom-error') : send(response, source);
  };

  if (viewer.host !== context.domainName) {
    // Not this distribution's request at all: no custom error response applies.
    entry.reason = `host ${viewer.host} is not ${context.domainName}`;
    return send(
      errorPage(403, {
        xCache: 'Error from cloudfront',
        explanation: `Bad request. This distribution answers for ${context.domainName}, not ${viewer.host}.`,
        requestId,
      }),
      'cloudfront',
    );
  }
  const behavior = selectBehavior(distribution, viewer.uri);
  entry.behavior = behavior.pathPattern;
  if (!behavior.allowedMethods.includes(viewer.method)) return finish(methodNotAllowed(requestId), 'cloudfront');

  const event = viewerRequestEvent(viewer, {
    distributionDomainName: context.distributionDomainName,
    distributionId: context.distributionId,
    requestId,
  });
  let request = event.Records[0].cf.request;
  const keyGroupCheck = () => {
    const cookieHeader = (request.headers.cookie ?? []).map((e) => e.value).join('; ');
    const qs = request.querystring ? `?${request.querystring}` : '';
    const verdict = checkSignedRequest({
      url: `${viewer.scheme}://${viewer.host}${request.uri}${qs}`,
      cookieHeader,
      clientIp: request.clientIp,
      nowMs: context.now(),
      keys: behavior.keys,
    });
    entry.keyGroup = verdict.ok ? `ok (${verdict.source}, ${verdict.keyPairId})` : `${verdict.code}: ${verdict.why}`;
    return verdict.ok ? null : signedRequestError(verdict.code, requestId);
  };

  if (behavior.keys && context.keyGroupCheck === 'before-viewer-request') {
    const refused = keyGroupCheck();
    if (refused) return finish(refused, 'cloudfront');
  }
  if (behavior.viewerRequest) {
    const outcome = await invokeViewerRequest(behavior.viewerRequest, event, context.lambda);
    entry.viewerRequest = outcome.kind;
    switch (outcome.kind) {
      case 'response':
        return finish(generatedResponse(outcome.response), 'function');
      case 'timeout':
        return finish(lambdaLimitExceeded(requestId, context.lambda.timeoutMs ?? 5_000), 'cloudfront');
      case 'execution-error':
        entry.error = String(outcome.error?.stack ?? outcome.error);
        return finish(lambdaExecutionError(requestId), 'cloudfront');
      case 'invalid':
        entry.error = outcome.why;
        return finish(lambdaValidationError(requestId, outcome.why), 'cloudfront');
      default:
        request = outcome.request;
    }
  }
  if (behavior.keys && context.keyGroupCheck === 'after-viewer-request') {
    const refused = keyGroupCheck();
    if (refused) return finish(refused, 'cloudfront');
  }

  const uri = request.uri === '/' && context.defaultRootObject ? `/${context.defaultRootObject}` : request.uri;
  try {
    const response = await behavior.origin({ ...request, uri }, { body: viewer.body ?? Buffer.alloc(0) });
    return finish(response, 'origin');
  } catch (error) {
    entry.error = String(error?.message ?? error);
    return finish(
      errorPage(502, { xCache: 'Error from cloudfront', explanation: 'CloudFront wasn\'t able to connect to the origin.', requestId }),
      'cloudfront',
    );
  }
}

/**
 * The custom error response for `response`'s status, if the distribution has one with a page:
 * CloudFront fetches ResponsePagePath as a new request through the behavior that path matches,
 * to that behavior's origin (no viewer-request function runs for it, *CloudFront events that
 * can trigger a Lambda@Edge function*; no trusted key group applies, the viewer never asked
 * for it), and answers with ResponseCode and the page. If the page cannot be had, the viewer
 * gets the status the page's origin answered (*Generate custom error responses*).
 * ErrorCachingMinTTL is logged only: nothing is cached here.
 */
async function customErrorResponse(distribution, context, viewer, response, entry) {
  const rule = context.errorResponses.get(Number(response.status));
  if (rule === undefined) return null;
  entry.customErrorResponse = { errorCode: rule.errorCode, errorCachingMinTTL: rule.errorCachingMinTTL ?? 10 };
  if (rule.responsePagePath === undefined) return null;
  const [path, querystring = ''] = rule.responsePagePath.split(/\?(.*)/s, 2);
  const behavior = selectBehavior(distribution, path);
  entry.customErrorResponse.page = `${rule.responsePagePath} [${behavior.pathPattern}]`;
  let page;
  try {
    page = await behavior.origin(
      { clientIp: viewer.clientIp, headers: { host: [{ key: 'Host', value: viewer.host }] }, method: 'GET', querystring, uri: path },
      { body: Buffer.alloc(0) },
    );
  } catch (error) {
    entry.customErrorResponse.error = String(error?.message ?? error);
    return { ...errorPage(502, { xCache: 'Error from cloudfront', explanation: 'CloudFront wasn\'t able to connect to the origin.', requestId: entry.requestId }) };
  }
  if (page.status < 200 || page.status > 299) {
    entry.customErrorResponse.error = `the page's origin answered ${page.status}`;
    return page;
  }
  return { status: rule.responseCode, headers: page.headers, body: page.body };
}

/** A validated Lambda@Edge response as an HTTP response (keys keep the function's case). */
function generatedResponse({ status, statusDescription, headers, body }) {
  const flat = [];
  for (const entries of Object.values(headers)) for (const { key, value } of entries) flat.push([key, value]);
  return { status, statusMessage: statusDescription || undefined, headers: flat, body };
}

const X_CACHE = { origin: 'Miss from cloudfront', function: 'LambdaGeneratedResponse from cloudfront', 'custom-error': 'Error from cloudfront' };
/** Headers CloudFront owns on every response. */
const CLOUDFRONT_HEADERS = new Set(['x-cache', 'via', 'x-amz-cf-pop', 'x-amz-cf-id', 'content-length', 'transfer-encoding', 'connection']);

/** Adds the headers CloudFront puts on every response; HEAD loses the body but keeps its length. */
function finalize(response, context, requestId, source, method) {
  const headers = Array.isArray(response.headers)
    ? response.headers
    : Object.entries(response.headers ?? {}).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]));
  const body = Buffer.isBuffer(response.body) ? response.body : Buffer.from(response.body ?? '');
  const kept = headers.filter(([k]) => !CLOUDFRONT_HEADERS.has(k.toLowerCase()) || (k.toLowerCase() === 'x-cache' && source === 'cloudfront'));
  if (source !== 'cloudfront') kept.push(['X-Cache', X_CACHE[source]]);
  kept.push(
    ['Content-Length', String(body.length)],
    ['Via', `1.1 ${context.distributionDomainName.slice(0, 32)} (CloudFront)`],
    ['X-Amz-Cf-Pop', 'LOCAL1-E1'],
    ['X-Amz-Cf-Id', requestId],
  );
  if (source !== 'origin' && !kept.some(([k]) => k.toLowerCase() === 'server')) kept.push(['Server', 'CloudFront']);
  return {
    status: response.status,
    statusMessage: response.statusMessage,
    headers: kept,
    body: method === 'HEAD' ? Buffer.alloc(0) : body,
  };
}
