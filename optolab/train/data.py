"""Training records: read and check a JSONL file of solved problems, and split it by a stable hash.

One JSON object per line, with at least

``id`` (unique text), ``question`` (the problem in words), ``optimum`` (finite number: the optimal
objective), ``code`` (Pyomo source that defines ``model``), ``formulation`` (the agent's structured
formulation as a JSON object, or ``null``), ``class`` (problem class: LP, MILP, ...), ``complexity``
and ``provenance`` (where the record came from). Other keys are kept in :attr:`TrainRecord.extra`.

>>> records = read_records("synth.jsonl")            # doctest: +SKIP
>>> parts = split_records(records, dev_size=8)       # doctest: +SKIP
>>> len(parts.train), len(parts.dev), len(parts.test)  # doctest: +SKIP

Every bad line is reported with its number and what is wrong with it, all at once.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Sequence

from optolab.train.errors import TrainDataError

REQUIRED_KEYS = ("id", "question", "optimum", "code", "formulation", "class", "complexity", "provenance")
_MODEL_ASSIGNED = re.compile(r"^\s*model\s*(?::[^=]+)?=", re.M)
MAX_REPORTED = 20


@dataclass(frozen=True)
class TrainRecord:
    """One solved problem to train on."""

    id: str
    question: str
    optimum: float
    code: str
    formulation: dict[str, Any] | None
    problem_class: str
    complexity: Any
    provenance: Any
    extra: dict[str, Any] = field(default_factory=dict)
    line: int = 0  # line number in the file it was read from (0: built in code)

    def to_dict(self) -> dict[str, Any]:
        """The record as a JSON line would hold it (``class`` under its own name)."""
        d = {"id": self.id, "question": self.question, "optimum": self.optimum, "code": self.code,
             "formulation": self.formulation, "class": self.problem_class, "complexity": self.complexity,
             "provenance": self.provenance}
        d.update(self.extra)
        return d

    def benchmark_item(self) -> Any:
        """The record as a :class:`~optolab.datasets.BenchmarkItem`, so the scoring rules apply to it."""
        from optolab.datasets.types import BenchmarkItem, LabelKind

        return BenchmarkItem(id=self.id, question=self.question, objective=self.optimum, answers=None,
                             label=LabelKind.VALUE, raw_label=repr(self.optimum), source="train",
                             tags=(f"class:{self.problem_class}", f"complexity:{self.complexity}"),
                             problem_type=self.problem_class)


def check_record(d: Any) -> tuple[TrainRecord | None, list[str]]:
    """``(record, [])`` for a good object, ``(None, problems)`` otherwise."""
    if not isinstance(d, dict):
        return None, [f"a record must be a JSON object, got {type(d).__name__}"]
    problems = []
    missing = [k for k in REQUIRED_KEYS if k not in d]
    if missing:
        problems.append(f"missing keys {missing}")
    rid = d.get("id")
    if "id" in d and (not isinstance(rid, (str, int)) or isinstance(rid, bool) or not str(rid).strip()):
        problems.append(f"'id' must be non-empty text, got {rid!r}")
    question = d.get("question")
    if "question" in d and (not isinstance(question, str) or not question.strip()):
        problems.append("'question' must be non-empty text")
    optimum = d.get("optimum")
    if "optimum" in d:
        if isinstance(optimum, bool) or not isinstance(optimum, (int, float)):
            problems.append(f"'optimum' must be a number, got {type(optimum).__name__} {str(optimum)[:40]!r}")
        elif not math.isfinite(optimum):
            problems.append(f"'optimum' must be finite, got {optimum!r}")
    code = d.get("code")
    if "code" in d:
        if not isinstance(code, str) or not code.strip():
            problems.append("'code' must be non-empty Pyomo source text")
        elif not _MODEL_ASSIGNED.search(code):
            problems.append("'code' never assigns 'model' (it must define `model = pyo.ConcreteModel()`)")
    form = d.get("formulation")
    if "formulation" in d and form is not None and not isinstance(form, dict):
        problems.append(f"'formulation' must be a JSON object or null, got {type(form).__name__}")
    cls = d.get("class")
    if "class" in d and (not isinstance(cls, str) or not cls.strip()):
        problems.append(f"'class' must be text such as 'LP' or 'MILP', got {cls!r}")
    if "complexity" in d and (d["complexity"] is None or isinstance(d["complexity"], (dict, list, bool))):
        problems.append(f"'complexity' must be a number or a word, got {d['complexity']!r}")
    if "provenance" in d and d["provenance"] in (None, "", {}):
        problems.append("'provenance' is empty: say where the record comes from (generator, seed, model...)")
    if problems:
        return None, problems
    extra = {k: v for k, v in d.items() if k not in REQUIRED_KEYS}
    return TrainRecord(id=str(rid).strip(), question=question.strip(), optimum=float(optimum), code=code,
                       formulation=form, problem_class=cls.strip(), complexity=d["complexity"],
                       provenance=d["provenance"], extra=extra), []


def parse_records(lines: Iterable[str], where: str = "<records>", *, skip_bad: bool = False,
                  ) -> tuple[list[TrainRecord], list[str]]:
    """Records from JSONL text lines and the list of problems, one entry per bad line.

    Raises :class:`TrainDataError` naming every bad line unless ``skip_bad``; blank lines are ignored.
    Duplicate ids are bad lines too (the second and later ones).
    """
    records: list[TrainRecord] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where} line {n}: not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        rec, bad = check_record(d)
        if rec is not None and rec.id in seen:
            bad = [f"id {rec.id!r} already used on line {seen[rec.id]}"]
        if bad:
            rid = d.get("id") if isinstance(d, dict) else None
            label = f" (id {rid!r})" if isinstance(rid, (str, int)) and not isinstance(rid, bool) else ""
            problems.append(f"{where} line {n}{label}: " + "; ".join(bad))
            continue
        seen[rec.id] = n
        records.append(replace(rec, line=n))
    if problems and not skip_bad:
        shown = "\n  ".join(problems[:MAX_REPORTED])
        more = f"\n  ... and {len(problems) - MAX_REPORTED} more" if len(problems) > MAX_REPORTED else ""
        raise TrainDataError(
            f"{len(problems)} bad line(s) in {where}:\n  {shown}{more}\n"
            f"Each line must be a JSON object with {', '.join(REQUIRED_KEYS)}; fix these lines or skip them "
            "(skip_bad=True, --skip-bad on the command line)")
    return records, problems


def read_records(path: str | Path, *, skip_bad: bool = False) -> list[TrainRecord]:
    """Read and check a JSONL file of training records (see the module docstring for the format)."""
    records, _ = read_records_report(path, skip_bad=skip_bad)
    return records


def read_records_report(path: str | Path, *, skip_bad: bool = False) -> tuple[list[TrainRecord], list[str]]:
    """Like :func:`read_records`, also returning the problems of the lines that were skipped."""
    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TrainDataError(f"no training data at {path}: give a JSONL file of records") from None
    except IsADirectoryError:
        raise TrainDataError(f"{path} is a directory; give a JSONL file of records") from None
    except UnicodeDecodeError as exc:
        raise TrainDataError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    records, problems = parse_records(text.splitlines(), str(path), skip_bad=skip_bad)
    if not records:
        why = f" ({len(problems)} bad lines skipped)" if problems else ""
        raise TrainDataError(f"{path} holds no usable records{why}; each line must be a JSON object with "
                             f"{', '.join(REQUIRED_KEYS)}")
    return records, problems


def write_records(records: Iterable[TrainRecord | dict], path: str | Path) -> Path:
    """Write records as JSONL (dicts are checked first)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            if isinstance(r, dict):
                rec, bad = check_record(r)
                if bad:
                    raise TrainDataError(f"record {r.get('id')!r} is not valid: {'; '.join(bad)}")
                r = rec
            fh.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")
    return path


