'use strict';
// The wasm core, nodejs build: CommonJS that compiles and instantiates the .wasm synchronously
// on require, so everything below is ready when the module finishes loading (cold start).
// The bundle keeps this relative layout (edge/src -> pkg/node).
module.exports = require('../../pkg/node/cloudfront_edge_auth.js');
