#!/usr/bin/env bash
# Installs what building and testing need, once: Debian packages and the
# pinned npm packages of tests/node (package-lock.json). Idempotent and quiet
# when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(
  build-essential cmake pkg-config clang libclang-rt-14-dev
  libh2o-dev libuv1-dev libcurl4-openssl-dev libjansson-dev libssl-dev libcmocka-dev
  nghttp2-client wrk curl openssl nodejs npm chromium libhiredis-dev redis-server
)

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  # nodejs/npm may come from elsewhere (nvm, NodeSource): a working binary is enough
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages for the test oracles, pinned by the lockfile; reinstalled when the lockfile changes.
stamp=tests/node/node_modules/.lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s tests/node/package-lock.json "$stamp"; then
  echo "deps: installing npm packages (tests/node)" >&2
  (cd tests/node && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp tests/node/package-lock.json "$stamp"
fi
