// `make deploy-package`: the bundle built for a real deployment is under Lambda@Edge's 1 MB,
// carries the key group's public keys under the ids CloudFront gave them (so a private path
// needs no secret) and the secret's replica regions, holds no private key material, signs viewers
// in through the identity provider the prerequisites stack made (or one of the operator's own),
// and the printed deploy command hands the template what it accepts, in any shell.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildConfig, EDGE_REGIONS, OptionError } from './edge-config.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCRIPT = path.join(ROOT, 'deploy/package.mjs');
const ZIP = path.join(ROOT, 'edge/dist/edge-auth.zip');
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-package-'));
after(() => fs.rmSync(WORK, { recursive: true, force: true }));

const pair = () =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
const KEY_A = pair();
const KEY_B = pair();
const POOL = 'us-east-1_AbCdEf';
const ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${POOL}`;
const DOMAIN = 'https://media-auth.auth.us-east-1.amazoncognito.com';
const GROUP_ID = '8ee7a0d0-1234-4e5f-9a0b-0123456789ab';
/** deploy/identity.yaml's key outputs (as CloudFormation returns a PEM: real newlines). */
const KEY_OUTPUTS = { KeyGroupId: GROUP_ID, ActiveKeyId: 'K2AAAAAAAAAAAA', PublicKeyIdA: 'K2AAAAAAAAAAAA', PublicKeyA: KEY_A.publicKey };
/** ... and its user pool's, as `aws cloudformation describe-stacks --query 'Stacks[0].Outputs'` prints them. */
const POOL_OUTPUTS = {
  UserPoolId: POOL,
  ClientId: '1example23456789',
  Issuer: ISSUER,
  CognitoDomain: DOMAIN,
  ClientAuthentication: 'none',
  PrivateGroupName: 'private',
  PremiumGroupName: 'premium',
};

function writeJson(name, value) {
  const file = path.join(WORK, name);
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}

let written = 0;
const stackOutputs = (overrides = {}, base = { ...KEY_OUTPUTS, ...POOL_OUTPUTS }) =>
  writeJson(
    `stack-${(written += 1)}.json`,
    Object.entries({ ...base, ...overrides }).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
  );
const keysOnly = (overrides = {}) => stackOutputs(overrides, KEY_OUTPUTS);

const args = (...extra) => [SCRIPT, '--identity-outputs', stackOutputs(), ...extra];

/** package.mjs's defaults, for buildConfig called directly, with a keys-only stack's outputs. */
const DEFAULTS = {
  'secret-name': 'cloudfront-edge-auth/keys',
  'secret-region': 'us-east-1',
  'private-prefix': '/private/',
  'premium-prefix': '/premium/',
  lifetime: '3600',
};
const direct = (flags) => buildConfig({ ...DEFAULTS, 'identity-outputs': keysOnly(), ...flags });

/** Every entry of the zip, by name (unzip -p streams one). */
function zipEntries(file) {
  const names = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n');
  return Object.fromEntries(names.map((n) => [n, execFileSync('unzip', ['-p', file, n], { maxBuffer: 8 << 20 })]));
}

const refused = (argv) => spawnSync(process.execPath, [SCRIPT, ...argv], { encoding: 'utf8' });

test('the deployment bundle is under 1 MB, carries the key group and the replica regions, and no private key', () => {
  const out = execFileSync(process.execPath, args(), { encoding: 'utf8' });
  assert.match(out, /EdgeBundleSha256=[0-9a-f]{64}/);
  assert.match(out, /SecretName=cloudfront-edge-auth\/keys /);
  assert.match(out, new RegExp(`KeyGroupId=${GROUP_ID} SigningKeyId=K2AAAAAAAAAAAA `));
  assert.match(out, new RegExp(`EdgeRegions=${EDGE_REGIONS.join(',')} `));
  assert.doesNotMatch(out, /ClientSecret=/); // a public client has none
  assert.doesNotMatch(out, /PublicKeyPem/); // the prerequisites stack's, not the site's
  assert.ok(fs.statSync(ZIP).size < 1024 * 1024);
  const entries = zipEntries(ZIP);
  const config = JSON.parse(entries['edge/config.json']);
  assert.equal(config.dev, undefined);
  assert.equal(config.domain, undefined);
  assert.deepEqual(config.keyGroup, { K2AAAAAAAAAAAA: KEY_A.publicKey });
  assert.deepEqual(config.signing, {
    secretsManager: { secretId: 'cloudfront-edge-auth/keys', region: 'us-east-1', replicaRegions: EDGE_REGIONS },
  });
  assert.equal(config.identityProvider.issuer, ISSUER);
  assert.deepEqual(config.tiers.map((t) => [t.pathPrefix, t.groups]), [
    ['/private/', ['private', 'premium']],
    ['/premium/', ['premium']],
  ]);
  for (const [name, bytes] of Object.entries(entries)) {
    // A private PEM block with a body, not merely the label (the wasm knows the labels to parse them).
    assert.doesNotMatch(bytes.toString('latin1'), /-----BEGIN [A-Z ]*PRIVATE KEY-----\r?\n[A-Za-z0-9+/]{16}/, `${name} holds key material`);
  }
});

test("the prerequisites' outputs make the redirect flow the sign-in, with Cognito's endpoints and no sign-in page", () => {
  execFileSync(process.execPath, args(), { encoding: 'utf8' });
  const config = JSON.parse(zipEntries(ZIP)['edge/config.json']);
  assert.equal(config.signInUrl, undefined);
  assert.deepEqual(config.identityProvider, {
    issuer: ISSUER,
    clientIds: ['1example23456789'],
    jwksUrl: `${ISSUER}/.well-known/jwks.json`,
    groupsClaim: 'cognito:groups',
    signIn: {
      clientId: '1example23456789',
      clientAuthentication: 'none',
      scopes: ['email'],
      logout: 'cognito',
      metadata: {
        issuer: ISSUER,
        authorization_endpoint: `${DOMAIN}/oauth2/authorize`,
        token_endpoint: `${DOMAIN}/oauth2/token`,
        revocation_endpoint: `${DOMAIN}/oauth2/revoke`,
      },
    },
  });
});

test('terraform output -json gives the same config, mid-rotation with both keys, and its sensitive client_secret never reaches the bundle', () => {
  const tf = Object.fromEntries(
    [
      ['key_group_id', GROUP_ID],
      ['active_key_id', 'K2BBBBBBBBBBBB'],
      ['public_key_id_a', 'K2AAAAAAAAAAAA'],
      ['public_key_a', KEY_A.publicKey],
      ['public_key_id_b', 'K2BBBBBBBBBBBB'],
      ['public_key_b', KEY_B.publicKey.replaceAll('\n', '\\n')], // a slot given on one line
      ['user_pool_id', POOL],
      ['client_id', '1example23456789'],
      ['issuer', ISSUER],
      ['cognito_domain', DOMAIN],
      ['client_authentication', 'client_secret_basic'],
      ['private_group_name', 'readers'],
      ['premium_group_name', 'payers'],
      ['distribution_domain_name', null],
    ].map(([name, value]) => [name, { sensitive: false, type: 'string', value }]),
  );
  tf.client_secret = { sensitive: true, type: 'string', value: 'sEcReT-value-never-bundled' };
  const out = execFileSync(process.execPath, [SCRIPT, '--identity-outputs', writeJson('tf.json', tf)], { encoding: 'utf8' });
  const entries = zipEntries(ZIP);
  const config = JSON.parse(entries['edge/config.json']);
  assert.deepEqual(config.keyGroup, { K2AAAAAAAAAAAA: KEY_A.publicKey, K2BBBBBBBBBBBB: KEY_B.publicKey });
  assert.equal(config.identityProvider.signIn.clientAuthentication, 'client_secret_basic');
  assert.deepEqual(config.tiers.map((t) => t.groups), [['readers', 'payers'], ['payers']]);
  for (const bytes of Object.values(entries)) assert.ok(!bytes.includes('sEcReT-value-never-bundled'));
  assert.match(out, /SigningKeyId=K2BBBBBBBBBBBB /);
  // A confidential client: the deploy command reads its secret from Cognito into ClientSecret.
  assert.match(
    out,
    /ClientSecret="\$\(aws cognito-idp describe-user-pool-client --region us-east-1 --user-pool-id us-east-1_AbCdEf --client-id 1example23456789 --query UserPoolClient.ClientSecret --output text\)" \\$/m,
  );
});

test('a Cognito pool of your own: a keys-only stack and flags, and a sign-in page of your own still wins', () => {
  const config = direct({
    'user-pool-id': 'eu-west-1_XyZ',
    'client-id': 'abc123',
    'cognito-domain': 'login.auth.eu-west-1.amazoncognito.com',
    'sign-in-url': 'https://www.example.com/signin',
    'private-group': '*',
  });
  assert.equal(config.identityProvider.issuer, 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_XyZ');
  assert.equal(config.identityProvider.signIn.metadata.token_endpoint, 'https://login.auth.eu-west-1.amazoncognito.com/oauth2/token');
  assert.equal(config.signInUrl, 'https://www.example.com/signin');
  assert.deepEqual(config.tiers[0].groups, ['*']);
  assert.deepEqual(Object.keys(config.keyGroup), ['K2AAAAAAAAAAAA']);
  // Without its domain, the bundle script reads the endpoints from Cognito's discovery document.
  const discovered = direct({ 'user-pool-id': 'eu-west-1_XyZ', 'client-id': 'abc123' });
  assert.equal(discovered.identityProvider.signIn.metadata, undefined);
  assert.equal(discovered.identityProvider.signIn.logout, 'cognito');
});

test('any OpenID Provider: issuer, client and JWKS as given, endpoints left to discovery at bundle time', () => {
  const config = direct({
    issuer: 'https://example.okta.com/oauth2/default',
    'client-id': '0oa1example',
    'jwks-url': 'https://example.okta.com/oauth2/default/v1/keys',
    'client-auth': 'client_secret_post',
    'groups-claim': 'groups',
    scopes: 'openid email,profile',
  });
  assert.deepEqual(config.identityProvider, {
    issuer: 'https://example.okta.com/oauth2/default',
    clientIds: ['0oa1example'],
    jwksUrl: 'https://example.okta.com/oauth2/default/v1/keys',
    groupsClaim: 'groups',
    signIn: { clientId: '0oa1example', clientAuthentication: 'client_secret_post', scopes: ['email', 'profile'] },
  });
  // An issuer is kept byte for byte: it must equal the tokens' iss (Auth0's ends with "/").
  const auth0 = direct({ issuer: 'https://t.eu.auth0.com/', 'client-id': 'x', 'jwks-url': 'https://t.eu.auth0.com/.well-known/jwks.json' });
  assert.equal(auth0.identityProvider.issuer, 'https://t.eu.auth0.com/');
});

test('the replica regions and the tiers are the ones the site stack or module is given', () => {
  const fewer = direct({ 'user-pool-id': POOL, 'client-id': 'x', 'edge-regions': 'eu-west-1,ap-northeast-1' });
  assert.deepEqual(fewer.signing.secretsManager.replicaRegions, ['eu-west-1', 'ap-northeast-1']);
  const none = direct({ 'user-pool-id': POOL, 'client-id': 'x', 'edge-regions': '' });
  assert.equal(none.signing.secretsManager.replicaRegions, undefined);
  const three = direct({ 'user-pool-id': POOL, 'client-id': 'x', tier: ['gold:/gold/:gold,admins', 'silver:/silver/:silver', 'all:/all/:*'] });
  assert.deepEqual(three.tiers, [
    { name: 'gold', pathPrefix: '/gold/', groups: ['gold', 'admins'] },
    { name: 'silver', pathPrefix: '/silver/', groups: ['silver'] },
    { name: 'all', pathPrefix: '/all/', groups: ['*'] },
  ]);
  assert.deepEqual(three.allowedRedirectPaths, ['/gold/', '/silver/', '/all/', '/']);
});

test('a chosen secret name and domain reach the config and the printed command', () => {
  const out = execFileSync(process.execPath, args('--secret-name', 'media/edge-keys', '--domain', 'example.com'), {
    encoding: 'utf8',
  });
  assert.match(out, /SecretName=media\/edge-keys /);
  assert.match(out, /secret_name = "media\/edge-keys"/);
  const config = JSON.parse(zipEntries(ZIP)['edge/config.json']);
  assert.equal(config.signing.secretsManager.secretId, 'media/edge-keys');
  assert.equal(config.domain, 'example.com');
});

test('the printed private key argument is one line with \\n escapes, as the template takes it', () => {
  fs.writeFileSync(path.join(WORK, 'private_key.pem'), KEY_A.privateKey);
  const out = execFileSync(process.execPath, args('--keys-dir', WORK), { encoding: 'utf8' });
  const argument = /PrivateKeyPem=(.*) \\$/m.exec(out)[1];
  // The shell expands the printed argument exactly as a user's shell would.
  const expanded = execFileSync('bash', ['-c', `printf '%s' ${argument}`], { encoding: 'utf8' });
  assert.ok(!expanded.includes('\n'));
  assert.equal(expanded, KEY_A.privateKey.replaceAll('\n', '\\n'));
});

test('the printed deploy command expands to the same words in a shell that refuses unmatched globs', () => {
  // Defect: an unquoted /private/* that zsh (nomatch) refuses when nothing matches it, and
  // expands when something does (macOS has /private). bash -O failglob refuses the same way.
  const out = execFileSync(process.execPath, args(), { encoding: 'utf8' });
  const overrides = out.slice(out.indexOf('--parameter-overrides \\'), out.indexOf('\n\n', out.indexOf('--parameter-overrides')));
  const words = overrides.replace(/\$\([^)]*\)/g, 'X').replace(/\\\n/g, ' ');
  const result = spawnSync('bash', ['-O', 'failglob', '-c', `printf '%s\\n' ${words}`], { encoding: 'utf8', cwd: WORK });
  assert.equal(result.status, 0, result.stderr);
  assert.ok(result.stdout.split('\n').includes('PrivatePathPattern=/private/*'));
  assert.ok(result.stdout.split('\n').includes('PremiumPathPattern=/premium/*'));
});

test('a bad secret name, missing and unknown flags are refused with the flag named', () => {
  const badName = refused([...args('--secret-name', 'has space').slice(1)]);
  assert.equal(badName.status, 2);
  assert.match(badName.stderr, /--secret-name must be a Secrets Manager name/);
  const missing = refused(['--private-prefix', '/private/']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /missing --identity-outputs FILE: the prerequisites stack's outputs/);
  const removed = refused([...args('--key-id', 'K2JCJMDEHXQW5F').slice(1)]);
  assert.equal(removed.status, 2);
  assert.match(removed.stderr, /unknown flag --key-id/);
});

test('outputs and flags that contradict or lack each other are refused before anything is built', () => {
  const cases = [
    [['--identity-outputs', stackOutputs(), '--issuer', 'https://idp.example.com'], /--identity-outputs and --issuer name two identity providers/],
    [['--identity-outputs', keysOnly(), '--user-pool-id', POOL, '--issuer', 'https://idp.example.com'], /--user-pool-id and --issuer name two/],
    [['--identity-outputs', keysOnly()], /missing the identity provider: --identity-outputs of a stack with a user pool, or --user-pool-id/],
    [['--identity-outputs', stackOutputs(), '--client-id', 'other'], /--client-id comes from --identity-outputs/],
    [['--identity-outputs', stackOutputs({ ClientId: '' })], /--identity-outputs lacks ClientId/],
    [['--identity-outputs', stackOutputs({ KeyGroupId: '' })], /--identity-outputs lacks KeyGroupId/],
    [['--identity-outputs', stackOutputs({ ActiveKeyId: 'K2OTHER' })], /ActiveKeyId K2OTHER is not one of the key group's keys/],
    [['--identity-outputs', stackOutputs({ PublicKeyA: 'not a pem' })], /PublicKeyA is not an SPKI PEM/],
    [['--identity-outputs', stackOutputs({ PublicKeyA: KEY_A.privateKey })], /PublicKeyA is not an SPKI PEM/],
    [['--identity-outputs', stackOutputs({ ClientAuthentication: 'private_key_jwt' })], /ClientAuthentication output must be one of none/],
    [['--identity-outputs', stackOutputs(), '--edge-regions', 'us-east-1,eu-west-1'], /--edge-regions: us-east-1 holds the secret itself/],
    [['--identity-outputs', stackOutputs(), '--edge-regions', 'eu-west-1,eu-west-1'], /--edge-regions lists a region twice/],
    [['--identity-outputs', stackOutputs(), '--tier', 'gold:/gold:gold'], /--tier "gold:\/gold:gold": must be NAME:\/PREFIX\/:GROUP/],
    [['--identity-outputs', keysOnly(), '--user-pool-id', 'not-a-pool', '--client-id', 'x'], /--user-pool-id must be a user pool id/],
    [['--identity-outputs', keysOnly(), '--user-pool-id', POOL, '--client-id', 'x', '--client-auth', 'basic'], /--client-auth must be one of none/],
    [['--identity-outputs', keysOnly(), '--cognito-domain', 'x.auth.us-east-1.amazoncognito.com'], /--cognito-domain goes with --user-pool-id/],
    [['--identity-outputs', keysOnly(), '--issuer', 'http://idp.example.com', '--client-id', 'x', '--jwks-url', 'https://idp.example.com/k'], /--issuer must be an https:\/\/ URL/],
    [['--identity-outputs', keysOnly(), '--issuer', 'https://idp.example.com', '--client-id', 'x'], /--issuer needs --jwks-url/],
    [['--identity-outputs', keysOnly(), '--jwks-url', 'https://idp.example.com/k'], /--jwks-url, --logout and --groups-claim go with --issuer/],
  ];
  for (const [argv, message] of cases) {
    const result = refused(argv);
    assert.equal(result.status, 2, argv.join(' '));
    assert.match(result.stderr, message, argv.join(' '));
  }
  assert.throws(() => buildConfig({ ...DEFAULTS, 'identity-outputs': 'x.json' }, { readFile: () => '{' }), OptionError);
});
