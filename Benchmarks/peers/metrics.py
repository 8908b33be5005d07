"""Recall and the QPS-at-recall interpolation used for the headline ratios."""

import math

import numpy as np


def recall_at_k(found, truth, k=10):
    """Mean over queries of |found[:k] & truth[:k]| / |truth[:k]|, ignoring -1 slots in truth
    (a tenant with fewer than k vectors has fewer than k right answers)."""
    hits = total = 0
    for f, t in zip(found[:, :k], truth[:, :k]):
        want = set(int(x) for x in t if x >= 0)
        hits += len(want.intersection(int(x) for x in f if x >= 0))
        total += len(want)
    return hits / total if total else float("nan")


def qps_at_recall(points, target=0.95):
    """QPS at `target` recall on an engine's recall/QPS curve.

    points: [(recall, qps)] from an ef sweep. Uses the Pareto frontier (best QPS for at least
    a given recall) and interpolates log(QPS) linearly in recall between the two frontier
    points that bracket the target. Returns (qps, note): note is "" when interpolated,
    "lower bound" when even the fastest point already exceeds the target (the true figure is
    at least this), and (None, "not reached") when no point gets there.
    """
    pts = sorted(points)
    frontier = []  # descending recall, increasing QPS as we walk down the recalls
    for r, q in reversed(pts):
        if not frontier or q > frontier[-1][1]:
            frontier.append((r, q))
    frontier.reverse()  # ascending recall, descending QPS
    above = [p for p in frontier if p[0] >= target]
    below = [p for p in frontier if p[0] < target]
    if not above:
        return None, "not reached"
    hi = above[0]
    if not below:
        return hi[1], "lower bound"
    lo = below[-1]
    if hi[0] == lo[0]:
        return hi[1], ""
    w = (target - lo[0]) / (hi[0] - lo[0])
    return math.exp(math.log(lo[1]) + w * (math.log(hi[1]) - math.log(lo[1]))), ""


def ratio(a, b):
    return a / b if a and b else None


def percentile(values, p):
    return float(np.percentile(np.asarray(values), p))
