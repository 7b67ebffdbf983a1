# cloudfront-edge-auth: `make test` and `make demo` are the two commands a new user runs.
# Every target bootstraps what it needs (scripts/bootstrap.sh is idempotent).

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

CHROMEDRIVER ?= /usr/bin/chromedriver
# The Python peers of the tests and the bench (`aws cloudfront sign`, botocore with
# cryptography) come from .venv-aws (scripts/bootstrap.sh), ahead of anything the system has.
export PATH := $(CURDIR)/.venv-aws/bin:$(PATH)
WASM_PACK := wasm-pack --log-level warn

.PHONY: help bootstrap pkg test lint test-rust test-wasm test-wasm-node test-wasm-chrome \
        test-js test-package test-edge test-e2e test-deploy deploy-package bundle bench demo clean \
        test-fuzz fuzz load

help:
	@echo "make test   install what is missing, build, run every test suite"
	@echo "make demo   install what is missing, build, run the local emulator demo"
	@echo "make pkg    build the npm package (pkg/node, pkg/web)"
	@echo "make bundle build the Lambda@Edge zip (edge/dist/edge-auth.zip; EDGE_CONFIG=file)"
	@echo "make bench  benchmarks against node:crypto, the AWS SDK and awscli (bench/RESULTS.md)"
	@echo "make fuzz   every fuzz target for FUZZ_SECONDS (default 30) each (docs/security.md)"
	@echo "make load   50k mixed requests at the handler behind the emulator, within 60 s"

bootstrap:
	@scripts/bootstrap.sh

# .tools/bin: where a build-only bootstrap on macOS puts a flock(1) (scripts/bootstrap.sh).
pkg: bootstrap
	@PATH="$(CURDIR)/.tools/bin:$$PATH" scripts/build-pkg.sh

test: bootstrap pkg lint test-rust test-wasm test-js test-package test-edge test-e2e test-deploy
	@echo "make test: every suite passed"

lint: bootstrap
	cargo fmt --all -- --check
	cargo clippy --all-targets --all-features -- -D warnings
	cargo clippy --lib --target wasm32-unknown-unknown -- -D warnings
	# The npm package's two builds (scripts/build-pkg.sh): node:crypto, and RustCrypto without PBES2.
	cargo clippy --lib --target wasm32-unknown-unknown --no-default-features --features node-crypto -- -D warnings
	cargo clippy --lib --target wasm32-unknown-unknown --no-default-features --features rustcrypto -- -D warnings

test-rust: bootstrap
	cargo test --all-features

test-wasm: test-wasm-node test-wasm-chrome

# The wasm suites run twice in Node: on the RustCrypto backend (the web build's) and on the
# node:crypto backend (the Node build's, feature node-crypto), Wycheproof vectors included.
test-wasm-node: bootstrap
	$(WASM_PACK) test --node --mode no-install -- --features fuzzing
	$(WASM_PACK) test --node --mode no-install -- --no-default-features --features node-crypto,fuzzing

# WASM_BINDGEN_USE_BROWSER runs the same suites (not marked run_in_browser) in Chromium.
test-wasm-chrome: bootstrap
	WASM_BINDGEN_USE_BROWSER=1 $(WASM_PACK) test --headless --chrome \
	  --chromedriver $(CHROMEDRIVER) --mode no-install -- --features fuzzing

test-js: pkg
	node --test --test-reporter=spec tests/js/

# The package as users install it (tests/install): the packed tarball in throwaway projects
# (Node 20 and 22, Bun and Deno, import and require; workerd through miniflare and the
# edge-runtime package, each from an esbuild bundle; tsc --strict, target es2022, node16 and
# bundler resolution; esbuild, webpack 5 and Vite, each for Node and for Chromium), the
# pkg/README.md examples, and the npm and cargo publish dry runs with a compile of the
# packaged crate (after test-rust: warm target/).
test-package: pkg
	@start=$$(date +%s); \
	node --test --test-reporter=spec tests/install/; \
	echo "test-package: $$(( $$(date +%s) - start )) s"

