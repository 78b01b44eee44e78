"""A total limit written as a limit on every item alone.

"A hiker can carry at most 4.5 kg" limits the weight of everything taken together. With indexed data, small
models often write it per item instead: ``Constraint(items, rule=lambda m, i: weight[i] * m.take[i] <= 4500)``
or a loop adding ``weight[i] * model.take[i] <= 4500`` for each ``i``. Every item then fits on its own and the
limit binds nothing. The model solves, so no solver status reveals it.

:func:`fix_per_item_limits` rewrites such a family of rows as the one row over the sum, when

- each row is ``data[i] * var[i] (<=|>=) N`` for the family's index ``i``, with ``N`` a number;
- the text gives ``N`` (as written, or in another unit: 4.5 kg for 4500, 2 hours for 120) and no clause with it
  says the limit is per item ("each", "per", "every", "apiece", "any single").
"""

from __future__ import annotations

import ast
import re

from optolab.agents.checks import clause_span, mentions_of
from optolab.agents.codeast import base_name, call_name, constraint_relation, var_bounds, variable_names
from optolab.agents.goal import sum_terms
from optolab.agents.relation_core import Ref, constant_values, number_of, phrase_refs

# "each week", "per day": a period the limit renews over, not an item it applies to
_PER_TIME = re.compile(r"\b(?:each|per|every|a)\s+(?:day|week|month|year|shift|season|quarter|period)\b", re.I)
_PER_ITEM = re.compile(r"\b(?:each|per|every|apiece|individual(?:ly)?|any\s+(?:single|one)|a\s+single)\b", re.I)


def _total_in_text(question: str, value: float) -> bool:
    """Whether the text gives ``value`` (or it in another unit) and never as a limit per item."""
    for k in (1, 1000, 0.001, 60, 1 / 60):
        mentions = mentions_of(question, round(value / k, 9))
        if mentions:
            return not any(_PER_ITEM.search(_PER_TIME.sub(" ", _clause(question, m))) for m in mentions)
    return False


def _clause(question: str, m: re.Match) -> str:
    """The sentence part (between full stops or semicolons) that holds the mention ``m``."""
    start, end = clause_span(question, m.start(), m.end(), ".;")
    return question[start:end]


def _term(node: ast.AST, index: str) -> bool:
    """Whether ``node`` is ``data[i] * var[i]`` (either order), both subscripted by the name ``index`` alone."""
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult)):
        return False
    sides = (node.left, node.right)
    return all(isinstance(s, ast.Subscript) and isinstance(s.slice, ast.Name) and s.slice.id == index
               for s in sides) and any(isinstance(s.value, ast.Name) for s in sides)


def _row(body: ast.AST, index: str, named: dict[str, float]) -> float | None:
    """The limit N of ``data[i] * var[i] <= N`` (or ``>=``), or None."""
    if not (isinstance(body, ast.Compare) and len(body.ops) == 1 and isinstance(body.ops[0], (ast.LtE, ast.GtE))):
        return None
    if not _term(body.left, index):
        return None
    return number_of(body.comparators[0], named)


def _summed(body: ast.Compare, index: str, over: str, model_arg: str | None, model: str) -> str:
    term = ast.unparse(body.left)
    if model_arg and model_arg != model:
        term = re.sub(rf"\b{re.escape(model_arg)}\.", f"{model}.", term)
    return (f"sum({term} for {index} in {over}) {'<=' if isinstance(body.ops[0], ast.LtE) else '>='} "
            f"{ast.unparse(body.comparators[0])}")


def fix_per_item_limits(code: str, question: str):
    """Model code with a total limit written per item: the same code with those rows summed (a
    :class:`optolab.agents.program.Program` saying what changed), or None."""
    from optolab.agents.program import Program

    try:
        tree = ast.parse(code)
        named = constant_values(tree)
        changes: list[str] = []
        for i, stmt in enumerate(tree.body):
            new = _rule_family(stmt, question, named) or _loop_family(stmt, question, named, tree)
            if new is None:
                continue
            replacement, note = new
            tree.body[i] = ast.parse(replacement).body[0]
            changes.append(note)
    except Exception:  # noqa: BLE001 - a heuristic fix that trips leaves the code as it was
        return None
    return Program.changed(tree, changes)


