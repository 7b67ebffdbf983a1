'use strict';
// ID tokens at /auth, verified by aws-jwt-verify: `CognitoJwtVerifier` for a Cognito user
// pool issuer (https://cognito-idp.REGION.amazonaws.com/POOL, its own JWKS URL), the
// library's generic `JwtVerifier` (formerly `JwtRsaVerifier`) for any other OIDC issuer, or
// for a pool whose JWKS is served from elsewhere (moto, in the demo and tests).
//
// The library keeps the JWKS (an embedded one is loaded into its cache at construction), picks
// the key by `kid`, refetches on an unknown `kid` and then holds further refetches in its
// penalty box. We add what the library leaves to its caller: the algorithm allow-list (RS256
// only, checked before any key lookup or crypto), required `sub` and `exp`, `iat` not in the
// future, a size cap on the token, and a typed reason for every refusal.
//
// The library reads the clock itself (Date.now); so do the checks added here, so that one
// clock judges a token.
//
// The library is loaded on first use (`load`): a private path's cold start never needs it
// (about half of the handler's load time otherwise). `make bundle` calls `load` once, so an
// unusable embedded JWKS fails the build rather than the first sign-in.

const { JwksFetcher } = require('./jwks-fetcher');
const { NO_DEADLINE } = require('./deadline');

/**
 * aws-jwt-verify's modules, and our RS256-only JWKS cache built on its class, loaded once.
 * @returns {{CognitoJwtVerifier: any, JwtVerifier: any, SimplePenaltyBox: any, assertIsJwks: any,
 *            decomposeUnverifiedJwt: any, errors: any, Rs256JwksCache: any}}
 */
function library() {
  if (loaded) return loaded;
  const { CognitoJwtVerifier } = require('aws-jwt-verify/cognito-verifier');
  const { JwtVerifier } = require('aws-jwt-verify/jwt-verifier');
  const { SimpleJwksCache, SimplePenaltyBox, assertIsJwks } = require('aws-jwt-verify/jwk');
  const { decomposeUnverifiedJwt } = require('aws-jwt-verify/jwt');
  const errors = require('aws-jwt-verify/error');
  const requireAllowedAlg = (header) => {
    if (header.alg !== ALLOWED_ALG) {
      throw new errors.JwtInvalidSignatureAlgorithmError(`alg ${header.alg} is not allowed`, header.alg, ALLOWED_ALG);
    }
  };
  /**
   * The library's JWKS cache, asked for a key only for an RS256 token: `alg` is refused before
   * any lookup, fetch or signature check (`none`, `HS256` keyed with the public key, ...).
   * It also knows which key sets it holds (the library keeps its map private), so `prefetch`
   * downloads one only when it is not there yet.
   */
  class Rs256JwksCache extends SimpleJwksCache {
    /** @type {Set<string>} */
    cachedUris = new Set();

    addJwks(jwksUri, jwks) {
      super.addJwks(jwksUri, jwks);
      this.cachedUris.add(jwksUri);
    }

    async getJwks(jwksUri) {
      const jwks = await super.getJwks(jwksUri);
      this.cachedUris.add(jwksUri);
      return jwks;
    }

    /** Starts downloading the key set unless it is cached; the library shares one download per URI. */
    prefetch(jwksUri) {
      if (!this.cachedUris.has(jwksUri)) this.getJwks(jwksUri).catch(() => {});
    }

    async getJwk(jwksUri, decomposedJwt) {
      requireAllowedAlg(decomposedJwt.header);
      return super.getJwk(jwksUri, decomposedJwt);
    }

    getCachedJwk(jwksUri, decomposedJwt) {
      requireAllowedAlg(decomposedJwt.header);
      return super.getCachedJwk(jwksUri, decomposedJwt);
    }
  }
  loaded = { CognitoJwtVerifier, JwtVerifier, SimplePenaltyBox, assertIsJwks, decomposeUnverifiedJwt, errors, Rs256JwksCache };
  return loaded;
}
/** @type {ReturnType<typeof library> | null} */
let loaded = null;

/** Longest token read; Cognito ID tokens are 1-2 KB, a few KB with many groups. */
const MAX_TOKEN_BYTES = 16 * 1024;
const ALLOWED_ALG = 'RS256';
const COGNITO_ISSUER = /^https:\/\/cognito-idp\.([a-z0-9-]+)\.amazonaws\.com\/([^/]+)$/;

/** A refusal decided by a check of ours, with its reason. */
class ClaimRefused extends Error {
  /** @param {string} reason @param {string} message */
  constructor(reason, message) {
    super(message);
    this.name = 'ClaimRefused';
    this.reason = reason;
  }
}

/** The key set cannot be had (fetch failed, or an unusable JWKS): /auth answers 503. */
class IdentityUnavailable extends Error {
  constructor(message) {
    super(message);
    this.name = 'IdentityUnavailable';
    this.reason = 'jwks-unavailable';
  }
}

