'use strict';
// One JSON line per decision. Callers pass only what is safe to keep: path, tier names,
// reason codes, timings. Never a token, a signature, a policy, a cookie value or a key.

/** @param {Record<string, unknown>} fields */
function consoleLog(fields) {
  console.log(JSON.stringify({ msg: 'edge-auth', ...fields }));
}

module.exports = { consoleLog };
