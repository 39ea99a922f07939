#!/usr/bin/env bash
# make fuzz: builds the libFuzzer targets with clang + ASan/UBSan and fuzzes
# each for FUZZ_SECONDS (default 60). Crashes land in fuzz/crashes/<target>/;
# add them to git so fuzz/replay.sh checks them in every `make test`. New inputs
# that add coverage are merged into fuzz/corpus/<target>/ (inputs of at most 160
# bytes only, to keep the committed corpus small).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
build=build-fuzz
CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DBFF_FUZZ=ON -DBFF_SANITIZE=ON >/dev/null
cmake --build "$build" -j2 --target fuzz-parse fuzz-validate fuzz-json fuzz-admission fuzz-http1
for target in parse validate json admission http1; do
  mkdir -p "fuzz/crashes/$target"
  corpus="$build/corpus-$target"
  bash fuzz/seeds.sh "$corpus" "$target"
  echo "== fuzz-$target for ${FUZZ_SECONDS:-60}s" >&2
  "$build/fuzz-$target" "$corpus" -max_total_time="${FUZZ_SECONDS:-60}" -max_len=4096 -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="fuzz/crashes/$target/" -print_final_stats=1
  mkdir -p "fuzz/corpus/$target"
  "$build/fuzz-$target" -merge=1 -max_len=160 "fuzz/corpus/$target" "$corpus" 2>&1 | tail -1
done
