// The one secret (key pair, key group, session secrets) read from Secrets Manager, against
// moto's server, started on a free loopback port and stopped here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
  DOMAIN,
  KEY_ID,
  body,
  config,
  cookieHeaderFor,
  cookieJar,
  harness,
  independentVerify,
  keys,
  secret,
  setCookies,
  signIn,
  tierCookies,
  viewerRequest,
} from './helpers.mjs';
import { REGION, awsJson, createSecret, freePort, startMoto } from './moto.mjs';

let moto;

before(async () => {
  moto = await startMoto();
  await createSecret(moto.endpoint, 'edge/signing', secret());
  await createSecret(
    moto.endpoint,
    'edge/wrong-key',
    secret({ privateKey: keys.stranger.privatePem, keyGroup: { [KEY_ID]: keys.cloudfront.publicPem } }),
  );
  await createSecret(moto.endpoint, 'edge/not-json', 'hunter2');
  await createSecret(moto.endpoint, 'edge/no-session-secret', { keyPairId: KEY_ID, privateKey: keys.cloudfront.privatePem });
});

after(() => moto?.stop());

const fromSecret = (secretId, endpoint = moto.endpoint) =>
  config({ signing: { secretsManager: { secretId, region: REGION, endpoint } } });

const privateRequest = (cookie) => viewerRequest({ uri: '/premium/a', headers: { cookie, accept: 'application/json' } });

/** A signed-in browser's cookies, from a handler with inline keys (the same key pair). */
async function signedInJar() {
  return cookieJar(setCookies(await signIn(harness().handler)));
}

test('the secret is read once per container and mints cookies CloudFront accepts', async () => {
  const { handler, state, clock } = harness(fromSecret('edge/signing'));
  assert.equal(state.secret.stats.fetches, 0, 'nothing read at load');
  const response = await signIn(handler);
  assert.equal(response.status, '200');
  const gold = tierCookies(setCookies(response), '/premium/');
  const verdict = independentVerify(gold, {
    url: `https://${DOMAIN}/premium/a.mp4`,
    nowSeconds: Math.floor(clock.now / 1000),
    publicKeys: { [KEY_ID]: keys.cloudfront.publicPem },
  });
  assert.equal(verdict, 'ok');
  const jar = cookieJar(setCookies(response));
  assert.equal((await handler(privateRequest(cookieHeaderFor(jar, '/premium/a', { session: false })))).uri, '/premium/a');
  clock.now += 2 * 3600 * 1000; // re-mint from the session: the same keys, no second read
  assert.equal((await handler(privateRequest(cookieHeaderFor(jar, '/premium/a')))).status, '302');
  assert.equal(state.secret.stats.fetches, 1);
});

test('a missing secret: /auth answers 503; private paths pass on to CloudFront\'s own check', async () => {
  const jar = await signedInJar();
  const { handler, logs, state } = harness(fromSecret('edge/does-not-exist'));
  const response = await signIn(handler);
  assert.equal(response.status, '503');
  assert.deepEqual(body(response), { error: 'unavailable', reason: 'signing-unavailable' });
  assert.equal(logs.at(-1).reason, 'secret-unavailable');
  assert.match(logs.at(-1).error, /ResourceNotFoundException/);
  // Failures are not retried on every request.
  assert.equal((await signIn(handler)).status, '503');
  assert.equal(state.secret.stats.fetches, 1);
  // Without the key group the gate cannot judge: CloudFront's trusted key group does.
  for (const cookie of [cookieHeaderFor(jar, '/premium/a', { session: false }), '']) {
    const event = privateRequest(cookie);
    assert.equal(await handler(event), event.Records[0].cf.request);
    assert.deepEqual([logs.at(-1).outcome, logs.at(-1).reason], ['pass', 'key-group-unavailable']);
  }
});

