#!/usr/bin/env bash
# Times reading request bodies into a JSONValue: this tree's JSONReader and body path against
# REV's (default main), built with swiftc -O, run alternately ROUNDS times.
# Usage: Benchmarks/json/bench.sh [REV] [ROUNDS] [ITERATIONS]
# On a shared machine run it under a benchmark lock (flock LOCKFILE Benchmarks/json/bench.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
REV="${1:-main}"; ROUNDS="${2:-3}"; ITERATIONS="${3:-200000}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
files=(Sources/PikaMemory/Model/JSONValue.swift Sources/PikaMemory/Support/JSONReader.swift Sources/PikaMemory/Support/JSONWriter.swift)
mkdir -p "$OUT/old"
for f in "${files[@]}"; do git -C "$ROOT" show "$REV:$f" > "$OUT/old/$(basename "$f")"; done
# Compiling is not the measurement: it runs at the lowest priority.
nice -n 19 swiftc -O -o "$OUT/new" "${files[@]/#/$ROOT/}" "$ROOT/Sources/PikaMemory/Support/CanonicalJSON.swift" \
    "$ROOT/Benchmarks/json/main.swift"
nice -n 19 swiftc -O -D OLD_PATH -o "$OUT/old-bin" "$OUT"/old/*.swift "$ROOT/Benchmarks/json/main.swift"
echo "# $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg); old = $REV ($(git -C "$ROOT" rev-parse --short "$REV")), new = working tree"
for round in $(seq "$ROUNDS"); do
    echo "## round $round: old"; "$OUT/old-bin" "$ITERATIONS"
    echo "## round $round: new"; "$OUT/new" "$ITERATIONS"
done
echo "# load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
