#!/usr/bin/env bash
# Installs what `make test` / `make demo` need and is missing. Idempotent: every step checks
# first and skips what is already there. Nothing here downloads a prebuilt binary: only
# crates.io, Debian's packages and the npm registry are used.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'bootstrap: %s\n' "$*" >&2; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! command -v wasm-pack >/dev/null 2>&1; then
  say "installing wasm-pack (about 1.5 min)"
  cargo install wasm-pack --locked
fi

# wasm-bindgen-cli must be the exact version Cargo.lock pins, or wasm-pack would try to
# download one (and fail: there is no network here beyond the registries).
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (found: ${have:-none})"
  cargo install wasm-bindgen-cli --version "$want" --force
fi

if [ "${SKIP_BROWSER:-}" != 1 ] && { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; }; then
  say "installing Debian's chromium and chromium-driver"
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# npm dependencies (binaryen's wasm-opt, the AWS SDK signer we test against, playwright-core).
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  say "installing npm dev dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi

# `make bundle` zips the edge handler; its test unzips the result.
if ! command -v zip >/dev/null 2>&1 || ! command -v unzip >/dev/null 2>&1; then
  say "installing Debian's zip and unzip"
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq zip unzip >/dev/null
fi

# moto's server stands in for Secrets Manager (and Cognito) in the edge tests and the demo.
if [ ! -x .venv/bin/moto_server ]; then
  say "installing moto[server] into .venv"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check 'moto[server]'
fi

# cfn-lint checks the CloudFormation template (deploy/); pinned so a new machine lints the
# same way this one does.
CFN_LINT_VERSION=1.51.0
if [ "$(cfn-lint --version 2>/dev/null | awk '{print $2}')" != "$CFN_LINT_VERSION" ]; then
  say "installing cfn-lint $CFN_LINT_VERSION"
  python3 -m pip install --quiet --disable-pip-version-check "cfn-lint==$CFN_LINT_VERSION"
fi

# `aws cloudfront sign` (awscli v1, botocore) is a peer the interop tests compare against.
if ! command -v aws >/dev/null 2>&1; then
  say "installing awscli (v1, from PyPI)"
  python3 -m pip install --quiet --disable-pip-version-check "awscli==1.45.11"
fi
