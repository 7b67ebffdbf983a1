// Node ESM entry: the nodejs build is CommonJS and instantiates its wasm synchronously when
// loaded, so `import` works with no init step. A static re-export (Node reads the names from
// the CommonJS exports) rather than createRequire, so that a bundler can follow it too.
export {
  Signer,
  Verifier,
  getSignedUrl,
  getSignedCookies,
  hasSignedUrlParameters,
  limits,
} from './node/cloudfront_edge_auth.js';
