"""A cost added to a profit that is maximized.

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
"""

from __future__ import annotations

import ast
import re

from optolab.agents.codeast import base_name, call_name, quiet_fix, variable_names

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


@quiet_fix
def subtract_costs(code: str, question: str):
    """Turn ``+ cost * decision`` into ``- cost * decision`` in a maximized profit (see the module's notes)."""
    from optolab.agents.program import Program

    if not _PROFIT_GOAL.search(question) or _INCOME_WORDS.search(question):
        return None
    tree = ast.parse(code)
    objective = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and call_name(n) == "Objective"]
    if len(objective) != 1:
        return None
    keywords = {k.arg: k for k in objective[0].keywords}
    if "expr" not in keywords or "sense" not in keywords \
            or not ast.unparse(keywords["sense"].value).endswith("maximize"):
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
