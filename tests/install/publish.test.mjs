// Ready to publish: `npm publish --dry-run` of pkg/ and `cargo package` of the crate are
// clean. The npm package ships what a user needs (licenses, typings, both builds) and nothing
// else (no test keys, source maps or paths of the build machine); the crate ships its sources,
// the docs.rs metadata and its Rust tests with the fixtures they read, and every target of it
// compiles from the packaged files alone.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { ROOT, run, workspace } from './project.mjs';

const read = (/** @type {string} */ path) => readFileSync(join(ROOT, path), 'utf8');
/** Read as text: enough for the few keys checked here. */
const cargoToml = read('Cargo.toml');

describe('npm publish --dry-run', () => {
  const manifest = JSON.parse(read('pkg/package.json'));

  test('the manifest names its repository, license, keywords and typings, types first in exports', () => {
    assert.equal(manifest.license, 'MIT OR Apache-2.0');
    assert.match(cargoToml, /^license = "MIT OR Apache-2.0"$/m, 'crate and npm package share a license');
    assert.match(manifest.repository.url, /^git\+https:\/\/github\.com\/.+\.git$/);
    assert.equal(manifest.repository.directory, 'pkg');
    assert.ok(manifest.keywords.includes('cloudfront') && manifest.keywords.length >= 5);
    assert.equal(manifest.types, './index.d.ts');
    // TypeScript reads the first matching condition: `types` must come before the others.
    assert.equal(Object.keys(manifest.exports['.'])[0], 'types');
    assert.equal(manifest.dependencies, undefined, 'the package has no dependencies');
    for (const license of ['LICENSE-MIT', 'LICENSE-APACHE']) {
      assert.equal(read(`pkg/${license}`), read(license), `pkg/${license} is a copy of the root's`);
    }
  });

  test('is clean and lists exactly the entries, both builds, typings, README and licenses', () => {
    // The dry run prints its report on stderr and the JSON summary on stdout.
    const stdout = run('npm', ['publish', '--dry-run', '--json'], { cwd: join(ROOT, 'pkg') });
    const report = JSON.parse(stdout)['cloudfront-edge-auth'];
    const files = report.files.map((/** @type {{path: string}} */ f) => f.path).sort();
    const build = ['cloudfront_edge_auth.d.ts', 'cloudfront_edge_auth.js', 'cloudfront_edge_auth_bg.wasm',
      'cloudfront_edge_auth_bg.wasm.d.ts', 'package.json'];
    assert.deepStrictEqual(files, [
      'LICENSE-APACHE', 'LICENSE-MIT', 'README.md', 'browser.mjs', 'edge-light.mjs', 'index.d.ts', 'index.mjs',
      'workerd.mjs', ...build.map((f) => `node/${f}`), 'package.json', ...build.map((f) => `web/${f}`),
    ].sort());
    assert.equal(report.name, 'cloudfront-edge-auth');
    assert.equal(report.version, manifest.version);
    // Well under npm's limits and a Lambda@Edge zip's: the two wasm files are most of it.
    assert.ok(report.size < 400_000, `tarball ${report.size} bytes`);
  });

  test('prints no warning but the one a dry run without a registry login always prints', () => {
    // npm writes warnings (e.g. "npm auto-corrected some errors in your package.json") to stderr.
    const out = run('bash', ['-c', 'npm publish --dry-run 2>&1 >/dev/null'], { cwd: join(ROOT, 'pkg') });
    const warnings = out.split('\n').filter((line) => /\bwarn/i.test(line))
      .filter((line) => !/requires you to be logged in .*\(dry-run\)/.test(line));
    assert.deepStrictEqual(warnings, []);
  });

  test('no source maps, test keys or paths of this machine in the shipped text files', () => {
    for (const file of ['index.mjs', 'browser.mjs', 'workerd.mjs', 'edge-light.mjs', 'index.d.ts', 'node/cloudfront_edge_auth.js',
      'web/cloudfront_edge_auth.js', 'node/cloudfront_edge_auth.d.ts', 'README.md']) {
      const text = read(`pkg/${file}`);
      assert.doesNotMatch(text, /sourceMappingURL/, `${file}: source map reference`);
      assert.doesNotMatch(text, /-----BEGIN [A-Z ]*PRIVATE KEY-----\n[A-Za-z0-9+/]/, `${file}: a private key`);
      assert.ok(!text.includes(ROOT), `${file} names ${ROOT}`);
    }
  });

  test('the packed .wasm files name no path of the build machine', () => {
    // Dependencies' panic locations are source paths: scripts/build-pkg.sh remaps the cargo
    // home to /cargo, the repository to /build and the toolchain to /rustc; --strip-debug
    // drops DWARF and the name section. Read from the tarball npm would publish.
    const space = workspace();
    try {
      run('tar', ['-xzf', space.packed.filename, 'package/node/cloudfront_edge_auth_bg.wasm',
        'package/web/cloudfront_edge_auth_bg.wasm'], { cwd: space.dir });
      const sysroot = run('rustc', ['--print', 'sysroot']).trim();
      const machine = [homedir(), ROOT, sysroot, '.cargo/registry', '.rustup/toolchains']
        .filter((path) => path.length > 1);
      for (const build of ['node', 'web']) {
        const bytes = readFileSync(join(space.dir, `package/${build}/cloudfront_edge_auth_bg.wasm`)).toString('latin1');
        // The remapped paths are there, so the search below reads the bytes that hold them.
        assert.match(bytes, /\/cargo\/registry\/src\/[^/]+\/[\w.-]+\/src\//, `${build}: no remapped dependency path`);
        for (const path of machine) assert.ok(!bytes.includes(path), `${build} wasm names ${path}`);
        const absolute = [...bytes.matchAll(/\/(?:home|root|Users|tmp|work)\/[\x21-\x7e]*/g)].map((m) => m[0]);
        assert.deepStrictEqual(absolute, [], `${build} wasm names paths of the build machine`);
      }
    } finally {
      space.remove();
    }
  });
});

describe('cargo package', () => {
  test('is clean, ships the sources and the Rust tests with their fixtures, and every target compiles', () => {
    // --no-verify: the compile below reuses the target dir (a verify build would start from
    // nothing, ~2 minutes); --offline: the lock file already pins every dependency;
    // --allow-dirty: a developer's uncommitted files are packaged as they are.
    const out = run('bash', ['-c', 'cargo package --no-verify --allow-dirty --offline 2>&1'], { cwd: ROOT });
    // Cargo warns of a test target whose file is left out (it drops the target) and of a file
    // name Windows reserves: neither may happen.
    assert.deepStrictEqual(out.split('\n').filter((line) => /^warning\b/.test(line)), []);
    assert.match(out, /^ *Packaged \d+ files/m);

    const list = run('cargo', ['package', '--list', '--allow-dirty', '--offline'], { cwd: ROOT }).trim().split('\n');
    const shipped = new RegExp('^(src/.+\\.rs|Cargo\\.toml(\\.orig)?|Cargo\\.lock|README\\.md|CHANGELOG\\.md|LICENSE-(MIT|APACHE)'
      + '|\\.cargo_vcs_info\\.json|tests/\\w+\\.rs|tests/\\w+/mod\\.rs|tests/vectors/wycheproof/[\\w.]+'
      + '|tests/fuzz-corpus/[\\w-]+/[\\w.-]+)$');
    assert.deepStrictEqual(list.filter((f) => !shipped.test(f)), []);
    const rustTests = readdirSync(join(ROOT, 'tests')).filter((f) => f.endsWith('.rs')).map((f) => `tests/${f}`);
    assert.ok(rustTests.length >= 5, `tests/*.rs: ${rustTests}`);
    for (const needed of ['src/lib.rs', 'LICENSE-MIT', 'LICENSE-APACHE', 'CHANGELOG.md', 'README.md',
      'tests/vectors/wycheproof/LICENSE', ...rustTests]) {
      assert.ok(list.includes(needed), `${needed} missing from the crate`);
    }
    // Read at run time, so no compile below would miss them: each corpus the fuzz targets replay.
    const corpora = [...read('tests/fuzz.rs').matchAll(/corpus\(\s*"([\w-]+)"/g)].map((m) => m[1]);
    assert.ok(corpora.length >= 4, `corpora named in tests/fuzz.rs: ${corpora}`);
    for (const corpus of corpora) {
      const files = readdirSync(join(ROOT, 'tests/fuzz-corpus', corpus)).map((f) => `tests/fuzz-corpus/${corpus}/${f}`);
      const missing = files.filter((f) => !list.includes(f));
      assert.deepStrictEqual(missing, [], `${corpus} corpus`);
    }
    assert.ok(!list.some((f) => f.startsWith('tests/fuzz-corpus/edge-config/')), 'the JS config corpus is not the crate\'s');

    // Unpacked where cargo's own verify step would (a stable path keeps the build cached), then
    // compiled with every feature and target it has (the tests' include_str! vectors too),
    // sharing the repository's target dir.
    const version = /^version = "([^"]+)"$/m.exec(cargoToml)?.[1];
    const packaged = `target/package/cloudfront-edge-auth-${version}`;
    run('rm', ['-rf', packaged], { cwd: ROOT });
    run('tar', ['-xzf', `${packaged}.crate`, '-C', 'target/package'], { cwd: ROOT });
    run('cargo', ['check', '--offline', '--quiet', '--all-targets', '--all-features',
      '--manifest-path', `${packaged}/Cargo.toml`, '--target-dir', 'target'], { cwd: ROOT });
  });

  test('docs.rs builds the documented features, each of which exists', () => {
    /** The lines of a `[table]`, up to the next table header. */
    const table = (/** @type {string} */ name) => cargoToml.split(`\n[${name}]\n`)[1]?.split(/\n\[/)[0] ?? '';
    const features = JSON.parse(/^features = (\[.*\])$/m.exec(table('package.metadata.docs.rs'))?.[1] ?? 'null');
    assert.ok(Array.isArray(features) && features.length > 0, 'docs.rs features');
    const declared = table('features');
    for (const feature of features) assert.match(declared, new RegExp(`^${feature} = `, 'm'));
    assert.ok(!features.includes('fuzzing'), 'internals are not documented');
  });
});
