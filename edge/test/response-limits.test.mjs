// Every response the handler generates must be one CloudFront accepts from a viewer-request
// function: at most 40 KB, headers included (AWS: *Quotas on Lambda@Edge*); over it, the viewer
// gets a 502. The URL is the viewer's to choose (CloudFront lets up to 8,192 bytes through), and
// pages repeat it (shown, and as the way back in their links), so each case here is asked
// with URLs of about 8 KB made of the characters that grow most when escaped. The checker is
// the emulator's, the one the e2e suite runs every response through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { validateResult, MAX_GENERATED_RESPONSE_BYTES } from '../emulator/src/lambda-edge.js';
import { BROWSER, CLIENT_ID, ISSUER, NOW, SESSION_SECRET, config, harness, viewerRequest } from './helpers.mjs';

const require = createRequire(import.meta.url);
const { sealSession } = require('../src/session.js');

const KEYS = { current: Buffer.from(SESSION_SECRET, 'base64'), previous: null };
const IDP = 'https://idp.example.net';
const NOW_SECONDS = Math.floor(NOW / 1000);

function flowConfig() {
  const base = config();
  delete base.signInUrl;
  const metadata = { issuer: ISSUER, authorization_endpoint: `${IDP}/oauth2/authorize`, token_endpoint: `${IDP}/oauth2/token` };
  return { ...base, identityProvider: { ...base.identityProvider, signIn: { clientId: CLIENT_ID, scopes: ['email'], metadata } } };
}

/** A session cookie header: a token session, or a redirect-flow one checked `checkedAgo` seconds ago. */
function session(tiers, { via = 'token', checkedAgo = 0 } = {}) {
  const value = sealSession(KEYS, {
    sub: 'u-1',
    tiers,
    expiresAtSeconds: NOW_SECONDS + 3600,
    via,
    ...(via === 'code' ? { checkedAtSeconds: NOW_SECONDS - checkedAgo, refreshToken: 'rt' } : {}),
  });
  return `__Host-edge-auth-session=${value}`;
}

const refuse = async () => Response.json({ error: 'invalid_grant' }, { status: 400 });
const unreachable = async () => {
  throw new TypeError('fetch failed');
};

/** Each way a private path answers with a response of its own: [name, config, deps, cookie, accept, status]. */
const CASES = [
  ['sign-in page of the site', config(), {}, undefined, BROWSER, 302],
  ['no access (session without the tier)', config(), {}, session(['silver']), BROWSER, 403],
  ['no access, API client', config(), {}, session(['silver']), 'application/json', 403],
  ['re-mint', config(), {}, session(['gold']), BROWSER, 302],
  ['sign-in at the provider', flowConfig(), {}, undefined, BROWSER, 302],
  ['no access after a redirect-flow sign-in', flowConfig(), {}, session(['silver'], { via: 'code' }), BROWSER, 403],
  ['recheck with the provider down', flowConfig(), { fetch: unreachable }, session(['gold'], { via: 'code', checkedAgo: 3600 }), BROWSER, 503],
  ['recheck refused: signed out', flowConfig(), { fetch: refuse }, session(['gold'], { via: 'code', checkedAgo: 3600 }), BROWSER, 302],
];

/** About 8 KB of URL, path or query, of characters that grow when HTML-escaped or URL-encoded. */
const HOSTILE = ["'", '&', '"', '<', 'a'].flatMap((c) => [
  { uri: `/premium/${c.repeat(8000)}`, querystring: '' },
  { uri: '/premium/a', querystring: `x=${c.repeat(8000)}` },
]);

test('every response generated for a private path stays under CloudFront\'s 40 KB, whatever the URL', async () => {
  for (const [name, cfg, deps, cookie, accept, status] of CASES) {
    const { handler } = harness(cfg, deps);
    for (const { uri, querystring } of HOSTILE) {
      const event = viewerRequest({ uri, querystring, headers: { accept, ...(cookie ? { cookie } : {}) } });
      const original = structuredClone(event.Records[0].cf.request);
      const result = await handler(event);
      const what = `${name}: ${uri.slice(0, 12)}... ?${querystring.slice(0, 5)}...`;
      assert.equal(result.status, String(status), what);
      const checked = validateResult(result, original);
      assert.equal(checked.kind, 'response', `${what}: ${checked.why ?? ''}`);
    }
  }
});

test('a page shows a long path cut short, and links to a way back /auth/login accepts', async () => {
  const { handler } = harness(config());
  const uri = `/premium/${"'".repeat(8000)}`;
  const result = await handler(viewerRequest({ uri, querystring: 'x=1', headers: { accept: BROWSER, cookie: session(['silver']) } }));
  assert.match(result.body, /data-page="no-access"/);
  assert.ok(Buffer.byteLength(result.body) < MAX_GENERATED_RESPONSE_BYTES / 4, `${Buffer.byteLength(result.body)} bytes`);
  // 200 characters shown (HTML-escaped), then an ellipsis.
  assert.match(result.body, new RegExp(`access to /premium/(&#39;){191}\u2026\\.`));
  // The path is too long to be a redirect target: the link goes back to the tier.
  const href = /id="another-account"/.test(result.body) && /href="([^"]*)" id="another-account"/.exec(result.body)[1];
  assert.equal(href.replace(/&amp;/g, '&'), '/auth/login?redirect=%2Fpremium%2F&prompt=login');
  const login = await handler(viewerRequest({ uri: '/auth/login', querystring: 'redirect=%2Fpremium%2F&prompt=login' }));
  assert.equal(login.status, '302');
});
