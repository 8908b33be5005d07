"""The benchmark steps, one subprocess each: build an index, sweep ef, run tenant queries.

Two kinds of engine sit behind the same three calls:
  Pika      our `pika index build|search` CLI;
  Peer      a peer (hnswlib, faiss, usearch) or the exact-scan floor, through worker.py.
Every step returns plain dicts that go straight into the JSON summary.
"""

import json
import os
import shutil
import sys

import binfmt
import measure

HERE = os.path.dirname(os.path.abspath(__file__))


def _cpus(threads):
    """Default CPU list for taskset: one core is core 0; two cores are 0 and 1.
    A build may name other CPUs (`cpus=`), e.g. to build a 1M index on core 1 while core 0
    measures something else."""
    return ",".join(str(i) for i in range(threads))


def _reuse(record_path, reuse):
    if reuse and os.path.exists(record_path):
        with open(record_path) as f:
            return json.load(f)
    return None


def _save_record(record_path, record):
    with open(record_path, "w") as f:
        json.dump(record, f, indent=1)


class Pika:
    name = "ours"

    def __init__(self, binary):
        self.binary = binary

    def build(self, ds, index, m, efc, threads, tenants=False, reuse=False, cpus=None):
        record_path = index + ".build.json"
        cached = _reuse(record_path, reuse)
        if cached:
            return cached
        shutil.rmtree(index, ignore_errors=True)
        cmd = [self.binary, "index", "build", "--vectors", ds.base, "--out", index,
               "--metric", "ip", "--m", m, "--ef-construction", efc, "--threads", threads]
        if tenants:
            cmd += ["--tenants", ds.tenants]
        step = measure.run(cmd, cpus or _cpus(threads),
                           f"ours: build {ds.name} ({threads} thread(s))")
        last = step.records[-1] if step.records else {}
        record = {"build_s": last.get("build_s", step.wall_s), "build_json": last,
                  "peak_rss": step.peak_rss, "disk_bytes": measure.disk_bytes(index),
                  "threads": threads, "wall_s": step.wall_s, "cpu_s": step.cpu_s}
        _save_record(record_path, record)
        return record

    def sweep(self, ds, index, queries, efs, out_dir, k=10, repeats=1):
        """One process per ef; with repeats, the run with the best QPS is kept."""
        os.makedirs(out_dir, exist_ok=True)
        rows = []
        for ef in efs:
            out = os.path.join(out_dir, f"{ef}.ibin")
            best = None
            for _ in range(repeats):
                step = measure.run(
                    [self.binary, "index", "search", "--index", index, "--queries", queries,
                     "--k", k, "--ef", ef, "--out", out, "--threads", 1], "0",
                    f"ours: search {ds.name} ef={ef}")
                row = dict(step.records[-1])
                row.update({"ef": ef, "peak_rss": step.peak_rss, "result": out})
                if best is None or row["qps"] > best["qps"]:
                    best = row
            rows.append(best)
        return rows

    def tenant(self, ds, index, queries, query_tenants, out, ef, k=10):
        step = measure.run(
            [self.binary, "index", "search", "--index", index, "--queries", queries, "--k", k,
             "--ef", ef, "--query-tenants", query_tenants, "--out", out, "--threads", 1], "0",
            f"ours: tenant search {ds.name}")
        row = dict(step.records[-1])
        row.update({"peak_rss": step.peak_rss, "result": out})
        return row


class Peer:
    def __init__(self, name, python):
        self.name = name
        self.python = python
        self.worker = os.path.join(HERE, "worker.py")

    def build(self, ds, index, m, efc, threads, tenants=False, reuse=False, cpus=None):
        record_path = index + ".build.json"
        cached = _reuse(record_path, reuse)
        if cached:
            return cached
        step = measure.run(
            [self.python, self.worker, "build", "--engine", self.name, "--vectors", ds.base,
             "--out", index, "--m", m, "--ef-construction", efc, "--threads", threads],
            cpus or _cpus(threads), f"{self.name}: build {ds.name} ({threads} thread(s))")
        record = {"build_s": step.records[-1]["build_s"], "peak_rss": step.peak_rss,
                  "disk_bytes": measure.disk_bytes(index), "threads": threads,
                  "wall_s": step.wall_s, "cpu_s": step.cpu_s}
        _save_record(record_path, record)
        return record

    def sweep(self, ds, index, queries, efs, out_dir, k=10, repeats=1):
        step = measure.run(
            [self.python, self.worker, "search", "--engine", self.name, "--index", index,
             "--queries", queries, "--k", k, "--efs", ",".join(map(str, efs)),
             "--out-dir", out_dir, "--repeats", repeats], "0",
            f"{self.name}: search sweep {ds.name}")
        rows = []
        for r in step.records:
            row = dict(r)
            row.update({"peak_rss": step.peak_rss, "result": os.path.join(out_dir, f"{r['ef']}.ibin")})
            rows.append(row)
        return rows

    def tenant(self, ds, index, queries, query_tenants, out, ef, k=10, limit=None):
        cmd = [self.python, self.worker, "tenant", "--engine", self.name, "--vectors", ds.base,
               "--tenants", ds.tenants, "--queries", queries, "--query-tenants", query_tenants,
               "--k", k, "--ef", ef, "--out", out]
        if index:
            cmd += ["--index", index]
        if limit:
            cmd += ["--limit", limit, "--progress", max(1, limit // 5)]
        step = measure.run(cmd, "0", f"{self.name}: tenant search {ds.name}"
                           + (f" ({limit} queries)" if limit else ""))
        row = dict(step.records[-1])
        row.update({"peak_rss": step.peak_rss, "result": out})
        return row


class Dataset:
    """Paths of one generated data set, optionally with a query subset written beside it."""

    def __init__(self, directory, work, queries=None):
        self.name = os.path.basename(directory.rstrip("/"))
        path = lambda f: os.path.join(directory, f)
        self.base, self.tenants = path("base.fbin"), path("tenants.u32bin")
        self.gt = binfmt.read(path("gt.ibin"))
        self.gt_tenant = binfmt.read(path("gt-tenant.ibin"))
        self.queries, self.query_tenants = path("queries.fbin"), path("query-tenants.u32bin")
        self.count, self.dim = (int(v) for v in binfmt.read_header(self.base))
        if queries and queries < len(self.gt):
            self.queries, self.query_tenants = self.subset(work, queries)
            self.gt, self.gt_tenant = self.gt[:queries], self.gt_tenant[:queries]
        self.nq = len(self.gt)

    def subset(self, work, n):
        """Writes the first n queries (and their tenants) to the work dir; returns the paths."""
        os.makedirs(work, exist_ok=True)
        q = os.path.join(work, f"{self.name}-queries-{n}.fbin")
        qt = os.path.join(work, f"{self.name}-query-tenants-{n}.u32bin")
        binfmt.write(q, binfmt.read(self.queries)[:n])
        binfmt.write(qt, binfmt.read(self.query_tenants)[:n])
        return q, qt

    def tenant_queries(self, work, n):
        """Query and query-tenant files holding only the first n queries."""
        if n >= self.nq:
            return self.queries, self.query_tenants
        return self.subset(work, n)


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)
