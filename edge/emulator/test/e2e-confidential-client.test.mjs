// End to end, in headless Chromium: the redirect flow as a confidential client. The client
// secret is read from the one Secrets Manager secret (moto) and sent to the provider's token
// and revocation endpoints as client_secret_basic or client_secret_post; the provider refuses
// either request without it.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { useDemo, ORDERS, tierPaths, cloudFrontCookies, edgeCookies } from './e2e-support.mjs';

const METHODS = Object.freeze({ client_secret_basic: 'edge-demo-basic', client_secret_post: 'edge-demo-post' });
const demos = Object.fromEntries(Object.keys(METHODS).map((method) => [method, useDemo({ clientAuthentication: method })]));

for (const [method, clientId] of Object.entries(METHODS)) {
  const e2e = demos[method];
  for (const order of ORDERS) {
    describe(`${method}, check order: ${order}`, () => {
      before(() => e2e.demo.deploy({ checkOrder: order }));

      test(`signs in as ${clientId} with the secret's clientSecret, and revokes with it at sign-out`, async () => {
        const { context, page } = await e2e.newPage();
        const authorization = page.waitForRequest((r) => r.url().startsWith(`${e2e.idp.issuer}/auth?`));
        const before = await e2e.stats();
        await e2e.signInAt(page, '/premium/index.html', 'premium');
        assert.equal(new URL((await authorization).url()).searchParams.get('client_id'), clientId);
        assert.equal(await page.textContent('h1'), 'Premium content');
        assert.deepEqual(await tierPaths(context), ['/premium/', '/private/']);
        assert.equal((await e2e.stats()).requests.token - before.requests.token, 1);

        const mark = e2e.mark();
        await page.goto(e2e.url('/auth/logout'));
        await e2e.confirmSignOut(page);
        assert.equal(e2e.since(mark).decisions.find((d) => d.class === 'logout').revocation, 'revoked');
        assert.equal((await e2e.stats()).refreshTokensRevoked - before.refreshTokensRevoked, 1);
        assert.deepEqual(await cloudFrontCookies(context), []);
        assert.deepEqual(await edgeCookies(context), []);
        await context.close();
      });
    });
  }
}
