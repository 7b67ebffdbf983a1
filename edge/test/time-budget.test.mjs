// One time budget per request. Lambda@Edge stops a viewer-request function at 5 s (the viewer
// then gets CloudFront's error, not ours); the secret, the token endpoint and the JWKS each
// have a cap of their own, but a sign-in or a renewal takes them in turn. Every step gets
// what is left of one deadline (deadline.js), the JWKS downloads while the code is exchanged,
// and when the budget runs out the handler answers with its own 503.
//
// Most cases shrink the budget (the handler's `budgetMs`) so they run in a fraction of a
// second; the last runs the reviewer's cold container at full size through the Lambda@Edge
// emulator's 5 s limit.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { invokeViewerRequest } from '../emulator/src/lambda-edge.js';
import {
  BROWSER,
  CLIENT_ID,
  ISSUER,
  JWKS,
  NOW,
  config,
  cookieHeaderFor,
  cookieJar,
  harness,
  idToken,
  location,
  secret,
  setCookies,
  viewerRequest,
} from './helpers.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits `ms`, or rejects as fetch does when the request's signal aborts first. */
function answerAfter(ms, signal, answer) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(answer()), ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

/** A dev config with the redirect flow against `idp` (endpoints and a JWKS URL there, or embedded). */
function flowConfig({ idp = 'https://idp.example.net', jwksUrl, recheckSeconds, patch = {} } = {}) {
  const base = config(patch);
  delete base.signInUrl;
  const metadata = { issuer: ISSUER, authorization_endpoint: `${idp}/oauth2/authorize`, token_endpoint: `${idp}/oauth2/token` };
  const identityProvider = { ...base.identityProvider, signIn: { clientId: CLIENT_ID, scopes: ['email'], metadata, ...(recheckSeconds ? { recheckSeconds } : {}) } };
  if (jwksUrl) {
    delete identityProvider.jwks;
    identityProvider.jwksUrl = jwksUrl;
  }
  return { ...base, identityProvider };
}

const browserGet = (uri, { querystring = '', cookie } = {}) =>
  viewerRequest({ uri, querystring, headers: { accept: BROWSER, ...(cookie ? { cookie } : {}) } });

/** Begins a sign-in at a private path: the callback's request for `code`, and the flow's nonce. */
async function begin(handler) {
  const response = await handler(browserGet('/premium/a'));
  const to = new URL(location(response));
  const flowLine = setCookies(response).find((l) => l.startsWith('__Host-edge-auth-flow-'));
  const query = new URLSearchParams({ code: 'c', state: to.searchParams.get('state'), iss: ISSUER }).toString();
  return { nonce: to.searchParams.get('nonce'), callback: browserGet('/auth/callback', { querystring: query, cookie: flowLine.split(';')[0] }) };
}

const tokens = (nonce, extra = {}) => ({ access_token: 'at', token_type: 'Bearer', expires_in: 3600, id_token: idToken({ claims: { nonce, aud: CLIENT_ID } }), ...extra });

test('a token endpoint slower than what is left of the budget is given up at the deadline: the 503 page', async () => {
  let nonce = '';
  // Within the endpoint's own 3 s cap, but past this request's budget.
  const fetch = (url, init) => answerAfter(1_000, init.signal, () => Response.json(tokens(nonce)));
  const { handler, logs } = harness(flowConfig(), { fetch, budgetMs: 300 });
  const started = await begin(handler);
  nonce = started.nonce;
  const response = await handler(started.callback);
  assert.equal(response.status, '503');
  assert.match(response.body, /data-page="sign-in-unavailable"/);
  assert.equal(response.headers['retry-after'][0].value, '5');
  assert.deepEqual([logs.at(-1).reason, logs.at(-1).step], ['idp-unavailable', 'token-endpoint']);
  assert.ok(logs.at(-1).ms < 900, `answered after ${logs.at(-1).ms} ms`);
});

