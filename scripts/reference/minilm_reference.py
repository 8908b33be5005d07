#!/usr/bin/env python3
"""Reference all-MiniLM-L6-v2 sentence embedder in plain Python + numpy.

It exists to check the native Swift embedder (Sources/PikaEmbeddings): it is written from the BERT
paper and the tokenizer.json/safetensors formats, independently of the Swift code, and kept small
enough to read in one sitting. Speed is not its job (though
`Benchmarks/embeddings/run.sh` times it beside the native embedder on the same sentences).

  python3 scripts/reference/minilm_reference.py embed "some text" ...    # JSON vectors on stdout
  python3 scripts/reference/minilm_reference.py fixtures OUT.json        # regenerate test fixtures
  python3 scripts/reference/minilm_reference.py bench                    # timings (see Benchmarks/)

The model directory is $PIKA_MODEL_DIR, else ./models/all-MiniLM-L6-v2 (scripts/fetch-model.sh).
"""
import json
import math
import os
import struct
import sys
import time
import unicodedata

import numpy as np

MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model, [CLS] and [SEP] included
HEADS = 12
EPS = 1e-12
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def model_dir():
    return os.environ.get("PIKA_MODEL_DIR") or os.path.join(ROOT, "models", "all-MiniLM-L6-v2")


# ---------------------------------------------------------------- tokenizer (BERT, uncased)

def is_whitespace(c):  # Unicode White_Space minus the control characters, as Rust's char::is_whitespace
    return c in " \t\n\r" or unicodedata.category(c) in ("Zs", "Zl", "Zp")


def is_control(c):
    if c in "\t\n\r":
        return False
    return unicodedata.category(c).startswith("C")


def is_punctuation(c):
    o = ord(c)
    if 33 <= o <= 47 or 58 <= o <= 64 or 91 <= o <= 96 or 123 <= o <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def is_cjk(o):
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2A6DF
            or 0x2A700 <= o <= 0x2B73F or 0x2B740 <= o <= 0x2B81F or 0x2B820 <= o <= 0x2CEAF
            or 0xF900 <= o <= 0xFAFF or 0x2F800 <= o <= 0x2FA1F)


def normalize(text):
    out = []
    for c in text:
        o = ord(c)
        if o == 0 or o == 0xFFFD or is_control(c):
            continue
        if is_whitespace(c):
            out.append(" ")
        elif is_cjk(o):
            out.append(" " + c + " ")
        else:
            out.append(c)
    text = unicodedata.normalize("NFD", "".join(out))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    # Per character, as the Rust tokenizers crate does: no context-dependent final sigma.
    return "".join(c.lower() for c in text)


def pre_tokenize(text):
    words, cur = [], []
    for c in text:
        if is_whitespace(c) or is_punctuation(c):
            if cur:
                words.append("".join(cur))
                cur = []
            if not is_whitespace(c):
                words.append(c)
        else:
            cur.append(c)
    if cur:
        words.append("".join(cur))
    return words


class Tokenizer:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            spec = json.load(f)
        self.vocab = spec["model"]["vocab"]
        self.unk = self.vocab[spec["model"].get("unk_token", "[UNK]")]
        self.prefix = spec["model"].get("continuing_subword_prefix", "##")
        self.max_chars = spec["model"].get("max_input_chars_per_word", 100)
        self.cls, self.sep = self.vocab["[CLS]"], self.vocab["[SEP]"]

    def word_pieces(self, word):
        if len(word) > self.max_chars:
            return [self.unk]
        pieces, start = [], 0
        while start < len(word):
            end, found = len(word), None
            while start < end:
                sub = word[start:end] if start == 0 else self.prefix + word[start:end]
                if sub in self.vocab:
                    found = self.vocab[sub]
                    break
                end -= 1
            if found is None:
                return [self.unk]
            pieces.append(found)
            start = end
        return pieces

    def encode(self, text):
        ids = []
        for w in pre_tokenize(normalize(text)):
            ids.extend(self.word_pieces(w))
        truncated = len(ids) > MAX_TOKENS - 2
        return [self.cls] + ids[: MAX_TOKENS - 2] + [self.sep], truncated


# ---------------------------------------------------------------- weights (safetensors)

def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        blob = f.read()
    tensors = {}
    for name, meta in header.items():
        if name == "__metadata__" or meta["dtype"] != "F32":
            continue
        a, b = meta["data_offsets"]
        tensors[name] = np.frombuffer(blob[a:b], dtype="<f4").reshape(meta["shape"])
    return tensors


# ---------------------------------------------------------------- encoder

def layer_norm(x, w, b):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + EPS) * w + b


_erf = np.vectorize(math.erf, otypes=[np.float64])


def gelu(x):  # BERT's exact GELU: x * Phi(x)
    return (0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))).astype(np.float32)


