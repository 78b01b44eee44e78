"""Shifts that span several consecutive periods, covered as if each lasted one.

"Staff start at the beginning of a period and work two consecutive periods; the last period wraps around to the
first", "each driver works five consecutive days ... the weekly pattern repeats": the people on duty in a period
are all those who started in it or in the periods just before. A small model declares ``start[p]`` over the
periods and writes the cover row ``start[p] >= need[p]``, as if a shift lasted one period; the model solves, to
about twice the answer. :func:`cover_consecutive_shifts` rewrites each such row as the sum over the starts
whose shift covers ``p`` when all of this holds:

- the text says people work (or a shift covers, lasts) N consecutive periods, N from 2 to 12, in digits or words;
- the code makes one variable over a list of periods (``pyo.Var(periods, ...)``) and no row sums it;
- every row is ``var[p] >= ...`` on one element ``p``.

Where the text says the pattern wraps around, repeats or cycles, the periods before the first are the last ones;
otherwise a shift starting before the first period does not exist.
"""

from __future__ import annotations

import ast
import re

from optolab.agents.codeast import call_name, list_variables, quiet_fix, reference_names

_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
          "eleven": 11, "twelve": 12}
_SPAN = re.compile(r"\b(\d{1,2}|" + "|".join(_WORDS) + r")\s+consecutive\s+(?:time\s+)?[a-z]+", re.I)
_CYCLE = re.compile(r"\bwraps?\s+(?:a)?round\b|\brepeats?\b|\bcycl(?:e|es|ic|ical)\b|\bevery\s+week\b|"
                    r"\brotat(?:es|ing|ion)\b", re.I)


def _span(question: str) -> int | None:
    m = _SPAN.search(question)
    if not m:
        return None
    word = m.group(1).lower()
    n = int(word) if word.isdigit() else _WORDS[word]
    return n if 2 <= n <= 12 else None


@quiet_fix
def cover_consecutive_shifts(code: str, question: str):
    """Rewrite one-period cover rows of shifts that last several periods (see the module's notes)."""
    from optolab.agents.program import Program

    span = _span(question)
    if span is None:
        return None
    tree = ast.parse(code)
    made = list_variables(tree)
    if len(made) != 1:
        return None
    made_by, periods = made[0]
    names = reference_names(tree, made_by.targets[0])
    listed = next((st.value for st in tree.body if isinstance(st, ast.Assign) and len(st.targets) == 1
                   and isinstance(st.targets[0], ast.Name) and st.targets[0].id == periods), None)
    if not isinstance(listed, (ast.List, ast.Tuple)) or len(listed.elts) <= span:
        return None

    def reads_var(node: ast.AST) -> bool:
        return isinstance(node, ast.Subscript) and ast.unparse(node.value) in names

    goal = {id(x) for n in ast.walk(tree) if isinstance(n, ast.Call) and call_name(n) == "Objective"
            for x in ast.walk(n)}
    if any(isinstance(n, ast.Call) and call_name(n) == "sum" and id(n) not in goal
           and any(reads_var(x) for x in ast.walk(n)) for n in ast.walk(tree)):
        return None  # some row sums the starts already (the objective's sum is the head count)
    rows = [n for n in ast.walk(tree) if isinstance(n, ast.Compare) and len(n.ops) == 1 and reads_var(n.left)
            and isinstance(n.left.slice, ast.Name)]
    if not rows or not all(isinstance(r.ops[0], ast.GtE) for r in rows):
        return None
    if any(reads_var(x) for r in rows for x in ast.walk(r.comparators[0])):
        return None
    cyclic = bool(_CYCLE.search(question))
    changes = []
    for row in rows:
        var, key = ast.unparse(row.left.value), row.left.slice.id
        at = f"{periods}.index({key})"
        text = (f"sum({var}[{periods}[({at} - k) % len({periods})]] for k in range({span}))" if cyclic else
                f"sum({var}[{periods}[{at} - k]] for k in range({span}) if {at} - k >= 0)")
        before = ast.unparse(row)
        row.left = ast.parse(text, mode="eval").body
        changes.append(f"`{before}` became `{ast.unparse(row)}`: a shift lasts {span} consecutive periods, so "
                       f"those who started in the {span - 1} period(s) before {key} are on duty too"
                       + (" (the periods wrap around)" if cyclic else ""))
    return Program.changed(tree, changes)
