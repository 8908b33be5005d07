#!/usr/bin/env python3
"""Asks a release `pika serve` a fixed set of searches and writes each answer's bytes, so two binaries
can be compared byte for byte (a speed change must not change an answer).

Starts BIN on a copy of DATA (never DATA itself), waits for /readyz, then asks 500 searches (the
question pool of loadgen.py plus favourite/Vietnamese/quoting cases; every mode, limits 1-30, both
search paths), each twice (the engine, then the L0 tier), and writes one JSON line per answer to OUT.

Usage: compare_answers.py --pika BIN --data DIR --api-key KEY --out FILE
       then: cmp OLD_FILE NEW_FILE
KEY: an admin key of tenant `default` in DIR (`pika keys create --data-dir DIR --tenant default --role admin`).
"""
import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loadgen  # noqa: E402  (the question pool)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pika", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--searches", type=int, default=500)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="pika-compare-")
    shutil.copytree(args.data, work + "/data")
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    server = subprocess.Popen(
        [args.pika, "serve", "--data-dir", work + "/data", "--port", str(port), "--embedder", "hashing", "--rate-limit", "1000000"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ, PIKA_LOG_LEVEL="warning"))

    def call(method, path, body=None):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", method=method, data=json.dumps(body).encode() if body else None,
            headers={"X-API-Key": args.api_key, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, reply.read().decode()

    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                call("GET", "/readyz")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    sys.exit("compare_answers: the server did not become ready")
                time.sleep(0.5)
        pool = loadgen.question_pool(1000, random.Random(2))
        rng = random.Random(5)
        extra = ["What is my favourite colour?", "Em thích gì?", "Hà Nội \"quoted\" / slash", "tea", "does the user like chess"]
        lines = []
        for i in range(args.searches):
            body = {"query": extra[i % len(extra)] if i % 10 == 0 else rng.choice(pool),
                    "user_id": f"user{rng.randrange(100)}", "limit": rng.randint(1, 30)}
            mode = [None, "hybrid", "vector", "keyword"][i % 4]
            if mode:
                body["mode"] = mode
            path = "/search_facts" if i % 2 else "/v1/memories/search"
            for attempt in (1, 2):
                status, text = call("POST", path, body)
                lines.append(json.dumps({"i": i, "attempt": attempt, "path": path, "body": body, "status": status, "answer": text}))
        with open(args.out, "w") as out:
            out.write("\n".join(lines) + "\n")
        print(f"compare_answers: {len(lines)} answers written to {args.out}", file=sys.stderr)
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
