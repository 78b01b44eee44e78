"""Training records from the instance generators, with no LLM in the loop.

Each record pairs a generator instance's plain statement (its ``facts``, every number present)
with the formulation, code and optimum the generator solved. These are the verified half of the
forward pipeline without the back-translation step, so a fine-tuning run can start before any
model has written questions; ``optolab synth forward`` makes the natural-language version.

    python benchmarks/sft_records.py --per-class 16 --complexity 1-3 --out runs/sft/records.jsonl
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-class", type=int, default=16)
    ap.add_argument("--complexity", default="1-3", help="a range such as 1-3")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=Path("runs/sft/records.jsonl"))
    args = ap.parse_args()

    from optolab.synth.generators import generate, generators

    lo, _, hi = args.complexity.partition("-")
    levels = list(range(int(lo), int(hi or lo) + 1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    t0, kept, skipped = time.perf_counter(), 0, 0
    with args.out.open("w", encoding="utf-8") as fh:
        for name in sorted(generators()):
            for i in range(args.per_class):
                seed, complexity = args.seed + i, levels[i % len(levels)]
                inst = generate(name, seed, complexity)
                if inst.optimum is None or inst.formulation is None:
                    skipped += 1
                    continue
                rec = {"id": f"{name}-{seed}-c{complexity}", "question": inst.facts, "optimum": inst.optimum,
                       "code": inst.code, "formulation": inst.formulation, "class": inst.problem_class,
                       "complexity": complexity,
                       "provenance": {"generator": name, "seed": seed, "question": "generator facts"}}
                fh.write(json.dumps(rec) + "\n")
                kept += 1
    print(f"{kept} records ({skipped} without an optimum) from {len(generators())} generators in "
          f"{time.perf_counter() - t0:.1f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
