// The edge config a real deployment bundles, made from deploy/package.mjs's options: pure (no
// file, network or AWS call), so deploy/package.test.mjs checks it directly.
//
// The prerequisites stack's or module's outputs (--identity-outputs: deploy/identity.yaml or
// deploy/terraform/identity) are always read: they name the key group's public keys, whose ids
// CloudFront chose, and the bundle carries them (keyGroup) so that a private path decides with
// no Secrets Manager call. The identity provider comes one of three ways:
//   - the same outputs, when that stack made a Cognito user pool (the default);
//   - a Cognito user pool of your own (--user-pool-id, --client-id, --cognito-domain);
//   - any OpenID Provider (--issuer, --client-id, --jwks-url): edge/scripts/bundle.mjs then
//     fills identityProvider.signIn.metadata from the issuer's discovery document.
// The secret's replicas (--edge-regions, the site stack's EdgeRegions) go in as
// signing.secretsManager.replicaRegions: the handler reads the one in its own region.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WIRING = JSON.parse(
  fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'wiring.json'), 'utf8'),
);

export class OptionError extends Error {
  /** @param {string} message naming the flag at fault */
  constructor(message) {
    super(message);
    this.name = 'OptionError';
  }
}

// deploy/template.yaml's SecretName pattern (Secrets Manager's own rule for a name).
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$/;
// Cognito: REGION_ID (CreateUserPool), and an app client id of word characters and `+`.
const USER_POOL_ID = /^([a-z]{2}(-[a-z]+)+-[0-9]{1,2})_[0-9A-Za-z]+$/;
const COGNITO_CLIENT_ID = /^[\w+]{1,128}$/;
const CLIENT_ID = /^[\x21-\x7e]{1,256}$/; // any IdP: printable, no space
const HOST = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;
const GROUP = /^(\*|[A-Za-z0-9_.:+=@-]{1,128})$/;
// CloudFront's public key ids, and an SPKI PEM (real newlines, or `\n` escapes as a PEM given
// on one line to the stack comes back).
const KEY_ID = /^[A-Za-z0-9]{1,128}$/;
const SPKI_PEM = /^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PUBLIC KEY-----\n?$/;
const TIER_PREFIX = /^\/([A-Za-z0-9._~-]+\/)+$/;
/** The regions the site stack replicates the secret to by default (its EdgeRegions). */
export const EDGE_REGIONS = WIRING.edgeRegions.default;
export const CLIENT_AUTHENTICATIONS = ['none', 'client_secret_basic', 'client_secret_post'];
const LOGOUTS = ['end-session', 'cognito', 'local'];

/** Flags that name the identity provider, by source; a source's flags never mix with another's. */
const SOURCES = {
  cognito: ['user-pool-id', 'cognito-domain'],
  oidc: ['issuer', 'jwks-url', 'logout', 'groups-claim'],
};
/** The outputs that make a user pool: all of them, or none (CreateUserPool=false). */
const POOL_OUTPUTS = ['UserPoolId', 'ClientId', 'CognitoDomain', 'ClientAuthentication'];

function https(value, flag) {
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new OptionError(`${flag} must be an https:// URL`);
  }
  if (url.protocol !== 'https:') throw new OptionError(`${flag} must be an https:// URL`);
  return value; // as given: an issuer must equal the tokens' iss, trailing slash and all
}

/**
 * The prerequisites stack's outputs as one map by CloudFormation name, from either form:
 * `aws cloudformation describe-stacks --query 'Stacks[0].Outputs'` ([{OutputKey, OutputValue}])
 * or `terraform output -json` ({name: {value, sensitive}}); names come from deploy/wiring.json.
 * Sensitive and null outputs are ignored: nothing secret goes into a bundle.
 */
