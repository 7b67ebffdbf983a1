// `make bench`: runs every benchmark in this one run (bench/core.mjs and bench/web.mjs for the
// npm package's two builds, bench/edge.mjs for the Lambda@Edge handler, bench/cli-batch.sh
// for the native CLI), reads the sizes of both wasm files, and prints ONE table: each row's
// value and same-run ratio, its target (docs/design.md, section "Targets") and whether it is
// met. Writes bench/results.json and bench/RESULTS.md (the latest numbers, committed; the
// notes of bench/notes.md are appended). The "before" column is bench/baseline.json: the
// numbers before issue 13 (`BENCH_SAVE_BASELINE=1` rewrites it from this run).
//
// Usage: node bench/report.mjs   (after `make pkg bundle`; `make bench` does all of it)
//   BENCH_CLI_N     URLs signed by the CLI batch (default 10000)
//   BENCH_AWS_N     `aws cloudfront sign` calls timed (default 8, one process each)
//   BENCH_SKIP_CLI  set to 1 to leave the CLI row out (no awscli installed)
//   BENCH_REPORT_ONLY set to 1 to rewrite the table from the last run's bench/out/*.json
//                   (after editing bench/notes.md), running nothing
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { round } from './timing.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = (name) => JSON.parse(readFileSync(join(root, 'bench/out', name), 'utf8'));
const started = Date.now();

