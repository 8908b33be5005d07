"""A new user's new questions, side by side: issue 18's "rest of a search" target.

Starts one `pika serve` per configuration on its own fresh data directory, gives one user 100
memories (loadgen.py's facts, one synchronous add), then asks sequential hybrid searches over HTTP,
each question new (no cached answer or embedding), taking the servers in turn request by request so
that every configuration sees the same machine load. Prints one JSON line per configuration: client
p50/p95 (ms, HTTP included, keep-alive connection) and the server's CPU per search (/proc, ms).

Usage: python3 Benchmarks/service/new_question.py --pika BIN [--searches 400] [--model-dir DIR]
           [--config NAME=EMBEDDER[:PRECISION][@BINARY]]... [--server-env NAME:VAR=VALUE]...
Default configurations: hashing=hashing, fp32=minilm:fp32, int8=minilm:int8. The hashing embedder's
p50 is the proxy for everything in a search but the model. `@BINARY` runs that configuration on
another pika (e.g. an older build, for a before/after ratio in one run).
"""
import argparse
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loadgen import THINGS, fact  # noqa: E402  (the same facts and topics as the load benchmark)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    def __init__(self, name, spec, args):
        self.name = name
        spec, _, binary = spec.partition("@")
        embedder, _, precision = spec.partition(":")
        self.directory = tempfile.mkdtemp(prefix=f"pika-newq-{name}.")
        self.port = free_port()
        self.key = "newq-" + os.urandom(8).hex()
        env = dict(os.environ, PIKA_LOG_LEVEL="warning")
        env.pop("PIKA_EMBEDDING_PRECISION", None)
        if precision:
            env["PIKA_EMBEDDING_PRECISION"] = precision
        env.update(dict(item.split("=", 1) for item in args.env.get(name, [])))
        self.log = open(os.path.join(self.directory, "serve.log"), "w")
        self.process = subprocess.Popen(
            [binary or args.pika, "serve", "--data-dir", os.path.join(self.directory, "data"), "--port", str(self.port),
             "--api-key", self.key, "--embedder", embedder, "--model-dir", args.model_dir, "--rate-limit", "1000000"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.connection = None
        self.times = []

    def wait_ready(self):
        for _ in range(1200):
            if self.process.poll() is not None:
                sys.exit(f"{self.name}: pika serve exited; see {self.directory}/serve.log")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/readyz")
                if connection.getresponse().status == 200:
                    self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
                    return
            except OSError:
                pass
            time.sleep(0.1)
        sys.exit(f"{self.name}: not ready")

    def call(self, path, body):
        self.connection.request("POST", path, json.dumps(body), {"X-API-Key": self.key, "Content-Type": "application/json"})
        response = self.connection.getresponse()
        payload = response.read()
        if response.status != 200:
            sys.exit(f"{self.name}: {path} answered {response.status}: {payload[:300]!r}")
        return json.loads(payload)

    def stop(self):
        self.process.terminate()
        self.process.wait()
        self.log.close()
        shutil.rmtree(self.directory, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pika", required=True)
    parser.add_argument("--model-dir", default=os.environ.get("PIKA_MODEL_DIR", "models/all-MiniLM-L6-v2"))
    parser.add_argument("--searches", type=int, default=400, help="measured searches per configuration")
    parser.add_argument("--warmup", type=int, default=30, help="searches per configuration before measuring")
    parser.add_argument("--memories", type=int, default=100)
    parser.add_argument("--config", action="append", metavar="NAME=EMBEDDER[:PRECISION]")
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME:VAR=VALUE",
                        help="an extra environment variable for one configuration's server")
    args = parser.parse_args()
    args.env = {}
    for item in args.server_env:
        name, _, setting = item.partition(":")
        args.env.setdefault(name, []).append(setting)
    configs = args.config or ["hashing=hashing", "fp32=minilm:fp32", "int8=minilm:int8"]
    servers = [Server(*c.split("=", 1), args) for c in configs]
    try:
        for server in servers:
            server.wait_ready()
        rng = random.Random(5)
        messages = [{"role": "user", "content": fact(rng)} for _ in range(args.memories)]
        for server in servers:
            for start in range(0, len(messages), 200):  # an add takes at most 200 messages
                server.call("/v1/memories", {"user_id": "newcomer", "messages": messages[start:start + 200], "infer": False, "async": False})
        load_before = os.getloadavg()[0]
        # Every server starts on a fresh data directory, so its caches hold no question yet: the
        # counter alone makes each question new. (A random nonce here gave each run its own number of
        # WordPiece tokens, and fp32's cost moved with it by half from run to run.)
        for phase, count in (("warmup", args.warmup), ("measure", args.searches)):
            cpu = {s.name: cpu_seconds(s.process.pid) for s in servers}
            for n in range(count):
                question = f"does the user like {rng.choice(THINGS)} or {rng.choice(THINGS)}? ({phase} {n})"
                for server in servers:
                    began = time.perf_counter()
                    answer = server.call("/v1/memories/search",
                                         {"user_id": "newcomer", "query": question, "mode": "hybrid", "limit": 10})
                    elapsed = (time.perf_counter() - began) * 1000
                    if not answer.get("results"):
                        sys.exit(f"{server.name}: no results for {question!r}")
                    if phase == "measure":
                        server.times.append(elapsed)
        for server in servers:
            times = sorted(server.times)
            print(json.dumps({
                "config": server.name, "searches": len(times), "p50_ms": round(statistics.median(times), 2),
                "p95_ms": round(times[int(len(times) * 0.95)], 2),
                "server_cpu_ms_per_search": round((cpu_seconds(server.process.pid) - cpu[server.name]) * 1000 / len(times), 2),
                "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)]}))
    finally:
        for server in servers:
            server.stop()


if __name__ == "__main__":
    main()
