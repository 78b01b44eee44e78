"""``optolab synth``: synthesize training data and check it against the evaluation benchmarks.

    optolab synth forward --generators knapsack,transportation --per-class 20 --complexity 1-3 --out DIR
    optolab synth reverse --seeds FILE[,FILE] --n 100 --out DIR
    optolab synth contamination FILE.jsonl [--benchmarks optibench,nl4opt] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

# options shared by the two pipelines: (flags, argparse options)
COMMON: list[tuple[tuple[str, ...], dict[str, Any]]] = [
    (("--out",), {"metavar": "DIR", "required": True,
                  "help": "run folder: accepted.jsonl, hard_cases.jsonl, summary.json, run.json (resumed if it "
                          "exists)"}),
    (("--model",), {"help": "LLM that writes the problems: 'local' (default) or a litellm name like openai/qwen"}),
    (("--api-base",), {"metavar": "URL[,URL...]", "help": "OpenAI-compatible server(s) for --model"}),
    (("--llm",), {"metavar": "MODULE:NAME", "help": "a Python-defined client instead of --model (NAME in MODULE or "
                                                    "FILE.py: a client or a function returning one)"}),
    (("--agent-model",), {"help": "a different LLM for the modeling agent that verifies the problems "
                                  "(default: the same as --model)"}),
    (("--timeout",), {"type": float, "metavar": "SECONDS", "help": "seconds per LLM request"}),
    (("--workers",), {"type": int, "default": 1, "metavar": "K", "help": "units processed in parallel (default 1)"}),
    (("--seed",), {"type": int, "default": 0, "help": "first seed (default 0)"}),
    (("--temperature",), {"type": float, "default": None, "help": "sampling temperature of the writing calls"}),
    (("--max-tokens",), {"type": int, "default": 1500, "help": "tokens per reply (default 1500)"}),
    (("--attempts",), {"type": int, "default": 3, "help": "the agent's formulate plus repair rounds (default 3)"}),
    (("--shots-agent",), {"type": int, "default": 2, "help": "worked examples shown to the agent (default 2)"}),
    (("--agent-strategy",), {"choices": ["formulation", "program", "both"], "default": "program",
                             "help": "how the agent models: 'program' (default: it writes Pyomo code; records "
                                     "carry code), 'formulation' (records carry its formulation JSON) or 'both'"}),
    (("--time-limit",), {"type": float, "default": 30.0, "help": "solver time limit in seconds (default 30)"}),
    (("--tolerance",), {"type": float, "default": 1e-4,
                        "help": "relative tolerance of optimum checks: |a-b| <= tol*max(1,|b|) (default 1e-4)"}),
    (("--time-budget",), {"type": float, "metavar": "SECONDS", "help": "start no new unit after this many seconds"}),
    (("--stop-after",), {"type": int, "default": 10, "metavar": "N",
                         "help": "stop when N units in a row fail with exceptions or server errors (0: never)"}),
    (("--data-dir",), {"help": "benchmark folder for the contamination check at the end (default $OPTOLAB_DATA_DIR)"}),
    (("--benchmarks",), {"metavar": "NAME[,NAME...]", "help": "benchmarks for that check (default: all found)"}),
    (("--no-contamination",), {"action": "store_true", "help": "skip the contamination check at the end"}),
    (("--no-progress",), {"action": "store_true", "help": "no progress bar"}),
    (("--json",), {"action": "store_true", "help": "print the summary as JSON"}),
]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "synth", help="synthesize verified training problems (forward, reverse) and check for contamination",
        description="Synthesize optimization word problems with verified Pyomo models. 'forward' verbalizes solved "
                    "instances of the instance generators and keeps a question when the modeling agent finds the "
                    "generator's optimum; 'reverse' invents new step-by-step scenarios from seed scenarios and keeps "
                    "the questions the agent solves to optimality; 'contamination' measures n-gram overlap with the "
                    "evaluation benchmarks and drops near-copies. Rerun a command to resume its --out folder.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  optolab synth forward --generators knapsack,transportation --per-class 20 "
               "--complexity 1-3 --out runs/synth-fwd --workers 2\n"
               "  optolab synth reverse --seeds builtin,../shared/data/resocratic/prompt/synthesis/pool --n 100 "
               "--out runs/synth-rev\n"
               "  optolab synth contamination runs/synth-fwd/accepted.jsonl --data-dir ../shared/data")
    kinds = p.add_subparsers(dest="synth_command", metavar="PIPELINE")

    fwd = kinds.add_parser("forward", help="verbalize generated instances; keep what the agent verifies",
                           description="Forward synthesis: generator instance -> word problem (LLM) -> numbers check "
                                       "and critic, refined up to --max-refine times -> the agent models it; accepted "
                                       "when its optimum matches the generator's.")
    fwd.add_argument("--generators", default=None, metavar="NAME[,NAME...]",
                     help="instance generators (registry names or unique prefixes; default: all)")
    fwd.add_argument("--per-class", type=int, default=10, metavar="N", help="instances per generator (default 10)")
    fwd.add_argument("--complexity", default="2", metavar="LEVELS",
                     help="complexity levels taken in turn: 2, 1-3 or 1,3 (default 2)")
    fwd.add_argument("--max-refine", type=int, default=2, help="rewrites after failed checks (default 2)")
    fwd.add_argument("--no-critic", action="store_true", help="skip the critic call (the numbers check still runs)")
    fwd.add_argument("--tables", default="auto", choices=["auto", "always", "never"],
                     help="show the instance's per-item data and matrices as Markdown tables in the word problem "
                          "(the writer writes the text around them): auto = when they hold 6 numbers or more "
                          "(default), always, or never (text only)")
    for flags, options in COMMON:
        fwd.add_argument(*flags, **options)
    fwd.set_defaults(func=run_forward)

    rev = kinds.add_parser("reverse", help="invent scenarios from seed scenarios; keep what the agent solves",
                           description="Reverse synthesis: few-shot seed scenarios -> a new step-by-step scenario "
                                       "(LLM) -> rule filter and near-duplicate removal -> a question with and one "
                                       "without a table -> the agent writes and solves the model; kept when optimal.")
    rev.add_argument("--seeds", default="builtin", metavar="PATH[,PATH...]",
                     help="seed scenario files or folders (JSON list or JSON lines); 'builtin' is optolab's own "
                          "(default)")
    rev.add_argument("--n", type=int, default=10, metavar="N", help="scenarios to generate (default 10)")
    rev.add_argument("--shots", type=int, default=3, help="seed scenarios shown per request (default 3)")
    rev.add_argument("--tables", default="both", choices=["both", "plain", "table"],
                     help="questions per scenario: without a table, with one, or both (default)")
    rev.add_argument("--dedupe", type=float, default=0.7, metavar="JACCARD",
                     help="word 3-gram Jaccard similarity at which a scenario is a near-duplicate (default 0.7)")
    for flags, options in COMMON:
        rev.add_argument(*flags, **options)
    rev.set_defaults(func=run_reverse)

    con = kinds.add_parser("contamination", help="n-gram overlap of synthesized questions with the benchmarks",
                           description="Measure word n-gram overlap of every question of FILE.jsonl with every "
                                       "problem of the evaluation benchmarks; write FILE.clean.jsonl without the "
                                       "near-copies and FILE.contamination.json with the report.")
    con.add_argument("file", metavar="FILE.jsonl", help="synthesized records, one JSON object with 'question' a line")
    con.add_argument("--benchmarks", metavar="NAME[,NAME...]",
                     help="benchmark names or files (default: every known benchmark found in the data folder)")
    con.add_argument("--data-dir", help="benchmark folder (default $OPTOLAB_DATA_DIR)")
    con.add_argument("--threshold", type=float, default=0.5, metavar="SHARE",
                     help="a question sharing this share of its n-grams (or of a benchmark problem's) is a "
                          "near-copy and is dropped (default 0.5)")
    con.add_argument("--ngram", type=int, default=8, metavar="N", help="words per n-gram (default 8)")
    con.add_argument("--out", metavar="CLEAN.jsonl", help="cleaned file (default FILE.clean.jsonl)")
    con.add_argument("--report", metavar="REPORT.json", help="report file (default FILE.contamination.json)")
    con.add_argument("--json", action="store_true", help="print the report summary as JSON")
    con.set_defaults(func=run_contamination)
    p.set_defaults(func=lambda args: _usage(p))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _fail(message: str) -> int:
    print(f"optolab synth: {message}", file=sys.stderr)
    return 1


def _split(text: str | None) -> list[str] | None:
    if not text:
        return None
    return [t.strip() for t in text.split(",") if t.strip()] or None


def _command(args: argparse.Namespace) -> str:
    """The command as given (options left at None or False are not shown)."""
    parts = ["optolab", "synth", args.synth_command]
    for key, value in vars(args).items():
        if key in ("func", "command", "synth_command") or value is None or value is False:
            continue
        flag = "--" + key.replace("_", "-")
        parts += [flag] if value is True else [flag, str(value)]
    return shlex.join(parts)


def _clients(args: argparse.Namespace) -> tuple[Any, Any]:
    """The writing client and the agent's client (the same object unless --agent-model is given)."""
    if args.llm:
        from optolab.cli.eval_cmd import load_llm_spec

        llm = load_llm_spec(args.llm)
    else:
        from optolab.llm import LLM

        if args.api_base and not args.model:
            raise _CliError("--api-base needs --model: the name the server(s) serve, e.g. --model openai/qwen2.5")
        llm = LLM(args.model or "local", api_base=args.api_base, max_tokens=args.max_tokens,
                  max_concurrency=max(4, 2 * args.workers), timeout=args.timeout)
    agent_llm = llm
    if args.agent_model:
        from optolab.llm import LLM

        agent_llm = LLM(args.agent_model, api_base=args.api_base, max_tokens=args.max_tokens,
                        max_concurrency=max(4, 2 * args.workers), timeout=args.timeout)
    return llm, agent_llm


