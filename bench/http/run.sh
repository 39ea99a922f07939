#!/usr/bin/env bash
# HTTP benchmark on loopback: the server (release build) beside the simulator,
# each scenario over HTTP/2 with h2load (-m 10) and over HTTP/1.1 with wrk;
# the ceiling is the same server answering S1's bytes from a static handler.
# Writes bench/results/latest.md and the raw output to bench/results/raw/.
#   bench/http/run.sh [seconds-per-run]        (BUILD=build-dir, default build-bench)
# The peer (bench/peer: graphql-js + graphql-http on Node, same schema, same simulator) runs
# the same scenarios. Also: S5, CPU per request (server and simulator), idle-connection
# memory at 5,000 connections, the N = 10/50/250 listing plot.
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR=${1:-5}
BUILD=${BUILD:-build-bench}
command -v h2load >/dev/null && command -v wrk >/dev/null || { echo "h2load and wrk: run scripts/deps.sh" >&2; exit 1; }
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j2 --target bff bff-sim >/dev/null
raw=bench/results/raw
mkdir -p "$raw"
tmp=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
SIM_PORT=$(free_port)
BFF_PORT=$(free_port)
PEER_PORT=$(free_port)
PEER_H2_PORT=$(free_port)
# the peer's pinned packages (bench/peer/package-lock.json); offline, the same versions from tests/node
if [ ! -d bench/peer/node_modules/graphql-http ]; then
  (cd bench/peer && npm ci --no-audit --no-fund >/dev/null 2>&1) || ln -sfn ../../tests/node/node_modules bench/peer/node_modules
