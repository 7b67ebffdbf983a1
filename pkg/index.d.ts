// Typings of the package: the ones wasm-bindgen generates for the Node build (the web build
// adds only its init functions, which browser.mjs calls itself).
export * from './node/cloudfront_edge_auth.js';
