'use strict';
// The handler's configuration: a JSON file bundled beside it (Lambda@Edge has no environment
// variables), validated once at load. Every error names the field at fault. Nothing here is
// secret: the keys and session secrets live in one Secrets Manager secret (signing-secret.js).

const { parseSecret, SecretError } = require('./signing-secret');
const { ConfigError, isObject, object, onlyKnown, string, integer, stringArray, url } = require('./config-fields');
const { signIn, DEFAULT_RECHECK_SECONDS } = require('./config-sign-in');
const { limits } = require('./core');

const { maxPemBytes: MAX_PEM_BYTES, maxKeysPerGroup: MAX_KEYS_PER_GROUP } = limits();

const DEFAULTS = Object.freeze({
  refreshBeforeSeconds: 300,
  windowSeconds: 300,
  sessionLifetimeSeconds: 12 * 3600,
  leewaySeconds: 60,
  groupsClaim: 'cognito:groups',
  recheckSeconds: DEFAULT_RECHECK_SECONDS,
});
const MAX_TIERS = 10; // 3 Set-Cookie lines each must fit Lambda@Edge's 40 KB generated response
const MAX_LEEWAY_SECONDS = 300;

const HOST = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
// Path prefixes go into a policy Resource and a cookie Path: no wildcards (`*`, `?`), no
// separators (`;`, `,`), no spaces, and a trailing slash so `/gold/` never covers `/golden`.
const PATH_PREFIX = /^\/([A-Za-z0-9._~-]+\/)*$/;
const TIER_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$/;
const KEY_ID = /^[A-Za-z0-9]{1,128}$/;
/** Regions with a regional edge cache, and so with a replica worth reading: a generous cap. */
const MAX_REPLICA_REGIONS = 30;

/**
 * Optional: a parent domain shared by the distribution's host names, and then the only hosts
 * served (it and its subdomains). Cookies are host-only either way (minter.js).
 */
function domain(value) {
  if (value === undefined || value === null) return null;
  string(value, 'domain', { pattern: HOST, hint: 'must be a host name such as example.com (no scheme, port or dot in front)' });
  return value.toLowerCase();
}

/** Where the keys and session secrets come from: Secrets Manager, or inline for development. */
function signing(value, dev) {
  object(value, 'signing');
  onlyKnown(value, 'signing', ['secretsManager', 'dev']);
  if ((value.secretsManager === undefined) === (value.dev === undefined)) {
    throw new ConfigError('signing', 'must have exactly one of secretsManager or dev');
  }
  if (value.dev !== undefined) {
    if (!dev) throw new ConfigError('signing.dev', 'is only allowed with "dev": true; use signing.secretsManager');
    object(value.dev, 'signing.dev');
    try {
      return { dev: parseSecret(value.dev) };
    } catch (error) {
      if (error instanceof SecretError) throw new ConfigError(`signing.dev.${error.field}`, error.problem);
      throw error;
    }
  }
  const sm = object(value.secretsManager, 'signing.secretsManager');
  onlyKnown(sm, 'signing.secretsManager', ['secretId', 'region', 'replicaRegions', 'endpoint']);
  const out = {
    secretsManager: {
      secretId: string(sm.secretId, 'signing.secretsManager.secretId'),
      region: string(sm.region, 'signing.secretsManager.region', { pattern: REGION, hint: 'not an AWS region' }),
      // Regions holding a replica of the secret: a container in one of them (AWS_REGION) reads
      // its own replica first, then the primary region.
      replicaRegions: /** @type {string[]} */ ([]),
    },
  };
  if (sm.replicaRegions !== undefined) {
    if (!Array.isArray(sm.replicaRegions) || sm.replicaRegions.length > MAX_REPLICA_REGIONS) {
      throw new ConfigError('signing.secretsManager.replicaRegions', `must be an array of at most ${MAX_REPLICA_REGIONS} regions`);
    }
    out.secretsManager.replicaRegions = sm.replicaRegions.map((r, i) =>
      string(r, `signing.secretsManager.replicaRegions[${i}]`, { pattern: REGION, hint: 'not an AWS region' }),
    );
  }
  if (sm.endpoint !== undefined) {
    if (!dev) throw new ConfigError('signing.secretsManager.endpoint', 'is only allowed with "dev": true (tests)');
    out.secretsManager.endpoint = url(sm.endpoint, 'signing.secretsManager.endpoint', true);
  }
  return out;
}

