"""The real-data engine benchmark set: MiniLM embeddings of the evaluation sentences.

Writes OUT/minilm-real/ in the layout Benchmarks/peers/bench.py reads (binfmt.py formats), so
`bench.py --kinds minilm --size real` benchmarks it beside the synthetic sets:

  base.fbin             the sentences of SciFact's abstracts (split on sentence ends) and titles,
                        then LoCoMo's dialogue turns, embedded by `pika embed` (all-MiniLM-L6-v2,
                        384-d, unit length), duplicates removed
  queries.fbin          2,000 real questions: SciFact's claims, then LoCoMo's questions
  gt.ibin               exact top-100 by inner product, scored in float64
  tenants.u32bin, query-tenants.u32bin, gt-tenant.ibin
                        1,000 random tenants, as gendata.py writes them (float64 truth too)
  sentences.txt, questions.txt
                        the texts, one a line, in row order

The sentences are shuffled (fixed seed), so `--max-sentences N` takes a mixed prefix of both
sources and writes OUT/minilm-real-<N>/ instead. Embedding ~53k sentences takes a while (on an
idle core a few minutes; on a saturated 2-core machine 8 sentences/s): the vectors are cached
chunk by chunk under OUT/minilm-cache/, so an interrupted run resumes and a larger N reuses the
chunks a smaller one embedded. Nothing here goes into git (bench-data/ is ignored).

Usage: python make_realdata.py --pika .build-bench/release/pika [--eval ../shared/eval]
                               [--out bench-data] [--queries 2000] [--chunk 400] [--max-sentences N]
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "peers"))
import binfmt  # noqa: E402
import groundtruth  # noqa: E402

# A sentence ends at . ! or ? followed by white space and an upper-case letter, a digit or a
# bracket: good enough for abstracts, and it leaves "e.g. the" and "approx. 5" alone mostly.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])")


def log(msg):
    print(f"[make_realdata] {msg}", file=sys.stderr, flush=True)


def scifact_sentences(path):
    out = []
    with open(path) as f:
        for line in f:
            doc = json.loads(line)
            if doc.get("title"):
                out.append(doc["title"].strip())
            out.extend(s.strip() for s in SENTENCE_END.split(doc.get("text", "")))
    return out


def locomo_turns_and_questions(path):
    with open(path) as f:
        samples = json.load(f)
    turns, questions = [], []
    for sample in samples:
        conv = sample["conversation"]
        sessions = sorted((k for k in conv if re.fullmatch(r"session_\d+", k)), key=lambda k: int(k.split("_")[1]))
        for key in sessions:
            turns.extend(t["text"].strip() for t in conv[key] if t.get("text"))
        questions.extend(q["question"].strip() for q in sample["qa"] if q.get("question"))
    return turns, questions


def scifact_questions(path):
    with open(path) as f:
        return [json.loads(line)["text"].strip() for line in f]


def unique_nonempty(texts):
    seen, out = set(), []
    for t in texts:
        t = " ".join(t.split())
        if len(t) >= 3 and t not in seen:
            seen.add(t)
            out.append(t)
    return out


def embed(pika, texts, chunk_dir, chunk, model_dir, workers=1):
    """Embeds texts with `pika embed`, chunk by chunk (`workers` processes at once), each chunk
    cached as .npy."""
    from concurrent.futures import ThreadPoolExecutor

    os.makedirs(chunk_dir, exist_ok=True)
    env = dict(os.environ)
    if model_dir:
        env["PIKA_MODEL_DIR"] = model_dir
    starts = list(range(0, len(texts), chunk))
    started, done = time.time(), [0]

    def one(i):
        path = os.path.join(chunk_dir, f"{i:05d}.npy")
        batch = texts[starts[i]:starts[i] + chunk]
        if os.path.exists(path):
            part = np.load(path)
            if len(part) == len(batch):
                return part
        out = subprocess.run([pika, "embed", "--", *batch], check=True, capture_output=True, env=env).stdout
        part = np.asarray(json.loads(out), dtype=np.float32)
        assert part.shape == (len(batch), 384), part.shape
        np.save(path + ".tmp.npy", part)
        os.replace(path + ".tmp.npy", path)
        done[0] += len(batch)
        log(f"{os.path.basename(chunk_dir)}: +{done[0]} embedded ({done[0] / (time.time() - started):.1f}/s)")
        return part

    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(one, range(len(starts))))
    return np.concatenate(parts) if parts else np.zeros((0, 384), np.float32)


def exact64(base, queries, k=100, block=20_000):
    """Top-k by inner product in float64, in base blocks (the truth has no float32 ties)."""
    q = np.asarray(queries, dtype=np.float64)
    best_l = np.full((len(q), k), -1, dtype=np.int64)
    best_s = np.full((len(q), k), -np.inf)
    for b0 in range(0, len(base), block):
        s = q @ np.asarray(base[b0:b0 + block], dtype=np.float64).T
        cand_s = np.concatenate([best_s, s], axis=1)
        cand_l = np.concatenate([best_l, np.broadcast_to(np.arange(b0, b0 + s.shape[1]), s.shape)], axis=1)
        part = np.argpartition(-cand_s, k - 1, axis=1)[:, :k]
        best_s = np.take_along_axis(cand_s, part, axis=1)
        best_l = np.take_along_axis(cand_l, part, axis=1)
    order = np.argsort(-best_s, axis=1, kind="stable")
    return np.take_along_axis(best_l, order, axis=1).astype(np.int32)


def per_tenant64(base, tenants, queries, query_tenants, k=100):
    return groundtruth.per_tenant(base, tenants, queries, query_tenants, k)  # already float64


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pika", required=True)
    ap.add_argument("--eval", default=os.path.join(HERE, "..", "..", "..", "shared", "eval"))
    ap.add_argument("--out", default="bench-data")
    ap.add_argument("--model-dir", default=None, help="PIKA_MODEL_DIR for `pika embed`")
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--chunk", type=int, default=400)
    ap.add_argument("--tenants", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=1, help="`pika embed` processes at once")
    ap.add_argument("--max-sentences", type=int, default=0, help="embed only this many (a shuffled prefix)")
    args = ap.parse_args()

    name = f"minilm-real-{args.max_sentences}" if args.max_sentences else "minilm-real"
    directory = os.path.join(args.out, name)
    cache = os.path.join(args.out, "minilm-cache")
    os.makedirs(directory, exist_ok=True)
    path = lambda name: os.path.join(directory, name)

    sci = scifact_sentences(os.path.join(args.eval, "scifact", "corpus.jsonl"))
    turns, loco_q = locomo_turns_and_questions(os.path.join(args.eval, "locomo", "locomo-dev.json"))
    sentences = unique_nonempty(sci + turns)
    random.Random(20).shuffle(sentences)
    if args.max_sentences:
        sentences = sentences[:args.max_sentences]
    sci_q = unique_nonempty(scifact_questions(os.path.join(args.eval, "scifact", "queries.jsonl")))
    loco_q = unique_nonempty(loco_q)
    take_loco = min(len(loco_q), args.queries // 2)
    questions = sci_q[:args.queries - take_loco] + loco_q[:take_loco]
    log(f"{len(sentences)} sentences ({len(sci)} SciFact, {len(turns)} LoCoMo turns before dedup), "
        f"{len(questions)} questions")
    with open(path("sentences.txt"), "w") as f:
        f.writelines(s + "\n" for s in sentences)
    with open(path("questions.txt"), "w") as f:
        f.writelines(s + "\n" for s in questions)

    qv = embed(args.pika, questions, os.path.join(cache, "questions"), args.chunk, args.model_dir, args.workers)
    base = embed(args.pika, sentences, os.path.join(cache, "sentences"), args.chunk, args.model_dir, args.workers)
    norms = np.linalg.norm(base, axis=1)
    log(f"base {base.shape}, norms {norms.min():.4f}..{norms.max():.4f}")
    binfmt.write(path("base.fbin"), base)
    binfmt.write(path("queries.fbin"), qv)

    started = time.time()
    binfmt.write(path("gt.ibin"), exact64(base, qv))
    rng = np.random.default_rng(7)
    tenant_of = rng.integers(0, args.tenants, len(base)).astype(np.uint32)
    query_tenant = rng.integers(0, args.tenants, len(qv)).astype(np.uint32)
    binfmt.write(path("tenants.u32bin"), tenant_of)
    binfmt.write(path("query-tenants.u32bin"), query_tenant)
    binfmt.write(path("gt-tenant.ibin"), per_tenant64(base, tenant_of, qv, query_tenant))
    log(f"ground truth in {time.time() - started:.0f} s; done: {directory}")


if __name__ == "__main__":
    main()
