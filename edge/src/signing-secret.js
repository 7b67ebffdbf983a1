'use strict';
// The one secret: the CloudFront key pair that signs, the key group that verifies, and the
// session cookie's MAC keys. Read from AWS Secrets Manager once per container (or, with
// "dev": true, taken inline from the config), parsed once into the core's Signer and Verifier,
// and kept for the container's life. A failed read is remembered for RETRY_AFTER_MS, so a
// burst of requests against an unreachable Secrets Manager costs one attempt.
//
// SecretString (JSON):
//   {"keyPairId": "K2JC...", "privateKey": PEM, "passphrase"?: string,
//    "keyGroup"?: {id: public PEM, ...}, "sessionSecret": base64, "previousSessionSecret"?: base64,
//    "clientSecret"?: string}
// `clientSecret` is the redirect flow's client secret at the identity provider, for a
// confidential client (identityProvider.signIn.clientAuthentication client_secret_*).

const { Signer, Verifier, limits } = require('./core');

/** The core's caps, read once: a PEM's bytes and a key group's size. */
const { maxPemBytes: MAX_PEM_BYTES, maxKeysPerGroup: MAX_KEYS_PER_GROUP } = limits();

/** After a failed read, callers get the same error without a new request for this long. */
const RETRY_AFTER_MS = 10_000;
/**
 * Secrets Manager must answer well inside Lambda@Edge's 5 s viewer-request budget: one
 * attempt, 1 s to connect and 2 s to answer, in parallel with the JWKS fetch.
 */
const CONNECT_TIMEOUT_MS = 1_000;
const FETCH_TIMEOUT_MS = 2_000;
/** A replica in the container's own region gets a shorter try, so the primary still fits. */
const REPLICA_CONNECT_TIMEOUT_MS = 400;
const REPLICA_FETCH_TIMEOUT_MS = 800;
const MAX_SECRET_LENGTH = 32 * 1024;
/** HMAC-SHA256 keys: at least as long as the hash. */
const MIN_SESSION_SECRET_BYTES = 32;

const KEY_ID = /^[A-Za-z0-9]{1,128}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const FIELDS = ['keyPairId', 'privateKey', 'passphrase', 'keyGroup', 'sessionSecret', 'previousSessionSecret', 'clientSecret'];
const MAX_CLIENT_SECRET_LENGTH = 1024;

/** A secret whose content is unusable, naming the field (never its value). */
class SecretError extends Error {
  /** @param {string} field @param {string} problem */
  constructor(field, problem) {
    super(`secret: ${field} ${problem}`);
    this.name = 'SecretError';
    this.field = field;
    this.problem = problem;
  }
}

/** Why the keys cannot be had right now; `reason` goes to the decision log. */
class SigningUnavailable extends Error {
  /** @param {string} reason @param {string} message @param {string} [field] the secret's field at fault */
  constructor(reason, message, field) {
    super(message);
    this.name = 'SigningUnavailable';
    this.reason = reason;
    this.field = field;
  }
}

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** @param {unknown} value @param {string} field @returns {string} */
function text(value, field) {
  if (value === undefined || value === '') throw new SecretError(field, 'is required');
  if (typeof value !== 'string') throw new SecretError(field, 'must be a string');
  return value;
}

/** @param {unknown} value @param {string} field @returns {string} */
function sessionSecret(value, field) {
  const base64 = text(value, field);
  if (!BASE64.test(base64)) throw new SecretError(field, 'must be standard base64');
  if (Buffer.from(base64, 'base64').length < MIN_SESSION_SECRET_BYTES) {
    throw new SecretError(field, `must hold at least ${MIN_SESSION_SECRET_BYTES} random bytes`);
  }
  return base64;
}

/** @param {unknown} value @param {string} field @param {string} label @returns {string} */
function pem(value, field, label) {
  text(value, field);
  if (Buffer.byteLength(String(value)) > MAX_PEM_BYTES) throw new SecretError(field, `is over ${MAX_PEM_BYTES} bytes`);
  if (!String(value).includes('-----BEGIN')) throw new SecretError(field, `must be a ${label} PEM`);
  return String(value);
}

/**
 * Checks the secret's shape (a JSON string from Secrets Manager, or the inline dev object) and
 * returns its fields as strings. Keys are parsed later, by the core.
 * @param {unknown} secret
 * @returns {{keyPairId: string, privateKey: string, passphrase?: string,
 *           keyGroup?: Record<string, string>, sessionSecret: string, previousSessionSecret?: string,
 *           clientSecret?: string}}
 * @throws {SecretError}
 */