function run(command, args, env = {}) {
  const t0 = Date.now();
  const result = spawnSync(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`bench: ${command} ${args.join(' ')} failed (${result.status})`);
  console.error(`bench: ${args.at(-1)} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

// Warm numbers are V8's optimised code: without --no-liftoff a long wasm call can be timed in
// the baseline tier while the optimised code compiles in the background (a busy 2-core
// machine). Cold starts run in fresh processes without the flag (core.mjs), as Lambda starts.
const reportOnly = process.env.BENCH_REPORT_ONLY === '1';
if (!reportOnly) {
  run(process.execPath, ['--no-liftoff', 'bench/core.mjs']);
  run(process.execPath, ['--no-liftoff', 'bench/edge.mjs']);
  run(process.execPath, ['--no-liftoff', 'bench/web.mjs']);
  run(process.execPath, ['bench/cold-handler.mjs']);
}
const withCli = process.env.BENCH_SKIP_CLI !== '1';
if (withCli && !reportOnly) {
  run('bash', ['bench/cli-batch.sh'], { N: process.env.BENCH_CLI_N ?? '10000', SAMPLE: process.env.BENCH_AWS_N ?? '8' });
}

const core = out('core.json');
const edge = out('edge.json');
const web = out('web.json');
const coldHandler = out('cold-handler.json');
const cli = withCli ? out('cli-batch.json') : null;
const wasmNode = readFileSync(join(root, 'pkg/node/cloudfront_edge_auth_bg.wasm'));
const wasmWeb = readFileSync(join(root, 'pkg/web/cloudfront_edge_auth_bg.wasm'));
const zipPath = join(root, 'edge/dist/edge-auth.zip');

const baselinePath = join(root, 'bench/baseline.json');
const baseline = existsSync(baselinePath) ? JSON.parse(readFileSync(baselinePath, 'utf8')) : null;

/**
 * One row. `ours` and `peer` in `unit`; `ratio` is ours / peer (lower is better). `target` is
 * `{on: 'ratio' | 'value', max, strict}` (value <= max, or < max when strict) or null
 * (reported only). `before` names the row of bench/baseline.json it continues.
 */
const rows = [];
function add({ id, name, ours, peer = null, peerName = null, unit, target = null, before = null }) {
  const ratio = peer === null ? null : Number((ours / peer).toPrecision(3));
  const value = target?.on === 'ratio' ? ratio : ours;
  const met = target === null ? null : target.strict ? value < target.max : value <= target.max;
  rows.push({ id, name, ours: round(ours), peer: peer === null ? null : round(peer), peer_name: peerName, unit, ratio,
    target: target === null ? 'report only' : `${target.strict ? '<' : '<='} ${target.max}${target.on === 'ratio' ? 'x' : ` ${unit}`}`,
    met, before });
}
const row = (list, id) => list.find((r) => r.id === id) ?? (() => { throw new Error(`bench: no row ${id}`); })();
const ratioAtMost = (max) => ({ on: 'ratio', max, strict: false });
const below = (max) => ({ on: 'value', max, strict: true });

for (const [id, target, before] of [
  ['get_signed_cookies', ratioAtMost(0.5), 'get_signed_cookies'],
  ['sign', ratioAtMost(1.3), 'sign'],
  ['verify', ratioAtMost(1.5), 'verify_same_job'],
]) {
  const r = row(core.rows, id);
  add({ id, name: r.name, ours: r.ours_us, peer: r.peer_us, peerName: r.peer, unit: 'us', target, before });
}
for (const [id, target] of [['edge_warm_miss', ratioAtMost(1.5)], ['edge_warm_hit', ratioAtMost(0.3)]]) {
  const r = row(edge.rows, id);
  add({ id, name: r.name, ours: r.ours_us, peer: r.peer_us, peerName: r.peer, unit: 'us', target, before: id });
}
const cold = core.cold_start;
// The targets are absolute (ms); the node:crypto-only peer, timed in the same run, is what
// tells a slower machine from a slower build.
const COLD_PEER = 'node:crypto-only handler cold (bench/peer-handler.cjs module + createPublicKey)';
add({ id: 'cold_start_private_path', name: `cold start, private path: wasm load ${cold.load_ms} + key group ${cold.key_group_parse_ms} ms (median of ${cold.runs} fresh processes)`,
  ours: cold.private_path_ms, peer: cold.peer_private_path_ms, peerName: COLD_PEER, unit: 'ms', target: below(8), before: 'cold_start_gate' });
add({ id: 'cold_start_auth', name: `cold start, /auth: the private path + private key ${cold.private_key_parse_ms} ms`,
  ours: cold.auth_ms, peer: cold.peer_auth_ms, peerName: `${COLD_PEER} + createPrivateKey`, unit: 'ms', target: below(12), before: 'cold_start' });
// The whole cold start a viewer waits for (bench/cold-handler.mjs): require of the handler to
// its decision, against a node:crypto-only handler doing the same work in the same run.
const COLD_HANDLER_PEER = 'node:crypto-only handler, whole cold start (bench/peer-handler.cjs)';
const ch = coldHandler;
add({ id: 'cold_handler_private_path', name: `whole cold start, private path with valid cookies, key group bundled (Node ${ch.private_path.node}, Lambda@Edge's runtime; median of ${ch.private_path.runs} fresh processes)`,
  ours: ch.private_path.ours_ms, peer: ch.private_path.peer_ms, peerName: COLD_HANDLER_PEER, unit: 'ms', target: ratioAtMost(3) });
add({ id: 'cold_handler_private_path_core', name: 'the same cold start, the wasm core alone: require, a Verifier over the key group, one verify (the floor of any handler on the core)',
  ours: ch.private_path.core_ms, peer: ch.private_path.peer_ms, peerName: COLD_HANDLER_PEER, unit: 'ms' });
add({ id: 'cold_handler_private_path_network', name: 'network calls on that cold private path (secret reads + JWKS fetches, most of any run)',
  ours: ch.private_path.secret_reads + ch.private_path.jwks_fetches, unit: 'calls', target: below(1) });
add({ id: 'cold_handler_auth', name: `whole cold start, /auth with a Bearer ID token, secret from Secrets Manager (moto on loopback; median of ${ch.auth.runs})`,
  ours: ch.auth.ours_ms, peer: ch.auth.peer_ms, peerName: `${COLD_HANDLER_PEER}: secret read, RS256 check, a signature per tier`, unit: 'ms' });
add({ id: 'cold_handler_auth_secret_reads', name: 'secret reads on that cold /auth (exactly one: most of any run, and the mint needs one)',
  ours: ch.auth.secret_reads, unit: 'reads', target: { on: 'value', max: 1, strict: false } });
add({ id: 'wasm_node', name: 'wasm raw, pkg/node (node:crypto backend)', ours: wasmNode.length / 1024, unit: 'KiB', target: below(300), before: 'wasm_raw' });
add({ id: 'wasm_web', name: 'wasm raw, pkg/web (rsa + p256 crates)', ours: wasmWeb.length / 1024, unit: 'KiB', target: below(500) });
for (const id of ['web_sign', 'web_verify']) {
  const r = row(web.rows, id);
  add({ id, name: r.name, ours: r.ours_us, peer: r.peer_us, peerName: r.peer, unit: 'us' });
}
const nodeEcdsa = row(core.rows, 'ecdsa_sign_node');
add({ id: 'ecdsa_sign_node', name: nodeEcdsa.name, ours: nodeEcdsa.ours_us, peer: nodeEcdsa.peer_us, peerName: nodeEcdsa.peer, unit: 'us' });
const webEcdsa = row(web.rows, 'ecdsa_sign_web');
add({ id: 'ecdsa_sign_web', name: webEcdsa.name, ours: webEcdsa.ours_us, peer: webEcdsa.peer_us, peerName: webEcdsa.peer, unit: 'us' });
const { rsa_2048: rsaLen, ecdsa_p256: ecLen } = core.lengths;
add({ id: 'ecdsa_cookie_length', name: 'Cookie header of one custom-policy cookie set, ECDSA P-256 vs RSA-2048',
  ours: ecLen.cookie_header_chars, peer: rsaLen.cookie_header_chars, peerName: 'RSA-2048', unit: 'chars' });
add({ id: 'ecdsa_url_length', name: 'signed URL (canned policy), ECDSA P-256 vs RSA-2048',
  ours: ecLen.signed_url_chars, peer: rsaLen.signed_url_chars, peerName: 'RSA-2048', unit: 'chars' });
if (cli) {
  // docs/design.md: ">= 1000x `aws cloudfront sign` per URL", i.e. a ratio of at most 0.001.
  add({ id: 'cli_batch', name: `native CLI sign-url --batch (${cli.urls} URLs, one process)`, ours: cli.batch_ms_per_url * 1000,
    peer: cli.aws_ms_per_url * 1000, peerName: `aws cloudfront sign (${cli.aws_sample} URLs, one process each)`, unit: 'us/URL',
    target: ratioAtMost(0.001), before: 'cli_batch' });
  // docs/design.md: "at most half the time of the Rust `cloudfront_sign` crate for the same URLs".
  add({ id: 'cli_batch_crate', name: `native CLI sign-url --batch against the cloudfront_sign crate, the same ${cli.urls} URLs on ${cli.cores} cores (median of ${cli.rounds} alternating rounds)`,
    ours: cli.batch_ms_per_url * 1000, peer: cli.peer_ms_per_url * 1000, peerName: `${cli.peer} (rsa 0.9, no blinding)`, unit: 'us/URL',
    target: ratioAtMost(0.5) });
}

const version = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')[0];
  } catch {
    return 'unknown';
  }
};
const lockVersion = (name) => {
  const lock = readFileSync(join(root, 'Cargo.lock'), 'utf8');
  return new RegExp(`name = "${name}"\\nversion = "([^"]+)"`).exec(lock)?.[1] ?? 'unknown';
};
const npmVersion = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
const machine = {
  date: new Date().toISOString(),
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memory_gib: round(totalmem() / 2 ** 30),
  node: process.version,
  openssl: process.versions.openssl,
  rustc: version('rustc', ['--version']),
  wasm_pack: version('wasm-pack', ['--version']),
  binaryen: npmVersion('binaryen'),
  rsa_crate: lockVersion('rsa'),
  p256_crate: lockVersion('p256'),
  aws_sdk_cloudfront_signer: npmVersion('@aws-sdk/cloudfront-signer'),
  aws_jwt_verify: npmVersion('aws-jwt-verify'),
  awscli: cli ? version('aws', ['--version']) : 'not run',
  key_bits: core.key_bits,
};

