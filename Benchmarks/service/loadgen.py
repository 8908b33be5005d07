#!/usr/bin/env python3
"""Service load generator for `pika serve` (standard library only).

Two phases against a running server:

  warm   asks every question of the pool (see --questions pool) once, so their embeddings are cached.
  seed   gives every user a history of memories (POST /v1/memories, infer false, async false,
         200 messages per call) so searches have something to rank: 100 users x 1,000 memories
         is the issue's 100k case.
  load   open-loop traffic for --duration seconds: reads at --read-rps, writes at --write-rps,
         Poisson arrivals, users drawn from a Zipf distribution (a few users get most of the
         traffic, as companions' users do). Reads are /search_facts and /v1/memories/search with
         questions that repeat exactly (cache hits), are paraphrased (same intent, other words) or
         are new; writes alternate POST /extract_facts (async, rule extraction in the workers)
         and POST /v1/memories with async false (the caller waits for the commit).

Latency is measured from each request's scheduled send time, so a server (or generator) that
falls behind is charged for the queueing it causes (no coordinated omission). The report gives
p50/p95/p99 per endpoint, the rate achieved, errors by status; the same for searches split by the
tier that answered each (the X-Pika-Cache header: l0, l1, l2 or engine); the cache hit rate of
every tier from /metrics scraped before and after (cache_hits_total / cache_misses_total by layer)
and which tier answered the searches (search_answers_total by source); and, for /extract_facts,
the time from acceptance to completion of a sample of its jobs (GET /v1/jobs/{id} after the run:
updated_at - created_at of each completed job, both stamped by the server).

Load options that isolate the cache tiers:
  --questions mixed   the realistic mix above (default).
  --questions new     every question is asked once only: every tier misses, the query embedding is
                      computed for each search (the cold case).
  --questions pool    questions drawn from --pool-size yes/no questions that only the engine answers
                      (L2 takes none); run `warm` (same --pool-size and --seed) before, which asks each
                      once with limit 100 so their embeddings are in L3.
  --vary-limit LO-HI  each search a random limit in LO..HI (1-99). The L0/L1 keys hold the limit,
                      the L3 key only the text (SearchCacheKey, QueryEmbeddingCache), so with
                      --questions pool answers rarely repeat while embeddings do: the "embedding
                      cached, answer not cached" case. The hit counters in the report show it.

Usage:
  loadgen.py --url http://127.0.0.1:8080 --api-key KEY --users 100 seed --per-user 1000
  loadgen.py --url http://127.0.0.1:8080 --api-key KEY load --duration 60 --read-rps 1000 --write-rps 100
  loadgen.py --url http://127.0.0.1:8080 --api-key KEY warm --pool-size 1000
  loadgen.py --url http://127.0.0.1:8080 --api-key KEY load --read-rps 500 --write-rps 0 --questions pool --vary-limit 5-25
"""

import argparse
import asyncio
import json
import math
import os
import random
import re
import sys
import time
from collections import defaultdict, namedtuple
from datetime import datetime

NAMES = ["Minh", "Lan", "Huong", "Tuan", "Anh", "Mai", "Linh", "Nam", "Sarah", "Tom", "Emma", "Leo", "Olivia", "Noah"]
THINGS = ["dinosaurs", "pho", "jazz", "chess", "football", "origami", "sushi", "piano", "painting", "robots",
          "basketball", "manga", "astronomy", "gardening", "climbing", "baking", "coffee", "violin", "tennis", "poetry"]
CITIES = ["Hanoi", "Da Nang", "Hue", "Saigon", "Paris", "Tokyo", "Berlin", "Seattle", "Sydney", "Bangkok"]
PETS = ["dog", "cat", "parrot", "hamster", "rabbit", "turtle"]
PET_NAMES = ["Max", "Luna", "Bong", "Milo", "Coco", "Kem", "Bella", "Mochi"]
SCHOOLS = ["Chu Van An school", "Hanoi University", "MIT", "Le Hong Phong school", "the art academy"]
COLORS = ["blue", "green", "red", "purple", "yellow", "teal", "orange"]
VI_FACTS = ["Tôi sống ở {city}", "Tôi thích ăn {thing}", "Em gái tôi tên là {name}", "Tôi học ở {school}"]


