"""Money terms of an objective with the wrong sign or no money in them.

A cost added to a profit that is maximized.

"What is the maximum monthly profit (profit per tonne times output, minus setup costs)?": a small model writes
``sum(profit[p] * make[p] + setup_cost[p] * used[p] for p in processes)`` with ``sense=pyo.maximize``. The
solver then switches every setup on, since each adds to the goal, and returns a number far above the answer;
no status and no other check objects. :func:`subtract_costs` turns the sign of such terms when all of this holds:

- the objective is maximized and the question's goal is a profit, a net amount or earnings (not a cost, nor
  anything worded with "cost": "cost savings");
- the objective adds (with ``+``) a term whose data name says cost, fee, expense or penalty (``setup_cost[p] *
  used[p]``, ``fixed_costs * open``) beside at least one term without such a name;
- the text names that cost ("setup cost", "fixed costs") and no word of it reads as income (a "cost saving",
  "refund", "rebate", "subsidy", "bonus").

:func:`drop_amount_costs` removes objective terms that multiply a decision by a capacity, a supply or a demand
(``capacities[p] * open_plant[p]``), a number of units priced as if it were dollars.
"""

from __future__ import annotations

import ast
import copy
import re

from optolab.agents.codeast import (base_name, call_name, data_dicts, literal_values, objective_call, objective_expr,
                                    quiet_fix, top_level_assignments, variable_names)

_COST_NAME = re.compile(r"(?:^|_)(?:costs?|fees?|expenses?|penalty|penalties)(?:_|$)", re.I)
_PROFIT_GOAL = re.compile(r"\b(?:maximi[sz]e|maximum|max|largest|highest|greatest|most)\s+(?:the\s+|its\s+|their\s+|"
                          r"total\s+|daily\s+|weekly\s+|monthly\s+|yearly\s+|annual\s+|overall\s+|expected\s+){0,3}"
                          r"(?:net\s+)?(?:profits?|earnings|net\s+\w+|income)\b"
                          r"(?!\s+(?:efficiency|ratio|rate|per|margin|share))", re.I)  # a ratio goal is no plain profit
_INCOME_WORDS = re.compile(r"\b(?:cost\s+savings?|savings?|refunds?|rebates?|subsid(?:y|ies)|bonus(?:es)?|"
                           r"cost\s+reductions?)\b", re.I)


def _signed_terms(expr: ast.AST, sign: int = 1) -> list[tuple[int, ast.AST, ast.BinOp | None]]:
    """The terms of a chain of ``+`` and ``-``: (sign, term, the BinOp whose right side it is or None)."""
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Sub)):
        right = -sign if isinstance(expr.op, ast.Sub) else sign
        return _signed_terms(expr.left, sign) + [(right, expr.right, expr)]
    return [(sign, expr, None)]


def _expanded(expr: ast.AST) -> list[tuple[int, ast.AST, ast.BinOp | None]]:
    """The terms of the objective, looking into ``sum(... for ...)`` of a chain."""
    out = []
    for sign, term, parent in _signed_terms(expr):
        if isinstance(term, ast.Call) and call_name(term) == "sum" and term.args \
                and isinstance(term.args[0], (ast.GeneratorExp, ast.ListComp)) and sign > 0:
            inner = _signed_terms(term.args[0].elt)
            if len(inner) > 1:
                out += inner
                continue
        out.append((sign, term, parent))
    return out


def _cost_name(term: ast.AST, variables: set[str]) -> str | None:
    """The data name of a term that says cost (``setup_cost`` in ``setup_cost[p] * used[p]``), when the term
    also holds a decision."""
    found = [base_name(n) for n in ast.walk(term) if isinstance(n, (ast.Name, ast.Subscript, ast.Attribute))]
    found = [n for n in found if n]
    if not any(n in variables for n in found):
        return None
    costs = [n for n in found if n not in variables and _COST_NAME.search(n)]
    return costs[0] if costs else None


def _text_names(question: str, name: str) -> bool:
    """Whether the text speaks of the cost the name is about ("setup_cost": "setup cost(s)")."""
    words = [w for w in re.split(r"_+", name.lower()) if w and not _COST_NAME.fullmatch(w) and len(w) > 2]
    head = _COST_NAME.search(name).group(0).strip("_").lower().rstrip("s")
    if not words:
        return re.search(rf"\b{head}", question, re.I) is not None
    return any(re.search(rf"\b{re.escape(w[:5])}\w*\s+(?:\w+\s+)?{head}", question, re.I) for w in words)


