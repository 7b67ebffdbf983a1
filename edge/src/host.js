'use strict';
// The host a request is for, from the viewer's `Host` header: CloudFront has matched it to
// this distribution (an alternate domain name or its cloudfront.net name), and it is the host
// CloudFront checks a policy's Resource against, so cookies minted for it are the ones
// CloudFront accepts there. With a configured `domain`, only that domain and its subdomains
// are served.

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const PORT = /^[0-9]{1,5}$/;

/**
 * The lower-cased `Host` of the request, or null when it is absent, not a host name, carries a
 * port outside development, or lies outside `domain`.
 * @param {{headers?: Record<string, {value: string}[]>}} request
 * @param {{domain: string | null, dev: boolean}} rules
 * @returns {string | null}
 */
function viewerHost(request, { domain, dev }) {
  const entries = request.headers?.host;
  if (!Array.isArray(entries) || entries.length !== 1) return null;
  const host = String(entries[0].value).toLowerCase();
  const [name, port, extra] = host.split(':');
  if (!HOST_NAME.test(name) || extra !== undefined) return null;
  if (port !== undefined && !(dev && PORT.test(port))) return null;
  if (domain !== null && name !== domain && !name.endsWith(`.${domain}`)) return null;
  return host;
}

module.exports = { viewerHost };
