// Browser / bundler entry: the web build fetches its .wasm beside this file. The top-level
// await means importers never see an uninitialised module (no init step for users).
import init from './web/cloudfront_edge_auth.js';

await init({ module_or_path: new URL('./web/cloudfront_edge_auth_bg.wasm', import.meta.url) });

export {
  Signer,
  Verifier,
  getSignedUrl,
  getSignedCookies,
  hasSignedUrlParameters,
  limits,
} from './web/cloudfront_edge_auth.js';