def _maximized(tree: ast.Module) -> dict[str, ast.keyword] | None:
    """The keywords of a maximized ``Objective(expr=..., sense=...maximize)``, or None."""
    objective = objective_call(tree)
    if objective is None:
        return None
    keywords = {k.arg: k for k in objective.keywords}
    if "expr" not in keywords or "sense" not in keywords \
            or not ast.unparse(keywords["sense"].value).endswith("maximize"):
        return None
    return keywords


@quiet_fix
def subtract_costs(code: str, question: str):
    """Turn ``+ cost * decision`` into ``- cost * decision`` in a maximized profit (see the module's notes)."""
    from optolab.agents.program import Program

    if not _PROFIT_GOAL.search(question) or _INCOME_WORDS.search(question):
        return None
    tree = ast.parse(code)
    keywords = _maximized(tree)
    if keywords is None:
        return None
    variables = set(variable_names(tree))
    terms = _expanded(keywords["expr"].value)
    costs = [(sign, term, parent, _cost_name(term, variables)) for sign, term, parent in terms]
    added = [(term, parent, name) for sign, term, parent, name in costs if name and sign > 0 and parent is not None]
    others = [t for sign, t, _, name in costs if not name and sign > 0]
    if not added or not others:
        return None
    changes = []
    for term, parent, name in added:
        if not _text_names(question, name) or not isinstance(parent.op, ast.Add):
            return None
        parent.op = ast.Sub()
        changes.append(f"`+ {ast.unparse(term)}` in the objective became `- {ast.unparse(term)}`: the question asks "
                       f"for the largest profit, and {name} is paid, not earned")
    return Program.changed(tree, changes)


_AMOUNT_NAME = re.compile(r"(?:^|_)(?:capacit(?:y|ies)|supply|supplies|available|availability|limits?|demands?|"
                          r"needs?|stock)(?:_|$)", re.I)
_PAID_AMOUNT = re.compile(r"\b(?:capacity|supply|stock)\s+costs?\b|\bcosts?\s+(?:per\s+unit\s+)?of\s+(?:capacity|"
                          r"supply|stock)\b|\bper\s+unit\s+of\s+(?:capacity|supply)\b", re.I)


_MONEY_GOAL = re.compile(r"\b(?:minimi[sz]e|minimum|lowest|least|cheapest|maximi[sz]e|maximum|highest|largest)\s+"
                         r"(?:[a-z-]+\s+){0,3}?(?:costs?|profits?|expenses?|spending|revenues?|dollars)\b", re.I)


def _amount_term(term: ast.AST, variables: set[str]) -> str | None:
    """The amount name of ``capacities[p] * open[p]`` or ``sum(capacities[p] * open[p] for p in plants)``: a
    term of the objective that multiplies a decision by a capacity, a supply or a demand, not by a price."""
    if isinstance(term, ast.Call) and call_name(term) == "sum" and term.args \
            and isinstance(term.args[0], (ast.GeneratorExp, ast.ListComp)):
        term = term.args[0].elt
    if not (isinstance(term, ast.BinOp) and isinstance(term.op, ast.Mult)):
        return None
    found = [base_name(n.value if isinstance(n, ast.Subscript) else n) for n in (term.left, term.right)]
    data = [n for n in found if n and n not in variables]
    if len(data) != 1 or not any(n in variables for n in found if n) or not _AMOUNT_NAME.search(data[0]) \
            or _COST_NAME.search(data[0]):
        return None
    return data[0]


