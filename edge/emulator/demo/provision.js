// What a deployment has before the first viewer arrives, created on moto at demo start: the
// edge handler's one secret in Secrets Manager, as the stack writes it (the CloudFront key
// pair id, its private key, the session secret, a client secret for a confidential client),
// and, for the custom sign-in page, a Cognito user pool with an app client
// (USER_PASSWORD_AUTH), the groups and two users. The key pair and the session secret are
// generated here, every run; they never touch the disk (the edge config names the secret and
// bundles only the public key, as a deployment's does).

import crypto from 'node:crypto';
import { awsJson } from './aws.js';

export const REGION = 'us-east-1';

/** The demo's two users. Passwords meet Cognito's default policy. */
export const DEMO_USERS = Object.freeze([
  Object.freeze({ username: 'basic', password: 'Basic-demo-1', groups: Object.freeze([]) }),
  Object.freeze({ username: 'premium', password: 'Premium-demo-1', groups: Object.freeze(['premium']) }),
]);

/** A CloudFront public key id: 'K' and 13 upper-case letters or digits, like K2JCJMDEHXQW5F. */
function keyPairId() {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return `K${[...crypto.randomBytes(13)].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

/**
 * @param {string} endpoint moto's URL
 * @param {{cognito?: boolean, clientSecret?: string}} [options] `cognito`: create the user pool
 *   (the custom sign-in page's identity provider; default true); `clientSecret`: the redirect
 *   flow's client secret, written to the secret as a deployment writes it
 * @returns {Promise<{poolId: string | null, clientId: string | null, issuer: string | null, jwksUrl: string | null, secretId: string,
 *                    signing: {secretsManager: {secretId: string, region: string, endpoint: string}},
 *                    keyPairId: string, publicKeyPem: string, users: typeof DEMO_USERS}>}
 */
export async function provisionDemo(endpoint, { cognito: withPool = true, clientSecret } = {}) {
  const pool = withPool ? await provisionUserPool(endpoint) : { poolId: null, clientId: null, issuer: null, jwksUrl: null };
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' });
  const activeKeyPairId = keyPairId();
  const secretId = 'cloudfront-edge-auth/demo-signing';
  await awsJson(endpoint, 'secretsmanager', 'CreateSecret', {
    Name: secretId,
    SecretString: JSON.stringify({
      keyPairId: activeKeyPairId,
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      sessionSecret: crypto.randomBytes(32).toString('base64'),
      ...(clientSecret ? { clientSecret } : {}),
    }),
  }, { region: REGION });

  return {
    ...pool,
    secretId,
    // The edge config's `signing` for this secret (moto's endpoint needs "dev": true).
    signing: { secretsManager: { secretId, region: REGION, endpoint } },
    keyPairId: activeKeyPairId,
    publicKeyPem,
    users: DEMO_USERS,
  };
}

/** moto's Cognito user pool with an app client (USER_PASSWORD_AUTH), the groups and the users. */
async function provisionUserPool(endpoint) {
  const cognito = (action, body) => awsJson(endpoint, 'cognito-idp', action, body, { region: REGION });
  const { UserPool } = await cognito('CreateUserPool', { PoolName: 'cloudfront-edge-auth-demo' });
  const poolId = UserPool.Id;
  const { UserPoolClient } = await cognito('CreateUserPoolClient', {
    UserPoolId: poolId,
    ClientName: 'demo-sign-in-page',
    ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  });
  for (const group of new Set(DEMO_USERS.flatMap((u) => u.groups))) {
    await cognito('CreateGroup', { UserPoolId: poolId, GroupName: group });
  }
  for (const user of DEMO_USERS) {
    await cognito('AdminCreateUser', { UserPoolId: poolId, Username: user.username, MessageAction: 'SUPPRESS' });
    await cognito('AdminSetUserPassword', { UserPoolId: poolId, Username: user.username, Password: user.password, Permanent: true });
    for (const group of user.groups) {
      await cognito('AdminAddUserToGroup', { UserPoolId: poolId, Username: user.username, GroupName: group });
    }
  }

  return {
    poolId,
    clientId: UserPoolClient.ClientId,
    // moto issues tokens with Cognito's real issuer; its JWKS is served by moto itself.
    issuer: `https://cognito-idp.${REGION}.amazonaws.com/${poolId}`,
    jwksUrl: `${endpoint}/${poolId}/.well-known/jwks.json`,
  };
}

/**
 * Cognito's USER_PASSWORD_AUTH flow, as the sign-in page's proxy calls it.
 * @returns {Promise<{idToken: string, expiresIn: number}>}
 */
export async function initiateAuth(endpoint, clientId, username, password) {
  const out = await awsJson(endpoint, 'cognito-idp', 'InitiateAuth', {
    ClientId: clientId,
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: username, PASSWORD: password },
  }, { region: REGION });
  return { idToken: out.AuthenticationResult.IdToken, expiresIn: out.AuthenticationResult.ExpiresIn };
}
