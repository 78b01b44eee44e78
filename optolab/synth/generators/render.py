"""Turning instance data into text: numbers, Python literals for model code, English lists, labels.

One number format is used everywhere (facts and code): integers as digits, floats in their
shortest round-trip form (``8.5``, ``0.05``), never thousands separators or exponents, so every
number of an instance's data can be found verbatim in its facts and its code.
"""

from __future__ import annotations

import json
import math
import random
import textwrap
from typing import Any, Sequence

WIDTH = 100  # longest line a data literal gets before it is wrapped


def num(x: float | int) -> str:
    """``12`` for integers and integral floats, ``8.5`` / ``0.05`` for the rest."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"num() formats int or float values, not {type(x).__name__} ({x!r})")
    if isinstance(x, int):
        return str(x)
    if not math.isfinite(x):
        raise ValueError(f"num() cannot format the non-finite value {x!r}")
    if x.is_integer():
        return str(int(x))
    text = repr(x)
    if "e" in text:
        text = f"{x:.12f}".rstrip("0")
    return text


def money(x: float | int) -> str:
    return f"${num(x)}"


def join_and(words: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    words = list(words)
    if not words:
        return "none"
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 plant``, ``3 plants`` (``many`` for irregular plurals)."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def labels(rng: random.Random, pool: Sequence[str], n: int, prefix: str) -> list[str]:
    """``n`` distinct names: a random draw from ``pool`` when it is big enough, else ``prefix1..prefixn``."""
    if n <= len(pool):
        return rng.sample(list(pool), n)
    return [f"{prefix}{i}" for i in range(1, n + 1)]


def literal(value: Any, indent: int = 0) -> str:
    """A Python literal for ``value`` (numbers, strings, lists, dicts) wrapped to :data:`WIDTH` columns."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, (int, float)):
        return num(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        parts = [literal(v, indent + 4) for v in value]
        opening, closing = ("[", "]") if isinstance(value, list) else ("(", ")")
        if isinstance(value, tuple) and len(value) == 1:
            parts[0] += ","
    elif isinstance(value, dict):
        parts = [f"{literal(k)}: {literal(v, indent + 4)}" for k, v in value.items()]
        opening, closing = "{", "}"
    else:
        raise TypeError(f"literal() cannot write a {type(value).__name__} ({value!r}) as model data")
    one_line = opening + ", ".join(parts) + closing
    if indent + len(one_line) <= WIDTH and "\n" not in one_line:
        return one_line
    pad = " " * (indent + 4)
    if all("\n" not in p and len(p) < 30 for p in parts):  # short items: fill each line
        lines, line = [], ""
        for p in parts:
            piece = p + ","
            if line and len(pad) + len(line) + 1 + len(piece) > WIDTH:
                lines.append(line)
                line = piece
            else:
                line = f"{line} {piece}" if line else piece
        lines.append(line)
    else:
        lines = [p + "," for p in parts]
    return opening + "\n" + "\n".join(pad + ln for ln in lines) + "\n" + " " * indent + closing


def data_block(items: Sequence[tuple[str, Any, str | None]]) -> str:
    """``name = literal  # comment`` lines (the comment on its own line above a multi-line literal)."""
    out = []
    for name, value, comment in items:
        text = literal(value)
        if comment and ("\n" in text or len(f"{name} = {text}  # {comment}") > WIDTH):
            out.append(f"# {comment}")
            out.append(f"{name} = {text}")
        elif comment:
            out.append(f"{name} = {text}  # {comment}")
        else:
            out.append(f"{name} = {text}")
    return "\n".join(out)


def model_source(summary: str, data: Sequence[tuple[str, Any, str | None]], model: str,
                 imports: Sequence[str] = ()) -> str:
    """Standalone model code: a docstring, the imports, the data, then the model statements."""
    head = "\n".join([*(f"import {m}" for m in imports), "import pyomo.environ as pyo"])
    doc = textwrap.fill(summary, width=WIDTH - 3)
    return f'"""{doc}"""\n\n{head}\n\n{data_block(data)}\n\n{model.strip()}\n'


def bullets(lines: Sequence[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def points(rng: random.Random, n: int, width: float = 100.0,
           height: float = 100.0) -> list[tuple[float, float]]:
    """Random map positions, used to make distance-based costs look like a real geography."""
    return [(rng.uniform(0, width), rng.uniform(0, height)) for _ in range(n)]


def distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])