fi
"$BUILD/bff-sim" --listen "127.0.0.1:$SIM_PORT" >/dev/null &
sim=$!
key_hash=$(printf %s bench-storefront-key | sha256sum | cut -d' ' -f1)
s1_body='{"query":"{ __typename }"}'
start_server() { # static-body [port]
  BFF_PROVIDERS_URL="http://127.0.0.1:$SIM_PORT" BFF_LOG_REQUESTS=false \
    BFF_TIERS='{"anonymous": {"bucket": 1e15, "restore_per_second": 1e15}, "storefront": {"bucket": 1e15, "restore_per_second": 1e15}}' \
    BFF_MAX_CLIENT_IN_FLIGHT=100000 BFF_MAX_IN_FLIGHT=100000 BFF_BENCH_STATIC_BODY="$1" BFF_MAX_QUERY_COST=1000000 \
    BFF_MAX_CONNECTIONS_PER_ADDRESS=100000 BFF_ID_SIGNING_KEY=demo-only-id-signing-key-not-a-secret \
    BFF_API_KEYS="{\"$key_hash\": {\"client\": \"bench\", \"channel\": \"web\", \"tier\": \"storefront\", \"scopes\": [\"cart:read\"]}}" \
    "$BUILD/bff" --listen "127.0.0.1:${2:-$BFF_PORT}" >/dev/null &
  bff=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:${2:-$BFF_PORT}/healthz" >/dev/null && return; sleep 0.1; done
  echo "the server did not start" >&2; exit 1
}
cleanup() { kill "$bff" "$sim" "${peer:-}" "${bff_redis:-}" "${redis:-}" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
start_server x
# the ceiling serves S1's real answer
s1_answer=$(curl -s "http://127.0.0.1:$BFF_PORT/graphql" -H 'content-type: application/json' -d "$s1_body")
kill "$bff"; wait "$bff" 2>/dev/null || true
start_server "$s1_answer"

node bench/peer/server.mjs "$PEER_PORT" "$PEER_H2_PORT" "http://127.0.0.1:$SIM_PORT" >"$tmp/peer.log" 2>&1 &
peer=$!
for _ in $(seq 1 100); do grep -q listening "$tmp/peer.log" && break; sleep 0.1; done

request() { # the JSON body of an example with its variables
  node -e 'const fs=require("fs");const [q,v]=process.argv.slice(1);process.stdout.write(JSON.stringify({query:fs.readFileSync(q,"utf8"),variables:JSON.parse(fs.readFileSync(v,"utf8"))}))' "$1" "$2"
}
echo "$s1_body" >"$tmp/s1.json"
request examples/product_page.graphql examples/product_page.json >"$tmp/s2.json"
request examples/listing_20.graphql examples/listing_20.json >"$tmp/s3.json"
request examples/cart_totals.graphql examples/cart_totals.json >"$tmp/s4.json"

percentile() { sort -n | awk -v p="$1" '{a[NR]=$1} END {if (NR==0) {print "-"; exit} i=int(NR*p/100); if (i<1) i=1; printf "%.2f", a[i]/1000}'; }

rows=()
cpurows=()
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; } # user + system CPU of a process, in clock ticks
HZ=$(getconf CLK_TCK)
run() { # name url body-file key [h1-url] [server-pid]
  local name=$1 url=$2 body=$3 key=${4:-} h1url=${5:-$2} server=${6:-$bff}
  local hdr=(-H 'content-type: application/json')
  [ -n "$key" ] && hdr+=(-H "x-api-key: $key")
  local s0 m0 hp
  h2load -c 10 -m 10 -D "$DUR" --warm-up-time 1 -d "$body" "${hdr[@]}" --log-file="$tmp/$name.h2.log" "$url" >"$raw/$name.h2load.txt" 2>&1 &
  hp=$!
  sleep 1 # CPU per request: counted from the end of h2load's warm-up second, as its requests are
  s0=$(ticks "$server")
  m0=$(ticks "$sim")
  wait "$hp" || true
  local done_n
  done_n=$( (grep -oE '[0-9]+ succeeded' "$raw/$name.h2load.txt" || echo 0) | awk '{print $1}')
  cpurows+=("$(awk -v n="$name" -v s="$(( $(ticks "$server") - s0 ))" -v m="$(( $(ticks "$sim") - m0 ))" -v c="$done_n" -v hz="$HZ" \
    'BEGIN { if (c > 0) printf "| %s | %d | %.0f | %.0f |", n, c, s * 1e6 / hz / c, m * 1e6 / hz / c }')")
  eval "cpu_$name=$(awk -v s="$(( $(ticks "$server") - s0 ))" -v c="$done_n" -v hz="$HZ" 'BEGIN { printf "%.0f", (c > 0 ? s * 1e6 / hz / c : 0) }')"
  local h2rps h2fail p50 p99
  h2rps=$(grep -oE 'finished in [0-9.]+s, [0-9.]+ req/s' "$raw/$name.h2load.txt" | awk '{print $4}' || true)
  h2fail=$( (grep -oE 'requests: .*' "$raw/$name.h2load.txt" || true) | (grep -oE '[0-9]+ failed, [0-9]+ errored' || true) | awk '{print $1+$3}')
  p50=$(cut -f3 "$tmp/$name.h2.log" | percentile 50)
  p99=$(cut -f3 "$tmp/$name.h2.log" | percentile 99)
  BODY_FILE="$body" API_KEY="$key" wrk -t 2 -c 20 -d "${DUR}s" --latency -s bench/http/post.lua "$h1url" >"$raw/$name.wrk.txt" 2>&1 || true
  local wrps w50 w99 werr
  wrps=$(awk '/Requests\/sec/ {print $2}' "$raw/$name.wrk.txt")
  w50=$(awk '$1=="50%" {print $2}' "$raw/$name.wrk.txt")
  w99=$(awk '$1=="99%" {print $2}' "$raw/$name.wrk.txt")
  werr=$( (grep -oE 'Non-2xx or 3xx responses: [0-9]+' "$raw/$name.wrk.txt" || true) | awk '{print $NF}')
  rows+=("| $name | ${h2rps:-?} | ${p50} ms | ${p99} ms | ${h2fail:-0} | ${wrps:-?} | ${w50:-?} | ${w99:-?} | ${werr:-0} |")
  eval "rps_$name=${h2rps:-0}"
  eval "h1rps_$name=${wrps:-0}"
  eval "p99_$name=${p99:-0}"
}
base="http://127.0.0.1:$BFF_PORT"
run ceiling "$base/bench/static" "$tmp/s1.json"
run S1 "$base/graphql" "$tmp/s1.json"
run S2 "$base/graphql" "$tmp/s2.json"
run S3 "$base/graphql" "$tmp/s3.json"
run S4 "$base/graphql" "$tmp/s4.json" bench-storefront-key
# S3 again on a second server with Redis configured (the fleet's store: each request's budget taken and
# given back by a script on Redis), the same simulator and catalog cache path, in the same run
REDIS_PORT=$(free_port)
BFF2_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" >/dev/null &
redis=$!
bff_main=$bff
sleep 0.3
BFF_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0" start_server x "$BFF2_PORT"
bff_redis=$bff
bff=$bff_main
for _ in $(seq 1 100); do curl -s "http://127.0.0.1:$BFF2_PORT/readyz" | grep -q '"store":"up"' && break; sleep 0.1; done
run S3_redis "http://127.0.0.1:$BFF2_PORT/graphql" "$tmp/s3.json" "" "" "$bff_redis"
fallbacks=$(curl -s "http://127.0.0.1:$BFF2_PORT/metrics" | awk '$1=="bff_store_fallbacks_total" {print $2}')
kill "$bff_redis" "$redis"; wait "$bff_redis" "$redis" 2>/dev/null || true
bff_redis=
redis=
# S2 again on a server that records every request's spans (trace_sample_ratio 1) and exports them over OTLP to the
# simulator's /v1/traces (a collector that takes and counts): tracing's CPU per request, in the same run
BFF3_PORT=$(free_port)
BFF_OTLP_ENDPOINT="http://127.0.0.1:$SIM_PORT" BFF_TRACE_SAMPLE_RATIO=1 start_server x "$BFF3_PORT"
bff_redis=$bff
bff=$bff_main
run S2_traced "http://127.0.0.1:$BFF3_PORT/graphql" "$tmp/s2.json" "" "" "$bff_redis"
spans=$(curl -s "http://127.0.0.1:$BFF3_PORT/metrics" | awk -F'[{} ]' '$1=="bff_trace_spans_total" {printf "%s%s %s", (n++ ? ", " : ""), $2, $4}')
kill "$bff_redis"; wait "$bff_redis" 2>/dev/null || true
bff_redis=
# @defer: time to the first payload of the product page while reviews take 1 s, beside the undeferred page
# (before S5, whose load with reviews at 1 s opens the reviews breaker: calls would then be refused at once)
deferjson=$(node bench/http/defer.mjs "$base" "http://127.0.0.1:$SIM_PORT" 60 2>&1 | tail -1)
echo "$deferjson" >"$raw/defer.json"
# S5: S2 and S4 together while reviews take 1 s (cut at enrichment's default 300 ms; the bulkhead under load): cart totals' p99
curl -s -X POST "http://127.0.0.1:$SIM_PORT/_sim/faults" -d '{"reviews": {"latency_ms": 1000}}' >/dev/null
h2load -c 10 -m 10 -D "$((DUR + 1))" -d "$tmp/s2.json" -H 'content-type: application/json' "$base/graphql" >"$raw/S5_S2.h2load.txt" 2>&1 &
s5bg=$!
run S5_S4 "$base/graphql" "$tmp/s4.json" bench-storefront-key
wait "$s5bg" || true
curl -s -X POST "http://127.0.0.1:$SIM_PORT/_sim/reset" >/dev/null
# S5 at fixed rates, below saturation (h2load --rps, 10 clients): cart totals at 500 req/s alone, then
# beside product pages asked at 1,000 req/s while reviews take 1 s (cut at 300 ms). The closed-loop runs above
# saturate the two cores, where any added load queues everything; these show what the bulkheads are for.
fixed_p99() { # name body rps-per-client [key]
  local hdr=(-H 'content-type: application/json')
  [ -n "${4:-}" ] && hdr+=(-H "x-api-key: $4")
  h2load -c 10 -m 10 --rps "$3" -D "$DUR" --warm-up-time 1 -d "$2" "${hdr[@]}" --log-file="$tmp/$1.h2.log" "$base/graphql" >"$raw/$1.h2load.txt" 2>&1 || true
  cut -f3 "$tmp/$1.h2.log" | percentile 99
}
p99_S4_fixed=$(fixed_p99 S4_fixed "$tmp/s4.json" 50 bench-storefront-key)
curl -s -X POST "http://127.0.0.1:$SIM_PORT/_sim/faults" -d '{"reviews": {"latency_ms": 1000}}' >/dev/null
h2load -c 10 -m 10 --rps 100 -D "$((DUR + 2))" -d "$tmp/s2.json" -H 'content-type: application/json' "$base/graphql" >"$raw/S5_fixed_S2.h2load.txt" 2>&1 &
s5bg=$!
sleep 0.5
p99_S5_fixed=$(fixed_p99 S5_fixed_S4 "$tmp/s4.json" 50 bench-storefront-key)
wait "$s5bg" || true
s5_s2_rps=$(grep -oE 'finished in [0-9.]+s, [0-9.]+ req/s' "$raw/S5_fixed_S2.h2load.txt" | awk '{print $4}' || true)
curl -s -X POST "http://127.0.0.1:$SIM_PORT/_sim/reset" >/dev/null
rss=$(awk '/VmHWM/ {print $2, $3}' "/proc/$bff/status")
# memory per idle HTTP/2 connection at 5,000 connections (a fresh server: no load before)
kill "$bff"; wait "$bff" 2>/dev/null || true
start_server x
idle=$(node bench/http/idle.mjs "$base" "$bff" 5000 2>&1 | tail -1)
echo "$idle" >"$raw/idle.json"
# latency against listing size (N = 10, 50, 250): bench/results/listing.png
node bench/http/listing.mjs "$base" bench/results/listing.png >"$raw/listing.jsonl" 2>&1 || true
for s in S1 S2 S3 S4; do
  run "peer_$s" "http://127.0.0.1:$PEER_H2_PORT/graphql" "$tmp/$(echo "$s" | tr S s).json" "" "http://127.0.0.1:$PEER_PORT/graphql" "$peer"
