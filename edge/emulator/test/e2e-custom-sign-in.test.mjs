// End to end, in headless Chromium: the other way in, `/auth` with `Authorization: Bearer
// <ID token>`, the API contract an app keeps using. The demo runs with `signIn: 'custom'`: the
// edge config has a `signInUrl` (the site's own page, content/signin.html) and no redirect
// flow; the page signs in at moto's Cognito user pool and posts the ID token to /auth.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { useDemo, ORDERS, pathOf, imagesLoaded, cloudFrontCookies, tierPaths, flip } from './e2e-support.mjs';

const e2e = useDemo({ signIn: 'custom' });

/** On the site's sign-in page: user and password, then wherever the page goes. */
async function signInOnSitePage(page, username, target) {
  await page.waitForSelector('#credentials:not([disabled])');
  assert.equal(await page.getAttribute('form.signin', 'method'), 'post', 'never the password in a URL');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', e2e.users[username].password);
  await Promise.all([target ? page.waitForURL(e2e.url(target)) : Promise.resolve(), page.click('button[type=submit]')]);
}

for (const order of ORDERS) {
  const shot = (page, name) => e2e.shot(page, `${order}-custom-${name}`);

  describe(`the site's own sign-in page and the Bearer path, check order: ${order}`, () => {
    before(() => e2e.demo.deploy({ checkOrder: order }));

    test('a deep link goes to the site\'s sign-in page, which posts a Bearer ID token to /auth and lands back with cookies', async () => {
      assert.equal(e2e.idp, null, 'no OpenID Provider in this demo');
      const { context, page } = await e2e.newPage();
      await e2e.visit(page, '/premium/index.html');
      assert.equal(pathOf(page), '/signin.html?redirect=%2Fpremium%2Findex.html&reason=missing');
      assert.match(await page.textContent('#message'), /Sign in to open \/premium\/index.html/);
      await shot(page, '01-site-sign-in-page');

      const bearer = page.waitForRequest((r) => new URL(r.url()).pathname === '/auth' && /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/.test(r.headers().authorization ?? ''));
      const mark = e2e.mark();
      await signInOnSitePage(page, 'premium', '/premium/index.html');
      await bearer;
      assert.equal(await page.textContent('h1'), 'Premium content');
      const images = await imagesLoaded(page);
      assert.ok(images.every((i) => i.ok), JSON.stringify(images));
      assert.deepEqual(await tierPaths(context), ['/premium/', '/private/']);
      const minted = e2e.since(mark).decisions.filter((d) => d.outcome === 'mint');
      assert.equal(minted.length, 1);
      assert.equal(minted[0].source, 'token');
      assert.equal(minted[0].uri, '/auth');
      assert.deepEqual(minted[0].tiers, ['private', 'premium']);
      await shot(page, '02-premium-through-bearer');
      await context.close();
    });

    test('a basic user signed in on the site\'s page is told premium is not theirs', async () => {
      const { context, page } = await e2e.newPage();
      await e2e.visit(page, '/premium/index.html');
      await signInOnSitePage(page, 'basic');
      await page.waitForFunction(() => document.body.dataset.state === 'refused');
      assert.match(await page.textContent('#message'), /Signed in as basic, but your account cannot open \/premium\/index.html/);
      assert.deepEqual(await tierPaths(context), ['/private/']);
      await context.close();
    });

    test('without JavaScript the site\'s sign-in form cannot be sent, and would be a POST: never the password in a URL', async () => {
      const { context, page } = await e2e.newPage({ javaScriptEnabled: false });
      await page.goto(e2e.url('/private/index.html'));
      if (order === 'function-first') {
        assert.equal(pathOf(page), '/signin.html?redirect=%2Fprivate%2Findex.html&reason=missing');
      } else {
        // The 403 page cannot take the browser to /auth without its script: it says so.
        assert.equal(pathOf(page), '/private/index.html');
        assert.equal(await page.getAttribute('html', 'data-state'), 'checking');
        assert.match(await page.innerText('#checking'), /JavaScript, which is off/);
        await page.goto(e2e.url('/signin.html?redirect=%2Fprivate%2Findex.html&reason=missing'));
      }
      assert.equal(await page.getAttribute('form.signin', 'method'), 'post');
      assert.equal(await page.isDisabled('input[name=password]'), true);
      assert.equal(await page.isDisabled('button[type=submit]'), true);
      await context.close();
    });

    test('an API client gets cookies for a Bearer ID token, and 401 for a tampered one', async () => {
      const { context, page } = await e2e.newPage();
      const signIn = await page.request.post(e2e.url('/idp/sign-in'), { data: { username: 'basic', password: e2e.users.basic.password } });
      assert.equal(signIn.status(), 200);
      const { idToken } = await signIn.json();

      const tampered = idToken.replace(/\.([^.]+)$/, (_, signature) => `.${flip(signature)}`);
      const refused = await page.request.get(e2e.url('/auth'), { headers: { authorization: `Bearer ${tampered}`, accept: 'application/json' } });
      assert.equal(refused.status(), 401);
      assert.deepEqual(await refused.json(), { error: 'unauthorized', reason: 'bad-signature' });
      assert.match(refused.headers()['www-authenticate'], /^Bearer error="invalid_token"/);
      assert.deepEqual(await cloudFrontCookies(context), []);

      const auth = await page.request.get(e2e.url('/auth'), { headers: { authorization: `Bearer ${idToken}`, accept: 'application/json' } });
      assert.equal(auth.status(), 200);
      const body = await auth.json();
      assert.deepEqual(body.tiers, ['private']);
      assert.ok(Number.isInteger(body.expiresAt) && body.expiresAt > Date.now() / 1000);
      assert.deepEqual(await tierPaths(context), ['/private/']);
      const file = await page.request.get(e2e.url('/private/gallery/01.svg'), { headers: { accept: 'image/svg+xml' }, maxRedirects: 0 });
      assert.equal(file.status(), 200);
      assert.match(e2e.requests.findLast((r) => r.uri === '/private/gallery/01.svg').keyGroup, /^ok/);
      await context.close();
    });
  });
}
