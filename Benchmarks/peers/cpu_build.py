"""Build cost in CPU seconds, ours against hnswlib, for a machine too busy for wall clocks.

Takes the first N vectors of a data set, then builds them with 1 thread on core 0 with `pika`
and with hnswlib, alternating, ROUNDS times; prints one JSON line per round with each build's
own timer (wall) and its process's CPU time (user + system, from wait4). The hnswlib figure
includes starting Python and importing numpy (well under a second).

Usage: python cpu_build.py PIKA BASE.fbin [N=20000] [ROUNDS=2]
"""

import json
import os
import shutil
import sys
import tempfile

import binfmt
import measure

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    pika, base = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 20_000
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    work = tempfile.mkdtemp(prefix="cpu-build-")
    vectors = os.path.join(work, "base.fbin")
    binfmt.write(vectors, binfmt.read(base, mmap=True)[:n])
    common = ["--m", 16, "--ef-construction", 200, "--threads", 1]
    for r in range(rounds):
        shutil.rmtree(os.path.join(work, "ours"), ignore_errors=True)
        ours = measure.run([pika, "index", "build", "--vectors", vectors, "--out",
                            os.path.join(work, "ours"), "--metric", "ip"] + common, "0")
        peer = measure.run([sys.executable, os.path.join(HERE, "worker.py"), "build",
                            "--engine", "hnswlib", "--vectors", vectors,
                            "--out", os.path.join(work, "hnswlib")] + common, "0")
        print(json.dumps({"round": r, "vectors": n,
                          "ours_build_s": ours.records[-1]["build_s"], "ours_cpu_s": ours.cpu_s,
                          "hnswlib_build_s": peer.records[-1]["build_s"],
                          "hnswlib_cpu_s": peer.cpu_s}), flush=True)
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