# The Lambda@Edge handler: JSDoc checked against the wasm typings, then its tests (the
# Secrets Manager ones start moto's server from .venv).
test-edge: pkg
	node_modules/.bin/tsc -p edge/tsconfig.json
	node --test --test-reporter=spec edge/test/*.test.mjs

# Fuzzing, with proptest as the engine (cargo fuzz needs nightly): tests/fuzz.rs for the core's
# parsers, edge/test/config-fuzz.test.mjs for the handler's config. The smoke run is already
# part of `make test` (test-rust runs every integration test, test-edge every edge test);
# `make fuzz` keeps each target going for FUZZ_SECONDS. See docs/security.md.
FUZZ_SECONDS ?= 30
test-fuzz: pkg
	cargo test --features fuzzing --test fuzz -- --nocapture
	node --test edge/test/config-fuzz.test.mjs

fuzz: pkg
	FUZZ_SECONDS=$(FUZZ_SECONDS) cargo test --features fuzzing --test fuzz -- --nocapture --test-threads=2
	FUZZ_CASES=$$(( $(FUZZ_SECONDS) * 5000 )) node --test edge/test/config-fuzz.test.mjs

# Load: the handler behind the emulator on loopback, bounded (50k requests, 60 s); fails on
# any wrong decision. Not part of `make test`.
load: pkg
	node bench/load.mjs

# The Lambda@Edge zip: handler, nodejs wasm build, config; fails over 1 MB. Its bootstrap (and
# deploy-package's) installs only what the build needs: Rust's wasm32 target, wasm-pack,
# wasm-bindgen, npm packages; on macOS or Linux, no browser, Python or sudo (BOOTSTRAP=build,
# scripts/bootstrap.sh). A target-specific variable reaches the prerequisites' recipes, so
# `make test` and `make demo` (which never build through these two) keep the full bootstrap.
bundle deploy-package: export BOOTSTRAP = build
bundle: pkg
	node edge/scripts/bundle.mjs $(if $(EDGE_CONFIG),--config $(EDGE_CONFIG))

# One table of ratios measured in one run; writes bench/results.json and bench/RESULTS.md.
# Then each JS runtime here (Node, Deno, Bun, workerd, edge-runtime) on the installed tarball
# against node:crypto in Node (bench/out/runtimes.json; pkg/README.md "What runs where").
bench: pkg bundle
	node bench/report.mjs
	node bench/runtimes.mjs

# The deployments: cfn-lint on the template; the template's and the Terraform module's
# security-critical wiring, both against deploy/wiring.json (python-hcl2 reads the .tf files:
# no terraform binary needed); checkov over both, offline, 0 failed checks (every skip sits
# next to its resource with the reason); the deploy-package bundle.
test-deploy: pkg
	.venv-deploy/bin/cfn-lint deploy/template.yaml deploy/identity.yaml
	.venv-deploy/bin/python -m unittest discover -s deploy -p 'test_*.py' -v
	.venv-checkov/bin/checkov -d deploy --skip-download --quiet --compact \
	  --skip-path deploy/out --skip-path '\.terraform'
	node --test deploy/package.test.mjs

# Builds the bundle for a real stack (prints the aws commands; uploads nothing), e.g.
# make deploy-package ARGS="--identity-outputs deploy/out/identity.json" (the prerequisites
# stack's outputs; with a stack of keys only, also --user-pool-id ... --client-id ..., or
# --issuer ... --client-id ... --jwks-url ...). Bootstraps as `make bundle` does.
deploy-package: pkg
	node deploy/package.mjs $(ARGS)

# The local CloudFront emulator: its unit tests, then the demo end to end in headless
# Chromium (moto, the edge handler, the emulator), once in each check order (function first,
# CloudFront's key-group check first); screenshots in test-output/e2e/.
test-e2e: pkg
	node --test --test-reporter=spec edge/emulator/test/*.test.mjs

# The whole system on this machine: a local OpenID Provider (its own login page), moto as
# Secrets Manager, the edge handler and the CloudFront emulator (edge/emulator/README.md).
# PORT (HTTPS, 8443) and HTTP_PORT (8080) change the ports; CHECK_ORDER=cloudfront-first lets
# CloudFront's key-group check run before the function (default function-first);
# SIGN_IN=custom signs in on the site's own page with moto's Cognito; Ctrl-C stops it all.
CHECK_ORDER ?= function-first
SIGN_IN ?= idp
demo: bootstrap pkg
	@CHECK_ORDER=$(CHECK_ORDER) SIGN_IN=$(SIGN_IN) node edge/emulator/demo/main.mjs

clean:
	cargo clean
	rm -rf pkg/node pkg/web pkg/*.tgz node_modules edge/dist