def records_from_benchmark(items: Iterable[Any]) -> tuple[list[TrainRecord], list[str]]:
    """Benchmark items (:class:`~optolab.datasets.BenchmarkItem`) with a numeric optimum as records to
    select on (a dev split from a real benchmark); the ids of those without one (an "infeasible" label,
    no optimum), which are left out, come back second."""
    from optolab.datasets.types import LabelKind

    kept, left = [], []
    for item in items:
        if item.label != LabelKind.VALUE or item.objective is None:
            left.append(item.id)
            continue
        kept.append(TrainRecord(id=item.id, question=item.question, optimum=float(item.objective), code="",
                                formulation=None, problem_class=item.problem_type or item.source,
                                complexity=None, provenance={"benchmark": item.source}))
    return kept, left


def write_eval_file(records: Iterable[TrainRecord], path: str | Path) -> Path:
    """Write records in the generic benchmark format of ``optolab eval FILE.jsonl``.

    Each line is ``{"id", "question", "objective", "tags", "problem_type", "source"}``, so a held-out
    split can be scored with the evaluation harness (``optolab eval FILE --agent STATE``).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            item = r.benchmark_item()
            fh.write(json.dumps({"id": r.id, "question": r.question, "objective": r.optimum, "tags": list(item.tags),
                                 "problem_type": r.problem_class, "source": "train"}, ensure_ascii=False) + "\n")
    return path


# --- splits -----------------------------------------------------------------------------------

def bucket(record_id: str, salt: str = "optolab") -> float:
    """A number in [0, 1) fixed by the id and the salt: the same on every machine and in every run."""
    digest = hashlib.sha256(f"{salt}\x00{record_id}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2.0 ** 64


@dataclass(frozen=True)
class Split:
    train: list[TrainRecord]
    dev: list[TrainRecord]
    test: list[TrainRecord]

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train), "dev": len(self.dev), "test": len(self.test)}

    def fingerprint(self) -> str:
        """A short hash of which ids went where (checkpoints refuse to resume on other data)."""
        doc = {k: sorted(r.id for r in getattr(self, k)) for k in ("train", "dev", "test")}
        return hashlib.sha256(json.dumps(doc).encode("utf-8")).hexdigest()[:16]


def split_records(records: Sequence[TrainRecord], *, dev_size: int | None = None, dev_fraction: float = 0.1,
                  test_fraction: float = 0.1, salt: str = "optolab") -> Split:
    """Split by a hash of each id, so a record's side depends on its id only, not on file order.

    A record goes to test when its bucket is below ``test_fraction``. Of the others, dev takes those
    below ``test_fraction + dev_fraction``, or, when ``dev_size`` is given, the ``dev_size`` records
    with the smallest buckets (stable for a given file and size). Each side keeps file order.
    """
    if not 0 <= test_fraction < 1 or not 0 <= dev_fraction < 1 or test_fraction + dev_fraction >= 1:
        raise TrainDataError(f"fractions must be in [0, 1) and sum to less than 1; got dev {dev_fraction}, "
                             f"test {test_fraction}")
    if dev_size is not None and dev_size < 0:
        raise TrainDataError(f"dev_size must be >= 0, got {dev_size}")
    keyed = [(bucket(r.id, salt), i, r) for i, r in enumerate(records)]
    test = {i for b, i, _ in keyed if b < test_fraction}
    rest = sorted((b, i) for b, i, _ in keyed if i not in test)
    if dev_size is None:
        dev = {i for b, i in rest if b < test_fraction + dev_fraction}
    else:
        if dev_size >= len(rest):
            raise TrainDataError(f"dev_size {dev_size} leaves no training records: {len(records)} records, "
                                 f"{len(test)} of them held out for test; use a smaller --dev-size or more data")
        dev = {i for _, i in rest[:dev_size]}
    train = [r for _, i, r in keyed if i not in test and i not in dev]
    if not train:
        raise TrainDataError(f"no training records left after the split of {len(records)} records; "
                             "lower dev_fraction/test_fraction or add records")
    return Split(train=train, dev=[r for _, i, r in keyed if i in dev], test=[r for _, i, r in keyed if i in test])