function parseSecret(secret) {
  let value = secret;
  if (typeof secret === 'string') {
    if (secret.length > MAX_SECRET_LENGTH) throw new SecretError('(secret)', `is over ${MAX_SECRET_LENGTH} bytes`);
    try {
      value = JSON.parse(secret);
    } catch {
      throw new SecretError('(secret)', 'is not JSON');
    }
  }
  if (!isObject(value)) throw new SecretError('(secret)', 'must be a JSON object');
  const fields = /** @type {Record<string, unknown>} */ (value);
  for (const key of Object.keys(fields)) {
    if (!FIELDS.includes(key)) throw new SecretError(key, `is not a known field (expected one of: ${FIELDS.join(', ')})`);
  }
  const keyPairId = text(fields.keyPairId, 'keyPairId');
  if (!KEY_ID.test(keyPairId)) throw new SecretError('keyPairId', 'is not a CloudFront key id (letters and digits)');
  /** @type {{keyPairId: string, privateKey: string, passphrase?: string, keyGroup?: Record<string, string>,
   *            sessionSecret: string, previousSessionSecret?: string, clientSecret?: string}} */
  const out = {
    keyPairId,
    privateKey: pem(fields.privateKey, 'privateKey', 'private key'),
    passphrase: fields.passphrase === undefined ? undefined : text(fields.passphrase, 'passphrase'),
    keyGroup: undefined,
    sessionSecret: sessionSecret(fields.sessionSecret, 'sessionSecret'),
    previousSessionSecret:
      fields.previousSessionSecret === undefined
        ? undefined
        : sessionSecret(fields.previousSessionSecret, 'previousSessionSecret'),
    clientSecret: fields.clientSecret === undefined ? undefined : text(fields.clientSecret, 'clientSecret'),
  };
  if (out.clientSecret !== undefined && out.clientSecret.length > MAX_CLIENT_SECRET_LENGTH) {
    throw new SecretError('clientSecret', `is over ${MAX_CLIENT_SECRET_LENGTH} characters`);
  }
  if (fields.keyGroup !== undefined) {
    if (!isObject(fields.keyGroup)) throw new SecretError('keyGroup', 'must be an object of key id -> public key PEM');
    const group = /** @type {Record<string, unknown>} */ (fields.keyGroup);
    const ids = Object.keys(group);
    if (ids.length === 0 || ids.length > MAX_KEYS_PER_GROUP) {
      throw new SecretError('keyGroup', `must hold 1 to ${MAX_KEYS_PER_GROUP} keys (CloudFront's limit per key group)`);
    }
    for (const id of ids) {
      if (!KEY_ID.test(id)) throw new SecretError(`keyGroup.${id}`, 'is not a CloudFront key id (letters and digits)');
      pem(group[id], `keyGroup.${id}`, 'public key');
    }
    if (!ids.includes(keyPairId)) throw new SecretError('keyGroup', `must include keyPairId (${keyPairId})`);
    out.keyGroup = /** @type {Record<string, string>} */ ({ ...group });
  }
  return out;
}

/**
 * The parsed secret: the signer, the verifier of the key group, and the session MAC keys.
 * @param {ReturnType<typeof parseSecret>} secret
 * @throws {SigningUnavailable} `key-invalid` / `key-group-invalid`, naming the field
 */
function loadKeys(secret) {
  let signer;
  let keyGroup;
  try {
    signer = new Signer({ keyPairId: secret.keyPairId, privateKey: secret.privateKey, passphrase: secret.passphrase });
    // Without a key group, the distribution trusts exactly the public half of the active key
    // (SPKI PEM, RSA or ECDSA P-256, derived by the core from the key it already parsed).
    keyGroup = secret.keyGroup ?? { [secret.keyPairId]: signer.publicKeyPem };
  } catch (error) {
    throw new SigningUnavailable('key-invalid', `privateKey: ${error.code ?? error.name}: ${error.message}`, 'privateKey');
  }
  let verifier;
  try {
    verifier = new Verifier({ keys: keyGroup });
  } catch (error) {
    throw new SigningUnavailable('key-group-invalid', `keyGroup: ${error.code ?? error.name}: ${error.message}`, 'keyGroup');
  }
  return {
    keyPairId: secret.keyPairId,
    signer,
    verifier,
    clientSecret: secret.clientSecret ?? null,
    sessionKeys: {
      current: Buffer.from(secret.sessionSecret, 'base64'),
      previous: secret.previousSessionSecret ? Buffer.from(secret.previousSessionSecret, 'base64') : null,
    },
  };
}

/** @typedef {ReturnType<typeof loadKeys>} SigningKeys */

/**
 * One read of the secret in one region.
 * @param {{secretId: string, region: string, endpoint?: string}} source
 * @param {{connectMs: number, fetchMs: number}} [timeouts]
 */
