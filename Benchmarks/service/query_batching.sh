#!/usr/bin/env bash
# Query batching under load (issue 18): new-question hybrid searches (every tier misses, so every
# search embeds its question) at a fixed rate against a seeded MiniLM data directory, with query
# batching off and on, alternated round by round so both see the same machine load. Each run is
# Benchmarks/service/run.sh (a release pika serve on a copy of the data directory, open-loop
# loadgen.py); this prints one JSON line per run and then the median of the rounds per setting.
#
# Usage: Benchmarks/service/query_batching.sh --pika BIN --data-from DIR [--rounds 2] [--duration 30]
#          [--rps 50] [--users 100] [--settings "off 0 1000"] [--precision fp32|int8]
# DIR: a MiniLM data directory seeded by run.sh --embedder minilm --per-user 1000 --seed-only (100k).
# A setting is a PIKA_QUERY_BATCH_WINDOW_US value: off, or the idle wait in microseconds (0...1000).
set -euo pipefail
cd "$(dirname "$0")/../.."
PIKA="" DATA_FROM="" ROUNDS=2 DURATION=30 RPS=50 USERS=100 SETTINGS="off 0 1000" PRECISION=fp32
while [[ $# -gt 0 ]]; do
  case "$1" in
    --pika) PIKA=$2; shift 2 ;;
    --data-from) DATA_FROM=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --rps) RPS=$2; shift 2 ;;
    --users) USERS=$2; shift 2 ;;
    --settings) SETTINGS=$2; shift 2 ;;
    --precision) PRECISION=$2; shift 2 ;;
    *) echo "query_batching.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -x "$PIKA" && -d "$DATA_FROM" ]] || { echo "usage: $0 --pika BIN --data-from DIR [options]" >&2; exit 2; }
LINES=$(mktemp) RUN=$(mktemp)
trap 'rm -f "$LINES" "$RUN"' EXIT
for ((round = 1; round <= ROUNDS; round++)); do
  for setting in $SETTINGS; do
    PIKA_QUERY_BATCH_WINDOW_US=$setting PIKA_EMBEDDING_PRECISION=$PRECISION Benchmarks/service/run.sh --pika "$PIKA" \
      --embedder minilm --data-from "$DATA_FROM" --users "$USERS" --read-rps "$RPS" --write-rps 0 --questions new \
      --modes hybrid --duration "$DURATION" --job-sample 0 > "$RUN" 2>&1 || { cat "$RUN" >&2; exit 1; }
    python3 - "$setting" "$round" "$PRECISION" "$RUN" <<'PY' >> "$LINES"
import json, re, sys
out = open(sys.argv[4]).read()
report = json.loads([l for l in out.splitlines() if l.startswith("{")][-1])
# loadgen.py sends searches to both paths (/search_facts and its alias /v1/memories/search):
# the larger one's percentiles, and the searches of both.
rows = [v for k, v in report["endpoints"].items() if "search" in k]
search = dict(max(rows, key=lambda r: r["requests"]), requests=sum(r["requests"] for r in rows))
cpu = float(re.search(r"during the load phase.*?\(([0-9.]+) ms per answered request\)", out).group(1))
load = re.search(r"load average before the load phase: ([0-9.]+)", out).group(1)
after = re.search(r"load average after: ([0-9.]+)", out).group(1)
print(json.dumps({"batch_window_us": sys.argv[1], "round": int(sys.argv[2]), "precision": sys.argv[3],
                  "searches": search["requests"], "rps": search["rps"], "p50_ms": search["p50_ms"], "p95_ms": search["p95_ms"],
                  "p99_ms": search["p99_ms"], "status": search["status"], "server_cpu_ms_per_search": cpu,
                  "load_average": [float(load), float(after)]}))
PY
    tail -1 "$LINES"
  done
done
python3 - "$LINES" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for setting in dict.fromkeys(r["batch_window_us"] for r in rows):
    mine = [r for r in rows if r["batch_window_us"] == setting]
    print(json.dumps({"batch_window_us": setting, "rounds": len(mine),
                      **{k: round(statistics.median(r[k] for r in mine), 2) for k in ("p50_ms", "p95_ms", "p99_ms", "server_cpu_ms_per_search")}}))
PY
