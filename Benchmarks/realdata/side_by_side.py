"""The engine (C, no CLI) beside hnswlib on one data set: QPS at recall@10 0.90 / 0.95 / 0.99.

Both run pinned to one core (taskset -c CORE), one thread, M 16 / ef_construction 200, inner
product; k = 10. Each round runs our ef sweep (Benchmarks/engine/search_qps on a saved index)
then hnswlib's (one batched knn_query per ef, in its own process); rounds alternate so both
see the same machine, and each engine's best QPS per ef over the rounds is kept. Recall is
computed against the data set's gt.ibin (float64 for minilm-real). Indexes are built once and
cached in DATA/work/ (our build with Benchmarks/engine/build_rate, one thread, timed; hnswlib's
timed in its process).

  make -C Benchmarks/engine search build_rate
  Benchmarks/.venv/bin/python Benchmarks/realdata/side_by_side.py bench-data/minilm-real [--rounds 3] [--seed 1]

--seed N builds our index with level-generator seed N (BUILD_SEED; the engine's default is 42)
into its own cached file: a construction is judged over several seeds, not the one that draws
well. hnswlib keeps its seed 100.

On a shared machine only the ratios of one run mean anything; the load average is printed.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "peers"))
import binfmt  # noqa: E402
import metrics  # noqa: E402

LINE = re.compile(r"ef\s+(\d+)\s+recall@10 ([\d.]+)\s+qps\s+([\d.]+)\s+qps_cpu\s+([\d.]+)\s+distances/query (\d+)")

HNSW_WORKER = r"""
import sys, time, json, numpy as np, hnswlib
sys.path.insert(0, sys.argv[1])
import binfmt
base_path, query_path, index_path, efs = sys.argv[2], sys.argv[3], sys.argv[4], [int(e) for e in sys.argv[5].split(",")]
q = np.ascontiguousarray(binfmt.read(query_path))
dim = q.shape[1]
out = {}
index = hnswlib.Index(space="ip", dim=dim)
try:
    index.load_index(index_path)
except Exception:
    x = np.ascontiguousarray(binfmt.read(base_path))
    index.init_index(max_elements=len(x), M=16, ef_construction=200, random_seed=100)
    index.set_num_threads(1)
    t, c = time.perf_counter(), time.process_time()
    index.add_items(x, np.arange(len(x)), num_threads=1)
    out["build_s"], out["build_cpu_s"] = time.perf_counter() - t, time.process_time() - c
    index.save_index(index_path)
index.set_num_threads(1)
for ef in efs:
    index.set_ef(ef)
    t, c = time.perf_counter(), time.process_time()
    labels, _ = index.knn_query(q, k=10, num_threads=1)
    s, cpu = time.perf_counter() - t, time.process_time() - c
    np.save(index_path + f".ef{ef}.npy", labels.astype(np.int32))
    out[str(ef)] = [len(q) / s, len(q) / cpu]
print(json.dumps(out))
"""


def load_avg():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--efs", default="10,12,16,20,24,32,48,64,96,128,256")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--core", default="0")
    ap.add_argument("--engine-bin", default=os.path.join(ROOT, "Benchmarks", "engine"))
    ap.add_argument("--targets", default="0.90,0.95,0.99")
    ap.add_argument("--tag", default="", help="suffix of our cached index name (A/B of builds)")
    ap.add_argument("--seed", type=int, help="our level generator's seed (default the engine's, 42)")
    args = ap.parse_args()

    name = os.path.basename(args.data.rstrip("/"))
    work = os.path.join(os.path.dirname(args.data.rstrip("/")), "work")
    os.makedirs(work, exist_ok=True)
    base, queries, gt_path = (os.path.join(args.data, f) for f in ("base.fbin", "queries.fbin", "gt.ibin"))
    gt = binfmt.read(gt_path)
    seed_tag = f"-seed{args.seed}" if args.seed is not None else ""
    ours_index = os.path.join(work, f"{name}-chnsw{args.tag}{seed_tag}.idx")
    hnsw_index = os.path.join(work, f"{name}-hnswlib.bin")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    if args.seed is not None:
        env["BUILD_SEED"] = str(args.seed)
    pin = ["taskset", "-c", args.core]
    print(f"{name}: {binfmt.read_header(base)} base, {len(gt)} queries; load average {load_avg()}", flush=True)

    if not os.path.exists(ours_index):
        out = subprocess.run([*pin, os.path.join(args.engine_bin, "build_rate"), base, "100000000", "1", ours_index],
                             check=True, capture_output=True, text=True, env=env).stdout
        print("ours build:", out.strip(), flush=True)

    ours, theirs, our_recall = {}, {}, {}  # ef -> [best wall QPS, best CPU QPS]
    efs = args.efs.split(",")
    for r in range(args.rounds):
        out = subprocess.run([*pin, os.path.join(args.engine_bin, "search_qps"), ours_index, queries, gt_path, *efs],
                             check=True, capture_output=True, text=True, env=env).stdout
        for m in LINE.finditer(out):
            ef = int(m[1])
            our_recall[ef] = float(m[2])
            best = ours.get(ef, [0, 0])
            ours[ef] = [max(best[0], float(m[3])), max(best[1], float(m[4]))]
        out = subprocess.run([*pin, sys.executable, "-c", HNSW_WORKER, os.path.join(HERE, "..", "peers"), base, queries,
                              hnsw_index, args.efs], check=True, capture_output=True, text=True, env=env).stdout
        res = json.loads(out)
        if "build_s" in res:
            print(f"hnswlib build: {res['build_s']:.1f} s wall, {res['build_cpu_s']:.1f} s CPU", flush=True)
        for ef in efs:
            best = theirs.get(int(ef), [0, 0])
            theirs[int(ef)] = [max(best[0], res[ef][0]), max(best[1], res[ef][1])]
        print(f"round {r + 1} done, load average {load_avg()}", flush=True)

    their_recall = {int(ef): metrics.recall_at_k(np.load(hnsw_index + f".ef{ef}.npy"), gt) for ef in efs}
    print("QPS = queries per second of wall time; CPU QPS = per second of the process's CPU time (steadier when shared)")
    print(f"{'ef':>5} {'ours recall':>11} {'QPS':>7} {'CPU QPS':>8} {'hnswlib recall':>14} {'QPS':>7} {'CPU QPS':>8} "
          f"{'CPU ratio':>9}")
    for ef in sorted(ours):
        print(f"{ef:5d} {our_recall[ef]:11.4f} {ours[ef][0]:7.0f} {ours[ef][1]:8.0f} {their_recall[ef]:14.4f} "
              f"{theirs[ef][0]:7.0f} {theirs[ef][1]:8.0f} {ours[ef][1] / theirs[ef][1]:9.2f}")
    for label, col in (("CPU", 1), ("wall", 0)):
        ours_pts = [(our_recall[e], ours[e][col]) for e in ours]
        their_pts = [(their_recall[e], theirs[e][col]) for e in theirs]
        for t in (float(x) for x in args.targets.split(",")):
            a, na = metrics.qps_at_recall(ours_pts, t)
            b, nb = metrics.qps_at_recall(their_pts, t)
            ratio = f"{a / b:.2f}x" if a and b else "n/a"
            print(f"{label} QPS at recall {t:.2f}: ours {a and round(a)} {na}, hnswlib {b and round(b)} {nb}: {ratio}")
    print(f"load average at end {load_avg()}; {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}")


if __name__ == "__main__":
    main()
