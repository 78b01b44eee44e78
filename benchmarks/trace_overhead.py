"""Tracing overhead of optolab.trace next to Microsoft's Trace (PyPI ``trace-opt``, import ``opto``).

For chains and wide fan-ins of 1,000 and 10,000 decorated calls it measures, in one run and
in fresh subprocesses so the two libraries never share a heap:

- time per node to trace the workflow,
- time of ``backward`` from the output to the one parameter,
- peak traced memory (tracemalloc) while building the graph.

It prints a table and the ratios optolab / trace-opt (target: <= 0.5 for all three).
``trace-opt`` is only needed here: ``pip install trace-opt`` in the benchmark's environment.

    python benchmarks/trace_overhead.py [--sizes 1000 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

WORKER = r'''
import gc, json, sys, time, tracemalloc
lib, shape, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.setrecursionlimit(max(10000, 4 * n + 1000))
if lib == "optolab":
    from optolab import trace as T
    node, bundle = T.node, T.node
    def make_param(v):
        return T.node(v, trainable=True, name="x")
    def backward(out):
        out.backward("increase the result")
else:
    import opto.trace as T
    node, bundle = T.node, T.bundle
    def make_param(v):
        return T.node(v, trainable=True, name="x")
    def backward(out):
        out.backward("increase the result")

@bundle()
def inc(a):
    """Add one."""
    return a + 1

@bundle()
def combine(a, b):
    """Add two values."""
    return a + b

def build(x):
    if shape == "chain":
        cur = x
        for _ in range(n):
            cur = inc(cur)
        return cur
    # fan-in: n calls that each read the parameter, folded pairwise into one output
    level = [inc(x) for _ in range(n)]
    while len(level) > 1:
        nxt = [combine(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]

def calls():
    return n if shape == "chain" else n + (n - 1)

gc.collect()
x = make_param(1)
t0 = time.perf_counter()
out = build(x)
t1 = time.perf_counter()
backward(out)
t2 = time.perf_counter()
del out
x = None
gc.collect()
x = make_param(1)
gc.collect()
tracemalloc.start()
out = build(x)
_, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
print(json.dumps({"per_node_us": (t1 - t0) / calls() * 1e6, "backward_ms": (t2 - t1) * 1e3,
                  "peak_mib": peak / 2**20}))
'''


def run(worker: Path, lib: str, shape: str, n: int, repeat: int) -> dict | None:
    best: dict | None = None
    for _ in range(repeat):
        proc = subprocess.run([sys.executable, str(worker), lib, shape, str(n)], capture_output=True, text=True)
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["?"]
            print(f"  {lib} {shape} {n}: failed: {tail[0]}", file=sys.stderr)
            return None
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        if best is None:
            best = r
        else:
            best = {k: min(best[k], r[k]) for k in r}
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--repeat", type=int, default=3, help="runs per cell; the best is kept")
    args = ap.parse_args()
    try:
        import opto  # noqa: F401
        have_peer = True
    except ImportError:
        have_peer = False
        print("trace-opt is not installed (pip install trace-opt): printing optolab figures only\n")

    header = f"{'shape':<7} {'calls':>6} | {'metric':<14} | {'optolab':>10} | {'trace-opt':>10} | {'ratio':>6}"
    print(header)
    print("-" * len(header))
    worst = {}
    # trace-opt reads decorated functions' source, so the worker must be a real file
    tmp = tempfile.TemporaryDirectory(prefix="optolab-bench-")
    worker = Path(tmp.name) / "trace_worker.py"
    worker.write_text(WORKER)
    for shape in ("chain", "fanin"):
        for n in args.sizes:
            ours = run(worker, "optolab", shape, n, args.repeat)
            peer = run(worker, "opto", shape, n, args.repeat) if have_peer else None
            for key, label in (("per_node_us", "us per node"), ("backward_ms", "backward ms"), ("peak_mib", "peak MiB")):
                a = ours[key] if ours else float("nan")
                b = peer[key] if peer else float("nan")
                ratio = a / b if peer and ours and b > 0 else float("nan")
                if ratio == ratio:
                    worst[label] = max(worst.get(label, 0.0), ratio)
                print(f"{shape:<7} {n:>6} | {label:<14} | {a:>10.3f} | {b:>10.3f} | {ratio:>6.2f}")
    tmp.cleanup()
    if worst:
        print("\nworst ratio optolab/trace-opt (target <= 0.50): "
              + ", ".join(f"{k}: {v:.2f}" for k, v in worst.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
