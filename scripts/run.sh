#!/usr/bin/env bash
# Sets up, builds (release) and runs the memory service on embedded defaults:
# SQLite + in-process workers + MiniLM embeddings, data under ./data, on 127.0.0.1:8080.
# Usage: scripts/run.sh [extra `pika serve` flags]
# The admin key is $PIKA_API_KEY; when unset, a random one is generated, stored in ./data/admin.key
# (mode 600) and printed once.
# RUN_BINARY=path/to/pika runs that binary and skips setup and build (the test of the documented
# examples, Tests/PikaServiceTests/DocumentedExamplesTests.swift, starts the service this way).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [[ -z "${RUN_BINARY:-}" ]]; then
  scripts/setup.sh
  # The Swift runtime linked in, as the Dockerfile builds it: the loader then resolves ~20 fewer
  # libraries, 5 ms of every process's start-up (docs/benchmarks.md, whole process).
  swift build -c release --product pika --static-swift-stdlib
  RUN_BINARY="$(swift build -c release --show-bin-path)/pika"
fi

export PIKA_DATA_DIR="${PIKA_DATA_DIR:-$ROOT/data}"
mkdir -p "$PIKA_DATA_DIR"
if [[ -z "${PIKA_API_KEY:-}" ]]; then
  if [[ ! -s "$PIKA_DATA_DIR/admin.key" ]]; then
    umask 077
    printf 'pk_%s\n' "$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')" > "$PIKA_DATA_DIR/admin.key"
    echo "run: new admin key (tenant default) in $PIKA_DATA_DIR/admin.key: $(cat "$PIKA_DATA_DIR/admin.key")" >&2
  fi
  PIKA_API_KEY="$(cat "$PIKA_DATA_DIR/admin.key")"
  export PIKA_API_KEY
fi
exec "$RUN_BINARY" serve "$@"
