"""Overhead of running model code in the sandbox, next to solving the same model in-process.

Prints the cold start of a worker, the time per run through a warm pool, the time to build and
solve the same model directly, and their difference: the sandbox overhead (target < 0.3 s).

    python benchmarks/sandbox_overhead.py [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

CODE = """
import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.I = pyo.RangeSet(1, 20)
model.x = pyo.Var(model.I, bounds=(0, 10))
model.o = pyo.Objective(expr=sum(i * model.x[i] for i in model.I), sense=pyo.maximize)
model.cap = pyo.Constraint(expr=sum(model.x[i] for i in model.I) <= 50)
"""


def direct() -> float:
    from optolab.solvers import solve

    t0 = time.perf_counter()
    ns: dict = {}
    exec(CODE, ns)
    solve(ns["model"])
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    from optolab.solvers.sandbox import SandboxPool

    t0 = time.perf_counter()
    pool = SandboxPool(size=1)
    first = pool.run(CODE)
    cold = time.perf_counter() - t0
    if not first.ok:
        print(f"the sandbox could not run the model: {first.status}: {first.error}", file=sys.stderr)
        pool.close()
        return 1
    warm = [pool.run(CODE).seconds for _ in range(args.runs)]
    pool.close()
    direct()  # warm the in-process imports
    inproc = [direct() for _ in range(args.runs)]
    w, d = statistics.median(warm), statistics.median(inproc)
    print(f"cold start (worker start + first run): {cold:.3f} s")
    print(f"warm sandbox run, median of {args.runs}:  {w * 1000:.1f} ms")
    print(f"in-process build + solve, median:      {d * 1000:.1f} ms")
    print(f"sandbox overhead per run:              {(w - d) * 1000:.1f} ms (target < 300 ms); ratio {w / d:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