/** The pool id when `issuer` is a Cognito user pool whose JWKS is Cognito's own. */
function cognitoPool(idp) {
  const match = COGNITO_ISSUER.exec(idp.issuer);
  const poolIdPattern = /** @type {RegExp} */ (library().CognitoJwtVerifier.USER_POOL_ID_REGEX);
  if (!match || !poolIdPattern.test(match[2])) return null;
  if (idp.jwksUrl !== undefined && idp.jwksUrl !== `${idp.issuer}/.well-known/jwks.json`) return null;
  return match[2];
}

class IdentityVerifier {
  /**
   * @param {{issuer: string, clientIds: string[], jwks?: object, jwksUrl?: string,
   *          tokenUse: 'id' | null, groupsClaim: string, leewaySeconds: number}} idp
   *   the validated `identityProvider` config
   * @param {{fetch?: typeof fetch, now?: () => number, allowHttp?: boolean, penaltyBox?: object}} [deps]
   * @throws {Error} with `field` when the embedded JWKS is unusable
   */
  constructor(idp, deps = {}) {
    this.idp = idp;
    this.deps = deps;
    this.fetcher = new JwksFetcher({ allowHttp: deps.allowHttp === true, fetch: deps.fetch, now: deps.now });
    // Without a URL, the embedded JWKS is the whole key set: nothing is ever fetched.
    this.fetches = idp.jwksUrl !== undefined;
    /** @type {{verifier: any, kind: 'cognito' | 'oidc', jwksCache: any, jwksUri: string} | {error: Error} | null} */
    this.built = null;
  }

  /**
   * Loads aws-jwt-verify and builds the verifier (once): the embedded JWKS is checked and
   * cached here.
   * @throws {Error} with `field` when the embedded JWKS is unusable (every call, the same error)
   */
  load() {
    if (this.built === null) {
      try {
        this.built = this.build();
      } catch (error) {
        if (!error.field) throw error;
        this.built = { error };
      }
    }
    if ('error' in this.built) throw this.built.error;
    return this.built;
  }

  build() {
    const { idp, deps } = this;
    const { CognitoJwtVerifier, JwtVerifier, SimplePenaltyBox, assertIsJwks, Rs256JwksCache } = library();
    const penaltyBox = deps.penaltyBox ?? new SimplePenaltyBox();
    const jwksCache = new Rs256JwksCache({ fetcher: this.fetcher, penaltyBox });
    const customJwtCheck = ({ payload }) => this.checkClaims(payload);
    const graceSeconds = idp.leewaySeconds;
    const userPoolId = cognitoPool(idp);
    const kind = userPoolId ? 'cognito' : 'oidc';
    // Where the verifier downloads the key set (CognitoJwtVerifier: the pool's own, which is
    // what cognitoPool requires of jwksUrl).
    const jwksUri = userPoolId
      ? `${idp.issuer}/.well-known/jwks.json`
      : (idp.jwksUrl ?? new URL(`${new URL(idp.issuer).pathname.replace(/\/$/, '')}/.well-known/jwks.json`, idp.issuer).href);
    const verifier = userPoolId
      ? CognitoJwtVerifier.create(
          { userPoolId, tokenUse: idp.tokenUse, clientId: idp.clientIds, graceSeconds, customJwtCheck },
          { jwksCache },
        )
      : JwtVerifier.create(
          {
            issuer: idp.issuer,
            audience: idp.clientIds,
            jwksUri,
            graceSeconds,
            customJwtCheck,
          },
          { jwksCache },
        );
    if (idp.jwks !== undefined) {
      try {
        assertIsJwks(idp.jwks);
        if (idp.jwks.keys.length === 0) throw new Error('has no keys');
      } catch (error) {
        throw Object.assign(new Error(`config: identityProvider.jwks ${error.message}`), { field: 'identityProvider.jwks' });
      }
      verifier.cacheJwks(/** @type {any} */ (idp.jwks));
    }
    return { verifier, kind: /** @type {'cognito' | 'oidc'} */ (kind), jwksCache, jwksUri };
  }

  /**
   * Starts downloading the provider's key set when it is fetched and not cached yet, so the
   * download overlaps a token request instead of following it; `verify` then finds it cached,
   * or waits for the same download. A failure is `verify`'s to report.
   */
  prefetch() {
    if (!this.fetches) return;
    let built;
    try {
      built = this.load();
    } catch {
      return;
    }
    built.jwksCache.prefetch(built.jwksUri);
  }

  get stats() {
    return this.fetcher.stats;
  }

  /** Which of aws-jwt-verify's verifiers judges tokens: `cognito` or `oidc` (loads the library). */
  get kind() {
    return this.load().kind;
  }

