#!/usr/bin/env bash
# Embedding speed: native Swift embedder beside the numpy reference, on the same sentences.
# Run from anywhere: Benchmarks/embeddings/run.sh   (needs the model: scripts/fetch-model.sh)
# Results go to stdout as JSON lines; copy them with `lscpu` model name into docs/benchmarks.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PIKA_MODEL_DIR="${PIKA_MODEL_DIR:-$ROOT/models/all-MiniLM-L6-v2}"
"$ROOT/scripts/fetch-model.sh"
swift build -c release --package-path "$ROOT/Benchmarks/embeddings" \
  --scratch-path "$ROOT/.build-emb-bench" --product embedding-bench >&2
echo "# machine: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p'), $(nproc) cores" >&2
"$ROOT/.build-emb-bench/release/embedding-bench" "$@"
OPENBLAS_NUM_THREADS=1 python3 "$ROOT/scripts/reference/minilm_reference.py" bench query
OPENBLAS_NUM_THREADS=2 python3 "$ROOT/scripts/reference/minilm_reference.py" bench throughput 64
