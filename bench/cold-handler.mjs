// The whole cold start of the Lambda@Edge handler, as a viewer waits for it: a fresh process
// per run (bench/cold-handler.cjs), from `require` of the handler to its decision, ours and a
// node:crypto-only handler doing the same work alternating, so both see the same machine.
//   (a) a private path with valid cookies, the key group bundled in the config and the
//       secret's endpoint unreachable: it must decide with no network call at all;
//   (b) /auth with a Bearer ID token (JWKS embedded in the config), the secret served by moto
//       on loopback: exactly one secret read.
// Writes bench/out/cold-handler.json. Usage: node bench/cold-handler.mjs (after `make pkg`).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { config, cookieHeaderFor, cookieJar, createHandler, idToken, jwk, keys, KEY_ID, ISSUER, CLIENT_ID, secret, setCookies, signIn, viewerRequest } from '../edge/test/helpers.mjs';
import { createSecret, freePort, startMoto } from '../edge/test/moto.mjs';
import { mock } from 'node:test';
import { median, round } from './timing.mjs';

// helpers.mjs pins Date for the edge tests; the children run on the real clock, so does this.
mock.timers.reset();

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 11);
const REGION = 'us-east-1';

const moto = await startMoto();
try {
  await createSecret(moto.endpoint, 'bench/signing', secret());
  const unreachable = `http://127.0.0.1:${await freePort()}`;
  const keyGroup = { [KEY_ID]: keys.cloudfront.publicPem };
  // Cookies as /auth mints them, on the real clock (as the children run).
  const minter = createHandler(config(), { log: () => {} });
  const token = idToken({ now: Date.now() });
  const cookie = cookieHeaderFor(cookieJar(setCookies(await signIn(minter, { token }))), '/premium/', { session: false });
  const base = config();
  const ours = (endpoint) => ({
    ...base,
    signing: { secretsManager: { secretId: 'bench/signing', region: REGION, endpoint } },
    keyGroup,
  });
  const cases = {
    private_path: {
      config: ours(unreachable),
      keyGroup,
      event: viewerRequest({ uri: '/premium/movie.mp4', headers: { cookie } }),
      peer: { secretId: 'bench/signing', region: REGION, endpoint: unreachable, jwk: jwk(keys.idp, 'idp-1'), issuer: ISSUER, audience: CLIENT_ID, tiers: base.tiers },
    },
    auth: {
      config: ours(moto.endpoint),
      keyGroup,
      event: viewerRequest({ uri: '/auth', headers: { authorization: `Bearer ${token}` } }),
      peer: { secretId: 'bench/signing', region: REGION, endpoint: moto.endpoint, jwk: jwk(keys.idp, 'idp-1'), issuer: ISSUER, audience: CLIENT_ID, tiers: base.tiers },
    },
  };
  const once = (kind, c) => {
    const child = spawnSync(process.execPath, [join(root, 'bench/cold-handler.cjs')], {
      env: { ...process.env, KIND: kind, CASE: JSON.stringify(c), AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_EC2_METADATA_DISABLED: 'true' },
    });
    if (child.status !== 0) throw new Error(`cold-handler ${kind}: ${child.stderr}`);
    return JSON.parse(child.stdout.toString().trim().split('\n').pop());
  };
  const results = {};
  for (const [name, c] of Object.entries(cases)) {
    const runs = { ours: [], peer: [] };
    for (let i = 0; i < RUNS; i++) {
      runs.ours.push(once('ours', c));
      runs.peer.push(once('peer', c));
    }
    const expected = name === 'auth' ? '200' : 'pass';
    for (const r of [...runs.ours, ...runs.peer]) if (r.status !== expected) throw new Error(`cold-handler ${name}: answered ${r.status}`);
    const max = (list, k) => Math.max(...list.map((r) => r[k]));
    results[name] = {
      runs: RUNS,
      ours_ms: round(median(runs.ours.map((r) => r.ms))),
      peer_ms: round(median(runs.peer.map((r) => r.ms))),
      secret_reads: max(runs.ours, 'secretReads'),
      jwks_fetches: max(runs.ours, 'jwksFetches'),
      peer_secret_reads: max(runs.peer, 'secretReads'),
    };
  }
  mkdirSync(join(root, 'bench/out'), { recursive: true });
  writeFileSync(join(root, 'bench/out/cold-handler.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`whole cold start: private path ${results.private_path.ours_ms} ms vs peer ${results.private_path.peer_ms} ms (${results.private_path.secret_reads} secret reads); /auth ${results.auth.ours_ms} ms vs peer ${results.auth.peer_ms} ms (${results.auth.secret_reads} secret reads)`);
} finally {
  await moto.stop();
}
