// CloudFront cache-behavior path patterns. AWS: *Values that you specify when you create or
// update a distribution*, "Path pattern": `*` matches 0 or more characters, `?` exactly one,
// matching is case-sensitive, a leading `/` is optional, query strings and cookies are not
// considered, and the first behavior (in the distribution's order) whose pattern matches
// wins; the default behavior (`*`) is always last.

const MAX_PATTERN_LENGTH = 255;
/** The characters AWS lists as allowed in a path pattern (plus the two wildcards). */
const ALLOWED = /^[A-Za-z0-9_\-.*$/~"'@:+&?]+$/;

export class PathPatternError extends Error {
  constructor(pattern, problem) {
    super(`path pattern ${JSON.stringify(pattern)} ${problem}`);
    this.name = 'PathPatternError';
  }
}

/**
 * Compiles a path pattern into a predicate over request paths (the URI, without query).
 * @param {string} pattern e.g. `/private/*`, `images/*.jpg`, `a??.png`, `*`
 * @returns {(path: string) => boolean}
 */
export function compilePathPattern(pattern) {
  if (typeof pattern !== 'string' || pattern.length === 0) throw new PathPatternError(pattern, 'is empty');
  if (pattern.length > MAX_PATTERN_LENGTH) throw new PathPatternError(pattern, `is over ${MAX_PATTERN_LENGTH} characters`);
  if (!ALLOWED.test(pattern)) throw new PathPatternError(pattern, 'has a character CloudFront does not allow');
  // "CloudFront behavior is the same with or without the leading /".
  const body = pattern === '*' || pattern.startsWith('/') || pattern.startsWith('*') ? pattern : `/${pattern}`;
  const source = [...body]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  // `s`: `*` and `?` match any character, newlines included; no `i`: case-sensitive.
  const regex = new RegExp(`^${source}$`, 's');
  return (path) => regex.test(path);
}

/**
 * The first behavior whose pattern matches `path`, else the default behavior.
 * @template {{pathPattern: string}} B
 * @param {{behaviors: readonly (B & {matches: (p: string) => boolean})[], defaultBehavior: B}} distribution
 * @param {string} path
 * @returns {B}
 */
export function selectBehavior({ behaviors, defaultBehavior }, path) {
  return behaviors.find((b) => b.matches(path)) ?? defaultBehavior;
}
