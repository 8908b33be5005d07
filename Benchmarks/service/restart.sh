#!/usr/bin/env bash
# Restart, memory, disk, search and add throughput of `pika serve` at N memories, for one or more
# binaries side by side in one run (issue 15's targets; docs/benchmarks.md, "One data directory").
#
# Usage: Benchmarks/service/restart.sh MEMORIES USERS PIKA_BINARY [PIKA_BINARY...]
# For each binary: a fresh data directory, MEMORIES verbatim memories (hashing embedder) added as
# synchronous 200-message adds spread over USERS users (4 clients at once), a graceful stop
# (SIGTERM), then a start timed to `/readyz` 200 and a correct first search. Prints one JSON line
# per binary: add_msgs_per_s, restart_s (start to ready plus first search), rss_anon_mb after the
# restart before any search, disk_mb of the data directory and raw_mb (f32 vectors + text), and
# search p50/p95 (ms, over HTTP, 300 new queries of random users, vector mode, no cache hit).
set -euo pipefail
MEMORIES=${1:?usage: restart.sh MEMORIES USERS PIKA_BINARY...}
USERS=${2:?usage: restart.sh MEMORIES USERS PIKA_BINARY...}
shift 2
HERE="$(cd "$(dirname "$0")" && pwd)"

for PIKA in "$@"; do
  DATA=$(mktemp -d /tmp/pika-restart.XXXXXX)
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  KEY="restart-$(od -An -tx8 -N8 /dev/urandom | tr -d ' ')"
  start() {
    PIKA_LOG_LEVEL=warning "$PIKA" serve --data-dir "$DATA" --port "$PORT" --api-key "$KEY" --embedder hashing \
      --rate-limit 1000000 --workers 1 >> "$DATA/serve.log" 2>&1 &
    SERVER=$!
  }
  start
  for _ in $(seq 1 600); do curl -fsS "http://127.0.0.1:$PORT/readyz" > /dev/null 2>&1 && break; sleep 0.1; done
  python3 "$HERE/restart_load.py" load --port "$PORT" --key "$KEY" --memories "$MEMORIES" --users "$USERS" > "$DATA/load.json"
  kill -TERM "$SERVER"; wait "$SERVER" || true
  sync
  DISK=$(du -sm --exclude=serve.log --exclude=load.json "$DATA" | cut -f1)
  START=$(date +%s.%N)
  start
  for _ in $(seq 1 6000); do curl -fsS "http://127.0.0.1:$PORT/readyz" > /dev/null 2>&1 && break; sleep 0.005; done
  RSS=$(awk '/RssAnon/ {print int($2/1024)}' "/proc/$SERVER/status")
  python3 "$HERE/restart_load.py" first --port "$PORT" --key "$KEY" --users "$USERS" > /dev/null
  END=$(date +%s.%N)
  python3 "$HERE/restart_load.py" search --port "$PORT" --key "$KEY" --users "$USERS" > "$DATA/search.json"
  kill -TERM "$SERVER"; wait "$SERVER" || true
  python3 - "$PIKA" "$DATA" "$START" "$END" "$RSS" "$DISK" <<'EOF'
import json, sys
pika, data, start, end, rss, disk = sys.argv[1:]
load = json.load(open(f"{data}/load.json"))
search = json.load(open(f"{data}/search.json"))
print(json.dumps({"binary": pika, "memories": load["memories"], "users": load["users"],
                  "add_msgs_per_s": load["msgs_per_s"], "restart_s": round(float(end) - float(start), 3),
                  "rss_anon_mb": int(rss), "disk_mb": int(disk), "raw_mb": load["raw_mb"],
                  "search_p50_ms": search["p50_ms"], "search_p95_ms": search["p95_ms"]}))
EOF
  rm -rf "$DATA"
done
