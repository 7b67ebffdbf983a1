'use strict';
// What the Node-build and web-build benchmarks sign and verify: a 2048-bit RSA key pair and a
// P-256 one (fresh per run), one custom policy (a wildcard Resource and a start time, as the
// edge mints), and the signed-URL form of a canned policy.

const { generateKeyPairSync } = require('node:crypto');

const KEY_ID = 'K2JCJMDEHXQW5F';

function fixtures() {
  const pem = { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } };
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048, ...pem });
  return {
    rsa,
    ec: generateKeyPairSync('ec', { namedCurve: 'P-256', ...pem }),
    // The free functions' options (the SDK's): the RSA key's PEM with every call.
    options: {
      url: 'https://d111111abcdef8.cloudfront.net/private/*',
      keyPairId: KEY_ID,
      privateKey: rsa.privateKey,
      dateLessThan: '2030-01-01T00:00:00Z',
      dateGreaterThan: '2020-01-01T00:00:00Z',
    },
    urlOptions: { url: 'https://d111111abcdef8.cloudfront.net/private/movie.mp4', dateLessThan: '2030-01-01T00:00:00Z' },
    requestUrl: 'https://d111111abcdef8.cloudfront.net/private/movie.mp4',
  };
}

/** Cookie header and signed URL lengths (characters) of the same policies under each key. */
function lengths(rsaSigner, ecSigner, options, urlOptions) {
  const header = (cookies) => Object.entries(cookies).map(([n, v]) => `${n}=${v}`).join('; ');
  const of = (signer) => {
    const cookies = signer.getSignedCookies(options);
    return {
      signature_chars: cookies['CloudFront-Signature'].length,
      cookie_header_chars: header(cookies).length,
      signed_url_chars: signer.getSignedUrl(urlOptions).length,
    };
  };
  return { rsa_2048: of(rsaSigner), ecdsa_p256: of(ecSigner) };
}

module.exports = { KEY_ID, fixtures, lengths };