class _CliError(Exception):
    pass


def _modeler_options(args: argparse.Namespace) -> dict[str, Any]:
    from optolab.agents.modeler import strategies_of

    return {"max_attempts": args.attempts, "shots": args.shots_agent, "max_tokens": args.max_tokens,
            "strategies": strategies_of(args.agent_strategy)}


def _progress(args: argparse.Namespace) -> Any:
    if args.no_progress:
        return None
    from optolab.synth.progress import RichProgress

    return RichProgress()


def _run_options(args: argparse.Namespace) -> dict[str, Any]:
    return {"workers": args.workers, "progress": _progress(args), "time_budget": args.time_budget,
            "stop_after_failures": args.stop_after, "command": _command(args), "data_dir": args.data_dir,
            "benchmarks": _split(args.benchmarks), "contamination": not args.no_contamination}


def _guarded(fn: Any, args: argparse.Namespace) -> int:
    from optolab.errors import OptolabError

    if getattr(args, "workers", 1) < 1:
        return _fail(f"--workers must be >= 1, got {args.workers}")
    try:
        return fn(args)
    except (OptolabError, _CliError) as exc:
        return _fail(str(exc))


def run_forward(args: argparse.Namespace) -> int:
    return _guarded(_forward, args)


def run_reverse(args: argparse.Namespace) -> int:
    return _guarded(_reverse, args)


