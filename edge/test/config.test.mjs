// Configuration: validated at load with errors naming the field; a broken one fails closed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { BROWSER, KEY_ID, body, config, createHandler, harness, keys, secret, signIn, viewerRequest } from './helpers.mjs';

const require = createRequire(import.meta.url);
const { validateConfig } = require('../src/config.js');

/** A copy of the valid config without the field at `path` (dotted, with [i] for arrays). */
function without(path) {
  const cfg = structuredClone(config());
  const parts = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  const last = parts.pop();
  delete parts.reduce((o, p) => o[p], cfg)[last];
  return cfg;
}

/**
 * The config error at load, or else the one the identity verifier finds when it loads (the
 * embedded JWKS is checked by aws-jwt-verify, loaded on first use; `make bundle` loads it).
 */
function loadError(cfg) {
  const logs = [];
  const handler = createHandler(cfg, { log: (l) => logs.push(l) });
  let error = handler.configError;
  if (!error) {
    try {
      handler.state.identity.load();
    } catch (e) {
      error = e;
    }
  }
  return { error, logs, handler };
}

test('the test config is valid and normalised', () => {
  const cfg = validateConfig(config());
  assert.equal(cfg.domain, null);
  assert.equal(cfg.cookies.windowSeconds, 300);
  assert.equal(cfg.identityProvider.tokenUse, 'id');
  assert.equal(cfg.identityProvider.groupsClaim, 'cognito:groups');
  assert.equal(cfg.signing.dev.keyPairId, KEY_ID);
  assert.ok(Object.isFrozen(cfg.tiers[0]));
  assert.equal(validateConfig(config({ domain: 'Example.COM' })).domain, 'example.com');
  assert.equal(createHandler(config(), { log: () => {} }).configError, undefined);
});

test('a config missing any required field is rejected with a message naming it', () => {
  const required = [
    'signing',
    'signing.dev.keyPairId',
    'signing.dev.privateKey',
    'signing.dev.sessionSecret',
    'identityProvider',
    'identityProvider.issuer',
    'identityProvider.clientIds',
    'identityProvider.jwks',
    'tiers',
    'tiers[0].name',
    'tiers[0].pathPrefix',
    'tiers[0].groups',
    'cookies',
    'cookies.lifetimeSeconds',
    'signInUrl',
    'allowedRedirectPaths',
  ];
  for (const field of required) {
    const { error } = loadError(without(field));
    assert.ok(error, `${field}: accepted`);
    assert.equal(error.field, field);
    assert.match(error.message, new RegExp(`^config: ${field.replace(/[[\].]/g, '\\$&')} `));
    assert.match(error.message, /is required/, field);
  }
  const sm = config({ signing: { secretsManager: { secretId: 'edge/secret', region: 'us-east-1' } } });
  for (const field of ['secretId', 'region']) {
    const cfg = structuredClone(sm);
    delete cfg.signing.secretsManager[field];
    assert.equal(loadError(cfg).error.field, `signing.secretsManager.${field}`);
  }
});

