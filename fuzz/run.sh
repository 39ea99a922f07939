#!/usr/bin/env bash
# make fuzz: builds the libFuzzer targets with clang + ASan/UBSan and fuzzes
# the parser for FUZZ_SECONDS (default 300). Crashes land in fuzz/crashes/parse/;
# add them to git so fuzz/replay.sh checks them in every `make test`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
build=build-fuzz
CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DBFF_FUZZ=ON -DBFF_SANITIZE=ON >/dev/null
cmake --build "$build" -j2 --target fuzz-parse
corpus="$build/corpus-parse"
bash fuzz/seeds.sh "$corpus"
"$build/fuzz-parse" "$corpus" -max_total_time="${FUZZ_SECONDS:-300}" -max_len=4096 -timeout=10 \
  -artifact_prefix=fuzz/crashes/parse/ -print_final_stats=1
