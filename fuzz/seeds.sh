#!/usr/bin/env bash
# Writes the parser's seed inputs into directory $1: the parser edge cases
# (tests/conformance/parser/edge_cases.json), the kitchen-sink corpus in
# ../shared/conformance/corpus when present, and past crash inputs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$1"
mkdir -p "$out"
node -e '
const fs = require("fs");
const cases = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
cases.forEach((c, i) => fs.writeFileSync(`${process.argv[2]}/edge-${i}.graphql`, c));
' "$root/tests/conformance/parser/edge_cases.json" "$out"
if [ -d "$root/../shared/conformance/corpus" ]; then
  find "$root/../shared/conformance/corpus" -name '*.graphql' -exec cp {} "$out/" \;
fi
cp "$root"/fuzz/crashes/parse/* "$out/" 2>/dev/null || true
