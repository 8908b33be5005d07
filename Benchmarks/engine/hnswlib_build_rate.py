"""hnswlib's graph build throughput on the rows build_rate.c uses, for the build ratio.

Reads the first ROWS vectors of an .fbin file, builds an inner-product hnswlib index with M 16 and
ef_construction 200 (build_rate.c's settings) on THREADS threads, and prints vectors per second of
wall time for `add_items` alone.

  taskset -c 0 Benchmarks/.venv/bin/python Benchmarks/engine/hnswlib_build_rate.py \
      bench-data/realistic-100k/base.fbin 30000 1
"""
import argparse
import json
import time

import hnswlib
import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vectors", help=".fbin file (u32 count, u32 dim, f32 rows)")
    parser.add_argument("rows", type=int)
    parser.add_argument("threads", type=int)
    args = parser.parse_args()
    count, dim = (int(v) for v in np.fromfile(args.vectors, dtype=np.uint32, count=2))
    rows = min(args.rows, count)
    data = np.fromfile(args.vectors, dtype=np.float32, offset=8, count=rows * dim).reshape(rows, dim)
    index = hnswlib.Index("ip", dim)
    index.init_index(max_elements=rows, M=16, ef_construction=200)
    start = time.perf_counter()
    index.add_items(data, np.arange(rows), num_threads=args.threads)
    seconds = time.perf_counter() - start
    print(json.dumps({"engine": "hnswlib", "rows": rows, "threads": args.threads,
                      "build_s": round(seconds, 2), "vectors_per_s": round(rows / seconds, 1)}))


if __name__ == "__main__":
    main()