function identityProvider(value, dev) {
  object(value, 'identityProvider');
  onlyKnown(value, 'identityProvider', [
    'issuer',
    'clientIds',
    'jwks',
    'jwksUrl',
    'tokenUse',
    'groupsClaim',
    'leewaySeconds',
    'signIn',
  ]);
  /** @type {{issuer: string, clientIds: string[], jwks?: object, jwksUrl?: string, tokenUse: 'id' | null, groupsClaim: string, leewaySeconds: number, signIn?: ReturnType<typeof signIn>}} */
  const out = {
    issuer: url(value.issuer, 'identityProvider.issuer', dev),
    clientIds: stringArray(value.clientIds, 'identityProvider.clientIds'),
    jwks: undefined,
    jwksUrl: undefined,
    tokenUse: 'id',
    groupsClaim:
      value.groupsClaim === undefined ? DEFAULTS.groupsClaim : string(value.groupsClaim, 'identityProvider.groupsClaim'),
    leewaySeconds: integer(value.leewaySeconds, 'identityProvider.leewaySeconds', {
      min: 0,
      max: MAX_LEEWAY_SECONDS,
      fallback: DEFAULTS.leewaySeconds,
    }),
  };
  if (value.jwks === undefined && value.jwksUrl === undefined) {
    throw new ConfigError('identityProvider.jwks', 'is required (or identityProvider.jwksUrl to fetch it)');
  }
  if (value.jwks !== undefined) out.jwks = object(value.jwks, 'identityProvider.jwks');
  if (value.jwksUrl !== undefined) out.jwksUrl = url(value.jwksUrl, 'identityProvider.jwksUrl', dev);
  if (value.tokenUse === null) out.tokenUse = null;
  else if (value.tokenUse !== undefined && value.tokenUse !== 'id') {
    throw new ConfigError('identityProvider.tokenUse', 'must be "id" or null (no token_use check)');
  }
  if (value.signIn !== undefined) out.signIn = signIn(value.signIn, out, dev);
  return out;
}

function tiers(value) {
  if (value === undefined) throw new ConfigError('tiers', 'is required');
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_TIERS) {
    throw new ConfigError('tiers', `must be an array of 1 to ${MAX_TIERS} tiers`);
  }
  const out = value.map((tier, i) => {
    const field = `tiers[${i}]`;
    object(tier, field);
    onlyKnown(tier, field, ['name', 'pathPrefix', 'groups']);
    const pathPrefix = string(tier.pathPrefix, `${field}.pathPrefix`, {
      pattern: PATH_PREFIX,
      hint: 'must start and end with "/" and use only letters, digits and . _ ~ -',
    });
    // Browsers resolve `.` and `..` before sending, so such a prefix would never be requested
    // as written: a tier nobody can reach, or one whose policy names another path.
    if (pathPrefix.split('/').some((segment) => segment === '.' || segment === '..')) {
      throw new ConfigError(`${field}.pathPrefix`, 'is invalid: must not contain "." or ".." segments');
    }
    return Object.freeze({
      name: string(tier.name, `${field}.name`, { pattern: TIER_NAME, hint: 'use letters, digits, _ and -' }),
      pathPrefix,
      groups: Object.freeze(stringArray(tier.groups, `${field}.groups`)),
    });
  });
  for (const [i, tier] of out.entries()) {
    if (out.findIndex((t) => t.name === tier.name) !== i)
      throw new ConfigError(`tiers[${i}].name`, 'repeats a tier name');
    if (out.findIndex((t) => t.pathPrefix === tier.pathPrefix) !== i) {
      throw new ConfigError(`tiers[${i}].pathPrefix`, 'repeats a path prefix');
    }
  }
  // A policy for `/videos/*` also covers `/videos/4k/...`, for CloudFront as for us: a tier
  // inside another would be open to the outer tier's cookies, so nesting is refused.
  for (const [i, tier] of out.entries()) {
    const outer = out.findIndex((t, j) => j !== i && tier.pathPrefix.startsWith(t.pathPrefix));
    if (outer >= 0) {
      throw new ConfigError(
        `tiers[${i}].pathPrefix`,
        `lies inside tiers[${outer}].pathPrefix, whose cookies would grant it too`,
      );
    }
  }
  if (out.some((t) => '/auth/'.startsWith(t.pathPrefix) && t.pathPrefix !== '/')) {
    throw new ConfigError('tiers', 'must not cover /auth');
  }
  return Object.freeze(out);
}

function cookies(value) {
  object(value, 'cookies');
  onlyKnown(value, 'cookies', ['lifetimeSeconds', 'refreshBeforeSeconds', 'windowSeconds', 'sessionLifetimeSeconds']);
  const out = {
    lifetimeSeconds: integer(value.lifetimeSeconds, 'cookies.lifetimeSeconds', { min: 300, max: 7 * 86400 }),
    refreshBeforeSeconds: integer(value.refreshBeforeSeconds, 'cookies.refreshBeforeSeconds', {
      min: 0,
      max: 86400,
      fallback: DEFAULTS.refreshBeforeSeconds,
    }),
    windowSeconds: integer(value.windowSeconds, 'cookies.windowSeconds', {
      min: 1,
      max: 86400,
      fallback: DEFAULTS.windowSeconds,
    }),
    sessionLifetimeSeconds: integer(value.sessionLifetimeSeconds, 'cookies.sessionLifetimeSeconds', {
      min: 300,
      max: 30 * 86400,
      fallback: DEFAULTS.sessionLifetimeSeconds,
    }),
  };
  // Cookies minted in one window live between lifetime - window and lifetime seconds; if
  // that could fall inside the refresh margin, every fresh cookie would ask to be re-minted.
  if (out.lifetimeSeconds <= out.refreshBeforeSeconds + out.windowSeconds) {
    throw new ConfigError('cookies.lifetimeSeconds', 'must exceed refreshBeforeSeconds + windowSeconds');
  }
  return out;
}

