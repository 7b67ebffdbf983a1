// Shared test fixtures: keys generated at test time with node:crypto, a valid dev config,
// CloudFront viewer-request events of the real shape, ID tokens, and a CloudFront cookie
// verifier written independently of the core (node:crypto only).
//
// The handler's clock is injected, but aws-jwt-verify reads Date.now itself: so the tests pin
// Date (node:test's mock timers, Date only: timeouts still run in real time) and the harness
// clock moves it, and both judge at the same instant.
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import { mock } from 'node:test';

const require = createRequire(import.meta.url);
export const { createHandler } = require('../src/handler.js');

export const DOMAIN = 'media.example.com';
export const ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EdgeTest';
export const CLIENT_ID = 'edge-test-client';
export const KEY_ID = 'K2JCJMDEHXQW5F';
export const OTHER_KEY_ID = 'K3OTHERKEY0001';
/** A fixed clock: 2027-01-15T08:00:00Z. */
export const NOW = Date.UTC(2027, 0, 15, 8, 0, 0);
/** The real time when the tests started (for tokens a real identity provider issues). */
export const REAL_NOW = Date.now();
mock.timers.enable({ apis: ['Date'], now: NOW });

function rsa() {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey,
    publicKey,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }),
  };
}

/** The CloudFront signing key, a second key outside the key group, and the IdP's key. */
export const keys = { cloudfront: rsa(), stranger: rsa(), idp: rsa(), idpRotated: rsa() };

