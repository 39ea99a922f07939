#!/usr/bin/env bash
# make test: runs the parser fuzz target's checks over the seed inputs.
set -euo pipefail
bin="$1"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
bash "$(dirname "$0")/seeds.sh" "$dir"
"$bin" "$dir"
