"""``optolab solve``: model and solve a problem written in plain English."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DEFAULT_EXAMPLE = "production-001"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("solve", help="turn a plain-English problem into a Pyomo model and solve it",
                       description="Model and solve an optimization problem given as text, a file or stdin.")
    p.add_argument("text", nargs="?", help="the problem text ('-' reads stdin)")
    p.add_argument("--file", type=Path, help="read the problem from a file")
    p.add_argument("--example", nargs="?", const=DEFAULT_EXAMPLE, metavar="ID",
                   help=f"solve a problem of the embedded set (default {DEFAULT_EXAMPLE})")
    p.add_argument("--model", default=None, help="LLM to use: 'local' (default) or a litellm name like openai/gpt-4o-mini")
    p.add_argument("--api-base", default=None, help="base URL of an OpenAI-compatible server")
    p.add_argument("--samples", type=int, default=1, help="independent formulations that vote (self-consistency)")
    p.add_argument("--strategy", choices=["formulation", "program", "both"], default="program",
                   help="program (default): the model writes the Pyomo code; formulation: the model fills a "
                        "structured formulation and the library writes the code; both: one chain of each, voting")
    p.add_argument("--attempts", type=int, default=3, help="formulate plus repair rounds per formulation")
    p.add_argument("--retry", choices=["auto", "repair", "resample"], default="auto",
                   help="what a later attempt does: auto (default) asks afresh after a failed run of LLM-written "
                        "code (program strategy) and repairs otherwise; repair always sends the findings back; "
                        "resample always asks afresh")
    p.add_argument("--field-order", choices=["any", "declared"], default="any",
                   help="formulation strategy: 'declared' holds the model's reply to the formulation's order (sets "
                        "and parameters before variables) on grammar-constrained servers such as llama.cpp; 'any' "
                        "(default) lets the server's converter put them last")
    p.add_argument("--no-table-data", dest="table_data", action="store_false",
                   help="program strategy: show the problem's tables only as its text (by default they are also "
                        "shown as Python data)")
    p.add_argument("--time-limit", type=float, default=30.0, help="solver time limit in seconds")
    p.add_argument("--agent", type=Path, help="load a trained agent state (JSON) before solving")
    p.add_argument("--json", action="store_true", help="print the solution as JSON")
    p.add_argument("--save-model", type=Path, metavar="FILE", help="write the generated Pyomo code to FILE")
    p.add_argument("--no-code", action="store_true", help="do not print the generated code")
    p.set_defaults(func=run)


def _read_problem(args: argparse.Namespace) -> tuple[str, float | None]:
    if args.example:
        from optolab.problems import get_problem

        problem = get_problem(args.example)
        return problem.text, problem.objective
    if args.file:
        try:
            return args.file.read_text(encoding="utf-8"), None
        except OSError as exc:
            raise SystemExit(f"optolab solve: cannot read {args.file}: {exc.strerror}") from None
    if args.text == "-" or (args.text is None and not sys.stdin.isatty()):
        return sys.stdin.read(), None
    if args.text is None:
        raise SystemExit('optolab solve: give the problem as text, --file FILE, --example [ID] or on stdin, e.g.\n'
                         '  optolab solve "A bakery earns $3 per loaf and $5 per cake ... maximize profit"')
    return args.text, None


def run(args: argparse.Namespace) -> int:
    from optolab.agents import Modeler
    from optolab.agents.modeler import strategies_of
    from optolab.llm import LLM

    text, expected = _read_problem(args)
    llm = LLM(args.model or "local", api_base=args.api_base) if (args.model or args.api_base) else LLM("local")
    with Modeler(llm, samples=args.samples, strategies=strategies_of(args.strategy), max_attempts=args.attempts,
                 retry=args.retry, field_order=args.field_order, table_data=args.table_data,
                 time_limit=args.time_limit) as agent:
        if args.agent:
            agent.load(args.agent, strict=False)
        solution = agent.solve(text)
    if args.save_model and solution.code:
        args.save_model.write_text(solution.code, encoding="utf-8")
    if args.json:
        doc = solution.to_dict()
        if expected is not None:
            doc["expected_objective"] = expected
        print(json.dumps(doc, indent=2, default=str))
    else:
        from optolab.agents.report import render

        render(solution, show_code=not args.no_code)
        if expected is not None:
            print(f"expected optimum of this example: {expected:.10g}")
        if args.save_model and solution.code:
            print(f"model written to {args.save_model}")
    return 0 if solution.ok else 1