test('bad values are rejected with the field named', () => {
  const dev = (patch) => ({ signing: { dev: secret(patch) } });
  const cases = [
    [{ surprise: 1 }, 'surprise', /not a known field/],
    [{ keyGroup: {} }, 'keyGroup', /1 to 5 keys/],
    [{ keyGroup: { 'bad-id!': keys.cloudfront.publicPem } }, 'keyGroup."bad-id!"', /key id/],
    [{ keyGroup: { [KEY_ID]: keys.cloudfront.privatePem } }, `keyGroup.${KEY_ID}`, /public key PEM/],
    [{ keyGroup: { [KEY_ID]: 42 } }, `keyGroup.${KEY_ID}`, /string/],
    [{ keyGroup: { [KEY_ID]: `-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n` } }, 'keyGroup', /ERR_/],
    [{ signing: { secretsManager: { secretId: 's', region: 'us-east-1', replicaRegions: ['eu-west-1', 'nowhere'] } } }, 'signing.secretsManager.replicaRegions[1]', /region/],
    [{ signing: { secretsManager: { secretId: 's', region: 'us-east-1', replicaRegions: 'eu-west-1' } } }, 'signing.secretsManager.replicaRegions', /array/],
    [{ dev: false }, 'signing.dev', /only allowed with "dev": true/],
    [{ dev: 'yes' }, 'dev', /true or false/],
    [{ domain: 'https://media.example.com' }, 'domain', /host name/],
    [{ domain: 'example.com:8443' }, 'domain', /host name/],
    [{ domain: '.example.com' }, 'domain', /host name/],
    [dev({ keyPairId: 'bad-id!' }), 'signing.dev.keyPairId', /key id/],
    [dev({ keyGroup: { 'bad-id!': keys.cloudfront.publicPem } }), 'signing.dev.keyGroup.bad-id!', /key id/],
    [dev({ keyGroup: { [KEY_ID]: 'not a pem' } }), `signing.dev.keyGroup.${KEY_ID}`, /PEM/],
    [dev({ keyGroup: { [KEY_ID]: keys.cloudfront.privatePem } }), 'signing.dev.keyGroup', /PEM type "PRIVATE KEY"/],
    [
      dev({ keyGroup: Object.fromEntries(Array.from({ length: 6 }, (_, i) => [i ? `K${i}` : KEY_ID, keys.cloudfront.publicPem])) }),
      'signing.dev.keyGroup',
      /1 to 5 keys/,
    ],
    [dev({ privateKey: 'not a pem' }), 'signing.dev.privateKey', /PEM/],
    [dev({ sessionSecret: 'c2hvcnQ=' }), 'signing.dev.sessionSecret', /at least 32/],
    [dev({ extra: 1 }), 'signing.dev.extra', /not a known field/],
    [{ signing: { dev: secret(), secretsManager: {} } }, 'signing', /exactly one/],
    [
      { signing: { secretsManager: { secretId: 's', region: 'moon-1' } } },
      'signing.secretsManager.region',
      /region/,
    ],
    [
      { dev: false, signing: { secretsManager: { secretId: 's', region: 'us-east-1', endpoint: 'http://127.0.0.1:5000' } } },
      'signing.secretsManager.endpoint',
      /only allowed with "dev": true/,
    ],
    [
      { identityProvider: { issuer: 'https://i.example', clientIds: ['c'], jwks: { keys: [] } } },
      'identityProvider.jwks',
      /no keys/,
    ],
    [
      { identityProvider: { issuer: 'https://i.example', clientIds: ['c'], jwks: { nokeys: true } } },
      'identityProvider.jwks',
      /does not include keys/,
    ],
    [
      { identityProvider: { issuer: 'https://i.example', clientIds: [], jwks: {} } },
      'identityProvider.clientIds',
      /non-empty/,
    ],
    [
      { identityProvider: { issuer: 'https://i.example', clientIds: ['c'], jwks: {}, tokenUse: 'access' } },
      'identityProvider.tokenUse',
      /"id" or null/,
    ],
    [
      { identityProvider: { issuer: 'https://i.example', clientIds: ['c'], jwks: {}, leewaySeconds: 3600 } },
      'identityProvider.leewaySeconds',
      /0 to 300/,
    ],
    [{ tiers: [] }, 'tiers', /1 to 10/],
    [{ tiers: [{ name: 'g', pathPrefix: '/premium', groups: ['g'] }] }, 'tiers[0].pathPrefix', /end with "\/"/],
    [{ tiers: [{ name: 'g', pathPrefix: '/pre*/', groups: ['g'] }] }, 'tiers[0].pathPrefix', /letters, digits/],
    [{ tiers: [{ name: 'g', pathPrefix: '/a;b/', groups: ['g'] }] }, 'tiers[0].pathPrefix', /letters, digits/],
    [{ tiers: [{ name: 'g', pathPrefix: '/a/', groups: [] }] }, 'tiers[0].groups', /non-empty/],
    [
      {
        tiers: [
          { name: 'g', pathPrefix: '/a/', groups: ['g'] },
          { name: 'g', pathPrefix: '/b/', groups: ['g'] },
        ],
      },
      'tiers[1].name',
      /repeats/,
    ],
    [
      {
        tiers: [
          { name: 'a', pathPrefix: '/v/', groups: ['g'] },
          { name: 'b', pathPrefix: '/v/4k/', groups: ['g'] },
        ],
      },
      'tiers[1].pathPrefix',
      /inside tiers\[0\]/,
    ],
    [{ tiers: [{ name: 'a', pathPrefix: '/auth/', groups: ['g'] }] }, 'tiers', /must not cover \/auth/],
    [
      { cookies: { lifetimeSeconds: 600, refreshBeforeSeconds: 300, windowSeconds: 300 } },
      'cookies.lifetimeSeconds',
      /exceed/,
    ],
    [{ cookies: { lifetimeSeconds: 3600.5 } }, 'cookies.lifetimeSeconds', /whole number/],
    [{ cookies: { lifetimeSeconds: 3600, domain: 'example.com' } }, 'cookies.domain', /not a known field/],
    [{ signInUrl: '//evil.example/login' }, 'signInUrl', /absolute URL/],
    [{ allowedRedirectPaths: ['//x'] }, 'allowedRedirectPaths[0]', /single "\/"/],
  ];
  for (const [patch, field, message] of cases) {
    const { error } = loadError(config(patch));
    assert.ok(error, `${JSON.stringify(patch).slice(0, 80)} accepted`);
    assert.equal(error.field, field, error.message);
    assert.match(error.message, message);
  }
  // With a Secrets Manager source, production rules apply to the rest.
  const prod = config({
    dev: false,
    signing: { secretsManager: { secretId: 's', region: 'us-east-1' } },
    identityProvider: { issuer: 'https://i.example', clientIds: ['c'], jwksUrl: 'http://i.example/jwks.json' },
  });
  assert.equal(loadError(prod).error.field, 'identityProvider.jwksUrl');
  const httpSignIn = { ...prod, identityProvider: config().identityProvider, signInUrl: 'http://login.example.com/' };
  assert.equal(loadError(httpSignIn).error.field, 'signInUrl');
  assert.equal(loadError({ ...httpSignIn, signInUrl: '/login' }).error, undefined);
});

