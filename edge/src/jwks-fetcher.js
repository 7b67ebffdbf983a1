'use strict';
// How aws-jwt-verify's JWKS cache downloads a key set (its `Fetcher` interface). The cache,
// the choice of key by `kid` and the penalty box for unknown kids are the library's; this
// fetcher only bounds the download to what a viewer request can afford:
// - one attempt with a 1.5 s deadline (the library's default fetcher retries once, with up
//   to 3 s each, which could overrun Lambda@Edge's 5 s budget);
// - at most 64 KiB read;
// - after a failure, the same error for RETRY_AFTER_MS without a new request, so an
//   unreachable identity provider costs one request per interval, not one per viewer;
// - `http://` only when the config says "dev": true (moto serves its JWKS over http).

/** aws-jwt-verify's error classes, loaded with the library (identity.js loads it lazily). */
const errors = () => require('aws-jwt-verify/error');

const TIMEOUT_MS = 1_500;
const MAX_JWKS_BYTES = 64 * 1024;
const RETRY_AFTER_MS = 10_000;

class JwksFetcher {
  /**
   * @param {{allowHttp: boolean, fetch?: typeof fetch, now?: () => number}} options
   */
  constructor({ allowHttp, fetch: fetchFn, now }) {
    this.allowHttp = allowHttp;
    this.fetchFn = fetchFn ?? globalThis.fetch;
    this.now = now ?? Date.now;
    /** @type {{at: number, error: Error} | null} */
    this.lastFailure = null;
    this.stats = { fetches: 0 };
  }

  /**
   * @param {string} uri
   * @returns {Promise<ArrayBuffer>} the response body, for the library's JWKS parser
   */
  async fetch(uri) {
    const protocol = new URL(uri).protocol;
    if (protocol !== 'https:' && !(this.allowHttp && protocol === 'http:')) {
      throw new (errors().NonRetryableFetchError)(uri, `protocol ${protocol} not allowed`);
    }
    if (this.lastFailure && this.now() - this.lastFailure.at < RETRY_AFTER_MS) {
      throw new (errors().FetchError)(uri, `not retried yet; the last fetch failed: ${this.lastFailure.error.message}`);
    }
    this.stats.fetches += 1;
    try {
      return await this.download(uri);
    } catch (error) {
      this.lastFailure = { at: this.now(), error };
      throw error instanceof errors().FetchError ? error : new (errors().FetchError)(uri, error.message);
    }
  }

  async download(uri) {
    const response = await this.fetchFn(uri, {
      signal: AbortSignal.timeout(TIMEOUT_MS),
      headers: { accept: 'application/json' },
      redirect: 'error',
    });
    if (!response.ok) throw new (errors().NonRetryableFetchError)(uri, `HTTP ${response.status}`);
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > MAX_JWKS_BYTES) throw new (errors().NonRetryableFetchError)(uri, `JWKS is ${declared} bytes, over ${MAX_JWKS_BYTES}`);
    const body = await response.arrayBuffer();
    if (body.byteLength > MAX_JWKS_BYTES) throw new (errors().NonRetryableFetchError)(uri, `JWKS over ${MAX_JWKS_BYTES} bytes`);
    this.lastFailure = null;
    return body;
  }
}

module.exports = { JwksFetcher, MAX_JWKS_BYTES };