  /**
   * @param {string} token the bearer token, as sent
   * @param {import('./deadline').Deadline} [deadline] a key set still downloading when it
   *   passes is given up on (the download goes on, for the next request)
   * @returns {Promise<{ok: true, claims: {sub: string, groups: string[], nonce?: string}}
   *                 | {ok: false, reason: string, detail?: string}>}
   * @throws {IdentityUnavailable} when the key set cannot be fetched in time
   */
  async verify(token, deadline = NO_DEADLINE) {
    if (token.length > MAX_TOKEN_BYTES) return { ok: false, reason: 'too-long' };
    let verifier;
    try {
      ({ verifier } = this.load());
    } catch (error) {
      throw new IdentityUnavailable(error.message);
    }
    let payload;
    try {
      payload = this.fetches
        ? await deadline.bound(verifier.verify(/** @type {any} */ (token)), () => new IdentityUnavailable('no time left in the request\'s budget for the JWKS'))
        : verifier.verifySync(/** @type {any} */ (token));
    } catch (error) {
      if (error instanceof IdentityUnavailable) throw error;
      return refusal(error, token);
    }
    const groups = payload[this.idp.groupsClaim];
    return {
      ok: true,
      claims: {
        sub: /** @type {string} */ (payload.sub),
        groups: Array.isArray(groups) ? groups.filter((g) => typeof g === 'string') : [],
        ...(typeof payload.nonce === 'string' ? { nonce: payload.nonce } : {}),
      },
    };
  }

  /** What aws-jwt-verify leaves to its caller; runs after the signature and its own claim checks. */
  checkClaims(payload) {
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new ClaimRefused('missing-claim', 'no sub');
    if (payload.exp === undefined) throw new ClaimRefused('missing-claim', 'no exp');
    const nowSeconds = Date.now() / 1000;
    if (typeof payload.iat === 'number' && payload.iat > nowSeconds + this.idp.leewaySeconds) {
      throw new ClaimRefused('issued-in-future', 'iat is in the future');
    }
    // CognitoJwtVerifier checks token_use itself; other issuers' tokens are checked here.
    if (this.kind === 'oidc' && this.idp.tokenUse !== null && payload.token_use !== this.idp.tokenUse) {
      throw new ClaimRefused('wrong-token-use', `token_use is not ${this.idp.tokenUse}`);
    }
  }
}

/**
 * The typed reason for an error of aws-jwt-verify (or of our checks). `detail` is for the
 * log only. A key set that cannot be fetched is no refusal of the token: it throws.
 * @param {any} error @param {string} token
 * @returns {{ok: false, reason: string, detail?: string}}
 */
function refusal(error, token) {
  const { errors, decomposeUnverifiedJwt } = library();
  if (error instanceof ClaimRefused) return { ok: false, reason: error.reason };
  if (error instanceof errors.WaitPeriodNotYetEndedJwkError) {
    return { ok: false, reason: 'unknown-kid', detail: 'refetch-throttled' };
  }
  if (error instanceof errors.KidNotFoundInJwksError) return { ok: false, reason: 'unknown-kid' };
  if (error instanceof errors.JwkInvalidUseError || error instanceof errors.JwkInvalidKtyError) {
    return { ok: false, reason: 'unknown-kid', detail: 'not-a-signing-key' };
  }
  if (error instanceof errors.JwtWithoutValidKidError) return { ok: false, reason: 'missing-kid' };
  if (error instanceof errors.JwtInvalidSignatureAlgorithmError) return { ok: false, reason: 'unsupported-alg' };
  if (error instanceof errors.JwtInvalidSignatureError) return { ok: false, reason: 'bad-signature' };
  if (error instanceof errors.JwtExpiredError) return { ok: false, reason: 'expired' };
  if (error instanceof errors.JwtNotBeforeError) return { ok: false, reason: 'not-yet-valid' };
  if (error instanceof errors.JwtInvalidClaimError) {
    // The library's assertions carry the value they refused: none at all is a missing claim.
    if (error.failedAssertion.actual === undefined) return { ok: false, reason: 'missing-claim' };
    if (error instanceof errors.JwtInvalidIssuerError) return { ok: false, reason: 'wrong-issuer' };
    if (error instanceof errors.CognitoJwtInvalidTokenUseError) return { ok: false, reason: 'wrong-token-use' };
    return { ok: false, reason: 'wrong-audience' };
  }
  if (error instanceof errors.JwtParseError) return { ok: false, reason: 'malformed' };
  // CognitoJwtVerifier knows two issuers per pool (regional and global) and refuses any
  // other `iss` before it looks at the token further.
  if (error instanceof errors.ParameterValidationError && /^issuer/.test(error.message)) {
    return { ok: false, reason: decomposeUnverifiedJwt(token).payload.iss === undefined ? 'missing-claim' : 'wrong-issuer' };
  }
  if (error instanceof errors.FetchError || error instanceof errors.JwksValidationError || error instanceof errors.JwkValidationError) {
    throw new IdentityUnavailable(`${error.constructor.name}: ${error.message}`);
  }
  throw error;
}

module.exports = { IdentityVerifier, IdentityUnavailable, MAX_TOKEN_BYTES };
