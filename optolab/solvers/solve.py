"""``solve(model)``: run a solver on a Pyomo model and return a typed :class:`SolveResult`.

Solver failures on the model (infeasible, unbounded, crashed) come back as a result with the
matching termination; only wrong use (unknown solver, no objective) raises.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from optolab.errors import SolverError
from optolab.solvers.capture import Captured, capture_output
from optolab.solvers.capabilities import CAPABILITIES, choose_solver, is_available, require
from optolab.solvers.classify import classify, convex_quadratic_objective, divisions_by_variables
from optolab.solvers.polish import NLP_GAP, POLISH_CLASSES
from optolab.solvers.reformulate import ABS_BLOCK, replace_abs
from optolab.solvers.result import SolveResult, Termination

LOG_LIMIT = 20_000
SUFFIX_NAMES = ("dual", "slack", "rc", "lrc", "urc")  # result suffixes of the solver interfaces

# Pyomo's termination conditions, named alike for every solver; an adapter's STATUS adds readings of
# its own, and anything in neither is an ERROR
PYOMO_TERMINATION = {
    "optimal": "optimal",
    "globallyOptimal": "optimal",
    "locallyOptimal": "feasible",
    "feasible": "feasible",
    "infeasible": "infeasible",
    "unbounded": "unbounded",
    "infeasibleOrUnbounded": "infeasible_or_unbounded",
    "maxTimeLimit": "time_limit",
    "maxIterations": "time_limit",
    "maxEvaluations": "time_limit",
}

_ADAPTERS = {"highs": "optolab.solvers.highs", "scip": "optolab.solvers.scip", "ripopt": "optolab.solvers.ripopt"}


def _adapter(name: str):
    import importlib

    if name not in _ADAPTERS:
        raise SolverError(f"unknown solver {name!r}; choose one of {sorted(_ADAPTERS)} or 'auto'")
    return importlib.import_module(_ADAPTERS[name])


def solver_factory(name: str, time_limit: float | None, mip_gap: float | None, options: dict | None,
             problem_class: str = "LP"):
    """The Pyomo solver object and ``solve`` keyword arguments from the adapter module for ``name``."""
    return _adapter(name).make(time_limit, mip_gap, options, problem_class)


def solve(model: Any, solver: str = "auto", *, time_limit: float | None = None, mip_gap: float | None = None,
          tee: bool = False, options: dict | None = None, duals: bool = True, diagnose: bool = True) -> SolveResult:
    """Solve ``model`` and return the result; ``solver="auto"`` picks by problem class.

    With ``diagnose`` an infeasible LP or MILP gets ``result.diagnosis``: the constraints that
    cannot all hold together (see :mod:`optolab.solvers.diagnose`).

    ``abs(e)`` in the model, which no solver interface takes, is rewritten in place with auxiliary
    variables (:func:`optolab.solvers.reformulate.replace_abs`); ``result.warnings`` says so, and
    the auxiliary variables are left out of ``result.variables``.

    With ``solver="auto"`` a ratio of two linear expressions over linear constraints (profit per hour) is solved
    exactly by Dinkelbach's method on HiGHS (:mod:`optolab.solvers.fractional`), and ``result.warnings`` says so.

    Two guards apply to ``solver="auto"``, and ``result.warnings`` says when one acted:

    - SCIP can run past its time limit on models that divide by a variable (``K * D / q``).
      A continuous one goes to the local NLP solver ripopt instead (so its result is at best
      ``feasible``: a local optimum); an integer one stays with SCIP, with a warning.
    - A continuous nonlinear model (NLP, QCP, nonconvex QP) that goes to SCIP is solved to a relative gap of
      1e-6 unless ``mip_gap`` says otherwise (closing the last digits of a flat optimum can take SCIP from 0.1 s
      to its time limit), and its point is then polished by the local solver ripopt
      (:mod:`optolab.solvers.polish`), kept only when it is feasible and no worse.
    - When the chosen solver ends in an error (e.g. HiGHS 1.15 calling some convex QPs with
      positive definite covariance matrices non-convex), SCIP solves the model again. The
      ``options`` were meant for the first solver and are not passed on; the time limit is.
    """
    import pyomo.environ as pyo

    t_wall = time.perf_counter()
    objectives = list(model.component_data_objects(pyo.Objective, active=True))
    if len(objectives) != 1:
        raise SolverError(f"the model has {len(objectives)} active objectives; it needs exactly one")
    for reserved in SUFFIX_NAMES:  # Pyomo's solver interfaces read these names as result suffixes
        comp = model.component(reserved)
        if comp is not None and not isinstance(comp, pyo.Suffix):
            raise SolverError(f"the model has a component named {reserved!r}, a name Pyomo reserves for solver "
                              f"results; rename it (e.g. {reserved}_)")
    warnings: list[str] = replace_abs(model)
    problem_class = classify(model)
    auto = solver == "auto"
    if auto:
        convex = problem_class != "QP" or convex_quadratic_objective(model)
        name = choose_solver(problem_class, convex)
    else:
        name = solver
    cap = require(name)
    if problem_class not in cap.classes:
        raise SolverError(f"solver {name!r} does not handle {problem_class} problems; it handles "
                          f"{sorted(cap.classes)}. Use solver='auto'")
    if auto and problem_class in ("NLP", "MINLP"):
        exact = _fractional(model, objectives[0], problem_class, time_limit)
        if exact is not None:
            exact.warnings = warnings + exact.warnings
            exact.wall_time_s = time.perf_counter() - t_wall
            return exact
        if time_limit is not None:  # what the attempt used is not the other solver's to spend again
            time_limit = max(time_limit - (time.perf_counter() - t_wall), min(1.0, time_limit))
    dividing = divisions_by_variables(model) if name == "scip" else []
    if dividing:
        name = _route_division(dividing, problem_class, auto, warnings)
    continuous_scip = auto and name == "scip" and problem_class in POLISH_CLASSES
    if continuous_scip and mip_gap is None:
        mip_gap = NLP_GAP
    result = _attempt(model, name, problem_class, objectives[0], time_limit, mip_gap, options, duals, tee)
    if auto and result.termination == Termination.ERROR and name != "scip" and not dividing and is_available("scip"):
        result = _fall_back_to_scip(result, model, problem_class, objectives[0], time_limit, mip_gap, options,
                                    duals, tee, time.perf_counter() - t_wall, warnings)
    if continuous_scip and result.solver == "scip" and result.ok:
        _polish(model, objectives[0], result, time_limit, warnings)
    result.warnings = warnings
    term, name = result.termination, result.solver
    if diagnose and term == Termination.INFEASIBLE and problem_class in ("LP", "MILP"):
        from optolab.solvers.diagnose import explain_infeasible

        result.diagnosis = explain_infeasible(model, name, time_budget=min(10.0, time_limit or 10.0))
    if diagnose and term == Termination.UNBOUNDED and problem_class in ("LP", "MILP"):
        from optolab.solvers.diagnose import explain_unbounded

        result.diagnosis = explain_unbounded(model, name, time_limit=min(10.0, time_limit or 10.0))
    result.wall_time_s = time.perf_counter() - t_wall
    return result


def _polish(model: Any, objective: Any, result: SolveResult, time_limit: float | None, warnings: list[str]) -> None:
    """SCIP's continuous nonlinear optimum refined by a local solver (:mod:`optolab.solvers.polish`), in place."""
    from optolab.solvers.polish import polish

    note = polish(model, objective, result.objective, time_limit)
    if note is not None:
        import pyomo.environ as pyo

        result.objective = float(pyo.value(objective))
        result.variables = _values(model)
        warnings.append(note)


