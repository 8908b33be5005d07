"""Side-by-side benchmark of our engine against hnswlib, faiss-cpu and usearch, on one core.

For each data set: build every engine with the same M and ef_construction on one thread (and
ours on two as well), sweep ef, score recall@10 against exact ground truth, and record build
time, peak RSS, bytes on disk and open time. Then the tenant table: each query restricted to
one of 1,000 tenants. Prints the tables and writes JSON + markdown to --out.

Usually run through run.sh, which prepares the virtualenv, the `pika` binary and the data.
"""

import argparse
import datetime
import json
import os
import platform
import shlex
import subprocess
import sys

import binfmt
import metrics
import report
from steps import Dataset, Peer, Pika, log

PEERS = ("hnswlib", "faiss", "usearch")
INDEX_SUFFIX = {"hnswlib": ".hnsw", "faiss": ".faiss", "usearch": ".usearch", "ours": ""}


def machine():
    info = {"python": platform.python_version(), "cpus": os.cpu_count()}
    for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
        if line.startswith("Model name:"):
            info["cpu"] = line.split(":", 1)[1].strip()
    with open("/proc/meminfo") as f:
        info["ram_gib"] = round(int(f.readline().split()[1]) / 2**20, 1)
    info["loadavg_start"] = os.getloadavg()[0]
    return info


def make_engines(args):
    engines = {}
    for name in args.engines.split(","):
        if name == "ours":
            if args.pika and os.access(args.pika, os.X_OK):
                engines[name] = Pika(args.pika)
            else:
                log(f"no pika binary at {args.pika!r}: skipping ours")
        else:
            engines[name] = Peer(name, sys.executable)
    return engines


def score(rows, truth):
    for row in rows:
        found = binfmt.read(row["result"])
        row["recall"] = metrics.recall_at_k(found, truth[:len(found)])
    return rows


def compare(ds, engines, args):
    """The ANN table for one data set."""
    out = {"vectors": ds.count, "dim": ds.dim, "queries": ds.nq, "engines": {}}
    index_dir = os.path.join(args.work, "indexes", ds.name)
    os.makedirs(index_dir, exist_ok=True)
    for name, engine in engines.items():
        index = os.path.join(index_dir, name + INDEX_SUFFIX[name])
        tenants = name == "ours" and args.ours_tenants
        entry = {"build": engine.build(ds, index, args.m, args.ef_construction, 1,
                                       tenants=tenants, reuse=args.reuse)}
        if name == "ours":
            entry["build_2t"] = engine.build(ds, index + "-2t", args.m, args.ef_construction, 2,
                                             tenants=tenants, reuse=args.reuse)
        rows = engine.sweep(ds, index, ds.queries, args.efs,
                            os.path.join(args.work, "results", ds.name, name),
                            repeats=args.repeats)
        entry["sweep"] = score(rows, ds.gt)
        qps, note = metrics.qps_at_recall([(r["recall"], r["qps"]) for r in rows], args.target)
        entry["qps_at_target"], entry["qps_at_target_note"] = qps, note
        entry["build_vps"] = ds.count / entry["build"]["build_s"]
        out["engines"][name] = entry
        log(f"{ds.name} {name}: QPS@{args.target} = {qps} {note}")
    e = out["engines"]
    if "ours" in e and "hnswlib" in e:
        out["ratios"] = {
            "qps_at_target_vs_hnswlib": metrics.ratio(e["ours"]["qps_at_target"],
                                                      e["hnswlib"]["qps_at_target"]),
            "build_1t_vs_hnswlib_1t": metrics.ratio(e["ours"]["build_vps"],
                                                    e["hnswlib"]["build_vps"]),
            "build_2t_vs_hnswlib_1t": metrics.ratio(
                ds.count / e["ours"]["build_2t"]["build_s"], e["hnswlib"]["build_vps"]),
        }
    return out


def tenant_table(ds, engines, args):
    """Each query restricted to its tenant: ours, hnswlib's filter, faiss's IDSelector, and
    the exact scan floor."""
    threads = args.tenant_build_threads
    index_dir = os.path.join(args.work, "indexes", ds.name)
    os.makedirs(index_dir, exist_ok=True)
    results_dir = os.path.join(args.work, "results", ds.name, "tenant")
    os.makedirs(results_dir, exist_ok=True)
    out = {"dataset": ds.name, "vectors": ds.count, "ef": args.tenant_ef, "engines": {},
           "tenant_sizes": _tenant_sizes(ds)}
    limits = dict(item.split("=") for item in args.tenant_limits.split(",") if item)
    names = [n for n in ("ours", "hnswlib", "faiss") if n in engines] + ["exact-scan"]
    for name in names:
        limit = min(int(limits.get(name, ds.nq)), ds.nq)
        queries, query_tenants = ds.tenant_queries(args.work, limit)
        result = os.path.join(results_dir, f"{name}.ibin")
        if name == "exact-scan":
            row = Peer("exact-scan", sys.executable).tenant(ds, None, queries, query_tenants,
                                                            result, args.tenant_ef)
        elif name == "ours":
            # With --ours-tenants the ANN table's index (built with tenants) serves here too.
            index = os.path.join(index_dir, "ours" if args.ours_tenants else "ours-tenants")
            build = engines[name].build(ds, index, args.m, args.ef_construction, threads,
                                        tenants=True, reuse=args.reuse or args.ours_tenants)
            row = engines[name].tenant(ds, index, queries, query_tenants, result, args.tenant_ef)
            row["build"] = build
        else:
            index = os.path.join(index_dir, name + INDEX_SUFFIX[name])
            build = engines[name].build(ds, index, args.m, args.ef_construction, threads,
                                        reuse=True)  # the ANN table's index when it exists
            row = engines[name].tenant(ds, index, queries, query_tenants, result,
                                       args.tenant_ef, limit=limit)
            row["build"] = build
        found = binfmt.read(result)
        row["recall"] = metrics.recall_at_k(found, ds.gt_tenant[:len(found)])
        row["queries"] = len(found)
        out["engines"][name] = row
        log(f"tenant {ds.name} {name}: recall {row['recall']:.4f}, p50 {row['p50_us']:.1f} us")
    e = out["engines"]
    if "ours" in e and "hnswlib" in e:
        out["ratios"] = {
            "qps_vs_hnswlib_filter": metrics.ratio(e["ours"]["qps"], e["hnswlib"]["qps"]),
            "p50_hnswlib_filter_over_ours": metrics.ratio(e["hnswlib"]["p50_us"],
                                                          e["ours"]["p50_us"]),
        }
    return out