def fact(rng):
    """A first-person statement the rule extractor understands, with its topic words."""
    kind = rng.randrange(9)
    name, thing, city = rng.choice(NAMES), rng.choice(THINGS), rng.choice(CITIES)
    if kind == 0:
        return f"I love {thing}."
    if kind == 1:
        return f"My sister {name} likes {thing}."
    if kind == 2:
        return f"I have a {rng.choice(PETS)} named {rng.choice(PET_NAMES)}."
    if kind == 3:
        return f"I live in {city}."
    if kind == 4:
        return f"My favorite color is {rng.choice(COLORS)}."
    if kind == 5:
        return f"I study at {rng.choice(SCHOOLS)}."
    if kind == 6:
        return f"My friend {name} plays {thing} every weekend."
    if kind == 7:
        return f"I am planning a trip to {city} next month."
    return rng.choice(VI_FACTS).format(city=city, thing=thing, name=name, school=rng.choice(SCHOOLS))


# Question intents and their paraphrases: the same intent asked in other words.
INTENTS = [
    ["What does the user like?", "what do they like", "Tell me what the user likes", "things the user enjoys"],
    ["Where does the user live?", "where do they live", "Which city is home?", "user's home city"],
    ["Does the user have a pet?", "what pet do they have", "name of the user's pet", "pet name"],
    ["What is the favorite color?", "favourite colour", "which color do they prefer", "color they like best"],
    ["Where does the user study?", "which school", "what school does the user attend", "university or school"],
    ["Who is the sister?", "sister's name", "tell me about the sister", "what does the sister like"],
    ["Any travel plans?", "upcoming trip", "where are they travelling next", "trip next month"],
    ["Người dùng sống ở đâu?", "nguoi dung song o dau", "thành phố nào", "ở đâu"],
]


def question(rng, repeat_pool):
    """(text, kind): an exact repeat, a paraphrase of a known intent, or a new question."""
    roll = rng.random()
    if roll < 0.5 and repeat_pool:
        return rng.choice(repeat_pool), "repeat"
    if roll < 0.8:
        return rng.choice(rng.choice(INTENTS)), "paraphrase"
    return f"does the user like {rng.choice(THINGS)} or {rng.choice(THINGS)}? ({rng.randrange(10**6)})", "new"


def new_question(rng, serial):
    """A question asked once in the whole run (the serial and a per-run nonce make it unique), so
    every tier misses: no answer cached (L0/L1), not a favourite question (L2: it starts with
    "does"), no cached embedding (L3)."""
    return f"does the user like {rng.choice(THINGS)} or {rng.choice(THINGS)}? ({serial})"


def question_pool(size, rng):
    """`size` distinct questions that only the engine answers (yes/no questions: the L2 summary
    takes none), each asked by many users and so, with --vary-limit, a cached embedding (L3: keyed
    by the text alone) but rarely a cached answer (L0/L1: keyed by user, version and limit too)."""
    pool = set()
    while len(pool) < min(size, len(THINGS) ** 2 * len(CITIES)):
        pool.add(f"does the user talk about {rng.choice(THINGS)} and {rng.choice(THINGS)} in {rng.choice(CITIES)}?")
    return sorted(pool)


