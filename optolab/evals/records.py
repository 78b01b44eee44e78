"""One JSON line per evaluated problem, and the results file that holds them.

A record carries what is needed to score the problem again (the expected label and the prediction),
so reports and comparisons never need the benchmark files. The results file is append-only: a
problem evaluated again (an error retried on resume) gets a new line, and the last line of an id wins.
A process killed while writing leaves at most a partial last line; :meth:`ResultsFile.repair` moves it
aside before anything is appended.
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from optolab.datasets import BenchmarkItem, LabelKind
from optolab.evals.errors import RunDirError
from optolab.evals.outcomes import classify
from optolab.evals.scoring import Prediction


def finite_or_none(x: Any) -> float | None:
    """A JSON-safe float: NaN and infinities become None."""
    if x is None or isinstance(x, bool):
        return None
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


@dataclass
class EvalRecord:
    """The outcome of one problem: expected and predicted values, verdicts, error type and costs."""

    id: str
    position: int = 0  # index of the problem in the planned order
    source: str = ""
    question_sha: str = ""
    tags: list[str] = field(default_factory=list)
    problem_type: str | None = None
    # ground truth
    expected: float | None = None
    expected_answers: dict[str, float] | None = None
    label: str = LabelKind.VALUE.value
    raw_label: str = ""
    objective_key: str | None = None
    label_note: str | None = None
    # prediction
    status: str = "no_answer"
    objective: float | None = None
    answers: dict[str, float] = field(default_factory=dict)
    # verdicts
    correct: dict[str, bool | None] = field(default_factory=dict)
    rule: str = ""
    error_type: str = ""
    # how it went
    attempts: int = 0
    attempt_statuses: list[str] = field(default_factory=list)
    llm_calls: int = 0
    llm_errors: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    llm_seconds: float = 0.0
    code_path: str | None = None
    trail_path: str | None = None
    error: str | None = None
    explanation: str = ""
    finished_at: str = ""

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def has_ground_truth(self) -> bool:
        return self.label in (LabelKind.VALUE.value, LabelKind.NO_OPTIMUM.value)

    @property
    def is_exception(self) -> bool:
        return self.status == "exception"

    def item(self) -> BenchmarkItem:
        """The benchmark item as far as scoring needs it (the question text is not stored)."""
        return BenchmarkItem(id=self.id, question="", objective=self.expected, answers=self.expected_answers,
                             label=LabelKind(self.label), raw_label=self.raw_label, source=self.source,
                             tags=tuple(self.tags), problem_type=self.problem_type, objective_key=self.objective_key,
                             note=self.label_note)

    def prediction(self) -> Prediction | None:
        """What the agent answered; None when the harness failed on this problem."""
        if self.is_exception:
            return None
        return Prediction(objective=self.objective, answers=self.answers or None, status=self.status)

    def error_type_for(self, rule: str) -> str:
        """The error type under ``rule`` (recomputed from the stored verdict and statuses)."""
        return classify(has_ground_truth=self.has_ground_truth, verdict=self.correct.get(rule), status=self.status,
                        last_attempt_status=self.attempt_statuses[-1] if self.attempt_statuses else None,
                        llm_errors=self.llm_errors, exception=self.is_exception)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, allow_nan=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvalRecord:
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise ValueError("a record is a JSON object with a text 'id'")
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class ReadResult:
    """Records read from a results file: the last one of each id, in file order, and what was skipped."""

    records: dict[str, EvalRecord]
    lines: int = 0
    skipped: list[str] = field(default_factory=list)  # "line N: why"
    partial_tail: str = ""  # text after the last newline (an interrupted write)


class ResultsFile:
    """``results.jsonl`` of a run: read it (tolerating a cut last line), repair it, append records."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def read(self) -> ReadResult:
        if not self.path.exists():
            return ReadResult({})
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            raise RunDirError(f"cannot read {self.path}: {exc.strerror}") from None
        text = raw.decode("utf-8", errors="replace")
        body, sep, tail = text.rpartition("\n")
        if not sep:  # no newline at all: everything is a partial line
            body, tail = "", text
        out = ReadResult({}, partial_tail=tail if tail.strip() else "")
        for n, line in enumerate(body.split("\n") if body else [], start=1):
            if not line.strip():
                continue
            out.lines += 1
            try:
                rec = EvalRecord.from_dict(json.loads(line))
            except (ValueError, TypeError) as exc:
                out.skipped.append(f"line {n}: not a record ({str(exc)[:120]})")
                continue
            out.records.pop(rec.id, None)  # keep file order of the latest line
            out.records[rec.id] = rec
        if out.partial_tail:
            try:  # a complete record that only lacks its newline is kept
                rec = EvalRecord.from_dict(json.loads(out.partial_tail))
                out.records.pop(rec.id, None)
                out.records[rec.id] = rec
                out.partial_tail = ""
            except (ValueError, TypeError):
                pass
        return out

    def repair(self) -> Path | None:
        """Make the file end with a complete line before appending.

        A cut last line (a killed write) is moved to ``results.jsonl.partial`` (appended there, never
        lost) and removed from the results; a complete last line without its newline gets one.
        Returns the path of the partial file when text was moved there.
        """
        if not self.path.exists():
            return None
        raw = self.path.read_bytes()
        if not raw or raw.endswith(b"\n"):
            return None
        cut = raw.rfind(b"\n") + 1
        tail = raw[cut:]
        try:
            EvalRecord.from_dict(json.loads(tail.decode("utf-8")))
            complete = True
        except (ValueError, TypeError, UnicodeDecodeError):
            complete = False
        with self._lock:
            if complete:
                with self.path.open("ab") as fh:
                    fh.write(b"\n")
                return None
            partial = self.path.with_name(self.path.name + ".partial")
            with partial.open("ab") as fh:
                fh.write(tail + b"\n")
            with self.path.open("r+b") as fh:
                fh.truncate(cut)
            return partial

    def append(self, record: EvalRecord) -> None:
        """Write one record as one line and flush it, so a kill right after loses nothing."""
        line = record.to_json() + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(line)
                fh.flush()


def clean_answers(values: dict[str, Any] | None) -> dict[str, float]:
    """Predicted values that JSON can hold (finite numbers only)."""
    out: dict[str, float] = {}
    for k, v in (values or {}).items():
        num = finite_or_none(v)
        if num is not None:
            out[str(k)] = num
    return out


def expected_fields(item: BenchmarkItem) -> dict[str, Any]:
    """The ground-truth fields of a record, from a benchmark item."""
    return {"expected": finite_or_none(item.objective),
            "expected_answers": dict(item.answers) if item.answers else None,
            "label": item.label.value, "raw_label": item.raw_label, "objective_key": item.objective_key,
            "label_note": item.note, "tags": list(item.tags), "problem_type": item.problem_type,
            "source": item.source}
