"""Reading ground-truth labels: numbers, no-optimum markers, missing and malformed labels.

The rules are explicit so that no label is guessed:

* ``None`` or a blank string is *missing*.
* ``int``/``float`` values (not ``bool``) are values when finite; infinity and NaN are *malformed*.
* Strings are stripped; a no-optimum marker ("No Best Solution", "infeasible", "unbounded", ...,
  compared case-insensitively) means *no optimum*.
* Other strings must be cleanly numeric, after removing thousands separators written as
  ``1,200`` or ``1 200`` (groups of exactly three digits). Anything else -- currency signs, units,
  words, ``"inf"``, ``"nan"`` -- is *malformed*.
* A benchmark may name numeric sentinels for "no optimum" (SIRL's ``-9999``); a label equal to one
  of them means *no optimum*.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from optolab.datasets.types import LabelKind

NO_OPTIMUM_MARKERS = frozenset(
    {
        "no best solution",
        "no optimal solution",
        "no optimum",
        "no solution",
        "no feasible solution",
        "infeasible",
        "unbounded",
        "infeasible or unbounded",
        "infeasible_or_unbounded",
        "no_optimum",
    }
)

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:(?P<sep>[, ])\d{3})(?:(?P=sep)\d{3})*(?:\.\d+)?")


@dataclass(frozen=True)
class ParsedLabel:
    """The outcome of reading one label."""

    kind: LabelKind
    value: float | None
    raw: str
    reason: str | None = None  # why the label is not a value (None for values)


def raw_text(raw: object) -> str:
    """The label as text, for ``BenchmarkItem.raw_label`` (``""`` for None)."""
    return "" if raw is None else str(raw)


def parse_number(text: str) -> float | None:
    """The finite number ``text`` spells, or None when it is not cleanly numeric."""
    text = text.strip()
    if _NUMBER.fullmatch(text):
        value = float(text)
    elif _GROUPED.fullmatch(text):
        value = float(text.replace(",", "").replace(" ", ""))
    else:
        return None
    return value if math.isfinite(value) else None


def parse_label(raw: object, sentinels: tuple[float, ...] = ()) -> ParsedLabel:
    """Read one ground-truth label; see the module docstring for the rules."""
    text = raw_text(raw)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return ParsedLabel(LabelKind.MISSING, None, text, "empty label")
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        return ParsedLabel(
            LabelKind.MALFORMED, None, text, f"label of type {type(raw).__name__} is not a number"
        )
    if isinstance(raw, str):
        if raw.strip().lower() in NO_OPTIMUM_MARKERS:
            return ParsedLabel(
                LabelKind.NO_OPTIMUM, None, text, f"label {text!r} says the problem has no optimum"
            )
        value = parse_number(raw)
        if value is None:
            return ParsedLabel(LabelKind.MALFORMED, None, text, f"label {text!r} is not a finite number")
    else:
        value = float(raw)
        if not math.isfinite(value):
            return ParsedLabel(LabelKind.MALFORMED, None, text, f"label {text!r} is not a finite number")
    if value in sentinels:
        return ParsedLabel(
            LabelKind.NO_OPTIMUM, None, text, f"label {text!r} is this benchmark's marker for no optimum"
        )
    return ParsedLabel(LabelKind.VALUE, value, text)
