"""Runs one peer engine for one step, in its own process so its peak RSS is its own.

  worker.py build  --engine E --vectors V.fbin --out PATH --m 16 --ef-construction 200 --threads 1
  worker.py search --engine E --index PATH --queries Q.fbin --k 10 --efs 16,32 --out-dir D
  worker.py tenant --engine E|exact-scan --index PATH --vectors V.fbin --tenants T.u32bin
                   --queries Q.fbin --query-tenants QT.u32bin --k 10 --ef 64 --limit N --out R.ibin

Every step prints JSON lines on stdout, shaped like `pika index`'s, last line last:
build  -> {"build_s"}
search -> one line per ef: {"ef","queries","qps","p50_us","p99_us","open_ms","threads"}
tenant -> {"queries","qps","p50_us","p99_us","open_ms","ef"}
QPS for `search` comes from one batched call per ef (the engine's own loop, no Python per
query), the best of --repeats calls; the latency percentiles come from one call per query
over the first --latency-queries queries, so they include Python's call overhead.
"""

import argparse
import json
import os
import sys
import time

import numpy as np

import binfmt
from peers import ENGINES, ExactScan


def emit(record):
    print(json.dumps(record), flush=True)


def percentiles(seconds):
    us = np.asarray(seconds) * 1e6
    return float(np.percentile(us, 50)), float(np.percentile(us, 99))


def cmd_build(args):
    x = binfmt.read(args.vectors)
    engine = ENGINES[args.engine]()
    started = time.perf_counter()
    engine.build(x, args.m, args.ef_construction, args.threads)
    build_s = time.perf_counter() - started
    engine.save(args.out)
    emit({"build_s": build_s, "vectors": len(x), "threads": args.threads})


def load(engine_name, path, dim):
    engine = ENGINES[engine_name]()
    started = time.perf_counter()
    engine.load(path, dim)
    return engine, (time.perf_counter() - started) * 1e3


def cmd_search(args):
    q = binfmt.read(args.queries)
    engine, open_ms = load(args.engine, args.index, q.shape[1])
    os.makedirs(args.out_dir, exist_ok=True)
    for ef in (int(e) for e in args.efs.split(",")):
        engine.set_ef(max(ef, args.k))
        engine.search(q[:100], args.k)  # warm the caches the way a running service would be
        best = float("inf")
        for _ in range(args.repeats):  # best of N: the machine is shared, noise only slows
            started = time.perf_counter()
            labels = engine.search(q, args.k)
            best = min(best, time.perf_counter() - started)
        qps = len(q) / best
        times = []
        for row in q[:args.latency_queries]:
            t0 = time.perf_counter()
            engine.search_one(row, args.k)
            times.append(time.perf_counter() - t0)
        p50, p99 = percentiles(times)
        binfmt.write(os.path.join(args.out_dir, f"{ef}.ibin"), labels.astype(np.int32))
        emit({"ef": ef, "queries": len(q), "k": args.k, "qps": qps, "p50_us": p50, "p99_us": p99,
              "open_ms": open_ms, "threads": 1})


def cmd_tenant(args):
    q = binfmt.read(args.queries)[:args.limit]
    qt = binfmt.read(args.query_tenants)[:args.limit].astype(np.int64)
    tenant_of = binfmt.read(args.tenants).astype(np.int64)
    if args.engine == "exact-scan":
        engine, open_ms = ExactScan(), None
        engine.prepare(binfmt.read(args.vectors, mmap=True), tenant_of)
    else:
        engine, open_ms = load(args.engine, args.index, q.shape[1])
        engine.set_ef(args.ef)
        engine.prepare_tenants(tenant_of)
    labels = np.full((len(q), args.k), -1, dtype=np.int32)
    times = []
    for i, (row, t) in enumerate(zip(q, qt)):
        t0 = time.perf_counter()
        found = engine.search_tenant(row, args.k, int(t))
        times.append(time.perf_counter() - t0)
        labels[i, :len(found)] = found[:args.k]
        if args.progress and (i + 1) % args.progress == 0:
            print(f"worker: {args.engine} tenant {i + 1}/{len(q)}", file=sys.stderr, flush=True)
    binfmt.write(args.out, labels)
    p50, p99 = percentiles(times)
    emit({"queries": len(q), "k": args.k, "ef": args.ef, "qps": len(q) / sum(times),
          "p50_us": p50, "p99_us": p99, "open_ms": open_ms, "threads": 1})


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("--engine", choices=sorted(ENGINES), required=True)
    b.add_argument("--vectors", required=True)
    b.add_argument("--out", required=True)
    b.add_argument("--m", type=int, default=16)
    b.add_argument("--ef-construction", type=int, default=200)
    b.add_argument("--threads", type=int, default=1)
    s = sub.add_parser("search")
    s.add_argument("--engine", choices=sorted(ENGINES), required=True)
    s.add_argument("--index", required=True)
    s.add_argument("--queries", required=True)
    s.add_argument("--k", type=int, default=10)
    s.add_argument("--efs", required=True)
    s.add_argument("--out-dir", required=True)
    s.add_argument("--latency-queries", type=int, default=1000)
    s.add_argument("--repeats", type=int, default=1, help="time each ef N times, keep the best")
    t = sub.add_parser("tenant")
    t.add_argument("--engine", choices=sorted(ENGINES) + ["exact-scan"], required=True)
    t.add_argument("--index")
    t.add_argument("--vectors", required=True)
    t.add_argument("--tenants", required=True)
    t.add_argument("--queries", required=True)
    t.add_argument("--query-tenants", required=True)
    t.add_argument("--k", type=int, default=10)
    t.add_argument("--ef", type=int, default=64)
    t.add_argument("--limit", type=int, default=10_000)
    t.add_argument("--out", required=True)
    t.add_argument("--progress", type=int, default=0, help="log every N queries")
    args = ap.parse_args()
    {"build": cmd_build, "search": cmd_search, "tenant": cmd_tenant}[args.cmd](args)


if __name__ == "__main__":
    main()
