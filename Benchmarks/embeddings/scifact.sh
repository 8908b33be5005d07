#!/usr/bin/env bash
# NDCG@10 of the native embedder on SciFact's test split; exits 1 outside 0.645 ± 0.005.
# Takes several minutes on two cores, so it is not part of CI.
# Usage: Benchmarks/embeddings/scifact.sh [SCIFACT_DIR]   (default: ../shared/eval/scifact)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PIKA_MODEL_DIR="${PIKA_MODEL_DIR:-$ROOT/models/all-MiniLM-L6-v2}"
"$ROOT/scripts/fetch-model.sh"
swift build -c release --package-path "$ROOT/Benchmarks/embeddings" \
  --scratch-path "$ROOT/.build-emb-bench" --product scifact-ndcg >&2
"$ROOT/.build-emb-bench/release/scifact-ndcg" "${1:-$ROOT/../shared/eval/scifact}" --parallelism 2
