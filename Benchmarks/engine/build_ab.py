"""One-thread build CPU time, ours (build_rate) beside hnswlib, alternating in one run, best of ROUNDS.

Per data set and round: `BUILD_SEED=42 taskset -c CORE build_rate BASE 100000000 1` (our engine, CPU
seconds of the build as build_rate prints them), then hnswlib 0.8 `add_items` in its own process on
the same core (M 16, ef_construction 200, inner product, random_seed 100, one thread; CPU seconds of
`add_items` from time.process_time). Further --ours binaries (an older build_rate, say) run in the
same alternation. Prints each round, then the best CPU seconds of each and hnswlib / ours.

  make -C Benchmarks/engine build_rate
  flock /work/shared-notes/bench.lock Benchmarks/.venv/bin/python Benchmarks/engine/build_ab.py \
      bench-data/lowrank-50k bench-data/hard-20k bench-data/minilm-real --rounds 2 [--ours OLD_BUILD_RATE]
"""

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

HNSW = r"""
import sys, time, json, numpy as np, hnswlib
n, dim = (int(v) for v in np.fromfile(sys.argv[1], dtype=np.uint32, count=2))
x = np.fromfile(sys.argv[1], dtype=np.float32, offset=8, count=n * dim).reshape(n, dim)
index = hnswlib.Index(space="ip", dim=dim)
index.init_index(max_elements=n, M=16, ef_construction=200, random_seed=100)
index.set_num_threads(1)
c = time.process_time()
index.add_items(x, np.arange(n), num_threads=1)
print(json.dumps({"build_cpu_s": time.process_time() - c}))
"""


def load_avg():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", nargs="+", help="data set directories (each with base.fbin)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--core", default="0")
    ap.add_argument("--ours", action="append", default=[], help="more build_rate binaries to alternate with")
    args = ap.parse_args()
    engines = [os.path.join(HERE, "build_rate"), *args.ours]
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", BUILD_SEED="42")
    pin = ["taskset", "-c", args.core]
    for data in args.data:
        base = os.path.join(data, "base.fbin")
        best = {}
        for r in range(args.rounds):
            for binary in engines:
                out = subprocess.run([*pin, binary, base, "100000000", "1"], check=True, capture_output=True,
                                     text=True, env=env).stdout
                cpu = json.loads(out)["build_cpu_s"]
                best[binary] = min(best.get(binary, cpu), cpu)
                print(f"{os.path.basename(data)} round {r + 1} {binary}: {cpu:.2f} CPU s, load {load_avg()}", flush=True)
            out = subprocess.run([*pin, sys.executable, "-c", HNSW, base], check=True, capture_output=True, text=True,
                                 env=env).stdout
            cpu = json.loads(out)["build_cpu_s"]
            best["hnswlib"] = min(best.get("hnswlib", cpu), cpu)
            print(f"{os.path.basename(data)} round {r + 1} hnswlib: {cpu:.2f} CPU s, load {load_avg()}", flush=True)
        for binary in engines:
            print(f"{os.path.basename(data)}: best {binary} {best[binary]:.2f} s, hnswlib {best['hnswlib']:.2f} s: "
                  f"{best['hnswlib'] / best[binary]:.2f}x", flush=True)


if __name__ == "__main__":
    main()
