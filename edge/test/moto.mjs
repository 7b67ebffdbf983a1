// moto's server (PyPI moto[server] in .venv, installed by scripts/bootstrap.sh) for the edge
// tests: Secrets Manager and Cognito user pools on a free loopback port, spoken to with
// plain fetch (moto reads the region and service from the credential scope and ignores the
// signature). moto itself is started by the demo's launcher (edge/emulator/demo/moto.js).
import { freePort, startMoto as startMotoServer } from '../emulator/demo/moto.js';

export { freePort };
export const REGION = 'us-east-1';

/** Starts moto_server (the demo's launcher); `stop()` ends it. @returns {Promise<{endpoint: string, stop: () => Promise<void>}>} */
export async function startMoto() {
  // The AWS SDK reads credentials from the environment; moto accepts any.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' });
  return startMotoServer();
}

const TARGET_PREFIX = { 'cognito-idp': 'AWSCognitoIdentityProviderService', secretsmanager: 'secretsmanager' };

/** One AWS JSON API call to moto, in `region` (moto keeps each region's resources apart). */
export async function awsJson(endpoint, service, action, body, region = REGION) {
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `${TARGET_PREFIX[service]}.${action}`,
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20270115/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${service} ${action}: HTTP ${response.status}: ${text}`);
  return text ? JSON.parse(text) : {};
}

export const createSecret = (endpoint, name, value) =>
  awsJson(endpoint, 'secretsmanager', 'CreateSecret', { Name: name, SecretString: typeof value === 'string' ? value : JSON.stringify(value) });

/**
 * A Cognito user pool with an app client (USER_PASSWORD_AUTH) and one user in `groups`.
 * @returns {Promise<{poolId: string, clientId: string, issuer: string, jwksUrl: string,
 *                    signIn: () => Promise<string>}>} `signIn` returns a fresh ID token
 */
export async function cognitoPool(endpoint, { groups = [] } = {}) {
  const cognito = (action, body) => awsJson(endpoint, 'cognito-idp', action, body);
  const { UserPool } = await cognito('CreateUserPool', { PoolName: `edge-test-${Math.random().toString(36).slice(2)}` });
  const poolId = UserPool.Id;
  const { UserPoolClient } = await cognito('CreateUserPoolClient', {
    UserPoolId: poolId,
    ClientName: 'edge-test',
    ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  });
  const username = 'alice';
  const password = 'Alice-test-1';
  await cognito('AdminCreateUser', { UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS' });
  await cognito('AdminSetUserPassword', { UserPoolId: poolId, Username: username, Password: password, Permanent: true });
  for (const group of groups) {
    await cognito('CreateGroup', { UserPoolId: poolId, GroupName: group });
    await cognito('AdminAddUserToGroup', { UserPoolId: poolId, Username: username, GroupName: group });
  }
  const clientId = UserPoolClient.ClientId;
  return {
    poolId,
    clientId,
    issuer: `https://cognito-idp.${REGION}.amazonaws.com/${poolId}`,
    jwksUrl: `${endpoint}/${poolId}/.well-known/jwks.json`,
    signIn: async () => {
      const out = await cognito('InitiateAuth', {
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD: password },
      });
      return out.AuthenticationResult.IdToken;
    },
  };
}
