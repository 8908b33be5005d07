#!/usr/bin/env bash
# Builds the libFuzzer targets of the storage file parsers (Swift, -sanitize=fuzzer,address)
# and runs each for a bounded time: manifest, wal, segment, tombstones, snapshot.
# Seeds are real files written by the crash-test helper (built by `swift build --build-tests`).
# Usage: scripts/fuzz.sh [seconds per target, default 20]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PER_TARGET="${1:-${PIKA_FUZZ_SECONDS:-20}}"
SCRATCH="${PIKA_FUZZ_SCRATCH:-.build-fuzz}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

FLAGS=(-Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -D -Xswiftc FUZZING -Xcc -fsanitize=address)
swift build --scratch-path "$SCRATCH" --product StorageFuzz "${FLAGS[@]}"
FUZZER="$(swift build --scratch-path "$SCRATCH" --show-bin-path "${FLAGS[@]}")/StorageFuzz"

# Seed corpus: a data directory with segments, tombstones and a log, and a snapshot of it.
WRITER="${PIKA_CRASH_WRITER:-$(swift build --show-bin-path)/StorageCrashWriter}"
mkdir -p "$WORK/corpus"/{manifest,wal,segment,tombstones,snapshot}
if [ -x "$WRITER" ]; then
    "$WRITER" compact "$WORK/data" "$WORK/ack" 0 2>/dev/null & pid=$!
    sleep 3; kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
    "$WRITER" snapshot "$WORK/data2" "$WORK/ack2" 0 2>/dev/null & pid=$!
    sleep 2; kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
    cp "$WORK/data/MANIFEST" "$WORK/corpus/manifest/" 2>/dev/null || true
    for f in "$WORK"/data/wal-*.log; do [ -f "$f" ] && head -c 60000 "$f" > "$WORK/corpus/wal/$(basename "$f")"; done
    for f in "$WORK"/data/seg-*.pseg; do [ -f "$f" ] && cp "$f" "$WORK/corpus/segment/"; done
    for f in "$WORK"/data/seg-*.del; do [ -f "$f" ] && cp "$f" "$WORK/corpus/tombstones/"; done
    for f in "$WORK"/data2-snap-*; do [ -f "$f" ] && [ "$(stat -c %s "$f")" -lt 200000 ] && cp "$f" "$WORK/corpus/snapshot/"; done
    rm -f "$WORK"/data2-snap-*
else
    echo "fuzz: $WRITER not built; fuzzing without seeds" >&2
fi

for target in manifest wal segment tombstones snapshot; do
    echo "== fuzz $target (${PER_TARGET}s)" >&2
    PIKA_FUZZ_TARGET="$target" OPENBLAS_NUM_THREADS=1 "$FUZZER" -max_total_time="$PER_TARGET" -max_len=200000 \
        -rss_limit_mb=2048 -print_final_stats=0 -artifact_prefix="$WORK/crash-$target-" "$WORK/corpus/$target" \
        2>"$WORK/$target.log" || { tail -40 "$WORK/$target.log" >&2; mkdir -p fuzz-artifacts; cp "$WORK"/crash-* fuzz-artifacts/ 2>/dev/null || true; echo "fuzz: $target failed (artifacts in fuzz-artifacts/)" >&2; exit 1; }
    grep -E "^#[0-9]+ *DONE|Done [0-9]+ runs" "$WORK/$target.log" | tail -1 >&2 || true
done
echo "fuzz: all targets ran clean" >&2
