#!/usr/bin/env bash
# One command for the whole engine comparison (docs/benchmarks.md, "Engine").
#
#   Benchmarks/peers/run.sh [--size 100k|1m] [--quick] [--tenant-1m] [--no-ours] [-- BENCH ARGS]
#
#   --size 100k   ANN table on 100k x 384 realistic and hard data (default)
#   --size 1m     ANN table on 1M x 384 (generating 1M data and ground truth takes ~10 min,
#                 each 1-thread 1M build tens of minutes)
#   --quick       1,000 queries, ef in {16,32,64,128}, one timing per ef: a smoke run
#   --tenant-1m   tenant table on 1M vectors (1,000 tenants of ~1,000) instead of --size;
#                 peers' 1M graphs are built with 2 threads (their build time is not compared)
#   --no-ours     peers only (no `pika` build)
#   --pika PATH   use this `pika` binary instead of building one
# Anything after `--` goes to bench.py (see `bench.py --help`), e.g. -- --reuse.
#
# Steps: virtualenv (setup-venv.sh), `swift build -c release --product pika`, data into
# bench-data/ if missing, then bench.py: tables on stdout, JSON + markdown in Benchmarks/out/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
size=100k quick=0 tenant_1m=0 ours=1 pika="" extra=()
while (($#)); do
  case "$1" in
    --size) size="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    --tenant-1m) tenant_1m=1; shift ;;
    --no-ours) ours=0; shift ;;
    --pika) pika="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "run.sh: unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
[[ "$size" == 100k || "$size" == 1m ]] || { echo "run.sh: --size is 100k or 1m" >&2; exit 2; }

"$ROOT/Benchmarks/peers/setup-venv.sh"
PY="$ROOT/Benchmarks/.venv/bin/python"
PEERS="$ROOT/Benchmarks/peers"

args=(--data bench-data --out Benchmarks/out --size "$size")
if ((ours)); then
  if [[ -z "$pika" ]]; then
    echo "run.sh: building pika (release)" >&2
    swift build -c release --product pika --scratch-path .build-bench >&2
    # Benchmark a copy, so a rebuild during the run cannot swap the binary under it.
    mkdir -p bench-data/work
    cp -p .build-bench/release/pika bench-data/work/pika
    pika=bench-data/work/pika
  fi
  args+=(--pika "$pika")
else
  args+=(--engines hnswlib,faiss,usearch)
fi
if ((quick)); then
  args+=(--queries 1000 --efs 16,32,64,128 --repeats 1)
fi

for kind in realistic hard; do
  "$PY" "$PEERS/gendata.py" --kind "$kind" --size "$size" --out bench-data >/dev/null
done
if ((tenant_1m)); then
  "$PY" "$PEERS/gendata.py" --kind realistic --size 1m --out bench-data >/dev/null
  # hnswlib's Python filter walks nearly the whole 1M graph per query (~seconds each): 50.
  args+=(--tenant-size 1m --tenant-build-threads 2
         --tenant-limits hnswlib=50,faiss=200,exact-scan=2000)
fi

exec "$PY" "$PEERS/bench.py" "${args[@]}" "${extra[@]}"
