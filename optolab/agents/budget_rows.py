"""A budget the text states, with costs the code writes down and never uses.

"A city can fund some of six projects with a budget of $1.0 million", costs in a table "in $ thousand": a
small model defines ``cost = {'park': 300, ...}`` beside ``fund = Var(projects, domain=Binary)`` and then
leaves the budget out; the model solves, funding everything. Asked to use the unused numbers, it rescales
the data instead. :func:`add_budget_row` writes ``sum(cost[p] * fund[p] for p in cost) <= 1000`` when all of
this holds, and does nothing otherwise:

- the code sets a dict of numbers named for money (cost, price, spend, investment, ...) once and never reads
  it, and exactly one decision is declared over a list whose names are exactly the dict's keys;
- the text states exactly one budget ("a budget of $1.0 million", "has $50,000 to spend", "the budget is
  $200k", "at most $3,000 in total can be spent"), read in the costs' unit when the text gives that unit
  ("cost ($k)", "in $ thousand", "in millions of dollars");
- the budget, in that unit, is written nowhere in the code, and it binds: at least the cheapest item and
  less than all items together.
"""

from __future__ import annotations

import ast
import re

from optolab.agents.codeast import base_name, call_name, data_dicts, name_lists, number_literals, quiet_fix

_MONEY_NAME = re.compile(r"cost|price|spend|invest|outlay|capital|expense|fee|budget", re.I)
_AMOUNT = r"\$\s?(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<scale>thousand|million|billion|[kKmM]\b|bn\b)?"
_BUDGET = (
    re.compile(r"\bbudget\s+(?:of|is|was|totals?|totalling|totaling|amounts\s+to|=|:)\s+(?:up\s+to\s+|only\s+|just\s+)?"
               + _AMOUNT, re.I),
    re.compile(_AMOUNT + r"\s+(?:total\s+|annual\s+|yearly\s+|capital\s+)?budget\b", re.I),
    re.compile(r"\bha(?:s|ve)\s+(?:only\s+|up\s+to\s+|a\s+total\s+of\s+)?" + _AMOUNT
               + r"\s+(?:available\s+)?(?:to\s+(?:spend|invest|allocate)|for\s+(?:the\s+)?(?:projects?|investments?))", re.I),
    re.compile(r"\b(?:at\s+most|no\s+more\s+than|up\s+to)\s+" + _AMOUNT + r"\s+(?:in\s+total\s+)?(?:can|may)\s+be\s+"
               r"(?:spent|invested)", re.I),
)
_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9}
# the unit of a cost column or list: "cost ($k)", "(in $ thousand)", "in thousands of dollars", "$ million"
_COST_UNIT = re.compile(r"\(\s*(?:in\s+)?\$\s?(?P<a>k|m|thousands?|millions?|000s?)\s*\)|"
                        r"\bin\s+(?:\$\s?)?(?P<b>thousands?|millions?)(?:\s+of\s+dollars)?\b|"
                        r"\$\s?(?P<c>thousands?|millions?)\b(?!\s+(?:budget|to\b|available))", re.I)


def _budgets(question: str) -> list[float]:
    found = {}
    for pattern in _BUDGET:
        for m in pattern.finditer(question):
            value = float(m.group("num").replace(",", ""))
            scale = (m.group("scale") or "").lower()
            found[m.start("num")] = value * _SCALE.get(scale, 1.0)
    return list(dict.fromkeys(found.values()))


def _cost_unit(question: str) -> float:
    """Dollars per unit of the costs the text lists: 1000 for "cost ($k)", 1 when it gives no unit."""
    units = set()
    for m in _COST_UNIT.finditer(question):
        word = (m.group("a") or m.group("b") or m.group("c")).lower()
        units.add(1e6 if word.startswith("m") else 1e3)
    return units.pop() if len(units) == 1 else 1.0


@quiet_fix
def add_budget_row(code: str, question: str):
    """The code with the budget row the text states and the code leaves out: a
    :class:`optolab.agents.program.Program` saying what changed, or None."""
    from optolab.agents.program import Program, model_variable

    budgets = _budgets(question)
    if len(budgets) != 1:
        return None
    tree = ast.parse(code)  # code that does not parse: the wrapper returns None
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    lists = name_lists(tree)
    costs = {}
    for name, d in data_dicts(tree).items():
        if name in read or not _MONEY_NAME.search(name):
            continue
        if all(isinstance(k, ast.Constant) and isinstance(v, ast.Constant) and isinstance(v.value, (int, float))
               and not isinstance(v.value, bool) for k, v in zip(d.keys, d.values)):
            costs[name] = {k.value: float(v.value) for k, v in zip(d.keys, d.values)}
    if len(costs) != 1:
        return None
    (cost_name, cost), = costs.items()
    decisions = []
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and call_name(stmt.value) == "Var" \
                and len(stmt.value.args) == 1 and isinstance(stmt.value.args[0], ast.Name) \
                and set(lists.get(stmt.value.args[0].id, [])) == set(cost) and len(cost) >= 2:
            decisions.append(stmt)
    if len(decisions) != 1:
        return None
    limit = budgets[0] / _cost_unit(question)
    limit = int(limit) if float(limit).is_integer() else limit
    if limit in number_literals(tree) or not min(cost.values()) <= limit < sum(cost.values()):
        return None
    owner = model_variable(tree)
    if owner is None:
        return None
    var_stmt = decisions[0]
    func = var_stmt.value.func
    prefix = f"{ast.unparse(func.value)}." if isinstance(func, ast.Attribute) else ""
    target = ast.unparse(var_stmt.targets[0])
    taken = {base_name(t) for n in ast.walk(tree) if isinstance(n, ast.Assign) for t in n.targets}
    row = "budget_limit" if "budget_limit" not in taken else "budget_limit_row"
    added = ast.parse(("" if prefix else "from pyomo.environ import Constraint\n")
                      + f"{owner}.{row} = {prefix}Constraint(expr=sum({cost_name}[k] * {target}[k] for k in {cost_name})"
                      f" <= {limit!r})\n")
    tree.body.extend(added.body)
    return Program.changed(tree, [f"added `{ast.unparse(added.body[-1])}`: the text sets a budget of {limit:g} in the "
                                  f"costs' unit, and the code defined {cost_name} without using it"])