def _fractional(model: Any, objective: Any, problem_class: str, time_limit: float | None) -> SolveResult | None:
    """The exact optimum of a linear-fractional model (a ratio of linear expressions over linear constraints)
    by Dinkelbach's method on HiGHS, or None where that does not apply (see :mod:`optolab.solvers.fractional`)."""
    from optolab.solvers.fractional import fraction_parts, linear_constraints, solve_fractional

    parts = fraction_parts(objective)
    if parts is None or not is_available("highs") or not linear_constraints(model):
        return None
    result = solve_fractional(model, objective, parts, problem_class == "MINLP", time_limit)
    if result is not None:
        result.warnings.append("the objective is a ratio of two linear expressions over linear constraints: solved "
                               "exactly by Dinkelbach's method (a sequence of LP/MILP solves with HiGHS)")
    return result


def _route_division(dividing: list[str], problem_class: str, auto: bool, warnings: list[str]) -> str:
    """The solver for a model SCIP would get although it divides by variables; notes why in ``warnings``."""
    shown = ", ".join(dividing[:5]) + (f" and {len(dividing) - 5} more" if len(dividing) > 5 else "")
    where = f"{shown} {'divides' if len(dividing) == 1 else 'divide'} by a variable expression"
    if auto and problem_class in CAPABILITIES["ripopt"].classes and is_available("ripopt"):
        warnings.append(f"{where}; SCIP often cannot close the gap on such models and runs to its time limit, so "
                        "the local NLP solver ripopt solved it "
                        "(a local optimum, reported as feasible). For a global attempt pass solver='scip' with a "
                        "time_limit, or multiply the division out (y * q == K * D instead of y == K * D / q)")
        return "ripopt"
    why = "" if not auto else (" (the model has integer variables, which ripopt cannot take)"
                               if problem_class in ("MINLP", "MIQCP", "MIQP") else " (ripopt is not installed)")
    warnings.append(f"{where}; SCIP often cannot close the gap on such models and runs to its time limit "
                    f"(then the best point found is reported as feasible), but no other solver handles it{why}. "
                    "Multiply the division out (y * q == K * D instead of y == K * D / q)")
    return "scip"


