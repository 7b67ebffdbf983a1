// The two AWS JSON APIs the demo needs (Cognito user pools, Secrets Manager), spoken to
// moto with plain fetch. moto reads the region from the credential scope and ignores the
// signature, so requests carry a syntactically valid, unsigned SigV4 header: the demo holds
// no AWS credentials at all.

const TARGET_PREFIX = {
  'cognito-idp': 'AWSCognitoIdentityProviderService',
  secretsmanager: 'secretsmanager',
};

export class AwsError extends Error {
  constructor(type, message, status) {
    super(`${type}: ${message}`);
    this.name = 'AwsError';
    this.type = type;
    this.status = status;
  }
}

/**
 * @param {string} endpoint e.g. http://127.0.0.1:5000
 * @param {'cognito-idp' | 'secretsmanager'} service
 * @param {string} action e.g. InitiateAuth
 * @param {object} body
 */
export async function awsJson(endpoint, service, action, body, { region = 'us-east-1' } = {}) {
  const date = new Date().toISOString().slice(0, 10).replace(/-/g, '');
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `${TARGET_PREFIX[service]}.${action}`,
      authorization: `AWS4-HMAC-SHA256 Credential=demo/${date}/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : {};
  if (!response.ok) throw new AwsError(json.__type ?? `HTTP ${response.status}`, json.message ?? text, response.status);
  return json;
}
