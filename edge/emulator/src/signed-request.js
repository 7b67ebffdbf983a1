// CloudFront's own check of signed URLs and signed cookies on a behavior with trusted key
// groups, written from the AWS documentation with node:crypto only. It deliberately shares
// no code with the project's Rust/WASM verifier: the emulator is the second opinion the
// edge handler is tested against.
//
// AWS sources, all in the CloudFront Developer Guide:
// - *Create a signed URL using a canned policy* / *... a custom policy*: the query
//   parameters (`Expires` or `Policy`, `Signature`, `Key-Pair-Id`, optional
//   `Hash-Algorithm`), the canned policy rebuilt byte for byte from the URL, the custom
//   policy's `DateLessThan` (required), `DateGreaterThan` and `IpAddress` conditions, and the
//   `Resource` wildcards (`*` any run of characters, `?` exactly one).
// - *Set signed cookies using a canned / custom policy*: the `CloudFront-*` cookie names.
// - *Decide to use signed URLs or signed cookies*: "if a viewer uses a signed URL ...
//   CloudFront determines whether to return the file ... based only on the signed URL".
// - "CloudFront base64": standard base64 with `+` -> `-`, `=` -> `_`, `/` -> `~`.
// - Signatures: RSA-SHA1 by default, SHA-256 when `Hash-Algorithm=SHA256` is present;
//   key groups hold RSA 2048 or ECDSA P-256 public keys.

import crypto from 'node:crypto';
import net from 'node:net';

/** The signed-URL parameters: any of them, by name, makes a URL a signed URL (cookies are then ignored). */
const SIGNING_PARAMS = ['Expires', 'Policy', 'Signature', 'Key-Pair-Id', 'Hash-Algorithm'];
const HASHES = { SHA1: 'sha1', SHA256: 'sha256' };

/**
 * @typedef {{ok: true, keyPairId: string, source: 'url' | 'cookie', expiresAt: number}
 *         | {ok: false, code: 'MissingKey' | 'InvalidKey' | 'MalformedPolicy' | 'MalformedSignature' | 'AccessDenied',
 *            why: string}} SignedRequestVerdict
 * `why` is for the emulator's log only; CloudFront's answer carries just the code.
 */

/**
 * The public keys of a behavior's trusted key groups, parsed once.
 * @param {readonly {id?: string, keys: Record<string, string | crypto.KeyObject>}[]} keyGroups
 * @returns {Map<string, crypto.KeyObject>} key pair id -> public key
 */
export function trustedKeys(keyGroups) {
  const keys = new Map();
  for (const group of keyGroups) {
    for (const [id, key] of Object.entries(group.keys)) {
      keys.set(id, key instanceof crypto.KeyObject ? key : crypto.createPublicKey(key));
    }
  }
  return keys;
}

/**
 * Decides a request the way CloudFront does on a behavior with trusted key groups.
 * @param {{url: string, cookieHeader?: string, clientIp?: string, nowMs: number,
 *          keys: Map<string, crypto.KeyObject>}} request
 *   `url` is the viewer URL as sent: `https://host/path?query`, percent-encoding untouched.
 * @returns {SignedRequestVerdict}
 */
