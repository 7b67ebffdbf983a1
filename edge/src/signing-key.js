'use strict';
// The private signing key: fetched from AWS Secrets Manager once per cold start (or, with
// "dev": true, taken inline), parsed once into the core's Signer, and kept for the life of the
// container. The session MAC key is derived from the same secret, so every edge location that
// can read the secret agrees on it without a second secret.

const { hkdfSync } = require('node:crypto');
const { Signer } = require('./core');

/** After a failed fetch, callers get the same error without a new request for this long. */
const RETRY_AFTER_MS = 10_000;
/**
 * Secrets Manager must answer well inside Lambda@Edge's 5 s viewer-request budget: one
 * attempt, 1 s to connect and 2 s to answer, in parallel with the JWKS fetch (1.5 s).
 */
const CONNECT_TIMEOUT_MS = 1_000;
const FETCH_TIMEOUT_MS = 2_000;
const MAX_SECRET_LENGTH = 16 * 1024;

class SigningKeyError extends Error {
  constructor(reason, message) {
    super(message);
    this.name = 'SigningKeyError';
    this.reason = reason;
  }
}

/**
 * Reads the secret: a PEM string, or JSON `{"privateKey": PEM, "passphrase"?: string}`.
 * @returns {{pem: string, passphrase?: string}}
 */
function parseSecret(text) {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_SECRET_LENGTH) {
    throw new SigningKeyError('secret-invalid', 'secret is empty, not text, or over 16 KiB');
  }
  if (text.trimStart().startsWith('-----BEGIN')) return { pem: text };
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SigningKeyError('secret-invalid', 'secret is neither a PEM key nor JSON');
  }
  if (typeof parsed?.privateKey !== 'string') {
    throw new SigningKeyError('secret-invalid', 'secret JSON has no "privateKey" string');
  }
  if (parsed.passphrase !== undefined && typeof parsed.passphrase !== 'string') {
    throw new SigningKeyError('secret-invalid', 'secret JSON "passphrase" must be a string');
  }
  return { pem: parsed.privateKey, passphrase: parsed.passphrase };
}

async function fetchSecret({ secretId, region, endpoint }) {
  // Required lazily: the Lambda runtime provides AWS SDK v3, and the dev (inline PEM) path
  // must not need it at all.
  const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({
    region,
    ...(endpoint ? { endpoint } : {}),
    maxAttempts: 1,
    // Without throwOnRequestTimeout, this SDK only logs a warning when requestTimeout passes
    // and keeps waiting, past Lambda@Edge's budget; the abort signal bounds the whole call.
    requestHandler: {
      connectionTimeout: CONNECT_TIMEOUT_MS,
      requestTimeout: FETCH_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
  });
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }), {
      abortSignal: AbortSignal.timeout(CONNECT_TIMEOUT_MS + FETCH_TIMEOUT_MS),
    });
    return out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary).toString('utf8') : undefined);
  } catch (error) {
    // The SDK's error name (ResourceNotFoundException, AccessDeniedException, ...) is safe to
    // log; its message may quote the secret's ARN, which is not secret either.
    throw new SigningKeyError('secret-unavailable', `Secrets Manager: ${error.name}: ${error.message}`);
  } finally {
    client.destroy();
  }
}

class SigningKey {
  /**
   * @param {object} config the validated config
   * @param {{now?: () => number}} [deps]
   */
  constructor(config, deps = {}) {
    this.source = config.privateKey;
    this.keyPairId = config.activeKeyId;
    this.now = deps.now ?? Date.now;
    /** @type {Promise<{signer: Signer, sessionKey: Buffer}> | null} */
    this.loaded = null;
    this.failedAt = -Infinity;
    this.lastError = null;
    this.stats = { fetches: 0 };
  }

  /** The signer and session key, loading them on first use. */
  get() {
    if (this.loaded) return this.loaded;
    if (this.lastError && this.now() - this.failedAt < RETRY_AFTER_MS) return Promise.reject(this.lastError);
    this.loaded = this.load().catch((error) => {
      this.loaded = null;
      this.failedAt = this.now();
      this.lastError = error instanceof SigningKeyError ? error : new SigningKeyError('key-invalid', error.message);
      throw this.lastError;
    });
    return this.loaded;
  }

  /** Whole seconds until a failed load may be retried (a `Retry-After` value, at least 1). */
  retryAfterSeconds() {
    return Math.max(1, Math.ceil((this.failedAt + RETRY_AFTER_MS - this.now()) / 1000));
  }

  /** Drops a key that failed its self-check, so the next call fetches again (after a pause). */
  reject(error) {
    this.loaded = null;
    this.failedAt = this.now();
    this.lastError = error;
  }

  async load() {
    let secretText;
    let secret;
    if (this.source.pem !== undefined) {
      secretText = this.source.pem + (this.source.passphrase ?? '');
      secret = { pem: this.source.pem, passphrase: this.source.passphrase };
    } else {
      this.stats.fetches += 1;
      secretText = await fetchSecret(this.source.secretsManager);
      secret = parseSecret(secretText);
    }
    let signer;
    try {
      signer = new Signer({ keyPairId: this.keyPairId, privateKey: secret.pem, passphrase: secret.passphrase });
    } catch (error) {
      throw new SigningKeyError('key-invalid', `private key: ${error.code ?? error.name}: ${error.message}`);
    }
    const sessionKey = Buffer.from(hkdfSync('sha256', secretText, 'cloudfront-edge-auth', 'session-mac-v1', 32));
    return { signer, sessionKey };
  }
}

module.exports = { SigningKey, SigningKeyError, parseSecret, RETRY_AFTER_MS };
