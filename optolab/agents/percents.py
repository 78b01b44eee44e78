"""Percentages under ten written a decimal place off: "5% fat" as ``0.5`` instead of ``0.05``.

Small models turn "20% protein and 5% fat" into ``0.2`` and ``0.5``: the first right, the second ten times
too big. The model then solves to a wrong optimum or turns infeasible (the embedded set's feed blend:
``0.5 * feed_a + 0.8 * feed_b <= 70`` for 5% and 8% fat). :func:`fix_percent_scale` writes the share itself
when all of this holds, and does nothing otherwise:

- the text gives ``p%`` (or "p percent") with ``0 < p < 10``;
- the code multiplies a decision by the literal ``p / 10`` (or has it in its data) and nowhere writes ``p / 100``;
- the text has no other reading of ``p / 10``: not the number itself, not ``10p%``, no "half", "quarter" or
  "tenth" words, and ``p`` is the only percentage it could be.
"""

from __future__ import annotations

import ast
import re

from optolab.agents.checks import numbers_in_text
from optolab.agents.codeast import quiet_fix, variable_names, weight_literals

_PERCENT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:%|percent\b|per\s+cent\b)", re.I)
_FRACTION_WORDS = re.compile(r"\b(?:half|halves|quarters?|tenths?|fifths?|thirds?)\b", re.I)


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _data_literals(tree: ast.Module) -> list[ast.Constant]:
    """The numbers of top-level data: ``fat = {'A': 0.05, 'B': 0.08}``, ``fat = [0.05, 0.08]``."""
    out = []
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, (ast.Dict, ast.List, ast.Tuple)):
            out += [n for n in ast.walk(stmt.value) if isinstance(n, ast.Constant)
                    and isinstance(n.value, (int, float)) and not isinstance(n.value, bool)
                    and n not in getattr(stmt.value, "keys", ())]
    return out


@quiet_fix
def fix_percent_scale(code: str, question: str):
    """The code with each weight ``p / 10`` that stands for "p%" written as ``p / 100``: a
    :class:`optolab.agents.program.Program` saying what changed, or None."""
    from optolab.agents.program import Program

    percents = [float(m.group(1)) for m in _PERCENT.finditer(question)]
    small = [p for p in percents if 0 < p < 10]
    if not small or _FRACTION_WORDS.search(question):
        return None
    tree = ast.parse(code)  # code that does not parse: the wrapper returns None
    literals = [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, (int, float))
                and not isinstance(n.value, bool)]
    weights = weight_literals(tree, set(variable_names(tree))) + _data_literals(tree)
    text_numbers = numbers_in_text(question)
    changes: list[str] = []
    for p in dict.fromkeys(small):
        wrong, right = p / 10, p / 100
        readings = [q for q in percents if _same(q / 100, wrong)] + [x for x in text_numbers if _same(x, wrong)]
        if readings or any(_same(n.value, right) for n in literals):
            continue
        hits = [n for n in weights if _same(float(n.value), wrong)]
        if not hits:
            continue
        for n in hits:
            n.value = right
        changes.append(f"{wrong:g} became {right:g} ({len(hits)} place{'s' if len(hits) > 1 else ''}): the text gives "
                       f"{p:g}%, which is {right:g} as a share; {wrong:g} is ten times that")
    return Program.changed(tree, changes)
