// Runs a Worker bundle in workerd through miniflare (which needs Node 22: the test runs this
// file with it) and prints the Worker's answer to one POST of stdin. The bundle's `.wasm`
// imports are compiled modules, as wrangler's default rules make them.
// Usage: node22 miniflare-run.mjs <bundle.js>
import { readFileSync } from 'node:fs';

import { Miniflare } from 'miniflare';

const mf = new Miniflare({
  scriptPath: process.argv[2],
  modules: true,
  modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
  compatibilityDate: '2026-07-01',
});
try {
  const response = await mf.dispatchFetch('http://worker.test/', { method: 'POST', body: readFileSync(0) });
  process.stdout.write(await response.text());
  if (!response.ok) process.exitCode = 1;
} finally {
  await mf.dispose();
}
