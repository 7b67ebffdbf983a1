#!/usr/bin/env bash
# Benchmark: `cloudfront-edge-auth sign-url --batch` over 10,000 URLs (one process, one key
# parse, release build) against `aws cloudfront sign` (one process per URL, as people script
# it) on a sample of 20 URLs. Prints the time per URL of each and their ratio, and checks on
# the sample that both print the same signed URLs. Writes bench/out/cli-batch.json.
#
# Usage: bench/cli-batch.sh            (N=10000 SAMPLE=20 by default)
#        N=100000 bench/cli-batch.sh
# Needs: cargo, openssl, aws (awscli v1). Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-10000}
SAMPLE=${SAMPLE:-20}
BASE=https://d111111abcdef8.cloudfront.net/videos
KEY_ID=K2JCJMDEHXQW5F
EXPIRES=2030-01-01

command -v aws >/dev/null || { echo "cli-batch: aws (awscli v1) is not installed" >&2; exit 2; }
cargo build --release --features cli --quiet
bin=target/release/cloudfront-edge-auth

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" keygen --out "$work" >/dev/null
# aws cloudfront sign reads PKCS#1 only.
openssl pkey -in "$work/private_key.pem" -traditional -out "$work/pkcs1.pem"
awk -v n="$N" -v base="$BASE" 'BEGIN { for (i = 1; i <= n; i++) printf "%s/%d.mp4\n", base, i }' \
  >"$work/urls.txt"

now_us() { echo "${EPOCHREALTIME/./}"; }

start=$(now_us)
"$bin" sign-url --batch "$work/urls.txt" --key-pair-id "$KEY_ID" \
  --private-key "file://$work/private_key.pem" --date-less-than "$EXPIRES" >"$work/ours.txt"
ours_us=$(( $(now_us) - start ))
[ "$(wc -l <"$work/ours.txt")" -eq "$N" ] || { echo "cli-batch: expected $N signed URLs" >&2; exit 1; }

start=$(now_us)
for i in $(seq 1 "$SAMPLE"); do
  aws cloudfront sign --url "$BASE/$i.mp4" --key-pair-id "$KEY_ID" \
    --private-key "file://$work/pkcs1.pem" --date-less-than "$EXPIRES"
  echo
done >"$work/aws.txt"
aws_us=$(( $(now_us) - start ))

if ! cmp -s "$work/aws.txt" <(head -n "$SAMPLE" "$work/ours.txt"); then
  echo "cli-batch: signed URLs differ from aws cloudfront sign" >&2
  exit 1
fi

threads=$(nproc)
mkdir -p bench/out
awk -v n="$N" -v s="$SAMPLE" -v ours="$ours_us" -v aws="$aws_us" -v threads="$threads" 'BEGIN {
  ours_per = ours / n / 1000; aws_per = aws / s / 1000; ratio = aws_per / ours_per
  printf "sign-url --batch:    %6d URLs in %8.2f s = %8.3f ms/URL (one process, %d cores)\n", n, ours / 1e6, ours_per, threads
  printf "aws cloudfront sign: %6d URLs in %8.2f s = %8.3f ms/URL (one process per URL)\n", s, aws / 1e6, aws_per
  printf "ratio: sign-url --batch is %.0fx faster per URL than aws cloudfront sign\n", ratio
  printf "{\"urls\":%d,\"batch_ms_per_url\":%.4f,\"aws_sample\":%d,\"aws_ms_per_url\":%.2f,\"ratio\":%.1f,\"cores\":%d}\n", \
    n, ours_per, s, aws_per, ratio, threads > "bench/out/cli-batch.json"
}'
