// Vercel Edge runtime entry (the `edge-light` condition, which Next.js and Vercel set): the
// web build, given its .wasm as a WebAssembly.Module through the `?module` import suffix,
// the platform's convention (its build compiles the file once; code in the Edge runtime may
// not compile WebAssembly from bytes, and cannot fetch it from `import.meta.url`). It
// instantiates synchronously at load, so a script bundle needs no top-level await and users
// no init step.
import { initSync } from './web/cloudfront_edge_auth.js';
import module from './web/cloudfront_edge_auth_bg.wasm?module';

initSync({ module });

export {
  Signer,
  Verifier,
  getSignedUrl,
  getSignedCookies,
  hasSignedUrlParameters,
  limits,
} from './web/cloudfront_edge_auth.js';
