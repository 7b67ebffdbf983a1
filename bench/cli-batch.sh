#!/usr/bin/env bash
# Benchmark: `cloudfront-edge-auth sign-url --batch` over N URLs (one process, one key parse,
# every core, release build) against two peers on the same machine in the same run:
#   - the `cloudfront_sign` crate (crates.io, bench/cloudfront-sign-peer): the same N URLs,
#     every core the same way (chunks of 4096, a thread per core); it parses the PEM key on
#     each call, as its API has no parsed-key type. Target: ours <= 0.5x its time.
#   - `aws cloudfront sign` (awscli v1), one process per URL as people script it, on a sample
#     of SAMPLE URLs. Target: ours >= 1000x faster per URL.
# Ours and the crate alternate for ROUNDS rounds and the medians are compared, so that the
# load of this shared machine hits both. Both peers' output is checked byte for byte against
# ours. Then where our time goes: process start, key parse, and the RSA-2048 signature per URL
# on one core (taskset), against the wall time per URL on every core.
# Prints the ratios and writes them to bench/out/cli-batch.json.
#
# Usage: bench/cli-batch.sh            (N=10000 SAMPLE=20 ROUNDS=3 by default)
#        N=100000 ROUNDS=1 bench/cli-batch.sh
# Needs: cargo (and crates.io for the peer's first build), openssl, aws (awscli v1), taskset.
# Run by `make bench`, not `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-10000}
SAMPLE=${SAMPLE:-20}
ROUNDS=${ROUNDS:-3}
ONE_CORE_N=${ONE_CORE_N:-500}
BASE=https://d111111abcdef8.cloudfront.net/videos
KEY_ID=K2JCJMDEHXQW5F
EXPIRES=1893456000 # 2030-01-01T00:00:00Z

command -v aws >/dev/null || { echo "cli-batch: aws (awscli v1) is not installed" >&2; exit 2; }
cargo build --release --features cli --quiet
bin=target/release/cloudfront-edge-auth
# The peer builds into our target/ (ignored), from its own manifest and lock file.
CARGO_TARGET_DIR="$PWD/target/cloudfront-sign-peer" \
  cargo build --release --quiet --manifest-path bench/cloudfront-sign-peer/Cargo.toml
peer=target/cloudfront-sign-peer/release/cloudfront-sign-peer

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" keygen --out "$work" >/dev/null
# aws cloudfront sign (v1) and the crate read PKCS#1 only.
openssl pkey -in "$work/private_key.pem" -traditional -out "$work/pkcs1.pem"
awk -v n="$N" -v base="$BASE" 'BEGIN { for (i = 1; i <= n; i++) printf "%s/%d.mp4\n", base, i }' \
  >"$work/urls.txt"
head -n "$ONE_CORE_N" "$work/urls.txt" >"$work/one-core.txt"

