// Node ESM entry: the nodejs build is CommonJS and instantiates its wasm synchronously on
// require, so `import` works with no init step.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const core = require('./node/cloudfront_edge_auth.js');

export const { Signer, Verifier, getSignedUrl, getSignedCookies, hasSignedUrlParameters, limits } = core;
