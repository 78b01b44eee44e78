"""``solve(model)``: run a solver on a Pyomo model and return a typed :class:`SolveResult`.

Solver failures on the model (infeasible, unbounded, crashed) come back as a result with the
matching termination; only wrong use (unknown solver, no objective) raises.
"""

from __future__ import annotations

import io
import time
from typing import Any

from optolab.errors import SolverError
from optolab.solvers.capabilities import CAPABILITIES, choose_solver, require
from optolab.solvers.classify import classify, convex_quadratic_objective
from optolab.solvers.result import SolveResult, Termination

LOG_LIMIT = 20_000
_SUFFIX_NAMES = ("dual", "slack", "rc", "lrc", "urc")

_ADAPTERS = {"highs": "optolab.solvers.highs", "scip": "optolab.solvers.scip", "ripopt": "optolab.solvers.ripopt"}


def _adapter(name: str):
    import importlib

    if name not in _ADAPTERS:
        raise SolverError(f"unknown solver {name!r}; choose one of {sorted(_ADAPTERS)} or 'auto'")
    return importlib.import_module(_ADAPTERS[name])


def _factory(name: str, time_limit: float | None, mip_gap: float | None, options: dict | None,
             problem_class: str = "LP"):
    """The Pyomo solver object and ``solve`` keyword arguments from the adapter module for ``name``."""
    return _adapter(name).make(time_limit, mip_gap, options, problem_class)


def solve(model: Any, solver: str = "auto", *, time_limit: float | None = None, mip_gap: float | None = None,
          tee: bool = False, options: dict | None = None, duals: bool = True, diagnose: bool = True) -> SolveResult:
    """Solve ``model`` and return the result; ``solver="auto"`` picks by problem class.

    With ``diagnose`` an infeasible LP or MILP gets ``result.diagnosis``: the constraints that
    cannot all hold together (see :mod:`optolab.solvers.diagnose`).
    """
    import pyomo.environ as pyo

    t_wall = time.perf_counter()
    objectives = list(model.component_data_objects(pyo.Objective, active=True))
    if len(objectives) != 1:
        raise SolverError(f"the model has {len(objectives)} active objectives; it needs exactly one")
    for reserved in _SUFFIX_NAMES:  # Pyomo's solver interfaces read these names as result suffixes
        comp = model.component(reserved)
        if comp is not None and not isinstance(comp, pyo.Suffix):
            raise SolverError(f"the model has a component named {reserved!r}, a name Pyomo reserves for solver "
                              f"results; rename it (e.g. {reserved}_)")
    problem_class = classify(model)
    convex = problem_class != "QP" or convex_quadratic_objective(model)
    name = choose_solver(problem_class, convex) if solver == "auto" else solver
    cap = require(name)
    if problem_class not in cap.classes:
        raise SolverError(f"solver {name!r} does not handle {problem_class} problems; it handles "
                          f"{sorted(cap.classes)}. Use solver='auto'")
    want_duals = duals and cap.duals and problem_class == "LP"
    if want_duals and not hasattr(model, "dual"):
        model.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    opt, kwargs = _factory(name, time_limit, mip_gap, options, problem_class)
    from pyomo.common.tee import capture_output

    buf = io.StringIO()
    t0 = time.perf_counter()
    try:
        with capture_output(buf, capture_fd=True):
            results = opt.solve(model, load_solutions=False, tee=True, **kwargs)
    except Exception as exc:
        log = buf.getvalue()[-LOG_LIMIT:]
        return SolveResult(Termination.ERROR, solver=name, problem_class=problem_class,
                           message=f"{type(exc).__name__}: {exc}", log=log, solve_time_s=time.perf_counter() - t0,
                           wall_time_s=time.perf_counter() - t_wall)
    solve_time = time.perf_counter() - t0
    log = buf.getvalue()
    if tee:
        print(log)
    tc = str(results.solver.termination_condition)
    term = Termination(_adapter(name).STATUS.get(tc, "error"))
    has_solution = len(getattr(results, "solution", [])) > 0
    if term == Termination.OPTIMAL and problem_class in ("NLP", "QCP") and name == "ripopt":
        term = Termination.FEASIBLE  # a local solver proves local optimality only
    if term == Termination.TIME_LIMIT and has_solution:
        term = Termination.FEASIBLE
    if term in (Termination.OPTIMAL, Termination.FEASIBLE) and not has_solution:
        term = Termination.ERROR
    sense = "max" if objectives[0].sense == pyo.maximize else "min"
    result = SolveResult(term, sense=sense, solver=name, problem_class=problem_class,
                         message=f"{results.solver.status}: {tc}", solve_time_s=solve_time, log=log[-LOG_LIMIT:])
    if term in (Termination.OPTIMAL, Termination.FEASIBLE):
        model.solutions.load_from(results)
        result.objective = float(pyo.value(objectives[0]))
        result.variables = _values(model)
        if want_duals:
            result.duals = {c.name: float(v) for c, v in model.dual.items() if v is not None}
    if diagnose and term == Termination.INFEASIBLE and problem_class in ("LP", "MILP"):
        from optolab.solvers.diagnose import explain_infeasible

        result.diagnosis = explain_infeasible(model, name, time_budget=min(10.0, time_limit or 10.0))
    if diagnose and term == Termination.UNBOUNDED and problem_class in ("LP", "MILP"):
        from optolab.solvers.diagnose import explain_unbounded

        result.diagnosis = explain_unbounded(model, name, time_limit=min(10.0, time_limit or 10.0))
    result.wall_time_s = time.perf_counter() - t_wall
    return result


def _values(model: Any) -> dict[str, float]:
    import pyomo.environ as pyo

    out = {}
    for v in model.component_data_objects(pyo.Var, active=True, descend_into=True):
        if v.value is not None:
            value = float(v.value)
            if not v.is_continuous() and abs(value - round(value)) < 1e-6:
                value = float(round(value))
            out[v.name] = value
    return out


def solver_names() -> list[str]:
    return list(CAPABILITIES)
