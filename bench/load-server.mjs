// The process under load for bench/load.mjs: the edge handler behind the local CloudFront
// emulator (edge/emulator: behaviors, Lambda@Edge quotas, its own trusted-key-group check),
// HTTPS on loopback. Falls back to a bare node:http wrapper around the handler if the
// emulator cannot be loaded. Talks to its parent over IPC: `start` -> `ready`, `rss` -> `rss`.
import { createRequire } from 'node:module';
import http from 'node:http';
import crypto from 'node:crypto';

const require = createRequire(import.meta.url);
const { createHandler } = require('../edge/src/handler.js');

/** Behind the emulator, on a free port; the handler takes the host (and port) from Host. */
async function withEmulator(config, publicPem, keyPairId) {
  const { startEmulator } = await import('../edge/emulator/src/server.js');
  const { createDistribution } = await import('../edge/emulator/src/distribution.js');
  const { selfSignedCertificate } = await import('../edge/emulator/src/tls.js');
  const tls = selfSignedCertificate();
  const handler = createHandler(config, { log: () => {} });
  if (handler.configError) throw handler.configError;
  const emulator = await startEmulator({ tls });
  const domain = `localhost:${emulator.port}`;
  const origin = async (request) => ({
    status: 200,
    headers: [['Content-Type', 'text/plain']],
    body: Buffer.from(`origin ${request.uri}\n`),
  });
  const gated = (pathPattern) => ({ pathPattern, targetOriginId: 'site', trustedKeyGroups: ['kg'], viewerRequest: handler });
  emulator.setDistribution(
    createDistribution({
      domainName: domain,
      origins: { site: origin },
      keyGroups: { kg: { keys: { [keyPairId]: publicPem } } },
      cacheBehaviors: config.tiers.map((t) => gated(`${t.pathPrefix}*`)),
      defaultCacheBehavior: { targetOriginId: 'site', viewerRequest: handler, allowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'] },
    }),
  );
  return { port: emulator.port, url: `https://${domain}`, ca: tls.cert, server: 'emulator' };
}

/** The handler alone behind node:http, turning requests into viewer-request events. */
async function bare(config) {
  const handler = createHandler(config, { log: () => {} });
  const server = http.createServer(async (req, res) => {
    const [uri, querystring = ''] = (req.url ?? '/').split(/\?(.*)/s);
    const headers = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const key = req.rawHeaders[i];
      (headers[key.toLowerCase()] ??= []).push({ key, value: req.rawHeaders[i + 1] });
    }
    const request = { clientIp: '127.0.0.1', headers, method: req.method, querystring, uri };
    const event = { Records: [{ cf: { config: { eventType: 'viewer-request', requestId: crypto.randomUUID() }, request } }] };
    const result = await handler(event);
    if (result.status === undefined) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`origin ${result.uri}\n`);
      return;
    }
    const out = [];
    for (const entries of Object.values(result.headers ?? {})) for (const { key, value } of entries) out.push(key, value);
    res.writeHead(Number(result.status), out);
    res.end(result.body ?? '');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return { port, url: `http://localhost:${port}`, ca: null, server: 'bare node:http (emulator unavailable)' };
}

process.on('message', async (message) => {
  if (message.type === 'start') {
    let ready;
    try {
      ready = await withEmulator(message.config, message.publicPem, message.keyPairId);
    } catch (error) {
      process.stderr.write(`load-server: emulator unavailable (${error.message}); using node:http\n`);
      ready = await bare(message.config);
    }
    process.send({ type: 'ready', ...ready });
  } else if (message.type === 'rss') {
    const { rss, heapUsed } = process.memoryUsage();
    process.send({ type: 'rss', rss, heapUsed });
  }
});
