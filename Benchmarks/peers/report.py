"""Renders a benchmark results dict (see bench.py) as markdown tables."""

MIB = 2**20


def _f(value, digits=0, suffix=""):
    if value is None:
        return "—"
    return f"{value:,.{digits}f}{suffix}"


def _x(value):
    return "—" if value is None else f"{value:.2f}×"


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def ann_section(name, d, target):
    engines = d["engines"]
    out = [f"### {name}: {d['vectors']:,} × {d['dim']}, {d['queries']:,} queries, k = 10", ""]
    rows = []
    for eng, e in engines.items():
        b = e["build"]
        open_ms = e["sweep"][0].get("open_ms") if e["sweep"] else None
        rows.append([eng, _f(b["build_s"], 1), _f(b.get("cpu_s"), 1), _f(e["build_vps"]),
                     _f(b["peak_rss"] / MIB), _f(max(r["peak_rss"] for r in e["sweep"]) / MIB),
                     _f(b["disk_bytes"] / MIB, 1), _f(open_ms, 1)])
        if "build_2t" in e:
            b2 = e["build_2t"]
            rows.append([f"{eng} (2 threads)", _f(b2["build_s"], 1), _f(b2.get("cpu_s"), 1),
                         _f(d["vectors"] / b2["build_s"]), _f(b2["peak_rss"] / MIB), "",
                         _f(b2["disk_bytes"] / MIB, 1), ""])
    out += [_table(["engine", "build s", "build process CPU s", "build vectors/s", "build peak RSS MiB",
                    "search peak RSS MiB", "index on disk MiB", "open ms"], rows), ""]

    efs = sorted({r["ef"] for e in engines.values() for r in e["sweep"]})
    by = {eng: {r["ef"]: r for r in e["sweep"]} for eng, e in engines.items()}
    rows = []
    for ef in efs:
        row = [ef]
        for eng in engines:
            r = by[eng].get(ef)
            row.append(f"{r['recall']:.4f} / {_f(r['qps'])} / {_f(r.get('p50_us'), 0)}"
                       if r else "")
        rows.append(row)
    out += ["recall@10 / QPS / p50 µs per ef (one core):", "",
            _table(["ef"] + list(engines), rows), ""]

    rows = []
    for eng, e in engines.items():
        base = engines.get("hnswlib", {}).get("qps_at_target")
        rows.append([eng, _f(e["qps_at_target"]), e["qps_at_target_note"] or "interpolated",
                     _x(e["qps_at_target"] / base) if e["qps_at_target"] and base else "—"])
    out += [f"QPS at recall@10 = {target}:", "",
            _table(["engine", "QPS", "how", "vs hnswlib"], rows), ""]
    if "ratios" in d:
        r = d["ratios"]
        out += [f"- ours / hnswlib QPS at recall {target}: **{_x(r['qps_at_target_vs_hnswlib'])}**",
                f"- build throughput, ours 1 thread / hnswlib 1 thread: "
                f"**{_x(r['build_1t_vs_hnswlib_1t'])}**",
                f"- build throughput, ours 2 threads / hnswlib 1 thread: "
                f"**{_x(r['build_2t_vs_hnswlib_1t'])}**", ""]
    return out


def tenant_section(t):
    s = t["tenant_sizes"]
    out = [f"### Tenant search: {t['dataset']}, {s['tenants']:,} tenants of {s['min']:,}–"
           f"{s['max']:,} vectors (mean {s['mean']:,.0f}); each query restricted to one tenant; "
           f"graph searches at ef = {t['ef']}", ""]
    ours = t["engines"].get("ours")
    rows = []
    for eng, r in t["engines"].items():
        vs = _x(ours["qps"] / r["qps"]) if ours and eng != "ours" else ""
        rows.append([eng, _f(r["queries"]), f"{r['recall']:.4f}", _f(r["p50_us"], 1),
                     _f(r["p99_us"], 1), _f(r["qps"]), vs])
    out += [_table(["engine", "queries", "recall@10", "p50 µs", "p99 µs", "QPS",
                    "ours QPS / this"], rows), ""]
    return out


def markdown(results):
    m = results["machine"]
    out = [f"Run {results['started']} on {m.get('cpu', '?')}, {m['cpus']} CPUs, "
           f"{m['ram_gib']} GiB RAM; load average {m['loadavg_start']:.2f} at start, "
           f"{m.get('loadavg_end', 0):.2f} at the last table.",
           f"Command: `{results['command']}`",
           f"Repository at {results.get('git_head', '?')}; pika binary "
           f"{results.get('pika_binary', {}).get('built', 'not used')}.",
           f"M = {results['params']['m']}, ef_construction = "
           f"{results['params']['ef_construction']}; every engine pinned with "
           f"`{results['params']['cpus']}` (ours also built with 2 threads on cores 0,1).", ""]
    for name, d in results["datasets"].items():
        out += ann_section(name, d, results["params"]["target_recall"])
    if "tenant" in results:
        out += tenant_section(results["tenant"])
    return "\n".join(out) + "\n"
