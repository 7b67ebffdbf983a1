'use strict';
// CloudFront generated responses (Lambda@Edge viewer-request): lower-case header names, each
// an array of {key, value}; Set-Cookie as one entry per cookie. None may be cached.
// AWS: *Lambda@Edge event structure* and *Generate HTTP responses in request triggers*.

const STATUS_TEXT = {
  200: 'OK',
  302: 'Found',
  307: 'Temporary Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  503: 'Service Unavailable',
};

/**
 * @param {number} status
 * @param {{body?: unknown, html?: string, location?: string, setCookies?: string[], headers?: Record<string,string>}} parts
 *   `body` is serialised as JSON; `html` is sent as a page instead.
 */
function respond(status, { body, html, location, setCookies = [], headers = {} } = {}) {
  const out = {
    'cache-control': [{ key: 'Cache-Control', value: 'no-store' }],
  };
  if (location !== undefined) out.location = [{ key: 'Location', value: location }];
  if (setCookies.length > 0) out['set-cookie'] = setCookies.map((value) => ({ key: 'Set-Cookie', value }));
  for (const [key, value] of Object.entries(headers)) out[key.toLowerCase()] = [{ key, value }];
  const response = { status: String(status), statusDescription: STATUS_TEXT[status] ?? '', headers: out };
  if (html !== undefined) {
    out['content-type'] = [{ key: 'Content-Type', value: 'text/html; charset=utf-8' }];
    response.body = html;
  } else if (body !== undefined) {
    out['content-type'] = [{ key: 'Content-Type', value: 'application/json; charset=utf-8' }];
    response.body = JSON.stringify(body);
  }
  return response;
}

/** The first value of a request header, or undefined. */
function header(request, name) {
  const entries = request.headers?.[name];
  return Array.isArray(entries) && entries.length > 0 ? String(entries[0].value) : undefined;
}

/** Browsers (navigation requests) accept HTML; API clients get JSON. */
function wantsHtml(request) {
  const entries = request.headers?.accept;
  return Array.isArray(entries) && entries.some((e) => /text\/html/i.test(String(e.value)));
}

module.exports = { respond, header, wantsHtml };
