// Rotating the two secrets of the one secret: the session secret (previousSessionSecret opens
// what it sealed; an unknown secret opens nothing) and the CloudFront key pair (sessions
// survive it, and cookies of the previous key keep passing while it is in the key group).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  BROWSER,
  DOMAIN,
  KEY_ID,
  NOW,
  body,
  config,
  cookieHeaderFor,
  cookieJar,
  harness,
  independentVerify,
  keys,
  location,
  secret,
  sessionSecret,
  setCookies,
  signIn,
  tierCookies,
  viewerRequest,
} from './helpers.mjs';

const SESSION = '__Host-edge-auth-session';
const NEW_KEY_ID = 'K3NEWKEY000001';
const newKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const newPrivatePem = newKey.privateKey.export({ type: 'pkcs8', format: 'pem' });
const newPublicPem = newKey.publicKey.export({ type: 'spki', format: 'pem' });

/** The session cookie a handler with these secret fields issues at sign-in. */
async function sessionFrom(secretPatch) {
  const { handler } = harness(config({ signing: { dev: secret(secretPatch) } }));
  return cookieJar(setCookies(await signIn(handler)))[`${SESSION}|/`].value;
}

/** /auth with only the session cookie (no token): a re-mint from the session. */
const authWithSession = (handler, value) =>
  handler(viewerRequest({ uri: '/auth', headers: { cookie: `${SESSION}=${value}`, accept: 'application/json' } }));

test('a session sealed under the previous session secret still opens after a rotation', async () => {
  const oldSecret = sessionSecret();
  const value = await sessionFrom({ sessionSecret: oldSecret });
  const rotated = harness(config({ signing: { dev: secret({ sessionSecret: sessionSecret(), previousSessionSecret: oldSecret }) } }));
  const response = await authWithSession(rotated.handler, value);
  assert.equal(response.status, '200');
  assert.deepEqual(body(response).tiers, ['gold', 'silver']);
  // On a private path too: expired CloudFront cookies are re-minted from it.
  const remint = await rotated.handler(
    viewerRequest({ uri: '/premium/a.mp4', headers: { cookie: `${SESSION}=${value}`, accept: BROWSER } }),
  );
  assert.equal(remint.status, '302');
  assert.equal(location(remint), `https://${DOMAIN}/premium/a.mp4`);
});

test('new sessions are sealed with the current secret, never the previous one', async () => {
  const current = sessionSecret();
  const previous = sessionSecret();
  const value = await sessionFrom({ sessionSecret: current, previousSessionSecret: previous });
  const onlyCurrent = harness(config({ signing: { dev: secret({ sessionSecret: current }) } }));
  assert.equal((await authWithSession(onlyCurrent.handler, value)).status, '200');
  const onlyPrevious = harness(config({ signing: { dev: secret({ sessionSecret: previous }) } }));
  assert.equal((await authWithSession(onlyPrevious.handler, value)).status, '401');
});

test('a session sealed under a secret that is neither current nor previous does not open', async () => {
  const value = await sessionFrom({ sessionSecret: sessionSecret() });
  const { handler, logs } = harness(
    config({ signing: { dev: secret({ sessionSecret: sessionSecret(), previousSessionSecret: sessionSecret() }) } }),
  );
  const response = await authWithSession(handler, value);
  assert.equal(response.status, '401');
  assert.deepEqual(body(response), { error: 'unauthorized', reason: 'missing' });
  assert.equal(setCookies(response).length, 0);
  const denied = await handler(viewerRequest({ uri: '/premium/a.mp4', headers: { cookie: `${SESSION}=${value}` } }));
  assert.equal(denied.status, '401');
  assert.equal(logs.at(-1).remint, 'session-invalid');
});

test('rotating the CloudFront key pair keeps sessions, and the old key\'s cookies pass while it is trusted', async () => {
  const before = harness();
  const jar = cookieJar(setCookies(await signIn(before.handler)));
  // The new key signs; the key group trusts both until the old cookies have expired.
  const after = harness(
    config({
      signing: {
        dev: secret({
          keyPairId: NEW_KEY_ID,
          privateKey: newPrivatePem,
          keyGroup: { [KEY_ID]: keys.cloudfront.publicPem, [NEW_KEY_ID]: newPublicPem },
        }),
      },
    }),
  );
  const oldCookies = cookieHeaderFor(jar, '/premium/', { session: false });
  assert.equal((await after.handler(viewerRequest({ uri: '/premium/a.mp4', headers: { cookie: oldCookies } }))).uri, '/premium/a.mp4');
  const response = await authWithSession(after.handler, jar[`${SESSION}|/`].value);
  assert.equal(response.status, '200');
  const gold = tierCookies(setCookies(response), '/premium/');
  assert.equal(gold.keyPairId, NEW_KEY_ID);
  const verdict = independentVerify(gold, {
    url: `https://${DOMAIN}/premium/a.mp4`,
    nowSeconds: Math.floor(NOW / 1000),
    publicKeys: { [NEW_KEY_ID]: newPublicPem },
  });
  assert.equal(verdict, 'ok');
  // Once the old key leaves the key group, its cookies are refused and the session re-mints.
  const later = harness(config({ signing: { dev: secret({ keyPairId: NEW_KEY_ID, privateKey: newPrivatePem }) } }));
  const refused = await later.handler(viewerRequest({ uri: '/premium/a.mp4', headers: { cookie: oldCookies } }));
  assert.equal(body(refused).reason, 'unknown-key');
  const remint = await later.handler(
    viewerRequest({ uri: '/premium/a.mp4', headers: { cookie: cookieHeaderFor(jar, '/premium/') } }),
  );
  assert.equal(remint.status, '302');
});

test('a key group without the active key, or a session secret too short, is refused at load', () => {
  const cases = [
    [{ keyGroup: { K9OTHER: keys.cloudfront.publicPem } }, 'signing.dev.keyGroup', /must include keyPairId/],
    [{ sessionSecret: crypto.randomBytes(16).toString('base64') }, 'signing.dev.sessionSecret', /at least 32/],
    [{ previousSessionSecret: 'not base64!' }, 'signing.dev.previousSessionSecret', /base64/],
    [{ sessionSecret: undefined }, 'signing.dev.sessionSecret', /is required/],
  ];
  for (const [patch, field, message] of cases) {
    const { handler } = harness(config({ signing: { dev: secret(patch) } }));
    assert.equal(handler.configError?.field, field, JSON.stringify(patch));
    assert.match(handler.configError.message, message);
  }
});