test('the JWKS downloads while the code is exchanged, and once per container', async () => {
  const events = [];
  let nonce = '';
  let jwksFetches = 0;
  const fetch = async (url) => {
    if (String(url).endsWith('/jwks')) {
      jwksFetches += 1;
      events.push('jwks-start');
      await sleep(150);
      return Response.json(JWKS);
    }
    events.push('token-start');
    await sleep(150);
    events.push('token-end');
    return Response.json(tokens(nonce));
  };
  const { handler } = harness(flowConfig({ jwksUrl: 'https://idp.example.net/jwks' }), { fetch });
  for (let i = 0; i < 2; i++) {
    const started = await begin(handler);
    nonce = started.nonce;
    const response = await handler(started.callback);
    assert.equal(response.status, '302');
    assert.ok(setCookies(response).some((l) => l.startsWith('CloudFront-Policy=')));
  }
  assert.ok(events.indexOf('jwks-start') < events.indexOf('token-end'), events.join(' '));
  assert.equal(jwksFetches, 1);
});

test('a renewal on a private path shares the budget: a slow refresh is given up, the browser gets the 503 page', async () => {
  let nonce = '';
  let slowRefresh = false;
  const fetch = (url, init) => {
    const refresh = new URLSearchParams(String(init.body)).get('grant_type') === 'refresh_token';
    const answer = () => Response.json(tokens(nonce, { refresh_token: 'rt-1' }));
    return refresh && slowRefresh ? answerAfter(1_000, init.signal, answer) : Promise.resolve(answer());
  };
  const { handler, logs, clock } = harness(flowConfig({ recheckSeconds: 900 }), { fetch, budgetMs: 300 });
  const started = await begin(handler);
  nonce = started.nonce;
  const signedIn = await handler(started.callback);
  assert.equal(signedIn.status, '302');
  const cookie = cookieHeaderFor(cookieJar(setCookies(signedIn)), '/premium/');
  // Past the recheck, the cookies expired: a re-mint must refresh first.
  clock.now = NOW + 16 * 60 * 1000;
  slowRefresh = true;
  const response = await handler(browserGet('/premium/a', { cookie }));
  assert.equal(response.status, '503');
  assert.match(response.body, /data-page="recheck-unavailable"/);
  assert.equal(logs.at(-1).reason, 'idp-unavailable');
  assert.ok(logs.at(-1).ms < 900, `answered after ${logs.at(-1).ms} ms`);
  // The provider answering in time renews as before.
  slowRefresh = false;
  assert.equal((await handler(browserGet('/premium/a', { cookie }))).status, '302');
});

// ---- full size, through the emulator's 5 s limit -------------------------------------------

const servers = [];
after(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

test('a cold callback whose steps are each in time but too slow together gets our 503, inside 5 s', { timeout: 20_000 }, async () => {
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' });
  let nonce = '';
  // Each answer within its step's own cap: the secret 1.9 s (of 2 s), the token endpoint 2.8 s
  // (of 3 s), the JWKS 1.4 s (of 1.5 s); one after another, 6.1 s.
  const server = http.createServer(async (req, res) => {
    req.resume();
    const closed = new Promise((resolve) => res.on('close', resolve));
    const reply = async (ms, type, body) => {
      await Promise.race([sleep(ms), closed]);
      if (res.destroyed) return;
      res.setHeader('content-type', type);
      res.end(JSON.stringify(body));
    };
    if (req.headers['x-amz-target']) await reply(1_900, 'application/x-amz-json-1.1', { Name: 'edge/signing', SecretString: JSON.stringify(secret()) });
    else if (req.url === '/jwks') await reply(1_400, 'application/json', JWKS);
    else await reply(2_800, 'application/json', tokens(nonce));
  });
  servers.push(server);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const cfg = flowConfig({ idp: origin, jwksUrl: `${origin}/jwks`, patch: { signing: { secretsManager: { secretId: 'edge/signing', region: 'us-east-1', endpoint: origin } } } });
  // One container begins the sign-in; another, cold, gets the callback.
  const warm = harness(cfg);
  const started = await begin(warm.handler);
  nonce = started.nonce;
  const cold = harness(cfg, { start: NOW });
  const t0 = performance.now();
  const outcome = await invokeViewerRequest(cold.handler, started.callback);
  const elapsed = performance.now() - t0;
  assert.equal(outcome.kind, 'response', `the emulator saw: ${outcome.kind}`);
  assert.equal(outcome.response.status, 503);
  assert.match(outcome.response.body.toString(), /data-page="sign-in-unavailable"/);
  assert.ok(elapsed < 4_900, `answered after ${Math.round(elapsed)} ms`);
  assert.deepEqual([cold.logs.at(-1).reason, cold.logs.at(-1).step], ['idp-unavailable', 'token-endpoint']);
});
