#!/usr/bin/env bash
# make test: runs a fuzz target's checks over its seed inputs.
#   fuzz/replay.sh REPLAY_BINARY [parse|validate]
set -euo pipefail
bin="$1"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
bash "$(dirname "$0")/seeds.sh" "$dir" "${2:-parse}"
"$bin" "$dir"
