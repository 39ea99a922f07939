#!/usr/bin/env bash
# make run: the provider simulator on SIM_PORT (default 9100) and the server
# on BFF_PORT (default 8080), both on 127.0.0.1; Ctrl-C (or SIGTERM) stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BFF_PORT=${BFF_PORT:-8080}
SIM_PORT=${SIM_PORT:-9100}
"$BUILD/bff-sim" --listen "127.0.0.1:$SIM_PORT" &
sim=$!
# a demo storefront key for the cart and checkout examples (anonymous callers reach the catalog only)
demo_hash=$(printf %s demo-storefront-key | sha256sum | cut -d' ' -f1)
export BFF_API_KEYS=${BFF_API_KEYS:-"{\"$demo_hash\": {\"client\": \"demo-storefront\", \"channel\": \"web\", \"tier\": \"storefront\", \"scopes\": [\"cart:read\", \"cart:write\", \"checkout:write\", \"orders:read\", \"customers:read\"]}}"}
# a storefront dev server on :3000 may call the API from the browser; the demo admin key opens /admin/*
export BFF_CORS=${BFF_CORS:-'{"origins": ["http://localhost:3000", "http://127.0.0.1:3000"]}'}
export BFF_ADMIN_KEY_SHA256=${BFF_ADMIN_KEY_SHA256:-$(printf %s demo-admin-key | sha256sum | cut -d' ' -f1)}
# a developer's server tells which provider failed and why (a production one keeps it for its log)
export BFF_EXPOSE_DEPENDENCY_DETAILS=${BFF_EXPOSE_DEPENDENCY_DETAILS:-true}
# cart and order ids carry a key made with this (resolvers/ids.h); a fixed one keeps the examples' demo cart id valid
export BFF_ID_SIGNING_KEY=${BFF_ID_SIGNING_KEY:-demo-only-id-signing-key-not-a-secret}
BFF_PROVIDERS_URL="http://127.0.0.1:$SIM_PORT" "$BUILD/bff" --listen "127.0.0.1:$BFF_PORT" &
bff=$!
stop() {
  trap - INT TERM
  kill -TERM "$bff" "$sim" 2>/dev/null || true
  wait "$bff" 2>/dev/null || true
  wait "$sim" 2>/dev/null || true
}
trap 'stop; exit 0' INT TERM
# if either exits on its own (bad config, port taken), stop the other and report it
set +e
wait -n "$bff" "$sim"
status=$?
set -e
stop
exit "$status"
