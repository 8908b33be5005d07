#!/usr/bin/env bash
# Service load benchmark: a release `pika serve` on a fresh data directory, seeded, then loaded by
# loadgen.py. Prints the machine, the load average before and after, and loadgen's report.
#
# Usage: Benchmarks/service/run.sh [--embedder hashing|minilm] [--users 100] [--per-user 1000]
#                                  [--duration 60] [--read-rps 1000] [--write-rps 100] [--modes LIST]
#                                  [--pika PATH] [--keep] [--capacity SECONDS]
# The binary defaults to .build-svc-rel/release/pika (swift build -c release --product pika).
# --capacity N: after the open-loop run, also drive the same mix closed-loop with wrk (apt package
# `wrk`; Benchmarks/service/mix.lua, 2 threads, 32 connections) for N seconds: the most requests/s the
# server answers with a generator that costs little CPU (the Python generator shares the 2 cores).
set -euo pipefail
cd "$(dirname "$0")/../.."

EMBEDDER=hashing USERS=100 PER_USER=1000 DURATION=60 READ_RPS=1000 WRITE_RPS=100 MODES="" KEEP=0 CAPACITY=0
PIKA=.build-svc-rel/release/pika
while [[ $# -gt 0 ]]; do
  case "$1" in
    --embedder) EMBEDDER=$2; shift 2 ;;
    --users) USERS=$2; shift 2 ;;
    --per-user) PER_USER=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --read-rps) READ_RPS=$2; shift 2 ;;
    --write-rps) WRITE_RPS=$2; shift 2 ;;
    --modes) MODES=$2; shift 2 ;;
    --pika) PIKA=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --capacity) CAPACITY=$2; shift 2 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -x "$PIKA" ]] || { echo "run.sh: no $PIKA; build it with: swift build -c release --scratch-path .build-svc-rel --product pika" >&2; exit 2; }

DATA=$(mktemp -d /tmp/pika-service-bench.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
KEY="bench-$(od -An -tx8 -N8 /dev/urandom | tr -d ' ')"
OUT=Benchmarks/out/service-$EMBEDDER-$(date -u +%Y%m%dT%H%M%S).json
mkdir -p Benchmarks/out

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs"
echo "binary: $PIKA (built $(date -u -r "$PIKA" +%FT%TZ); work tree at $(git rev-parse --short HEAD))  embedder: $EMBEDDER  data: $DATA"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

PIKA_LOG_LEVEL=warning "$PIKA" serve --data-dir "$DATA" --port "$PORT" --api-key "$KEY" --embedder "$EMBEDDER" \
  --model-dir "${PIKA_MODEL_DIR:-models/all-MiniLM-L6-v2}" --rate-limit 1000000 > "$DATA/serve.log" 2>&1 &
SERVER=$!
cleanup() {
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  [[ $KEEP == 1 ]] || rm -rf "$DATA"
}
trap cleanup EXIT
for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$PORT/readyz" > /dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/readyz" > /dev/null || { echo "run.sh: server did not start" >&2; cat "$DATA/serve.log" >&2; exit 1; }

G=(python3 Benchmarks/service/loadgen.py --url "http://127.0.0.1:$PORT" --api-key "$KEY" --users "$USERS")
"${G[@]}" seed --per-user "$PER_USER"
echo "load average after seeding: $(cut -d' ' -f1-3 /proc/loadavg)"
cpu_seconds() { awk '{print ($14 + $15) / 100}' "/proc/$SERVER/stat"; }  # utime + stime, 100 Hz ticks
CPU_BEFORE=$(cpu_seconds)
"${G[@]}" load --duration "$DURATION" --read-rps "$READ_RPS" --write-rps "$WRITE_RPS" ${MODES:+--modes "$MODES"} --json "$OUT"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server CPU seconds during the load phase: $(awk -v a="$CPU_BEFORE" -v b="$(cpu_seconds)" 'BEGIN { printf "%.1f", b - a }')"
if [[ $CAPACITY != 0 ]]; then
  command -v wrk > /dev/null || { echo "run.sh: --capacity needs wrk (apt-get install wrk)" >&2; exit 2; }
  CPU_BEFORE=$(cpu_seconds)
  wrk -t2 -c32 -d"${CAPACITY}s" -s Benchmarks/service/mix.lua "http://127.0.0.1:$PORT" -- "$KEY" "$USERS" | tail -1
  echo "server CPU seconds during the capacity run: $(awk -v a="$CPU_BEFORE" -v b="$(cpu_seconds)" 'BEGIN { printf "%.1f", b - a }')"
  echo "load average after the capacity run: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
echo "server CPU seconds: $(ps -o times= -p "$SERVER" | tr -d ' ')  peak RSS KiB: $(grep VmHWM /proc/$SERVER/status | awk '{print $2}')"
echo "report: $OUT"
