#!/usr/bin/env bash
# Server CPU spent on each user's first search after a start: building that user's BM25 keyword
# index from its stored memories dominates it. Runs `pika serve` on an existing seeded data
# directory (e.g. one kept by `run.sh --keep`), asks one hybrid search per user, and prints the
# server's CPU seconds for them (from /proc, so other load on the machine inflates it little).
#
# Usage: Benchmarks/service/first_search_cpu.sh --pika BIN --data DIR --api-key KEY [--users 100] [--steady SECONDS]
# --steady N: afterwards, with every user's index built, run loadgen.py's read load at 200 searches/s for
# N seconds and print the server's CPU per answered search (the steady-state figure in
# docs/benchmarks-archive.md, "100k memories").
# KEY: an admin key of tenant `default` in DIR (`pika keys create --data-dir DIR --tenant default --role admin`).
set -euo pipefail
PIKA="" DATA="" KEY="" USERS=100 STEADY=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --pika) PIKA=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    --api-key) KEY=$2; shift 2 ;;
    --users) USERS=$2; shift 2 ;;
    --steady) STEADY=$2; shift 2 ;;
    *) echo "first_search_cpu.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -x "$PIKA" && -d "$DATA" && -n "$KEY" ]] || { echo "usage: $0 --pika BIN --data DIR --api-key KEY [--users N]" >&2; exit 2; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PIKA_LOG_LEVEL=warning "$PIKA" serve --data-dir "$DATA" --port "$PORT" --embedder hashing --rate-limit 1000000 > "$DATA/first-search.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do curl -fs -m 2 "http://127.0.0.1:$PORT/readyz" > /dev/null && break; sleep 0.5; done
cpu() { awk '{print ($14 + $15) / 100}' "/proc/$SERVER/stat"; }
BEFORE=$(cpu)
for ((u = 0; u < USERS; u++)); do
  curl -fsS -o /dev/null -H "X-API-Key: $KEY" -H 'content-type: application/json' "http://127.0.0.1:$PORT/search_facts" \
    -d "{\"query\":\"does the user like chess or tea $u\",\"user_id\":\"user$u\",\"limit\":10}"
done
echo "{\"binary\":\"$PIKA\",\"users\":$USERS,\"server_cpu_s\":$(awk -v a="$BEFORE" -v b="$(cpu)" 'BEGIN { printf "%.2f", b - a }'),\"load_average\":$(cut -d' ' -f1 /proc/loadavg)}"
if [[ $STEADY != 0 ]]; then
  REPORT=$(mktemp)
  BEFORE=$(cpu)
  python3 "$(dirname "$0")/loadgen.py" --url "http://127.0.0.1:$PORT" --api-key "$KEY" --users "$USERS" --seed 11 \
    load --duration "$STEADY" --read-rps 200 --write-rps 0 > "$REPORT"
  ANSWERED=$(tail -1 "$REPORT" | python3 -c 'import json, sys; print(json.load(sys.stdin)["answered"])')
  echo "{\"steady_searches\":$ANSWERED,\"server_cpu_ms_per_search\":$(awk -v a="$BEFORE" -v b="$(cpu)" -v n="$ANSWERED" 'BEGIN { printf "%.2f", (b - a) * 1000 / n }'),\"load_average\":$(cut -d' ' -f1 /proc/loadavg)}"
  rm -f "$REPORT"
fi
