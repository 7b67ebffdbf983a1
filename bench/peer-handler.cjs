'use strict';
// The peer of the edge handler's private path, for the benchmark only: a viewer-request
// handler written with node:crypto alone, doing the same checks per request on a custom-policy
// cookie set (parse the Cookie header, decode the policy, verify RSA-SHA1 with the named key,
// check the time window and the Resource wildcard). No cache: this is what a hand-written
// handler using node:crypto (as @aws-sdk/cloudfront-signer users would) costs per request.
// Not a security reference: it ignores canned policies, signed URLs and IP conditions.

const crypto = require('node:crypto');

const fromCloudFrontBase64 = (v) => Buffer.from(v.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');
const escapeRegExp = (s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/**
 * The per-request checks on a custom-policy cookie set, node:crypto only: the reason for a
 * refusal, or null when the set is valid for `url` at `nowSeconds`.
 * @param {Map<string, crypto.KeyObject>} keys
 */
function createCookieSetCheck(keys) {
  return (cookieHeader, url, nowSeconds) => {
    const cookies = new Map();
    for (const pair of cookieHeader.split(';')) {
      const eq = pair.indexOf('=');
      if (eq > 0) cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    const policy = cookies.get('CloudFront-Policy');
    const signature = cookies.get('CloudFront-Signature');
    const key = keys.get(cookies.get('CloudFront-Key-Pair-Id'));
    if (!policy || !signature) return 'missing';
    if (!key) return 'unknown-key';
    const policyBytes = fromCloudFrontBase64(policy);
    if (!crypto.verify('sha1', policyBytes, key, fromCloudFrontBase64(signature))) return 'bad-signature';
    let statement;
    try {
      [statement] = JSON.parse(policyBytes.toString('utf8')).Statement;
    } catch {
      return 'malformed';
    }
    const condition = statement.Condition ?? {};
    if (!(nowSeconds < condition.DateLessThan?.['AWS:EpochTime'])) return 'expired';
    const notBefore = condition.DateGreaterThan?.['AWS:EpochTime'];
    if (notBefore !== undefined && !(nowSeconds >= notBefore)) return 'not-yet-valid';
    const pattern = new RegExp(`^${String(statement.Resource).split('*').map(escapeRegExp).join('.*')}$`);
    if (!pattern.test(url)) return 'resource-mismatch';
    return null;
  };
}

/**
 * @param {{keyGroup: Record<string, string>, tiers: {pathPrefix: string}[]}} config the
 *   key group (id -> public key PEM) and the tiers; the host is the request's Host header,
 *   as in the edge handler
 * @param {{now?: () => number}} [deps]
 */
function createPeerHandler(config, { now = Date.now } = {}) {
  const keys = new Map(Object.entries(config.keyGroup).map(([id, pem]) => [id, crypto.createPublicKey(pem)]));
  const check = createCookieSetCheck(keys);
  const deny = (status, reason) => ({
    status: String(status),
    headers: { 'content-type': [{ key: 'Content-Type', value: 'application/json' }] },
    body: JSON.stringify({ error: status === 401 ? 'unauthorized' : 'forbidden', reason }),
  });
  const statusOf = { missing: 401, expired: 401, 'not-yet-valid': 401 };

  return async (event) => {
    const request = event.Records[0].cf.request;
    if (!config.tiers.some((t) => request.uri.startsWith(t.pathPrefix))) return request;
    const host = request.headers.host?.[0]?.value?.toLowerCase();
    if (!host) return deny(400, 'bad-host');
    const header = (request.headers.cookie ?? []).map(({ value }) => value).join(';');
    const reason = check(header, `https://${host}${request.uri}`, Math.floor(now() / 1000));
    return reason === null ? request : deny(statusOf[reason] ?? 403, reason);
  };
}

module.exports = { createPeerHandler, createCookieSetCheck };

/**
 * The peer of `/auth` for the whole-cold-start bench: what a hand-written node:crypto mint does
 * for a Bearer ID token on a cold container: read the secret once (the AWS SDK's Secrets
 * Manager client, as the edge handler does), check the token's RS256 signature against the
 * embedded JWK and its iss, aud and exp, and sign one custom policy per tier. No session, no
 * caches, no typed refusals: a lower bound of the same work.
 * @param {{secretId: string, region: string, endpoint: string, jwk: object, issuer: string,
 *          audience: string, tiers: {pathPrefix: string}[]}} config
 */
function createPeerMint(config) {
  const stats = { secretReads: 0 };
  const jwtKey = crypto.createPublicKey({ key: config.jwk, format: 'jwk' });
  let secret;
  const readSecret = async () => {
    if (secret) return secret;
    const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
    const client = new SecretsManagerClient({ region: config.region, endpoint: config.endpoint, maxAttempts: 1 });
    stats.secretReads += 1;
    const out = await client.send(new GetSecretValueCommand({ SecretId: config.secretId }));
    client.destroy();
    const value = JSON.parse(out.SecretString);
    secret = { keyPairId: value.keyPairId, privateKey: crypto.createPrivateKey(value.privateKey) };
    return secret;
  };
  const toCloudFrontBase64 = (buf) => buf.toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
  const handle = async (event) => {
    const request = event.Records[0].cf.request;
    const keys = readSecret();
    const token = /^Bearer (.+)$/.exec(request.headers.authorization?.[0]?.value ?? '')?.[1] ?? '';
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    const ok = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')).alg === 'RS256'
      && crypto.verify('sha256', Buffer.from(`${h}.${p}`), jwtKey, Buffer.from(s, 'base64url'))
      && claims.iss === config.issuer && claims.aud === config.audience && claims.exp > Date.now() / 1000;
    if (!ok) return { status: '401' };
    const { keyPairId, privateKey } = await keys;
    const host = request.headers.host[0].value;
    const expires = Math.floor(Date.now() / 1000) + 3600;
    const setCookies = config.tiers.flatMap((tier) => {
      const policy = JSON.stringify({ Statement: [{ Resource: `https://${host}${tier.pathPrefix}*`, Condition: { DateLessThan: { 'AWS:EpochTime': expires } } }] });
      const signature = crypto.sign('sha1', Buffer.from(policy), privateKey);
      return [`CloudFront-Policy=${toCloudFrontBase64(Buffer.from(policy))}`, `CloudFront-Signature=${toCloudFrontBase64(signature)}`, `CloudFront-Key-Pair-Id=${keyPairId}`]
        .map((v) => ({ key: 'Set-Cookie', value: `${v}; Path=${tier.pathPrefix}; Secure; HttpOnly` }));
    });
    return { status: '200', headers: { 'set-cookie': setCookies } };
  };
  return { handle, stats };
}

module.exports.createPeerMint = createPeerMint;
