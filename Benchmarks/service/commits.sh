#!/usr/bin/env bash
# Counts the fsync/fdatasync calls (one per SQLite commit with synchronous=FULL, plus checkpoints) a
# `pika serve` makes per write request: strace attached to the server while curl posts requests.
#
# Usage: Benchmarks/service/commits.sh PIKA_BINARY [REQUESTS] [MESSAGES_PER_REQUEST]
# Posts REQUESTS (default 20) synchronous `infer:false` adds of MESSAGES_PER_REQUEST (default 200)
# messages to fresh users, then as many synchronous `infer:true` adds of one sentence, and prints
# strace's counts for each phase. Needs strace (apt package `strace`).
set -euo pipefail
PIKA=${1:?usage: commits.sh PIKA_BINARY [REQUESTS] [MESSAGES_PER_REQUEST]}
REQUESTS=${2:-20}
MESSAGES=${3:-200}
DATA=$(mktemp -d /tmp/pika-commits.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
KEY="commits-$(od -An -tx8 -N8 /dev/urandom | tr -d ' ')"
PIKA_LOG_LEVEL=warning "$PIKA" serve --data-dir "$DATA" --port "$PORT" --api-key "$KEY" --embedder hashing \
  --rate-limit 1000000 > "$DATA/serve.log" 2>&1 &
SERVER=$!
TRACER=
cleanup() {
  [[ -n $TRACER ]] && kill "$TRACER" 2>/dev/null || true
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT
for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$PORT/readyz" > /dev/null 2>&1 && break; sleep 0.2; done

post() {  # post BODY
  curl -fsS -o /dev/null -H "X-API-Key: $KEY" -H 'Content-Type: application/json' \
    --data-binary "$1" "http://127.0.0.1:$PORT/v1/memories"
}
verbatim_body() {  # verbatim_body USER
  python3 -c 'import json, sys; n = int(sys.argv[2]); print(json.dumps({"user_id": sys.argv[1], "infer": False, "async": False,
    "messages": [{"role": "user", "content": f"note {i} of {sys.argv[1]} about topic {i * 7 % 13}"} for i in range(n)]}))' "$1" "$MESSAGES"
}
# One write per user first, so that creating a user's scope row is not counted below.
for i in $(seq 1 "$REQUESTS"); do post "{\"user_id\":\"v$i\",\"infer\":false,\"async\":false,\"messages\":\"hello\"}"; done
for i in $(seq 1 "$REQUESTS"); do post "{\"user_id\":\"i$i\",\"infer\":false,\"async\":false,\"messages\":\"hello\"}"; done

phase() {  # phase NAME COMMAND...
  local name=$1; shift
  strace -f -c -e trace=fsync,fdatasync -p "$SERVER" -o "$DATA/strace-$name.txt" 2>/dev/null &
  TRACER=$!
  sleep 1
  "$@"
  sleep 1
  kill -INT "$TRACER"; wait "$TRACER" 2>/dev/null || true
  TRACER=
  local calls
  calls=$(awk '$NF == "fsync" || $NF == "fdatasync" { n += $4 } END { print n + 0 }' "$DATA/strace-$name.txt")
  echo "$name: $calls fsync+fdatasync calls for $REQUESTS requests ($(awk -v c="$calls" -v r="$REQUESTS" 'BEGIN { printf "%.1f", c / r }') per request)"
}
verbatim_phase() { for i in $(seq 1 "$REQUESTS"); do post "$(verbatim_body "v$i")"; done; }
infer_phase() {
  for i in $(seq 1 "$REQUESTS"); do
    post "{\"user_id\":\"i$i\",\"async\":false,\"messages\":\"I love hiking in the mountains and my favourite colour is green.\"}"
  done
}
echo "binary: $PIKA; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
phase "infer:false x$MESSAGES messages, sync" verbatim_phase
phase "infer:true (rules, 1 sentence), sync" infer_phase
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