def _fall_back_to_scip(first: SolveResult, model: Any, problem_class: str, objective: Any,
                       time_limit: float | None, mip_gap: float | None, options: dict | None, duals: bool,
                       tee: bool, elapsed: float, warnings: list[str]) -> SolveResult:
    """Solve again with SCIP after ``first`` ended in a solver error; both runs stay in the log."""
    left = None if time_limit is None else max(time_limit - elapsed, min(1.0, time_limit))
    result = _attempt(model, "scip", problem_class, objective, left, mip_gap, None, duals, tee)
    note = f"{first.solver} ended in an error ({first.message}); solved again with scip"
    if options:
        note += f" (the options {sorted(options)} were for {first.solver} and were not passed on)"
    warnings.append(note)
    head = f"--- {first.solver} ---\n{first.log[-LOG_LIMIT // 4:]}\n--- scip ---\n"
    result.log = head + result.log[-(LOG_LIMIT - len(head)):]
    result.solve_time_s += first.solve_time_s
    return result


def _attempt(model: Any, name: str, problem_class: str, objective: Any, time_limit: float | None,
             mip_gap: float | None, options: dict | None, duals: bool, tee: bool) -> SolveResult:
    """One run of solver ``name``; its failures come back as results, as :func:`solve` promises."""
    import pyomo.environ as pyo

    cap = CAPABILITIES[name]
    want_duals = duals and cap.duals and problem_class == "LP"
    if want_duals and not hasattr(model, "dual"):
        model.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    opt, kwargs = solver_factory(name, time_limit, mip_gap, options, problem_class)
    captured = Captured()
    t0 = time.perf_counter()
    try:
        with capture_output(captured), _suffixes_not_imported(model, keep=want_duals):
            results = opt.solve(model, load_solutions=False, tee=True, **kwargs)
    except Exception as exc:
        return SolveResult(Termination.ERROR, solver=name, problem_class=problem_class,
                           message=f"{type(exc).__name__}: {exc}", log=captured.text[-LOG_LIMIT:],
                           solve_time_s=time.perf_counter() - t0)
    solve_time = time.perf_counter() - t0
    log = captured.text
    if tee:
        print(log)
    tc = str(results.solver.termination_condition)
    status = getattr(_adapter(name), "STATUS", {}).get(tc) or PYOMO_TERMINATION.get(tc, "error")
    term = Termination(status)
    has_solution = len(getattr(results, "solution", [])) > 0
    if term == Termination.OPTIMAL and problem_class in ("NLP", "QCP") and name == "ripopt":
        term = Termination.FEASIBLE  # a local solver proves local optimality only
    if term == Termination.TIME_LIMIT and has_solution:
        term = Termination.FEASIBLE
    if term in (Termination.OPTIMAL, Termination.FEASIBLE) and not has_solution:
        term = Termination.ERROR
    sense = "max" if objective.sense == pyo.maximize else "min"
    result = SolveResult(term, sense=sense, solver=name, problem_class=problem_class,
                         message=f"{results.solver.status}: {tc}", solve_time_s=solve_time, log=log[-LOG_LIMIT:])
    if term in (Termination.OPTIMAL, Termination.FEASIBLE):
        with _suffixes_not_imported(model, keep=want_duals):
            model.solutions.load_from(results)
        result.objective = float(pyo.value(objective))
        result.variables = _values(model)
        if want_duals:
            result.duals = {c.name: float(v) for c, v in model.dual.items() if v is not None}
    return result


@contextlib.contextmanager
def _suffixes_not_imported(model: Any, keep: bool):
    """Unless ``keep``, the model's import suffixes (``dual``, ``rc``...) are switched to local while
    a solver runs: solvers that do not give them fail when asked (SCIP after a HiGHS solve that
    added ``model.dual``)."""
    import pyomo.environ as pyo

    switched = []
    if not keep:
        for reserved in SUFFIX_NAMES:
            comp = model.component(reserved)
            if isinstance(comp, pyo.Suffix) and comp.import_enabled():
                switched.append((comp, comp.direction))
                comp.direction = pyo.Suffix.LOCAL
    try:
        yield
    finally:
        for comp, direction in switched:
            comp.direction = direction


def _values(model: Any) -> dict[str, float]:
    import pyomo.environ as pyo

    out = {}
    for v in model.component_data_objects(pyo.Var, active=True, descend_into=True):
        if v.value is not None and not v.name.startswith(ABS_BLOCK):
            value = float(v.value)
            if not v.is_continuous() and abs(value - round(value)) < 1e-6:
                value = float(round(value))
            out[v.name] = value
    return out


def solver_names() -> list[str]:
    return list(CAPABILITIES)
