#!/usr/bin/env node
// Builds the Lambda@Edge bundle for a real deployment: writes the handler config
// (deploy/out/edge-config.json, made by deploy/edge-config.mjs), bundles it
// (edge/dist/edge-auth.zip, checked under 1 MB and refusing any dev config), and prints the
// sha256 and the exact `aws cloudformation package` / `deploy` commands (and the Terraform
// variables). Uploads nothing and calls no AWS API.
//
// The config names the key group's public keys and the identity provider (Lambda@Edge has no
// environment variables, so both are bundled; CloudFront and Cognito choose their ids): that
// is why the prerequisites stack (deploy/identity.yaml) is deployed first and its outputs read
// here. Everything else comes from each request (the host) or from the Secrets Manager secret
// the site's stack writes, whose name and replica regions are chosen here and passed to it.
//
// Usage (make deploy-package ARGS="..."):
//   --identity-outputs FILE   the prerequisites' outputs (aws cloudformation describe-stacks
//                             --query 'Stacks[0].Outputs', or `terraform output -json`); required
//   the identity provider, when that stack made no user pool (CreateUserPool=false), one of:
//   --user-pool-id us-east-1_AbCdEf --client-id ID [--cognito-domain PREFIX.auth.REGION.amazoncognito.com]
//   --issuer https://idp.example.com --client-id ID --jwks-url URL
//             [--logout end-session|local] [--groups-claim groups]
//   with --user-pool-id or --issuer: --client-auth none|client_secret_basic|client_secret_post
//             (default none: a public client, PKCE only), --private-group private,
//             --premium-group premium (* in --private-group: every signed-in user)
//   optional: --scopes email (space or comma separated; openid is always asked)
//             --sign-in-url URL (a sign-in page of your own, instead of the IdP's)
//             --secret-name cloudfront-edge-auth/keys  --secret-region us-east-1
//             --edge-regions us-east-2,...  (the site's EdgeRegions: where the secret has a replica;
//                                           default the regions with a regional edge cache)
//             --domain example.com (the only hosts served: a parent domain of the alias; cookies stay host-only)
//             --private-prefix /private/  --premium-prefix /premium/  --lifetime 3600
//             --tier NAME:/PREFIX/:GROUP[,GROUP] (repeatable, up to 10: instead of the two
//                                                default tiers; Terraform's `tiers`)
//             --stack-name cloudfront-edge-auth  --bucket <artifact bucket>
//             --keys-dir keys (where the printed commands read the private key and session secret)
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildConfig, EDGE_REGIONS, OptionError, readIdentityOutputs } from './edge-config.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'deploy/out');

const DEFAULTS = {
  'secret-name': 'cloudfront-edge-auth/keys',
  'secret-region': 'us-east-1',
  'edge-regions': EDGE_REGIONS.join(','),
  'private-prefix': '/private/',
  'premium-prefix': '/premium/',
  lifetime: '3600',
  'stack-name': 'cloudfront-edge-auth',
  bucket: '<artifact-bucket-in-us-east-1>',
  'keys-dir': 'keys',
};
const OPTIONAL = [
  'identity-outputs',
  'user-pool-id',
  'cognito-domain',
  'issuer',
  'jwks-url',
  'logout',
  'groups-claim',
  'client-id',
  'client-auth',
  'private-group',
  'premium-group',
  'scopes',
  'sign-in-url',
  'domain',
];
/** Flags that may be given more than once, collected in order. */
const REPEATABLE = ['tier'];

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
    if (!OPTIONAL.includes(name) && !REPEATABLE.includes(name) && !(name in DEFAULTS)) fail(`unknown flag ${flag} (see deploy/package.mjs)`);
    const value = argv[++i];
    if (value === undefined) fail(`${flag} needs a value`);
    args[name] = REPEATABLE.includes(name) ? [...(args[name] ?? []), value] : value;
  }
  return args;
}

/**
 * A word the shell passes on as it is: single-quoted unless it holds only characters no shell
 * (bash, zsh) expands. Unquoted, zsh refuses `/private/*` when nothing matches it.
 */
