"""Load and validate the embedded problem bank (one TOML file per problem)."""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

from optolab.errors import ProblemBankError, ProblemNotFoundError

PROBLEM_CLASSES = ("LP", "MILP", "QP", "MIQP", "NLP", "MINLP")
SENSES = ("min", "max")
DIFFICULTIES = ("easy", "medium", "hard")
_REQUIRED = {
    "id": str,
    "title": str,
    "category": str,
    "problem_class": str,
    "sense": str,
    "objective": (int, float),
    "difficulty": str,
    "text": str,
    "code": str,
}


@dataclass(frozen=True)
class Problem:
    """One word problem with its reference model and recorded optimum."""

    id: str
    title: str
    category: str
    problem_class: str
    sense: str
    objective: float
    difficulty: str
    text: str
    code: str
    tags: tuple[str, ...] = ()
    answers: Mapping[str, float] = field(default_factory=dict, hash=False)
    source: str = ""  # file name the problem was read from

    @property
    def is_integer(self) -> bool:
        return self.problem_class in ("MILP", "MIQP", "MINLP")


def _parse(data: Mapping[str, Any], name: str) -> Problem:
    for key, kind in _REQUIRED.items():
        if key not in data:
            raise ProblemBankError(f"{name}: missing required field '{key}'")
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, kind):
            raise ProblemBankError(f"{name}: field '{key}' has type {type(value).__name__}, expected {kind}")
    checks = (("problem_class", PROBLEM_CLASSES), ("sense", SENSES), ("difficulty", DIFFICULTIES))
    for key, allowed in checks:
        if data[key] not in allowed:
            raise ProblemBankError(f"{name}: field '{key}' is {data[key]!r}; use one of {', '.join(allowed)}")
    tags = data.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ProblemBankError(f"{name}: field 'tags' must be a list of strings")
    answers = data.get("answers", {})
    if not isinstance(answers, dict) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in answers.values()
    ):
        raise ProblemBankError(f"{name}: field 'answers' must be a table of numbers keyed by variable name")
    unknown = set(data) - set(_REQUIRED) - {"tags", "answers"}
    if unknown:
        raise ProblemBankError(f"{name}: unknown field(s) {sorted(unknown)}")
    if not data["id"].strip() or not data["text"].strip() or not data["code"].strip():
        raise ProblemBankError(f"{name}: fields 'id', 'text' and 'code' must not be empty")
    return Problem(
        id=data["id"],
        title=data["title"],
        category=data["category"],
        problem_class=data["problem_class"],
        sense=data["sense"],
        objective=float(data["objective"]),
        difficulty=data["difficulty"],
        text=data["text"],
        code=data["code"],
        tags=tuple(tags),
        answers={k: float(v) for k, v in answers.items()},
        source=name,
    )


def _read_all(files: Iterable[tuple[str, bytes]]) -> list[Problem]:
    problems: dict[str, Problem] = {}
    for name, raw in files:
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ProblemBankError(f"{name}: not valid TOML ({exc})") from exc
        problem = _parse(data, name)
        if problem.id in problems:
            other = problems[problem.id].source
            raise ProblemBankError(f"{name}: field 'id' {problem.id!r} is already used by {other}")
        problems[problem.id] = problem
    return sorted(problems.values(), key=lambda p: p.id)


def _filter(problems: list[Problem], ids, category, problem_class) -> list[Problem]:
    if ids is not None:
        wanted = list(ids)
        known = {p.id for p in problems}
        for pid in wanted:
            if pid not in known:
                raise _not_found(pid, known)
        problems = [p for p in problems if p.id in set(wanted)]
    if category is not None:
        problems = [p for p in problems if p.category == category]
    if problem_class is not None:
        problems = [p for p in problems if p.problem_class == problem_class]
    return problems


def _not_found(pid: str, known: Iterable[str]) -> ProblemNotFoundError:
    close = difflib.get_close_matches(pid, sorted(known), n=5, cutoff=0.5)
    hint = f" Close matches: {', '.join(close)}." if close else ""
    return ProblemNotFoundError(
        f"No problem with id {pid!r} in the bank.{hint} Use load_problems() to list all ids."
    )


def load_problems_from(
    directory: str | Path, ids: Iterable[str] | None = None, category: str | None = None,
    problem_class: str | None = None,
) -> list[Problem]:
    """Read every ``*.toml`` problem in ``directory`` (validated, sorted by id), then filter."""
    path = Path(directory)
    if not path.is_dir():
        raise ProblemBankError(f"{path}: not a directory of problem files")
    files = [(p.name, p.read_bytes()) for p in sorted(path.glob("*.toml"))]
    return _filter(_read_all(files), ids, category, problem_class)


def load_problems(
    ids: Iterable[str] | None = None, category: str | None = None, problem_class: str | None = None
) -> list[Problem]:
    """Read the embedded bank (validated, sorted by id), optionally filtered by ids, category or class."""
    bank = resources.files("optolab.problems").joinpath("bank")
    files = [(f.name, f.read_bytes()) for f in sorted(bank.iterdir(), key=lambda f: f.name)
             if f.name.endswith(".toml")]
    return _filter(_read_all(files), ids, category, problem_class)


def get_problem(problem_id: str) -> Problem:
    """The embedded problem with this id; raises ProblemNotFoundError with close matches."""
    problems = load_problems()
    for problem in problems:
        if problem.id == problem_id:
            return problem
    raise _not_found(problem_id, (p.id for p in problems))