def run_contamination(args: argparse.Namespace) -> int:
    return _guarded(_contamination, args)


def _forward(args: argparse.Namespace) -> int:
    from optolab.synth.forward import ForwardPipeline, parse_complexity

    levels = parse_complexity(args.complexity)
    llm, agent_llm = _clients(args)
    pipe = ForwardPipeline(llm, _split(args.generators), agent_llm=agent_llm, max_refine=args.max_refine,
                           critic=not args.no_critic, tolerance=args.tolerance,
                           temperature=0.7 if args.temperature is None else args.temperature,
                           max_tokens=args.max_tokens, modeler_options=_modeler_options(args),
                           time_limit=args.time_limit, model=args.llm or None, tables=args.tables)
    units = pipe.units(args.per_class, levels, seed=args.seed)
    print(f"{len(units)} instances ({len(pipe.generators)} generators x {args.per_class}, complexity "
          f"{','.join(map(str, levels))}) with {pipe.model} -> {args.out}", file=sys.stderr)
    return _finish(pipe.run(args.out, units, **_run_options(args)), args)


def _reverse(args: argparse.Namespace) -> int:
    from optolab.synth.reverse import ReversePipeline
    from optolab.synth.scenarios import load_seeds

    seeds = load_seeds(_split(args.seeds) or ["builtin"])
    llm, agent_llm = _clients(args)
    pipe = ReversePipeline(llm, seeds, agent_llm=agent_llm, shots=args.shots, tables=args.tables,
                           dedupe_threshold=args.dedupe, tolerance=args.tolerance,
                           temperature=0.8 if args.temperature is None else args.temperature,
                           max_tokens=args.max_tokens, modeler_options=_modeler_options(args),
                           time_limit=args.time_limit, model=args.llm or None)
    units = pipe.units(args.n, seed=args.seed)
    print(f"{len(units)} scenarios from {len(seeds)} seeds with {pipe.model} -> {args.out}", file=sys.stderr)
    return _finish(pipe.run(args.out, units, **_run_options(args)), args)


