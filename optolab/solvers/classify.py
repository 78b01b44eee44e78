"""Which class a Pyomo model belongs to: LP, MILP, QP, MIQP, QCP, MIQCP, NLP or MINLP."""

from __future__ import annotations

from typing import Any


def classify(model: Any) -> str:
    import pyomo.environ as pyo
    from pyomo.core.expr.visitor import polynomial_degree

    integer = any(not v.is_continuous() for v in model.component_data_objects(pyo.Var, active=True, descend_into=True)
                  if not v.fixed)
    objs = list(model.component_data_objects(pyo.Objective, active=True))
    obj_deg = _max_degree(_degree(o.expr, polynomial_degree) for o in objs)
    con_deg = _max_degree(_degree(c.body, polynomial_degree)
                          for c in model.component_data_objects(pyo.Constraint, active=True))
    if obj_deg is None or con_deg is None or obj_deg > 2 or con_deg > 2:
        return "MINLP" if integer else "NLP"
    if con_deg == 2:
        return "MIQCP" if integer else "QCP"
    if obj_deg == 2:
        return "MIQP" if integer else "QP"
    return "MILP" if integer else "LP"


def _max_degree(degrees) -> int | None:
    """Highest degree; None (not a polynomial) wins over any number."""
    top = 0
    for d in degrees:
        if d is None:
            return None
        top = max(top, d)
    return top


def _degree(expr: Any, polynomial_degree) -> int | None:
    try:
        return polynomial_degree(expr)
    except Exception:
        return None


def convex_quadratic_objective(model: Any) -> bool:
    """True when the (single) objective is a quadratic whose Hessian is PSD (minimize) or NSD (maximize)."""
    import numpy as np
    import pyomo.environ as pyo
    from pyomo.repn import generate_standard_repn

    objs = list(model.component_data_objects(pyo.Objective, active=True))
    if len(objs) != 1:
        return False
    repn = generate_standard_repn(objs[0].expr, quadratic=True)
    if repn.nonlinear_expr is not None:
        return False
    index: dict[int, int] = {}
    for v1, v2 in repn.quadratic_vars:
        for v in (v1, v2):
            index.setdefault(id(v), len(index))
    if not index:
        return True
    h = np.zeros((len(index), len(index)))
    for (v1, v2), c in zip(repn.quadratic_vars, repn.quadratic_coefs):
        i, j = index[id(v1)], index[id(v2)]
        if i == j:
            h[i, i] += 2 * c
        else:
            h[i, j] += c
            h[j, i] += c
    eig = np.linalg.eigvalsh(h)
    if objs[0].sense == pyo.minimize:
        return bool(eig.min() >= -1e-9)
    return bool(eig.max() <= 1e-9)


def divisions_by_variables(model: Any) -> list[str]:
    """Names of the active objectives and constraints that divide by an expression of free variables.

    A division counts when its denominator is not fixed (constants, parameters and fixed
    variables do not count); so does a power with a negative constant exponent and a base that
    is not fixed (``q ** -1``). Named ``Expression`` components are followed, each walked once.
    """
    import pyomo.environ as pyo

    named: dict[int, bool] = {}  # named expressions already walked (they can be shared by many components)
    found = [obj.name for obj in model.component_data_objects(pyo.Objective, active=True)
             if _divides_by_variable(obj.expr, named)]
    found += [con.name for con in model.component_data_objects(pyo.Constraint, active=True)
              if _divides_by_variable(con.body, named)]
    return found


def _divides_by_variable(expr: Any, named: dict[int, bool]) -> bool:
    from pyomo.core.expr import DivisionExpression, PowExpression
    from pyomo.core.expr.numvalue import is_fixed, value

    stack = [expr]
    while stack:
        node = stack.pop()
        if not getattr(node, "is_expression_type", None) or not node.is_expression_type():
            continue  # a number, parameter or variable
        if node.is_named_expression_type():
            if id(node) not in named:
                named[id(node)] = _divides_by_variable(node.expr, named)
            if named[id(node)]:
                return True
            continue
        if isinstance(node, DivisionExpression) and not is_fixed(node.args[1]):
            return True
        if (isinstance(node, PowExpression) and not is_fixed(node.args[0]) and is_fixed(node.args[1])
                and value(node.args[1]) < 0):
            return True
        stack.extend(node.args)
    return False
