// The npm package's two builds side by side in Node: pkg/node (node:crypto) as a user imports
// it, and pkg/web (RustCrypto) instantiated from its wasm bytes, for tests that hold the two
// to the same answers.
import { readFileSync } from 'node:fs';

import * as node from '../../pkg/index.mjs';
import * as web from '../../pkg/web/cloudfront_edge_auth.js';

web.initSync({ module: readFileSync(new URL('../../pkg/web/cloudfront_edge_auth_bg.wasm', import.meta.url)) });

export { node, web };
export const BUILDS = /** @type {const} */ ([['node', node], ['web', web]]);
