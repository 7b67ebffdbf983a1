'use strict';
// The one shape every route returns: `{result, log}`. `result` is what goes back to
// CloudFront (the request itself to pass it on, or a generated response); `log` is the
// decision's log line, with no secret in it (log.js). The handler adds method, URI, status
// and duration.

const { respond } = require('./responses');

/**
 * @typedef {{class: 'public' | 'private' | 'auth' | 'logout' | 'config', outcome?: string,
 *            reason?: string, [field: string]: unknown}} DecisionLog
 * @typedef {{result: object, log: DecisionLog}} Decision
 */

const ERROR_NAMES = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  503: 'unavailable',
};

/**
 * The request goes on to CloudFront unchanged.
 * @param {object} request @param {DecisionLog} log @returns {Decision}
 */
const pass = (request, log) => ({ result: request, log: { outcome: 'pass', ...log } });

/**
 * A JSON refusal `{error, reason}` and its log line. `logReason` is a finer reason for the
 * log only (the viewer sees `reason`); `error` is a message for the log only.
 * @param {DecisionLog} log @param {number} status @param {string} reason
 * @param {{headers?: Record<string, string>, logReason?: string, error?: string, body?: object, setCookies?: string[]}} [details]
 * @returns {Decision}
 */
function refusal(log, status, reason, { headers, logReason, error, body, setCookies } = {}) {
  return {
    result: respond(status, { body: { error: ERROR_NAMES[status], reason, ...body }, headers, setCookies }),
    log: { ...log, outcome: 'deny', reason: logReason ?? reason, ...(error ? { error } : {}) },
  };
}

/**
 * A browser sent to sign in, with the way back as a parameter (never as the target).
 * @param {string} signInUrl @param {string} returnPath @param {string} reason @param {DecisionLog} log
 * @returns {Decision}
 */
function toSignIn(signInUrl, returnPath, reason, log) {
  const separator = signInUrl.includes('?') ? '&' : '?';
  const location = `${signInUrl}${separator}redirect=${encodeURIComponent(returnPath)}&reason=${encodeURIComponent(reason)}`;
  return {
    result: respond(302, { location }),
    log: { outcome: 'deny', ...log, reason, redirect: 'sign-in' },
  };
}

/** A 405 for anything but GET and POST. @param {DecisionLog} log */
const methodNotAllowed = (log) => refusal(log, 405, 'method-not-allowed', { headers: { Allow: 'GET, POST' } });

module.exports = { pass, refusal, toSignIn, methodNotAllowed, ERROR_NAMES };
