"""Finding the numbers of a problem's data in a text written from it, without a model.

A word problem written from an instance must state every number of the instance's data. The check
reads every number of the text (``1,200``, ``$8.5``, ``12%``, ``1.2 million``, ``twelve``) and looks
for every distinct value of the data among them. Signs are ignored (a text says "a loss of 30" for
-30), and a percentage matches its fraction both ways (``5%`` for 0.05, ``0.05`` for 5).

>>> missing_numbers({"capacity": 26, "weight": {"tent": 7.5}}, "A pack holds 26 kg; the tent weighs 7.5 kg.")
[]
>>> missing_numbers({"capacity": 26, "rate": 0.05}, "A pack holds 26 kg.")
['0.05']
"""

from __future__ import annotations

import math
import re
from typing import Any, Iterable

# a number not glued to a name before it ("plant2", "x1"): digits with optional thousands separators,
# decimals and exponent
_NUMBER = re.compile(r"(?<![A-Za-z_\d.])(\d{1,3}(?:,\d{3})+(?!\d)|\d+)(\.\d+)?(?:[eE]([-+]?\d+))?(?![A-Za-z_]*\d)")
_SCALE = re.compile(r"\s*(thousand|million|billion|k\b|m\b|bn\b)", re.I)
_PERCENT = re.compile(r"\s*(%|percent\b|per cent\b)", re.I)
_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9}
_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
               "hundred": 100, "thousand": 1000, "dozen": 12, "half": 0.5, "quarter": 0.25})
_WORD = re.compile(r"\b(" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")\b", re.I)


def fmt(x: float) -> str:
    """``12`` for integral values, the shortest round-trip form otherwise (``8.5``, ``0.05``)."""
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    text = repr(float(x))
    return f"{x:.12f}".rstrip("0") if "e" in text else text


def data_numbers(data: Any) -> list[float]:
    """Every distinct number (absolute value) among the values of ``data``, at any depth, in first-seen order.

    Dict keys, strings and booleans are not numbers of the data (names such as ``"A1"`` are labels).
    """
    seen: dict[float, None] = {}

    def walk(value: Any) -> None:
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, (int, float)):
            if math.isfinite(value):
                seen.setdefault(abs(float(value)), None)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, (list, tuple, set)):
            for v in value:
                walk(v)

    walk(data)
    return list(seen)


def text_numbers(text: str, *, words: bool = True) -> list[float]:
    """The numbers a text states (absolute values), each with the readings it allows.

    ``12%`` gives 12 and 0.12; ``1.2 million`` gives 1.2 and 1200000; ``twelve`` gives 12 when ``words``.
    """
    out: list[float] = []
    for m in _NUMBER.finditer(text or ""):
        whole, frac, exp = m.group(1), m.group(2) or "", m.group(3)
        try:
            value = float(whole.replace(",", "") + frac + (f"e{exp}" if exp else ""))
        except ValueError:
            continue
        if not math.isfinite(value):
            continue
        out.append(value)
        after = text[m.end():m.end() + 12]
        scale = _SCALE.match(after)
        if scale:
            out.append(value * _SCALES[scale.group(1).lower()])
        if _PERCENT.match(after):
            out.append(value / 100.0)
    if words:
        for m in _WORD.finditer(text or ""):
            out.append(float(_WORDS[m.group(1).lower()]))
    return out


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _found(value: float, stated: Iterable[float]) -> bool:
    for s in stated:
        if _close(value, s) or _close(value, s * 100.0) or _close(value * 100.0, s):
            return True
    return False


def missing_values(values: Iterable[float], text: str, *, words: bool = True) -> list[str]:
    """The ``values`` (formatted) that ``text`` does not state, in the given order."""
    stated = sorted(set(text_numbers(text, words=words)))
    missing = []
    for v in values:
        v = abs(float(v))
        if not _found(v, stated):
            missing.append(fmt(v))
    return list(dict.fromkeys(missing))


def missing_numbers(data: Any, text: str, *, words: bool = True) -> list[str]:
    """The numbers of ``data`` that ``text`` does not state (formatted like ``12`` or ``0.05``); [] when all are."""
    return missing_values(data_numbers(data), text, words=words)
