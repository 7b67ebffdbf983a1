#!/usr/bin/env node
// Builds the Lambda@Edge bundle for a real deployment: writes the handler config from the
// stack's values (deploy/out/edge-config.json), bundles it (edge/dist/edge-auth.zip, checked
// under 1 MB and refusing any dev config or inline private key), and prints the sha256 and
// the exact `aws cloudformation package` / `deploy` commands. Uploads nothing.
//
// Usage (make deploy-package ARGS="..."):
//   node deploy/package.mjs --domain d111111abcdef8.cloudfront.net --key-id K2JCJMDEHXQW5F \
//     --public-key public_key.pem --secret-arn arn:aws:secretsmanager:us-east-1:...:secret:... \
//     --user-pool-id us-east-1_AbCdEf --client-id 1example23456789 \
//     --sign-in-url https://www.example.com/signin
//   optional: --private-prefix /private/  --premium-prefix /premium/  --premium-group premium
//             --lifetime 3600  --stack-name cloudfront-edge-auth  --bucket <artifact bucket>
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'deploy/out');

const REQUIRED = ['domain', 'key-id', 'public-key', 'secret-arn', 'user-pool-id', 'client-id', 'sign-in-url'];
const DEFAULTS = {
  'private-prefix': '/private/',
  'premium-prefix': '/premium/',
  'premium-group': 'premium',
  lifetime: '3600',
  'stack-name': 'cloudfront-edge-auth',
  bucket: '<artifact-bucket-in-us-east-1>',
};

function fail(message) {
  console.error(`deploy-package: ${message}`);
  process.exit(2);
}

function parseArgs(argv) {
  const args = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (!flag.startsWith('--')) fail(`unexpected argument ${JSON.stringify(flag)}`);
    const name = flag.slice(2);
    if (!REQUIRED.includes(name) && !(name in DEFAULTS)) fail(`unknown flag ${flag} (see deploy/package.mjs)`);
    const value = argv[++i];
    if (value === undefined) fail(`${flag} needs a value`);
    args[name] = value;
  }
  const missing = REQUIRED.filter((name) => args[name] === undefined);
  if (missing.length) fail(`missing ${missing.map((m) => `--${m}`).join(', ')}`);
  return args;
}

/** `arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME` -> REGION. */
function secretRegion(arn) {
  const match = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:.+$/.exec(arn);
  if (!match) fail('--secret-arn must be a Secrets Manager secret ARN');
  return match[1];
}

function buildConfig(args) {
  const pem = fs.readFileSync(args['public-key'], 'utf8');
  if (/PRIVATE KEY/.test(pem)) fail('--public-key is a private key: give the public half (public_key.pem)');
  const poolRegion = args['user-pool-id'].split('_')[0];
  const issuer = `https://cognito-idp.${poolRegion}.amazonaws.com/${args['user-pool-id']}`;
  return {
    domain: args.domain,
    keyGroup: { [args['key-id']]: pem },
    activeKeyId: args['key-id'],
    privateKey: { secretsManager: { secretId: args['secret-arn'], region: secretRegion(args['secret-arn']) } },
    identityProvider: {
      issuer,
      clientIds: [args['client-id']],
      jwksUrl: `${issuer}/.well-known/jwks.json`,
    },
    tiers: [
      { name: 'private', pathPrefix: args['private-prefix'], groups: ['*'] },
      { name: 'premium', pathPrefix: args['premium-prefix'], groups: [args['premium-group']] },
    ],
    cookies: { lifetimeSeconds: Number(args.lifetime) },
    signInUrl: args['sign-in-url'],
    allowedRedirectPaths: [args['private-prefix'], args['premium-prefix'], '/'],
  };
}

const args = parseArgs(process.argv.slice(2));
fs.mkdirSync(OUT, { recursive: true });
const configFile = path.join(OUT, 'edge-config.json');
fs.writeFileSync(configFile, JSON.stringify(buildConfig(args), null, 2) + '\n');
execFileSync(process.execPath, [path.join(ROOT, 'edge/scripts/bundle.mjs'), '--config', configFile], {
  stdio: 'inherit',
});
const zip = path.join(ROOT, 'edge/dist/edge-auth.zip');
const sha256 = createHash('sha256').update(fs.readFileSync(zip)).digest('hex');
const pattern = (prefix) => `${prefix}*`;
console.log(`
config:  ${path.relative(ROOT, configFile)}
bundle:  edge/dist/edge-auth.zip (${fs.statSync(zip).size} bytes, sha256 ${sha256})

Deploy (us-east-1):
  aws cloudformation package --region us-east-1 \\
    --template-file deploy/template.yaml --s3-bucket ${args.bucket} \\
    --output-template-file deploy/out/packaged.yaml
  aws cloudformation deploy --region us-east-1 --stack-name ${args['stack-name']} \\
    --template-file deploy/out/packaged.yaml --capabilities CAPABILITY_IAM \\
    --parameter-overrides \\
      PublicKeyPem="$(cat ${args['public-key']})" \\
      SigningKeySecretArn=${args['secret-arn']} \\
      EdgeBundleSha256=${sha256} \\
      PrivatePathPattern=${pattern(args['private-prefix'])} PremiumPathPattern=${pattern(args['premium-prefix'])}`);
