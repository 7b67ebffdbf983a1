'use strict';
// `identityProvider.signIn`: the redirect flow's slice of the config (edge/README.md).

const { ConfigError, object, onlyKnown, string, integer, stringArray, url } = require('./config-fields');

/** How long tiers are trusted before a re-mint reads them again at the provider. */
const DEFAULT_RECHECK_SECONDS = 15 * 60;
const CLIENT_AUTHENTICATION = ['none', 'client_secret_basic', 'client_secret_post'];
const LOGOUT = ['end-session', 'cognito', 'local'];
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+$/; // RFC 6749 §3.3 scope-token
const METADATA_URLS = ['authorization_endpoint', 'token_endpoint', 'revocation_endpoint', 'end_session_endpoint'];

/**
 * The redirect flow (OpenID Connect authorization code with PKCE): the client the edge signs
 * in as, and the provider's endpoints from its discovery document, embedded when the bundle
 * is built (edge/scripts/bundle.mjs) so that a cold start makes no discovery call.
 */
function signIn(value, idp, dev) {
  const field = 'identityProvider.signIn';
  object(value, field);
  onlyKnown(value, field, ['clientId', 'clientAuthentication', 'scopes', 'recheckSeconds', 'logout', 'metadata']);
  const clientId = string(value.clientId, `${field}.clientId`);
  if (!idp.clientIds.includes(clientId)) {
    throw new ConfigError(`${field}.clientId`, 'must be one of identityProvider.clientIds (its ID tokens are checked against them)');
  }
  const clientAuthentication = value.clientAuthentication ?? 'none';
  if (!CLIENT_AUTHENTICATION.includes(clientAuthentication)) {
    throw new ConfigError(`${field}.clientAuthentication`, `must be one of: ${CLIENT_AUTHENTICATION.join(', ')}`);
  }
  const scopes = value.scopes === undefined ? [] : stringArray(value.scopes, `${field}.scopes`, { pattern: SCOPE, hint: 'a scope has no spaces or quotes' });
  const metadata = object(value.metadata, `${field}.metadata`);
  for (const key of Object.keys(metadata)) {
    if (METADATA_URLS.includes(key) && metadata[key] !== undefined) url(metadata[key], `${field}.metadata.${key}`, dev);
  }
  for (const key of ['authorization_endpoint', 'token_endpoint']) string(metadata[key], `${field}.metadata.${key}`);
  // RFC 8414 §3.3: the metadata's issuer is the issuer whose tokens we accept, exactly.
  if (metadata.issuer !== idp.issuer) throw new ConfigError(`${field}.metadata.issuer`, `must equal identityProvider.issuer (${idp.issuer})`);
  const iss = metadata.authorization_response_iss_parameter_supported;
  if (iss !== undefined && typeof iss !== 'boolean') {
    throw new ConfigError(`${field}.metadata.authorization_response_iss_parameter_supported`, 'must be true or false');
  }
  const logout = value.logout ?? defaultLogout(metadata, idp.issuer);
  if (!LOGOUT.includes(logout)) throw new ConfigError(`${field}.logout`, `must be one of: ${LOGOUT.join(', ')}`);
  if (logout === 'end-session' && metadata.end_session_endpoint === undefined) {
    throw new ConfigError(`${field}.logout`, 'is "end-session" but metadata has no end_session_endpoint');
  }
  return {
    clientId,
    clientAuthentication,
    scopes: ['openid', ...scopes.filter((s) => s !== 'openid')],
    recheckSeconds: integer(value.recheckSeconds, `${field}.recheckSeconds`, {
      min: 60,
      max: 30 * 86400,
      fallback: DEFAULT_RECHECK_SECONDS,
    }),
    logout,
    metadata: Object.fromEntries(
      ['issuer', ...METADATA_URLS, 'authorization_response_iss_parameter_supported']
        .filter((k) => metadata[k] !== undefined)
        .map((k) => [k, metadata[k]]),
    ),
  };
}

/** OpenID RP-initiated logout where the provider has it; Cognito's own /logout for a user pool. */
function defaultLogout(metadata, issuer) {
  if (metadata.end_session_endpoint !== undefined) return 'end-session';
  return /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\//.test(issuer) ? 'cognito' : 'local';
}

module.exports = { signIn, DEFAULT_RECHECK_SECONDS };
