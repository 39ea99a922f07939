#!/usr/bin/env bash
# Instructions per request of one scenario, counted by callgrind (repeatable on a
# shared, noisy machine, unlike times): the release server with one worker beside
# the simulator, 50 requests to warm up, then N requests (h2load, 2 connections x 5
# streams), counted alone. Writes the callgrind profile for callgrind_annotate.
#   bench/profile.sh S1|S2|S3|S4|S2_traced [N] [OUT]      (BUILD=build-bench, BIN=its bff)
# S2_traced: S2 with every request's spans exported (otlp_endpoint: the simulator's /v1/traces, ratio 1).
# e.g. bench/profile.sh S3 300 /tmp/s3.cg && callgrind_annotate --inclusive=yes /tmp/s3.cg | head -60
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:?S1, S2, S3, S4 or S2_traced}
n=${2:-300}
out=${3:-bench/results/raw/$scenario.callgrind}
BUILD=${BUILD:-build-bench}
command -v valgrind >/dev/null && command -v h2load >/dev/null || { echo "valgrind and h2load: run scripts/deps.sh" >&2; exit 1; }
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j2 --target bff bff-sim >/dev/null
BIN=${BIN:-$BUILD/bff}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
SIM_PORT=$(free_port)
BFF_PORT=$(free_port)
tmp=$(mktemp -d)
"$BUILD/bff-sim" --listen "127.0.0.1:$SIM_PORT" >/dev/null &
sim=$!
cleanup() { kill "$sim" "${bff:-}" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
key_hash=$(printf %s bench-storefront-key | sha256sum | cut -d' ' -f1)
otlp=""
[ "$scenario" = S2_traced ] && otlp="http://127.0.0.1:$SIM_PORT"
BFF_OTLP_ENDPOINT="$otlp" BFF_TRACE_SAMPLE_RATIO=1 BFF_PROVIDERS_URL="http://127.0.0.1:$SIM_PORT" BFF_LOG_REQUESTS=false BFF_THREADS=1 \
  BFF_PROVIDER_TIMEOUT_MS=20000 BFF_REQUEST_TIMEOUT_MS=30000 BFF_MAX_QUERY_COST=1000000 \
  BFF_ID_SIGNING_KEY=demo-only-id-signing-key-not-a-secret BFF_STATE_DIR="$tmp/state" \
  BFF_TIERS='{"anonymous": {"bucket": 1e15, "restore_per_second": 1e15}, "storefront": {"bucket": 1e15, "restore_per_second": 1e15}}' \
  BFF_API_KEYS="{\"$key_hash\": {\"client\": \"bench\", \"channel\": \"web\", \"tier\": \"storefront\", \"scopes\": [\"cart:read\"]}}" \
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$BIN" --listen "127.0.0.1:$BFF_PORT" >"$tmp/log" 2>&1 &
bff=$!
for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$BFF_PORT/healthz" >/dev/null && break; sleep 0.2; done
request() {
  node -e 'const fs=require("fs");const [q,v]=process.argv.slice(1);process.stdout.write(JSON.stringify({query:fs.readFileSync(q,"utf8"),variables:JSON.parse(fs.readFileSync(v,"utf8"))}))' "$1" "$2"
}
hdr=(-H 'content-type: application/json')
case "$scenario" in
  S1) echo '{"query":"{ __typename }"}' >"$tmp/body.json" ;;
  S2|S2_traced) request examples/product_page.graphql examples/product_page.json >"$tmp/body.json" ;;
  S3) request examples/listing_20.graphql examples/listing_20.json >"$tmp/body.json" ;;
  S4) request examples/cart_totals.graphql examples/cart_totals.json >"$tmp/body.json"; hdr+=(-H 'x-api-key: bench-storefront-key') ;;
  *) echo "unknown scenario $scenario" >&2; exit 2 ;;
esac
h2load -n 50 -c 2 -m 5 -d "$tmp/body.json" "${hdr[@]}" "http://127.0.0.1:$BFF_PORT/graphql" >/dev/null
callgrind_control -z "$bff" >/dev/null 2>&1
h2load -n "$n" -c 2 -m 5 -d "$tmp/body.json" "${hdr[@]}" "http://127.0.0.1:$BFF_PORT/graphql" | grep -E '^requests:'
callgrind_control -d "$bff" >/dev/null 2>&1
kill -INT "$bff"
wait "$bff" || true
bff=
# the dump after zeroing holds the N requests alone
profile=$(ls "$tmp"/cg.* 2>/dev/null | head -1)
cp "$profile" "$out"
total=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
echo "$scenario: $((total / n)) instructions a request ($n requests; profile: $out)"
