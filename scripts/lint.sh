#!/usr/bin/env bash
# Checks the Swift sources against the committed .swift-format configuration; any finding fails.
# Usage: scripts/lint.sh         report findings, exit 1 if there are any
#        scripts/lint.sh --fix   rewrite the files in place first (then report what formatting cannot fix)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
paths=(Package.swift Sources Tests Benchmarks)
if [[ "${1:-}" == "--fix" ]]; then
    swift format format --in-place --recursive --parallel "${paths[@]}"
fi
swift format lint --strict --recursive --parallel "${paths[@]}"
