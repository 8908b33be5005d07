#!/usr/bin/env bash
# Installs everything Pika Memory needs on Debian 12. Idempotent: safe to run again.
# Usage: scripts/setup.sh [--with-bench]   (--with-bench also prepares the benchmark virtualenv)
set -euo pipefail

APT_PACKAGES=(
  build-essential pkg-config
  libopenblas-dev libpq-dev libhiredis-dev libsqlite3-dev
  postgresql redis-server iproute2
  python3-venv python3-dev
  python3-yaml  # Tests/PikaDeploymentTests parse deploy/*.yml with PyYAML
  wrk curl      # Benchmarks/service/run.sh (--capacity uses wrk; readiness checks use curl)
  jq            # the curl examples of docs/api.md pass ids on with jq (DocumentedExamplesTests runs them)
  chromium chromium-driver  # Tests/PikaServiceTests/Browser drive the /ui memory browser in headless Chromium
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if ((${#missing[@]})); then
  echo "setup: installing apt packages: ${missing[*]}" >&2
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The Debian packages start system-wide servers; the tests run their own on loopback.
  if command -v systemctl >/dev/null 2>&1; then
    $SUDO systemctl disable --now redis-server postgresql >/dev/null 2>&1 || true
  fi
else
  echo "setup: apt packages present" >&2
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -x "$ROOT/scripts/fetch-model.sh" ]]; then
  "$ROOT/scripts/fetch-model.sh"
fi

# The Mem0 SDKs from PyPI, one virtualenv per major version, for Tests/PikaServiceTests/Mem0SDKTests.swift
# (the SDKs run unchanged against `pika serve`).
for pin in 2.2.1 1.0.11; do
  venv="$ROOT/.venv-mem0/${pin%%.*}"
  if [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('mem0ai') != '$pin')" 2>/dev/null; then
    continue
  fi
  echo "setup: installing mem0ai==$pin into ${venv#$ROOT/}" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "mem0ai==$pin"
done

# schemathesis from PyPI, pinned, for scripts/contract-fuzz.sh (the HTTP contract under fuzzing).
SCHEMATHESIS_PIN=4.32.5
venv="$ROOT/.venv-schemathesis"
if ! { [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('schemathesis') != '$SCHEMATHESIS_PIN')" 2>/dev/null; }; then
  echo "setup: installing schemathesis==$SCHEMATHESIS_PIN into ${venv#$ROOT/}" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_PIN"
fi

if [[ "${1:-}" == "--with-bench" ]]; then
  "$ROOT/Benchmarks/peers/setup-venv.sh"
fi
