"""abs() in a model: rewritten with auxiliary variables so that HiGHS or SCIP takes it, and solved exactly."""

import pyomo.environ as pyo
import pytest

from optolab.solvers import Termination, available_solvers, solve
from optolab.solvers.reformulate import replace_abs

needs_scip = pytest.mark.skipif("scip" not in available_solvers(), reason="SCIP (pyscipopt) is not installed")


def test_a_minimized_sum_of_abs_terms_stays_linear_and_solves_exactly():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 10))
    m.y = pyo.Var(bounds=(-5, 5))
    m.cost = pyo.Objective(expr=2 * abs(m.x - 3) + abs(m.y + 1) - (-abs(m.x - m.y)))
    r = solve(m)
    # x = 3, y = -1 gives 0 + 0 + 4; x = y = 3 gives 0 + 4 + 0; x = y = 1 gives 4 + 2 + 0; the optimum is 4
    assert r.termination == Termination.OPTIMAL
    assert r.objective == pytest.approx(4.0, abs=1e-6)
    assert r.problem_class == "LP" and r.solver == "highs"
    assert set(r.variables) == {"x", "y"}  # the auxiliary variables are not the user's
    assert any("abs()" in w and "cost" in w for w in r.warnings)


@needs_scip
def test_abs_on_the_side_the_solver_pulls_up_gets_the_exact_equation():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(-2, 1))
    m.far = pyo.Objective(expr=abs(m.x), sense=pyo.maximize)  # two linear bounds alone would be unbounded
    r = solve(m)
    assert r.termination == Termination.OPTIMAL
    assert r.objective == pytest.approx(2.0, abs=1e-5)
    assert r.variables["x"] == pytest.approx(-2.0, abs=1e-5)


@needs_scip
def test_abs_in_constraints_of_each_kind():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(1.5, 10))
    m.y = pyo.Var(bounds=(-10, 10))
    m.low = pyo.Objective(expr=m.x + m.y)
    m.away = pyo.Constraint(expr=abs(m.x - 2) >= 1)      # x <= 1 or x >= 3: with x >= 1.5, x >= 3
    m.near = pyo.Constraint(expr=abs(m.y - m.x) <= 4)    # convex: y >= x - 4
    m.exact = pyo.Constraint(expr=abs(m.x - 5) + m.y == 0)  # y = -|x - 5|
    r = solve(m)
    # y = -|x - 5| and y >= x - 4 -> for x in [3, 4.5], y = x - 5 >= x - 4 fails; so y = -(5 - x) needs
    # x - 5 >= x - 4 (never) when x <= 5; for x >= 5, y = 5 - x >= x - 4 -> x <= 4.5: infeasible there too
    assert r.termination == Termination.INFEASIBLE
    m.near.deactivate()
    r = solve(m)
    # minimise x - |x - 5| over x in [3, 10]: 2x - 5 for x <= 5 (min 1 at x = 3); 5 for x >= 5
    assert r.termination == Termination.OPTIMAL
    assert r.objective == pytest.approx(1.0, abs=1e-5)
    assert r.variables["x"] == pytest.approx(3.0, abs=1e-5)


def test_a_model_without_abs_is_left_alone_and_a_name_clash_gets_a_suffix():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 1))
    m.o = pyo.Objective(expr=m.x)
    assert replace_abs(m) == []
    assert m.component("optolab_abs") is None
    m.optolab_abs = pyo.Param(initialize=1, mutable=True)
    m.o.set_value(abs(m.x - 0.5))
    notes = replace_abs(m)
    assert notes and "'optolab_abs_'" in notes[0]
    assert isinstance(m.optolab_abs_, pyo.Block)
    assert replace_abs(m) == []  # nothing left to rewrite