export function checkSignedRequest({ url, cookieHeader = '', clientIp, nowMs, keys }) {
  const { resource, params } = splitSigningParams(url);
  const fromUrl = params.size > 0;
  const credentials = fromUrl ? params : cookieCredentials(cookieHeader);
  const source = fromUrl ? 'url' : 'cookie';
  if (credentials.size === 0) return deny('MissingKey', 'no signed-URL parameters and no CloudFront cookies');

  const keyPairId = credentials.get('Key-Pair-Id');
  if (!keyPairId) return deny('MissingKey', `${source}: no Key-Pair-Id`);
  const publicKey = keys.get(keyPairId);
  if (!publicKey) return deny('InvalidKey', `${source}: Key-Pair-Id ${keyPairId} is in no trusted key group`);

  const policy = readPolicy(credentials, resource);
  if (!policy.ok) return deny('MalformedPolicy', `${source}: ${policy.why}`);

  const encodedSignature = credentials.get('Signature');
  if (!encodedSignature) return deny('AccessDenied', `${source}: no Signature`);
  const signature = decodeCloudFrontBase64(encodedSignature);
  if (signature === null) return deny('MalformedSignature', `${source}: Signature is not CloudFront base64`);
  const hashName = credentials.get('Hash-Algorithm') ?? 'SHA1';
  const hash = HASHES[hashName];
  if (!hash) return deny('AccessDenied', `${source}: Hash-Algorithm ${hashName} is neither SHA1 nor SHA256`);
  let valid = false;
  try {
    valid = crypto.verify(hash, policy.bytes, publicKey, signature);
  } catch {
    valid = false; // a signature of the wrong length or shape for this key
  }
  if (!valid) return deny('AccessDenied', `${source}: signature does not verify under ${keyPairId}`);

  const nowSeconds = Math.floor(nowMs / 1000);
  const { dateLessThan, dateGreaterThan, resourcePattern, sourceIp } = policy.statement;
  if (nowSeconds >= dateLessThan) return deny('AccessDenied', `${source}: expired at ${dateLessThan}`);
  if (dateGreaterThan !== undefined && nowSeconds < dateGreaterThan) {
    return deny('AccessDenied', `${source}: not valid before ${dateGreaterThan}`);
  }
  if (resourcePattern !== undefined && !resourceMatches(resourcePattern, resource)) {
    return deny('AccessDenied', `${source}: resource ${resourcePattern} does not cover ${resource}`);
  }
  if (sourceIp !== undefined && !ipInCidr(clientIp, sourceIp)) {
    return deny('AccessDenied', `${source}: viewer ${clientIp} is outside ${sourceIp}`);
  }
  return { ok: true, keyPairId, source, expiresAt: dateLessThan * 1000 };
}

const deny = (code, why) => ({ ok: false, code, why });

/**
 * Whether a query string (without `?`) carries signed-URL parameters, which then decide the
 * request alone. A parameter counts by its name, with or without a value.
 * @param {string} querystring
 */
export function hasSignedUrlParameters(querystring) {
  return splitSigningParams(`/?${querystring}`).params.size > 0;
}

/**
 * The URL without its signing parameters (what a policy's Resource is compared with) and
 * those parameters. Other parameters keep their order and bytes.
 */
export function splitSigningParams(url) {
  const q = url.indexOf('?');
  if (q < 0) return { resource: url, params: new Map() };
  const params = new Map();
  const kept = [];
  for (const pair of url.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    if (SIGNING_PARAMS.includes(name)) {
      // A repeated signing parameter: the first one is read.
      if (!params.has(name)) params.set(name, eq < 0 ? '' : pair.slice(eq + 1));
    } else {
      kept.push(pair);
    }
  }
  const base = url.slice(0, q);
  return { resource: kept.length > 0 ? `${base}?${kept.join('&')}` : base, params };
}

/** The `CloudFront-*` cookies, by their unprefixed names; the first of a repeated name wins. */
function cookieCredentials(header) {
  const found = new Map();
  for (const piece of header.split(';')) {
    const pair = piece.trim();
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const name = pair.slice(0, eq);
    if (!name.startsWith('CloudFront-')) continue;
    const short = name.slice('CloudFront-'.length);
    if (SIGNING_PARAMS.includes(short) && !found.has(short)) found.set(short, pair.slice(eq + 1));
  }
  return found;
}

/** Standard base64 after CloudFront's substitutions, or null when it is not base64 at all. */
export function decodeCloudFrontBase64(text) {
  const standard = text.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(standard) || standard.length % 4 === 1) return null;
  return Buffer.from(standard, 'base64');
}

