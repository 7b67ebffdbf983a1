'use strict';
// Lambda@Edge entry point (viewer request). Lambda@Edge has no environment variables, so the
// configuration is the JSON file bundled beside the handler (edge/config.json in the zip).
// Loading happens once per container, at cold start; a config that cannot be read or fails
// validation yields a handler that fails closed and logs why on every decision.

const fs = require('node:fs');
const path = require('node:path');
const { createHandler } = require('./handler');

const CONFIG_PATH = path.join(__dirname, '..', 'config.json');

function readConfig(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    return new Error(`config: cannot read ${path.basename(file)}: ${error.message}`);
  }
}

exports.handler = createHandler(readConfig(CONFIG_PATH));
