# Multi-stage build: compile on Debian 12 with the build dependencies, run on
# Debian 12 slim with only the runtime libraries, as a non-root user.
FROM debian:12 AS build
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      build-essential cmake pkg-config libh2o-dev libuv1-dev libcurl4-openssl-dev libjansson-dev libssl-dev \
      nodejs npm ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# GraphiQL assets come from the pinned npm packages (no CDN at run time)
COPY tests/node/package.json tests/node/package-lock.json tests/node/
RUN cd tests/node && npm ci --no-audit --no-fund --loglevel=error
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DBFF_WERROR=ON >/dev/null \
    && cmake --build /build -j"$(nproc)" --target bff bff-sim bff-schema bff-assets

FROM debian:12-slim
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libh2o0.13 libuv1 libjansson4 libssl3 libcurl4 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin bff
WORKDIR /app
COPY --from=build /build/bff /build/bff-sim /build/bff-schema /app/
COPY --from=build /build/assets /app/assets
COPY schema /app/schema
USER bff
EXPOSE 8080
# health: GET /healthz (alive), GET /readyz (ready to serve); the image has no curl, so probes come from outside
ENV BFF_LISTEN=0.0.0.0:8080
ENTRYPOINT ["/app/bff"]
