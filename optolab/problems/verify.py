"""Check every problem in the bank against its reference model.

Run ``python -m optolab.problems.verify`` to solve every reference model, compare with the
recorded optimum and answers (relative error 1e-6) and check the ``problem_class`` label;
``--write`` stores the computed optima in the TOML files instead of failing on them.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from importlib import resources
from pathlib import Path

from optolab.problems.catalog import Problem, load_problems, load_problems_from
from optolab.problems.reference import build_reference_model, model_class, solve_reference

REL_TOL = 1e-6


def close(a: float, b: float, rel: float = REL_TOL) -> bool:
    """Relative comparison with an absolute floor of ``rel`` near zero."""
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def check_problem(problem: Problem) -> list[str]:
    """Every mismatch between the problem file and its solved reference model (empty when all agree)."""
    found = model_class(build_reference_model(problem))
    issues = []
    if found != problem.problem_class:
        issues.append(f"problem_class is {problem.problem_class} but the model is {found}")
    objective, values = solve_reference(problem)
    if not close(objective, problem.objective):
        issues.append(f"objective recorded {problem.objective!r}, solved {objective!r}")
    for name, expected in problem.answers.items():
        if name not in values:
            issues.append(f"answer {name!r} is not a variable of the model")
        elif not close(values[name], expected, 1e-5):
            issues.append(f"answer {name} recorded {expected!r}, solved {values[name]!r}")
    return issues


def _write_objective(path: Path, objective: float) -> None:
    text = path.read_text(encoding="utf-8")
    value = float(f"{objective:.10g}")
    new, count = re.subn(r"(?m)^objective\s*=\s*.*$", f"objective = {value!r}", text, count=1)
    if count != 1:
        raise SystemExit(f"{path}: no 'objective = ...' line to update")
    path.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m optolab.problems.verify", description=__doc__)
    parser.add_argument("--write", action="store_true", help="store the solved optima in the TOML files")
    parser.add_argument("--dir", type=Path, default=None, help="a directory of problem files (default: the bank)")
    parser.add_argument("ids", nargs="*", help="only these problem ids")
    args = parser.parse_args(argv)
    directory = args.dir or Path(str(resources.files("optolab.problems").joinpath("bank")))
    ids = args.ids or None
    problems = load_problems_from(directory, ids=ids) if args.dir else load_problems(ids=ids)
    failures = 0
    start = time.perf_counter()
    for problem in problems:
        if args.write:
            objective, _ = solve_reference(problem)
            if not close(objective, problem.objective):
                _write_objective(directory / problem.source, objective)
                print(f"{problem.id}: objective {problem.objective!r} -> {float(f'{objective:.10g}')!r}")
        issues = [] if args.write else check_problem(problem)
        failures += bool(issues)
        for issue in issues:
            print(f"{problem.id} ({problem.source}): {issue}")
    elapsed = time.perf_counter() - start
    print(f"{len(problems)} problems, {failures} with issues, {elapsed:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
