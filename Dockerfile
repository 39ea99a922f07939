# Multi-stage build: compile on Debian 12 with the build dependencies, run on Debian 12 slim
# with only the runtime libraries, as a non-root user. docs/deployment.md says how to run it.
#   docker build -t bff . && docker run -p 8080:8080 bff demo
FROM debian:12 AS build
# An extra CA certificate (PEM text) for a proxy that intercepts TLS on the way to the
# package registries: --build-arg EXTRA_CA="$(cat proxy-ca.pem)". Default: none.
ARG EXTRA_CA=""
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      build-essential cmake pkg-config libh2o-dev libuv1-dev libcurl4-openssl-dev libjansson-dev libssl-dev libhiredis-dev \
      nodejs npm ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && if [ -n "$EXTRA_CA" ]; then printf '%s\n' "$EXTRA_CA" >/usr/local/share/ca-certificates/extra-ca.crt \
         && update-ca-certificates >/dev/null; fi
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
WORKDIR /src
# GraphiQL assets come from the pinned npm packages (no CDN at run time)
COPY tests/node/package.json tests/node/package-lock.json tests/node/
RUN cd tests/node && npm ci --no-audit --no-fund --loglevel=error
COPY . .
# the same configuration `make test` compiles (build-release): Release, warnings are errors
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DBFF_WERROR=ON >/dev/null \
    && cmake --build /build -j"$(nproc)" --target bff bff-sim bff-schema bff-assets \
    && strip /build/bff /build/bff-sim

FROM debian:12-slim
# runtime libraries only (libh2o brings libuv and OpenSSL); no shell tools beyond the base
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libh2o0.13 libuv1 libjansson4 libssl3 libcurl4 libhiredis0.14 ca-certificates \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt /var/log/dpkg.log \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin bff
WORKDIR /app
# the server and, for `bff demo`, the simulator; the schema owners' tool (bff-schema) is not run here
COPY --from=build /build/bff /build/bff-sim /app/
COPY --from=build /build/assets /app/assets
COPY schema/commerce.graphql /app/schema/commerce.graphql
# the checkout journal (state_dir): mount a volume here to keep it across containers
RUN mkdir -p /app/state && chown bff /app/state
ENV BFF_STATE_DIR=/app/state
USER bff
EXPOSE 8080
ENV BFF_LISTEN=0.0.0.0:8080
# ready means: the schema is loaded, the providers are configured, not shutting down (GET /readyz)
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 CMD ["/app/bff", "healthcheck"]
# SIGTERM (docker stop): stop accepting, finish requests in flight (shutdown_timeout_ms), exit 0
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/bff"]
