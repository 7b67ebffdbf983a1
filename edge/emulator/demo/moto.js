// moto's server (PyPI moto[server], in the repository's .venv, installed by
// scripts/bootstrap.sh) standing in for Amazon Cognito and AWS Secrets Manager, on loopback.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export const MOTO_SERVER = fileURLToPath(new URL('../../../.venv/bin/moto_server', import.meta.url));

/** A free loopback port (bound, read, released). */
export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts moto_server and waits until it answers.
 * @returns {Promise<{endpoint: string, stop: () => Promise<void>}>}
 */
export async function startMoto({ port, timeoutMs = 30_000 } = {}) {
  if (!fs.existsSync(MOTO_SERVER)) {
    throw new Error(`${MOTO_SERVER} is missing: run scripts/bootstrap.sh (make bootstrap)`);
  }
  const chosen = port || (await freePort());
  const endpoint = `http://127.0.0.1:${chosen}`;
  const child = spawn(MOTO_SERVER, ['-H', '127.0.0.1', '-p', String(chosen)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // performance.now, not Date.now: the edge tests that share this pin Date.
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${stderr}`);
    try {
      await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      if (performance.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`moto_server did not answer at ${endpoint} within ${timeoutMs} ms: ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    endpoint,
    pid: child.pid,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
