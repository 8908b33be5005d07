"""The whole `pika index search` process beside hnswlib's in-process search of the same queries.

Issue 20's target: over a data set's queries (2,000 on realistic-74k), the CPU time of the
whole pika process, from exec to exit (loading the binary and its libraries, opening the
index, searching, writing the labels), against the CPU time hnswlib's knn_query takes for the
same queries in a process that has already loaded its index, at the same recall@10.

Each round runs every pika binary once, alternating, then hnswlib once, all pinned to one core
(this script pins itself with sched_setaffinity; its children inherit the mask, so no taskset
process is counted). A pika child is started with posix_spawn and its CPU time is the
ru_utime + ru_stime that os.wait4 returns for it: exact to the microsecond, not /usr/bin/time's
10 ms steps. Its recall@10 is read from the labels it writes (.ibin). hnswlib runs
side_by_side.py's worker on the cached index DATA/../work/NAME-hnswlib.bin (built there when
missing) with an ef sweep around the target, and its CPU time at the target recall is
interpolated on that sweep as side_by_side.py does (metrics.qps_at_recall). pika runs in the
caller's environment, as a user would start it; the hnswlib worker gets OPENBLAS_NUM_THREADS=1
(numpy only). The ratio printed is hnswlib_ms / pika_ms: above 1 the whole pika process is
cheaper than hnswlib's search alone.

  flock /work/shared-notes/bench.lock Benchmarks/.venv/bin/python Benchmarks/engine/whole_process.py \
      bench-data/realistic-74k --pika main=.build/release/pika --index bench-data/work/realistic-74k-pika

--index is the pika data directory; when missing it is built with the first binary
(`pika index build --threads 2`, not timed). On a shared machine only the ratios of one run
mean anything; the load average is printed at the start and the end.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.join(HERE, "..", "peers")
sys.path.insert(0, PEERS)
sys.path.insert(0, os.path.join(HERE, "..", "realdata"))
import binfmt  # noqa: E402
import metrics  # noqa: E402
from side_by_side import HNSW_WORKER, load_avg  # noqa: E402


def run_pika(binary, index, queries, ef, out):
    """One `pika index search`; returns (CPU ms from wait4, wall ms, its JSON summary line)."""
    argv = [binary, "index", "search", "--index", index, "--queries", queries, "--k", "10", "--ef", str(ef),
            "--out", out, "--no-warm"]
    with tempfile.TemporaryFile() as log:
        actions = [(os.POSIX_SPAWN_DUP2, log.fileno(), 1), (os.POSIX_SPAWN_DUP2, log.fileno(), 2)]
        start = time.perf_counter()
        pid = os.posix_spawn(binary, argv, os.environ, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
        log.seek(0)
        text = log.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(argv)} failed:\n{text}")
    summary = json.loads(text.strip().splitlines()[-1])
    return (usage.ru_utime + usage.ru_stime) * 1e3, wall * 1e3, summary


def run_hnswlib(base, queries, hnsw_index, efs, gt, target):
    """hnswlib's CPU ms for all queries at the target recall, interpolated on an ef sweep."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", HNSW_WORKER, PEERS, base, queries, hnsw_index, efs],
                         check=True, capture_output=True, text=True, env=env).stdout
    res = json.loads(out)
    if "build_s" in res:
        print(f"hnswlib build: {res['build_s']:.1f} s wall, {res['build_cpu_s']:.1f} s CPU", flush=True)
    points = [(metrics.recall_at_k(np.load(f"{hnsw_index}.ef{ef}.npy"), gt), res[ef][1]) for ef in efs.split(",")]
    cpu_qps, note = metrics.qps_at_recall(points, target)
    if cpu_qps is None:
        sys.exit(f"hnswlib does not reach recall {target} with ef {efs}")
    return len(gt) / cpu_qps * 1e3, note, points


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data", help="data set directory with base.fbin, queries.fbin, gt.ibin")
    ap.add_argument("--pika", action="append", required=True, metavar="NAME=PATH", help="a pika binary (repeat)")
    ap.add_argument("--index", required=True, help="pika data directory (built with the first binary if missing)")
    ap.add_argument("--ef", type=int, default=14)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--core", type=int, default=1)
    ap.add_argument("--target", type=float, default=0.95, help="recall@10 at which hnswlib's time is read")
    ap.add_argument("--hnsw-efs", default="10,12,14,16,20,24")
    args = ap.parse_args()

    binaries = dict(spec.split("=", 1) for spec in args.pika)
    binaries = {name: os.path.abspath(path) for name, path in binaries.items()}
    data = args.data.rstrip("/")
    name = os.path.basename(data)
    work = os.path.join(os.path.dirname(data), "work")
    os.makedirs(work, exist_ok=True)
    base, queries, gt_path = (os.path.join(data, f) for f in ("base.fbin", "queries.fbin", "gt.ibin"))
    gt = binfmt.read(gt_path)
    hnsw_index = os.path.join(work, f"{name}-hnswlib.bin")
    if not os.path.exists(os.path.join(args.index, "MANIFEST")):
        first = next(iter(binaries.values()))
        print(f"building {args.index} with {first}", flush=True)
        subprocess.run([first, "index", "build", "--vectors", base, "--out", args.index, "--threads", "2"],
                       check=True, stdout=subprocess.DEVNULL)
    os.sched_setaffinity(0, {args.core})
    print(f"{name}: {len(gt)} queries, pika ef {args.ef}, core {args.core}; "
          f"load average at start {load_avg()}; {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}", flush=True)

    cpu = {n: [] for n in binaries}
    recall = {}
    theirs = []
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "labels.ibin")
        for r in range(args.rounds):
            parts = []
            for n, binary in binaries.items():
                ms, wall, summary = run_pika(binary, args.index, queries, args.ef, out)
                recall[n] = metrics.recall_at_k(binfmt.read(out), gt)
                cpu[n].append(ms)
                parts.append(f"{n} {ms:.1f} ms CPU ({wall:.1f} wall, open {summary.get('open_ms', 0):.1f}, "
                             f"recall {recall[n]:.4f})")
            ms, note, points = run_hnswlib(base, queries, hnsw_index, args.hnsw_efs, gt, args.target)
            theirs.append(ms)
            parts.append(f"hnswlib {ms:.1f} ms CPU at recall {args.target} {note}".rstrip())
            print(f"round {r + 1}: " + "; ".join(parts), flush=True)

    print("hnswlib sweep (last round): " + ", ".join(f"recall {r:.4f} {len(gt) / q * 1e3:.1f} ms" for r, q in points))
    h_min, h_med = min(theirs), statistics.median(theirs)
    print(f"hnswlib in-process search at recall {args.target}: min {h_min:.1f} ms, median {h_med:.1f} ms CPU")
    for n in binaries:
        p_min, p_med = min(cpu[n]), statistics.median(cpu[n])
        print(f"{n}: whole process min {p_min:.1f} ms, median {p_med:.1f} ms CPU, recall@10 {recall[n]:.4f}; "
              f"hnswlib/pika {h_min / p_min:.2f}x by min, {h_med / p_med:.2f}x by median")
    print(f"load average at end {load_avg()}; {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}")


if __name__ == "__main__":
    main()
