#!/usr/bin/env bash
# Writes a fuzz target's seed inputs into directory $1: the parser edge cases
# (tests/conformance/parser/edge_cases.json), the differential corpus
# documents, the kitchen-sink corpus (tests/conformance/external/corpus), the
# committed fuzz corpus (fuzz/corpus/$2: small inputs that each add coverage) and past crash inputs of target $2 (parse, validate or json;
# json's seeds are the project's JSON files instead, http1's its committed provider answers).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$1"
target="${2:-parse}"
mkdir -p "$out"
if [ "$target" = json ]; then # JSON texts: the examples' variables, the test fixtures, the committed corpus
  find "$root/examples" "$root/tests/conformance" "$root/bench/peer" -maxdepth 3 -name '*.json' -size -64k \
    -not -name package-lock.json | while read -r f; do cp "$f" "$out/$(echo "$f" | tr / _)"; done
  cp "$root"/fuzz/corpus/json/* "$root"/fuzz/crashes/json/* "$out/" 2>/dev/null || true
  exit 0
fi
if [ "$target" = http1 ]; then # provider answers: the committed samples (fuzz/corpus/http1) and past crashes
  cp "$root"/fuzz/corpus/http1/* "$root"/fuzz/crashes/http1/* "$out/" 2>/dev/null || true
  exit 0
fi
node -e '
const fs = require("fs");
const cases = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
cases.forEach((c, i) => fs.writeFileSync(`${process.argv[3]}/edge-${i}.graphql`, c));
let n = 0;
for (const f of fs.readdirSync(process.argv[2]).sort()) {
  for (const doc of fs.readFileSync(`${process.argv[2]}/${f}`, "utf8").split(/^#---.*\n/m))
    fs.writeFileSync(`${process.argv[3]}/diff-${n++}.graphql`, doc);
}
' "$root/tests/conformance/parser/edge_cases.json" "$root/tests/conformance/differential/docs" "$out"
if [ -d "$root/tests/conformance/external/corpus" ]; then
  find "$root/tests/conformance/external/corpus" -name '*.graphql' -exec cp {} "$out/" \;
fi
if [ "$target" = admission ]; then # the examples and the adversarial shapes, against the commerce schema
  cp "$root"/examples/*.graphql "$out/"
fi
cp "$root"/fuzz/corpus/"$target"/* "$out/" 2>/dev/null || true
cp "$root"/fuzz/crashes/"$target"/* "$out/" 2>/dev/null || true