class Zipf:
    """Ranks 1..n with P(k) proportional to 1 / k^s, sampled by inverse CDF."""

    def __init__(self, n, s, rng):
        weights = [1 / (k ** s) for k in range(1, n + 1)]
        total = sum(weights)
        self.cdf, acc = [], 0.0
        for w in weights:
            acc += w / total
            self.cdf.append(acc)
        self.rng = rng

    def sample(self):
        x = self.rng.random()
        lo, hi = 0, len(self.cdf) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self.cdf[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        return lo


Reply = namedtuple("Reply", "status body tier")  # tier: the X-Pika-Cache header of a search (l0, l1, l2, engine)


class Connection:
    """One keep-alive HTTP/1.1 connection (Content-Length bodies only, as the server sends)."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def request(self, method, path, headers, body=b""):
        for attempt in (0, 1):
            try:
                if self.writer is None:
                    self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
                head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Length: {len(body)}\r\n"
                head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
                self.writer.write(head.encode() + body)
                status_line = await self.reader.readline()
                if not status_line:
                    raise ConnectionError("closed")
                status = int(status_line.split()[1])
                length, close, tier = 0, False, None
                while True:
                    line = await self.reader.readline()
                    if line in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = line.decode("latin-1").partition(":")
                    name = name.strip().lower()
                    if name == "content-length":
                        length = int(value.strip())
                    elif name == "connection" and value.strip().lower() == "close":
                        close = True
                    elif name == "x-pika-cache":
                        tier = value.strip()
                data = await self.reader.readexactly(length) if length else b""
                if close:
                    self.close()
                return Reply(status, data, tier)
            except (ConnectionError, asyncio.IncompleteReadError, OSError):
                self.close()
                if attempt == 1:
                    raise
        raise ConnectionError("unreachable")

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Client:
    """A pool of keep-alive connections; a request waits for a free one."""

    def __init__(self, url, api_key, connections):
        match = re.match(r"http://([^:/]+):(\d+)", url)
        if not match:
            sys.exit(f"loadgen: --url must be http://HOST:PORT, not {url}")
        host, port = match.group(1), int(match.group(2))
        self.pool = asyncio.Queue()
        for _ in range(connections):
            self.pool.put_nowait(Connection(host, port))
        self.headers = {"X-API-Key": api_key, "Content-Type": "application/json"}

    async def call(self, method, path, payload=None):
        connection = await self.pool.get()
        try:
            body = json.dumps(payload).encode() if payload is not None else b""
            return await connection.request(method, path, self.headers, body)
        finally:
            self.pool.put_nowait(connection)


def scrape(text):
    """{(metric, labels): value} for the counters the report needs."""
    values = {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        match = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+([-+0-9.eEinfNa]+)$", line)
        if match:
            values[(match.group(1), match.group(2) or "")] = float(match.group(3))
    return values


def cache_rates(before, after):
    """Per layer: hits, misses and hit rate of the interval."""
    layers = {}
    for (name, labels), value in after.items():
        if name not in ("cache_hits_total", "cache_misses_total"):
            continue
        layer = re.search(r'layer="([^"]*)"', labels)
        if not layer:
            continue
        delta = value - before.get((name, labels), 0.0)
        entry = layers.setdefault(layer.group(1), {"hits": 0.0, "misses": 0.0})
        entry["hits" if name == "cache_hits_total" else "misses"] += delta
    for entry in layers.values():
        total = entry["hits"] + entry["misses"]
        entry["hit_rate"] = round(entry["hits"] / total, 4) if total else None
    return dict(sorted(layers.items()))


def server_durations(before, after):
    """Per path, from the server's own http_request_duration_seconds histogram over the interval:
    requests, and for p50/p95/p99 the upper bound of the bucket holding that percentile (the time
    from the request's head to its answer inside the server, without the generator's scheduling or
    the socket), and the shares answered within 3 and 5 ms (issue 5's search and accept targets)."""
    paths = defaultdict(dict)
    for (name, labels), value in after.items():
        if name != "http_request_duration_seconds_bucket":
            continue
        path, le = re.search(r'path="([^"]*)"', labels), re.search(r'le="([^"]*)"', labels)
        if path and le and ("search" in path.group(1) or path.group(1) == "/extract_facts"):
            paths[path.group(1)][float(le.group(1))] = value - before.get((name, labels), 0.0)
    report = {}
    for path, buckets in sorted(paths.items()):
        bounds = sorted(buckets)
        total = buckets[bounds[-1]]
        if not total:
            continue
        row = {"requests": int(total)}
        for p in (50, 95, 99):
            bound = next(b for b in bounds if buckets[b] >= p / 100 * total)
            row[f"p{p}_le_ms"] = bound * 1000 if bound != math.inf else None
        for bound in (0.003, 0.005):
            if bound in buckets:
                row[f"within_{bound * 1000:.0f}ms"] = round(buckets[bound] / total, 4)
        report[path] = row
    return report


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, math.ceil(p / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


async def seed(args):
    client = Client(args.url, args.api_key, args.connections)
    rng = random.Random(args.seed)
    started = time.monotonic()
    batches = []
    for user in range(args.users):
        remaining = args.per_user
        while remaining > 0:
            size = min(200, remaining)
            remaining -= size
            messages = [{"role": "user", "content": f"{fact(rng)} (note {user}-{remaining + i})"} for i in range(size)]
            batches.append((f"user{user}", messages))
    done = 0
    semaphore = asyncio.Semaphore(args.connections)

    async def send(user, messages):
        nonlocal done
        async with semaphore:
            payload = {"messages": messages, "user_id": user, "infer": False, "async": False}
            status, body, _ = await client.call("POST", "/v1/memories", payload)
            if status != 200:
                sys.exit(f"loadgen: seeding {user} failed: {status} {body[:200]!r}")
            done += len(messages)
            if sys.stderr.isatty():
                print(f"\rseeded {done}/{args.users * args.per_user}", end="", file=sys.stderr)

    await asyncio.gather(*(send(user, messages) for user, messages in batches))
    elapsed = time.monotonic() - started
    print(f"\nseeded {done} memories over {args.users} users in {elapsed:.1f} s ({done / elapsed:.0f}/s)", file=sys.stderr)


async def warm(args):
    """Asks every pool question once as user0 (limit 100, outside any --vary-limit range, so the
    timed phase finds no answer it left in L0/L1): their embeddings are then in L3."""
    client, pool, user = Client(args.url, args.api_key, 8), question_pool(args.pool_size, random.Random(args.seed + 1)), "user0"
    semaphore = asyncio.Semaphore(8)

    async def ask(text):
        async with semaphore:
            reply = await client.call("POST", "/search_facts", {"query": text, "user_id": user, "limit": 100})
            if reply.status != 200:
                sys.exit(f"loadgen: warming {text!r} failed: {reply.status} {reply.body[:200]!r}")

    started = time.monotonic()
    await asyncio.gather(*(ask(text) for text in pool))
    print(f"warmed L3 with {len(pool)} questions in {time.monotonic() - started:.1f} s", file=sys.stderr)


def parse_time(text):
    """Seconds since the epoch of the service's ISO 8601 timestamps (2026-11-26T03:41:07.123Z)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


async def job_latencies(client, job_ids, deadline_s):
    """Accepted → completed of each job, from its own timestamps: `created_at` is stamped when the
    route accepts it, `updated_at` when the worker records completion (the last change of a
    completed job). Jobs still queued or processing are polled until `deadline_s` has passed."""
    done, failed, waiting = [], 0, list(job_ids)
    deadline = time.monotonic() + deadline_s
    while waiting:
        still = []
        for job_id in waiting:
            reply = await client.call("GET", f"/v1/jobs/{job_id}")
            job = json.loads(reply.body) if reply.status == 200 else {}
            if job.get("status") == "completed":
                done.append((parse_time(job["updated_at"]) - parse_time(job["created_at"])) * 1000)
            elif job.get("status") == "failed" or reply.status != 200:
                failed += 1
            else:
                still.append(job_id)
        waiting = still
        if waiting:
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
    return sorted(done), failed, len(waiting)


def latency_row(values, elapsed, statuses=None):
    values = sorted(values)
    row = {"requests": len(values), "rps": round(len(values) / elapsed, 1) if elapsed else None,
           "p50_ms": round(percentile(values, 50), 2), "p95_ms": round(percentile(values, 95), 2),
           "p99_ms": round(percentile(values, 99), 2), "max_ms": round(values[-1], 2)}
    if statuses is not None:
        row["status"] = {str(k): v for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0]))}
    return row


async def load(args):
    client = Client(args.url, args.api_key, args.connections)
    rng = random.Random(args.seed)
    zipf = Zipf(args.users, args.zipf, rng)
    repeat_pools = defaultdict(list)
    latencies = defaultdict(list)
    by_tier = defaultdict(list)
    statuses = defaultdict(lambda: defaultdict(int))
    question_kinds = defaultdict(int)
    pending = set()
    modes = args.modes.split(",") if args.modes else [None]
    limits = None
    if args.vary_limit:
        low, _, high = args.vary_limit.partition("-")
        limits = (int(low), int(high or low))
        if not 1 <= limits[0] <= limits[1] <= 99:
            sys.exit("loadgen: --vary-limit takes LOW-HIGH within 1-99 (100 is the warm-up's)")
    pool = question_pool(args.pool_size, random.Random(args.seed + 1)) if args.questions == "pool" else None
    nonce = os.urandom(3).hex()  # makes --questions new unique across runs too (Redis's L3 outlives a server)
    jobs_accepted, job_ids = 0, []  # a uniform sample of the /extract_facts job ids (reservoir)

    before = scrape((await client.call("GET", "/metrics")).body.decode())

    async def fire(endpoint, method, path, payload, scheduled):
        nonlocal jobs_accepted
        try:
            reply = await client.call(method, path, payload)
            status = reply.status
        except OSError as error:
            reply, status = None, f"error:{type(error).__name__}"
        elapsed_ms = (time.monotonic() - scheduled) * 1000
        latencies[endpoint].append(elapsed_ms)
        statuses[endpoint][status] += 1
        if reply is not None and reply.tier:
            by_tier[f"{endpoint} [{reply.tier}]"].append(elapsed_ms)
        if reply is not None and status == 202 and path == "/extract_facts":
            jobs_accepted += 1
            job_id = json.loads(reply.body)["job_id"]
            if len(job_ids) < args.job_sample:
                job_ids.append(job_id)
            elif (slot := rng.randrange(jobs_accepted)) < args.job_sample:
                job_ids[slot] = job_id

    def next_request():
        user = f"user{zipf.sample()}"
        if rng.random() < args.write_rps / (args.read_rps + args.write_rps):
            text = fact(rng)
            if rng.random() < 0.5:
                return "POST /extract_facts", "POST", "/extract_facts", {"messages": [{"role": "user", "content": text}], "user_id": user}
            return "POST /v1/memories sync", "POST", "/v1/memories", {
                "messages": [{"role": "user", "content": text}], "user_id": user, "async": False}
        if args.questions == "new":
            text, kind = new_question(rng, f"{nonce}{sum(question_kinds.values())}"), "new"
        elif pool:
            text, kind = rng.choice(pool), "pool"
        else:
            text, kind = question(rng, repeat_pools[user])
            if kind != "repeat" and len(repeat_pools[user]) < 20:
                repeat_pools[user].append(text)
        question_kinds[kind] += 1
        body = {"query": text, "user_id": user, "limit": rng.randint(*limits) if limits else 10}
        mode = rng.choice(modes)
        if mode:
            body["mode"] = mode
        if rng.random() < 0.5:
            return "POST /search_facts", "POST", "/search_facts", body
        return "POST /v1/memories/search", "POST", "/v1/memories/search", body

    rate = args.read_rps + args.write_rps
    started = time.monotonic()
    scheduled = started
    sent = 0
    while True:
        scheduled += rng.expovariate(rate)
        if scheduled - started >= args.duration:
            break
        delay = scheduled - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        endpoint, method, path, payload = next_request()
        task = asyncio.ensure_future(fire(endpoint, method, path, payload, scheduled))
        pending.add(task)
        task.add_done_callback(pending.discard)
        sent += 1
    send_elapsed = time.monotonic() - started
    if pending:
        await asyncio.wait(pending, timeout=args.drain)
    elapsed = time.monotonic() - started
    await asyncio.sleep(args.settle)  # let async jobs finish so their cache effects are counted
    after = scrape((await client.call("GET", "/metrics")).body.decode())

    answered = sum(len(values) for values in latencies.values())
    report = {"duration_s": round(elapsed, 2), "offered_rps": rate, "sent": sent,
              "send_rps": round(sent / send_elapsed, 1), "answered": answered,
              "unanswered_after_drain": sent - answered, "users": args.users, "zipf_s": args.zipf,
              "modes": args.modes or "server default", "questions": args.questions,
              "limit": args.vary_limit or "10", "question_kinds": dict(question_kinds), "endpoints": {}}
    for endpoint in sorted(latencies):
        report["endpoints"][endpoint] = latency_row(latencies[endpoint], elapsed, statuses[endpoint])
    report["searches_by_tier"] = {name: latency_row(values, elapsed) for name, values in sorted(by_tier.items())}
    report["cache"] = cache_rates(before, after)
    report["server_side"] = server_durations(before, after)
    answers = {labels: after[(name, labels)] - before.get((name, labels), 0.0)
               for (name, labels) in after if name == "search_answers_total"}
    answers = {re.search(r'source="([^"]*)"', k).group(1): v for k, v in answers.items()}
    searches = sum(answers.values())
    report["answered_by"] = {source: int(n) for source, n in sorted(answers.items())}
    report["answered_by_cache"] = round((searches - answers.get("engine", 0)) / searches, 4) if searches else None
    jobs = {k[1]: after.get(k, 0) - before.get(k, 0) for k in after if k[0] == "job_processing_duration_seconds_count"}
    if jobs:
        report["jobs_done"] = sum(jobs.values())
    if job_ids:
        done, failed, unfinished = await job_latencies(client, job_ids, args.job_deadline)
        report["extract_job"] = {"accepted": jobs_accepted, "sampled": len(job_ids), "failed": failed,
                                 "unfinished": unfinished, **(latency_row(done, None) if done else {})}
    print_report(report)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(report, out, indent=2)
    print(json.dumps(report))


def print_report(report):
    print(f"offered {report['offered_rps']} req/s for {report['duration_s']} s; sent {report['sent']} "
          f"({report['send_rps']} req/s); questions {report['questions']}, limit {report['limit']}", file=sys.stderr)
    if report["unanswered_after_drain"]:
        print(f"NOT ANSWERED within the drain (--drain), so missing from the percentiles below: "
              f"{report['unanswered_after_drain']} of {report['sent']}", file=sys.stderr)
    header = f"{'endpoint':40} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    print(header + "  status", file=sys.stderr)
    for name, e in report["endpoints"].items():
        print(f"{name:40} {e['requests']:>8} {e['rps']:>7} {e['p50_ms']:>8} {e['p95_ms']:>8} {e['p99_ms']:>8}  {e['status']}",
              file=sys.stderr)
    print("searches by the tier that answered (X-Pika-Cache):", file=sys.stderr)
    for name, e in report["searches_by_tier"].items():
        print(f"{name:40} {e['requests']:>8} {e['rps']:>7} {e['p50_ms']:>8} {e['p95_ms']:>8} {e['p99_ms']:>8}", file=sys.stderr)
    if "extract_job" in report:
        j = report["extract_job"]
        print(f"extract_facts job accepted → completed: {j['sampled']} sampled of {j['accepted']}, "
              f"p50 {j.get('p50_ms')} ms, p95 {j.get('p95_ms')} ms, p99 {j.get('p99_ms')} ms, max {j.get('max_ms')} ms; "
              f"failed {j['failed']}, unfinished {j['unfinished']}", file=sys.stderr)
    print("server-side duration (its histogram: the bucket bound holding each percentile; no generator scheduling):",
          file=sys.stderr)
    for path, e in report.get("server_side", {}).items():
        print(f"{path:40} {e['requests']:>8} p50 <= {e['p50_le_ms']} ms, p95 <= {e['p95_le_ms']} ms, "
              f"p99 <= {e['p99_le_ms']} ms; within 3 ms: {e.get('within_3ms')}, within 5 ms: {e.get('within_5ms')}",
              file=sys.stderr)
    for layer, c in report["cache"].items():
        print(f"cache {layer}: hits {c['hits']:.0f}, misses {c['misses']:.0f}, hit rate {c['hit_rate']}", file=sys.stderr)
    print(f"searches answered by: {report['answered_by']} (by a cache tier: {report['answered_by_cache']})", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--api-key", default=os.environ.get("PIKA_API_KEY"))
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--connections", type=int, default=64, help="keep-alive connections (default 64)")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    commands = parser.add_subparsers(dest="command", required=True)
    seeding = commands.add_parser("seed", help="create the users' memories")
    seeding.add_argument("--per-user", type=int, default=1000)
    warming = commands.add_parser("warm", help="cache the embeddings of the question pool")
    warming.add_argument("--pool-size", type=int, default=1000, help="questions in the pool (default 1000)")
    loading = commands.add_parser("load", help="replay traffic and report")
    loading.add_argument("--duration", type=float, default=60)
    loading.add_argument("--read-rps", type=float, default=1000)
    loading.add_argument("--write-rps", type=float, default=100)
    loading.add_argument("--zipf", type=float, default=1.1, help="Zipf exponent over users (default 1.1)")
    loading.add_argument("--modes", default="", help="comma list of search modes to send; default: omit (server default)")
    loading.add_argument("--questions", choices=["mixed", "pool", "new"], default="mixed",
                         help="mixed: 50%% repeats, 30%% paraphrases, 20%% new (default); pool: drawn from --pool-size "
                              "engine-only questions (run warm first); new: every question unique")
    loading.add_argument("--pool-size", type=int, default=1000, help="questions in the pool (default 1000)")
    loading.add_argument("--vary-limit", metavar="LOW-HIGH", help="a random limit per search (default: 10)")
    loading.add_argument("--job-sample", type=int, default=300,
                         help="/extract_facts jobs whose accepted → completed time is read back (default 300)")
    loading.add_argument("--job-deadline", type=float, default=60, help="seconds to wait for sampled jobs to finish")
    loading.add_argument("--drain", type=float, default=30, help="seconds to wait for late answers")
    loading.add_argument("--settle", type=float, default=2, help="seconds before the final /metrics scrape")
    loading.add_argument("--json", help="also write the report here")
    args = parser.parse_args()
    if not args.api_key:
        sys.exit("loadgen: --api-key or $PIKA_API_KEY is required")
    asyncio.run({"seed": seed, "warm": warm, "load": load}[args.command](args))


if __name__ == "__main__":
    main()