def _finish(result: Any, args: argparse.Namespace) -> int:
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if args.json:
        import json

        print(json.dumps(result.summary, indent=2))
    else:
        print_summary(result.summary)
        print(f"{result.new} units done now, {result.kept} kept from before; accepted: {result.accepted_path}; "
              f"rejected: {result.hard_cases_path}; summary: {result.out / 'summary.json'}")
        if result.contamination is not None:
            c = result.contamination
            print(f"contamination: {c.dropped} of {c.questions} questions are near-copies of benchmark problems; "
                  f"cleaned: {c.cleaned}")
    if result.stopped:
        print(f"optolab synth: {result.stopped}", file=sys.stderr)
    if result.interrupted:
        return 130
    return 1 if result.stopped else 0


def print_summary(summary: dict[str, Any]) -> None:
    """The summary of a run as a few lines of text."""
    gen, acc = summary.get("generated", 0), summary.get("accepted", 0)
    y = summary.get("yield")
    print(f"{summary.get('pipeline')}: {gen} units, {acc} records accepted, {summary.get('rejected', 0)} rejected, "
          f"yield {'-' if y is None else f'{100 * y:.1f}%'}")
    reasons = summary.get("rejected_by_reason") or {}
    if reasons:
        print("rejected by reason: " + ", ".join(f"{k} {v}" for k, v in reasons.items()))
    fams = summary.get("per_family") or {}
    if fams:
        width = max(len(k) for k in fams)
        print(f"{'family':<{width}}  units  accepted  yield")
        for name, f in fams.items():
            fy = f.get("yield")
            print(f"{name:<{width}}  {f['generated']:>5}  {f['accepted']:>8}  "
                  f"{'-' if fy is None else f'{100 * fy:.0f}%':>5}")
    tok = summary.get("tokens") or {}
    run = summary.get("this_run") or {}
    rate = run.get("accepted_per_hour")
    print(f"tokens {tok.get('total', 0)} ({tok.get('per_accepted') or '-'} per accepted record); this run "
          f"{run.get('units', 0)} units in {run.get('seconds', 0):.1f} s"
          + (f", {rate:.1f} accepted per hour" if rate is not None else ""))


def _contamination(args: argparse.Namespace) -> int:
    from optolab.synth.contamination import check_file

    report = check_file(Path(args.file), benchmarks=_split(args.benchmarks), data_dir=args.data_dir,
                        n=args.ngram, threshold=args.threshold, out=args.out, report_path=args.report)
    if args.json:
        import json

        print(json.dumps(report.brief(), indent=2))
        return 0
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"{report.questions} questions, {report.ngram_overlap * 100:.2f}% of their {report.n}-grams occur in a "
          f"benchmark problem; {report.dropped} near-copies (score >= {report.threshold}) dropped, {report.kept} kept")
    for name, stats in report.benchmarks.items():
        print(f"  {name}: {stats['items']} problems; {stats['questions_overlapping']} questions share an n-gram, "
              f"{stats['near_copies']} near-copies, highest score {stats['max_score']:.2f}")
    for c in report.near_copies[:10]:
        print(f"  near-copy: {c['key']} ~ {c['benchmark']}/{c['item_id']} (score {c['score']:.2f})")
    print(f"cleaned: {report.cleaned}")
    return 0
