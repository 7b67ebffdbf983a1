'use strict';
// Why a step of the redirect flow with the identity provider failed. Each names the step
// (`authorization-response`, `token-endpoint`, `refresh`, `revocation`), so the decision log
// says where a sign-in stopped; none carries a token, a code, a state or a verifier.

/** The provider (or its answer) refused: the viewer must sign in again, retrying will not help. */
class IdpRefused extends Error {
  /**
   * @param {string} step @param {string} reason ours (`idp-error`, `invalid-grant`, ...)
   * @param {string} message for the log @param {string} [idpError] the provider's `error` code
   */
  constructor(step, reason, message, idpError) {
    super(message);
    this.name = 'IdpRefused';
    this.step = step;
    this.reason = reason;
    this.idpError = idpError;
  }
}

/** The provider could not be reached in time, or answered 5xx: the viewer may retry. */
class IdpUnavailable extends Error {
  /** @param {string} step @param {string} message */
  constructor(step, message) {
    super(message);
    this.name = 'IdpUnavailable';
    this.step = step;
    this.reason = 'idp-unavailable';
  }
}

module.exports = { IdpRefused, IdpUnavailable };
