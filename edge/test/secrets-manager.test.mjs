// The private key fetched from Secrets Manager, against moto's server (PyPI moto[server] in
// .venv, installed by scripts/bootstrap.sh), started on a free loopback port and stopped here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
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
  setCookies,
  signIn,
  tierCookies,
  viewerRequest,
} from './helpers.mjs';

const MOTO = fileURLToPath(new URL('../../.venv/bin/moto_server', import.meta.url));
const REGION = 'us-east-1';
let moto;
let endpoint;

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitUntilUp(url, deadline) {
  while (Date.now() < deadline) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`moto_server did not answer at ${url}`);
}

before(async () => {
  assert.ok(existsSync(MOTO), `${MOTO} is missing: run scripts/bootstrap.sh (make bootstrap)`);
  // The SDK reads credentials from the environment; moto accepts any.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' });
  const port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
  moto = spawn(MOTO, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  await waitUntilUp(`${endpoint}/moto-api/`, Date.now() + 30_000);
  const client = new SecretsManagerClient({ region: REGION, endpoint });
  await client.send(new CreateSecretCommand({ Name: 'edge/signing-key', SecretString: keys.cloudfront.privatePem }));
  await client.send(
    new CreateSecretCommand({
      Name: 'edge/signing-key-json',
      SecretString: JSON.stringify({ privateKey: keys.cloudfront.privatePem }),
    }),
  );
  await client.send(new CreateSecretCommand({ Name: 'edge/wrong-key', SecretString: keys.stranger.privatePem }));
  await client.send(new CreateSecretCommand({ Name: 'edge/not-a-key', SecretString: 'hunter2' }));
  client.destroy();
});

after(() => {
  if (moto && moto.exitCode === null) moto.kill('SIGTERM');
});

const fromSecret = (secretId) => config({ privateKey: { secretsManager: { secretId, region: REGION, endpoint } } });

test('the key is fetched from Secrets Manager once per cold start and mints valid cookies', async () => {
  const { handler, state, clock } = harness(fromSecret('edge/signing-key'));
  assert.equal(state.signingKey.stats.fetches, 0, 'nothing fetched at load');
  const response = await signIn(handler);
  assert.equal(response.status, '200');
  const gold = tierCookies(setCookies(response), '/premium/');
  const verdict = independentVerify(gold, {
    url: `https://${DOMAIN}/premium/a.mp4`,
    nowSeconds: Math.floor(NOW / 1000),
    publicKeys: { [KEY_ID]: keys.cloudfront.publicPem },
  });
  assert.equal(verdict, 'ok');
  clock.now += 400_000; // a new window: a new signature, same key
  assert.equal((await signIn(handler)).status, '200');
  const jar = cookieJar(setCookies(response));
  clock.now += 2 * 3600 * 1000; // re-mint from the session: needs the key again
  assert.equal(
    (await handler(viewerRequest({ uri: '/premium/a', headers: { cookie: cookieHeaderFor(jar, '/premium/a') } })))
      .status,
    '302',
  );
  assert.equal(state.signingKey.stats.fetches, 1);
  assert.equal(state.minter.stats.signs, 2 * 3);
});

test('a JSON secret {"privateKey": PEM} works too', async () => {
  const { handler } = harness(fromSecret('edge/signing-key-json'));
  assert.equal((await signIn(handler)).status, '200');
});

test('a missing secret answers 503 at /auth, while valid cookies still pass', async () => {
  const good = harness(fromSecret('edge/signing-key'));
  const jar = cookieJar(setCookies(await signIn(good.handler)));
  const { handler, logs, state } = harness(fromSecret('edge/does-not-exist'));
  const response = await signIn(handler);
  assert.equal(response.status, '503');
  assert.deepEqual(body(response), { error: 'unavailable', reason: 'signing-unavailable' });
  assert.equal(logs.at(-1).reason, 'secret-unavailable');
  assert.match(logs.at(-1).error, /ResourceNotFoundException/);
  // Failures are not retried on every request.
  assert.equal((await signIn(handler)).status, '503');
  assert.equal(state.signingKey.stats.fetches, 1);
  // Verification needs only the public keys.
  const pass = await handler(
    viewerRequest({ uri: '/premium/a', headers: { cookie: cookieHeaderFor(jar, '/premium/a', { session: false }) } }),
  );
  assert.equal(pass.uri, '/premium/a');
});

test('a secret holding the wrong key or no key mints nothing', async () => {
  const wrong = harness(fromSecret('edge/wrong-key'));
  assert.equal((await signIn(wrong.handler)).status, '503');
  assert.equal(wrong.logs.at(-1).reason, 'key-mismatch');
  const junk = harness(fromSecret('edge/not-a-key'));
  assert.equal((await signIn(junk.handler)).status, '503');
  assert.equal(junk.logs.at(-1).reason, 'secret-invalid');
  assert.ok(!JSON.stringify(junk.logs).includes('hunter2'), 'the secret stays out of the log');
});

// ---- Secrets Manager down or slow at cold start -----------------------------------------

/**
 * A loopback front for moto that is `down` (nothing listening: connection refused, as when
 * the service cannot be reached), `slow` (accepts, never answers) or `up` (forwards to moto).
 */
async function frontForMoto() {
  const motoPort = Number(new URL(endpoint).port);
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

test('Secrets Manager down at cold start: private paths verify, /auth 503 with Retry-After, then recovers', async () => {
  const good = harness(fromSecret('edge/signing-key'));
  const jar = cookieJar(setCookies(await signIn(good.handler)));
  const front = await frontForMoto();
  await front.set('down');
  try {
    const cfg = config({ privateKey: { secretsManager: { secretId: 'edge/signing-key', region: REGION, endpoint: front.endpoint } } });
    const { handler, logs, state, clock } = harness(cfg);
    // Verification needs only the public keys: nothing is fetched for it.
    const cookie = cookieHeaderFor(jar, '/premium/a', { session: false });
    assert.equal((await handler(viewerRequest({ uri: '/premium/a', headers: { cookie } }))).uri, '/premium/a');
    assert.equal(state.signingKey.stats.fetches, 0);

    const down = await signIn(handler);
    assert.equal(down.status, '503');
    assert.deepEqual(body(down), { error: 'unavailable', reason: 'signing-unavailable' });
    assert.equal(retryAfter(down), '10');
    assert.equal(logs.at(-1).reason, 'secret-unavailable');
    // Inside the retry window: no new fetch, and the hint counts down.
    clock.now += 3_000;
    const again = await signIn(handler);
    assert.equal(again.status, '503');
    assert.equal(retryAfter(again), '7');
    assert.equal(state.signingKey.stats.fetches, 1);
    // A session cookie cannot be checked without the key either: 503 with the same hint.
    const withSession = await handler(
      viewerRequest({ uri: '/auth', headers: { cookie: cookieHeaderFor(jar, '/premium/a'), accept: 'application/json' } }),
    );
    assert.equal(withSession.status, '503');
    assert.equal(retryAfter(withSession), '7');
    // Still verifying while the key is out of reach.
    assert.equal((await handler(viewerRequest({ uri: '/premium/b', headers: { cookie } }))).uri, '/premium/b');

    await front.set('up');
    clock.now += 7_000; // the retry window is over: the next call fetches again
    const back = await signIn(handler);
    assert.equal(back.status, '200');
    assert.equal(state.signingKey.stats.fetches, 2);
    const gold = tierCookies(setCookies(back), '/premium/');
    assert.equal(
      independentVerify(gold, {
        url: `https://${DOMAIN}/premium/a.mp4`,
        nowSeconds: Math.floor(clock.now / 1000),
        publicKeys: { [KEY_ID]: keys.cloudfront.publicPem },
      }),
      'ok',
    );
  } finally {
    await front.close();
  }
});

test('Secrets Manager slow at cold start: /auth gives up inside the 5 s budget, private paths never wait', async () => {
  const good = harness(fromSecret('edge/signing-key'));
  const jar = cookieJar(setCookies(await signIn(good.handler)));
  const front = await frontForMoto();
  await front.set('slow');
  try {
    const cfg = config({ privateKey: { secretsManager: { secretId: 'edge/signing-key', region: REGION, endpoint: front.endpoint } } });
    const { handler, state, clock } = harness(cfg);
    const started = performance.now();
    const pending = [signIn(handler), signIn(handler)];
    // While the fetch hangs, valid cookies still pass at once.
    const cookie = cookieHeaderFor(jar, '/premium/a', { session: false });
    const passStarted = performance.now();
    assert.equal((await handler(viewerRequest({ uri: '/premium/a', headers: { cookie } }))).uri, '/premium/a');
    assert.ok(performance.now() - passStarted < 500, 'a private path waited for Secrets Manager');
    const responses = await Promise.all(pending);
    const elapsed = performance.now() - started;
    assert.deepEqual(
      responses.map((r) => [r.status, retryAfter(r)]),
      [
        ['503', '10'],
        ['503', '10'],
      ],
    );
    assert.ok(elapsed < 4_000, `gave up after ${Math.round(elapsed)} ms`);
    assert.equal(state.signingKey.stats.fetches, 1, 'concurrent requests share one fetch');

    await front.set('up');
    clock.now += 10_000;
    assert.equal((await signIn(handler)).status, '200');
    assert.equal(state.signingKey.stats.fetches, 2);
  } finally {
    await front.close();
  }
});
