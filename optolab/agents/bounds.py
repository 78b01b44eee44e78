"""Bounds on one decision that the text never states.

A small model often adds ``x <= 20`` or ``x >= 15`` for a single decision with a number that is not a limit of
the problem at all: a number the text does not contain (invented), or one the text gives only as what one item
takes ("a catalyst requires 15 units of platinum", used again as the coefficient ``15 * x``). The model
solves, so no solver status reveals it; NL4OPT's held-out trails show it in about one wrong answer in ten.

:func:`drop_bogus_bounds` removes such a constraint when

- it compares exactly one decision with one number (``x <= 20``, ``15 <= model.y``);
- the number is not 0 or 1, and the text never words it as a bound ("at most 20", "20 or fewer", "has 20");
- either the text holds the number in no form (as written, as a percentage, or as a sum, difference, product or
  quotient of two of its numbers), or every mention of it is tied to one item ("each ... requires 15") and the
  code uses it as a coefficient of a decision elsewhere, or the text gives it only as money ("a profit of $10")
  while the decision is an integer count.

The sides of a variable's own ``bounds=(lo, hi)`` go when the text gives their number only as a percentage;
those whose number the text holds in no form go once a solution sits at them (:func:`open_active_bounds`):
before that they may be a harmless safety range that keeps a nonlinear solver away from zero.
"""

from __future__ import annotations

import ast
import itertools
import re

from optolab.agents.checks import mentions_of, numbers_in_text, spelled_numbers
from optolab.agents.codeast import base_name, call_name, integer_variables, var_bounds, variable_names, weight_literals
from optolab.agents.bound_relations import PER_ITEM_NEED, bound_words
from optolab.agents.relation_core import number_of


def _text_numbers(question: str) -> set[float]:
    """The magnitudes of the numbers the text writes, in digits or in words."""
    return {abs(x) for x in numbers_in_text(question) + spelled_numbers(question)}


def _text_forms(question: str) -> set[float]:
    """The text's numbers, as percentages both ways, and every sum, difference, product and quotient of two."""
    base = _text_numbers(question)
    forms = set(base) | {x / 100 for x in base} | {x * 100 for x in base}
    for a, b in itertools.permutations(base, 2):
        forms |= {a + b, a - b, a * b} | ({a / b} if b else set())
    return {round(f, 6) for f in forms}


def _literal_forms(question: str) -> set[float]:
    """The text's numbers as written, its percentages as fractions, and its fractions as percentages."""
    base = _text_numbers(question)
    shares = {abs(float(m.group(1))) / 100 for m in re.finditer(r"(\d+(?:\.\d+)?)\s*(?:%|percent)", question, re.I)}
    return {round(f, 6) for f in base | shares | {x * 100 for x in base if x < 1}}


def _percent_only(question: str, value: float) -> bool:
    """Whether every mention of ``value`` in the text is a percentage ("60%", "60 percent")."""
    mentions = mentions_of(question, value)
    return value != 100 and bool(mentions) and all(
        re.match(r"\s*(?:%|percent\b|per\s+cent\b)", question[m.end(1):], re.I) for m in mentions)


def _percent_var_bounds(tree: ast.Module, question: str) -> list[str]:
    """``Var(bounds=(50, 60))`` where the text gives 60 only as "at most 60% of the dogs": that side is dropped."""
    changes = []
    for n, kw in var_bounds(tree):
        elts = list(kw.value.elts)
        gone = [i for i, e in enumerate(elts) if isinstance(e, ast.Constant) and isinstance(e.value, (int, float))
                and not isinstance(e.value, bool) and abs(e.value) not in (0, 1)
                and _percent_only(question, abs(float(e.value)))]
        if not gone:
            continue
        before, numbers = ast.unparse(kw.value), ", ".join(f"{elts[i].value:g}" for i in gone)
        for i in gone:
            elts[i] = ast.Constant(None if i else 0)
        kw.value = ast.Tuple(elts, ast.Load())
        changes.append(f"the bounds of {ast.unparse(n.targets[0])} {before} became {ast.unparse(kw.value)}: the "
                       f"text gives {numbers} only as a percentage, a share and not a count")
    return changes