class MiniLM:
    def __init__(self, directory=None):
        directory = directory or model_dir()
        self.tokenizer = Tokenizer(os.path.join(directory, "tokenizer.json"))
        self.t = load_safetensors(os.path.join(directory, "model.safetensors"))
        self.layers = sum(1 for k in self.t if k.endswith("attention.self.query.weight"))

    def lin(self, x, name):
        return x @ self.t[name + ".weight"].T + self.t[name + ".bias"]

    def encode_ids(self, ids):
        t, n = self.t, len(ids)
        x = t["embeddings.word_embeddings.weight"][ids] + t["embeddings.position_embeddings.weight"][:n]
        x = x + t["embeddings.token_type_embeddings.weight"][0]
        x = layer_norm(x, t["embeddings.LayerNorm.weight"], t["embeddings.LayerNorm.bias"])
        hd = x.shape[1] // HEADS
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            q = self.lin(x, p + "attention.self.query").reshape(n, HEADS, hd).transpose(1, 0, 2)
            k = self.lin(x, p + "attention.self.key").reshape(n, HEADS, hd).transpose(1, 0, 2)
            v = self.lin(x, p + "attention.self.value").reshape(n, HEADS, hd).transpose(1, 0, 2)
            s = q @ k.transpose(0, 2, 1) / math.sqrt(hd)
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            ctx = (s @ v).transpose(1, 0, 2).reshape(n, -1)
            x = layer_norm(x + self.lin(ctx, p + "attention.output.dense"),
                           t[p + "attention.output.LayerNorm.weight"], t[p + "attention.output.LayerNorm.bias"])
            h = gelu(self.lin(x, p + "intermediate.dense"))
            x = layer_norm(x + self.lin(h, p + "output.dense"),
                           t[p + "output.LayerNorm.weight"], t[p + "output.LayerNorm.bias"])
        v = x.mean(0)  # one unpadded sentence: every position is attended, so mean pooling is a plain mean
        return v / max(np.linalg.norm(v), 1e-12)

    def embed(self, text):
        ids, truncated = self.tokenizer.encode(text)
        return self.encode_ids(ids), ids, truncated


# ---------------------------------------------------------------- fixtures and CLI

FIXTURE_SENTENCES = [
    ("english", "The quick brown fox jumps over the lazy dog."),
    ("english-question", "What did my daughter say about her favourite dinosaur yesterday?"),
    ("vietnamese", "Tôi thích ăn phở bò ở Hà Nội vào buổi sáng, còn em gái tôi thích bánh mì."),
    ("vietnamese-upper", "ĐẶNG THỊ NGỌC HƯƠNG sống ở Thành phố Hồ Chí Minh."),
    ("emoji", "I love pizza 🍕🍕 and my cat 🐱! 😀👍🏽"),
    ("cjk-mixed", "Hello 世界, naïve café déjà vu — «quoted» text…"),
    ("empty", ""),
    ("whitespace-only", "   \t\n  "),
    ("very-long", " ".join(["Memory systems for children must remember preferences, allergies,"
                            " friends and favourite stories across many conversations."] * 20)),
]


def fixtures(out_path):
    m = MiniLM()
    items = []
    for name, text in FIXTURE_SENTENCES:
        vec, ids, truncated = m.embed(text)
        items.append({"name": name, "text": text, "ids": ids, "truncated": truncated,
                      "vector": [round(float(x), 7) for x in vec]})
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"model": "all-MiniLM-L6-v2", "maxTokens": MAX_TOKENS, "sentences": items},
                  f, ensure_ascii=False, indent=1)
        f.write("\n")


BENCH_QUERY = "what does my son like to eat for breakfast"
BENCH_SENTENCE = ("my daughter loves dinosaurs and drawing pictures of the ocean with her grandmother every "
                  "sunday afternoon in the park near home and she always brings a red umbrella with her")


def bench(args):
    """`bench query` (p50 of one short query) or `bench throughput [N]` (32-token sentences/s).

    The same sentences as Benchmarks/embeddings; thread count comes from OPENBLAS_NUM_THREADS.
    """
    m = MiniLM()
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    if not args or args[0] == "query":
        for _ in range(5):
            m.embed(BENCH_QUERY)
        times, cpu = [], []
        for _ in range(50):
            t0, c0 = time.perf_counter(), time.process_time()
            m.embed(BENCH_QUERY)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        times.sort()
        cpu.sort()
        print(json.dumps({"impl": "numpy-reference", "measure": "query", "threads": threads,
                          "tokens": len(m.tokenizer.encode(BENCH_QUERY)[0]),
                          "p50ms": round(times[len(times) // 2] * 1000, 2),
                          "cpuP50ms": round(cpu[len(cpu) // 2] * 1000, 2), "loadAverage": os.getloadavg()[0]}))
    else:
        n = int(args[1]) if len(args) > 1 else 64
        m.embed(BENCH_SENTENCE)
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(n):
            m.embed(BENCH_SENTENCE)
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        print(json.dumps({"impl": "numpy-reference", "measure": "throughput", "threads": threads,
                          "tokens": len(m.tokenizer.encode(BENCH_SENTENCE)[0]), "sentences": n,
                          "sentencesPerSecond": round(n / dt, 1), "sentencesPerSecondPerCPU": round(n / dc, 1),
                          "loadAverage": os.getloadavg()[0]}))


def main(argv):
    if len(argv) >= 2 and argv[1] == "fixtures":
        fixtures(argv[2] if len(argv) > 2 else "-")
    elif len(argv) >= 2 and argv[1] == "embed":
        m = MiniLM()
        print(json.dumps([[float(x) for x in m.embed(t)[0]] for t in argv[2:]]))
    elif len(argv) >= 2 and argv[1] == "tokenize":
        tok = Tokenizer(os.path.join(model_dir(), "tokenizer.json"))
        print(json.dumps([tok.encode(t)[0] for t in argv[2:]]))
    elif len(argv) >= 2 and argv[1] == "bench":
        bench(argv[2:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