test('a secret holding the wrong key, no JSON, or no session secret mints nothing', async () => {
  const wrong = harness(fromSecret('edge/wrong-key'));
  assert.equal((await signIn(wrong.handler)).status, '503');
  assert.equal(wrong.logs.at(-1).reason, 'key-mismatch');
  const junk = harness(fromSecret('edge/not-json'));
  assert.equal((await signIn(junk.handler)).status, '503');
  assert.equal(junk.logs.at(-1).reason, 'secret-invalid');
  assert.ok(!JSON.stringify(junk.logs).includes('hunter2'), 'the secret stays out of the log');
  const noSession = harness(fromSecret('edge/no-session-secret'));
  assert.equal((await signIn(noSession.handler)).status, '503');
  assert.match(noSession.logs.at(-1).error, /sessionSecret is required/);
  assert.ok(!JSON.stringify(noSession.logs).includes('PRIVATE KEY'));
});

// ---- Secrets Manager down or slow at cold start -----------------------------------------

/**
 * A loopback front for moto that is `down` (nothing listening: connection refused, as when
 * the service cannot be reached), `slow` (accepts, never answers) or `up` (forwards to moto).
 */
async function frontForMoto() {
  const motoPort = Number(new URL(moto.endpoint).port);
  const port = await freePort();
  const sockets = new Set();
  let slow = false;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    if (slow) return;
    const upstream = net.connect(motoPort, '127.0.0.1');
    upstream.on('error', () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
  });
  const stop = async () => {
    for (const socket of sockets) socket.destroy();
    if (server.listening) await new Promise((resolve) => server.close(resolve));
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async set(state) {
      await stop();
      slow = state === 'slow';
      if (state !== 'down') await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    close: stop,
  };
}

const retryAfter = (response) => response.headers['retry-after']?.[0].value;

test('Secrets Manager down at cold start: /auth 503 with Retry-After, private paths pass on, then it recovers', async () => {
  const jar = await signedInJar();
  const front = await frontForMoto();
  await front.set('down');
  try {
    const { handler, logs, state, clock } = harness(fromSecret('edge/signing', front.endpoint));
    const cookie = cookieHeaderFor(jar, '/premium/a', { session: false });
    assert.equal((await handler(privateRequest(cookie))).uri, '/premium/a');
    assert.equal(logs.at(-1).reason, 'key-group-unavailable');

    const down = await signIn(handler);
    assert.equal(down.status, '503');
    assert.deepEqual(body(down), { error: 'unavailable', reason: 'signing-unavailable' });
    assert.equal(retryAfter(down), '10');
    assert.equal(logs.at(-1).reason, 'secret-unavailable');
    // Inside the retry window: no new read, and the hint counts down.
    clock.now += 3_000;
    const again = await signIn(handler);
    assert.equal(again.status, '503');
    assert.equal(retryAfter(again), '7');
    assert.equal(state.secret.stats.fetches, 1);
    // A session cookie cannot be checked without the session secret either: 503, same hint.
    const withSession = await handler(
      viewerRequest({ uri: '/auth', headers: { cookie: cookieHeaderFor(jar, '/premium/a'), accept: 'application/json' } }),
    );
    assert.equal(withSession.status, '503');
    assert.equal(retryAfter(withSession), '7');

    await front.set('up');
    clock.now += 7_000; // the retry window is over: the next call reads again
    const back = await signIn(handler);
    assert.equal(back.status, '200');
    assert.equal(state.secret.stats.fetches, 2);
    // Judged again by the gate, not passed on.
    assert.equal((await handler(privateRequest(cookie))).uri, '/premium/a');
    assert.equal(logs.at(-1).reason, undefined);
    assert.equal(logs.at(-1).cache, 'miss');
  } finally {
    await front.close();
  }
});

