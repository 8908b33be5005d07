"""Engine-only A/B against hnswlib: the same saved graphs, the same queries, one core.

Prints, for each ef, recall@10 and the best of ROUNDS timings of hnswlib's C++ search
(one batched knn_query call, num_threads=1) and of ours (Benchmarks/engine/search_qps,
which calls chnsw_search directly), alternating engines each round, then QPS at
recall@10 = 0.95 interpolated on log-QPS, and the ratio.

  make -C Benchmarks/engine search
  taskset -c 0 Benchmarks/.venv/bin/python Benchmarks/engine/hnswlib_qps.py \
      --data bench-data/realistic-100k --hnswlib HNSWLIB_INDEX --ours OUR_INDEX.chnsw
"""

import argparse
import math
import re
import subprocess
import sys
import time
from pathlib import Path

import hnswlib
import numpy as np


def read_bin(path, dtype):
    rows, cols = np.fromfile(path, dtype=np.uint32, count=2)
    return np.fromfile(path, dtype=dtype, offset=8).reshape(int(rows), int(cols))


def hnswlib_round(index, queries, truth, efs):
    out = {}
    for ef in efs:
        index.set_ef(ef)
        start = time.perf_counter()
        labels, _ = index.knn_query(queries, k=10)
        seconds = time.perf_counter() - start
        hits = sum(len(set(labels[i]) & set(truth[i])) for i in range(len(queries)))
        out[ef] = (hits / (10 * len(queries)), len(queries) / seconds)
    return out


def ours_round(binary, index, data, efs):
    run = subprocess.run(
        [str(binary), str(index), str(data / "queries.fbin"), str(data / "gt.ibin"), *map(str, efs)],
        check=True, capture_output=True, text=True, env={"OPENBLAS_NUM_THREADS": "1"})
    out = {}
    for line in run.stdout.splitlines():
        m = re.match(r"ef\s+(\d+)\s+recall@10 ([\d.]+)\s+qps\s+([\d.]+)", line)
        if m:
            out[int(m.group(1))] = (float(m.group(2)), float(m.group(3)))
    return out


def qps_at(curve, target=0.95):
    points = sorted(curve.values())
    for (r1, q1), (r2, q2) in zip(points, points[1:]):
        if r1 <= target <= r2:
            f = (target - r1) / (r2 - r1) if r2 > r1 else 0
            return math.exp(math.log(q1) + f * (math.log(q2) - math.log(q1)))
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--hnswlib", type=Path, required=True)
    parser.add_argument("--ours", type=Path, required=True)
    parser.add_argument("--efs", default="10,16,20,24,32,64")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--binary", type=Path, default=Path(__file__).resolve().parent / "search_qps",
                        help="our search_qps build (default: the one make builds here); an old copy for A/B")
    args = parser.parse_args()
    efs = [int(e) for e in args.efs.split(",")]
    binary = args.binary

    queries = read_bin(args.data / "queries.fbin", np.float32)
    truth = read_bin(args.data / "gt.ibin", np.int32)[:, :10]
    index = hnswlib.Index("ip", queries.shape[1])
    index.load_index(str(args.hnswlib))
    index.set_num_threads(1)

    best = {"hnswlib": {}, "ours": {}}
    for round_ in range(args.rounds):
        print(f"round {round_ + 1}/{args.rounds}", file=sys.stderr)
        for name, result in (("hnswlib", hnswlib_round(index, queries, truth, efs)),
                             ("ours", ours_round(binary, args.ours, args.data, efs))):
            for ef, (recall, qps) in result.items():
                old = best[name].get(ef)
                best[name][ef] = (recall, max(qps, old[1] if old else 0))

    print(f"{'ef':>4} | {'hnswlib recall':>14} {'QPS':>8} | {'ours recall':>11} {'QPS':>8} | ratio")
    for ef in efs:
        (rh, qh), (ro, qo) = best["hnswlib"][ef], best["ours"][ef]
        print(f"{ef:>4} | {rh:>14.4f} {qh:>8.0f} | {ro:>11.4f} {qo:>8.0f} | {qo / qh:.2f}x")
    h, o = qps_at(best["hnswlib"]), qps_at(best["ours"])
    if h and o:
        print(f"QPS at recall@10 = 0.95: ours {o:.0f}, hnswlib {h:.0f}, ratio {o / h:.2f}x")


if __name__ == "__main__":
    main()
