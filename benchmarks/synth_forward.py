"""Throughput of forward synthesis: verified (question, model) pairs per hour and yield per class.

Runs the forward pipeline (instance -> word problem -> numbers check and critic -> the agent models
it -> accepted when the optima match) with a real model for a time budget or a number of instances,
into a resumable run folder, and prints verified pairs per hour, the yield per generator, the
rejection reasons and the tokens per verified pair. Instances are taken round-robin over the
generators, so a time budget covers every class.

    python benchmarks/synth_forward.py [--model local] [--minutes 30 | --count 40] [--generators a,b]
    python benchmarks/synth_forward.py --scripted --count 57      # the pipeline without a model

``--scripted`` replaces the model by one that restates the facts and answers with each instance's own
reference formulation: it measures what the pipeline costs outside the LLM (generation, checks,
sandboxed solving, bookkeeping).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import tempfile
import time
from pathlib import Path


def scripted_llm(instances: dict[str, object]):
    """A model that restates the facts, accepts as critic, and formulates with the instance's reference."""
    from optolab.testing import FunctionLLM

    def fn(messages):
        prompt = messages[-1]["content"]
        if messages[0]["role"] == "system" and "operations research expert" in messages[0]["content"]:
            return next(inst.formulation for facts, inst in instances.items() if facts in prompt)
        if "You check a word problem" in prompt:
            return {"ok": True, "problems": []}
        facts = re.split(r"\n\n(?:Word problem|Tables printed with the word problem):", prompt.split("Statement:\n", 1)[1],
                         maxsplit=1)[0]
        return f"A planner faces this decision. {facts} What is the best plan?"

    return FunctionLLM(fn, model="scripted")


def interleave(units):
    by_class: dict[str, list] = {}
    for u in units:
        by_class.setdefault(u.generator, []).append(u)
    rows = list(by_class.values())
    return [row[i] for i in range(max(map(len, rows))) for row in rows if i < len(row)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="local", help="'local' (default: Qwen2.5-Coder-1.5B) or a litellm name")
    ap.add_argument("--api-base", default=None, help="OpenAI-compatible server(s) for --model")
    ap.add_argument("--generators", default=None, help="comma-separated generator names (default: all)")
    ap.add_argument("--complexity", default="1-2", help="complexity levels taken in turn (default 1-2)")
    ap.add_argument("--minutes", type=float, default=None, help="time budget: start no instance after this")
    ap.add_argument("--count", type=int, default=None, help="number of instances (default: 2 per generator)")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1000, help="first seed (default 1000, away from test seeds)")
    ap.add_argument("--max-refine", type=int, default=2)
    ap.add_argument("--agent-strategy", choices=["formulation", "program", "both"], default="formulation",
                    help="how the verifying agent models (default formulation)")
    ap.add_argument("--tables", choices=["auto", "always", "never"], default="auto",
                    help="data tables in the word problems (default auto: when they hold 6 numbers or more)")
    ap.add_argument("--scripted", action="store_true", help="no model: measure the pipeline itself")
    ap.add_argument("--out", type=Path, default=None, help="run folder (resumed; default: a temporary folder)")
    args = ap.parse_args()

    from optolab.synth.forward import ForwardPipeline, parse_complexity

    names = [g.strip() for g in args.generators.split(",")] if args.generators else None
    levels = parse_complexity(args.complexity)
    probe = ForwardPipeline(object(), names)  # resolves the generators; never calls its client
    n_gen = len(probe.generators)
    count = args.count or (10_000 if args.minutes else 2 * n_gen)
    per_class = math.ceil(count / n_gen)
    units = interleave(probe.units(per_class, levels, seed=args.seed))[:count]
    if args.scripted:
        instances = {}
        for u in units:
            inst = probe.instance(u)
            instances[inst.facts] = inst
        llm = scripted_llm(instances)
    else:
        from optolab.llm import LLM

        llm = LLM(args.model, api_base=args.api_base, max_tokens=1500, max_concurrency=max(4, 2 * args.workers))
    from optolab.agents.modeler import strategies_of

    pipe = ForwardPipeline(llm, list(probe.generators.values()), max_refine=args.max_refine,
                           modeler_options={"strategies": strategies_of(args.agent_strategy)}, tables=args.tables)
    out = args.out or Path(tempfile.mkdtemp(prefix="synth-forward-"))
    budget = args.minutes * 60 if args.minutes else None
    print(f"{len(units)} instances of {n_gen} generators (complexity {args.complexity}) with {pipe.model}, "
          f"{args.workers} worker(s)" + (f", budget {args.minutes:g} min" if budget else "") + f" -> {out}",
          flush=True)
    t0 = time.perf_counter()
    result = pipe.run(out, units, workers=args.workers, time_budget=budget, contamination=False)
    wall = time.perf_counter() - t0
    s = result.summary
    run = s["this_run"]
    print(f"\n{run['units']} instances this run in {wall:.1f} s ({wall / max(1, run['units']):.2f} s each): "
          f"{run['accepted']} verified pairs, {run['accepted'] * 3600 / wall:.1f} verified pairs per hour")
    print(f"whole folder: {s['generated']} instances, {s['accepted']} verified, yield "
          f"{100 * (s['yield'] or 0):.1f}%, {s['tokens']['per_accepted'] or '-'} tokens per verified pair")
    if s["rejected_by_reason"]:
        print("rejected: " + ", ".join(f"{k} {v}" for k, v in s["rejected_by_reason"].items()))
    print(f"\n{'generator':<22}{'class':<7}{'instances':>10}{'verified':>10}{'yield':>8}")
    classes = {}
    for rec in _records(out):
        classes.setdefault(rec["family"], rec.get("class") or "")
    for name, f in s["per_family"].items():
        print(f"{name:<22}{classes.get(name, ''):<7}{f['generated']:>10}{f['accepted']:>10}"
              f"{100 * (f['yield'] or 0):>7.0f}%")
    split = {}
    for rec in _records(out):
        row = split.setdefault("with tables" if rec.get("table") else "text only", [0, 0])
        row[0] += 1
        row[1] += rec.get("verdict") == "accepted"
    print("\n" + ", ".join(f"{k}: {a}/{n} verified" for k, (n, a) in sorted(split.items())))
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def _records(out: Path):
    from optolab.synth.store import read_jsonl

    for name in ("accepted.jsonl", "hard_cases.jsonl"):
        yield from read_jsonl(out / name).records


if __name__ == "__main__":
    sys.exit(main())
