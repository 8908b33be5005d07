"""Runs one benchmark step as a child process pinned to given CPUs and measures it.

Each step gets its own process so that its peak RSS (from wait4's rusage, which covers only
that child) is its own. `taskset` execs the command in place, so the pid we wait on is the
engine's own process.
"""

import collections
import json
import os
import subprocess
import sys
import time

# Keep every BLAS/OpenMP pool to one thread unless a step asks for more CPUs.
_ENV_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class StepFailed(RuntimeError):
    pass


# records: stdout lines that parse as JSON objects, in order; peak_rss in bytes; cpu_s is the
# child's user + system CPU time, which a shared machine inflates far less than wall time.
Step = collections.namedtuple("Step", "records peak_rss wall_s cpu_s")


def run(cmd, cpus="0", label=None):
    """Runs cmd under `taskset -c cpus` and returns a Step."""
    env = dict(os.environ)
    threads = str(len(cpus.split(",")))
    for var in _ENV_THREAD_VARS:
        env[var] = threads
    full = ["taskset", "-c", cpus] + [str(c) for c in cmd]
    if label:
        print(f"bench: {label}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    proc = subprocess.Popen(full, stdout=subprocess.PIPE, env=env, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise StepFailed(f"{' '.join(full)} exited {proc.returncode}; stdout tail: {out[-500:]}")
    records = []
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return Step(records, usage.ru_maxrss * 1024, wall, usage.ru_utime + usage.ru_stime)


def disk_bytes(path):
    """Bytes of a saved index: a file, or every file under a directory."""
    if os.path.isfile(path):
        return os.path.getsize(path)
    total = 0
    for root, _, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    return total
