"""The "each ... one ..." rows of an assignment that the model code leaves out.

Assignment problems state both sides of the matching in words: "Each translator takes exactly one
document", "one machine per location", "each worker does at most one job". Small models write the
binary decision over both sets and the rows of one side, and drop the other side's; the model then
solves, to a wrong optimum (every document goes to the cheapest translator), so no solver status
shows it. The embedded set's assignment trails show this in most attempts.

:func:`add_assignment_rows` adds the missing rows itself when all of this holds, and does nothing
otherwise:

- a binary ``Var`` is declared over exactly two sets, each a list of names in the code (``nurses =
  ['N1', ...]`` or ``model.nurses = pyo.Set(initialize=[...])``);
- a sentence of the text says "each <one set> ... (exactly | at most | at least) one <the other set>" or
  "one <the other set> per <one set>", the words being the sets' names (singular or plural);
- no ``sum`` in the code runs over the other set with the decision inside it (so a model that has the
  rows in any form, a rule, a loop, a ``ConstraintList``, is left alone).
"""

from __future__ import annotations

import ast
import re

from optolab.agents.checks import stem
from optolab.agents.codeast import base_name, call_name, name_lists, quiet_fix

_WAY = {"exactly": "==", "only": "==", "just": "==", "at most": "<=", "no more than": "<=", "up to": "<=",
        "at least": ">="}
_ONE = r"(?:one|a\s+single|1|a|an)"
_QUAL = r"(?P<way>exactly|only|just|at\s+most|no\s+more\s+than|up\s+to|at\s+least)?\s*"
# "Each nurse works in exactly one ward", "each of the jobs is assigned to one machine"
_EACH = re.compile(r"\b(?:each|every)\s+(?:of\s+the\s+)?(?P<row>[a-z]+)\s+(?P<verb>(?:[a-z]+\s+){1,4}?)" + _QUAL
                   + _ONE + r"\s+(?P<col>[a-z]+)\b", re.I)
# "one machine per location", "exactly one driver for each route"
_PER = re.compile(_QUAL + r"\b" + _ONE + r"\s+(?P<col>[a-z]+)\s+(?:per|for\s+each|for\s+every|in\s+each|at\s+each)\s+"
                  r"(?P<row>[a-z]+)\b", re.I)
# verbs that make "each X <verb> one Y" something other than a matching ("each van can carry at most one...")
_NOT_MATCHING = {"costs", "cost", "weighs", "weigh", "needs", "need", "requires", "require", "uses", "use", "contains",
                 "contain", "produces", "produce", "holds", "hold", "carries", "carry", "earns", "earn", "pays", "pay",
                 "takes up", "than"}


def list_sets(tree: ast.Module) -> dict[str, list[str]]:
    """Name -> elements of each list of names: plain lists and ``Set(initialize=[...])`` components."""
    out = dict(name_lists(tree))
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and call_name(stmt.value) == "Set":
            name = base_name(stmt.targets[0])
            init = next((k.value for k in stmt.value.keywords if k.arg == "initialize"), None)
            if init is None and stmt.value.args:
                init = stmt.value.args[0]
            if isinstance(init, ast.Name) and init.id in out:
                out.setdefault(name, out[init.id])
            elif isinstance(init, ast.List) and init.elts and all(
                    isinstance(e, ast.Constant) and isinstance(e.value, str) for e in init.elts):
                out.setdefault(name, [e.value for e in init.elts])
    return out


def two_list_variables(tree: ast.Module, sets: dict[str, list[str]], binary: bool = False):
    """``(statement, variable, first set node, second set node)`` of each top-level Var declared over two
    different lists of ``sets`` (only the Binary ones with ``binary``)."""
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and call_name(stmt.value) == "Var"):
            continue
        args = stmt.value.args
        if len(args) != 2 or not all(base_name(a) in sets for a in args) or base_name(args[0]) == base_name(args[1]):
            continue
        domain = next((k.value for k in stmt.value.keywords if k.arg in ("domain", "within")), None)
        if binary and (domain is None or base_name(domain) != "Binary"):
            continue
        yield stmt, base_name(stmt.targets[0]), args[0], args[1]


