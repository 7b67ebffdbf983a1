'use strict';
// One time budget per request. Lambda@Edge stops a viewer-request function at 5 s and the
// viewer gets CloudFront's own error (AWS: *Quotas on Lambda@Edge*). Each network step has a
// cap of its own (the secret 3 s, 4.2 s with its replica first; the token endpoint 3 s; the
// JWKS 1.5 s), but a sign-in or a renewal takes several in turn, and together they could pass 5 s. So the handler starts one
// deadline per request, a little under 5 s, and every later step gets what is left of it (at
// most its own cap): when the budget runs out, the handler still answers, with its own 503.
//
// The clock is monotonic (performance.now), not the handler's `now`: a budget is elapsed time.

/** What a request may spend: Lambda@Edge's 5 s, less room to build and return the answer. */
const BUDGET_MS = 4_500;

class Deadline {
  /** @param {number} [budgetMs] from now; Infinity for no deadline */
  constructor(budgetMs = BUDGET_MS) {
    this.atMs = performance.now() + budgetMs;
  }

  /** Milliseconds left, 0 once spent. */
  remainingMs() {
    return Math.max(0, this.atMs - performance.now());
  }

  /** A step's timeout: its own cap, or what is left when that is less. @param {number} capMs */
  cap(capMs) {
    return Math.min(capMs, this.remainingMs());
  }

  /**
   * What `promise` gives, unless the deadline passes first: then the error `expired()` makes.
   * For a step this request cannot abort (a download a library shares between requests):
   * the step goes on, this request stops waiting for it.
   * @template T @param {Promise<T>} promise @param {() => Error} expired @returns {Promise<T>}
   */
  async bound(promise, expired) {
    const left = this.remainingMs();
    if (left === Infinity) return promise;
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(expired()), left);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** No deadline: for callers outside a viewer request (the bundle's checks, tests of a part). */
const NO_DEADLINE = new Deadline(Infinity);

module.exports = { Deadline, NO_DEADLINE, BUDGET_MS };
