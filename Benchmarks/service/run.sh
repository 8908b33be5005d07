#!/usr/bin/env bash
# Service load benchmark: a release `pika serve` on a fresh data directory, seeded (or copied from a
# seeded one), then loaded by loadgen.py. Prints the machine, the load average before and after, the
# server's CPU per request, and loadgen's report (also written to Benchmarks/out/service-*.json).
#
# Usage: Benchmarks/service/run.sh [options]
#   --embedder hashing|minilm   the server's embedder (default hashing); the model directory is
#                               $PIKA_MODEL_DIR or models/all-MiniLM-L6-v2
#   --users N                   users (default 100)
#   --per-user N                memories seeded per user (default 1000: 100 x 1,000 is issue 5's 100k)
#   --duration S                seconds of open-loop load (default 60)
#   --read-rps R, --write-rps W offered reads and writes per second (default 1000 and 100; 0 is allowed)
#   --modes LIST                search modes to send, comma separated (default: the server's, hybrid)
#   --questions mixed|pool|new  which questions (loadgen.py): mixed is the realistic mix (default);
#                               new asks every question once (every tier misses: cold embeddings);
#                               pool draws engine-only questions whose embeddings are cached first
#                               (`loadgen.py warm`, before the CPU and load-average readings)
#   --pool-size N               questions in the pool (default 1000)
#   --vary-limit LO-HI          a random limit per search; with --questions pool, answers (L0/L1 keys
#                               hold the limit) rarely repeat but embeddings (L3: text only) do
#   --job-sample N              /extract_facts jobs whose accepted -> completed time is read back (300)
#   --production                the production configuration: a throw-away PostgreSQL and Redis from
#                               scripts/test-services.sh in a private directory (never another
#                               user's set: PIKA_TEST_SERVICES_DIR is ignored), passed to pika serve as
#                               --postgres-url and --redis-url, stopped and removed on exit. They run
#                               as that script configures them (PostgreSQL with fsync off) on the same
#                               two cores; their CPU is reported beside the server's.
#   --seed-only                 seed, stop the server cleanly and keep the data directory (printed) for
#                               --data-from; no load phase
#   --data-from DIR             start from a copy of DIR (a --seed-only or --keep data directory, made
#                               with the same embedder) instead of seeding: every run gets the same data
#   --pika PATH                 the binary (default .build-svc-rel/release/pika; build it with
#                               swift build -c release --product pika --scratch-path .build-svc-rel)
#   --keep                      keep the run's directory (data directory and serve.log)
#   --no-prebuild-wait          start the load as soon as /readyz answers, while pika serve is still
#                               building the users' keyword indexes (default: wait until it is done)
#   --capacity S                after the open-loop run, also drive the same mix closed-loop with wrk
#                               (apt package `wrk`; Benchmarks/service/mix.lua, 2 threads, 32 connections)
#                               for S seconds: the most requests/s the server answers with a generator
#                               that costs little CPU (the Python generator shares the 2 cores)
set -euo pipefail
cd "$(dirname "$0")/../.."

EMBEDDER=hashing USERS=100 PER_USER=1000 DURATION=60 READ_RPS=1000 WRITE_RPS=100 KEEP=0 CAPACITY=0
PRODUCTION=0 PREBUILD_WAIT=1 SEED_ONLY=0 DATA_FROM="" QUESTIONS=mixed POOL_SIZE=1000 PIKA=.build-svc-rel/release/pika
LOAD_ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --embedder) EMBEDDER=$2; shift 2 ;;
    --users) USERS=$2; shift 2 ;;
    --per-user) PER_USER=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --read-rps) READ_RPS=$2; shift 2 ;;
    --write-rps) WRITE_RPS=$2; shift 2 ;;
    --questions) QUESTIONS=$2; LOAD_ARGS+=("$1" "$2"); shift 2 ;;
    --pool-size) POOL_SIZE=$2; LOAD_ARGS+=("$1" "$2"); shift 2 ;;
    --modes|--vary-limit|--job-sample) LOAD_ARGS+=("$1" "$2"); shift 2 ;;
    --production) PRODUCTION=1; shift ;;
    --seed-only) SEED_ONLY=1; KEEP=1; shift ;;
    --data-from) DATA_FROM=$2; shift 2 ;;
    --pika) PIKA=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --capacity) CAPACITY=$2; shift 2 ;;
    --no-prebuild-wait) PREBUILD_WAIT=0; shift ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -x "$PIKA" ]] || { echo "run.sh: no $PIKA; build it with: swift build -c release --scratch-path .build-svc-rel --product pika" >&2; exit 2; }