function shellWord(value) {
  return /^[A-Za-z0-9_./:=@,+-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The deploy command's ClientSecret line, for a confidential client (nothing for a public one). */
function clientSecretArgument(args, idp) {
  if (idp.signIn.clientAuthentication === 'none') return '';
  if (args.issuer !== undefined) return `\n      ClientSecret="<your identity provider's client secret>" \\`;
  // A Cognito pool: its issuer ends with the pool id, which starts with the pool's region.
  const pool = idp.issuer.split('/').pop();
  const describe = `aws cognito-idp describe-user-pool-client --region ${pool.split('_')[0]} --user-pool-id ${pool} --client-id ${idp.signIn.clientId}`;
  return `\n      ClientSecret="$(${describe} --query UserPoolClient.ClientSecret --output text)" \\`;
}

/** The tier parameters: CloudFormation has two; other counts go through module mode or Terraform. */
function tierArguments(tiers) {
  if (tiers.length !== 2) return '';
  const [first, second] = tiers.map((t) => shellWord(`${t.pathPrefix}*`));
  return ` \\\n      PrivatePathPattern=${first} PremiumPathPattern=${second}`;
}

const args = parseArgs(process.argv.slice(2));
let config;
let outputs;
try {
  config = buildConfig(args);
  outputs = readIdentityOutputs(JSON.parse(fs.readFileSync(args['identity-outputs'], 'utf8')));
} catch (error) {
  if (error instanceof OptionError) fail(error.message);
  throw error;
}
fs.mkdirSync(OUT, { recursive: true });
const configFile = path.join(OUT, 'edge-config.json');
fs.writeFileSync(configFile, JSON.stringify(config, null, 2) + '\n');
execFileSync(process.execPath, [path.join(ROOT, 'edge/scripts/bundle.mjs'), '--config', configFile], {
  stdio: 'inherit',
});
const zip = path.join(ROOT, 'edge/dist/edge-auth.zip');
const sha256 = createHash('sha256').update(fs.readFileSync(zip)).digest('hex');
const keys = args['keys-dir'];
// One line, newlines escaped as \n: the template accepts it as is and writes it into the
// secret's JSON.
const oneLine = (file) => `"$(awk '{printf "%s\\\\n", $0}' ${shellWord(`${keys}/${file}`)})"`;
const idp = config.identityProvider;
const regions = config.signing.secretsManager.replicaRegions ?? [];
const defaultTiers = args.tier === undefined;
console.log(`
config:  ${path.relative(ROOT, configFile)}
bundle:  edge/dist/edge-auth.zip (${fs.statSync(zip).size} bytes, sha256 ${sha256})
keys:    key group ${outputs.KeyGroupId}, signing with ${outputs.ActiveKeyId} (${Object.keys(config.keyGroup).join(', ')} bundled)
sign-in: ${config.signInUrl ?? `${idp.issuer} (client ${idp.signIn.clientId}, ${idp.signIn.clientAuthentication})`}
secret:  ${args['secret-name']} in ${args['secret-region']}${regions.length ? `, replicas in ${regions.join(', ')}` : ''}

CloudFormation (us-east-1), after the prerequisites stack. First deploy, from an empty account:
  aws cloudformation package --region us-east-1 \\
    --template-file deploy/template.yaml --s3-bucket ${shellWord(args.bucket)} \\
    --output-template-file deploy/out/packaged.yaml
  aws cloudformation deploy --region us-east-1 --stack-name ${shellWord(args['stack-name'])} \\
    --template-file deploy/out/packaged.yaml --capabilities CAPABILITY_IAM \\
    --parameter-overrides \\
      KeyGroupId=${shellWord(outputs.KeyGroupId)} SigningKeyId=${shellWord(outputs.ActiveKeyId)} \\
      PrivateKeyPem=${oneLine('private_key.pem')} \\
      SessionSecret="$(cat ${shellWord(`${keys}/session_secret`)})" \\${clientSecretArgument(args, idp)}
      SecretName=${shellWord(args['secret-name'])} \\
      EdgeRegions=${shellWord(regions.join(','))} \\
      EdgeBundleSha256=${sha256}${tierArguments(config.tiers)}
${config.tiers.length === 2 ? '' : `  (${config.tiers.length} tiers: the template has two tier behaviors; use CreateDistribution=false
   and add one behavior per tier to your distribution, or Terraform's tiers)
`}
Later deploys of a new bundle: the same package command, then deploy with only
  --parameter-overrides EdgeBundleSha256=${sha256}
(every other parameter keeps its previous value; after a rotation step of the prerequisites
stack, also SigningKeyId and PrivateKeyPem as above).

The identity provider must list the stack's CallbackUrl and SignOutUrl outputs
(deploy/identity.yaml: its AlternateDomainName, or DistributionDomainName once known).

Terraform (deploy/terraform): edge_bundle_path = "edge/dist/edge-auth.zip", secret_name = "${args['secret-name']}"${
  args['edge-regions'] === DEFAULTS['edge-regions'] ? '' : `,\n  edge_regions = ${JSON.stringify(regions)}`
}${defaultTiers ? '' : `,\n  tiers = [${config.tiers.map((t) => `{ name = "${t.name}", path_pattern = "${t.pathPrefix}*" }`).join(', ')}]`}`);