const extras = {
  verify_rsa_only: row(core.rows, 'verify_rsa_only'),
  ecdsa_verify_web: row(web.rows, 'ecdsa_verify_web'),
  lengths: core.lengths,
  cold_start: core.cold_start,
  auth_mint: edge.mint,
  wasm_gzip_kib: { node: round(gzipSync(wasmNode, { level: 9 }).length / 1024), web: round(gzipSync(wasmWeb, { level: 9 }).length / 1024) },
  edge_zip_kib: existsSync(zipPath) ? round(statSync(zipPath).size / 1024) : null,
};
const results = { machine: reportOnly ? JSON.parse(readFileSync(join(root, 'bench/results.json'), 'utf8')).machine : machine, rows, extras };
if (process.env.BENCH_SAVE_BASELINE === '1') writeFileSync(baselinePath, JSON.stringify(results, null, 2) + '\n');
writeFileSync(join(root, 'bench/results.json'), JSON.stringify(results, null, 2) + '\n');

const num = (x) => (x === null ? '' : String(x));
const shownBefore = (r) => {
  const b = r.before && baseline?.rows.find((x) => x.id === r.before);
  return b ? `${b.ours} ${b.unit}${b.ratio === null ? '' : ` (${b.ratio}x)`}` : '-';
};
const lines = [
  '| measurement | before | ours | peer | ours / peer | target | met |',
  '|---|---:|---:|---|---:|---|---|',
  ...rows.map((r) => `| ${r.name} | ${shownBefore(r)} | ${r.ours} ${r.unit} | ${r.peer === null ? '' : `${r.peer_name}: ${r.peer} ${r.unit}`} | ${r.ratio === null ? '' : `${r.ratio}x`} | ${r.target} | ${r.met === null ? '' : r.met ? 'met' : '**not met**'} |`),
];
const table = lines.join('\n');
const also = [
  `Also measured: the Node build's verify against node:crypto's RSA verification alone (pre-decoded bytes): ${extras.verify_rsa_only.ours_us} us vs ${extras.verify_rsa_only.peer_us} us (${extras.verify_rsa_only.ratio}x);`,
  `web build ECDSA P-256 verify ${extras.ecdsa_verify_web.ours_us} us vs RSA-2048 ${extras.ecdsa_verify_web.peer_us} us (${extras.ecdsa_verify_web.ratio}x);`,
  `signature ${ecLen.signature_chars} chars (P-256, DER) vs ${rsaLen.signature_chars} (RSA-2048);`,
  `node:crypto's own module load in a cold process ${cold.node_crypto_load_ms} ms (outside the cold-start rows: the edge handler and its peer both load it);`,
  `/auth mint, cold (${edge.mint.tiers_signed_per_cold_mint} tiers signed) ${edge.mint.cold_us} us, cached ${edge.mint.cached_us} us with no signature made;`,
  `wasm gzip -9: pkg/node ${extras.wasm_gzip_kib.node} KiB, pkg/web ${extras.wasm_gzip_kib.web} KiB${extras.edge_zip_kib === null ? '' : `; edge zip ${extras.edge_zip_kib} KiB (< 1024 KiB)`}.`,
].join(' ');
const seconds = Math.round((Date.now() - started) / 1000);
console.log(`\n${table}\n\n${also}\n\nbench: report.mjs done in ${seconds} s`);

const notesPath = join(root, 'bench/notes.md');
const md = `# Benchmark results

The latest numbers of \`make bench\` (bench/report.mjs): every ratio measured in the same run
on the same keys (RSA-2048 unless a row says P-256), ours and the peer timed in alternating
rounds, medians after a warm-up; cold starts are medians of fresh processes, ours alternating
with a node:crypto-only handler's (their targets are in ms, the peer tells the machine's
speed). Lower is better. The targets are those of docs/design.md (section "Targets").
"before" is bench/baseline.json, the committed numbers from before issue 13 (our own RSA
arithmetic in wasm).

${table}

${also}

Machine and versions: ${Object.entries(results.machine).map(([k, v]) => `${k} \`${v}\``).join(', ')}.
${baseline ? `\nBefore: taken ${baseline.machine.date} (node ${baseline.machine.node}).\n` : ''}
${existsSync(notesPath) ? readFileSync(notesPath, 'utf8') : ''}`;
writeFileSync(join(root, 'bench/RESULTS.md'), md);