def invented_var_bounds(tree: ast.Module, question: str):
    """Each side of a variable's ``bounds=(lo, hi)`` whose number the text holds in no form (as written, as a
    percentage, or as a sum, difference, product or quotient of two of its numbers; for a range that several
    decisions share, as written) and never words as a bound: (the assignment, the keyword, the side 0 or 1, the
    number)."""
    forms, literal = _text_forms(question), _literal_forms(question)
    found = list(var_bounds(tree))

    def side_value(e: ast.AST) -> float | None:
        return number_of(e, {}) if isinstance(e, (ast.Constant, ast.UnaryOp)) else None

    # the same range on several decisions, ``bounds=(0.1, 75)`` on both x and y, is a blanket safety range:
    # a side of it the text does not write as it stands is made up even when some sum or quotient of the
    # text's numbers happens to give it (750 / 10)
    ranges = [tuple(side_value(e) for e in kw.value.elts) for _, kw in found]
    shared = {r for r in ranges if ranges.count(r) > 1 and any(v is not None and abs(v) not in (0.0, 1.0) for v in r)}
    for (n, kw), sides in zip(found, ranges):
        for side, value in enumerate(sides):
            if value is None or abs(value) in (0.0, 1.0) or bound_words(question, abs(value))[0] is not None:
                continue
            if round(abs(value), 6) in (literal if sides in shared else forms):
                continue
            yield n, kw, side, value


