'use strict';
// Which tier a request path belongs to, when the path is not written the canonical way.
//
// CloudFront matches path patterns after normalising the URI (RFC 3986: percent-decoded
// unreserved characters, dot segments removed) but hands the handler, and the origin, the raw
// URI. Origins add their own readings: S3 decodes `%2F`, nginx merges `//`, IIS reads `\` as
// `/`. So `/public/..%2Fpremium/a.mp4` can look public here and still be served from a tier. A
// path whose every plausible reading is itself is handled as usual; any other path that some
// reading puts under a tier is refused, since no policy check on the raw URL would mean what
// it seems to. Case is left alone: CloudFront path patterns, and S3 keys, are case-sensitive.

/** `%XX` that some reader decodes before routing: unreserved characters, `/` and `\`. */
const ROUTING_ESCAPE = /%(?:[46][1-9A-F]|[57][0-9A]|3[0-9]|2[DEF]|5[CF]|7E)/gi;

/** RFC 3986 §5.2.4, for an absolute path. */
function removeDotSegments(path) {
  const segments = path.split('/').slice(1);
  const out = [];
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    if (segment === '..') {
      out.pop();
      if (last) out.push('');
    } else if (segment === '.') {
      if (last) out.push('');
    } else {
      out.push(segment);
    }
  }
  return `/${out.join('/')}`;
}

/**
 * The path as the most lenient reader on the way to the origin would see it: routing escapes
 * decoded, `\` read as `/`, repeated slashes merged, dot segments removed.
 * @param {string} uri the raw request URI (no query string)
 */
function lenientPath(uri) {
  const decoded = uri.replace(ROUTING_ESCAPE, (escape) => String.fromCharCode(parseInt(escape.slice(1), 16)));
  return removeDotSegments(decoded.replace(/\\/g, '/').replace(/\/{2,}/g, '/'));
}

/**
 * Whether `uri` is not canonical and it, or a lenient reading of it, falls under a prefix.
 * @param {string} uri the raw request URI (no query string)
 * @param {readonly string[]} prefixes the tiers' path prefixes
 */
function ambiguousPath(uri, prefixes) {
  const under = (/** @type {string} */ path) => prefixes.some((p) => path.startsWith(p));
  if (!uri.startsWith('/')) return under(uri);
  const lenient = lenientPath(uri);
  return lenient !== uri && (under(uri) || under(lenient));
}

module.exports = { ambiguousPath, lenientPath, removeDotSegments };
