#!/usr/bin/env bash
# Builds the npm package's generated parts: one wasm-bindgen build per target, each in its
# own folder (pkg/node for Node's require, pkg/web for browsers and ESM), each optimised by
# npm's binaryen wasm-opt (Debian's binaryen is too old: its output fails to load).
set -euo pipefail
cd "$(dirname "$0")/.."

# Two builds at once would interleave their outputs in pkg/.
mkdir -p target && exec 9>target/.build-pkg.lock && flock 9

WASM_OPT=node_modules/.bin/wasm-opt
OPT_LEVEL=${WASM_OPT_LEVEL:--O3}

# A dependency's panic locations are its source paths, kept in the wasm's data: remap the
# build machine's (cargo home, this checkout, the toolchain) to fixed names, so the package
# names no user's home and builds alike anywhere (tests/install/publish.test.mjs checks).
# CARGO_ENCODED_RUSTFLAGS (one flag per 0x1f) keeps a path with spaces whole, and overrides
# RUSTFLAGS, so a caller's flags are carried over. These builds only: other targets' flags
# (make test-wasm, lint) are unchanged and keep their cached builds.
if [ -n "${CARGO_ENCODED_RUSTFLAGS:-}" ]; then IFS=$'\x1f' read -ra rustflags <<<"$CARGO_ENCODED_RUSTFLAGS"
else read -ra rustflags <<<"${RUSTFLAGS:-}"; fi
rustflags+=("--remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo" "--remap-path-prefix=$PWD=/build"
  "--remap-path-prefix=$(rustc --print sysroot)=/rustc")
PKG_RUSTFLAGS=$(IFS=$'\x1f'; printf '%s' "${rustflags[*]}")

build() { # target out-dir package-type cargo-features [rust opt-level]
  CARGO_PROFILE_RELEASE_OPT_LEVEL=${5:-3} CARGO_ENCODED_RUSTFLAGS=$PKG_RUSTFLAGS \
  wasm-pack --log-level warn build --release --mode no-install --no-pack \
    --target "$1" --out-dir "pkg/$2" -- --no-default-features ${4:+--features "$4"}
  rm -f "pkg/$2/.gitignore"
  printf '{ "type": "%s" }\n' "$3" > "pkg/$2/package.json"
  local wasm="pkg/$2/cloudfront_edge_auth_bg.wasm"
  "$WASM_OPT" "$OPT_LEVEL" --strip-debug --strip-producers \
    --enable-bulk-memory --enable-reference-types --enable-sign-ext \
    --enable-nontrapping-float-to-int --enable-multivalue \
    "$wasm" -o "$wasm.opt"
  mv "$wasm.opt" "$wasm"
  declare_symbol_dispose "pkg/$2/cloudfront_edge_auth.d.ts"
}

# wasm-bindgen's classes declare `[Symbol.dispose]()`, which TypeScript knows only from its
# esnext.disposable lib (5.2+): a user compiling for `target: es2022` without skipLibCheck
# would get errors inside our .d.ts. Declare the symbol ourselves, as @types/node does; it
# merges with the lib's own declaration where a user has it (tests/install checks both).
declare_symbol_dispose() {
  grep -q '\[Symbol\.dispose\]' "$1" || return 0
  cat >> "$1" <<'EOF'

declare global {
  interface SymbolConstructor {
    /** The method `using` calls; the classes above define it where the runtime has the symbol. */
    readonly dispose: unique symbol;
  }
}
EOF
}

# The Node build signs and verifies with node:crypto (OpenSSL), which also decrypts an
# ENCRYPTED PRIVATE KEY: no RSA or ECDSA arithmetic in it, and none of our own on key
# integers (an EC scalar's range is elliptic-curve's SecretKey check, constant time). The web
# build (browsers, bundlers, Workers-like runtimes) carries RustCrypto's `rsa` and `p256`, without
# `encrypted-keys` (PBES2's scrypt, PBKDF2 and AES are ~170 KB): it refuses encrypted keys.
# Both are optimised for size (opt-level "s"). The web build's RSA runs on crypto-bigint
# (610 -> 424 KB raw), whose speed in a browser is reported by `make bench`, not a target.
# The Node build's crypto is OpenSSL's, so its wasm only parses and encodes: "s" measured the
# same as "3" in bench/core.mjs (sign, verify, getSignedCookies, cold start, in one run) at 283
# instead of 304 KB raw (target: < 300 KiB).
build nodejs node commonjs node-crypto s
build web web module rustcrypto s
for build in node web; do
  size=$(wc -c < "pkg/$build/cloudfront_edge_auth_bg.wasm")
  gz=$(gzip -9c "pkg/$build/cloudfront_edge_auth_bg.wasm" | wc -c)
  printf 'pkg/%s: wasm %s bytes raw, %s bytes gzip\n' "$build" "$size" "$gz" >&2
done
