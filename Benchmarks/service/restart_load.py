"""Load, first-search and search phases of Benchmarks/service/restart.sh (standard library only).

load:   MEMORIES verbatim memories as synchronous 200-message adds over USERS users, 4 clients at once;
        prints {"memories", "users", "msgs_per_s", "raw_mb"} (raw: 384 f32 per memory plus its text).
first:  one search whose answer must be the memory it quotes (fails otherwise).
search: 300 vector searches of random users with new queries; prints {"p50_ms", "p95_ms"}.
"""
import argparse
import json
import random
import statistics
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

BATCH = 200
WORDS = ("kite river dinosaur school grandmother bicycle lantern mango rain forest cat dog train "
         "piano football noodle moon star garden ocean").split()


def text(user, i):
    rng = random.Random(user * 1_000_003 + i)
    return f"note {i} of user {user}: " + " ".join(rng.choice(WORDS) for _ in range(8))


def call(port, key, path, body):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(),
                                     headers={"X-API-Key": key, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=600) as response:
        return json.load(response)


def load(args):
    per_user = args.memories // args.users
    jobs = [(u, start) for u in range(args.users) for start in range(0, per_user, BATCH)]
    raw = 0

    def post(job):
        user, start = job
        messages = [{"role": "user", "content": text(user, i)} for i in range(start, min(start + BATCH, per_user))]
        call(args.port, args.key, "/v1/memories", {"user_id": f"u{user}", "infer": False, "async": False, "messages": messages})
        return sum(len(m["content"].encode()) for m in messages) + len(messages) * 384 * 4

    began = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        for size in pool.map(post, jobs):
            raw += size
    seconds = time.monotonic() - began
    total = per_user * args.users
    print(json.dumps({"memories": total, "users": args.users, "msgs_per_s": round(total / seconds, 1),
                      "raw_mb": round(raw / 2**20, 1)}))


def first(args):
    expected = text(0, 3)
    answer = call(args.port, args.key, "/v1/memories/search", {"user_id": "u0", "query": expected, "mode": "vector", "limit": 1})
    got = answer["results"][0]["memory"] if answer["results"] else None
    if got != expected:
        sys.exit(f"first search answered {got!r}, expected {expected!r}")


def search(args):
    rng = random.Random(7)
    times = []
    for n in range(300):
        query = " ".join(rng.choice(WORDS) for _ in range(4)) + f" {n}"
        began = time.perf_counter()
        call(args.port, args.key, "/v1/memories/search", {"user_id": f"u{rng.randrange(args.users)}", "query": query,
                                                           "mode": "vector", "limit": 10})
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    print(json.dumps({"p50_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(len(times) * 0.95)], 2)}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("phase", choices=["load", "first", "search"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--memories", type=int, default=0)
    parser.add_argument("--users", type=int, required=True)
    args = parser.parse_args()
    {"load": load, "first": first, "search": search}[args.phase](args)


if __name__ == "__main__":
    main()
