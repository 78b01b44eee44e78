"""Limits the text gives item by item ("W1 holds 70 units and W2 holds 50") that the model code leaves out.

Transportation and assignment texts state one side's numbers in prose and the other side's in a table or a
list: "Warehouse W1 holds 70 units and W2 holds 50 units. Store demands are S1: 40, S2: 45 and S3: 30". Small
models write the rows of one side and drop the other's; the model solves, to an optimum that ships more than
a warehouse holds (the embedded set's transport trails). :func:`add_element_rows` adds the missing rows
when all of this holds, and does nothing otherwise:

- a decision is declared over two lists of names of the code (``ship[w, s]`` over ``warehouses`` and
  ``stores``) and no ``sum`` of the code runs over the second list alone with it inside (the rows of the first
  list are missing in every form);
- the text writes each name of the first list followed, within a few words, by exactly one number, and none of
  those numbers appears in the code;
- the words between say which way: "holds", "has", "supplies", "can", "capacity", "up to", "at most" give
  ``<=``; "needs", "demands", "requires", "at least", "must receive" give ``>=``; "exactly" gives ``==``.

Where the rows are there but give every item one number (``sum(assign[n, w] for n in nurses) == 1`` for each
ward) and the text gives each its own ("Ward A needs exactly 2 nurses, ward B exactly 2 and ward C exactly
1"), the row reads the item's number instead.
"""

from __future__ import annotations

import ast
import re

from optolab.agents.assignment import add_row_list, list_sets, summed_over, two_list_variables
from optolab.agents.codeast import base_name, call_name, number_literals, quiet_fix

_NUMBER = r"(?P<num>\d[\d,]*(?:\.\d+)?)"
_AT_MOST = re.compile(r"\b(?:holds?|has|have|suppl(?:y|ies)|can|capacity|available|stocks?|produces?|up\s+to|"
                      r"at\s+most|no\s+more\s+than|maximum|max)\b", re.I)
_AT_LEAST = re.compile(r"\b(?:needs?|demands?|requires?|requirements?|at\s+least|must\s+receive|wants?|orders?|"
                       r"minimum|min)\b", re.I)
_EXACTLY = re.compile(r"\bexactly\b", re.I)


def _stated(question: str, element: str, elements: list[str]) -> tuple[float, str] | None:
    """The one number the text writes right after ``element`` and the words that say which way it binds."""
    found = []
    others = "|".join(re.escape(e) for e in elements if e != element)
    for m in re.finditer(rf"(?<![\w-]){re.escape(element)}(?![\w-])", question):
        tail = question[m.end():m.end() + 40]
        stop = re.search(rf"[.;\n|]|(?<![\w-])(?:{others})(?![\w-])", tail) if others else re.search(r"[.;\n|]", tail)
        tail = tail[:stop.start()] if stop else tail
        num = re.search(_NUMBER, tail)
        if num:
            clause_start = max(question.rfind(c, 0, m.start()) for c in ".;\n") + 1
            found.append((float(num.group("num").replace(",", "")), question[clause_start:m.start()] + tail[:num.start()]))
    return found[0] if len(found) == 1 else None


def _way(words: str) -> str | None:
    ways = {op for rx, op in ((_EXACTLY, "=="), (_AT_MOST, "<="), (_AT_LEAST, ">=")) if rx.search(words)}
    if "==" in ways:
        return "=="
    return ways.pop() if len(ways) == 1 else None


def _restate_rows(tree: ast.Module, variable: str, col_name: str, row_pos: int, limits: str, numbers: set[float],
                  used: set[float]) -> list[str]:
    """Rows ``sum(x[r, c] for c in C) == 1`` written with one number for every item where the text gives each
    item its own ("Ward A needs exactly 2 nurses, ward B exactly 2 and ward C exactly 1"): the number becomes
    the item's, read from ``limits``. Only when the text's numbers are not all that one number and none of
    them is a number the code uses for something else."""
    changes = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Compare) and len(node.ops) == 1):
            continue
        for attr, side, other in (("comparators", node.left, node.comparators[0]),
                                  ("left", node.comparators[0], node.left)):
            if not (isinstance(other, ast.Constant) and isinstance(other.value, (int, float))
                    and isinstance(side, ast.Call) and call_name(side) == "sum" and len(side.args) == 1
                    and isinstance(side.args[0], ast.GeneratorExp)):
                continue
            gen = side.args[0]
            if [base_name(g.iter) for g in gen.generators] != [col_name]:
                continue
            keys = [n.slice.elts[row_pos] for n in ast.walk(gen.elt) if isinstance(n, ast.Subscript)
                    and base_name(n.value) == variable and isinstance(n.slice, ast.Tuple) and len(n.slice.elts) == 2]
            loop = {t.id for g in gen.generators for t in ast.walk(g.target) if isinstance(t, ast.Name)}
            if not keys or not all(isinstance(k, ast.Name) and k.id == keys[0].id not in loop for k in keys):
                continue
            value = float(other.value)
            if numbers == {value} or any(n in used and n != value for n in numbers):
                continue
            new = ast.parse(f"{limits}[{keys[0].id}]", mode="eval").body
            before = ast.unparse(node)
            setattr(node, attr, [new] if attr == "comparators" else new)
            changes.append(f"`{before}` became `{ast.unparse(node)}`: the text gives each its own number ({limits}), "
                           f"not {value:g} for all")
            break
    return changes


@quiet_fix
def add_element_rows(code: str, question: str):
    """The code with one row per item of a list whose limits the text states item by item and the code leaves
    out: a :class:`optolab.agents.program.Program` saying what was added, or None."""
    from optolab.agents.program import Program, model_variable

    tree = ast.parse(code)  # code that does not parse: the wrapper returns None
    sets, owner = list_sets(tree), model_variable(tree)
    if len(sets) < 2 or owner is None:
        return None
    used = number_literals(tree)
    taken = {base_name(t) for s in tree.body if isinstance(s, ast.Assign) for t in s.targets}
    changes: list[str] = []
    for stmt, variable, first, second in list(two_list_variables(tree, sets)):
        for row, col, row_first in ((first, second, True), (second, first, False)):
            row_name, col_name = base_name(row), base_name(col)
            elements = sets[row_name]
            stated = [_stated(question, e, elements) for e in elements]
            if any(s is None for s in stated):
                continue
            ways = {_way(words) for _, words in stated}
            if len(ways) != 1 or None in ways:
                continue
            way = ways.pop()
            limits = "{" + ", ".join(f"{e!r}: {n:g}" for e, (n, _) in zip(elements, stated)) + "}"
            if summed_over(tree, variable, col_name, row_name):
                changes += _restate_rows(tree, variable, col_name, 0 if row_first else 1, limits,
                                         {n for n, _ in stated}, used)
                continue
            if any(n in used for n, _ in stated):
                continue
            rule = add_row_list(tree, stmt, owner, f"{row_name}_limit", taken, row, col, row_first,
                                f"{way} {limits}[_r]")
            changes.append(f"added {owner}.{rule}: for each of {row_name}, the sum of {variable} over {col_name} {way} "
                           f"the number the text gives it ({limits}); no row of the code summed {variable} over "
                           f"{col_name}")
    return Program.changed(tree, changes)
