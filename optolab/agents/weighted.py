"""A weighted goal written as a constraint, with the objective counting the decisions.

"Which assignment minimizes the total hours?", with the hours of each technician on each job: small models
often write the hours as a row, ``5 * ana_job1 + 8 * ana_job2 + ... <= 18`` with a limit the text never gives,
and minimize ``ana_job1 + ana_job2 + ...``, the number of assignments, which every feasible assignment ties.
The model solves, so no solver status reveals it.

:func:`fix_weighted_goal_row` makes the row's weighted sum the objective and drops the row, when

- the objective is a plain sum (every weight 1) of two or more decisions, and the goal of the text is not a
  count ("the number of ...");
- exactly one constraint weighs the same decisions, each by a number the text gives, against a limit the text
  does not give.
"""

from __future__ import annotations

import ast
import re

from optolab.agents.checks import mentions_of, numbers_in_text
from optolab.agents.codeast import base_name, constraint_relation, variable_names
from optolab.agents.codeast import objective_expr
from optolab.agents.goal import goal_of, sum_terms, term_weights
from optolab.agents.relation_core import constant_values, number_of


def _decisions(expr: ast.AST, variables: set[str]) -> list[str] | None:
    """The decisions of a plain sum, one per term, as written (``model.x[1]`` -> ``x[1]``)."""
    out = []
    for term in sum_terms(expr):
        refs = [n for n in ast.walk(term) if isinstance(n, (ast.Name, ast.Attribute)) and base_name(n) in variables]
        if len(refs) != 1:
            return None
        subscripts = [n for n in ast.walk(term) if isinstance(n, ast.Subscript) and n.value is refs[0]]
        out.append(base_name(refs[0]) + (f"[{ast.unparse(subscripts[0].slice)}]" if subscripts else ""))
    return out


def fix_weighted_goal_row(code: str, question: str):
    """Model code whose objective counts the decisions that one made-up row weighs by the goal's numbers: the
    same code with that weighted sum as the objective and without the row (a
    :class:`optolab.agents.program.Program`), or None."""
    from optolab.agents.program import Program

    goal = goal_of(question)
    if goal is None or re.search(r"\b(?:number|count|many)\b", goal.phrase, re.I):
        return None
    try:
        tree = ast.parse(code)
        variables = set(variable_names(tree))
        objective = objective_expr(tree)
        if objective is None:
            return None
        weights = term_weights(objective.value, variables)
        counted = _decisions(objective.value, variables)
        if not weights or len(weights) < 2 or any(w != 1 for w in weights) or counted is None \
                or len(set(counted)) != len(counted):
            return None
        named, stated = constant_values(tree), set(numbers_in_text(question))
        rows = []
        for stmt in tree.body:
            row = constraint_relation(stmt)
            if row is None:
                continue
            w, terms = term_weights(row.left, variables), _decisions(row.left, variables)
            limit = number_of(row.comparators[0], named)
            if w is None or terms is None or sorted(terms) != sorted(counted) or all(x == 1 for x in w) \
                    or limit is None or limit in stated or not all(mentions_of(question, x) for x in w):
                continue
            rows.append((stmt, row))
        if len(rows) != 1:
            return None
        stmt, row = rows[0]
        before, new = ast.unparse(objective.value), row.left
        objective.value = new
        tree.body.remove(stmt)
    except Exception:  # noqa: BLE001 - a heuristic fix that trips leaves the code as it was
        return None
    return Program.changed(tree, [f"the objective `{before}` became `{ast.unparse(new)}` and the row "
                                  f"`{ast.unparse(row)}` was dropped: the question asks to {goal.verb} {goal.phrase}, "
                                  f"which those numbers weigh, and the text gives no limit {ast.unparse(row.comparators[0])}"])