def _names_set(word: str, set_name: str) -> bool:
    """Whether a word of the text names a set: "nurse" or "nurses" for ``nurses``, ``model.nurse_set``."""
    parts = [p for p in re.split(r"[_\W\d]+", set_name.lower()) if p and p not in ("set", "list", "all")]
    return len(parts) == 1 and stem(parts[0]) == stem(word.lower())


def summed_over(tree: ast.Module, variable: str, set_name: str, other: str) -> bool:
    """Whether some comprehension runs over ``set_name`` and not over ``other`` (as the double sum of an
    objective does) with ``variable[...]`` in its element."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.GeneratorExp, ast.ListComp)) and any(
                base_name(g.iter) == set_name for g in node.generators) and not any(
                base_name(g.iter) == other for g in node.generators) and any(
                isinstance(s, ast.Subscript) and base_name(s.value) == variable for s in ast.walk(node.elt)):
            return True
    return False


def _stated_rows(question: str, row: str, col: str) -> tuple[str, str] | None:
    """The comparison ("==", "<=", ">=") of "each <row> ... one <col>" in the text and the words that say
    it, or None."""
    for m in _EACH.finditer(question):
        verb = m.group("verb").strip().lower()
        if _names_set(m.group("row"), row) and _names_set(m.group("col"), col) \
                and not any(w in _NOT_MATCHING for w in verb.split()) and "than" not in verb:
            return _WAY.get(re.sub(r"\s+", " ", (m.group("way") or "exactly").lower()), "=="), m.group(0)
    for m in _PER.finditer(question):
        if _names_set(m.group("row"), row) and _names_set(m.group("col"), col):
            return _WAY.get(re.sub(r"\s+", " ", (m.group("way") or "exactly").lower()), "=="), m.group(0).strip()
    return None


def add_row_list(tree: ast.Module, var_stmt: ast.Assign, owner: str, rule: str, taken: set[str], row: ast.expr,
                 col: ast.expr, row_first: bool, rhs: str) -> str:
    """Append ``owner.<rule> = ConstraintList()`` with one row ``sum(x[r, c] for c in col) <rhs>`` for each ``r``
    of ``row`` (``x`` the variable ``var_stmt`` declares over the two lists, in that order when ``row_first``); the
    rule's name is made unique against ``taken``, which it joins, and returned. ``rhs`` may read ``_r``."""
    while rule in taken:
        rule += "_2"
    taken.add(rule)
    key = "_r, _c" if row_first else "_c, _r"
    func = var_stmt.value.func
    prefix = f"{ast.unparse(func.value)}." if isinstance(func, ast.Attribute) else ""
    target = ast.unparse(var_stmt.targets[0])
    added = ast.parse(("" if prefix else "from pyomo.environ import ConstraintList\n")
                      + f"{owner}.{rule} = {prefix}ConstraintList()\n"
                      f"for _r in {ast.unparse(row)}:\n"
                      f"    {owner}.{rule}.add(sum({target}[{key}] for _c in {ast.unparse(col)}) {rhs})\n")
    tree.body.extend(added.body)
    return rule


@quiet_fix
def add_assignment_rows(code: str, question: str):
    """The code with the rows "each <row> gets one <col>" added where the text states them and no sum of the
    code runs over the other set: a :class:`optolab.agents.program.Program`, or None when nothing is added."""
    from optolab.agents.program import Program, model_variable

    tree = ast.parse(code)  # code that does not parse: the wrapper returns None
    sets = list_sets(tree)
    owner = model_variable(tree)
    if not sets or owner is None:
        return None
    changes: list[str] = []
    taken = {base_name(t) for s in tree.body if isinstance(s, ast.Assign) for t in s.targets}
    for stmt, variable, first, second in list(two_list_variables(tree, sets, binary=True)):
        for row, col, row_first in ((first, second, True), (second, first, False)):
            row_name, col_name = base_name(row), base_name(col)
            stated = _stated_rows(question, row_name, col_name)
            if stated is None or summed_over(tree, variable, col_name, row_name):
                continue
            way, words = stated
            rule = add_row_list(tree, stmt, owner, f"each_{stem(row_name)}_one_{stem(col_name)}", taken,
                                row, col, row_first, f"{way} 1")
            changes.append(f"added {owner}.{rule}: for each of {row_name}, the sum of {variable} over {col_name} "
                           f"{way} 1; the text says \"{words}\", and no row of the code summed {variable} over "
                           f"{col_name}")
    return Program.changed(tree, changes)
