"""OptiBench (ReSocratic): entries ``{question, index, type, results: {description: numeric string}}``.

``results`` holds every value the problem asks for (decision variables and the objective), keyed by
a description. The objective is one of these keys, chosen as follows:

1. When the SIRL objective-only copy (``OptiBench_SIRL_objective_only.jsonl``, same questions in the
   same order, one ``en_answer`` per line) is available, the objective key is the key whose value
   equals that ``en_answer`` (SIRL rounds to two decimals, so a value that rounds to it also
   matches). When several keys hold that value, rule 2 picks among them.
2. Otherwise the objective key is the last key whose description names an objective: a word
   starting with ``maxim``/``minim``, or ``max``, ``min``, ``total``, ``profit``, ``cost``,
   ``revenue``, ``objective``, ``optimal``; when no description does, the last key (OptiBench lists
   the objective after the variables). On the 605 published items this rule alone picks SIRL's
   key for 595 (measured against the objective-only copy).

The objective keeps the full precision of the keyed value. ``type`` gives the tags
(``"linear-table"`` -> ``("linear", "table")``) and the ``problem_type``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optolab.datasets.labels import ParsedLabel, parse_label
from optolab.datasets.records import read_json_records
from optolab.datasets.types import BenchmarkItem, LabelKind
from optolab.errors import DatasetFormatError

OBJECTIVE_WORDS = re.compile(
    r"\b(maxim\w*|minim\w*|max|min|total|profit|cost|revenue|objective|optimal)\b", re.I
)


def _matches_reference(value: float, reference: float) -> bool:
    return abs(value - reference) <= 1e-6 * max(1.0, abs(reference)) or round(value, 2) == reference


def choose_objective_key(results: Mapping[str, float], reference: float | None = None) -> str | None:
    """The key of ``results`` that holds the objective (rules in the module docstring)."""
    keys = list(results)
    if reference is not None:
        matching = [k for k in keys if _matches_reference(results[k], reference)]
        if matching:
            keys = matching
    if not keys:
        return None
    named = [k for k in keys if OBJECTIVE_WORDS.search(k)]
    return (named or keys)[-1]


def _label_from_results(
    parsed: dict[str, ParsedLabel], reference: float | None
) -> tuple[ParsedLabel, str | None]:
    if not parsed:
        return ParsedLabel(LabelKind.MISSING, None, "", "no keyed results"), None
    bad = {k: p for k, p in parsed.items() if p.kind is not LabelKind.VALUE}
    if bad and all(p.kind is LabelKind.NO_OPTIMUM for p in parsed.values()):
        first = next(iter(parsed.values()))
        return ParsedLabel(LabelKind.NO_OPTIMUM, None, first.raw, first.reason), None
    if bad:
        key, p = next(iter(bad.items()))
        return ParsedLabel(LabelKind.MALFORMED, None, p.raw, f"keyed result {key!r}: {p.reason}"), None
    values = {k: p.value for k, p in parsed.items()}
    key = choose_objective_key(values, reference)  # type: ignore[arg-type]
    return parsed[key], key  # type: ignore[index]


def optibench_item(
    entry: Mapping[str, Any], *, where: str, default_id: str, source: str, reference: float | None = None
) -> BenchmarkItem:
    """One item from one OptiBench entry; ``reference`` is SIRL's objective for it, when known."""
    question = entry.get("question")
    if not isinstance(question, str) or not question.strip():
        raise DatasetFormatError(f"{where}: no question text (expected a non-empty string under 'question')")
    results = entry.get("results")
    if not isinstance(results, Mapping):
        raise DatasetFormatError(f"{where}: 'results' must be an object of description -> number")
    parsed = {str(k): parse_label(v) for k, v in results.items()}
    label, key = _label_from_results(parsed, reference)
    answers = {k: p.value for k, p in parsed.items() if p.value is not None} if parsed else None
    kind = entry.get("type")
    tags: tuple[str, ...] = tuple(t for t in kind.split("-") if t) if isinstance(kind, str) else ()
    index = entry.get("index")
    return BenchmarkItem(
        id=str(entry.get("id", default_id)),
        question=question,
        objective=label.value,
        answers=answers,  # type: ignore[arg-type]
        label=label.kind,
        raw_label=label.raw,
        source=source,
        tags=tags,
        problem_type=kind if isinstance(kind, str) else None,
        orig_id=None if index is None else str(index),
        objective_key=key,
        note=label.reason,
    )


def _references(companion: Path | None, questions: list[str]) -> list[float | None]:
    """SIRL's objective for each question, by position (checked against the question text), else by text."""
    if companion is None or not companion.is_file():
        return [None] * len(questions)
    rows = [row for _, row in read_json_records(companion) if isinstance(row, Mapping)]
    by_text = {row.get("en_question"): row.get("en_answer") for row in rows}
    refs: list[float | None] = []
    for pos, question in enumerate(questions):
        row = rows[pos] if pos < len(rows) else None
        answer = row.get("en_answer") if row and row.get("en_question") == question else by_text.get(question)
        parsed = parse_label(answer)
        refs.append(parsed.value)
    return refs


def load_optibench(
    path: Path, *, source: str = "optibench", companion: Path | None = None
) -> list[BenchmarkItem]:
    """Items of an ``OptiBench.json`` file, objectives chosen with the SIRL copy ``companion`` when given."""
    entries = read_json_records(path)
    questions = [e.get("question", "") if isinstance(e, Mapping) else "" for _, e in entries]
    refs = _references(companion, questions)
    items: list[BenchmarkItem] = []
    errors: list[str] = []
    for pos, ((where, entry), ref) in enumerate(zip(entries, refs)):
        if not isinstance(entry, Mapping):
            errors.append(f"{where}: expected a JSON object, got {type(entry).__name__}")
            continue
        try:
            items.append(
                optibench_item(entry, where=where, default_id=f"{source}-{pos}", source=source, reference=ref)
            )
        except DatasetFormatError as exc:
            errors.append(str(exc))
    if errors:
        raise DatasetFormatError(
            f"{len(errors)} malformed entr(y/ies) in {path}:\n  " + "\n  ".join(errors[:10])
        )
    return items
