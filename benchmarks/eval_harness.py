"""Throughput of the evaluation harness outside the LLM: 600 generated problems end to end.

Generates word problems of three families whose optima are known in closed form (fractional
knapsack and cheapest-cover LPs solved greedily, a two-product integer plan solved by enumeration),
writes them as a JSONL benchmark, and evaluates them with a function LLM that replies with a correct
formulation at once. Everything else is real: loading the file, the agent loop (retrieval, code
writing, checks), sandboxed solving in a warm pool, scoring under the three rules, one JSON line per
problem, and the reports. Prints the seconds and problems per second (target: < 60 s on 2 cores).

    python benchmarks/eval_harness.py [--n 600] [--workers 2] [--out /tmp/optolab-eval-bench]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("alder", "birch", "cedar", "dune", "ember", "fjord", "grove", "heath")


def _name(i: int) -> str:
    """A name without digits (a number in the text that the model does not use would be flagged)."""
    return f"{WORDS[i % 8].capitalize()} {WORDS[(i // 8) % 8]}"


def knapsack(rng: random.Random, i: int) -> tuple[str, dict, float]:
    """Blend products of known profit per tonne into a mill of limited capacity (greedy is optimal)."""
    k = rng.randint(2, 4)
    names = [f"{WORDS[j].capitalize()} grain" for j in range(k)]
    keys = [f"G{j + 1}" for j in range(k)]
    profit = {key: rng.randint(20, 90) for key in keys}
    avail = {key: rng.randint(10, 60) for key in keys}
    total = sum(avail.values())
    cap = rng.randint(total // 3, total - 5)  # some grain is always left over
    parts = [f"{n} ({key}) earns ${profit[key]} per tonne and at most {avail[key]} tonnes are available"
             for n, key in zip(names, keys)]
    text = (f"The {_name(i)} mill processes up to {cap} tonnes of grain this week. " + "; ".join(parts) + ". "
            "How many tonnes of each grain should it process to maximize profit?")
    left, best = cap, 0.0
    for key in sorted(keys, key=lambda q: -profit[q]):
        take = min(avail[key], left)
        best += take * profit[key]
        left -= take
    form = {"requirements": ["maximize profit", "capacity of the mill", "availability of each grain"],
            "sets": {"grains": keys}, "parameters": {"profit": profit, "avail": avail, "capacity": cap},
            "variables": [{"name": "tonnes", "index": ["grains"], "type": "continuous", "lower": 0,
                           "description": "tonnes of grain processed"}],
            "objective": {"sense": "maximize", "expression": "sum(profit[g]*tonnes[g] for g in grains)"},
            "constraints": [{"name": "mill_capacity", "expression": "sum(tonnes[g] for g in grains) <= capacity"},
                            {"name": "available", "expression": "tonnes[g] <= avail[g]", "for_each": "g in grains"}]}
    return text, form, best


def cover(rng: random.Random, i: int) -> tuple[str, dict, float]:
    """Reach a protein target at least cost from foods of known cost and protein per kg (greedy on ratio)."""
    k = rng.randint(2, 4)
    keys = [f"F{j + 1}" for j in range(k)]
    cost = {key: rng.randint(2, 15) for key in keys}
    protein = {key: rng.randint(50, 300) for key in keys}
    cap = {key: rng.randint(5, 40) for key in keys}
    most = sum(protein[key] * cap[key] for key in keys)
    need = rng.randint(most // 5, most // 2)
    parts = [f"food {key} costs ${cost[key]} per kg, gives {protein[key]} g of protein per kg and at most "
             f"{cap[key]} kg can be bought" for key in keys]
    text = (f"The {_name(i)} kitchen needs at least {need} g of protein. " + "; ".join(parts) + ". "
            "How many kg of each food minimize the cost?")
    left, best = float(need), 0.0
    for key in sorted(keys, key=lambda q: cost[q] / protein[q]):
        kg = min(cap[key], left / protein[key])
        best += kg * cost[key]
        left -= kg * protein[key]
        if left <= 1e-12:
            break
    form = {"requirements": ["minimize cost", "protein target", "purchase limit per food"],
            "sets": {"foods": keys}, "parameters": {"cost": cost, "protein": protein, "cap": cap, "need": need},
            "variables": [{"name": "kg", "index": ["foods"], "type": "continuous", "lower": 0,
                           "description": "kg of food bought"}],
            "objective": {"sense": "minimize", "expression": "sum(cost[f]*kg[f] for f in foods)"},
            "constraints": [{"name": "protein_target", "expression": "sum(protein[f]*kg[f] for f in foods) >= need"},
                            {"name": "limit", "expression": "kg[f] <= cap[f]", "for_each": "f in foods"}]}
    return text, form, best


def plan(rng: random.Random, i: int) -> tuple[str, dict, float]:
    """Two integer products sharing work hours, with a sales limit (solved by enumeration)."""
    h1, h2 = rng.randint(3, 9), rng.randint(2, 6)
    p1, p2 = rng.randint(40, 120), rng.randint(20, 70)
    hours = rng.randint(40, 120)
    limit = rng.randint(2, hours // h1)
    text = (f"The {_name(i)} workshop makes desks and shelves. A desk needs {h1} hours of work and earns ${p1}; "
            f"a shelf needs {h2} hours and earns ${p2}. There are {hours} hours of work, and at most {limit} "
            "desks can be sold. How many of each should be made to maximize profit?")
    best = max(p1 * d + p2 * ((hours - h1 * d) // h2) for d in range(0, limit + 1))
    form = {"requirements": ["maximize profit", "work hours", "desk sales limit", "whole desks and shelves"],
            "variables": [{"name": "desks", "type": "integer", "description": "desks made"},
                          {"name": "shelves", "type": "integer", "description": "shelves made"}],
            "objective": {"sense": "maximize", "expression": f"{p1}*desks + {p2}*shelves"},
            "constraints": [{"name": "hours", "expression": f"{h1}*desks + {h2}*shelves <= {hours}"},
                            {"name": "desk_sales", "expression": f"desks <= {limit}"}]}
    return text, form, float(best)


FAMILIES = {"knapsack": knapsack, "cover": cover, "plan": plan}


def generate(n: int, seed: int = 0) -> tuple[list[dict], dict[str, dict]]:
    """``n`` benchmark records (generic JSONL format) and the correct formulation of each question."""
    rng = random.Random(seed)
    rows, forms = [], {}
    names = list(FAMILIES)
    for i in range(n):
        family = names[i % len(names)]
        text, form, best = FAMILIES[family](rng, i)
        linear = "linear"
        tags = [linear, f"family:{family}", "integer" if family == "plan" else "continuous"]
        rows.append({"id": f"{family}-{i:04d}", "question": text, "objective": round(best, 9), "tags": tags})
        forms[text] = form
    return rows, forms


def formulation_llm(forms: dict[str, dict]):
    """A function LLM that answers each generated question with its formulation."""
    from optolab.testing import FunctionLLM

    def reply(messages):
        question = messages[-1]["content"].split("Problem:\n", 1)[-1].strip()
        for m in reversed(messages):  # a repair request: the question is in an earlier message
            if m["role"] == "user" and m["content"].startswith("Problem:\n"):
                question = m["content"].split("Problem:\n", 1)[1].strip()
                break
        return forms[question]

    return FunctionLLM(reply, model="generated-formulations", max_concurrency=8)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=600)
    ap.add_argument("--workers", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None, help="run folder (default: a new temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the run folder")
    args = ap.parse_args()

    from optolab.evals.runner import evaluate
    from optolab.evals.sources import load_eval_benchmark

    tmp = Path(tempfile.mkdtemp(prefix="optolab-eval-bench-"))
    out = args.out or tmp / "run"
    if out.exists():
        shutil.rmtree(out)
    rows, forms = generate(args.n, args.seed)
    data = tmp / "generated.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    llm = formulation_llm(forms)
    t0 = time.perf_counter()
    bench = load_eval_benchmark(str(data))
    result = evaluate(bench, out, llm=llm, workers=args.workers)
    seconds = time.perf_counter() - t0
    s = result.summary
    lines = sum(1 for _ in (out / "results.jsonl").open(encoding="utf-8"))
    print(f"{len(bench)} problems, {args.workers} workers: {seconds:.1f} s end to end, "
          f"{len(bench) / seconds:.1f} problems/s (target < 60 s on 2 cores)")
    print("accuracy: " + ", ".join(f"{r} {s.overall[r].accuracy:.1f}%" for r in s.rules)
          + f"; error types {s.error_types}; {lines} JSON lines; LLM calls {s.llm_calls}")
    print(f"per problem: mean {s.seconds.mean * 1000:.0f} ms, median {s.seconds.median * 1000:.0f} ms, "
          f"p90 {s.seconds.p90 * 1000:.0f} ms (per worker); reports: {', '.join(p.name for p in result.reports[:3])}")
    if args.keep or args.out:
        print(f"run folder: {out}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if s.overall["rel_1e-6_objective"].correct == len(bench) else 1


if __name__ == "__main__":
    sys.exit(main())
