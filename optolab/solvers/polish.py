"""Polish a continuous nonlinear optimum from SCIP with a local solver.

SCIP proves a global optimum by spatial branch and bound, but it stops once the objective bound closes; on a
flat optimum (a can's surface area near its best radius) the point it returns can sit 1e-4 away from the exact
minimizer while the objective agrees to nine digits (and closing the gap to zero on such a model took SCIP from
0.1 s to past a 20 s time limit, so :func:`optolab.solvers.solve.solve` asks it for a relative gap of 1e-6). A local interior-point solver (ripopt) started from that
point converges to the stationary point it lies next to, to tight tolerances. The polished point is kept only
when it satisfies every constraint and its objective is no worse than SCIP's; otherwise SCIP's point stays.
"""

from __future__ import annotations

import time
from typing import Any

POLISH_CLASSES = ("NLP", "QCP", "QP")
NLP_GAP = 1e-6  # SCIP's relative gap on these classes: the polish below makes the point exact
FEASIBILITY = 1e-7  # a polished point may violate a constraint by this much (relative to max(1, |bound|)), or as
# much as the solver's own point did: an interior-point solver ends a hair outside an active row
MOVED = 1e-6  # a polish that moves no variable by more than this (relative) keeps the solver's own point
NO_WORSE = 1e-6  # how much worse (relative) a polished objective may be than SCIP's: its gap, within which SCIP's
# own point may also gain a little by violating a row (a volume 3.7e-7 short, the cost 2.2e-7 low)


def max_violation(model: Any) -> float:
    """The largest violation of an active constraint or variable bound, each relative to max(1, |bound|)."""
    import pyomo.environ as pyo

    worst = 0.0
    for c in model.component_data_objects(pyo.Constraint, active=True):
        try:
            body = pyo.value(c.body)
        except (ValueError, ZeroDivisionError, OverflowError):
            return float("inf")
        for bound, sign in ((c.lower, 1.0), (c.upper, -1.0)):
            b = pyo.value(bound) if bound is not None else None
            if b is not None:
                worst = max(worst, sign * (b - body) / max(1.0, abs(b)))
    for v in model.component_data_objects(pyo.Var, active=True):
        if v.value is None:
            continue
        if v.lb is not None:
            worst = max(worst, (v.lb - v.value) / max(1.0, abs(v.lb)))
        if v.ub is not None:
            worst = max(worst, (v.value - v.ub) / max(1.0, abs(v.ub)))
    return worst


def polish(model: Any, objective: Any, objective_value: float, time_limit: float | None = None) -> str | None:
    """Refine the model's current (solved) point with ripopt; the new values stay in the model when kept.

    Returns a sentence saying what changed, or None when the point was left as it was (ripopt missing or
    failed, the polished point infeasible or worse, a variable not continuous).
    """
    import pyomo.environ as pyo

    from optolab.solvers.capabilities import is_available
    from optolab.solvers.capture import Captured, capture_output

    variables = list(model.component_data_objects(pyo.Var, active=True))
    if not variables or not is_available("ripopt") or any(not v.is_continuous() for v in variables):
        return None
    if any(v.value is None for v in variables if not v.fixed):
        return None
    before = {id(v): v.value for v in variables}
    start_violation = max_violation(model)
    from optolab.solvers import ripopt

    opt, kwargs = ripopt.make(min(5.0, time_limit) if time_limit else 5.0, None, {"tol": 1e-10})
    t0 = time.perf_counter()
    try:
        with capture_output(Captured()):
            results = opt.solve(model, load_solutions=False, tee=False, **kwargs)
        ok = str(results.solver.termination_condition) in ("optimal", "locallyOptimal") \
            and len(getattr(results, "solution", [])) > 0
        if ok:
            model.solutions.load_from(results)
    except Exception:  # noqa: BLE001 - a polish that fails leaves the solver's point as it was
        ok = False
    if ok:
        moved = max((abs(v.value - before[id(v)]) / max(1.0, abs(before[id(v)])) for v in variables
                     if v.value is not None and before[id(v)] is not None), default=0.0)
        ok = moved > MOVED  # the point was already there: keep it as the solver left it
    if ok:
        value = float(pyo.value(objective))
        worse = (value - objective_value) if objective.sense == pyo.minimize else (objective_value - value)
        ok = worse <= NO_WORSE * max(1.0, abs(objective_value)) \
            and max_violation(model) <= max(FEASIBILITY, start_violation)
    if not ok:
        for v in variables:
            v.set_value(before[id(v)], skip_validation=True)
        return None
    return (f"the optimum was polished with the local solver ripopt from SCIP's point "
            f"({time.perf_counter() - t0:.2f} s): objective {objective_value:.10g} -> {value:.10g}")