async function fetchSecret({ secretId, region, endpoint }, { connectMs, fetchMs } = { connectMs: CONNECT_TIMEOUT_MS, fetchMs: FETCH_TIMEOUT_MS }) {
  // Required lazily: the Lambda runtime provides AWS SDK v3, and the dev (inline) path must
  // not need it at all.
  const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({
    region,
    ...(endpoint ? { endpoint } : {}),
    maxAttempts: 1,
    // Without throwOnRequestTimeout, this SDK only logs a warning when requestTimeout passes
    // and keeps waiting, past Lambda@Edge's budget; the abort signal bounds the whole call.
    requestHandler: {
      connectionTimeout: connectMs,
      requestTimeout: fetchMs,
      throwOnRequestTimeout: true,
    },
  });
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }), {
      abortSignal: AbortSignal.timeout(connectMs + fetchMs),
    });
    return out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary).toString('utf8') : undefined);
  } catch (error) {
    // The SDK's error name (ResourceNotFoundException, AccessDeniedException, ...) is safe to
    // log; its message may quote the secret's ARN, which is not secret either.
    throw new SigningUnavailable('secret-unavailable', `Secrets Manager (${region}): ${error.name}: ${error.message}`);
  } finally {
    client.destroy();
  }
}

class SigningSecret {
  /**
   * @param {{secretsManager?: {secretId: string, region: string, endpoint?: string},
   *          dev?: ReturnType<typeof parseSecret>}} source the validated `signing` config
   * @param {{now?: () => number}} [deps]
   */
  constructor(source, deps = {}) {
    this.source = source;
    this.now = deps.now ?? Date.now;
    /** @type {Promise<SigningKeys> | null} */
    this.loaded = null;
    this.failedAt = -Infinity;
    /** @type {SigningUnavailable | null} */
    this.lastError = null;
    this.stats = { fetches: 0, regions: /** @type {string[]} */ ([]) };
    // Inline keys are parsed now, so a bad one is a config error at load (it names the field).
    if (source.dev) {
      const keys = loadKeys(source.dev);
      this.loaded = Promise.resolve(keys);
    }
  }

  /** The keys, loading them on first use; concurrent callers share one load. */
  get() {
    if (this.loaded) return this.loaded;
    if (this.lastError && this.now() - this.failedAt < RETRY_AFTER_MS) return Promise.reject(this.lastError);
    this.loaded = this.load().catch((error) => {
      this.reject(error instanceof SigningUnavailable ? error : new SigningUnavailable('key-invalid', error.message));
      throw this.lastError;
    });
    return this.loaded;
  }

  /** Whole seconds until a failed load may be retried (a `Retry-After` value, at least 1). */
  retryAfterSeconds() {
    return Math.max(1, Math.ceil((this.failedAt + RETRY_AFTER_MS - this.now()) / 1000));
  }

  /** Drops keys that failed their self-check, so the next call reads the secret again (after a pause). */
  reject(error) {
    this.loaded = null;
    this.failedAt = this.now();
    this.lastError = error;
  }

  /**
   * The secret's text: from the replica in this container's region first, falling back to
   * the primary region when the replica cannot be read (not yet replicated, throttled, down).
   * @param {{secretId: string, region: string, replicaRegions?: string[], endpoint?: string}} source
   */
  async read(source) {
    const [first, ...rest] = regionsToTry(source, process.env.AWS_REGION);
    this.stats.fetches += 1;
    this.stats.regions = [first]; // the regions the latest load asked, in order
    if (rest.length === 0) return fetchSecret({ ...source, region: first });
    try {
      return await fetchSecret({ ...source, region: first }, { connectMs: REPLICA_CONNECT_TIMEOUT_MS, fetchMs: REPLICA_FETCH_TIMEOUT_MS });
    } catch {
      this.stats.fetches += 1;
      this.stats.regions.push(rest[0]);
      return fetchSecret({ ...source, region: rest[0] });
    }
  }

  async load() {
    if (this.source.dev) return loadKeys(this.source.dev);
    const text = await this.read(/** @type {any} */ (this.source.secretsManager));
    let secret;
    try {
      secret = parseSecret(text);
    } catch (error) {
      throw new SigningUnavailable('secret-invalid', error.message);
    }
    return loadKeys(secret);
  }
}

/**
 * The region a read should try first: the container's own (Lambda@Edge sets AWS_REGION to the
 * region running the function) when the secret has a replica there, else the primary.
 * @param {{region: string, replicaRegions?: readonly string[]}} source
 * @param {string | undefined} here
 * @returns {string[]} regions in the order to try
 */
function regionsToTry({ region, replicaRegions = [] }, here) {
  return here && here !== region && replicaRegions.includes(here) ? [here, region] : [region];
}

module.exports = { regionsToTry, SigningSecret, SigningUnavailable, SecretError, parseSecret, loadKeys, RETRY_AFTER_MS };