function signInUrl(value, dev, redirectFlow) {
  // With the redirect flow, the identity provider's own page signs viewers in; a page of the
  // site's own is optional.
  if (value === undefined && redirectFlow) return null;
  string(value, 'signInUrl');
  if (value.startsWith('/') && !value.startsWith('//') && !value.includes('\\')) return value;
  return url(value, 'signInUrl', dev);
}

/**
 * Optional: the key group's public keys (id -> SPKI PEM), bundled so that private paths need
 * no Secrets Manager read. Not secret. The keys themselves are parsed by the core at load.
 */
function keyGroup(value) {
  if (value === undefined) return null;
  object(value, 'keyGroup');
  const ids = Object.keys(value);
  if (ids.length === 0 || ids.length > MAX_KEYS_PER_GROUP) {
    throw new ConfigError('keyGroup', `must hold 1 to ${MAX_KEYS_PER_GROUP} keys (CloudFront's limit per key group)`);
  }
  for (const id of ids) {
    if (!KEY_ID.test(id)) throw new ConfigError(`keyGroup.${JSON.stringify(id)}`, 'is not a CloudFront key id (letters and digits)');
    const pem = string(value[id], `keyGroup.${id}`);
    if (Buffer.byteLength(pem) > MAX_PEM_BYTES) throw new ConfigError(`keyGroup.${id}`, `is over ${MAX_PEM_BYTES} bytes`);
    if (!pem.includes('-----BEGIN PUBLIC KEY-----')) throw new ConfigError(`keyGroup.${id}`, 'must be a public key PEM (-----BEGIN PUBLIC KEY-----)');
  }
  return { ...value };
}

/**
 * Validates a parsed config object and returns a frozen, normalised copy.
 * @throws {ConfigError} naming the first bad field
 */
function validateConfig(raw) {
  object(raw, '(config)');
  onlyKnown(raw, '', [
    '$comment',
    'dev',
    'domain',
    'signing',
    'keyGroup',
    'identityProvider',
    'tiers',
    'cookies',
    'signInUrl',
    'allowedRedirectPaths',
  ]);
  if (raw.dev !== undefined && typeof raw.dev !== 'boolean') throw new ConfigError('dev', 'must be true or false');
  const dev = raw.dev === true;
  const idp = identityProvider(raw.identityProvider, dev);
  const cookieTimes = cookies(raw.cookies);
  // Cookies minted from a redirect-flow session live at most until the next read of the
  // tiers, and are re-minted refreshBeforeSeconds before that: a shorter recheck would
  // re-mint on every request.
  if (idp.signIn && idp.signIn.recheckSeconds <= cookieTimes.refreshBeforeSeconds + cookieTimes.windowSeconds) {
    throw new ConfigError('identityProvider.signIn.recheckSeconds', 'must exceed cookies.refreshBeforeSeconds + cookies.windowSeconds');
  }
  const config = {
    dev,
    domain: domain(raw.domain),
    signing: signing(raw.signing, dev),
    keyGroup: keyGroup(raw.keyGroup),
    identityProvider: idp,
    tiers: tiers(raw.tiers),
    cookies: cookieTimes,
    signInUrl: signInUrl(raw.signInUrl, dev, idp.signIn !== undefined),
    allowedRedirectPaths: Object.freeze(
      stringArray(raw.allowedRedirectPaths, 'allowedRedirectPaths', {
        pattern: /^\/(?!\/)[^\\\s]*$/,
        hint: 'must be a path starting with a single "/"',
      }),
    ),
  };
  return deepFreeze(config);
}

function deepFreeze(value) {
  if (isObject(value) || Array.isArray(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * From a config that failed validation, the tier path prefixes, if they can be trusted, so a
 * broken config still tells private paths (denied) from public ones (passed). `null` when
 * they cannot: then every path is treated as private.
 */
function salvageTierPrefixes(raw) {
  if (!isObject(raw) || !Array.isArray(raw.tiers) || raw.tiers.length === 0) return null;
  const prefixes = raw.tiers.map((t) => (isObject(t) ? t.pathPrefix : undefined));
  return prefixes.every((p) => typeof p === 'string' && PATH_PREFIX.test(p)) ? prefixes : null;
}

module.exports = { validateConfig, salvageTierPrefixes, ConfigError, DEFAULTS };