def _rule_family(stmt: ast.stmt, question: str, named: dict[str, float]) -> tuple[str, str] | None:
    """``model.c = Constraint(items, rule=lambda m, i: w[i] * m.x[i] <= N)``."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Attribute)
            and isinstance(stmt.value, ast.Call) and call_name(stmt.value) == "Constraint" and len(stmt.value.args) == 1):
        return None
    rule = [kw.value for kw in stmt.value.keywords if kw.arg == "rule"]
    if len(rule) != 1 or not isinstance(rule[0], ast.Lambda) or len(rule[0].args.args) != 2:
        return None
    model_arg, index = (a.arg for a in rule[0].args.args)
    value = _row(rule[0].body, index, named)
    if value is None or not _total_in_text(question, value):
        return None
    target = stmt.targets[0]
    model = ast.unparse(target.value)
    over = ast.unparse(stmt.value.args[0])
    row = _summed(rule[0].body, index, over, model_arg, model)
    before = ast.unparse(rule[0].body)
    return (f"{ast.unparse(target)} = {ast.unparse(stmt.value.func)}(expr={row})",
            f"`{before}` for every {index} became `{row}`: the text gives {value:g} as a limit on all of them "
            "together, not on each")


def _loop_family(stmt: ast.stmt, question: str, named: dict[str, float], tree: ast.Module) -> tuple[str, str] | None:
    """``for i in items: model.c.add(w[i] * model.x[i] <= N)`` with ``model.c`` a ConstraintList."""
    if not (isinstance(stmt, ast.For) and isinstance(stmt.target, ast.Name) and len(stmt.body) == 1
            and not stmt.orelse and isinstance(stmt.body[0], ast.Expr) and isinstance(stmt.body[0].value, ast.Call)):
        return None
    call = stmt.body[0].value
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == "add" and len(call.args) == 1):
        return None
    index = stmt.target.id
    value = _row(call.args[0], index, named)
    if value is None or not _total_in_text(question, value):
        return None
    owner = ast.unparse(call.func.value)
    row = _summed(call.args[0], index, ast.unparse(stmt.iter), None, "")
    before = ast.unparse(call.args[0])
    return (f"{owner}.add({row})",
            f"`{before}` for every {index} became `{row}`: the text gives {value:g} as a limit on all of them "
            "together, not on each")


# ---------------------------------------------------------------------------------------------------------------
# The reverse slip: "demand is limited to at most 8 regular models and 6 premium models" read right as the bounds
# ``regular <= 8`` and ``premium <= 6``, and then once more as ``regular + premium <= 8``, a limit on all of them
# that the text never gives. The row cuts off the optimum and the model still solves.

def _plain_sum(node: ast.AST) -> list[str] | None:
    """The names of ``a + b + c`` (``model.a`` read as ``a``), or None for another shape."""
    terms = sum_terms(node)
    if all(isinstance(t, ast.Name) or isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)
           and t.value.id == "model" for t in terms):
        return [base_name(t) for t in terms]
    return None


def _upper_bounds(tree: ast.Module, variables: set[str], named: dict[str, float]) -> dict[str, float]:
    """Each scalar decision's upper bound from ``bounds=(lo, N)`` or a row ``x <= N`` of its own."""
    out: dict[str, float] = {}
    for assign, kw in var_bounds(tree):
        name = base_name(assign.targets[0])
        value = number_of(kw.value.elts[1], named)
        if name in variables and value is not None and not (isinstance(assign.value, ast.Call) and assign.value.args):
            out[name] = value
    for n in ast.walk(tree):
        if isinstance(n, ast.Compare) and len(n.ops) == 1 and isinstance(n.ops[0], ast.LtE):
            names, value = _plain_sum(n.left), number_of(n.comparators[0], named)
            if names and len(names) == 1 and names[0] in variables and value is not None:
                out.setdefault(names[0], value)
    return out


def drop_one_items_limit_on_all(code: str, question: str):
    """Model code with a row ``a + b <= N`` where the text gives ``N`` once, right before words that name ``a``
    ("at most 8 regular models"): without that row where ``N`` is already the upper bound of ``a`` alone (the bound
    stays; only the made-up total goes), or with the row made ``a <= N`` where no decision has that bound; a
    :class:`optolab.agents.program.Program`, or None."""
    from optolab.agents.program import Program

    try:
        tree = ast.parse(code)
        named = constant_values(tree)
        variables = set(variable_names(tree))
        bounds = _upper_bounds(tree, variables, named)
        changes: list[str] = []
        gone: set[int] = set()
        for stmt in tree.body:
            row = constraint_relation(stmt, (ast.LtE,))
            if row is None:
                continue
            names, limit = _plain_sum(row.left), number_of(row.comparators[0], named)
            if not names or len(set(names)) != len(names) or len(names) < 2 or not set(names) <= variables \
                    or limit is None:
                continue
            owners = [v for v in names if bounds.get(v) == limit]
            mentions = mentions_of(question, limit)
            if len(owners) > 1 or len(mentions) != 1:
                continue
            after = re.split(r"[,.;:\d]|\b(?:and|or|while|but|per|a|an|each)\b",
                             question[mentions[0].end():mentions[0].end() + 40])[0]
            after = " ".join(re.findall(r"[A-Za-z-]+", after)[:3])
            if re.search(r"\b(?:total|all|combined|together|overall|either|any|in\s+all)\b", _clause(question,
                                                                                                      mentions[0]), re.I):
                continue
            named_here = [str(r) for r in phrase_refs(after, [Ref(v) for v in names])]
            first = after.split()[:1]
            direct = bool(first) and [str(r) for r in phrase_refs(first[0], [Ref(v) for v in names])] == named_here \
                and not question[max(0, mentions[0].start() - 2):mentions[0].start()].strip().endswith("$")
            if not owners and len(named_here) == 1 and direct:  # "at most 80 tacos" as `taco + burrito <= 80`
                term = next(t for t in sum_terms(row.left) if base_name(t) == named_here[0])
                before = ast.unparse(row)
                row.left = term
                changes.append(f"`{before}` became `{ast.unparse(row)}`: the text gives {limit:g} as the limit of "
                               f"{named_here[0]} alone (\"{' '.join(question[mentions[0].start():].split()[:4])}\"), "
                               "not of all of them together")
                continue
            if not owners or named_here != owners:
                continue
            gone.add(id(stmt))
            changes.append(f"dropped `{ast.unparse(row)}`: the text gives {limit:g} as the limit of {owners[0]} "
                           f"alone (\"{' '.join(question[mentions[0].start():].split()[:4])}\"), which its bound "
                           "already says, not of all of them together")
        tree.body = [s for s in tree.body if id(s) not in gone]
    except Exception:  # noqa: BLE001 - a heuristic fix that trips leaves the code as it was
        return None
    return Program.changed(tree, changes)