def _tenant_sizes(ds):
    sizes = __import__("numpy").bincount(binfmt.read(ds.tenants))
    return {"tenants": int(len(sizes)), "min": int(sizes.min()), "max": int(sizes.max()),
            "mean": float(sizes.mean())}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="bench-data")
    ap.add_argument("--work", default=None, help="indexes and result files (default DATA/work)")
    ap.add_argument("--out", default="Benchmarks/out")
    ap.add_argument("--size", default="100k")
    ap.add_argument("--kinds", default="realistic,hard")
    ap.add_argument("--engines", default="ours,hnswlib,faiss,usearch")
    ap.add_argument("--pika", default=".build-bench/release/pika")
    ap.add_argument("--efs", default="10,16,24,32,48,64,96,128,192,256")
    ap.add_argument("--queries", type=int, default=None, help="use only the first N queries")
    ap.add_argument("--repeats", type=int, default=2,
                    help="time each ef N times and keep the best (the machine may be shared)")
    ap.add_argument("--m", type=int, default=16)
    ap.add_argument("--ef-construction", type=int, default=200)
    ap.add_argument("--target", type=float, default=0.95, help="recall@10 for the QPS ratio")
    ap.add_argument("--skip-ann", action="store_true", help="tenant table only")
    ap.add_argument("--tenant-size", default=None, help="data size for the tenant table "
                    "(default --size; 'none' skips it)")
    ap.add_argument("--tenant-kind", default="realistic")
    ap.add_argument("--tenant-ef", type=int, default=64)
    ap.add_argument("--tenant-limits", default="hnswlib=200,faiss=1000,exact-scan=2000",
                    help="queries per engine in the tenant table, e.g. hnswlib=50")
    ap.add_argument("--tenant-build-threads", type=int, default=1)
    ap.add_argument("--reuse", action="store_true", help="reuse indexes built by a former run")
    ap.add_argument("--ours-tenants", action="store_true",
                    help="build ours with --tenants in the ANN table too, and use that one index "
                    "for the tenant table (saves a build; tenants only group rows)")
    args = ap.parse_args()
    args.efs = [int(e) for e in args.efs.split(",")]
    args.work = args.work or os.path.join(args.data, "work")
    args.tenant_size = args.tenant_size or args.size

    results = {"started": datetime.datetime.now().isoformat(timespec="seconds"),
               "command": " ".join(shlex.quote(a) for a in sys.argv),
               "machine": machine(),
               "params": {"m": args.m, "ef_construction": args.ef_construction, "k": 10,
                          "efs": args.efs, "target_recall": args.target,
                          "repeats": args.repeats, "cpus": "taskset -c 0"},
               "datasets": {}}
    engines = make_engines(args)
    results["git_head"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"],
                                         capture_output=True, text=True).stdout.strip()
    if "ours" in engines:
        results["pika_binary"] = {"path": args.pika, "built": datetime.datetime.fromtimestamp(
            os.path.getmtime(args.pika)).isoformat(timespec="seconds")}
    os.makedirs(args.out, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = os.path.join(args.out, f"bench-{stamp}")

    def save():
        # Rewritten after every table, so a run cut short still leaves what it measured.
        results["machine"]["loadavg_end"] = os.getloadavg()[0]
        with open(base + ".json", "w") as f:
            json.dump(results, f, indent=1)
        with open(base + ".md", "w") as f:
            f.write(report.markdown(results))

    # The first data set's table, then the tenant table, then the rest: the headline figures
    # come first when time is short.
    kinds = [] if args.skip_ann else args.kinds.split(",")
    for i, kind in enumerate(kinds):
        ds = Dataset(os.path.join(args.data, f"{kind}-{args.size}"), args.work, args.queries)
        results["datasets"][ds.name] = compare(ds, engines, args)
        save()
        if i == 0 and args.tenant_size != "none":
            run_tenant_table(results, engines, args)
            save()
    if not kinds and args.tenant_size != "none":
        run_tenant_table(results, engines, args)
    save()
    print(report.markdown(results))
    log(f"wrote {base}.json and {base}.md")


def run_tenant_table(results, engines, args):
    ds = Dataset(os.path.join(args.data, f"{args.tenant_kind}-{args.tenant_size}"),
                 args.work, args.queries)
    results["tenant"] = tenant_table(ds, engines, args)

if __name__ == "__main__":
    main()
