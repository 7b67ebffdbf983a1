// Fuzzing the config loader: thousands of mutated configs (structural edits of a valid one,
// byte edits of its JSON text, and the committed corpus in tests/fuzz-corpus/edge-config/).
// Each is either accepted or refused with a ConfigError naming a field; a handler built from
// any of them never throws and fails closed. FUZZ_CASES sets the count (make fuzz raises it),
// FUZZ_SEED replays a run (the seed is printed on failure).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { config, createHandler, keys, viewerRequest } from './helpers.mjs';

const require = createRequire(import.meta.url);
const { validateConfig, salvageTierPrefixes, ConfigError } = require('../src/config.js');

const CASES = Number(process.env.FUZZ_CASES ?? 10000);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CORPUS = fileURLToPath(new URL('../../tests/fuzz-corpus/edge-config/', import.meta.url));

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [
  null, true, false, 0, -1, 1.5, 300, 299, 7 * 86400 + 1, 2 ** 53, -0, 1e308, '', ' ', '/', '//', '/\\',
  '/premium/', '/auth/', '/a/../', '*', 'K2JCJMDEHXQW5F', 'https://evil.example', 'http://127.0.0.1:1',
  'javascript:alert(1)', 'é', '\u0000', '\n', 'x'.repeat(5000), [], [null], ['gold'], {}, { a: 1 },
  'c2Vzc2lvbg==', 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=',
  { pathPrefix: '/x/', name: 'x', groups: ['x'] }, '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
];
const KEYS = ['__proto__', 'constructor', 'toString', 'dev', 'keyGroup', 'previousSessionSecret', 'endpoint', 'domain', 'x', ''];

/** Every [container, key] of a JSON value, depth first. */
function slots(value, out = []) {
  if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      out.push([value, key]);
      slots(value[key], out);
    }
  }
  return out;
}

/** One to four structural edits: replace, delete, add a key, duplicate an array item. */
function mutateStructure(cfg, random) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  // Always a copy: a shared value edited in one case (or frozen by validateConfig, which
  // freezes the JWKS object it keeps) must not leak into the next.
  const fresh = (list) => structuredClone(pick(list));
  const edits = 1 + Math.floor(random() * 4);
  for (let i = 0; i < edits; i += 1) {
    const all = slots(cfg);
    if (all.length === 0) return fresh(INTERESTING);
    const [container, key] = pick(all);
    const op = random();
    if (op < 0.45) container[key] = fresh(INTERESTING);
    // Only what JSON.parse can produce: an array loses an item, never gets a hole.
    else if (op < 0.65) Array.isArray(container) ? container.splice(Number(key), 1) : delete container[key];
    else if (op < 0.8 && typeof container[key] === 'object' && container[key] !== null && !Array.isArray(container[key])) {
      // JSON.parse makes `__proto__` an own key; so does defineProperty.
      Object.defineProperty(container[key], pick(KEYS), { value: fresh(INTERESTING), enumerable: true, writable: true, configurable: true });
    } else if (Array.isArray(container[key]) && container[key].length > 0) {
      container[key].push(structuredClone(pick(container[key])));
    } else if (typeof container[key] === 'string') {
      const s = container[key];
      const at = Math.floor(random() * (s.length + 1));
      container[key] = s.slice(0, at) + pick(['/', '.', '..', '*', ':', '\\', '%2f', 'é', '\t']) + s.slice(at);
    } else {
      container[key] = fresh(INTERESTING);
    }
  }
  return cfg;
}

/** Byte edits of the JSON text; what no longer parses is what index.js turns into an Error. */
function mutateText(cfg, random) {
  let text = JSON.stringify(cfg);
  const edits = 1 + Math.floor(random() * 6);
  for (let i = 0; i < edits; i += 1) {
    const at = Math.floor(random() * text.length);
    const op = random();
    if (op < 0.3) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 8));
    else if (op < 0.6) text = text.slice(0, at) + String.fromCharCode(Math.floor(random() * 128)) + text.slice(at + 1);
    else text = text.slice(0, at) + text.slice(at, at + 1 + Math.floor(random() * 16)) + text.slice(at);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    return new Error(`config: cannot read config.json: ${error.message}`);
  }
}

/** The loader's contract on one input. */
function checkValidation(raw, label) {
  if (raw instanceof Error) return 'unreadable';
  let validated;
  try {
    validated = validateConfig(raw);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `${label}: threw ${error?.stack ?? error}`);
    assert.equal(typeof error.field, 'string', `${label}: no field`);
    assert.ok(error.field.length > 0, `${label}: empty field`);
    assert.ok(error.message.startsWith(`config: ${error.field} `), `${label}: ${error.message}`);
    return 'refused';
  }
  assert.ok(Object.isFrozen(validated), `${label}: accepted but not frozen`);
  assert.ok(validated.tiers.every((t) => /^\/([A-Za-z0-9._~-]+\/)*$/.test(t.pathPrefix)), `${label}: bad prefix accepted`);
  return 'accepted';
}

