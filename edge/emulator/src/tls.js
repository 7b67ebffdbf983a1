// A throwaway certificate for the emulator's HTTPS listener: CloudFront only speaks HTTPS to
// viewers once `ViewerProtocolPolicy` is `redirect-to-https`, and the edge handler builds
// `https://` redirects and policy resources. Node cannot mint X.509 certificates, so this
// asks the `openssl` command line (present wherever Node's own OpenSSL is packaged). The key
// lives in memory and in a temporary folder removed at once; nothing is ever committed.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function run(command, args, options) {
  try {
    execFileSync(command, args, options);
  } catch (error) {
    if (error.code === 'ENOENT') throw new Error('the emulator needs the openssl command for its HTTPS certificate (apt-get install openssl)');
    throw new Error(`openssl could not make a certificate: ${error.stderr?.toString().trim() || error.message}`);
  }
}

/**
 * A self-signed certificate for `localhost` and 127.0.0.1, valid for a few days.
 * @returns {{key: string, cert: string}} PEM strings
 */
export function selfSignedCertificate({ commonName = 'localhost', days = 7 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-emulator-tls-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    run(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-days', String(days), '-subj', `/CN=${commonName}`,
        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout', keyFile, '-out', certFile,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    return { key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