def _open_sides(code: str, question: str, touched: dict[str, float] | None):
    """The parsed code with the sides of :func:`invented_var_bounds` opened (a lower bound to 0, an upper one to
    None): only those a solution sits at when ``touched`` (its values) is given, else all of them; with the
    list of what was opened, or None when nothing was."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    opened = []
    for n, kw, side, value in list(invented_var_bounds(tree, question)):
        name = base_name(n.targets[0])
        if touched is not None:
            hits = [x for k, x in touched.items() if k == name or k.startswith(f"{name}[")]
            if not any(x is not None and abs(x - value) <= 1e-6 * max(1.0, abs(value)) for x in hits):
                continue
        elts = list(kw.value.elts)
        elts[side] = ast.Constant(0 if side == 0 and value > 0 else None)
        kw.value = ast.Tuple(elts, ast.Load())
        opened.append(f"the {'lower' if side == 0 else 'upper'} bound {value:g} of {name}")
    return (tree, opened) if opened else None


def open_active_bounds(code: str, question: str, values: dict[str, float]):
    """When a solution sits at a bound of :func:`invented_var_bounds` (``Var(bounds=(0.1, 50))`` with the
    height at 50 and no 50 in the text): the code with those sides opened (a lower bound to 0, an upper one to
    None), to solve again; None otherwise. A made-up bound that the optimum does not touch is harmless (and
    often there to keep a nonlinear solver in range), so only the touched ones go."""
    from optolab.agents.program import Program

    done = _open_sides(code, question, values)
    if done is None:
        return None
    tree, opened = done
    return Program.changed(tree, [f"the solution sat at {', '.join(opened)}, a number the text never gives: "
                                  "opened and solved again"])


def open_invented_bounds(code: str, question: str):
    """For a model the solver found infeasible: the code with every side of :func:`invented_var_bounds`
    opened (``bounds=(10, 50)`` on both sides of a rectangle that must cover 3000 square feet), to solve again;
    None when it has none. The caller keeps the result only if it solves."""
    from optolab.agents.program import Program

    done = _open_sides(code, question, None)
    if done is None:
        return None
    tree, opened = done
    return Program.changed(tree, [f"the model was infeasible with {', '.join(opened)}, a number the text never "
                                  "gives: opened and solved again"])


def _per_item_only(question: str, value: float) -> bool:
    mentions = mentions_of(question, value)
    return bool(mentions) and all(PER_ITEM_NEED.search(question[max(0, m.start() - 80):m.start()]) for m in mentions)


def _coefficients(tree: ast.AST, variables: set[str]) -> set[float]:
    return {float(num.value) for num in weight_literals(tree, variables)}


def _money_only(question: str, value: float) -> bool:
    """Whether every mention of ``value`` in the text is an amount of money ("$10", "10 dollars")."""
    mentions = mentions_of(question, value)
    return bool(mentions) and all(
        question[max(0, m.start() - 2):m.start()].rstrip().endswith("$")
        or re.match(r"\s*(?:dollars?|usd|euros?)\b", question[m.end():], re.I) for m in mentions)


def bogus_bounds(question: str, tree: ast.Module, variables: set[str]) -> list[tuple[ast.stmt, str]]:
    """The statements that add a bound the text never states, each with why."""
    forms = _text_forms(question)
    literal = _literal_forms(question)
    coefficients = _coefficients(tree, variables)
    counted = integer_variables(tree, binary=False)
    found, made_up = [], []
    for stmt in tree.body:
        call = stmt.value if isinstance(stmt, (ast.Assign, ast.Expr)) else None
        if not (isinstance(call, ast.Call) and call_name(call) == "Constraint"):
            continue
        expr = [k.value for k in call.keywords if k.arg == "expr"]
        if len(expr) != 1 or not isinstance(expr[0], ast.Compare) or len(expr[0].ops) != 1 \
                or not isinstance(expr[0].ops[0], (ast.LtE, ast.GtE, ast.Lt, ast.Gt)):
            continue
        sides = (expr[0].left, expr[0].comparators[0])
        refs = [s for s in sides if isinstance(s, (ast.Name, ast.Attribute)) and base_name(s) in variables]
        values = [number_of(s, {}) for s in sides]
        value = next((v for v in values if v is not None), None)
        if len(refs) != 1 or value is None or abs(value) in (0.0, 1.0):
            continue
        if _percent_only(question, abs(value)):
            found.append((stmt, f"the text gives {value:g} only as a percentage, a share and not a count"))
            continue
        kind, _ = bound_words(question, abs(value))
        if kind is not None:
            continue
        if round(abs(value), 6) not in forms:
            found.append((stmt, f"the text holds no {value:g}"))
        elif _per_item_only(question, abs(value)) and abs(value) in coefficients:
            found.append((stmt, f"{value:g} is what one item takes, a coefficient the code already uses"))
        elif base_name(refs[0]) in counted and _money_only(question, abs(value)):
            found.append((stmt, f"the text gives {value:g} only as an amount of money, and the decision counts items"))
        elif round(abs(value), 6) not in literal:
            made_up.append((stmt, f"the text never writes {value:g}, which only some sum, difference, product or "
                                  "quotient of two of its numbers gives, like the numbers of the other caps left out"))
        elif abs(value) in coefficients:
            made_up.append((stmt, f"the text gives {value:g} as what an item takes, which the code uses as a weight "
                                  "too, and never as a bound, like the numbers of the other caps left out"))
    # one such cap may be derived (300 units at 30 each: 10); caps on several decisions, each from a different
    # mix of unrelated numbers or a weight the text gives, are made up ("sponge_cakes <= 20", "oatmeal <= 50")
    if len(made_up) + len(found) >= 2 and made_up:
        found += made_up
    return found


def drop_bogus_bounds(code: str, question: str):
    """The code without the single-decision bounds of :func:`bogus_bounds` (a
    :class:`optolab.agents.program.Program` saying what went), or None."""
    from optolab.agents.program import Program

    try:
        tree = ast.parse(code)
        found = bogus_bounds(question, tree, set(variable_names(tree)))
        var_changes = _percent_var_bounds(tree, question)
    except Exception:  # noqa: BLE001 - a heuristic fix that trips leaves the code as it was
        return None
    if not found and not var_changes:
        return None
    gone = {id(stmt) for stmt, _ in found}
    changes = var_changes + [f"removed `{ast.unparse(stmt).split('expr=', 1)[-1].rstrip(')')}`: a bound on one decision that the "
               f"text never states ({why})" for stmt, why in found]
    tree.body = [s for s in tree.body if id(s) not in gone]
    return Program.changed(tree, changes)