/** A handler built from anything never throws, and a private path is never passed by a broken config. */
async function checkHandler(raw, label) {
  const handler = createHandler(raw, { log: () => {} });
  assert.equal(typeof handler, 'function', label);
  // A valid Secrets Manager config would read the secret (real AWS) on a private path or /auth.
  if (!handler.configError && raw.signing?.dev === undefined) return;
  for (const uri of ['/premium/a.mp4', '/index.html']) {
    const result = await handler(viewerRequest({ uri, headers: { accept: 'application/json' } }));
    if (!handler.configError) continue;
    // Broken: a path passes only when the tier prefixes could be read and none covers it.
    const prefixes = raw instanceof Error ? null : salvageTierPrefixes(raw);
    const isPublic = prefixes !== null && !prefixes.some((p) => uri.startsWith(p));
    assert.equal(result.status === undefined, isPublic, `${label}: ${uri} answered ${result.status}`);
  }
  const auth = await handler(viewerRequest({ uri: '/auth', headers: { accept: 'application/json' } }));
  assert.ok(['401', '503', '302', '400'].includes(String(auth.status)), `${label}: /auth answered ${auth.status}`);
}

function corpus() {
  const pem = (key) => JSON.stringify(key).slice(1, -1);
  return readdirSync(CORPUS)
    .sort()
    .map((name) => {
      const text = readFileSync(`${CORPUS}${name}`, 'utf8')
        .replaceAll('@PUBLIC_KEY@', pem(keys.cloudfront.publicPem))
        .replaceAll('@PRIVATE_KEY@', pem(keys.cloudfront.privatePem));
      return [name, JSON.parse(text)];
    });
}

test('the committed config corpus is accepted or refused by field, and fails closed', async () => {
  const outcomes = {};
  const raws = Object.fromEntries(corpus());
  for (const [name, raw] of Object.entries(raws)) {
    outcomes[name] = checkValidation(structuredClone(raw), `edge-config/${name}`);
    await checkHandler(raw, `edge-config/${name}`);
  }
  assert.equal(outcomes['valid-secrets-manager.json'], 'accepted');
  for (const [name, outcome] of Object.entries(outcomes)) {
    if (name === 'valid-secrets-manager.json') continue;
    // A PEM that is not a key passes the shape check and is refused by the core at load.
    const refused = outcome === 'refused' || createHandler(raws[name], { log: () => {} }).configError !== undefined;
    assert.ok(refused, `edge-config/${name} was accepted`);
  }
});

test(`${CASES} mutated configs: a ConfigError naming a field, or accepted; never a crash`, async () => {
  const random = generator(SEED);
  const seeds = [config(), ...corpus().map(([, raw]) => raw)];
  const counts = { accepted: 0, refused: 0, unreadable: 0 };
  for (let i = 0; i < CASES; i += 1) {
    const seed = structuredClone(seeds[Math.floor(random() * seeds.length)]);
    const raw = random() < 0.75 ? mutateStructure(seed, random) : mutateText(seed, random);
    const label = `case ${i} (FUZZ_SEED=${SEED})`;
    counts[checkValidation(raw, label)] += 1;
    // Building a handler parses keys in the core: every tenth case is enough to cover it.
    if (i % 10 === 0) await checkHandler(raw, label);
  }
  // The mutations must reach both sides of the validator, or the fuzzing proves nothing.
  assert.ok(counts.accepted > 0 && counts.refused > 0, JSON.stringify(counts));
});

// ---- regressions found by this fuzzer ---------------------------------------------------

test('regression: an unknown key that is empty or not a name is quoted in the error', () => {
  for (const [key, field] of [
    ['', '""'],
    ['a b', '"a b"'],
    ['x\ny', '"x\\ny"'],
  ]) {
    const raw = { ...config(), [key]: 1 };
    assert.throws(() => validateConfig(raw), (error) => error instanceof ConfigError && error.field === field);
  }
  assert.throws(
    () => validateConfig({ ...config(), cookies: { lifetimeSeconds: 3600, '': 1 } }),
    (error) => error.field === 'cookies.""',
  );
});

test('regression: a tier prefix with "." or ".." segments is refused', () => {
  for (const pathPrefix of ['/premium/../', '/./', '/a/./b/', '/../']) {
    const raw = config({ tiers: [{ name: 'gold', pathPrefix, groups: ['gold'] }] });
    assert.throws(() => validateConfig(raw), (error) => error.field === 'tiers[0].pathPrefix', pathPrefix);
  }
  // Dots inside a segment stay allowed.
  assert.doesNotThrow(() => validateConfig(config({ tiers: [{ name: 'g', pathPrefix: '/v1.2/...x/', groups: ['g'] }] })));
});
