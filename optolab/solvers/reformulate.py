"""Rewrites that let the solvers take a model they would otherwise refuse.

``replace_abs``: no solver interface used here accepts ``abs(...)`` in an expression (HiGHS and SCIP
both stop with "unrecognized expression type"). Each ``abs(e)`` in an active objective or constraint
becomes an auxiliary variable ``t >= 0`` with ``t >= e`` and ``t >= -e``. Where the term sits on the
side the solver pushes down (a minimized objective with a positive coefficient, a maximized one with
a negative coefficient, the body of a ``<=`` constraint with a positive coefficient), those two
linear constraints are exact at the optimum and a linear model stays linear. Elsewhere the equation
``t**2 == e**2`` is added too, which makes ``t == |e|`` exactly (a nonconvex quadratic: SCIP solves it
globally).
"""

from __future__ import annotations

from typing import Any

ABS_BLOCK = "optolab_abs"


def replace_abs(model: Any) -> list[str]:
    """Replace every ``abs(e)`` of the active objectives and constraints, in place; returns notes.

    The auxiliary variables and constraints live in one block named ``optolab_abs`` (a suffix is
    added if the model already has a component of that name). Returns an empty list, and leaves the
    model alone, when no ``abs`` occurs.
    """
    import pyomo.environ as pyo

    targets = [(obj, 1 if obj.sense == pyo.minimize else -1)
               for obj in model.component_data_objects(pyo.Objective, active=True)]
    for con in model.component_data_objects(pyo.Constraint, active=True):
        if con.equality or (con.has_lb() and con.has_ub()):
            side = 0
        else:
            side = 1 if con.has_ub() else -1
        targets.append((con, side))
    targets = [(comp, side) for comp, side in targets if _has_abs(_expr_of(comp))]
    if not targets:
        return []

    name = ABS_BLOCK
    while model.component(name) is not None:
        name += "_"
    block = pyo.Block()
    model.add_component(name, block)
    block.t = pyo.Var(pyo.Any, dense=False, domain=pyo.NonNegativeReals)
    block.cuts = pyo.ConstraintList()
    counts = {"linear": 0, "exact": 0}

    def make(inner: Any, sign: int) -> Any:
        t = block.t[len(block.t) + 1]
        block.cuts.add(t >= inner)
        block.cuts.add(t >= -inner)
        if sign > 0:
            counts["linear"] += 1
        else:
            block.cuts.add(t ** 2 == inner ** 2)
            counts["exact"] += 1
        return t

    changed = []
    for comp, side in targets:
        new = _rebuild(_expr_of(comp), side, make)
        if comp.ctype is pyo.Objective:
            comp.set_value(new)
        elif comp.equality:
            comp.set_value(new == comp.upper)
        else:
            comp.set_value((comp.lower, new, comp.upper))
        changed.append(comp.name)
    shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
    how = []
    if counts["linear"]:
        how.append(f"{counts['linear']} by two linear bounds (exact where the solver pushes the term down)")
    if counts["exact"]:
        how.append(f"{counts['exact']} also by t**2 == e**2 (exact, nonconvex)")
    return [f"abs() in {shown}: each abs(e) became an auxiliary variable t >= |e| in block {name!r}; "
            + "; ".join(how)]


def _expr_of(comp: Any) -> Any:
    return comp.expr if comp.ctype.__name__ == "Objective" else comp.body


def _has_abs(expr: Any) -> bool:
    from pyomo.core.expr.numeric_expr import AbsExpression

    stack = [expr]
    while stack:
        node = stack.pop()
        if not getattr(node, "is_expression_type", None) or not node.is_expression_type():
            continue
        if isinstance(node, AbsExpression):
            return True
        stack.extend(node.args)
    return False


def _rebuild(expr: Any, sign: int, make) -> Any:
    """``expr`` with each ``abs`` replaced by ``make(inner, sign_of_its_position)``.

    ``sign`` is +1 where a larger value of ``expr`` is what the solver avoids, -1 for the opposite,
    0 where it cannot be told; it passes through sums, negations and products or divisions by
    constants.
    """
    from pyomo.core.expr import numeric_expr as ne
    from pyomo.core.expr.numvalue import is_fixed, value

    if not getattr(expr, "is_expression_type", None) or not expr.is_expression_type():
        return expr
    if expr.is_named_expression_type():
        return _rebuild(expr.expr, sign, make)
    if isinstance(expr, ne.AbsExpression):
        return make(_rebuild(expr.args[0], 0, make), sign)
    args = list(expr.args)
    if isinstance(expr, (ne.SumExpression, ne.LinearExpression)):
        signs = [sign] * len(args)
    elif isinstance(expr, ne.NegationExpression):
        signs = [-sign]
    elif isinstance(expr, (ne.ProductExpression, ne.MonomialTermExpression)):
        signs = [0, 0]
        for i, j in ((0, 1), (1, 0)):
            if is_fixed(args[i]):
                signs[j] = sign * _sign(value(args[i]))
    elif isinstance(expr, ne.DivisionExpression):
        signs = [sign * _sign(value(args[1])) if is_fixed(args[1]) else 0, 0]
    else:
        signs = [0] * len(args)
    new = [_rebuild(a, s, make) for a, s in zip(args, signs)]
    if all(n is a for n, a in zip(new, args)):
        return expr
    return expr.create_node_with_local_data(tuple(new))


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)
