"""Explain infeasible models: a small set of constraints that cannot all hold together.

A deletion filter (Chinneck and Dravnieks, 1991) over the active constraints of a copy of the
model: a constraint whose removal leaves the model infeasible is dropped for good, otherwise it
is kept. What remains is an irreducible infeasible subset (IIS) with respect to the constraints
(variable bounds stay in place and are listed for the variables involved). Each check is a
re-solve, so the filter is bounded in solves and in time.
"""

from __future__ import annotations

import time
from typing import Any

_INFEASIBLE = ("infeasible", "invalidProblem", "infeasibleOrUnbounded")


def _infeasible(model: Any, solver: str, time_limit: float) -> bool:
    from optolab.solvers.solve import solver_factory

    opt, kwargs = solver_factory(solver, time_limit, None, None)
    try:
        res = opt.solve(model, load_solutions=False, **kwargs)
    except Exception:
        return False
    return str(res.solver.termination_condition) in _INFEASIBLE


def irreducible_infeasible_subset(model: Any, solver: str = "highs", *, max_solves: int = 200,
                                  time_budget: float = 10.0) -> list[Any] | None:
    """Constraints (of a clone of ``model``) forming an IIS, or None when the budget runs out first."""
    import pyomo.environ as pyo

    m = model.clone()
    for obj in m.component_data_objects(pyo.Objective, active=True):
        obj.deactivate()  # a feasibility question: an unbounded objective must not look infeasible
    m._optolab_feasibility = pyo.Objective(expr=0)
    cons = [c for c in m.component_data_objects(pyo.Constraint, active=True)]
    if len(cons) > max_solves:
        return None
    t0 = time.perf_counter()
    needed = []
    for c in cons:
        if time.perf_counter() - t0 > time_budget:
            return None
        c.deactivate()
        if not _infeasible(m, solver, max(1.0, time_budget / 10)):
            c.activate()  # without it the model becomes feasible: it belongs to the conflict
            needed.append(c)
    return needed


def explain_infeasible(model: Any, solver: str = "highs", **budget: Any) -> str | None:
    """A sentence naming the conflicting constraints and the bounds of their variables."""
    from pyomo.core.expr.visitor import identify_variables

    subset = irreducible_infeasible_subset(model, solver, **budget)
    if subset is None:
        return None
    if not subset:
        return "The variable bounds alone cannot all hold (check lower and upper bounds and integrality)."
    parts = [f"{c.name}: {_short(str(c.expr))}" for c in subset]
    bounds = []
    seen = set()
    for c in subset:
        for v in identify_variables(c.body, include_fixed=False):
            if v.name in seen:
                continue
            seen.add(v.name)
            lo, hi = v.lb, v.ub
            if lo is not None or hi is not None:
                lo_s = "-inf" if lo is None else f"{lo:g}"
                hi_s = "inf" if hi is None else f"{hi:g}"
                bounds.append(f"{lo_s} <= {v.name} <= {hi_s}")
    if len(subset) == 1:
        text = "This constraint cannot hold within the variable bounds: " + parts[0]
    else:
        text = f"These {len(subset)} constraints cannot all hold together: " + "; ".join(parts)
    if bounds:
        text += ". Variable bounds involved: " + ", ".join(bounds[:12])
    return text + "."


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def explain_unbounded(model: Any, solver: str = "highs", *, box: float = 1e7, time_limit: float = 10.0) -> str | None:
    """Name the variables that run off to infinity: re-solve a clone inside a large box and report those at the box."""
    import pyomo.environ as pyo

    from optolab.solvers.solve import solver_factory

    m = model.clone()
    boxed = []
    for v in m.component_data_objects(pyo.Var, active=True):
        if v.fixed:
            continue
        if v.lb is None:
            v.setlb(-box)
            boxed.append((v, "lb"))
        if v.ub is None:
            v.setub(box)
            boxed.append((v, "ub"))
    if not boxed:
        return None
    opt, kwargs = solver_factory(solver, time_limit, None, None)
    try:
        res = opt.solve(m, load_solutions=False, **kwargs)
        if str(res.solver.termination_condition) != "optimal" or len(res.solution) == 0:
            return None
        m.solutions.load_from(res)
    except Exception:
        return None
    hits = [f"{v.name} -> {'+inf' if side == 'ub' else '-inf'}" for v, side in boxed
            if v.value is not None and abs(v.value) >= 0.999 * box]
    if not hits:
        return None
    return ("The objective improves without limit along: " + ", ".join(hits[:8])
            + ". Add a bound or a constraint that limits these variables.")
