"""Tolerant extraction of a JSON object from a model's reply.

Tries, in order: the whole text; a fenced ```json block; the first balanced ``{...}``; then the
same candidates after light repairs (Python literals ``True/False/None``, single quotes,
trailing commas, comments). Raises ``ValueError`` naming what was tried.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

_FENCE = re.compile(r"```(?:json|JSON|javascript|python)?\s*\n?(.*?)```", re.S)


def _balanced(text: str) -> list[str]:
    """Every top-level balanced {...} span, skipping braces inside strings."""
    spans, depth, start, quote, escape = [], 0, None, None, False
    for i, ch in enumerate(text):
        if quote:
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == quote:
                quote = None
            continue
        if ch in "\"'" and depth > 0:
            quote = ch
        elif ch == "{":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "}" and depth > 0:
            depth -= 1
            if depth == 0 and start is not None:
                spans.append(text[start:i + 1])
    if depth > 0 and start is not None:  # cut off: close what is open
        spans.append(text[start:] + "}" * depth)
    return spans


def _repairs(text: str) -> list[str]:
    t = re.sub(r"//[^\n\"]*$", "", text, flags=re.M)  # line comments outside strings (approximately)
    t = re.sub(r",\s*([}\]])", r"\1", t)  # trailing commas
    py = re.sub(r"\btrue\b", "True", re.sub(r"\bfalse\b", "False", re.sub(r"\bnull\b", "None", t)))
    return [t, py]


def _loads(candidate: str) -> Any:
    try:
        return json.loads(candidate)
    except ValueError:
        pass
    for fixed in _repairs(candidate):
        try:
            return json.loads(fixed)
        except ValueError:
            pass
        try:
            value = ast.literal_eval(fixed)
            json.dumps(value)  # only JSON-like values
            return value
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            pass
    raise ValueError("not JSON")


def extract_json(text: str) -> Any:
    """The JSON object in ``text``; ``ValueError`` if none can be recovered."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("the reply is empty")
    candidates = [text.strip()]
    candidates += [m.group(1).strip() for m in _FENCE.finditer(text)]
    candidates += _balanced(text)
    for c in candidates:
        if not c:
            continue
        try:
            return _loads(c)
        except ValueError:
            continue
    preview = text.strip().replace("\n", " ")[:120]
    raise ValueError(f"no JSON object could be read from the reply (starts: {preview!r})")
