"""Replay recorded evaluation attempts through the agent's current mechanical fixes, without a model.

An evaluation run keeps every attempt's code (``trails/<id>.json``). This script passes each recorded
attempt through what the program strategy now does to LLM-written code before running it
(``optolab.agents.modeler.tidy_program``: cleaning, the code fixes, the fixes that read the question) and
after a solve (made-up variable bounds the solution sits at opened, ``open_active_bounds``, or all of them
when the model is infeasible, ``open_invented_bounds``),
re-solves the attempts that change in the sandbox (and those the sandbox stopped for time), and compares the
objective with the benchmark's label (relative error <= 1e-4 * max(1, |label|)). It prints every changed
attempt and how many problems would turn from wrong to right, or from right to wrong; a problem counts by its
first attempt that solves.

It measures the fixes on the failures a model really made, in seconds, but it is an estimate: in a
new run the repair conversation after a fixed attempt would differ too.

    python benchmarks/replay_fixes.py results/nl4opt-s100-seed0-program results/optibench-s150-seed0-program \
        [--data-dir ../shared/data] [--ids optibench-37 optibench-75]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


INFEASIBLE = ("infeasible", "infeasible_or_unbounded")


def close(pred: float | None, expected: float | None) -> bool:
    return pred is not None and expected is not None and abs(pred - expected) <= 1e-4 * max(1.0, abs(expected))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("runs", nargs="+", type=Path, help="evaluation run folders (results.jsonl, run.json, trails/)")
    ap.add_argument("--data-dir", default=None, help="benchmark data (default: OPTOLAB_DATA_DIR)")
    ap.add_argument("--ids", nargs="+", default=None, help="replay only these problem ids")
    args = ap.parse_args()

    import ast

    from optolab.agents.bounds import invented_var_bounds, open_active_bounds, open_invented_bounds
    from optolab.agents.modeler import tidy_program
    from optolab.agents.runner import run_code
    from optolab.evals.sources import load_eval_benchmark
    from optolab.solvers.sandbox import SandboxPool

    with SandboxPool(size=1) as pool:
        for run in args.runs:
            config = json.loads((run / "run.json").read_text())
            bench = config["config"]["benchmark"]
            items = {it.id: it for it in load_eval_benchmark(bench, data_dir=args.data_dir).items}
            records = [json.loads(line) for line in (run / "results.jsonl").read_text().splitlines() if line.strip()]
            gained, lost, changed = [], [], 0
            for rec in records:
                trail_path = run / "trails" / f"{rec['id']}.json"
                if not trail_path.exists() or rec["id"] not in items:
                    continue
                if args.ids and rec["id"] not in args.ids:
                    continue
                question = items[rec["id"]].question
                expected = rec.get("expected")
                was_right = close(rec.get("objective"), expected)
                now_right = None
                for n, attempt in enumerate(json.loads(trail_path.read_text()).get("attempts", []), 1):
                    recorded = attempt.get("code") or ""
                    tidy = tidy_program(recorded, question)
                    code, notes = tidy["code"], tidy["changes"]
                    if code is None:
                        continue
                    tidied = code.strip() != recorded.strip()
                    made_up = any(True for _ in invented_var_bounds(ast.parse(code), question))
                    # a run the sandbox stopped may finish now that the solvers changed
                    timed_out = "did not finish within" in json.dumps(attempt.get("findings") or [])
                    if not tidied and not made_up and not timed_out:
                        continue
                    out = run_code(pool, code, time_limit=30, memory_mb=2048)
                    # what the agent does after a solve: made-up bounds the solution sits at opened, solved again
                    opened = open_active_bounds(code, question, dict(out.values or {})) if out.ok else \
                        open_invented_bounds(code, question) if out.status in INFEASIBLE else None
                    if opened is not None:
                        rerun = run_code(pool, opened.code, time_limit=30, memory_mb=2048)
                        if rerun.ok:
                            out, notes = rerun, notes + opened.changes
                    elif not tidied and not timed_out:
                        continue
                    changed += 1
                    ok = close(out.objective, expected)
                    print(f"{rec['id']} attempt {n}: {attempt.get('objective')} -> {out.status} {out.objective} "
                          f"(label {expected}){'  right now' if ok else ''}")
                    for note in notes:
                        print(f"    {note}")
                    if out.ok and now_right is None:
                        now_right = ok  # the first solved attempt stands for the problem
                if now_right is True and not was_right:
                    gained.append(rec["id"])
                elif now_right is False and was_right:
                    lost.append(rec["id"])
            print(f"\n{run}: {len(records)} problems, {changed} attempts changed by the fixes; "
                  f"wrong -> right: {len(gained)} {gained}; right -> wrong: {len(lost)} {lost}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
