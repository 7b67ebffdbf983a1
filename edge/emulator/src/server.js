// The emulator's network side: an HTTPS listener on loopback that hands each request to a
// distribution (see distribution.js), and optionally a plain HTTP listener that does what
// `ViewerProtocolPolicy: redirect-to-https` does (301 to the HTTPS URL).

import http from 'node:http';
import https from 'node:https';
import { selfSignedCertificate } from './tls.js';

/**
 * @param {{host?: string, port?: number, httpPort?: number, tls?: {key: string, cert: string} | false,
 *          distribution?: {handle: Function}, hostname?: string}} options
 *   `port: 0` picks a free port; `tls: false` serves plain HTTP (tests of HTTP-only details);
 *   `hostname` is the name printed in URLs (the certificate covers localhost and 127.0.0.1).
 * @returns {Promise<{url: string, port: number, httpUrl?: string, setDistribution: (d: {handle: Function}) => void,
 *                    close: () => Promise<void>}>}
 */
export async function startEmulator({ host = '127.0.0.1', port = 0, httpPort, tls, distribution, hostname = 'localhost' } = {}) {
  let current = distribution ?? null;
  const secure = tls !== false;
  const scheme = secure ? 'https' : 'http';
  const listener = (req, res) => {
    serve(current, scheme, req, res).catch((error) => {
      // A bug in the emulator itself, never a CloudFront behaviour.
      console.error('emulator:', error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('emulator error\n');
    });
  };
  const server = secure ? https.createServer(tls ?? selfSignedCertificate(), listener) : http.createServer(listener);
  const boundPort = await listen(server, port, host);
  const url = `${scheme}://${hostname}:${boundPort}`;

  let redirector = null;
  let httpUrl;
  if (secure && httpPort !== undefined) {
    redirector = http.createServer((req, res) => {
      const target = `https://${(req.headers.host ?? hostname).split(':')[0]}:${boundPort}${req.url}`;
      res.writeHead(301, { location: target, 'content-length': '0', server: 'CloudFront', 'x-cache': 'Redirect from cloudfront' });
      res.end();
    });
    httpUrl = `http://${hostname}:${await listen(redirector, httpPort, host)}`;
  }
  const sockets = new Set();
  for (const s of [server, redirector]) s?.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return {
    url,
    port: boundPort,
    httpUrl,
    setDistribution: (d) => {
      current = d;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all([server, redirector].filter(Boolean).map((s) => new Promise((resolve) => s.close(() => resolve()))));
    },
  };
}

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

/** Request bodies are for the origin (the function gets none: no include-body option). */
const MAX_BODY_BYTES = 1024 * 1024;

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function serve(distribution, scheme, req, res) {
  const body = await readBody(req);
  if (body === null) {
    res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' });
    res.end('request body too large for the emulator\n');
    return;
  }
  if (!distribution) {
    res.writeHead(503, { 'content-type': 'text/plain' });
    res.end('The distribution is still deploying.\n');
    return;
  }
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const response = await distribution.handle({
    method: req.method,
    scheme,
    host: req.headers.host ?? '',
    uri: q < 0 ? target : target.slice(0, q),
    querystring: q < 0 ? '' : target.slice(q + 1),
    rawHeaders: req.rawHeaders,
    clientIp: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
    body,
  });
  res.writeHead(response.status, response.statusMessage, response.headers.flat());
  res.end(response.body);
}