export function readIdentityOutputs(json) {
  const names = WIRING.identity.outputs.filter((o) => o.cloudformation && o.terraform);
  const out = {};
  if (Array.isArray(json)) {
    for (const { OutputKey, OutputValue } of json) {
      if (names.some((n) => n.cloudformation === OutputKey)) out[OutputKey] = OutputValue;
    }
  } else if (json && typeof json === 'object') {
    for (const n of names) {
      const entry = json[n.terraform];
      if (entry && !entry.sensitive && typeof entry.value === 'string') out[n.cloudformation] = entry.value;
    }
  }
  const lacking = (names) => names.filter((k) => !out[k]);
  const hint = "(the prerequisites stack's outputs, or terraform output -json of a root that passes them on)";
  const keys = lacking(['KeyGroupId', 'ActiveKeyId']);
  if (keys.length) throw new OptionError(`--identity-outputs lacks ${keys.join(', ')} ${hint}`);
  const pool = lacking(POOL_OUTPUTS);
  if (pool.length && pool.length < POOL_OUTPUTS.length) throw new OptionError(`--identity-outputs lacks ${pool.join(', ')} ${hint}`);
  return out;
}

/**
 * The key group's public keys, by the ids CloudFront gave them: what the handler verifies a
 * private path's cookies with, and what it must never sign outside of (ActiveKeyId).
 * @param {Record<string, string>} out readIdentityOutputs' map
 */
export function keyGroup(out) {
  /** @type {Record<string, string>} */
  const group = {};
  for (const slot of ['A', 'B']) {
    const id = out[`PublicKeyId${slot}`];
    const pem = out[`PublicKey${slot}`];
    if (!id && !pem) continue;
    if (!KEY_ID.test(id ?? '')) throw new OptionError(`--identity-outputs: PublicKeyId${slot} is not a CloudFront public key id`);
    const text = (pem ?? '').replaceAll('\\n', '\n');
    if (!SPKI_PEM.test(text)) throw new OptionError(`--identity-outputs: PublicKey${slot} is not an SPKI PEM`);
    group[id] = text.endsWith('\n') ? text : `${text}\n`;
  }
  if (Object.keys(group).length === 0) throw new OptionError('--identity-outputs names no public key (PublicKeyIdA/PublicKeyA or B)');
  if (!(out.ActiveKeyId in group)) {
    throw new OptionError(`--identity-outputs: ActiveKeyId ${out.ActiveKeyId} is not one of the key group's keys`);
  }
  return group;
}

/**
 * The regions holding a replica of the secret: the site stack's EdgeRegions, which must list the
 * same (comma separated; empty: none).
 * @param {string} value
 * @param {string} secretRegion where the secret itself lives
 */
function replicaRegions(value, secretRegion) {
  const regions = value.split(',').map((r) => r.trim()).filter(Boolean);
  for (const region of regions) {
    if (!REGION.test(region)) throw new OptionError(`--edge-regions: ${JSON.stringify(region)} is not an AWS region`);
    if (region === secretRegion) throw new OptionError(`--edge-regions: ${region} holds the secret itself, not a replica`);
  }
  if (new Set(regions).size !== regions.length) throw new OptionError('--edge-regions lists a region twice');
  return regions;
}

/**
 * The tiers: --tier NAME:/PREFIX/:GROUP[,GROUP...] (repeatable, in CloudFront's behavior order),
 * or the two default ones, private and premium.
 * @param {Record<string, any>} args
 * @param {{private: string, premium: string}} groups the default tiers' groups
 */
function tiers(args, groups) {
  if (args.tier === undefined) {
    for (const [tier, group] of Object.entries(groups)) {
      if (!GROUP.test(group)) throw new OptionError(`--${tier}-group must be a group name (or * for every signed-in user)`);
    }
    // Premium members read the private tier too; `*` lets every signed-in user in.
    const privateGroups = groups.private === '*' ? ['*'] : [...new Set([groups.private, groups.premium])];
    return [
      { name: 'private', pathPrefix: args['private-prefix'], groups: privateGroups },
      { name: 'premium', pathPrefix: args['premium-prefix'], groups: [groups.premium] },
    ];
  }
  for (const flag of ['private-group', 'premium-group']) {
    if (args[flag] !== undefined) throw new OptionError(`--${flag} goes with the default tiers, not --tier`);
  }
  const list = [args.tier].flat();
  if (list.length > 10) throw new OptionError('--tier: at most 10 tiers (the handler\'s limit)');
  return list.map((spec) => {
    const match = /^([A-Za-z0-9_-]{1,64}):(\/[^:]*\/):(.+)$/.exec(spec);
    if (!match || !TIER_PREFIX.test(match[2])) {
      throw new OptionError(`--tier ${JSON.stringify(spec)}: must be NAME:/PREFIX/:GROUP[,GROUP], e.g. gold:/gold/:gold-members`);
    }
    const tierGroups = match[3].split(',');
    for (const group of tierGroups) {
      if (!GROUP.test(group)) throw new OptionError(`--tier ${match[1]}: ${JSON.stringify(group)} is not a group name (or *)`);
    }
    return { name: match[1], pathPrefix: match[2], groups: tierGroups };
  });
}