test('a broken config fails closed: private paths denied, /auth 503, the log says why', async () => {
  const { handler, logs } = loadError(without('identityProvider.issuer'));
  const privateApi = await handler(viewerRequest({ uri: '/premium/a.mp4', headers: { accept: 'application/json' } }));
  assert.equal(privateApi.status, '403');
  assert.deepEqual(body(privateApi), { error: 'forbidden', reason: 'config-invalid' });
  const privateBrowser = await handler(viewerRequest({ uri: '/videos/a.mp4', headers: { accept: BROWSER } }));
  assert.equal(privateBrowser.status, '403');
  const auth = await signIn(handler);
  assert.equal(auth.status, '503');
  assert.equal(body(auth).reason, 'config-invalid');
  // The tier prefixes were readable, so public paths still pass.
  const event = viewerRequest({ uri: '/index.html' });
  assert.equal(await handler(event), event.Records[0].cf.request);
  assert.equal(logs[0].class, 'config');
  assert.match(logs[0].error, /identityProvider\.issuer is required/);
  for (const line of logs.slice(1)) {
    assert.equal(line.reason, 'config-invalid');
    assert.match(line.error, /identityProvider\.issuer/);
  }
});

test('a config whose tiers cannot be read denies every path', async () => {
  for (const broken of [
    without('tiers'),
    { tiers: 'everything' },
    null,
    new Error('config: cannot read config.json'),
  ]) {
    const { handler } = loadError(broken);
    const event = viewerRequest({ uri: '/index.html' });
    const response = await handler(event);
    assert.equal(response.status, '403', JSON.stringify(broken));
  }
});

test('a private key that does not match the key group\'s key for it mints nothing (503)', async () => {
  const cfg = config({ signing: { dev: secret({ privateKey: keys.stranger.privatePem, keyGroup: { [KEY_ID]: keys.cloudfront.publicPem } }) } });
  const { handler, logs } = harness(cfg);
  const response = await signIn(handler);
  assert.equal(response.status, '503');
  assert.deepEqual(body(response), { error: 'unavailable', reason: 'signing-unavailable' });
  assert.equal(logs.at(-1).reason, 'key-mismatch');
  assert.match(logs.at(-1).error, new RegExp(`does not match keyGroup.${KEY_ID}`));
});

test('an inline private key PEM that does not parse is a config error naming it', () => {
  const pem = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
  const { error } = loadError(config({ signing: { dev: secret({ privateKey: pem }) } }));
  assert.equal(error.field, 'signing.dev.privateKey');
  assert.match(error.message, /ERR_KEY_FORMAT/);
});
