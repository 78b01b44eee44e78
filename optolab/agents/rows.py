"""The coefficients of a constraint read against the numbers the text gives each decision for its resource.

Word problems state a resource per decision in one sentence each ("Each serving of rice contains 300
calories and 4.5 grams of protein"), and the limit in another ("at least 2200 calories"). Small models
often fill a row with another attribute's numbers (``3 * rice + 1 * kebab >= 2200``: the costs) or swap
two decisions' numbers. The model solves, so no solver status reveals it.

:func:`fix_rows` takes each constraint ``c1 * x1 + c2 * x2 + ... (<=|>=) N`` whose ``N`` the text names
with a resource right after it ("2200 calories", "200 treats available"), finds for every decision the
one number the sentences about it (and no other decision) give for that resource, and rebuilds the row
from those numbers when its weights differ. A row that weighs some decisions rightly and leaves out others
the text also gives a number for the resource (``30 * containers >= 2000`` beside "a truck can hold 40 units of
oil") gets them, unless the limit's clause names a decision ("the containers must carry 2000 units"). Anything less clear (a resource with several numbers for a
decision, such as "vitamin A" and "vitamin D" under one root; a sentence naming two decisions; weights
written as names) leaves the row alone.
"""

from __future__ import annotations

import ast
import re

from optolab.agents.checks import mentions_of
from optolab.agents.codeast import base_name, call_name
from optolab.agents.goal import (CLAUSE_END, WORD, linear_terms, name_roots, term_weights, word_tokens,
                                 names_count, numbers_by_decision, qualified_roots, root)
from optolab.agents.relation_core import constant_values, number_of

# words after a limit that say how it is measured, not what: "30 grams of protein", "350 units of vitamin A"
_UNITS = {"units", "unit", "grams", "gram", "g", "mg", "milligrams", "kg", "kilograms", "pounds", "lbs", "lb",
          "ounces", "oz", "ml", "milliliters", "millilitres", "liters", "litres", "l", "gallons", "tons", "tonnes",
          "square", "cubic", "feet", "meters", "metres", "of", "the", "a", "an", "total", "in", "worth",
          "thousand", "million", "millions", "billion"}
# words after a limit that end its resource: "200 treats available", "2200 calories per day"
_AFTER_END = {"available", "per", "each", "every", "a", "an", "to", "for", "that", "which", "in", "on", "at", "is",
              "are", "can", "will", "must", "should", "daily", "weekly", "monthly", "day", "week", "month", "year",
              "left", "remaining", "on-hand", "on", "hand", "at", "most", "least"}


def resource_of(question: str, value: float) -> frozenset[str] | None:
    """The roots of the resource the text names right after ``value`` ("2200 calories" -> calor; "30 grams of
    protein" -> prote; "40 hours" -> hour), the same at every mention; None when it names none or several."""
    found: set[frozenset[str]] = set()
    for m in mentions_of(question, value):
        tail = CLAUSE_END.split(question[m.end():m.end() + 60].lower(), maxsplit=1)[0]
        words: list[str] = []
        for w in WORD.findall(tail)[:4]:
            if w in _AFTER_END:
                break
            words.append(w)
        named = [w for w in words if w not in _UNITS and len(w) > 2]
        head = named[:1] or [w for w in words if w in _UNITS and w not in ("of", "the", "a", "an", "total", "in")][:1]
        if not head:
            return None
        # "350 units of vitamin A": vitamin A, not vitamin D
        clause = CLAUSE_END.split(question[m.end():m.end() + 60], maxsplit=1)[0]  # "10 apples, 20 bananas": no "apples 20"
        qualified = [q for q in qualified_roots(word_tokens(clause)[:6]) if q.split()[0] == root(head[0])]
        found.add(frozenset(qualified[:1] or {root(head[0])}))
    return found.pop() if len(found) == 1 else None


