// moto's server (PyPI moto[server] in .venv, installed by scripts/bootstrap.sh) for the edge
// tests: Secrets Manager and Cognito user pools on a free loopback port, spoken to with
// plain fetch (moto reads the region and service from the credential scope and ignores the
// signature). Deadlines use performance.now: the tests pin Date (helpers.mjs).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const MOTO = fileURLToPath(new URL('../../.venv/bin/moto_server', import.meta.url));
export const REGION = 'us-east-1';

export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts moto_server; `stop()` ends it. @returns {Promise<{endpoint: string, stop: () => void}>} */
export async function startMoto() {
  if (!existsSync(MOTO)) throw new Error(`${MOTO} is missing: run scripts/bootstrap.sh (make bootstrap)`);
  // The AWS SDK reads credentials from the environment; moto accepts any.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' });
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(MOTO, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const deadline = performance.now() + 30_000;
  for (;;) {
    try {
      await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      if (performance.now() > deadline || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`moto_server did not answer at ${endpoint}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { endpoint, stop: () => child.exitCode === null && child.kill('SIGTERM') };
}

const TARGET_PREFIX = { 'cognito-idp': 'AWSCognitoIdentityProviderService', secretsmanager: 'secretsmanager' };

/** One AWS JSON API call to moto. */
export async function awsJson(endpoint, service, action, body) {
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `${TARGET_PREFIX[service]}.${action}`,
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20270115/${REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
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
