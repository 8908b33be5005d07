"""Generates one benchmark data set in big-ann-benchmarks files.

Writes into OUT/<kind>-<size>/:
  base.fbin              N unit vectors
  queries.fbin           Q unit vectors from the same distribution (not taken from the base)
  gt.ibin                exact top-100 labels by inner product for every query
  tenants.u32bin         tenant id (0..T-1) of each base vector, uniformly at random
  query-tenants.u32bin   tenant each query is restricted to in the tenant benchmark
  gt-tenant.ibin         exact top-100 among only the query's tenant
Existing complete data sets are left alone (the last file written is gt-tenant.ibin).

Usage: python gendata.py --kind realistic --size 100k --out bench-data
"""

import argparse
import os
import sys
import time

import numpy as np

import binfmt
import groundtruth
from distributions import KINDS

SIZES = {"20k": 20_000, "50k": 50_000, "100k": 100_000, "1m": 1_000_000}
FILES = ["base.fbin", "queries.fbin", "gt.ibin", "tenants.u32bin", "query-tenants.u32bin",
         "gt-tenant.ibin"]


def log(msg):
    print(f"gendata: {msg}", file=sys.stderr, flush=True)


def dataset_dir(out, kind, size, tenants=1_000):
    """bench-data/<kind>-<size>, with -t<N> appended when the tenant count is not 1,000."""
    suffix = "" if tenants == 1_000 else f"-t{tenants}"
    return os.path.join(out, f"{kind}-{size}{suffix}")


def is_complete(directory):
    return all(os.path.exists(os.path.join(directory, f)) for f in FILES)


def generate(kind, size, out, dim=384, queries=10_000, tenants=1_000, seed=7):
    directory = dataset_dir(out, kind, size, tenants)
    if is_complete(directory):
        log(f"{directory} present")
        return directory
    os.makedirs(directory, exist_ok=True)
    n = SIZES[size]
    model = KINDS[kind](dim)
    rng = np.random.default_rng(seed)  # base, tenants
    qrng = np.random.default_rng(seed + 1000)  # queries and their tenants: an independent draw
    path = lambda name: os.path.join(directory, name)
    started = time.time()

    writer = binfmt.StreamWriter(path("base.fbin"), n, dim)
    for start in range(0, n, 100_000):
        writer.append(model.sample(rng, min(100_000, n - start)))
    writer.close()
    binfmt.write(path("queries.fbin"), model.sample(qrng, queries))
    log(f"{kind}-{size}: vectors written ({time.time() - started:.0f} s)")

    base = binfmt.read(path("base.fbin"), mmap=True)
    qs = binfmt.read(path("queries.fbin"))
    labels, _ = groundtruth.exact(
        base, qs, progress=lambda done, total: log(f"{kind}-{size}: ground truth {done}/{total}"))
    binfmt.write(path("gt.ibin"), labels)

    tenant_of = rng.integers(0, tenants, n).astype(np.uint32)
    query_tenant = qrng.integers(0, tenants, queries).astype(np.uint32)
    binfmt.write(path("tenants.u32bin"), tenant_of)
    binfmt.write(path("query-tenants.u32bin"), query_tenant)
    binfmt.write(path("gt-tenant.ibin"),
                 groundtruth.per_tenant(base, tenant_of, qs, query_tenant))
    log(f"{kind}-{size}: done in {time.time() - started:.0f} s")
    return directory


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kind", choices=sorted(KINDS), required=True)
    ap.add_argument("--size", choices=sorted(SIZES), required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--queries", type=int, default=10_000)
    ap.add_argument("--tenants", type=int, default=1_000,
                    help="tenant count; the same seed gives the same vectors for any count")
    args = ap.parse_args()
    print(generate(args.kind, args.size, args.out, queries=args.queries, tenants=args.tenants))


if __name__ == "__main__":
    main()
