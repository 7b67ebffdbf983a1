// `make bench`: runs every benchmark in this one run (bench/core.mjs, bench/edge.mjs,
// bench/cli-batch.sh), reads the sizes of the wasm and of the edge zip, and prints ONE table
// of ratios. Writes bench/results.json and bench/RESULTS.md (the latest numbers, committed);
// the "before" column comes from bench/baseline.json (the numbers before the performance
// work of issue 8; `BENCH_SAVE_BASELINE=1` rewrites it from this run).
//
// Usage: node bench/report.mjs   (after `make pkg bundle`; `make bench` does all of it)
//   BENCH_CLI_N     URLs signed by the CLI batch (default 10000, as issue 7 asks)
//   BENCH_AWS_N     `aws cloudfront sign` calls timed (default 8, one process each)
//   BENCH_SKIP_CLI  set to 1 to leave the CLI row out (no awscli installed)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { round } from './timing.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = (name) => JSON.parse(readFileSync(join(root, 'bench/out', name), 'utf8'));

function run(command, args, env = {}) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`bench: ${command} ${args.join(' ')} failed (${result.status})`);
  console.error(`bench: ${args.at(-1)} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// Warm numbers are V8's optimised wasm code. Without --no-liftoff a long call (a 12 ms sign)
// can run in the baseline tier for the whole measurement while the optimised code compiles
// in the background, on a busy 2-core machine 1.3x slower. Cold start is measured in fresh
// processes without the flag (core.mjs), as a Lambda container starts.
run(process.execPath, ['--no-liftoff', 'bench/core.mjs']);
run(process.execPath, ['--no-liftoff', 'bench/edge.mjs']);
const withCli = process.env.BENCH_SKIP_CLI !== '1';
if (withCli) {
  run('bash', ['bench/cli-batch.sh'], { N: process.env.BENCH_CLI_N ?? '10000', SAMPLE: process.env.BENCH_AWS_N ?? '8' });
}

const core = out('core.json');
const edge = out('edge.json');
const cli = withCli ? out('cli-batch.json') : null;
const wasm = readFileSync(join(root, 'pkg/node/cloudfront_edge_auth_bg.wasm'));
const zipPath = join(root, 'edge/dist/edge-auth.zip');

/** One row: `ours` and `peer` in `unit`; `ratio` is ours / peer (lower is better). */
const rows = [];
const add = (id, name, ours, peer, peerName, unit, target) =>
  rows.push({ id, name, ours: round(ours), peer: peer === null ? null : round(peer), peer_name: peerName, unit,
    ratio: peer === null ? null : Number((ours / peer).toPrecision(3)), target });
const byName = (list, name) => list.find((r) => r.name === name) ?? (() => { throw new Error(`bench: no row ${name}`); })();

const sign = byName(core.rows, 'sign one policy (parsed key)');
const verify = byName(core.rows, 'verify one cookie set');
const cookies = byName(core.rows, 'getSignedCookies (PEM each call)');
add('sign', 'wasm sign one policy (parsed key)', sign.ours_us, sign.peer_us, 'node:crypto sign', 'us', '<= 5x');
add('verify', 'wasm verify one cookie set', verify.ours_us, verify.peer_us, 'node:crypto verify (RSA only)', 'us', '<= 3x');
const verifySame = byName(core.rows, 'verify one cookie set, same checks on both sides');
add('verify_same_job', 'wasm verify one cookie set, same checks on both sides', verifySame.ours_us, verifySame.peer_us,
  'node:crypto cookie-set check', 'us', '<= 3x');
add('get_signed_cookies', 'getSignedCookies (PEM parsed each call)', cookies.ours_us, cookies.peer_us, '@aws-sdk/cloudfront-signer getSignedCookies', 'us', null);
const [hit, miss, mint] = edge.rows;
add('edge_warm_hit', 'edge handler, private path, valid cookies (warm, cache hit)', hit.ours_us, hit.peer_us, 'node:crypto handler', 'us', '< 1x');
add('edge_warm_miss', 'edge handler, private path, valid cookies (warm, cache miss)', miss.ours_us, miss.peer_us, 'node:crypto handler', 'us', null);
add('auth_mint', `/auth mint, cold (${edge.tiers_signed_per_cold_mint} tiers signed) vs cached`, mint.ours_us, mint.peer_us, '/auth mint, cached', 'us', 'cached: no RSA sign');
add('cold_start', 'cold start: wasm load + private key + key group parse', core.cold_start.total_ms, null, null, 'ms', '< 15 ms');
// The edge handler parses the private key lazily, at the first mint: a cold container that
// serves a private path pays only the wasm load and the key group.
add('cold_start_gate', 'cold start of a private-path request: wasm load + key group parse',
  core.cold_start.load_ms + core.cold_start.key_group_parse_ms, null, null, 'ms', '< 15 ms');
add('cold_start_load', '  of which wasm load', core.cold_start.load_ms, null, null, 'ms', null);
add('cold_start_private_key', '  of which private key parse', core.cold_start.private_key_parse_ms, null, null, 'ms', null);
add('wasm_raw', 'wasm size, raw', wasm.length / 1024, null, null, 'KiB', '< 300 KiB');
add('wasm_gzip', 'wasm size, gzip -9', gzipSync(wasm, { level: 9 }).length / 1024, null, null, 'KiB', null);
if (existsSync(zipPath)) add('edge_zip', 'edge zip (make bundle)', statSync(zipPath).size / 1024, null, null, 'KiB', '< 1024 KiB');
if (cli) {
  add('cli_batch', `native CLI sign-url --batch (${cli.urls} URLs, one process)`, cli.batch_ms_per_url * 1000, cli.aws_ms_per_url * 1000,
    `aws cloudfront sign (${cli.aws_sample} URLs, one process each)`, 'us/URL', '<= 1x');
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
  rustc: version('rustc', ['--version']),
  wasm_pack: version('wasm-pack', ['--version']),
  binaryen: npmVersion('binaryen'),
  wasm_opt_level: process.env.WASM_OPT_LEVEL ?? '-O3',
  rsa_crate_for_cli_keygen_and_tests: lockVersion('rsa'),
  aws_sdk_cloudfront_signer: npmVersion('@aws-sdk/cloudfront-signer'),
  awscli: cli ? version('aws', ['--version']) : 'not run',
  key_bits: core.key_bits,
};

const results = { machine, rows, cold_start: core.cold_start };
if (process.env.BENCH_SAVE_BASELINE === '1') {
  writeFileSync(join(root, 'bench/baseline.json'), JSON.stringify(results, null, 2) + '\n');
}
const baselinePath = join(root, 'bench/baseline.json');
const baseline = existsSync(baselinePath) ? JSON.parse(readFileSync(baselinePath, 'utf8')) : null;
writeFileSync(join(root, 'bench/results.json'), JSON.stringify(results, null, 2) + '\n');

const shown = (r) => (r ? `${r.ours} ${r.unit}${r.ratio === null ? '' : ` (${r.ratio}x)`}` : '-');
const lines = [
  '| measurement | ours | peer | ours / peer | before | target |',
  '|---|---:|---|---:|---:|---|',
  ...rows.map((r) => {
    const before = baseline?.rows.find((b) => b.id === r.id);
    const peer = r.peer === null ? '' : `${r.peer_name}: ${r.peer} ${r.unit}`;
    return `| ${r.name} | ${r.ours} ${r.unit} | ${peer} | ${r.ratio === null ? '' : `${r.ratio}x`} | ${shown(before)} | ${r.target ?? ''} |`;
  }),
];
const table = lines.join('\n');
console.log(`\n${table}\n`);

const notesPath = join(root, 'bench/notes.md');
const md = `# Benchmark results

The latest numbers of \`make bench\` (bench/report.mjs): every ratio measured in the same run
on the same 2048-bit key, medians over many iterations after a warm-up. "before" is
bench/baseline.json, the numbers before the verify work of issue 8 (same machine class).
Lower ratios are better; the targets are those of DESIGN.md section 5.

${table}

Machine and versions: ${Object.entries(machine).map(([k, v]) => `${k} \`${v}\``).join(', ')}.
${baseline ? `\nBaseline taken ${baseline.machine.date} (rsa ${baseline.machine.rsa}, node ${baseline.machine.node}).\n` : ''}
${existsSync(notesPath) ? readFileSync(notesPath, 'utf8') : ''}`;
writeFileSync(join(root, 'bench/RESULTS.md'), md);
