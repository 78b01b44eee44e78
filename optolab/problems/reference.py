"""Build and solve a problem's reference Pyomo model, using Pyomo and its solver plug-ins directly."""

from __future__ import annotations

from typing import Any

from optolab.errors import ProblemBankError
from optolab.problems.catalog import Problem

_HIGHS_CLASSES = ("LP", "MILP", "QP")


def build_reference_model(problem: Problem):
    """Execute the problem's reference code in a fresh namespace and return its ``model``."""
    import pyomo.environ as pyo

    namespace: dict[str, Any] = {"__name__": f"optolab_problem_{problem.id}"}
    try:
        exec(compile(problem.code, f"<{problem.source or problem.id}: code>", "exec"), namespace)
    except Exception as exc:
        raise ProblemBankError(f"{problem.source or problem.id}: field 'code' fails to run: {exc!r}") from exc
    model = namespace.get("model")
    if not isinstance(model, pyo.ConcreteModel):
        raise ProblemBankError(
            f"{problem.source or problem.id}: field 'code' must assign a pyomo ConcreteModel to 'model'"
        )
    objectives = list(model.component_data_objects(pyo.Objective, active=True))
    if len(objectives) != 1:
        raise ProblemBankError(
            f"{problem.source or problem.id}: field 'code' must define exactly one active Objective,"
            f" found {len(objectives)}"
        )
    return model


def model_class(model) -> str:
    """Classify a Pyomo model as LP, MILP, QP, MIQP, NLP or MINLP from its variables and expressions."""
    import pyomo.environ as pyo

    integer = any(
        not v.is_continuous() for v in model.component_data_objects(pyo.Var, active=True) if not v.fixed
    )
    objective = next(model.component_data_objects(pyo.Objective, active=True))
    obj_degree = objective.expr.polynomial_degree()
    con_degrees = [c.body.polynomial_degree() for c in model.component_data_objects(pyo.Constraint, active=True)]
    constraints_linear = all(d is not None and d <= 1 for d in con_degrees)
    if constraints_linear and obj_degree is not None and obj_degree <= 1:
        return "MILP" if integer else "LP"
    if constraints_linear and obj_degree == 2:
        return "MIQP" if integer else "QP"
    return "MINLP" if integer else "NLP"


def has_division(model) -> bool:
    """True when an objective or constraint divides by an expression or raises one to a negative power.

    Pyomo's ``scip_direct`` interface (Pyomo 6.10) does not return on such models, so they go to ripopt.
    """
    import pyomo.environ as pyo
    from pyomo.core.expr import DivisionExpression, PowExpression
    from pyomo.core.expr.numvalue import is_constant

    stack = [o.expr for o in model.component_data_objects(pyo.Objective, active=True)]
    stack += [c.body for c in model.component_data_objects(pyo.Constraint, active=True)]
    while stack:
        node = stack.pop()
        if isinstance(node, DivisionExpression) and not is_constant(node.args[1]):
            return True
        if isinstance(node, PowExpression) and is_constant(node.args[1]) and pyo.value(node.args[1]) < 0:
            return True
        stack.extend(getattr(node, "args", ()) if getattr(node, "is_expression_type", lambda: False)() else ())
    return False


def _solve_with(model, name: str) -> bool:
    import pyomo.environ as pyo
    from pyomo.opt import TerminationCondition

    solver = pyo.SolverFactory(name)
    try:
        result = solver.solve(model, load_solutions=False)
    except Exception:  # noqa: BLE001 - a solver that cannot take the model: the caller tries the next one
        return False
    if result.solver.termination_condition not in (TerminationCondition.optimal, TerminationCondition.locallyOptimal):
        return False
    model.solutions.load_from(result)
    return True


def solve_reference(problem: Problem, solver: str | None = None) -> tuple[float, dict[str, float]]:
    """Solve the reference model; return ``(objective value, {variable name: value})``.

    LP, MILP and convex QP go to HiGHS (``appsi_highs``); MIQP, NLP and MINLP go to SCIP
    (``scip_direct``), with ripopt as a local NLP fallback. ``solver`` forces one Pyomo solver name.
    """
    import pyomo.environ as pyo

    model = build_reference_model(problem)
    if solver is not None:
        order = [solver]
    elif problem.problem_class in _HIGHS_CLASSES:
        order = ["appsi_highs", "scip_direct"]
    elif has_division(model):
        order = ["ripopt"] if problem.problem_class == "NLP" else []
    elif problem.problem_class == "NLP":
        order = ["scip_direct", "ripopt"]
    else:
        order = ["scip_direct"]
    for name in order:
        if name == "ripopt":
            import pyomo_ripopt  # noqa: F401 - registers the 'ripopt' solver with Pyomo
        if _solve_with(model, name):
            break
    else:
        raise ProblemBankError(
            f"{problem.source or problem.id}: no solver in {order or ['scip_direct', 'ripopt']} found an optimum"
            " (integer models that divide by a variable cannot go to scip_direct; multiply the constraint out)"
        )
    objective = next(model.component_data_objects(pyo.Objective, active=True))
    values = {
        v.name: float(v.value)
        for v in model.component_data_objects(pyo.Var, active=True)
        if v.value is not None
    }
    return float(pyo.value(objective)), values