test('Secrets Manager slow at cold start: everything gives up inside the 5 s budget, with one read', async () => {
  const jar = await signedInJar();
  const front = await frontForMoto();
  await front.set('slow');
  try {
    const { handler, state, clock, logs } = harness(fromSecret('edge/signing', front.endpoint));
    const started = performance.now();
    const cookie = cookieHeaderFor(jar, '/premium/a', { session: false });
    const [first, second, privatePath] = await Promise.all([signIn(handler), signIn(handler), handler(privateRequest(cookie))]);
    const elapsed = performance.now() - started;
    assert.deepEqual(
      [first, second].map((r) => [r.status, retryAfter(r)]),
      [
        ['503', '10'],
        ['503', '10'],
      ],
    );
    assert.equal(privatePath.uri, '/premium/a', 'passed on to CloudFront');
    assert.ok(logs.some((l) => l.reason === 'key-group-unavailable'));
    assert.ok(elapsed < 4_000, `gave up after ${Math.round(elapsed)} ms`);
    assert.equal(state.secret.stats.fetches, 1, 'concurrent requests share one read');

    await front.set('up');
    clock.now += 10_000;
    assert.equal((await signIn(handler)).status, '200');
    assert.equal(state.secret.stats.fetches, 2);
  } finally {
    await front.close();
  }
});

test('a container reads the replica in its own region, and falls back to the primary when that fails', async () => {
  const replica = secret();
  await awsJson(moto.endpoint, 'secretsmanager', 'CreateSecret', { Name: 'edge/replicated', SecretString: JSON.stringify(replica) }, 'eu-west-1');
  await createSecret(moto.endpoint, 'edge/replicated', secret());
  const replicated = (secretId) => config({ signing: { secretsManager: { secretId, region: REGION, replicaRegions: ['eu-west-1', 'ap-northeast-1'], endpoint: moto.endpoint } } });
  const saved = process.env.AWS_REGION;
  try {
    process.env.AWS_REGION = 'eu-west-1';
    const here = harness(replicated('edge/replicated'));
    assert.equal((await signIn(here.handler)).status, '200');
    assert.deepEqual(here.state.secret.stats.regions, ['eu-west-1']);
    // No replica of this one in ap-northeast-1 (not yet replicated): the primary answers.
    process.env.AWS_REGION = 'ap-northeast-1';
    const fallback = harness(replicated('edge/signing'));
    assert.equal((await signIn(fallback.handler)).status, '200');
    assert.deepEqual(fallback.state.secret.stats.regions, ['ap-northeast-1', REGION]);
    // A region with no replica goes to the primary at once.
    process.env.AWS_REGION = 'sa-east-1';
    const far = harness(replicated('edge/signing'));
    assert.equal((await signIn(far.handler)).status, '200');
    assert.deepEqual(far.state.secret.stats.regions, [REGION]);
  } finally {
    if (saved === undefined) delete process.env.AWS_REGION;
    else process.env.AWS_REGION = saved;
  }
});

test('with the key group bundled, a cold private path decides with no Secrets Manager call, as a warm one does', async () => {
  const jar = await signedInJar();
  const cookie = cookieHeaderFor(jar, '/premium/a', { session: false });
  const tampered = cookie.replace(/CloudFront-Signature=(.)/, (_, c) => `CloudFront-Signature=${c === 'A' ? 'B' : 'A'}`);
  // The secret's endpoint answers nothing: any read would fail (and be counted).
  const unreachable = `http://127.0.0.1:${await freePort()}`;
  const bundled = config({
    signing: { secretsManager: { secretId: 'edge/signing', region: REGION, endpoint: unreachable } },
    keyGroup: { [KEY_ID]: keys.cloudfront.publicPem },
  });
  const warm = harness(config({ keyGroup: { [KEY_ID]: keys.cloudfront.publicPem } }));
  for (const [cookies, expected] of [
    [cookie, 'pass'],
    [tampered, '403'],
    ['', '401'],
  ]) {
    const cold = harness(bundled);
    const answer = await cold.handler(privateRequest(cookies));
    const warmAnswer = await warm.handler(privateRequest(cookies));
    assert.equal(answer.status ?? 'pass', expected, cookies);
    assert.equal(warmAnswer.status ?? 'pass', expected);
    if (answer.body) assert.deepEqual(body(answer), body(warmAnswer));
    assert.equal(cold.state.secret.stats.fetches, 0, 'no secret read for a private path');
  }
});