done
peer_rss=$(awk '/VmHWM/ {print $2, $3}' "/proc/$peer/status")
{
  echo "# HTTP benchmark ($(date -u +%Y-%m-%d), ${DUR}s per run, loopback, $(nproc) cores)"
  echo
  echo "h2load: 10 connections, 10 streams each (HTTP/2, prior knowledge). wrk: 2 threads, 20 connections (HTTP/1.1)."
  echo "S1 \`{ __typename }\`; S2 the product page (five providers); S3 a listing of 20; S4 cart totals (demo cart)."
  echo "The ceiling answers S1's bytes from a static handler of the same server. Server peak RSS: ${rss}."
  echo
  echo "| scenario | h2 req/s | h2 p50 | h2 p99 | h2 errors | h1 req/s | h1 p50 | h1 p99 | h1 non-2xx |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Peer peak RSS: ${peer_rss}."
  echo
  echo "| scenario | ours/ceiling h2 | ours/peer h2 req/s | ours/peer h1 req/s | h2 p99 ours / peer |"
  echo "| --- | --- | --- | --- | --- |"
  for s in S1 S2 S3 S4; do
    eval "o=\$rps_$s; p=\$rps_peer_$s; o1=\$h1rps_$s; p1=\$h1rps_peer_$s; q=\$p99_$s; pq=\$p99_peer_$s"
    awk -v s="$s" -v o="$o" -v p="$p" -v o1="$o1" -v p1="$p1" -v c="$rps_ceiling" -v q="$q" -v pq="$pq" \
      'BEGIN { printf "| %s | %.2f | %.1f | %.1f | %s / %s ms |\n", s, (c > 0 ? o / c : 0), (p > 0 ? o / p : 0), (p1 > 0 ? o1 / p1 : 0), q, pq }'
  done
  echo
  echo "CPU per request during the HTTP/2 runs (user + system, microseconds; the server's own, and the simulator's for"
  echo "the same requests). The machine has 2 cores for all three processes: the simulator is one thread."
  echo
  echo "| run | requests | server us/req | simulator us/req |"
  echo "| --- | --- | --- | --- |"
  printf '%s\n' "${cpurows[@]}"
  echo
  for s in S1 S2 S3 S4; do
    eval "o=\$cpu_$s; p=\$cpu_peer_$s"
    awk -v s="$s" -v o="$o" -v p="$p" 'BEGIN { if (o > 0) printf "%s: the peer spends %.1fx our CPU per request (%d vs %d us)\n", s, p / o, p, o }'
  done
  echo
  awk -v a="$cpu_S2_traced" -v b="$cpu_S2" -v q="$p99_S2_traced" -v pq="$p99_S2" -v sp="${spans:-?}" 'BEGIN { if (b > 0) printf "S2 with tracing on (ratio 1, every span exported over OTLP): %d us CPU per request against %d us with tracing off (%+.1f%%, target <= +10%%), p99 %s ms against %s ms; spans: %s\n", a, b, (a - b) * 100 / b, q, pq, sp }'
  echo
  awk -v a="$cpu_S3_redis" -v b="$cpu_S3" -v q="$p99_S3_redis" -v pq="$p99_S3" -v f="${fallbacks:-?}" 'BEGIN { if (b > 0) printf "S3 with Redis configured: %d us CPU per request against %d us in process (%+.1f%%, target < +15%%), p99 %s ms against %s ms; %s budget fallbacks to local\n", a, b, (a - b) * 100 / b, q, pq, f }'
  echo
  awk -v a="$p99_S5_S4" -v b="$p99_S4" 'BEGIN { if (b > 0) printf "S5 (closed loop, saturated): cart totals p99 %s ms while the product page runs with reviews taking 1 s (cut at 300 ms), against %s ms alone: %.2fx (target <= 1.20)\n", a, b, a / b }'
  echo
  awk -v a="$p99_S5_fixed" -v b="$p99_S4_fixed" -v r="${s5_s2_rps:-?}" 'BEGIN { if (b > 0) printf "S5 (fixed rates): cart totals at 500 req/s, p99 %s ms beside product pages (%s req/s, reviews taking 1 s, cut at 300 ms), against %s ms alone: %.2fx (target <= 1.20)\n", a, r, b, a / b }'
  echo
  node -e 'const r = JSON.parse(process.argv[1]); console.log(`@defer, product page while reviews take 1 s (cut at 300 ms), ${r.n} each, one at a time: first payload of the deferred page p50 ${r.deferred_first_p50} / p99 ${r.deferred_first_p99} ms (its last part p50 ${r.deferred_last_p50} ms); the undeferred page p50 ${r.undeferred_p50} / p99 ${r.undeferred_p99} ms.`)' "$deferjson" 2>/dev/null || echo "@defer: $deferjson"
  echo
  node -e 'const r = JSON.parse(process.argv[1]); console.log(`Idle HTTP/2 connections: ${r.connections} held open, server RSS ${r.rss_before_kb} kB -> ${r.rss_after_kb} kB, ${r.per_connection_bytes} bytes each (target < 65536).`)' "$idle" 2>/dev/null || echo "Idle connections: $idle"
  echo
  echo "Listing of N products (sequential, p50 / p90; plot: listing.png):"
  node -e 'for (const l of require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n")) { try { const p = JSON.parse(l); console.log(`- N = ${p.n}: ${p.p50_ms} / ${p.p90_ms} ms`); } catch { console.log(`- ${l}`); } }' "$raw/listing.jsonl"
  echo
  echo "Targets: S1 >= 0.50 of the ceiling; S2-S4 >= 10x the peer with p99 no worse; S5 within 20% of S4;"
  echo "under 64 KiB per idle HTTP/2 connection."
} >bench/results/latest.md
cat bench/results/latest.md
