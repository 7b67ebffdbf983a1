#!/usr/bin/env node
// `make demo`: a local OpenID Provider (its own login page), moto (Secrets Manager), the edge
// handler and the CloudFront emulator on this machine. PORT (default 8443) is the HTTPS port,
// HTTP_PORT (default 8080) redirects to it, as `redirect-to-https` does. CHECK_ORDER
// (function-first, the default, or cloudfront-first) says which check runs first on private
// paths. SIGN_IN=custom signs in on the site's own page against moto's Cognito instead.
// Ctrl-C stops everything.

import { startDemo, CHECK_ORDERS, SIGN_IN_MODES } from './site.js';

const port = Number(process.env.PORT ?? 8443);
const httpPort = Number(process.env.HTTP_PORT ?? 8080);
const quiet = process.env.QUIET === '1';
const checkOrder = process.env.CHECK_ORDER || 'function-first';
const signIn = process.env.SIGN_IN || 'idp';
if (!SIGN_IN_MODES.includes(signIn)) {
  console.error(`make demo: SIGN_IN must be ${SIGN_IN_MODES.join(' or ')}, not ${signIn}`);
  process.exit(2);
}
if (!Object.hasOwn(CHECK_ORDERS, checkOrder)) {
  console.error(`make demo: CHECK_ORDER must be ${Object.keys(CHECK_ORDERS).join(' or ')}, not ${checkOrder}`);
  process.exit(2);
}
const ORDER_LINES = {
  'function-first': 'the edge function, then CloudFront\'s key-group check (redirects and re-mints at the edge)',
  'cloudfront-first': 'CloudFront\'s key-group check, then the edge function (refusals: the 403 page, then /auth)',
};

const color = process.stdout.isTTY ? (code, text) => `\x1b[${code}m${text}\x1b[0m` : (code, text) => text;
const time = () => new Date().toISOString().slice(11, 19);

// The handler's decision for a request comes before CloudFront's response to it; both are
// printed as one line, matched by method and URI.
const decisions = new Map();
const onDecision = (d) => {
  const key = `${d.method} ${d.uri}`;
  decisions.set(key, [...(decisions.get(key) ?? []), d]);
};
const onRequest = (r) => {
  if (quiet) return;
  const key = `${r.method} ${r.uri}`;
  const [decision, ...rest] = decisions.get(key) ?? [];
  if (rest.length > 0) decisions.set(key, rest);
  else decisions.delete(key);
  const fn = decision ? ` fn:${decision.outcome}${decision.reason ? `(${decision.reason})` : ''}${decision.redirect ? '->sign-in' : ''}` : '';
  const kg = r.keyGroup ? ` key-group:${r.keyGroup.split(':')[0].replace(/ \(.*/, '')}` : '';
  const page = r.customErrorResponse?.page ? ` -> ${r.customErrorResponse.page.split(' ')[0]}` : '';
  const status = r.status >= 400 ? color(31, r.status) : r.status >= 300 ? color(33, r.status) : color(32, r.status);
  console.log(`${color(2, time())} ${r.method} ${r.uri} ${status} ${color(2, `[${r.behavior ?? '-'}]${fn}${kg} ${r.source}${page}`)}`);
};

let demo;
try {
  demo = await startDemo({ port, httpPort, checkOrder, signIn, onRequest, onDecision });
} catch (error) {
  console.error(`make demo: ${error.message}`);
  if (error.code === 'EADDRINUSE') console.error('make demo: a port is taken; try PORT=9443 HTTP_PORT=9080 make demo');
  process.exit(1);
}

const [basic, premium] = demo.users;
console.log(`
  cloudfront-edge-auth demo

  Open          ${color(1, `${demo.url}/`)}   (or ${demo.httpUrl}/, redirected)
                The certificate is self-signed for localhost: accept it once in the browser.
  Users         ${basic.username} / ${basic.password}      private
                ${premium.username} / ${premium.password}  private + premium
  Check order   ${checkOrder}: ${ORDER_LINES[checkOrder]}
                (make demo CHECK_ORDER=${checkOrder === 'function-first' ? 'cloudfront-first' : 'function-first'} for the other)
  Sign-in       ${demo.idp
    ? `the identity provider's own page: ${demo.idp.issuer} (oidc-provider, OpenID Connect code flow + PKCE)
                (SIGN_IN=custom make demo for the site's own page and a Bearer token)`
    : `the site's own page /signin.html, an ID token from moto's Cognito user pool ${demo.provisioned.poolId}`}
  Edge config   ${demo.configFile}
  moto          ${demo.motoEndpoint} (Secrets Manager${demo.idp ? '' : ', Cognito'})

  Ctrl-C stops the emulator${demo.idp ? ', the identity provider' : ''} and moto.
`);

let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`\nmake demo: ${signal}, stopping the emulator${demo.idp ? ', the identity provider' : ''} and moto`);
  await demo.stop();
  process.exit(0);
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
