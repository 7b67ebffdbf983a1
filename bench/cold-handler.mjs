// The whole cold start of the Lambda@Edge handler, as a viewer waits for it: a fresh process
// per run (bench/cold-handler.cjs), from `require` of the handler to its decision, ours and a
// node:crypto-only handler doing the same work alternating, so both see the same machine.
// Ours is the handler as it ships: the zip of edge/scripts/bundle.mjs, unzipped.
//   (a) a private path with valid cookies, the key group bundled in the config and the
//       secret's endpoint unreachable: it must decide with no network call at all;
//   (b) /auth with a Bearer ID token (JWKS embedded in the config), the secret served by moto
//       on loopback: exactly one secret read.
// The children run on Node 22, Lambda@Edge's nodejs22.x (.tools/node22, from scripts/bootstrap.sh),
// falling back to this Node where it is missing. For (a) the wasm core alone is timed too
// (KIND=core): the floor any handler built on it starts from.
// Writes bench/out/cold-handler.json. Usage: node bench/cold-handler.mjs (after `make pkg`).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { config, cookieHeaderFor, cookieJar, createHandler, idToken, jwk, keys, KEY_ID, ISSUER, CLIENT_ID, secret, setCookies, signIn, viewerRequest } from '../edge/test/helpers.mjs';
import { createSecret, freePort, startMoto } from '../edge/test/moto.mjs';
import { mock } from 'node:test';
import { median, round } from './timing.mjs';
import { NODE22 } from '../edge/emulator/idp/launch.js';

// helpers.mjs pins Date for the edge tests; the children run on the real clock, so does this.
mock.timers.reset();

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 11);
const REGION = 'us-east-1';
const NODE = existsSync(NODE22) ? NODE22 : process.execPath;
const NODE_VERSION = execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim();

const moto = await startMoto();
const work = mkdtempSync(join(tmpdir(), 'bench-cold-'));
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
  // Each case's config bundled and unzipped as Lambda would run it ("dev": the endpoints).
  const shipped = (name, cfg) => {
    const dir = join(work, name);
    writeFileSync(join(work, `${name}.json`), JSON.stringify(cfg));
    execFileSync(process.execPath, [join(root, 'edge/scripts/bundle.mjs'), '--config', join(work, `${name}.json`), '--out', `${dir}.zip`, '--dev'], { stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync('unzip', ['-q', `${dir}.zip`, '-d', dir]);
    return dir;
  };
  const dirs = Object.fromEntries(Object.entries(cases).map(([name, c]) => [name, shipped(name, c.config)]));
  const once = (kind, c, name) => {
    const child = spawnSync(NODE, [join(root, 'bench/cold-handler.cjs')], {
      // NODE_PATH: the AWS SDK from here, as Lambda's runtime provides its own on NODE_PATH.
      env: { ...process.env, KIND: kind, CASE: JSON.stringify(c), DIR: dirs[name], NODE_PATH: join(root, 'node_modules'), AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_EC2_METADATA_DISABLED: 'true' },
    });
    if (child.status !== 0) throw new Error(`cold-handler ${kind}: ${child.stderr}`);
    return JSON.parse(child.stdout.toString().trim().split('\n').pop());
  };
  const results = {};
  for (const [name, c] of Object.entries(cases)) {
    const runs = { ours: [], peer: [], core: [] };
    for (let i = 0; i < RUNS; i++) {
      runs.ours.push(once('ours', c, name));
      runs.peer.push(once('peer', c, name));
      if (name === 'private_path') runs.core.push(once('core', c, name));
    }
    const expected = name === 'auth' ? '200' : 'pass';
    for (const r of [...runs.ours, ...runs.peer, ...runs.core]) if (r.status !== expected) throw new Error(`cold-handler ${name}: answered ${r.status}`);
    const max = (list, k) => Math.max(...list.map((r) => r[k]));
    results[name] = {
      runs: RUNS,
      node: NODE_VERSION,
      ours_ms: round(median(runs.ours.map((r) => r.ms))),
      peer_ms: round(median(runs.peer.map((r) => r.ms))),
      ...(runs.core.length ? { core_ms: round(median(runs.core.map((r) => r.ms))) } : {}),
      secret_reads: max(runs.ours, 'secretReads'),
      jwks_fetches: max(runs.ours, 'jwksFetches'),
      peer_secret_reads: max(runs.peer, 'secretReads'),
    };
  }
  mkdirSync(join(root, 'bench/out'), { recursive: true });
  writeFileSync(join(root, 'bench/out/cold-handler.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`whole cold start on Node ${NODE_VERSION}: private path ${results.private_path.ours_ms} ms vs peer ${results.private_path.peer_ms} ms (the wasm core alone ${results.private_path.core_ms} ms; ${results.private_path.secret_reads} secret reads); /auth ${results.auth.ours_ms} ms vs peer ${results.auth.peer_ms} ms (${results.auth.secret_reads} secret reads)`);
} finally {
  await moto.stop();
  rmSync(work, { recursive: true, force: true });
}
