'use strict';
// Sealed cookie values: AES-256-GCM (node:crypto) over a JSON payload, so the browser can
// neither read nor change what we keep in it (a PKCE code verifier, a refresh token). The
// key is derived with HKDF-SHA256 from the secret's session secret, one key per purpose
// ("session", "flow"), so a value sealed for one purpose never opens as another. After a
// rotation of the session secret, values sealed under `previousSessionSecret` still open.
//
// Format: base64url(12-byte IV || ciphertext || 16-byte tag). The purpose is also the
// additional authenticated data.

const { createCipheriv, createDecipheriv, hkdfSync, randomBytes } = require('node:crypto');

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** @typedef {{current: Buffer, previous: Buffer | null}} SessionKeys */

/** Derived keys per session-keys object and purpose: HKDF runs once per container. */
const derived = new WeakMap();

/** @param {SessionKeys} keys @param {string} purpose @returns {Buffer[]} current first */
function keysFor(keys, purpose) {
  let byPurpose = derived.get(keys);
  if (!byPurpose) derived.set(keys, (byPurpose = new Map()));
  let out = byPurpose.get(purpose);
  if (!out) {
    const info = `cloudfront-edge-auth ${purpose} v1`;
    out = [keys.current, keys.previous]
      .filter((k) => k !== null)
      .map((k) => Buffer.from(hkdfSync('sha256', k, Buffer.alloc(0), info, 32)));
    byPurpose.set(purpose, out);
  }
  return out;
}

/**
 * @param {SessionKeys} keys sealed under the current key, always
 * @param {string} purpose
 * @param {unknown} value JSON-serialisable
 * @returns {string}
 */
function seal(keys, purpose, value) {
  const [key] = keysFor(keys, purpose);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(purpose));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

/**
 * The value sealed in `text`, or null when it is absent, too long, not ours, or tampered with.
 * @param {SessionKeys} keys
 * @param {string} purpose
 * @param {unknown} text
 * @param {number} maxLength the longest text read
 * @returns {unknown}
 */
function unseal(keys, purpose, text, maxLength) {
  if (typeof text !== 'string' || text.length > maxLength || !/^[A-Za-z0-9_-]+$/.test(text)) return null;
  const raw = Buffer.from(text, 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES + 2) return null;
  const iv = raw.subarray(0, IV_BYTES);
  const tag = raw.subarray(raw.length - TAG_BYTES);
  const body = raw.subarray(IV_BYTES, raw.length - TAG_BYTES);
  for (const key of keysFor(keys, purpose)) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(purpose));
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
      return JSON.parse(plain);
    } catch {
      // Not this key (or not ours at all): GCM's tag check failed.
    }
  }
  return null;
}

module.exports = { seal, unseal };
