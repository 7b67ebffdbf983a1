// A cold container and a warm one (its verified-cookie cache primed) must decide every
// request alike: the cache may save an RSA operation, never change an answer. Checked over a
// table of query strings (signed-URL parameters, their look-alikes, none) and cookie sets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BROWSER,
  NOW,
  body,
  cookieHeaderFor,
  cookieJar,
  cookieSetFor,
  harness,
  idToken,
  keys,
  location,
  policyFor,
  setCookies,
  signIn,
  viewerRequest,
} from './helpers.mjs';

const QUERY_STRINGS = [
  '',
  'x=1',
  'a=1&b=2',
  'Hash-Algorithm=SHA256',
  'x=1&Hash-Algorithm=SHA1',
  'Expires=',
  'Expires',
  'Expires=1',
  `Expires=${Math.floor(NOW / 1000) + 600}`,
  'expires=1',
  'EXPIRES=1',
  '%45xpires=1',
  'x=Expires%3D1',
  'Policy=AAAA',
  'policy=AAAA',
  'x=1&Signature=',
  'Signature',
  'signature=AAAA',
  'Key-Pair-Id',
  'Key-Pair-Id=K2JCJMDEHXQW5F',
  '&&Key-Pair-Id=K2JCJMDEHXQW5F&&',
  'Key-Pair-Id=K2JCJMDEHXQW5F&Signature=AAAA&Expires=1',
  'redirect=%2Fpremium%2Fa',
];

const URI = '/premium/a.mp4';

/** Cookie sets, by name: valid tier cookies (with and without a session), none, tampered ... */
async function cookieSets() {
  const { handler } = harness();
  const gold = cookieJar(setCookies(await signIn(handler)));
  const silver = cookieJar(setCookies(await signIn(handler, { token: idToken({ claims: { 'cognito:groups': ['silver'] } }) })));
  const valid = cookieHeaderFor(gold, URI, { session: false });
  const signature = gold['CloudFront-Signature|/premium/'].value;
  const flipped = signature.slice(0, 10) + (signature[10] === 'A' ? 'B' : 'A') + signature.slice(11);
  return {
    valid,
    'valid with session': cookieHeaderFor(gold, URI),
    'valid with Hash-Algorithm cookie': `${valid}; CloudFront-Hash-Algorithm=SHA256`,
    'valid, quoted': valid.replace(/=([^;]+)/g, '="$1"'),
    none: '',
    'session only': cookieHeaderFor(gold, URI).split('; ').filter((c) => c.startsWith('__Host-')).join('; '),
    tampered: valid.replace(signature, flipped),
    'other tier': cookieHeaderFor(silver, '/videos/', { session: false }),
    expired: cookieSetFor(policyFor('/premium/', Math.floor(NOW / 1000) - 1)),
    'foreign key': cookieSetFor(policyFor('/premium/', Math.floor(NOW / 1000) + 600), { key: keys.stranger.privateKey }),
  };
}

/** What a viewer sees of a decision: passed on, or the response's status, reason and Location. */
function outcome(result) {
  if (result.status === undefined) return 'pass';
  const reason = result.body ? body(result).reason : undefined;
  return `${result.status} ${reason ?? ''} ${location(result) ?? ''}`.trim();
}

const request = (querystring, cookie, accept) =>
  viewerRequest({ uri: URI, querystring, headers: { accept, ...(cookie ? { cookie } : {}) } });

test('a cold and a warm container make the same decision for every request of the table', async () => {
  const sets = await cookieSets();
  const warm = harness();
  // Prime the warm container: the valid set verified (and cached) on another URL of the tier.
  for (const cookie of [sets.valid, sets['valid, quoted']]) {
    const primed = viewerRequest({ uri: '/premium/other.mp4', headers: { cookie, accept: 'application/json' } });
    assert.equal(outcome(await warm.handler(primed)), 'pass');
  }
  const hitsBefore = warm.state.gate.stats.hits;
  const differences = [];
  let cases = 0;
  for (const accept of ['application/json', BROWSER]) {
    for (const [name, cookie] of Object.entries(sets)) {
      for (const querystring of QUERY_STRINGS) {
        const cold = outcome(await harness().handler(request(querystring, cookie, accept)));
        // Twice warm: the first may fill the cache, the second reads it.
        for (const round of [1, 2]) {
          const hot = outcome(await warm.handler(request(querystring, cookie, accept)));
          if (hot !== cold) differences.push(`${accept.slice(0, 9)} | ${name} | ?${querystring} (warm ${round}): cold ${cold}, warm ${hot}`);
        }
        cases += 1;
      }
    }
  }
  assert.deepEqual(differences, []);
  assert.equal(cases, 2 * Object.keys(sets).length * QUERY_STRINGS.length);
  // The table did exercise the cache.
  assert.ok(warm.state.gate.stats.hits - hitsBefore > 20, `only ${warm.state.gate.stats.hits - hitsBefore} cache hits`);
});

test('a cold private path loads neither aws-jwt-verify nor oauth4webapi (only sign-in needs them)', async () => {
  const { execFileSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const { config: cfg, KEY_ID } = await import('./helpers.mjs');
  const jar = cookieJar(setCookies(await signIn(harness().handler)));
  const cookie = cookieHeaderFor(jar, '/premium/a', { session: false });
  const handlerPath = fileURLToPath(new URL('../src/handler.js', import.meta.url));
  const config = { ...cfg(), keyGroup: { [KEY_ID]: keys.cloudfront.publicPem } };
  const script = `
    const { createHandler } = require(${JSON.stringify(handlerPath)});
    const handler = createHandler(${JSON.stringify(config)}, { now: () => ${NOW}, log: () => {} });
    handler(${JSON.stringify(viewerRequest({ uri: '/premium/a', headers: { cookie } }))}).then((r) => {
      const loaded = Object.keys(require.cache).filter((f) => /node_modules\\/(aws-jwt-verify|oauth4webapi)\\//.test(f));
      console.log(JSON.stringify({ passed: r.status === undefined, loaded }));
    });`;
  const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim().split('\n').pop());
  assert.equal(out.passed, true);
  assert.deepEqual(out.loaded, []);
});
