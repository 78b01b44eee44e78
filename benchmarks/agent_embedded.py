"""The modeling agent on optolab's embedded problem set, with a real model.

For each problem: solve with the agent, compare with the verified optimum (relative error
<= 1e-4 * max(1, |optimum|)), and record wall time, time inside the LLM and tokens. Results are
appended to a JSONL file as each problem finishes, so an interrupted run resumes where it stopped.
Prints accuracy, mean wall time per problem and the share of time spent outside the LLM
(target: >= 70% solved, < 5% outside the LLM).

    python benchmarks/agent_embedded.py [--model local] [--strategy program|formulation|both] [--limit N] [--out runs/embedded.jsonl]

(`optolab eval embedded` runs the same problems through the evaluation harness, with reports.)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def correct(pred: float | None, expected: float) -> bool:
    return pred is not None and abs(pred - expected) <= 1e-4 * max(1.0, abs(expected))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="local", help="'local' or a litellm model name")
    ap.add_argument("--api-base", default=None)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--ids", nargs="*", help="only these problem ids")
    ap.add_argument("--samples", type=int, default=1)
    ap.add_argument("--strategy", choices=("formulation", "program", "both"), default="program")
    ap.add_argument("--out", type=Path, default=Path("runs/embedded.jsonl"))
    args = ap.parse_args()

    from optolab.agents import Modeler
    from optolab.agents.modeler import strategies_of
    from optolab.llm import LLM
    from optolab.problems import load_problems

    problems = load_problems(ids=args.ids) if args.ids else load_problems()
    if args.limit:
        problems = problems[: args.limit]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    done = {}
    if args.out.exists():
        for line in args.out.read_text().splitlines():
            if line.strip():
                rec = json.loads(line)
                done[rec["id"]] = rec
    other = sorted({r.get("strategy", "formulation") for r in done.values()} - {args.strategy})
    if other:
        sys.exit(f"{args.out} holds results of the {', '.join(other)} strategy; use another --out to run "
                 f"--strategy {args.strategy}")
    llm = LLM(args.model, api_base=args.api_base, max_tokens=1500)
    todo = [p for p in problems if p.id not in done]
    print(f"{len(problems)} problems, {len(done)} already done, {len(todo)} to run -> {args.out}", flush=True)
    # worked examples that are near-copies of a test question are never shown (no leakage)
    with Modeler(llm, samples=args.samples, strategies=strategies_of(args.strategy),
                 max_example_overlap=0.4) as agent, args.out.open("a") as fh:
        for i, p in enumerate(todo, 1):
            t0 = time.perf_counter()
            s = agent.solve(p.text)
            rec = {"id": p.id, "strategy": args.strategy, "class": p.problem_class, "expected": p.objective, "predicted": s.objective,
                   "status": s.status, "correct": correct(s.objective, p.objective), "attempts": len(s.attempts),
                   "seconds": time.perf_counter() - t0, "llm_seconds": s.llm_seconds,
                   "prompt_tokens": s.prompt_tokens, "completion_tokens": s.completion_tokens,
                   # what each attempt tried and what the check said, for looking into failures
                   "trail": [{"status": a.status, "objective": a.objective, "findings": a.findings,
                              "error": a.error, "formulation": a.formulation} for a in s.attempts]}
            fh.write(json.dumps(rec) + "\n")
            fh.flush()
            done[p.id] = rec
            ok = sum(r["correct"] for r in done.values())
            print(f"[{i}/{len(todo)}] {p.id}: {s.status} {s.objective} (expected {p.objective}) "
                  f"{'OK' if rec['correct'] else 'WRONG'} {rec['seconds']:.0f}s | running {ok}/{len(done)}", flush=True)
    recs = [done[p.id] for p in problems if p.id in done]
    n = len(recs)
    if not n:
        return 0
    ok = sum(r["correct"] for r in recs)
    wall = sum(r["seconds"] for r in recs)
    llm_s = sum(r["llm_seconds"] for r in recs)
    print(f"\nsolved to the right optimum: {ok}/{n} = {100 * ok / n:.1f}% (target >= 70%)")
    print(f"mean wall time per problem: {wall / n:.1f} s; share outside the LLM: {100 * (wall - llm_s) / wall:.1f}% "
          f"(target < 5%)")
    by_class: dict[str, list[bool]] = {}
    for r in recs:
        by_class.setdefault(r["class"], []).append(r["correct"])
    print("by class: " + ", ".join(f"{k} {sum(v)}/{len(v)}" for k, v in sorted(by_class.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
