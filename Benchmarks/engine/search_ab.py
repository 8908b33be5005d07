"""A/B of two search_qps builds on one saved index: alternate runs pinned to one core.

On a shared machine absolute QPS moves from minute to minute, so the two builds run in
alternation (A B, then B A, ...) and the reading is the median over rounds of B's
queries-per-CPU-second divided by A's in the same round. Prints per ef: recall@10,
distances per query, median CPU QPS of each build, that median ratio, and the best
wall-clock QPS of each.

  make -C Benchmarks/engine search && cp Benchmarks/engine/search_qps /tmp/search_qps.old
  # ... change the engine, make again ...
  python3 Benchmarks/engine/search_ab.py --old /tmp/search_qps.old --new Benchmarks/engine/search_qps \
      --index IDX.chnsw --data bench-data/realistic-100k --efs 16,32 --rounds 6
"""

import argparse
import os
import re
import statistics
import subprocess

LINE = re.compile(r"ef\s+(\d+)\s+recall@10 ([\d.]+)\s+qps\s+([\d.]+)\s+qps_cpu\s+([\d.]+)\s+distances/query (\d+)")


def run(binary, index, data, efs, core):
    out = subprocess.run(["taskset", "-c", core, binary, index, f"{data}/queries.fbin", f"{data}/gt.ibin", *efs],
                         check=True, capture_output=True, text=True, env={"OPENBLAS_NUM_THREADS": "1"}).stdout
    return {int(m[1]): (float(m[2]), float(m[3]), float(m[4]), int(m[5])) for m in LINE.finditer(out)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", required=True)
    parser.add_argument("--new", required=True)
    parser.add_argument("--index", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--efs", default="16,32")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--core", default="0")
    args = parser.parse_args()
    efs = args.efs.split(",")
    runs = {"old": [], "new": []}
    print(f"load average at start {os.getloadavg()[0]:.2f}")
    for r in range(args.rounds):
        for name in ("old", "new") if r % 2 == 0 else ("new", "old"):
            runs[name].append(run(getattr(args, name), args.index, args.data, efs, args.core))
    print(f"load average at end {os.getloadavg()[0]:.2f}")
    for ef in map(int, efs):
        old = [x[ef] for x in runs["old"]]
        new = [x[ef] for x in runs["new"]]
        ratio = statistics.median(n[2] / o[2] for o, n in zip(old, new))
        print(f"ef {ef:3d} | old recall {old[0][0]:.4f} dist/q {old[0][3]} cpu-QPS {statistics.median(o[2] for o in old):7.0f}"
              f" | new recall {new[0][0]:.4f} dist/q {new[0][3]} cpu-QPS {statistics.median(n[2] for n in new):7.0f}"
              f" | new/old {ratio:.3f} | best wall QPS {max(o[1] for o in old):7.0f} -> {max(n[1] for n in new):7.0f}")


if __name__ == "__main__":
    main()