/**
 * Which source names the identity provider: the outputs when they hold a user pool, else the
 * flags of one source; refusing none and more than one.
 * @param {Record<string, any>} args
 * @param {boolean} outputsHavePool
 */
function source(args, outputsHavePool) {
  const used = Object.entries(SOURCES).filter(([, flags]) => flags.some((f) => args[f] !== undefined));
  const named = used.map(([, flags]) => `--${flags.find((f) => args[f] !== undefined)}`);
  if (outputsHavePool) named.unshift('--identity-outputs');
  if (named.length > 1) throw new OptionError(`${named.join(' and ')} name two identity providers: give one`);
  if (outputsHavePool) return 'outputs';
  if (used.length === 0) {
    throw new OptionError(
      'missing the identity provider: --identity-outputs of a stack with a user pool, or --user-pool-id with --client-id, or --issuer with --client-id and --jwks-url',
    );
  }
  return used[0][0];
}

function clientAuthentication(value, flag = '--client-auth') {
  const v = value ?? 'none';
  if (!CLIENT_AUTHENTICATIONS.includes(v)) throw new OptionError(`${flag} must be one of ${CLIENT_AUTHENTICATIONS.join(', ')}`);
  return v;
}

function cognitoDomain(value) {
  const host = value.replace(/^https:\/\//, '').replace(/\/+$/, '');
  if (!HOST.test(host)) throw new OptionError('--cognito-domain must be the managed login domain, e.g. prefix.auth.us-east-1.amazoncognito.com');
  return `https://${host}`;
}

/** A Cognito user pool: every endpoint is known, so the metadata is written here. */
function cognito({ userPoolId, clientId, domain, auth, scopes }) {
  const pool = USER_POOL_ID.exec(userPoolId);
  if (!pool) throw new OptionError('--user-pool-id must be a user pool id such as us-east-1_AbCdEf');
  if (!COGNITO_CLIENT_ID.test(clientId ?? '')) throw new OptionError('--client-id must be the app client id');
  const issuer = `https://cognito-idp.${pool[1]}.amazonaws.com/${userPoolId}`;
  const signIn = { clientId, clientAuthentication: auth, scopes, logout: 'cognito' };
  if (domain !== undefined) {
    // Cognito's endpoints (Amazon Cognito Developer Guide, "User pool endpoints reference").
    // Without a domain, edge/scripts/bundle.mjs reads them from the discovery document.
    const base = cognitoDomain(domain);
    signIn.metadata = {
      issuer,
      authorization_endpoint: `${base}/oauth2/authorize`,
      token_endpoint: `${base}/oauth2/token`,
      revocation_endpoint: `${base}/oauth2/revoke`,
    };
  }
  return {
    issuer,
    clientIds: [clientId],
    jwksUrl: `${issuer}/.well-known/jwks.json`,
    groupsClaim: 'cognito:groups',
    signIn,
  };
}

/** Any OpenID Provider: its endpoints come from discovery when the bundle is built. */
function oidc(args, scopes) {
  if (args.issuer === undefined) throw new OptionError('--jwks-url, --logout and --groups-claim go with --issuer');
  const issuer = https(args.issuer, '--issuer');
  if (args['jwks-url'] === undefined) throw new OptionError("--issuer needs --jwks-url (the discovery document's jwks_uri)");
  if (!CLIENT_ID.test(args['client-id'] ?? '')) throw new OptionError('--issuer needs --client-id');
  const signIn = { clientId: args['client-id'], clientAuthentication: clientAuthentication(args['client-auth']), scopes };
  if (args.logout !== undefined) {
    if (!LOGOUTS.includes(args.logout)) throw new OptionError(`--logout must be one of ${LOGOUTS.join(', ')}`);
    signIn.logout = args.logout;
  }
  return {
    issuer,
    clientIds: [args['client-id']],
    jwksUrl: https(args['jwks-url'], '--jwks-url'),
    ...(args['groups-claim'] === undefined ? {} : { groupsClaim: args['groups-claim'] }),
    signIn,
  };
}

/**
 * The identity provider's part of the config, and the group names the default tiers use.
 * @param {Record<string, any>} args package.mjs's flags, by name
 * @param {Record<string, string>} out the prerequisites' outputs (readIdentityOutputs)
 */
function identityProvider(args, out) {
  const scopes = (args.scopes ?? 'email').split(/[\s,]+/).filter((s) => s && s !== 'openid');
  switch (source(args, out.UserPoolId !== undefined)) {
    case 'outputs': {
      for (const flag of ['client-id', 'client-auth', 'private-group', 'premium-group']) {
        if (args[flag] !== undefined) throw new OptionError(`--${flag} comes from --identity-outputs: leave it out`);
      }
      return {
        identityProvider: cognito({
          userPoolId: out.UserPoolId,
          clientId: out.ClientId,
          domain: out.CognitoDomain,
          auth: clientAuthentication(out.ClientAuthentication, 'the ClientAuthentication output'),
          scopes,
        }),
        groups: { private: out.PrivateGroupName ?? 'private', premium: out.PremiumGroupName ?? 'premium' },
      };
    }
    case 'cognito':
      if (args['user-pool-id'] === undefined) throw new OptionError('--cognito-domain goes with --user-pool-id');
      return {
        identityProvider: cognito({
          userPoolId: args['user-pool-id'],
          clientId: args['client-id'],
          domain: args['cognito-domain'],
          auth: clientAuthentication(args['client-auth']),
          scopes,
        }),
        groups: { private: args['private-group'] ?? 'private', premium: args['premium-group'] ?? 'premium' },
      };
    default:
      return {
        identityProvider: oidc(args, scopes),
        groups: { private: args['private-group'] ?? 'private', premium: args['premium-group'] ?? 'premium' },
      };
  }
}

/** The --identity-outputs file, read and parsed. */
function outputsOf(args, readFile) {
  if (args['identity-outputs'] === undefined) {
    throw new OptionError(
      "missing --identity-outputs FILE: the prerequisites stack's outputs (deploy/identity.yaml), which name the key group's public keys",
    );
  }
  let json;
  try {
    json = JSON.parse(readFile(args['identity-outputs']));
  } catch (error) {
    throw new OptionError(`--identity-outputs: cannot read ${args['identity-outputs']}: ${error.message}`);
  }
  return readIdentityOutputs(json);
}

/**
 * The whole edge config. It needs nothing the site's stack creates: the host comes from each
 * request, the public keys from the prerequisites, the secrets from the Secrets Manager secret
 * named here (and its replicas).
 * @param {Record<string, any>} args package.mjs's flags, by name (defaults applied)
 * @param {{readFile?: (file: string) => string}} [io]
 */
export function buildConfig(args, { readFile = (f) => fs.readFileSync(f, 'utf8') } = {}) {
  if (!SECRET_NAME.test(args['secret-name'])) throw new OptionError('--secret-name must be a Secrets Manager name (letters, digits, /_+=.@-)');
  if (!REGION.test(args['secret-region'])) throw new OptionError('--secret-region must be an AWS region');
  const replicas = replicaRegions(args['edge-regions'] ?? EDGE_REGIONS.join(','), args['secret-region']);
  const out = outputsOf(args, readFile);
  const { identityProvider: idp, groups } = identityProvider(args, out);
  const tierList = tiers(args, groups);
  const config = {
    ...(args.domain === undefined ? {} : { domain: args.domain }),
    keyGroup: keyGroup(out),
    signing: {
      secretsManager: {
        secretId: args['secret-name'],
        region: args['secret-region'],
        ...(replicas.length ? { replicaRegions: replicas } : {}),
      },
    },
    identityProvider: idp,
    tiers: tierList,
    cookies: { lifetimeSeconds: Number(args.lifetime) },
    allowedRedirectPaths: [...tierList.map((t) => t.pathPrefix), '/'],
  };
  // The redirect flow signs viewers in by default; a page of your own wins when given.
  if (args['sign-in-url'] !== undefined) config.signInUrl = args['sign-in-url'];
  return config;
}
