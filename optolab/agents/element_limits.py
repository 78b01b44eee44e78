"""A limit the text puts on one named item, written by the model code on the sum over all items.

"The breakfast must ... contain at most 3 servings of milk": a small model with ``eat`` indexed by
``foods = ['oats', 'milk', 'eggs']`` writes ``sum(eat[f] for f in foods) <= 3``, a limit on every food
together; the model solves, to a wrong optimum. :func:`limit_named_element` writes the row on the one
item the words name (``eat['milk'] <= 3``) when all of this holds, and does nothing otherwise:

- the row compares a plain sum ``sum(x[i] for i in S)`` (no filter, no weights) with a number;
- the number is written once in the text, and the words right after it (up to the clause's end, eight words
  at most: "3 servings of milk") name exactly one element of ``S`` and no word for a total ("total", "all",
  "combined", "together", "overall", "in all", "altogether"), or the words right before it do ("limits sales
  of C to 150");
- no other row of the code already puts a number on that element alone.
"""

from __future__ import annotations

import ast
import re

from optolab.agents.checks import mentions_of, stem
from optolab.agents.codeast import base_name, folded, name_lists, quiet_fix, variable_names
from optolab.agents.relation_core import constant_values, number_of

_TOTAL = re.compile(r"\b(?:total|all|combined|together|overall|altogether|in\s+all|sum|each|every|per)\b", re.I)
_SIDES = (ast.LtE, ast.GtE, ast.Lt, ast.Gt, ast.Eq)


def _plain_sum(node: ast.AST, variables: set[str], sets: dict[str, list[str]]):
    """``(variable node, set name)`` of ``sum(x[i] for i in S)`` over a list of names ``S``, or None."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "sum"
            and len(node.args) == 1 and isinstance(node.args[0], (ast.GeneratorExp, ast.ListComp))):
        return None
    gen = node.args[0]
    if len(gen.generators) != 1 or gen.generators[0].ifs or not isinstance(gen.generators[0].target, ast.Name):
        return None
    loop, over = gen.generators[0].target.id, base_name(gen.generators[0].iter)
    elt = gen.elt
    if over in sets and isinstance(elt, ast.Subscript) and base_name(elt.value) in variables \
            and isinstance(elt.slice, ast.Name) and elt.slice.id == loop:
        return elt.value, over
    return None


def _named_element(words: str, elements: list[str]) -> str | None:
    """The one element that ``words`` name ("servings of milk" -> 'milk'), or None for none or several."""
    raw = re.findall(r"[A-Za-z0-9-]+", words)
    tokens = {folded(stem(w)) for w in raw}
    joined = folded(" ".join(stem(w) for w in raw))

    def names(e: str) -> bool:  # a short label ("A", "P1") only as written, never the article "a"
        if len(folded(e)) <= 2:
            return e in raw
        return folded(stem(e)) in tokens or (len(folded(e)) >= 4 and folded(stem(e)) in joined)

    named = [e for e in elements if names(e)]
    return named[0] if len(named) == 1 else None


_LIMITED_BEFORE = re.compile(r"\b(?:of|for|on)\s+(?:product\s+|item\s+|type\s+)?([A-Za-z0-9-]+)\s+(?:to|at)\s+"
                             r"(?:(?:at\s+most|most|no\s+more\s+than|a\s+maximum\s+of)\s+)?\$?$", re.I)


def _named_before(clause: str, elements: list[str]) -> str | None:
    """The element that the words of a clause right before a limit's number name ("limits sales of C to"),
    or None."""
    m = _LIMITED_BEFORE.search(clause)
    if not m or _TOTAL.search(clause):
        return None
    return _named_element(m.group(1), elements)


def _element_limited(tree: ast.Module, variable: str, element: str) -> bool:
    """Whether some comparison of the code has ``variable['element']`` on one side and a number on the other."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            for side in (node.left, node.comparators[0]):
                if isinstance(side, ast.Subscript) and base_name(side.value) == variable \
                        and isinstance(side.slice, ast.Constant) and side.slice.value == element:
                    return True
    return False


@quiet_fix
def limit_named_element(code: str, question: str):
    """The code with each sum-over-all row that the text states for one named item rewritten on that item:
    a :class:`optolab.agents.program.Program` saying what changed, or None."""
    from optolab.agents.program import Program

    tree = ast.parse(code)  # code that does not parse: the wrapper returns None
    sets = name_lists(tree)
    variables = set(variable_names(tree))
    if not sets or not variables:
        return None
    named = constant_values(tree)
    changes: list[str] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], _SIDES)):
            continue
        for attr, other in (("left", node.comparators[0]), ("comparators", node.left)):
            side = node.left if attr == "left" else node.comparators[0]
            found = _plain_sum(side, variables, sets)
            limit = number_of(other, named)
            if found is None or limit is None:
                continue
            mentions = mentions_of(question, limit)
            if len(mentions) != 1:
                continue
            after = re.split(r"[.;:!?,\n]|\b(?:while|but|than|if|when|so)\b", question[mentions[0].end():])[0]
            after = " ".join(after.split()[:8])  # "servings of milk or eggs" names two: no one item
            if _TOTAL.search(after):
                continue
            var_node, over = found
            number = question[mentions[0].start():mentions[0].end()].strip()
            element, said = _named_element(after, sets[over]), f"{number} {after}"
            if element is None:
                clause = re.split(r"[.;:!?,\n]", question[:mentions[0].start()])[-1]
                element, said = _named_before(clause, sets[over]), f"{' '.join(clause.split())} {number}"
            if element is None or _element_limited(tree, base_name(var_node), element):
                continue
            new = ast.Subscript(value=var_node, slice=ast.Constant(element), ctx=ast.Load())
            before = ast.unparse(node)
            if attr == "left":
                node.left = new
            else:
                node.comparators = [new]
            changes.append(f"`{before}` became `{ast.unparse(node)}`: the text gives {limit:g} for {element} alone "
                           f"(\"{said}\"), not for all of "
                           f"{over} together")
            break
    return Program.changed(tree, changes)