def fix_rows(code: str, question: str):
    """Model code whose constraints weigh decisions by numbers the text gives for something else than the
    row's resource: the same code with those rows rebuilt (a :class:`optolab.agents.program.Program`
    saying what changed), or None."""
    from optolab.agents.codeast import variable_names
    from optolab.agents.program import Program

    try:
        tree = ast.parse(code)
        variables = set(variable_names(tree))
        named = constant_values(tree)
        changes = []
        for call in [n for n in ast.walk(tree) if isinstance(n, ast.Call) and call_name(n) == "Constraint"]:
            expr = [kw.value for kw in call.keywords if kw.arg == "expr"]
            if len(expr) != 1 or not isinstance(expr[0], ast.Compare) or len(expr[0].ops) != 1 \
                    or not isinstance(expr[0].ops[0], (ast.LtE, ast.GtE)):
                continue
            change = _fix_row(expr[0], question, variables, named, list(variable_names(tree)))
            if change:
                changes.append(change)
    except Exception:  # noqa: BLE001 - a heuristic fix that trips leaves the code as it was
        return None
    return Program.changed(tree, changes)


def _fix_row(node: ast.Compare, question: str, variables: set[str], named: dict[str, float],
             order: list[str] = ()) -> str | None:
    for sum_side, limit, on_left in ((node.left, node.comparators[0], True), (node.comparators[0], node.left, False)):
        value = number_of(limit, named)
        if value is None:
            continue
        terms = linear_terms(sum_side, variables)
        names = list(dict.fromkeys(base_name(t) for t in terms or []))
        if not terms or len(names) != len(terms):
            return None
        if len(names) < len(order):
            return _add_left_out(node, sum_side, on_left, value, terms, names, question, order)
        weights = term_weights(sum_side, variables)
        resource = resource_of(question, value)
        if weights is None or resource is None or names_count(names, resource):
            return None
        wanted = numbers_by_decision(question, names, resource, keep_one=True)
        if wanted is None or weights == [wanted[base_name(t)] for t in terms] or value in wanted.values():
            return None
        before = ast.unparse(node)
        new = ast.parse(" + ".join(f"{wanted[base_name(t)]:g} * {ast.unparse(t)}" for t in terms), mode="eval").body
        if on_left:
            node.left = new
        else:
            node.comparators = [new]
        word = re.escape(next(iter(resource)))
        return (f"`{before}` became `{ast.unparse(node)}`: the limit {value:g} is of {_resource_words(question, word)}"
                ", and these are the numbers the text gives each decision for it")
    return None


def _add_left_out(node: ast.Compare, sum_side: ast.AST, on_left: bool, value: float, terms: list[ast.AST],
                  names: list[str], question: str, order: list[str]) -> str | None:
    """A row that weighs some decisions by their numbers for the limit's resource and leaves out others the
    text gives a number for it (``30 * containers >= 2000`` where "a truck can hold 40 units of oil"): the
    others added, when the clause of the limit names no decision."""
    resource = resource_of(question, value)
    weights = term_weights(sum_side, set(names))
    if resource is None or weights is None or names_count(order, resource):
        return None
    wanted = numbers_by_decision(question, order, resource, keep_one=True)
    if wanted is None or value in wanted.values() or weights != [wanted[base_name(t)] for t in terms]:
        return None
    for m in mentions_of(question, value):
        clause = CLAUSE_END.split(re.split(r"[.?!]\s", question[m.start():m.start() + 120])[0], maxsplit=1)[0]
        back = CLAUSE_END.split(re.split(r"[.?!]\s", question[max(0, m.start() - 120):m.start()])[-1])[-1]
        said = qualified_roots(word_tokens(back + clause)) | {root(w) for w in WORD.findall((back + clause).lower())}
        if said & {r for v in order for r in name_roots(v)}:
            return None  # "at least 2000 units of oil from the containers": a limit of that decision
    before = ast.unparse(node)
    model = ast.unparse(terms[0]).rsplit(".", 1)[0] + "." if "." in ast.unparse(terms[0]) else ""
    extra = [f"{wanted[v]:g} * {model}{v}" for v in order if v not in names]
    new = ast.parse(ast.unparse(sum_side) + " + " + " + ".join(extra), mode="eval").body
    if on_left:
        node.left = new
    else:
        node.comparators = [new]
    word = re.escape(next(iter(resource)))
    return (f"`{before}` became `{ast.unparse(node)}`: the limit {value:g} is of {_resource_words(question, word)}, "
            "and the text gives the other decisions numbers for it too")


def _resource_words(question: str, stem: str) -> str:
    m = re.search(rf"\b{stem}\w*", question, re.I)
    return m.group(0) if m else stem
