#!/usr/bin/env bash
# make image-test: builds the container image from the Dockerfile with Debian's podman and runs it.
#
# No registry for base images is reachable here, so the base images are made from Debian's
# packages: mmdebstrap writes a Debian 12 root filesystem (minbase) imported as `debian:12`, and
# the same without documentation imported as `debian:12-slim`. `podman build --isolation=chroot`
# builds the image; `podman run` cannot start containers in this sandbox (crun may not set
# RLIMIT_NOFILE), so the built image's files are run as its user would run them: mounted with
# `podman image mount` and started with `chroot --userspec=10001:10001` from /app. The test then
# asks the image's own server (beside the image's own simulator, `bff demo`) for /readyz, the
# product page example and GraphiQL, and runs the image's HEALTHCHECK command.
#
# Environment: IMAGE_TEST_KEEP=1 keeps the work directory; EXTRA_CA_FILE=path passes a CA
# certificate to the build (for a proxy that intercepts TLS); IMAGE_TEST_PORT (default 18080).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
port="${IMAGE_TEST_PORT:-18080}"
need=()
for tool in podman mmdebstrap curl jq; do command -v "$tool" >/dev/null || need+=("$tool"); done
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" uidmap >/dev/null
fi
work="$(mktemp -d /tmp/bff-image-test.XXXXXX)"
storage=(--root "$work/storage" --runroot "$work/run" --storage-driver vfs)
mnt=""
cleanup() {
  set +e
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  if [ -n "$mnt" ]; then
    umount "$mnt/proc" "$mnt/dev" 2>/dev/null
    podman "${storage[@]}" image unmount bff-image-test >/dev/null 2>&1
  fi
  if [ "${IMAGE_TEST_KEEP:-0}" != 1 ]; then
    podman "${storage[@]}" rmi -a -f >/dev/null 2>&1
    rm -rf "$work"
  fi
}
trap cleanup EXIT

echo "== base images from Debian 12 packages (mmdebstrap)"
t0=$(date +%s)
mmdebstrap --quiet --variant=minbase bookworm "$work/debian12.tar"
mmdebstrap --quiet --variant=minbase \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
  bookworm "$work/debian12-slim.tar"
podman "${storage[@]}" import -q "$work/debian12.tar" debian:12 >/dev/null
podman "${storage[@]}" import -q "$work/debian12-slim.tar" debian:12-slim >/dev/null
echo "   done in $(($(date +%s) - t0)) s"

echo "== podman build (the Dockerfile as it is)"
t0=$(date +%s)
build_args=()
# the build stage fetches npm packages over TLS: a CA this machine trusts beyond Debian's (a proxy that
# intercepts TLS) goes to the build too, unless EXTRA_CA_FILE names one
if [ -z "${EXTRA_CA_FILE:-}" ] && compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  cat /usr/local/share/ca-certificates/*.crt >"$work/extra-ca.pem"
  EXTRA_CA_FILE="$work/extra-ca.pem"
  echo "   with this machine's local CA certificates (/usr/local/share/ca-certificates)"
fi
if [ -n "${EXTRA_CA_FILE:-}" ]; then build_args+=(--build-arg "EXTRA_CA=$(cat "$EXTRA_CA_FILE")"); fi
# a clean export of the working tree (tracked and new files, nothing git ignores): what a clone would build
context="$work/context"
mkdir -p "$context"
git ls-files -co --exclude-standard -z | xargs -0 -I{} cp --parents {} "$context/" 2>/dev/null || true
podman "${storage[@]}" build -q --format docker --pull=never --network=host --isolation=chroot "${build_args[@]}" \
  -t bff-image-test "$context" >/dev/null
echo "   done in $(($(date +%s) - t0)) s"
size=$(podman "${storage[@]}" image inspect bff-image-test --format '{{.Size}}')
echo "   image size: $((size / 1000000)) MB"
user=$(podman "${storage[@]}" image inspect bff-image-test --format '{{.Config.User}}')
health=$(podman "${storage[@]}" image inspect bff-image-test --format '{{json .Config.Healthcheck}}')
[ "$user" = bff ] || { echo "FAIL: the image runs as '$user', not bff"; exit 1; }
echo "$health" | grep -q '"/app/bff","healthcheck"' || { echo "FAIL: HEALTHCHECK is $health"; exit 1; }

echo "== the image's bff demo, as user 10001 from /app"
mnt=$(podman "${storage[@]}" image mount bff-image-test)
mount -t proc proc "$mnt/proc"
mount --bind /dev "$mnt/dev"
chroot --userspec=10001:10001 "$mnt" /usr/bin/env -i HOME=/app BFF_LISTEN="127.0.0.1:$port" \
  /bin/sh -c 'cd /app && exec /app/bff demo' >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; echo "FAIL: the image's server exited"; exit 1; }
  sleep 0.1
done
pass=0 fail=0
check() { # name, command...
  if "${@:2}"; then echo "ok: $1"; pass=$((pass + 1)); else echo "FAIL: $1"; fail=$((fail + 1)); fi
}
ready=$(curl -s "http://127.0.0.1:$port/readyz")
check "/readyz answers ready: $ready" test "$(echo "$ready" | jq -r .status)" = ready
check "the image's HEALTHCHECK command exits 0" \
  chroot --userspec=10001:10001 "$mnt" /usr/bin/env -i BFF_LISTEN="127.0.0.1:$port" /app/bff healthcheck
page=$(jq -n --rawfile q examples/product_page.graphql --slurpfile v examples/product_page.json '{query: $q, variables: $v[0]}' |
  curl -s --http2-prior-knowledge "http://127.0.0.1:$port/graphql" -H 'content-type: application/json' -d @-)
echo "   product page: $(echo "$page" | jq -c '{title: .data.product.title, vendor: .data.product.vendor, variants: (.data.product.variants | length), errors: .errors}')"
check "the product page is answered by the image's server and simulator" \
  test "$(echo "$page" | jq -r '(.errors == null) and (.data.product.title | length > 0)')" = true
graphiql=$(curl -s -H 'accept: text/html' "http://127.0.0.1:$port/graphql")
check "GraphiQL is served from the image's assets" grep -q graphiql <<<"$graphiql"
asset=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/graphiql/graphiql.min.js")
check "GraphiQL's script is there (HTTP $asset)" test "$asset" = 200
check "the image's simulator started beside it" grep -q '"msg":"demo: the provider simulator is running"' "$work/server.log"
check "the server ran as uid 10001" test "$(stat -c %u /proc/"$(pgrep -n -f '/app/bff demo' || echo 1)")" = 10001
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