now_us() { echo "${EPOCHREALTIME/./}"; }
ours() {
  "$bin" sign-url --batch "$1" --key-pair-id "$KEY_ID" \
    --private-key "file://$work/private_key.pem" --date-less-than "$EXPIRES"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: >"$work/ours.us"
: >"$work/peer.us"
for round in $(seq 1 "$ROUNDS"); do
  start=$(now_us)
  ours "$work/urls.txt" >"$work/ours.txt"
  echo $(($(now_us) - start)) >>"$work/ours.us"
  start=$(now_us)
  "$peer" "$KEY_ID" "$work/pkcs1.pem" "$EXPIRES" <"$work/urls.txt" >"$work/peer.txt"
  echo $(($(now_us) - start)) >>"$work/peer.us"
done
[ "$(wc -l <"$work/ours.txt")" -eq "$N" ] || { echo "cli-batch: expected $N signed URLs" >&2; exit 1; }
cmp -s "$work/ours.txt" "$work/peer.txt" || {
  echo "cli-batch: the cloudfront_sign crate's signed URLs differ from ours" >&2
  exit 1
}
ours_us=$(median <"$work/ours.us")
peer_us=$(median <"$work/peer.us")

start=$(now_us)
for i in $(seq 1 "$SAMPLE"); do
  aws cloudfront sign --url "$BASE/$i.mp4" --key-pair-id "$KEY_ID" \
    --private-key "file://$work/pkcs1.pem" --date-less-than "$EXPIRES"
  echo
done >"$work/aws.txt"
aws_us=$(($(now_us) - start))
cmp -s "$work/aws.txt" <(head -n "$SAMPLE" "$work/ours.txt") || {
  echo "cli-batch: signed URLs differ from aws cloudfront sign" >&2
  exit 1
}

# Where the time goes, each the fastest of `repeat` runs (the least disturbed by other load):
# process start (`--version`), start and key parse (a batch of no URLs), and, pinned to CPU 0,
# a batch of ONE_CORE_N URLs, whose time per URL is a signature's cost on one core; the same
# for the crate, whose cost per URL includes its key parse.
fastest_us() {
  local best=
  for i in $(seq 1 "$repeat"); do
    local start=$(now_us)
    "$@" >/dev/null
    local took=$(($(now_us) - start))
    if [ -z "$best" ] || [ "$took" -lt "$best" ]; then best=$took; fi
  done
  echo "$best"
}
repeat=30
startup_us=$(fastest_us "$bin" --version)
parse_us=$(($(fastest_us ours /dev/null) - startup_us))
repeat=2
one_core_us=$(fastest_us taskset -c 0 "$bin" sign-url --batch "$work/one-core.txt" \
  --key-pair-id "$KEY_ID" --private-key "file://$work/private_key.pem" --date-less-than "$EXPIRES")
peer_one_core_us=$(fastest_us sh -c "taskset -c 0 '$peer' '$KEY_ID' '$work/pkcs1.pem' '$EXPIRES' <'$work/one-core.txt'")

threads=$(nproc)
mkdir -p bench/out
awk -v n="$N" -v s="$SAMPLE" -v rounds="$ROUNDS" -v ours="$ours_us" -v peer="$peer_us" \
  -v aws="$aws_us" -v threads="$threads" -v startup="$startup_us" -v parse="$parse_us" \
  -v one="$one_core_us" -v peer_one="$peer_one_core_us" -v one_n="$ONE_CORE_N" 'BEGIN {
  ours_per = ours / n / 1000; peer_per = peer / n / 1000; aws_per = aws / s / 1000
  peer_ratio = ours / peer; aws_ratio = aws_per / ours_per
  sign_one = (one - startup - parse) / one_n; peer_one_per = (peer_one - startup) / one_n
  wall_per = ours / n
  printf "sign-url --batch:     %6d URLs in %7.2f s = %7.3f ms/URL (one process, %d cores, median of %d)\n", n, ours / 1e6, ours_per, threads, rounds
  printf "cloudfront_sign 0.4.1: %5d URLs in %7.2f s = %7.3f ms/URL (same URLs, same threads)\n", n, peer / 1e6, peer_per
  printf "aws cloudfront sign:  %6d URLs in %7.2f s = %7.1f ms/URL (one process per URL)\n", s, aws / 1e6, aws_per
  printf "ratio to cloudfront_sign: %.2fx its time (target <= 0.5x: %s)\n", peer_ratio, (peer_ratio <= 0.5 ? "met" : "not met")
  printf "ratio to aws: %.0fx faster per URL (target >= 1000x: %s)\n", aws_ratio, (aws_ratio >= 1000 ? "met" : "not met")
  printf "where it goes: process start %.1f ms, key parse %.2f ms, then per URL on one core %.0f us (the crate: %.0f us, its key parse included); %.0f us/URL of wall time on %d cores (%.2f cores effective)\n", startup / 1000, parse / 1000, sign_one, peer_one_per, wall_per, threads, (sign_one / wall_per)
  printf "{\"urls\":%d,\"rounds\":%d,\"cores\":%d,\"batch_ms_per_url\":%.4f,\"aws_sample\":%d,\"aws_ms_per_url\":%.2f,\"ratio\":%.1f,\"aws_ratio\":%.1f,\"aws_ratio_target\":1000,\"peer\":\"cloudfront_sign 0.4.1\",\"peer_ms_per_url\":%.4f,\"peer_time_ratio\":%.3f,\"peer_time_ratio_target\":0.5,\"startup_ms\":%.2f,\"key_parse_ms\":%.2f,\"sign_us_per_url_one_core\":%.0f,\"peer_us_per_url_one_core\":%.0f,\"wall_us_per_url\":%.0f,\"effective_cores\":%.2f}\n", \
    n, rounds, threads, ours_per, s, aws_per, aws_ratio, aws_ratio, peer_per, peer_ratio, startup / 1000, parse / 1000, sign_one, peer_one_per, wall_per, (sign_one / wall_per) > "bench/out/cli-batch.json"
}'