/**
 * The policy the signature must cover, as bytes, and its one statement. A canned policy is
 * rebuilt from the URL exactly as AWS specifies it (no whitespace, this key order).
 */
function readPolicy(credentials, resource) {
  const expires = credentials.get('Expires');
  const encoded = credentials.get('Policy');
  if (expires !== undefined && encoded !== undefined) return { ok: false, why: 'both Expires and Policy' };
  if (expires !== undefined) {
    if (!/^[0-9]{1,10}$/.test(expires) || Number(expires) > 2147483647) {
      return { ok: false, why: `Expires ${JSON.stringify(expires)} is not epoch seconds` };
    }
    const canned = `{"Statement":[{"Resource":"${resource}","Condition":{"DateLessThan":{"AWS:EpochTime":${Number(expires)}}}}]}`;
    return { ok: true, bytes: Buffer.from(canned), statement: { dateLessThan: Number(expires), resourcePattern: resource } };
  }
  if (encoded === undefined) return { ok: false, why: 'neither Expires nor Policy' };
  const bytes = decodeCloudFrontBase64(encoded);
  if (bytes === null) return { ok: false, why: 'Policy is not CloudFront base64' };
  let json;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, why: 'Policy is not JSON' };
  }
  const statement = parseStatement(json);
  return statement.ok ? { ok: true, bytes, statement: statement.value } : { ok: false, why: statement.why };
}

function parseStatement(json) {
  const statements = json?.Statement;
  if (!Array.isArray(statements) || statements.length !== 1) return { ok: false, why: 'Policy needs exactly one Statement' };
  const [statement] = statements;
  const condition = statement?.Condition;
  const epoch = (name) => condition?.[name]?.['AWS:EpochTime'];
  const dateLessThan = epoch('DateLessThan');
  if (!Number.isInteger(dateLessThan)) return { ok: false, why: 'Policy has no DateLessThan epoch time' };
  const dateGreaterThan = epoch('DateGreaterThan');
  if (dateGreaterThan !== undefined && !Number.isInteger(dateGreaterThan)) {
    return { ok: false, why: 'Policy DateGreaterThan is not an epoch time' };
  }
  const resourcePattern = statement.Resource;
  if (resourcePattern !== undefined && typeof resourcePattern !== 'string') return { ok: false, why: 'Policy Resource is not a string' };
  const sourceIp = condition?.IpAddress?.['AWS:SourceIp'];
  if (sourceIp !== undefined && (typeof sourceIp !== 'string' || parseCidr(sourceIp) === null)) {
    return { ok: false, why: 'Policy AWS:SourceIp is not an IPv4 CIDR' };
  }
  return { ok: true, value: { dateLessThan, dateGreaterThan, resourcePattern, sourceIp } };
}

/** A policy Resource with `*` (any run, empty included) and `?` (one character), case-sensitive. */
export function resourceMatches(pattern, url) {
  const source = [...pattern]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(url);
}

/** `a.b.c.d/n` (a bare address means /32), or null. */
function parseCidr(text) {
  const [address, bits = '32', extra] = text.split('/');
  if (extra !== undefined || !net.isIPv4(address) || !/^[0-9]{1,2}$/.test(bits) || Number(bits) > 32) return null;
  return { base: ipv4ToInt(address), bits: Number(bits) };
}

function ipv4ToInt(address) {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

/** Whether the viewer's address lies in the CIDR; an unknown or IPv6 viewer never does. */
export function ipInCidr(clientIp, cidr) {
  const range = parseCidr(cidr);
  if (range === null || typeof clientIp !== 'string') return false;
  const v4 = clientIp.startsWith('::ffff:') && net.isIPv4(clientIp.slice(7)) ? clientIp.slice(7) : clientIp;
  if (!net.isIPv4(v4)) return false;
  const size = 2 ** (32 - range.bits);
  return Math.floor(ipv4ToInt(v4) / size) === Math.floor(range.base / size);
}
