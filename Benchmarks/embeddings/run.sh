#!/usr/bin/env bash
# Embedding benchmarks (not tests; not in CI). Run from anywhere; needs the model (fetched if absent).
#   Benchmarks/embeddings/run.sh [speed]            native embedder beside the numpy reference, same sentences
#   Benchmarks/embeddings/run.sh scifact [DIR]      NDCG@10 on SciFact's test split (default ../shared/eval/scifact);
#                                                  exits 1 outside 0.645 ± 0.005; takes minutes on two cores
#   PIKA_BENCH_BASELINE=BIN Benchmarks/embeddings/run.sh   also runs BIN (an embedding-bench built from
#                                                  another commit) first, so old and new share one run
# Results are JSON lines on stdout; record them with the `lscpu` model name in docs/benchmarks-archive.md
# (a dated section) and update the row in docs/benchmarks.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MODE="${1:-speed}"
PRODUCT=embedding-bench
[[ "$MODE" == scifact ]] && PRODUCT=scifact-ndcg
export PIKA_MODEL_DIR="${PIKA_MODEL_DIR:-$ROOT/models/all-MiniLM-L6-v2}"
"$ROOT/scripts/fetch-model.sh"
swift build -c release --package-path "$ROOT/Benchmarks/embeddings" \
  --scratch-path "$ROOT/.build-emb-bench" --product "$PRODUCT" >&2
echo "# machine: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p'), $(nproc) cores" >&2

if [[ "$MODE" == scifact ]]; then
  exec "$ROOT/.build-emb-bench/release/scifact-ndcg" "${2:-$ROOT/../shared/eval/scifact}" --parallelism 2
fi
if [[ -n "${PIKA_BENCH_BASELINE:-}" ]]; then
  echo "# baseline: $PIKA_BENCH_BASELINE" >&2
  "$PIKA_BENCH_BASELINE" "${@:2}"
fi
echo "# this tree: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo +changes)" >&2
"$ROOT/.build-emb-bench/release/embedding-bench" "${@:2}"
OPENBLAS_NUM_THREADS=1 python3 "$ROOT/scripts/reference/minilm_reference.py" bench query
# One BLAS thread: with two, numpy's OpenBLAS threads spin and collapse on a busy machine.
OPENBLAS_NUM_THREADS=1 python3 "$ROOT/scripts/reference/minilm_reference.py" bench throughput 64
