"""``optolab eval``: run the modeling agent over a benchmark, report, compare runs.

    optolab eval BENCHMARK|FILE.jsonl [options]     evaluate (resumes when --out already holds the run)
    optolab eval report DIR [--rule R]              write DIR's reports again
    optolab eval compare RUN_A RUN_B [--rule R]     accuracy changes per category, fixed and broken problems
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
from pathlib import Path
from typing import Any

RULES = ("rel_1e-4_all_answers", "rel_1e-6_objective", "rounded_5pct_objective")
DEFAULT_RULE = "rel_1e-6_objective"

# (flags, options) of the evaluation; kept in one table so the run can record the command it was given
OPTIONS: list[tuple[tuple[str, ...], dict[str, Any]]] = [
    (("--model",), {"help": "LLM: 'local' (default) or a litellm name like openai/gpt-4o-mini"}),
    (("--api-base",), {"metavar": "URL[,URL...]",
                       "help": "OpenAI-compatible server(s); several, comma-separated, share the requests"}),
    (("--routing",), {"default": "simple-shuffle", "choices": ["simple-shuffle", "least-busy", "latency-based-routing"],
                      "help": "how requests are spread over several servers (default simple-shuffle)"}),
    (("--llm",), {"metavar": "MODULE:NAME",
                  "help": "use a Python-defined client instead of --model: NAME in MODULE (or FILE.py) is an "
                          "optolab.llm client or a function returning one (e.g. a FunctionLLM)"}),
    (("--timeout",), {"type": float, "metavar": "SECONDS", "help": "seconds per LLM request (default: the "
                                                                  "client's, 900 for the local model)"}),
    (("--data-dir",), {"help": "folder with the benchmark files (default: $OPTOLAB_DATA_DIR)"}),
    (("--ids",), {"metavar": "ID[,ID...]", "help": "only these problems"}),
    (("--exclude-ids",), {"metavar": "FILE|ID[,ID...]",
                          "help": "leave these problems out before sampling: a file with one id per line (such as "
                                  "the dev ids `optolab train prompts --dev-benchmark` writes) or ids separated by "
                                  "commas"}),
    (("--tag",), {"action": "append", "default": [], "metavar": "TAG",
                  "help": "only problems with this tag (repeatable; e.g. difficulty:easy, nonlinear, table)"}),
    (("--sample",), {"type": int, "metavar": "N", "help": "a stratified random sample of N problems"}),
    (("--seed",), {"type": int, "default": 0, "help": "seed of --sample (default 0)"}),
    (("--limit",), {"type": int, "metavar": "N", "help": "only the first N problems (after --sample)"}),
    (("--out",), {"metavar": "DIR", "help": "run folder (default runs/<benchmark>-<model>); resumed if it exists"}),
    (("--workers",), {"type": int, "default": 1, "metavar": "K", "help": "problems solved in parallel (default 1)"}),
    (("--agent",), {"metavar": "STATE.json", "help": "load a saved agent state (Modeler.save) into every agent"}),
    (("--samples",), {"type": int, "default": 1, "metavar": "K",
                      "help": "formulations per problem that vote (self-consistency; default 1)"}),
    (("--strategy",), {"choices": ["formulation", "program", "both"], "default": "program",
                       "help": "program (default): the model writes the Pyomo code; formulation: the model fills a "
                               "structured formulation and the library writes the code; both: one chain of each, "
                               "voting"}),
    (("--attempts",), {"type": int, "default": 3, "help": "formulate plus repair rounds per formulation"}),
    (("--retry",), {"choices": ["auto", "repair", "resample"], "default": "auto",
                    "help": "what a later attempt does: auto (default) asks afresh after a failed run of "
                            "LLM-written code (program strategy) and repairs otherwise; repair always sends the "
                            "findings back; resample always asks afresh"}),
    (("--field-order",), {"choices": ["any", "declared"], "default": "any",
                          "help": "formulation strategy: 'declared' holds the model's reply to the formulation's "
                                  "order (sets and parameters before variables) on grammar-constrained servers "
                                  "such as llama.cpp; 'any' (default) lets the server's converter put them last"}),
    (("--no-table-data",), {"dest": "table_data", "action": "store_false",
                            "help": "program strategy: show the question's tables only as its text (by default "
                                    "they are also shown as Python data)"}),
    (("--shots",), {"type": int, "default": 2, "help": "worked examples shown to the model (default 2)"}),
    (("--max-tokens",), {"type": int, "default": 1500, "help": "tokens per model reply (default 1500)"}),
    (("--time-limit",), {"type": float, "default": 30.0, "help": "solver time limit in seconds (default 30)"}),
    (("--solver",), {"default": "auto", "help": "solver for the generated models (default auto)"}),
    (("--max-example-overlap",), {"type": float, "default": 0.4, "metavar": "SHARE",
                                  "help": "never show a worked example sharing more than this share of words with "
                                          "the question (default 0.4)"}),
    (("--rule",), {"default": None, "choices": RULES,
                   "help": f"rule for error types and the running accuracy (default {DEFAULT_RULE}); "
                           "every rule is always recorded"}),
    (("--stop-after",), {"type": int, "default": 10, "metavar": "N",
                         "help": "stop when N problems in a row fail with server errors or exceptions (0: never)"}),
    (("--no-progress",), {"action": "store_true", "help": "no progress bar"}),
    (("--each",), {"action": "store_true", "help": "print a line per finished problem"}),
    (("--json",), {"action": "store_true", "help": "report/compare: print JSON instead of tables"}),
    (("--md",), {"metavar": "FILE", "help": "compare: also write the comparison as Markdown to FILE"}),
]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "eval", help="evaluate the modeling agent on a benchmark; report and compare runs",
        description="Evaluate the modeling agent on a benchmark (a known name, 'embedded' or a .jsonl/.json file), "
                    "writing DIR/results.jsonl (one line per problem as it finishes), DIR/run.json, DIR/code/ and "
                    "DIR/report.md|html. Rerun the same command to resume. Also: 'optolab eval report DIR' and "
                    "'optolab eval compare RUN_A RUN_B'.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  optolab eval embedded --tag difficulty:easy --workers 2\n"
               "  optolab eval nl4opt --data-dir ../shared/data --sample 50 --seed 1 --model openai/qwen "
               "--api-base http://h1:8000/v1,http://h2:8000/v1 --workers 8\n"
               "  optolab eval report runs/nl4opt-openai-qwen\n  optolab eval compare runs/a runs/b")
    p.add_argument("target", nargs="+", metavar="TARGET",
                   help="BENCHMARK: a name (embedded, optibench, nl4opt, mamo_easylp, ...) or a .jsonl/.json "
                        "file; or 'report DIR'; or 'compare RUN_A RUN_B'")
    for flags, options in OPTIONS:
        p.add_argument(*flags, **options)
    p.set_defaults(func=run)


def command_line(args: argparse.Namespace) -> str:
    """The evaluation command as given (options at their default left out)."""
    parts = ["optolab", "eval", *args.target]
    for flags, options in OPTIONS:
        dest = flags[0].lstrip("-").replace("-", "_")
        value = getattr(args, dest, None)
        if value in (None, False, []) or value == options.get("default"):
            continue
        if value is True:
            parts.append(flags[0])
        elif isinstance(value, list):
            for v in value:
                parts += [flags[0], str(v)]
        else:
            parts += [flags[0], str(value)]
    return shlex.join(parts)


def _fail(message: str) -> int:
    print(f"optolab eval: {message}", file=sys.stderr)
    return 1


def run(args: argparse.Namespace) -> int:
    from optolab.errors import OptolabError

    target = args.target
    try:
        if target[0] == "report":
            if len(target) != 2:
                return _fail("usage: optolab eval report DIR")
            return _report(Path(target[1]), args)
        if target[0] == "compare":
            if len(target) != 3:
                return _fail("usage: optolab eval compare RUN_A RUN_B")
            return _compare(Path(target[1]), Path(target[2]), args)
        if len(target) != 1:
            return _fail(f"give one benchmark or data file, got {len(target)}: {' '.join(target)} "
                         "(or: optolab eval report DIR, optolab eval compare RUN_A RUN_B)")
        return _evaluate(target[0], args)
    except OptolabError as exc:
        return _fail(str(exc))


# --- report and compare -----------------------------------------------------------------------

def _report(path: Path, args: argparse.Namespace) -> int:
    from optolab.evals.report import print_summary, regenerate

    summary, doc, written = regenerate(path, args.rule)
    if args.json:
        import json

        print(json.dumps(summary.to_dict(), indent=2))
        return 0
    print_summary(summary, doc)
    print(f"reports: {written[0]}, {written[1]}")
    return 0


def _compare(a: Path, b: Path, args: argparse.Namespace) -> int:
    from optolab.evals.compare import compare_runs, comparison_markdown, print_comparison

    comparison = compare_runs(a, b, args.rule)
    if args.md:
        Path(args.md).write_text(comparison_markdown(comparison), encoding="utf-8")
    if args.json:
        import json

        print(json.dumps(comparison.to_dict(), indent=2))
    else:
        print_comparison(comparison)
        if args.md:
            print(f"written to {args.md}")
    return 0


# --- evaluate ---------------------------------------------------------------------------------

def load_llm_spec(spec: str) -> Any:
    """The client named by ``MODULE:NAME`` or ``FILE.py:NAME``: a client object, or a function returning one."""
    import importlib
    import importlib.util

    from optolab.evals.errors import EvalError

    where, sep, name = spec.rpartition(":")
    if not sep or not where or not name:
        raise EvalError(f"--llm {spec!r}: write MODULE:NAME or FILE.py:NAME")
    if where.endswith(".py"):
        path = Path(where)
        if not path.is_file():
            raise EvalError(f"--llm {spec!r}: no file {path}")
        module_name = f"optolab_user_llm_{abs(hash(str(path.resolve())))}"
        mod_spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(mod_spec)  # type: ignore[arg-type]
        mod_spec.loader.exec_module(module)  # type: ignore[union-attr]
    else:
        try:
            module = importlib.import_module(where)
        except ImportError as exc:
            raise EvalError(f"--llm {spec!r}: cannot import {where}: {exc}") from None
    obj = getattr(module, name, None)
    if obj is None:
        raise EvalError(f"--llm {spec!r}: {where} has no {name!r}")
    if not hasattr(obj, "structured") and callable(obj):
        try:
            obj = obj()
        except Exception as exc:
            raise EvalError(f"--llm {spec!r}: calling {name}() failed ({type(exc).__name__}: {exc}); NAME must be "
                            "an optolab.llm client or a function without arguments that returns one") from None
    if not hasattr(obj, "structured"):
        raise EvalError(f"--llm {spec!r}: {name} is not an optolab.llm client (no .structured) and does not "
                        "return one")
    return obj


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-")[:60] or "run"


def _evaluate(target: str, args: argparse.Namespace) -> int:
    from optolab.evals.runner import AgentSettings, evaluate
    from optolab.evals.sources import load_eval_benchmark, select

    if args.workers < 1:
        return _fail(f"--workers must be >= 1, got {args.workers}")
    bench = load_eval_benchmark(target, args.data_dir)
    ids = [i.strip() for i in args.ids.split(",") if i.strip()] if args.ids else None
    exclude = _id_list(args.exclude_ids) if getattr(args, "exclude_ids", None) else []
    bench = select(bench, ids=ids, tags=args.tag, sample=args.sample, seed=args.seed, limit=args.limit,
                   exclude=exclude)
    if not bench.items:
        return _fail(f"no problems left to evaluate in {target!r} after the filters")
    if args.llm:
        llm = load_llm_spec(args.llm)
        model = args.llm
    else:
        from optolab.llm import LLM

        llm = LLM(args.model, api_base=args.api_base, routing=args.routing, max_tokens=args.max_tokens,
                  max_concurrency=max(4, args.workers), timeout=args.timeout)
        if args.api_base and llm.model == "local":
            return _fail("--api-base needs --model: the name the server(s) serve, e.g. --model openai/qwen2.5")
        model = llm.model
    from optolab.agents.modeler import strategies_of

    out = Path(args.out) if args.out else Path("runs") / f"{_slug(bench.name)}-{_slug(model)}"
    settings = AgentSettings(samples=args.samples, strategies=strategies_of(args.strategy),
                             max_attempts=args.attempts, shots=args.shots, retry=args.retry,
                             field_order=args.field_order, table_data=args.table_data,
                             max_tokens=args.max_tokens, time_limit=args.time_limit, solver=args.solver,
                             max_example_overlap=args.max_example_overlap, agent_path=args.agent)
    details = {"api_base": args.api_base, "routing": args.routing if args.api_base and "," in args.api_base else None,
               "selection": {"ids": ids, "tags": args.tag, "sample": args.sample, "seed": args.seed,
                             "limit": args.limit, "excluded": len(exclude)}}
    progress = None
    if not args.no_progress:
        from optolab.evals.progress import RichProgress

        progress = RichProgress(show_each=args.each)
    print(f"{len(bench.items)} problems of {bench.name} with {model} -> {out}", file=sys.stderr)
    result = evaluate(bench, out, llm=llm, settings=settings, model=model, workers=args.workers,
                      rule=args.rule or DEFAULT_RULE, command=command_line(args), details=details,
                      progress=progress, stop_after_failures=args.stop_after)
    from optolab.evals.report import print_summary

    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    print_summary(result.summary, result.run_dir.read_run() or {})
    print(f"{result.new} evaluated now, {result.skipped} kept from before; results: {result.run_dir.results.path}")
    if result.reports:
        print(f"reports: {result.reports[0]}, {result.reports[1]}")
    if result.stopped:
        print(f"optolab eval: {result.stopped}", file=sys.stderr)
    if result.interrupted:
        return 130
    return 1 if result.stopped else 0


def _id_list(spec: str) -> list[str]:
    """Ids from a file (one per line; blank lines and # comments skipped) or from a comma-separated list."""
    from pathlib import Path

    path = Path(spec).expanduser()
    if path.is_file():
        lines = path.read_text(encoding="utf-8").splitlines()
        return [x.strip() for x in lines if x.strip() and not x.strip().startswith("#")]
    return [x.strip() for x in spec.split(",") if x.strip()]