@quiet_fix
def drop_amount_costs(code: str, question: str):
    """``sum(capacities[p] * open_plant[p] ...) + sum(cost[p, d] * flow[p, d] ...)``: a small model shown a
    facility example prices a yes/no decision by the plant's capacity, a number of pallets, not dollars. Drop
    such terms from the objective when the text never makes a capacity, supply or stock something paid for
    and the objective keeps at least one other term."""
    from optolab.agents.program import Program

    if _PAID_AMOUNT.search(question) or not _MONEY_GOAL.search(question):
        return None
    tree = ast.parse(code)
    expr = objective_expr(tree)
    if expr is None:
        return None
    variables = set(variable_names(tree))
    terms = _signed_terms(expr.value)
    dropped = [(sign, term, _amount_term(term, variables)) for sign, term, _ in terms]
    keep = [(sign, term) for sign, term, name in dropped if not name]
    gone = [(term, name) for sign, term, name in dropped if name and sign > 0]
    if not gone or len(keep) + len(gone) != len(terms) \
            or not any(isinstance(n, ast.Name) and n.id in variables or isinstance(n, ast.Attribute)
                       and n.attr in variables for _, term in keep for n in ast.walk(term)):
        return None  # what is left must still decide something
    new: ast.expr = keep[0][1] if keep[0][0] > 0 else ast.UnaryOp(ast.USub(), keep[0][1])
    for sign, term in keep[1:]:
        new = ast.BinOp(new, ast.Add() if sign > 0 else ast.Sub(), term)
    expr.value = new
    return Program.changed(tree, [f"removed `{ast.unparse(term)}` from the objective: {name} is an amount (units, "
                                  f"not dollars), and the text prices no {name.replace('_', ' ')}"
                                  for term, name in gone])


_PRICE_NAME = re.compile(r"(?:^|_)(?:prices?|revenues?|selling|sales?|sell)(?:_|$)", re.I)
_UNIT_COST_NAME = re.compile(r"(?:^|_)(?:costs?|expenses?)(?:_|$)", re.I)
_PROFIT_WORD = re.compile(r"\bprofits?\b", re.I)


@quiet_fix
def subtract_unit_costs(code: str, question: str):
    """``sum(price[p] * make[p] ...)`` as a profit, while the code holds each item's unit cost and reads it
    nowhere in the objective: the revenue taken for the profit. When the question's goal is a profit (a total,
    or a profit per hour or per unit of something), the objective is maximized, it reads one dict named for a
    price, revenue or sales, and exactly one other dict named for a cost has the same keys and is left out of
    the objective, each ``price[k]`` of the objective becomes ``(price[k] - cost[k])``. Ratios are covered: only
    the price's occurrences change, so a denominator in hours stays as it was."""
    from optolab.agents.program import Program

    if not _PROFIT_WORD.search(question or "") or _INCOME_WORDS.search(question):
        return None
    tree = ast.parse(code)
    keywords = _maximized(tree)
    if keywords is None:
        return None
    expr = keywords["expr"].value
    dicts = data_dicts(tree)
    values = literal_values(tree)
    read = {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)}
    prices = [n for n in read if n in dicts and _PRICE_NAME.search(n) and not _UNIT_COST_NAME.search(n)]
    # what the objective reads through helper names too (``total_cost = sum(cost[p] * x[p] ...)``)
    helpers = dict(top_level_assignments(tree))
    through, todo = set(read), list(read)
    while todo:
        value = helpers.get(todo.pop())
        for n in ast.walk(value) if value is not None else ():
            if isinstance(n, ast.Name) and n.id not in through:
                through.add(n.id)
                todo.append(n.id)
    if len(prices) != 1 or any(n in dicts and _UNIT_COST_NAME.search(n) for n in through):
        return None
    price = prices[0]
    keys = {ast.unparse(k) for k in dicts[price].keys}
    costs = [n for n in dicts if n != price and _UNIT_COST_NAME.search(n) and not _PRICE_NAME.search(n)
             and {ast.unparse(k) for k in dicts[n].keys} == keys]
    if len(costs) != 1:
        return None
    cost = costs[0]
    p_vals, c_vals = values.get(price), values.get(cost)
    if not (isinstance(p_vals, dict) and isinstance(c_vals, dict)) or not all(
            isinstance(v, (int, float)) and isinstance(c_vals.get(k), (int, float)) and c_vals[k] < v
            for k, v in p_vals.items()):
        return None  # a unit cost below each price: the two are per unit of the same thing

    class _Net(ast.NodeTransformer):
        count = 0

        def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
            self.generic_visit(node)
            if isinstance(node.value, ast.Name) and node.value.id == price:
                self.count += 1
                return ast.BinOp(node, ast.Sub(), ast.Subscript(ast.Name(cost, ast.Load()),
                                                                 copy.deepcopy(node.slice), ast.Load()))
            return node

    net = _Net()
    keywords["expr"].value = net.visit(expr)
    if not net.count:
        return None
    return Program.changed(tree, [f"the objective's {price}[...] became ({price}[...] - {cost}[...]): the question "
                                  f"asks for a profit, and the code gives each item's {cost.replace('_', ' ')} "
                                  "but never took it from the price"])