export const jwk = (key, kid) => ({ ...key.publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' });
export const JWKS = { keys: [jwk(keys.idp, 'idp-1')] };

/** Session MAC secrets: base64 of 32 random bytes, as the secret holds them. */
export const sessionSecret = () => crypto.randomBytes(32).toString('base64');
export const SESSION_SECRET = sessionSecret();

/** The secret's fields (inline for `signing.dev`, or a Secrets Manager SecretString). */
export function secret(patch = {}) {
  return { keyPairId: KEY_ID, privateKey: keys.cloudfront.privatePem, sessionSecret: SESSION_SECRET, ...patch };
}

export const TIERS = [
  { name: 'gold', pathPrefix: '/premium/', groups: ['gold'] },
  { name: 'silver', pathPrefix: '/videos/', groups: ['silver', 'gold'] },
];

/** A valid dev config; `patch` is merged at the top level. */
export function config(patch = {}) {
  return {
    dev: true,
    signing: { dev: secret() },
    identityProvider: { issuer: ISSUER, clientIds: [CLIENT_ID], jwks: JWKS },
    tiers: TIERS,
    cookies: { lifetimeSeconds: 3600, refreshBeforeSeconds: 300, windowSeconds: 300 },
    signInUrl: 'https://login.example.com/signin',
    allowedRedirectPaths: ['/premium/', '/videos/', '/home'],
    ...patch,
  };
}

/**
 * A handler on a controllable clock (starting at `start`, default NOW) that keeps its log
 * lines. Setting `clock.now` moves Date.now too.
 */
export function harness(cfg = config(), { start = NOW, ...deps } = {}) {
  const logs = [];
  mock.timers.setTime(start);
  const clock = {
    get now() {
      return Date.now();
    },
    set now(ms) {
      mock.timers.setTime(ms);
    },
  };
  const handler = createHandler(cfg, { now: () => Date.now(), log: (l) => logs.push(l), ...deps });
  return { handler, logs, clock, state: handler.state };
}

/**
 * A Lambda@Edge viewer-request event, as CloudFront sends it.
 * @param {{uri: string, method?: string, querystring?: string, headers?: Record<string, string|string[]>, clientIp?: string}} r
 */
export function viewerRequest({ uri, method = 'GET', querystring = '', headers = {}, clientIp = '203.0.113.178', host = DOMAIN }) {
  const cfHeaders = { host: [{ key: 'Host', value: host }], 'user-agent': [{ key: 'User-Agent', value: 'test' }] };
  for (const [name, value] of Object.entries(headers)) {
    const key = name.replace(/(^|-)([a-z])/g, (_, dash, c) => dash + c.toUpperCase());
    cfHeaders[name.toLowerCase()] = (Array.isArray(value) ? value : [value]).map((v) => ({ key, value: v }));
  }
  return {
    Records: [
      {
        cf: {
          config: {
            distributionDomainName: 'd111111abcdef8.cloudfront.net',
            distributionId: 'EDFDVBD6EXAMPLE',
            eventType: 'viewer-request',
            requestId: crypto.randomBytes(16).toString('base64url'),
          },
          request: { clientIp, headers: cfHeaders, method, querystring, uri },
        },
      },
    ],
  };
}

export const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** An ID token like Cognito's, RS256 under the IdP key unless told otherwise. */
export function idToken({ claims = {}, header = {}, key = keys.idp.privateKey, now = NOW } = {}) {
  const h = { kid: 'idp-1', alg: 'RS256', ...header };
  const c = {
    sub: 'a1b2c3d4-0000-4000-8000-000000000001',
    'cognito:groups': ['gold'],
    email_verified: true,
    iss: ISSUER,
    'cognito:username': 'alice',
    aud: CLIENT_ID,
    token_use: 'id',
    auth_time: Math.floor(now / 1000) - 5,
    exp: Math.floor(now / 1000) + 3600,
    iat: Math.floor(now / 1000) - 5,
    email: 'alice@example.com',
    ...claims,
  };
  const input = `${b64url(h)}.${b64url(c)}`;
  return `${input}.${crypto.sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

/**
 * `alg` tokens that must never verify: unsigned (`none`, with an empty signature, which does
 * not even parse as a JWS, and with a junk one) and HMAC keyed with the public key.
 */
export function forgedTokens(claims = {}) {
  const c = { ...JSON.parse(Buffer.from(idToken({ claims }).split('.')[1], 'base64url')) };
  const none = `${b64url({ alg: 'none', kid: 'idp-1' })}.${b64url(c)}.`;
  const noneSigned = `${b64url({ alg: 'none', kid: 'idp-1' })}.${b64url(c)}.AAAA`;
  const hsInput = `${b64url({ alg: 'HS256', kid: 'idp-1' })}.${b64url(c)}`;
  const hs256 = `${hsInput}.${crypto.createHmac('sha256', keys.idp.publicPem).update(hsInput).digest('base64url')}`;
  return { none, noneSigned, hs256 };
}

// ---- responses --------------------------------------------------------------------------

export const setCookies = (response) => (response.headers['set-cookie'] ?? []).map((h) => h.value);
export const location = (response) => response.headers.location?.[0].value;
export const body = (response) => JSON.parse(response.body);

/** Set-Cookie lines -> {name: {value, attrs}} keyed by `name|Path`. */
export function cookieJar(lines) {
  const jar = {};
  for (const line of lines) {
    const [pair, ...attrs] = line.split('; ');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const attributes = Object.fromEntries(
      attrs.map((a) => {
        const i = a.indexOf('=');
        return i < 0 ? [a, true] : [a.slice(0, i), a.slice(i + 1)];
      }),
    );
    jar[`${name}|${attributes.Path}`] = { name, value: pair.slice(eq + 1), attributes };
  }
  return jar;
}

/**
 * The Cookie header a browser would send for `path` from a cookie jar (longest Path first);
 * `session: false` leaves the session cookie out (then nothing can re-mint).
 */
export function cookieHeaderFor(jar, path, { session = true } = {}) {
  return Object.values(jar)
    .filter((c) => c.value !== '' && path.startsWith(c.attributes.Path))
    .filter((c) => session || c.name !== '__Host-edge-auth-session')
    .sort((a, b) => b.attributes.Path.length - a.attributes.Path.length)
    .map((c) => `${c.name}=${c.value}`)
    .join('; ');
}

// ---- an independent CloudFront verifier (node:crypto only) ------------------------------

const fromCloudFrontBase64 = (v) => Buffer.from(v.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');

/**
 * Checks a custom-policy cookie set the way CloudFront documents it: RSA-SHA1 over the
 * policy bytes with the named public key, the Resource wildcard, and DateLessThan.
 */
export function independentVerify({ policy, signature, keyPairId }, { url, nowSeconds, publicKeys }) {
  const publicPem = publicKeys[keyPairId];
  if (!publicPem) return 'unknown-key';
  const policyBytes = fromCloudFrontBase64(policy);
  if (!crypto.verify('sha1', policyBytes, publicPem, fromCloudFrontBase64(signature))) return 'bad-signature';
  const statement = JSON.parse(policyBytes.toString('utf8')).Statement;
  if (statement.length !== 1) return 'malformed';
  const { Resource, Condition } = statement[0];
  const pattern = new RegExp(
    `^${Resource.split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  if (!pattern.test(url)) return 'resource-mismatch';
  if (!(nowSeconds < Condition.DateLessThan['AWS:EpochTime'])) return 'expired';
  return 'ok';
}

/** Pulls the CloudFront cookies of one tier path out of Set-Cookie lines. */
export function tierCookies(lines, pathPrefix) {
  const jar = cookieJar(lines);
  const get = (name) => jar[`${name}|${pathPrefix}`]?.value;
  return {
    policy: get('CloudFront-Policy'),
    signature: get('CloudFront-Signature'),
    keyPairId: get('CloudFront-Key-Pair-Id'),
  };
}

/** Signs arbitrary policy JSON with a key (for forged, expired or foreign cookie sets). */
export function cookieSetFor(policyJson, { key = keys.cloudfront.privateKey, keyPairId = KEY_ID } = {}) {
  const enc = (buf) => buf.toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
  const signature = enc(crypto.sign('sha1', Buffer.from(policyJson), key));
  return `CloudFront-Policy=${enc(Buffer.from(policyJson))}; CloudFront-Signature=${signature}; CloudFront-Key-Pair-Id=${keyPairId}`;
}

export const policyFor = (pathPrefix, expiresAt, domain = DOMAIN) =>
  JSON.stringify({
    Statement: [
      { Resource: `https://${domain}${pathPrefix}*`, Condition: { DateLessThan: { 'AWS:EpochTime': expiresAt } } },
    ],
  });

/** Runs /auth with an ID token and returns the response. */
export async function signIn(handler, { token = idToken(), querystring = '', method = 'GET', headers = {} } = {}) {
  return handler(
    viewerRequest({ uri: '/auth', method, querystring, headers: { authorization: `Bearer ${token}`, ...headers } }),
  );
}

/** Asserts no log line carries a secret: tokens, signatures, policies, PEM or session values. */
export function assertNoSecrets(assert, logs, secrets) {
  const text = logs.map((l) => JSON.stringify(l)).join('\n');
  for (const secret of secrets.filter(Boolean)) {
    assert.ok(!text.includes(secret), `a log line carries a secret (${secret.slice(0, 12)}...)`);
  }
  assert.ok(!text.includes('PRIVATE KEY'), 'a log line carries a private key');
}
