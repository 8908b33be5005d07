#!/usr/bin/env python3
"""Replaces the vector lists of a BEIR candidates file (`pika eval --mode hybrid --candidates-out`)
by another embedder's or precision's: corpus vectors from `pika eval` embedding caches (the .vec
files given), query vectors from `pika embed --embedder NAME --query Q...` (a JSON array, one per
candidates line, in order), cosine top 100 per query. The keyword lists (BM25 does not depend on
the embedder) and judgements are kept, so compare.py scores the raw signals of both side by side.

Usage: CORPUS=DIR/corpus.jsonl revector.py QUERY_VECTORS.json IN.cand OUT.cand CACHE.vec [...]"""
import json, struct, sys, glob
import numpy as np
M = (1 << 64) - 1
def key(t):
    a = 0xcbf29ce484222325; b = 0x6c62272e07bb0142
    bs = t.encode('utf-8')
    for x in bs:
        a = ((a ^ x) * 0x100000001B3) & M
        b = (((b ^ x) * 0x100000001B3) & M) ^ 0x9e3779b97f4a7c15
    return struct.pack('<QQ', a, b ^ len(bs))
qfile, candfile, out = sys.argv[1:4]
rec = 16 + 384 * 4
vecs = {}
for f in sys.argv[4:]:
    d = open(f, 'rb').read()
    for i in range(0, len(d) - rec + 1, rec):
        vecs[d[i:i + 16]] = np.frombuffer(d[i + 16:i + rec], dtype='<f4')
docs = [json.loads(l) for l in open(__import__('os').environ.get('CORPUS', '/work/shared/eval/scifact/corpus.jsonl'), encoding='utf-8')]
ids = [str(d['_id']) for d in docs]
texts = [((d['title'] + ' ' + d['text']) if d.get('title') else d['text']).replace('\ufeff', '') for d in docs]  # pika's JSON reading drops the BOM
have = [key(t) in vecs for t in texts]
print(f'corpus vectors: {sum(have)} of {len(docs)}', file=sys.stderr)
mat = np.stack([vecs.get(key(t), np.zeros(384, dtype='<f4')) for t in texts])
qv = np.array(json.load(open(qfile)), dtype=np.float32)
rows = [json.loads(l) for l in open(candfile)]
assert len(rows) == len(qv)
sims = qv @ mat.T
with open(out, 'w') as w:
    for r, s in zip(rows, sims):
        top = np.argsort(-s, kind='stable')[:100]
        r['vector'] = [[ids[i], float(s[i])] for i in top]
        w.write(json.dumps(r) + '\n')
