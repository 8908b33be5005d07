#!/usr/bin/env bash
# Creates (or refreshes) the benchmark virtualenv at Benchmarks/.venv. Idempotent.
#
# Peers come from PyPI: numpy, faiss-cpu and usearch as wheels; hnswlib from its sdist,
# compiled here with -march=native so it gets the same SIMD the host CPU offers us
# (the wheel is built for a generic x86-64 and would understate hnswlib).
# Usage: Benchmarks/peers/setup-venv.sh [--force]   (--force rebuilds hnswlib)
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$BENCH/.venv"
PY="$VENV/bin/python"
STAMP="$VENV/.hnswlib-native"   # written once hnswlib was built and checked natively

if [[ ! -x "$PY" ]]; then
  echo "setup-venv: creating $VENV" >&2
  python3 -m venv "$VENV"
  "$PY" -m pip install -q --upgrade pip wheel setuptools
fi

# Wheels: install only what is missing, so a second run does not touch the network.
for pkg in numpy faiss-cpu usearch pybind11; do
  if ! "$PY" -m pip show -q "$pkg" >/dev/null 2>&1; then
    echo "setup-venv: installing $pkg" >&2
    "$PY" -m pip install -q "$pkg"
  fi
done

if [[ "${1:-}" == "--force" || ! -f "$STAMP" ]]; then
  echo "setup-venv: building hnswlib from the sdist with -march=native" >&2
  "$PY" -m pip uninstall -q -y hnswlib >/dev/null 2>&1 || true
  # --no-build-isolation: build against the numpy/pybind11 installed above.
  # -v keeps the compiler lines so we can check the flag reached them.
  log="$VENV/hnswlib-build.log"
  CFLAGS="-march=native -O3" CXXFLAGS="-march=native -O3" \
    "$PY" -m pip install -v --no-cache-dir --no-binary hnswlib --no-build-isolation hnswlib >"$log" 2>&1 \
    || { tail -30 "$log" >&2; exit 1; }
  if ! grep -q -- "-march=native" "$log"; then
    echo "setup-venv: hnswlib compile lines lack -march=native (see $log)" >&2
    exit 1
  fi
  # The built extension must contain AVX instructions (ymm registers) when the CPU has AVX.
  so="$("$PY" -c 'import hnswlib; print(hnswlib.__file__)')"
  if grep -q avx2 /proc/cpuinfo && command -v objdump >/dev/null; then
    # (count rather than grep -q: an early exit would SIGPIPE objdump and trip pipefail)
    if [[ "$(objdump -d "$so" | grep -c ymm || true)" -eq 0 ]]; then
      echo "setup-venv: $so has no AVX code; the native build did not take" >&2
      exit 1
    fi
  fi
  echo "$so" >"$STAMP"
fi

"$PY" - <<'PY'
import numpy, faiss, usearch, hnswlib
print(f"setup-venv: numpy {numpy.__version__}, faiss {faiss.__version__}, "
      f"usearch {usearch.__version__}, hnswlib (native build)", flush=True)
PY
