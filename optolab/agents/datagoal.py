"""An objective weighted by the wrong table column.

With data in a table ("| project | cost ($k) | benefit |"), small models write one dict per column and then
often weigh the objective by the wrong one: ``maximize sum(cost[p] * fund[p])`` where the question asks to
maximize the total benefit. The model solves, so no solver status reveals it.

:func:`fix_objective_data` swaps the dict when the objective reads exactly one data dict, that dict's name has
no word of the goal ("the total benefit" -> benefit), and exactly one other data dict with the same keys is
named after the goal.
"""

from __future__ import annotations

import ast

from optolab.agents.codeast import data_dicts
from optolab.agents.codeast import objective_expr
from optolab.agents.goal import goal_of, name_roots


def fix_objective_data(code: str, question: str):
    """Model code whose objective reads a data dict that is not the goal's while a dict named after the goal
    exists: the same code reading that dict (a :class:`optolab.agents.program.Program` saying what changed),
    or None."""
    from optolab.agents.program import Program

    try:
        goal = goal_of(question)
        if goal is None:
            return None
        tree = ast.parse(code)
        dicts = {k: tuple(ast.unparse(x) for x in d.keys) for k, d in data_dicts(tree).items()}
        kw = objective_expr(tree)
        if kw is None or len(dicts) < 2:
            return None
        read = [n for n in ast.walk(kw.value) if isinstance(n, ast.Name) and n.id in dicts]
        used = {n.id for n in read}
        if len(used) != 1:
            return None
        (old,) = used
        if name_roots(old) & goal.roots:
            return None
        named = [d for d in dicts if d != old and name_roots(d) & goal.roots and dicts[d] == dicts[old]]
        if len(named) != 1:
            return None
        before = ast.unparse(kw.value)
        for n in read:
            n.id = named[0]
    except Exception:  # noqa: BLE001 - a heuristic fix that trips leaves the code as it was
        return None
    return Program.changed(tree, [
        f"the objective `{before}` became `{ast.unparse(kw.value)}`: the question asks to {goal.verb} "
        f"{goal.phrase}, which `{named[0]}` holds, not `{old}`"])
