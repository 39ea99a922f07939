#!/usr/bin/env bash
# Engine benchmark: builds bff-bench-engine (release), runs it and the same
# workloads in graphql-js 16 (the version pinned in tests/node), and writes bench/results/engine.md.
#   bench/engine/run.sh [seconds-per-workload]     (BUILD=build-dir, default build-bench)
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER=${1:-1}
BUILD=${BUILD:-build-bench}
if [ ! -d tests/node/node_modules/graphql ]; then
  echo "graphql-js missing: run scripts/deps.sh (or make deps) first" >&2
  exit 1
fi
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j2 --target bff-bench-engine >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "== ours" >&2
"$BUILD/bff-bench-engine" --json --seconds "$SECONDS_PER" | tee "$tmp/ours.jsonl" >&2
echo "== graphql-js" >&2
node bench/engine/graphql_js.mjs --seconds "$SECONDS_PER" | tee "$tmp/js.jsonl" >&2
node bench/engine/graphql_js.mjs --report "$tmp/ours.jsonl" "$tmp/js.jsonl" bench/results/engine.md