[[ -z "$DATA_FROM" || -d "$DATA_FROM" ]] || { echo "run.sh: --data-from $DATA_FROM is not a directory" >&2; exit 2; }

WORK=$(mktemp -d /tmp/pika-service-bench.XXXXXX)
DATA=$WORK/data
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
KEY="bench-$(od -An -tx8 -N8 /dev/urandom | tr -d ' ')"
OUT=Benchmarks/out/service-$EMBEDDER-$(date -u +%Y%m%dT%H%M%S).json
mkdir -p Benchmarks/out
SERVER="" SERVICES_DIR=""
cleanup() {
  if [[ -n $SERVER ]]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  if [[ -n $SERVICES_DIR ]]; then scripts/test-services.sh stop --dir "$SERVICES_DIR" >/dev/null || true; fi
  if [[ $KEEP == 1 ]]; then echo "kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs"
echo "binary: $PIKA (built $(date -u -r "$PIKA" +%FT%TZ); work tree at $(git rev-parse --short HEAD))  embedder: $EMBEDDER  data: $DATA"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

BACKENDS=()
if [[ $PRODUCTION == 1 ]]; then
  EXPORTS=$(env -u PIKA_TEST_SERVICES_DIR scripts/test-services.sh start)
  eval "$EXPORTS"
  SERVICES_DIR=$PIKA_TEST_SERVICES_DIR
  BACKENDS=(--postgres-url "$PIKA_TEST_POSTGRES_URL" --redis-url "$PIKA_TEST_REDIS_URL")
  echo "production: PostgreSQL $PIKA_TEST_POSTGRES_URL, Redis $PIKA_TEST_REDIS_URL (scripts/test-services.sh, $SERVICES_DIR)"
fi
if [[ -n $DATA_FROM ]]; then
  cp -a "$DATA_FROM" "$DATA"
  echo "data: a copy of $DATA_FROM ($(du -sh "$DATA" | cut -f1))"
fi

PIKA_LOG_LEVEL=warning "$PIKA" serve --data-dir "$DATA" --port "$PORT" --api-key "$KEY" --embedder "$EMBEDDER" \
  --model-dir "${PIKA_MODEL_DIR:-models/all-MiniLM-L6-v2}" --rate-limit 1000000 ${BACKENDS[@]+"${BACKENDS[@]}"} \
  > "$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 600); do
  curl -fsS "http://127.0.0.1:$PORT/readyz" > /dev/null 2>&1 && break
  kill -0 "$SERVER" 2>/dev/null || break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/readyz" > /dev/null || { echo "run.sh: server did not start" >&2; cat "$WORK/serve.log" >&2; exit 1; }
# pika serve builds every loaded user's keyword index in the background after start-up; /readyz
# answers before that and says `"keyword_indexes":"building"` until it is done (binaries before the
# prebuild do not say it). Unless --no-prebuild-wait, the load starts once it is done.
PREBUILD_START=$(date +%s.%N)
for _ in $(seq 1 1200); do
  [[ $PREBUILD_WAIT == 1 && $(curl -fsS "http://127.0.0.1:$PORT/readyz") == *'"keyword_indexes":"building"'* ]] || break
  sleep 0.05
done
echo "waited for the keyword-index prebuild: $(awk -v a="$PREBUILD_START" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s (readyz: $(curl -fsS "http://127.0.0.1:$PORT/readyz"))"

G=(python3 Benchmarks/service/loadgen.py --url "http://127.0.0.1:$PORT" --api-key "$KEY" --users "$USERS")
if [[ -z $DATA_FROM ]]; then
  "${G[@]}" seed --per-user "$PER_USER"
  echo "load average after seeding: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
if [[ $SEED_ONLY == 1 ]]; then
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
  echo "seeded data directory: $DATA (reuse with --data-from $DATA)"
  exit 0
fi

# CPU seconds (utime + stime, 100 Hz ticks) of the server, and of PostgreSQL (the postmaster with its
# reaped backends, plus its live children) and Redis when --production started them.
cpu_of() { awk '{ t = $14 + $15; if (c) t += $16 + $17; s += t } END { printf "%.2f", s / 100 }' c="${2:-0}" "/proc/$1/stat" 2>/dev/null || echo 0; }
server_cpu() { cpu_of "$SERVER"; }
services_cpu() {
  [[ -n $SERVICES_DIR ]] || { echo 0; return; }
  local postmaster total
  postmaster=$(head -1 "$SERVICES_DIR/pg/postmaster.pid")
  total=$(cpu_of "$postmaster" 1)
  for child in $(pgrep -P "$postmaster") $(cat "$SERVICES_DIR/redis.pid"); do
    total=$(awk -v a="$total" -v b="$(cpu_of "$child")" 'BEGIN { printf "%.2f", a + b }')
  done
  echo "$total"
}
cpu_report() {  # label, server CPU before, services CPU before, requests
  local server services
  server=$(awk -v a="$2" -v b="$(server_cpu)" 'BEGIN { printf "%.1f", b - a }')
  services=$(awk -v a="$3" -v b="$(services_cpu)" 'BEGIN { printf "%.1f", b - a }')
  echo "server CPU seconds during $1: $server ($(awk -v s="$server" -v n="$4" 'BEGIN { printf "%.2f", n ? s * 1000 / n : 0 }') ms per answered request)"
  [[ -z $SERVICES_DIR ]] || echo "PostgreSQL + Redis CPU seconds during $1: $services ($(awk -v s="$services" -v n="$4" 'BEGIN { printf "%.2f", n ? s * 1000 / n : 0 }') ms per answered request)"
}

[[ $QUESTIONS != pool ]] || "${G[@]}" warm --pool-size "$POOL_SIZE"
echo "load average before the load phase: $(cut -d' ' -f1-3 /proc/loadavg)"
CPU_BEFORE=$(server_cpu) SERVICES_BEFORE=$(services_cpu)
"${G[@]}" load --duration "$DURATION" --read-rps "$READ_RPS" --write-rps "$WRITE_RPS" ${LOAD_ARGS[@]+"${LOAD_ARGS[@]}"} --json "$OUT"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
cpu_report "the load phase (with the job read-back after it)" "$CPU_BEFORE" "$SERVICES_BEFORE" \
  "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["answered"])' "$OUT")"
if [[ $CAPACITY != 0 ]]; then
  command -v wrk > /dev/null || { echo "run.sh: --capacity needs wrk (apt-get install wrk)" >&2; exit 2; }
  CPU_BEFORE=$(server_cpu) SERVICES_BEFORE=$(services_cpu)
  WRK=$(wrk -t2 -c32 -d"${CAPACITY}s" -s Benchmarks/service/mix.lua "http://127.0.0.1:$PORT" -- "$KEY" "$USERS" | tail -1)
  echo "$WRK"
  cpu_report "the capacity run" "$CPU_BEFORE" "$SERVICES_BEFORE" "$(sed -n 's/^wrk: \([0-9]*\) requests.*/\1/p' <<< "$WRK")"
  echo "load average after the capacity run: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
echo "server CPU seconds: $(ps -o times= -p "$SERVER" | tr -d ' ')  peak RSS KiB: $(grep VmHWM /proc/$SERVER/status | awk '{print $2}')"
echo "report: $OUT"
