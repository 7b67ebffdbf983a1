// Shared by the emulator's tests: an HTTPS client that trusts the emulator's throwaway
// certificate (no NODE_TLS_REJECT_UNAUTHORIZED), and an emulator on a free port.
import https from 'node:https';
import http from 'node:http';
import { selfSignedCertificate } from '../src/tls.js';
import { startEmulator } from '../src/server.js';

export const tls = selfSignedCertificate();

/**
 * @param {string} url
 * @param {{method?: string, headers?: Record<string, string>}} [options]
 * @returns {Promise<{status: number, statusMessage: string, headers: import('node:http').IncomingHttpHeaders, body: Buffer, text: string}>}
 */
export function request(url, { method = 'GET', headers = {} } = {}) {
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, { method, headers, ca: tls.cert, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode, statusMessage: res.statusMessage, headers: res.headers, body, text: body.toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** An emulator on a free loopback port with the shared certificate. */
export async function emulator(options = {}) {
  return startEmulator({ tls, ...options });
}
