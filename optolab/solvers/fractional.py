"""Linear-fractional objectives, solved exactly by Dinkelbach's method on HiGHS.

"Maximize the total profit divided by the total hours" over linear constraints is a linear-fractional program
(with integer decisions, a mixed-integer one). SCIP takes it as a general MINLP and on integer models often runs
to its time limit without proving the optimum. Dinkelbach's method (Dinkelbach 1967, "On nonlinear fractional
programming") solves it as a short sequence of LPs/MILPs instead: with ``lambda`` the ratio at the current point,
solve ``max N(x) - lambda * D(x)`` over the same constraints and move ``lambda`` to the ratio at the new optimum;
when that optimum is 0 the current point maximizes ``N / D``. The method needs ``D > 0`` on the whole feasible
set, which :func:`solve_fractional` checks first by minimizing ``D``; where it fails (or any step does not
solve to optimality) it returns None and the caller goes on as before.
"""

from __future__ import annotations

import time
from typing import Any

from optolab.solvers.result import SolveResult, Termination

MAX_STEPS = 60
_GAP = {"mip_rel_gap": 1e-10, "mip_abs_gap": 1e-12}  # each step's optimum exactly, so the stop test holds


def fraction_parts(objective: Any) -> tuple[Any, Any] | None:
    """``(numerator, denominator)`` of an objective ``N / D`` whose numerator is linear (or constant) and whose
    denominator is linear; None for anything else."""
    from pyomo.core.expr import DivisionExpression
    from pyomo.core.expr.visitor import polynomial_degree

    expr = objective.expr
    while getattr(expr, "is_named_expression_type", lambda: False)():
        expr = expr.expr
    if not isinstance(expr, DivisionExpression):
        return None
    num, den = expr.args
    try:
        if polynomial_degree(num) not in (0, 1) or polynomial_degree(den) != 1:
            return None
    except Exception:  # noqa: BLE001 - an expression the degree walker cannot read is not linear
        return None
    return num, den


def linear_constraints(model: Any) -> bool:
    """Whether every active constraint of ``model`` is linear."""
    import pyomo.environ as pyo
    from pyomo.core.expr.visitor import polynomial_degree

    try:
        return all(polynomial_degree(c.body) in (0, 1)
                   for c in model.component_data_objects(pyo.Constraint, active=True))
    except Exception:  # noqa: BLE001
        return False


def solve_fractional(model: Any, objective: Any, parts: tuple[Any, Any], integer: bool,
                     time_limit: float | None) -> SolveResult | None:
    """Maximize or minimize ``N / D`` (``parts``) over the model's linear constraints with HiGHS; the model's
    own objective is left active and the variables at the optimum. None when the method does not apply (``D``
    not positive on the feasible set) or a step does not solve to optimality."""
    import pyomo.environ as pyo

    from optolab.solvers.solve import _attempt

    num, den = parts
    cls = "MILP" if integer else "LP"
    t0 = time.perf_counter()
    logs: list[str] = []
    lam = pyo.Param(mutable=True, initialize=0.0)
    lam_name = _free(model, "_optolab_dinkelbach_ratio")
    step_name = _free(model, "_optolab_dinkelbach_objective")
    model.add_component(lam_name, lam)
    objective.deactivate()
    step = None
    try:
        def run(obj: Any) -> SolveResult | None:
            left = None if time_limit is None else time_limit - (time.perf_counter() - t0)
            if left is not None and left <= 0:
                return None
            r = _attempt(model, "highs", cls, obj, left, None, _GAP, False, False)
            logs.append(r.log)
            return r if r.termination == Termination.OPTIMAL else None

        step = pyo.Objective(expr=den, sense=pyo.minimize)  # first: the smallest denominator must be positive
        model.add_component(step_name, step)
        lowest = run(step)
        if lowest is None or lowest.objective is None or lowest.objective <= 1e-9:
            return None
        model.del_component(step)
        lam.value = pyo.value(num) / pyo.value(den)
        step = pyo.Objective(expr=num - lam * den, sense=objective.sense)
        model.add_component(step_name, step)
        maximize = objective.sense == pyo.maximize
        for n in range(1, MAX_STEPS + 1):
            r = run(step)
            if r is None:
                return None
            gain = r.objective if maximize else -r.objective
            if gain <= 1e-9 * max(1.0, abs(pyo.value(num))):
                break
            lam.value = pyo.value(num) / pyo.value(den)
        else:
            return None
    finally:
        if step is not None and model.component(step_name) is step:
            model.del_component(step)
        model.del_component(lam)
        objective.activate()
    from optolab.solvers.solve import _values

    return SolveResult(Termination.OPTIMAL, objective=float(pyo.value(objective)),
                       sense="max" if objective.sense == pyo.maximize else "min", variables=_values(model),
                       solver="highs", problem_class="MINLP" if integer else "NLP",
                       message=f"optimal: Dinkelbach's method, {n} {cls} solves after the denominator check",
                       solve_time_s=time.perf_counter() - t0, log="\n".join(logs)[-20_000:])


def _free(model: Any, name: str) -> str:
    k = 0
    while model.component(f"{name}{k or ''}") is not None:
        k += 1
    return f"{name}{k or ''}"
