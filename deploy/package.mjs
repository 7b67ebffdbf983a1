#!/usr/bin/env node
// Builds the Lambda@Edge bundle for a real deployment: writes the handler config
// (deploy/out/edge-config.json), bundles it (edge/dist/edge-auth.zip, checked under 1 MB and
// refusing any dev config), and prints the sha256 and the exact `aws cloudformation package` /
// `deploy` commands (and the Terraform variables). Uploads nothing.
//
// The config needs nothing the stack creates: the host comes from each request's Host header,
// and the key id, keys and session secrets from the Secrets Manager secret the stack writes,
// whose name is chosen here and passed to the stack (SecretName / secret_name).
//
// Usage (make deploy-package ARGS="..."):
//   node deploy/package.mjs --user-pool-id us-east-1_AbCdEf --client-id 1example23456789 \
//     --sign-in-url https://www.example.com/signin
//   optional: --secret-name cloudfront-edge-auth/keys  --secret-region us-east-1
//             --domain example.com (the cookies' Domain: a parent domain shared with the alias)
//             --private-prefix /private/  --premium-prefix /premium/  --premium-group premium
//             --lifetime 3600  --stack-name cloudfront-edge-auth  --bucket <artifact bucket>
//             --keys-dir keys (where the printed commands read the PEMs and the session secret)
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'deploy/out');

const REQUIRED = ['user-pool-id', 'client-id', 'sign-in-url'];
const DEFAULTS = {
  'secret-name': 'cloudfront-edge-auth/keys',
  'secret-region': 'us-east-1',
  domain: undefined,
  'private-prefix': '/private/',
  'premium-prefix': '/premium/',
  'premium-group': 'premium',
  lifetime: '3600',
  'stack-name': 'cloudfront-edge-auth',
  bucket: '<artifact-bucket-in-us-east-1>',
  'keys-dir': 'keys',
};
// deploy/template.yaml's SecretName pattern (Secrets Manager's own rule for a name).
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$/;

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

function buildConfig(args) {
  if (!SECRET_NAME.test(args['secret-name'])) fail('--secret-name must be a Secrets Manager name (letters, digits, /_+=.@-)');
  if (!REGION.test(args['secret-region'])) fail('--secret-region must be an AWS region');
  const poolRegion = args['user-pool-id'].split('_')[0];
  const issuer = `https://cognito-idp.${poolRegion}.amazonaws.com/${args['user-pool-id']}`;
  return {
    ...(args.domain === undefined ? {} : { domain: args.domain }),
    signing: { secretsManager: { secretId: args['secret-name'], region: args['secret-region'] } },
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
const keys = args['keys-dir'];
// One line per PEM, newlines escaped as \n: the template accepts it as is and writes it into
// the secret's JSON (and, unescaped, into the CloudFront public key).
const oneLine = (file) => `"$(awk '{printf "%s\\\\n", $0}' ${keys}/${file})"`;
console.log(`
config:  ${path.relative(ROOT, configFile)}
bundle:  edge/dist/edge-auth.zip (${fs.statSync(zip).size} bytes, sha256 ${sha256})

CloudFormation (us-east-1). First deploy, from an empty account:
  aws cloudformation package --region us-east-1 \\
    --template-file deploy/template.yaml --s3-bucket ${args.bucket} \\
    --output-template-file deploy/out/packaged.yaml
  aws cloudformation deploy --region us-east-1 --stack-name ${args['stack-name']} \\
    --template-file deploy/out/packaged.yaml --capabilities CAPABILITY_IAM \\
    --parameter-overrides \\
      PublicKeyPemA=${oneLine('public_key.pem')} \\
      PrivateKeyPem=${oneLine('private_key.pem')} \\
      SessionSecret="$(cat ${keys}/session_secret)" \\
      SecretName=${args['secret-name']} \\
      EdgeBundleSha256=${sha256} \\
      PrivatePathPattern=${pattern(args['private-prefix'])} PremiumPathPattern=${pattern(args['premium-prefix'])}

Later deploys of a new bundle: the same package command, then deploy with only
  --parameter-overrides EdgeBundleSha256=${sha256}
(every other parameter keeps its previous value).

Terraform (deploy/terraform): edge_bundle_path = "edge/dist/edge-auth.zip", secret_name = "${args['secret-name']}"`);
