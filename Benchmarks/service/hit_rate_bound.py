#!/usr/bin/env python3
"""The best hit rate any correct result cache could reach on loadgen.py's traffic.

Draws a request stream from loadgen's distributions (its Zipf users, question kinds and write share)
and replays it against a perfect result cache: unbounded, never expiring, keyed by (user, question),
and emptied for a user by each of that user's writes that changes a memory (a cache that may never
answer from before a write can do no better). A read hits when its user asked the same question
since that user's last such write. No server is involved; the figure bounds L0 + L1 together (L2 answers preference
questions from a summary, which a write also outdates).

    python3 Benchmarks/service/hit_rate_bound.py [--read-rps 1000] [--write-rps 100] [--duration 30]
"""
import argparse
import json
import os
import random
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loadgen  # noqa: E402


def bound(users, zipf_s, read_rps, write_rps, duration, seed, changing):
    """(hit rate, hit rate by question kind) of a perfect cache; `changing` is the share of writes
    that change the user's memories (the rest consolidate to NONE and leave caches valid)."""
    rng = random.Random(seed)
    zipf = loadgen.Zipf(users, zipf_s, rng)
    pools, asked = defaultdict(list), defaultdict(set)
    reads, hits = defaultdict(int), defaultdict(int)
    for _ in range(int((read_rps + write_rps) * duration)):
        user = zipf.sample()
        if rng.random() < write_rps / (read_rps + write_rps):
            if rng.random() < changing:
                asked[user].clear()
            continue
        text, kind = loadgen.question(rng, pools[user])
        if kind != "repeat" and len(pools[user]) < 20:
            pools[user].append(text)
        reads[kind] += 1
        if text in asked[user]:
            hits[kind] += 1
        asked[user].add(text)
    total = sum(reads.values())
    return sum(hits.values()) / total, {kind: round(hits[kind] / reads[kind], 3) for kind in sorted(reads)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--zipf", type=float, default=1.1)
    parser.add_argument("--read-rps", type=float, default=1000)
    parser.add_argument("--write-rps", type=float, default=100)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for changing in (1.0, 0.5, 0.0):
        rate, by_kind = bound(args.users, args.zipf, args.read_rps, args.write_rps, args.duration, args.seed, changing)
        print(json.dumps({"read_rps": args.read_rps, "write_rps": args.write_rps, "duration_s": args.duration,
                          "writes_changing_memories": changing, "best_hit_rate": round(rate, 3), "by_kind": by_kind}))


if __name__ == "__main__":
    main()
