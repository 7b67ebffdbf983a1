// Cloudflare Workers entry (the `workerd` condition, which wrangler and Cloudflare's Vite
// plugin set): the web build, given its .wasm as an imported module. Workers compile a
// `.wasm` import at deploy time into a WebAssembly.Module and cannot fetch one from
// `import.meta.url` (not a valid URL there), so this entry instantiates synchronously at
// load: no top-level await, no init step for users.
import { initSync } from './web/cloudfront_edge_auth.js';
import module from './web/cloudfront_edge_auth_bg.wasm';

initSync({ module });

export {
  Signer,
  Verifier,
  getSignedUrl,
  getSignedCookies,
  hasSignedUrlParameters,
  limits,
} from './web/cloudfront_edge_auth.js';
