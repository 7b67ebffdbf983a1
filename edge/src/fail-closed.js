'use strict';
// The handler for a config that did not load: /auth answers 503, private paths are denied,
// public paths pass only if the tier prefixes could still be read. Every decision logs why.

const { salvageTierPrefixes } = require('./config');
const { ambiguousPath } = require('./paths');
const { respond } = require('./responses');

const AUTH = '/auth';

/**
 * @param {unknown} rawConfig the config that failed (or the Error reading it)
 * @param {unknown} error why it failed
 * @param {{log: (fields: object) => void}} deps
 */
function failClosed(rawConfig, error, { log }) {
  const why = String(/** @type {any} */ (error)?.message ?? error);
  const prefixes = rawConfig instanceof Error ? null : salvageTierPrefixes(rawConfig);
  log({ class: 'config', outcome: 'error', reason: 'config-invalid', error: why });
  const handler = async (event) => {
    const request = event.Records[0].cf.request;
    const uri = request.uri;
    const base = { reason: 'config-invalid', error: why, method: request.method, uri };
    if (uri === AUTH || uri.startsWith(`${AUTH}/`)) {
      log({ ...base, class: 'auth', outcome: 'deny', status: 503 });
      return respond(503, { body: { error: 'unavailable', reason: 'config-invalid' } });
    }
    if (prefixes !== null && !prefixes.some((p) => uri.startsWith(p)) && !ambiguousPath(uri, prefixes)) {
      log({ ...base, class: 'public', outcome: 'pass' });
      return request;
    }
    log({ ...base, class: 'private', outcome: 'deny', status: 403 });
    return respond(403, { body: { error: 'forbidden', reason: 'config-invalid' } });
  };
  return Object.assign(handler, { configError: error });
}

module.exports = { failClosed };
