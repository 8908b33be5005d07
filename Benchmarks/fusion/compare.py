#!/usr/bin/env python3
"""Compares fusion methods offline on candidate files written by
`pika eval --mode hybrid --candidates-out FILE` (each query's 100 vector and 100 keyword hits
with raw scores, and its judgements). Prints NDCG@10 per file and method, vector and keyword
alone first, and for each method the worst margin against max(vector, keyword) over all files.

Usage: Benchmarks/fusion/compare.py NAME=FILE [NAME=FILE ...]
LoCoMo files (lines with a category) are scored on categories 1-4, as `pika eval` headlines them.
"""
import json
import math
import statistics
import sys


def ndcg10(ranking, relevant):
    gains = [g for g in relevant.values() if g > 0]
    if not gains:
        return None
    dcg = sum(relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranking[:10]) if relevant.get(d, 0) > 0)
    ideal = sum(g / math.log2(i + 2) for i, g in enumerate(sorted(gains, reverse=True)[:10]))
    return dcg / ideal


def minmax(hits):
    if not hits:
        return {}
    lo, hi = min(s for _, s in hits), max(s for _, s in hits)
    return {d: (s - lo) / (hi - lo) if hi > lo else 1.0 for d, s in hits}


def zscore(hits):
    if len(hits) < 2:
        return {d: 1.0 for d, _ in hits}
    scores = [s for _, s in hits]
    mean, sd = statistics.fmean(scores), statistics.pstdev(scores)
    return {d: (s - mean) / sd if sd > 0 else 0.0 for d, s in hits}


def confidence(hits, top=10):
    """How far the best hit stands above the rest of the list, in standard deviations."""
    if len(hits) < 2:
        return 0.0
    scores = [s for _, s in hits]
    sd = statistics.pstdev(scores)
    return (scores[0] - statistics.fmean(scores)) / sd if sd > 0 else 0.0


def combine(parts):
    total = {}
    for weight, scores, missing in parts:
        for d in scores:
            total.setdefault(d, 0.0)
    for weight, scores, missing in parts:
        for d in total:
            total[d] += weight * scores.get(d, missing)
    return [d for d, _ in sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))]


def methods():
    def score(w):
        return lambda v, k: combine([(w, minmax(v), 0.0), (1 - w, minmax(k), 0.0)])

    def rrf(c):
        def f(v, k):
            return combine([(1.0, {d: 1 / (c + i + 1) for i, (d, _) in enumerate(v)}, 0.0),
                            (1.0, {d: 1 / (c + i + 1) for i, (d, _) in enumerate(k)}, 0.0)])
        return f

    def z(v, k):
        zv, zk = zscore(v), zscore(k)
        return combine([(1.0, zv, min(zv.values(), default=0)), (1.0, zk, min(zk.values(), default=0))])

    def confident_minmax(v, k):
        cv, ck = max(confidence(v), 0.0), max(confidence(k), 0.0)
        w = cv / (cv + ck) if cv + ck > 0 else 0.5
        return combine([(w, minmax(v), 0.0), (1 - w, minmax(k), 0.0)])

    def confident_z(v, k, power=1.0):
        cv, ck = max(confidence(v), 0.0) ** power, max(confidence(k), 0.0) ** power
        w = cv / (cv + ck) if cv + ck > 0 else 0.5
        zv, zk = zscore(v), zscore(k)
        return combine([(w, zv, min(zv.values(), default=0)), (1 - w, zk, min(zk.values(), default=0))])

    def confident_z_padded(v, k):
        # BM25 is 0 for a candidate that shares no term with the query: the vector signal's
        # candidates missing from the keyword list join it at 0 before z-scores and confidence.
        seen = {d for d, _ in k}
        k = list(k) + [(d, 0.0) for d, _ in v if d not in seen]
        return confident_z(v, k)

    def confident_z_complete(v, k, power=1.0):
        # Padded only when the keyword list is complete (shorter than the vector list, so it holds
        # every memory sharing a term); a full list's missing candidates may score above 0.
        if len(k) < len(v):
            seen = {d for d, _ in k}
            k = list(k) + [(d, 0.0) for d, _ in v if d not in seen]
        return confident_z(v, k, power)

    def powered(power):
        # The service's fusion (RankFusion, FusionMethod.confidence): confidences raised to `power`.
        return lambda v, k: confident_z_complete(v, k, power)

    return {
        "vector": lambda v, k: [d for d, _ in v],
        "keyword": lambda v, k: [d for d, _ in k],
        "score w=0.5": score(0.5),
        "score w=0.3": score(0.3),
        "rrf k=60": rrf(60),
        "rrf k=10": rrf(10),
        "zscore": z,
        "confidence-weighted minmax": confident_minmax,
        "confidence-weighted zscore": confident_z,
        "confidence-weighted zscore, BM25 0 when absent": confident_z_padded,
        "confidence-weighted zscore, BM25 0 when absent from a complete list": confident_z_complete,
        "the same, confidence^1.5 (the service's since issue 21's third pass)": powered(1.5),
        "the same, confidence^2": powered(2.0),
    }


def main():
    sets = []
    for arg in sys.argv[1:]:
        name, path = arg.split("=", 1)
        rows = [json.loads(l) for l in open(path, encoding="utf-8")]
        rows = [r for r in rows if r.get("category", 1) in (1, 2, 3, 4)]
        for r in rows:
            r["vector"] = [(d, s) for d, s in r["vector"]]
            r["keyword"] = [(d, s) for d, s in r["keyword"]]
        sets.append((name, rows))
    table = {}
    for method, fuse in methods().items():
        for name, rows in sets:
            values = [ndcg10(fuse(r["vector"], r["keyword"]), r["relevant"]) for r in rows]
            values = [x for x in values if x is not None]
            table[method, name] = sum(values) / len(values)
    print("| method | " + " | ".join(n for n, _ in sets) + " | worst margin vs max(parts) |")
    print("| --- |" + " --- |" * (len(sets) + 1))
    for method in methods():
        margin = min(table[method, n] - max(table["vector", n], table["keyword", n]) for n, _ in sets)
        print(f"| {method} | " + " | ".join(f"{table[method, n]:.4f}" for n, _ in sets) + f" | {margin:+.4f} |")


if __name__ == "__main__":
    main()
