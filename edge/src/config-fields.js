'use strict';
// The building blocks of config validation: one error type naming the field at fault, and
// readers for each kind of value (object, string, whole number, URL, ...), each of which
// throws a ConfigError or returns the value.

class ConfigError extends Error {
  /** @param {string} field dotted path of the bad field  @param {string} problem */
  constructor(field, problem) {
    super(`config: ${field} ${problem}`);
    this.name = 'ConfigError';
    this.field = field;
  }
}

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

function object(value, field) {
  if (!isObject(value)) throw new ConfigError(field, value === undefined ? 'is required' : 'must be an object');
  return value;
}

function onlyKnown(value, field, known) {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      // Quoted when it would not read as a name (`""`, spaces, newlines), so the error
      // always names something.
      const name = /^[\w$-]+$/.test(key) ? key : JSON.stringify(key);
      throw new ConfigError(
        field ? `${field}.${name}` : name,
        `is not a known field (expected one of: ${known.join(', ')})`,
      );
    }
  }
}

/** @param {unknown} value @param {string} field @param {{pattern?: RegExp, hint?: string}} [rules] */
function string(value, field, { pattern, hint } = {}) {
  if (value === undefined || value === null || value === '') throw new ConfigError(field, 'is required');
  if (typeof value !== 'string') throw new ConfigError(field, 'must be a string');
  if (pattern && !pattern.test(value)) throw new ConfigError(field, `is invalid: ${hint}`);
  return value;
}

/** @param {unknown} value @param {string} field @param {{min: number, max: number, fallback?: number}} limits */
function integer(value, field, { min, max, fallback }) {
  if (value === undefined && fallback !== undefined) return fallback;
  if (value === undefined) throw new ConfigError(field, 'is required');
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(field, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** @param {unknown} value @param {string} field @param {{pattern?: RegExp, hint?: string}} [rules] */
function stringArray(value, field, { pattern, hint } = {}) {
  if (value === undefined) throw new ConfigError(field, 'is required');
  if (!Array.isArray(value) || value.length === 0) throw new ConfigError(field, 'must be a non-empty array');
  return value.map((item, i) => string(item, `${field}[${i}]`, { pattern, hint }));
}

/** `https://` (or, with `dev`, `http://`) URL. */
function url(value, field, dev) {
  string(value, field);
  let parsed;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(field, 'must be an absolute URL');
  }
  if (parsed.protocol !== 'https:' && !(dev && parsed.protocol === 'http:')) {
    throw new ConfigError(field, 'must be an https:// URL (http:// only with "dev": true)');
  }
  return value;
}

module.exports = { ConfigError, isObject, object, onlyKnown, string, integer, stringArray, url };
