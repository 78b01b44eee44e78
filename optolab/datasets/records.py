"""Record-style benchmark files: one JSON object per problem, with field detection.

A record names its question under ``question`` or ``en_question`` (also ``problem`` or
``description``) and its label under ``objective``, ``en_answer``, ``answer`` or
``optimal_value`` (first present wins). Optional fields: ``id``, ``orig_id``, ``answers``
(``{key: number}``), ``tags`` (list of strings), ``problem_type`` (or ``type``/``category``),
``source``, and ``status``/``note``: a null objective counts as *no optimum* when ``status`` is a
no-optimum marker ("infeasible", "unbounded", "no_optimum") or ``note`` says "no optimum".
Records with a ``results`` dict are OptiBench entries (see ``optolab.datasets.optibench``).

This covers the SIRL copies of NL4OPT, MAMO, IndustryOR and OptMATH-Bench
(``{"en_question", "en_answer"}``), ORLM-style ``{"question", "answer"}`` files and optolab's own
generic JSONL format ``{"id", "question", "objective", "answers"?, "tags"?}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from optolab.datasets.labels import NO_OPTIMUM_MARKERS, ParsedLabel, parse_label
from optolab.datasets.types import BenchmarkItem, LabelKind
from optolab.errors import DatasetFormatError

QUESTION_KEYS = ("question", "en_question", "problem", "description")
LABEL_KEYS = ("objective", "en_answer", "answer", "optimal_value")
PROBLEM_TYPE_KEYS = ("problem_type", "type", "category")
_MAX_LISTED_ERRORS = 10
_NO_OPTIMUM_NOTE = re.compile(r"\bno[ -]optimum\b|\binfeasible\b|\bunbounded\b", re.I)


def _raise_collected(path: Path, errors: list[str]) -> None:
    if errors:
        shown = "\n  ".join(errors[:_MAX_LISTED_ERRORS])
        more = (
            f"\n  ... and {len(errors) - _MAX_LISTED_ERRORS} more" if len(errors) > _MAX_LISTED_ERRORS else ""
        )
        raise DatasetFormatError(f"{len(errors)} malformed record(s) in {path}:\n  {shown}{more}")


def read_json_records(path: Path) -> list[tuple[str, Any]]:
    """``(location, object)`` pairs from a JSON-lines file, or from a JSON list in a ``.json`` file.

    ``location`` is ``"<path>:<line>"`` (or ``"<path>[<index>]"`` for a JSON list). Every line that
    is not valid JSON is reported in one ``DatasetFormatError`` naming the file and line numbers.
    """
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            data = None  # some ".json" benchmark files hold JSON lines
        if isinstance(data, list):
            return [(f"{path}[{i}]", obj) for i, obj in enumerate(data)]
    records: list[tuple[str, Any]] = []
    errors: list[str] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append((f"{path}:{lineno}", json.loads(line)))
        except json.JSONDecodeError as exc:
            errors.append(f"line {lineno}: invalid JSON ({exc.msg} at column {exc.colno})")
    _raise_collected(path, errors)
    return records


def _first(record: Mapping[str, Any], keys: Iterable[str]) -> tuple[str | None, Any]:
    for key in keys:
        if key in record:
            return key, record[key]
    return None, None


def _null_objective_label(record: Mapping[str, Any]) -> ParsedLabel | None:
    """A no-optimum label for a null objective explained by ``status`` or ``note``, else None."""
    status = record.get("status")
    if isinstance(status, str) and status.strip().lower() in NO_OPTIMUM_MARKERS:
        return ParsedLabel(
            LabelKind.NO_OPTIMUM, None, "", f"status {status!r} says the problem has no optimum"
        )
    note = record.get("note")
    if isinstance(note, str) and _NO_OPTIMUM_NOTE.search(note):
        return ParsedLabel(LabelKind.NO_OPTIMUM, None, "", note)
    return None


def _parse_answers(raw: Any, where: str) -> tuple[dict[str, float] | None, str | None]:
    """Keyed answers and, when one cannot be read, the reason."""
    if raw is None:
        return None, None
    if not isinstance(raw, Mapping):
        raise DatasetFormatError(
            f"{where}: 'answers' must be an object of key -> number, got {type(raw).__name__}"
        )
    answers: dict[str, float] = {}
    for key, value in raw.items():
        parsed = parse_label(value)
        if parsed.kind is not LabelKind.VALUE:
            return answers, f"keyed answer {key!r} = {parsed.raw!r} is not a finite number"
        answers[str(key)] = parsed.value  # type: ignore[assignment]
    return answers, None


def _parse_tags(raw: Any, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str) or not all(isinstance(t, str) for t in raw):
        raise DatasetFormatError(f"{where}: 'tags' must be a list of strings, got {raw!r}")
    return tuple(raw)


def record_to_item(
    record: Any,
    *,
    where: str,
    default_id: str,
    source: str,
    sentinels: tuple[float, ...] = (),
) -> BenchmarkItem:
    """One item from one record; raises ``DatasetFormatError`` (naming ``where``) for unusable records."""
    if not isinstance(record, Mapping):
        raise DatasetFormatError(f"{where}: expected a JSON object, got {type(record).__name__}")
    if isinstance(record.get("results"), Mapping):
        from optolab.datasets.optibench import optibench_item

        return optibench_item(record, where=where, default_id=default_id, source=source)
    _, question = _first(record, QUESTION_KEYS)
    if not isinstance(question, str) or not question.strip():
        raise DatasetFormatError(
            f"{where}: no question text (expected a non-empty string under one of {', '.join(QUESTION_KEYS)})"
        )
    _, raw_label = _first(record, LABEL_KEYS)
    parsed = parse_label(raw_label, sentinels)
    if parsed.kind is LabelKind.MISSING and raw_label is None:
        parsed = _null_objective_label(record) or parsed
    answers, answers_problem = _parse_answers(record.get("answers"), where)
    if answers_problem and parsed.kind is LabelKind.VALUE:
        parsed = ParsedLabel(LabelKind.MALFORMED, None, parsed.raw, answers_problem)
    objective_key = None
    if answers and parsed.value is not None:
        from optolab.datasets.optibench import choose_objective_key

        same = {k: v for k, v in answers.items() if v == parsed.value}
        objective_key = choose_objective_key(same) if same else None
    _, problem_type = _first(record, PROBLEM_TYPE_KEYS)
    item_id = record.get("id", default_id)
    orig_id = record.get("orig_id", record.get("index"))
    return BenchmarkItem(
        id=str(item_id),
        question=question,
        objective=parsed.value,
        answers=answers,
        label=parsed.kind,
        raw_label=parsed.raw,
        source=str(record.get("source") or source),
        tags=_parse_tags(record.get("tags"), where),
        problem_type=problem_type if isinstance(problem_type, str) else None,
        orig_id=None if orig_id is None else str(orig_id),
        objective_key=objective_key,
        note=parsed.reason,
    )


def records_to_items(
    records: list[tuple[str, Any]],
    *,
    source: str,
    sentinels: tuple[float, ...] = (),
    path: Path | None = None,
) -> list[BenchmarkItem]:
    """Items from ``(location, record)`` pairs; format errors are reported together; ids must be unique."""
    items: list[BenchmarkItem] = []
    errors: list[str] = []
    for position, (where, record) in enumerate(records):
        try:
            items.append(
                record_to_item(
                    record, where=where, default_id=f"{source}-{position}", source=source, sentinels=sentinels
                )
            )
        except DatasetFormatError as exc:
            errors.append(str(exc))
    seen: dict[str, int] = {}
    for item in items:
        seen[item.id] = seen.get(item.id, 0) + 1
    errors.extend(f"id {item_id!r} appears {n} times" for item_id, n in seen.items() if n > 1)
    _raise_collected(path or Path(source), errors)
    return items
