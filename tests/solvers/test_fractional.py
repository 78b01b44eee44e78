"""Linear-fractional objectives: Dinkelbach's method on HiGHS (optolab.solvers.fractional)."""

from __future__ import annotations

import itertools

import pyomo.environ as pyo
import pytest

from optolab.solvers import solve
from optolab.solvers.result import Termination

PROFIT = {"A": 50, "B": 70, "C": 60}
HOURS = {"A": 3, "B": 5, "C": 4}


def _rate_model(integer: bool = True, sense=pyo.maximize) -> pyo.ConcreteModel:
    m = pyo.ConcreteModel()
    m.x = pyo.Var(list(PROFIT), domain=pyo.NonNegativeIntegers if integer else pyo.NonNegativeReals,
                  bounds=(0, 12))
    m.need = pyo.Constraint(expr=sum(m.x[p] for p in PROFIT) >= 10)
    m.b_min = pyo.Constraint(expr=m.x["B"] >= 3)
    m.hours = pyo.Constraint(expr=sum(HOURS[p] * m.x[p] for p in PROFIT) <= 45)
    m.objective = pyo.Objective(expr=sum(PROFIT[p] * m.x[p] for p in PROFIT)
                                / sum(HOURS[p] * m.x[p] for p in PROFIT), sense=sense)
    return m


def _brute_force(sense: str) -> float:
    best = None
    for a, b, c in itertools.product(range(13), repeat=3):
        if a + b + c >= 10 and b >= 3 and 3 * a + 5 * b + 4 * c <= 45:
            r = (50 * a + 70 * b + 60 * c) / (3 * a + 5 * b + 4 * c)
            best = r if best is None else (max(best, r) if sense == "max" else min(best, r))
    return best


@pytest.mark.parametrize("sense", ["max", "min"])
def test_an_integer_ratio_is_solved_exactly_by_a_few_milp_solves(sense):
    m = _rate_model(sense=pyo.maximize if sense == "max" else pyo.minimize)
    r = solve(m, time_limit=30)
    assert r.termination == Termination.OPTIMAL and r.solver == "highs"
    assert r.objective == pytest.approx(_brute_force(sense), rel=1e-9)
    assert any("Dinkelbach" in w for w in r.warnings) and "MILP solves" in r.message
    assert r.objective == pytest.approx(pyo.value(m.objective))  # the variables sit at the optimum
    assert m.objective.active and m.component("_optolab_dinkelbach_ratio") is None  # the model as it was


def test_a_continuous_ratio_matches_the_charnes_cooper_lp():
    m = _rate_model(integer=False)
    r = solve(m, time_limit=30)
    # Charnes-Cooper: y = t * x, with t = 1 / hours; maximize profit . y subject to hours . y = 1 and the rows times t
    lp = pyo.ConcreteModel()
    lp.y = pyo.Var(list(PROFIT), domain=pyo.NonNegativeReals)
    lp.t = pyo.Var(domain=pyo.NonNegativeReals)
    lp.norm = pyo.Constraint(expr=sum(HOURS[p] * lp.y[p] for p in PROFIT) == 1)
    lp.need = pyo.Constraint(expr=sum(lp.y[p] for p in PROFIT) >= 10 * lp.t)
    lp.b_min = pyo.Constraint(expr=lp.y["B"] >= 3 * lp.t)
    lp.hours = pyo.Constraint(expr=1 <= 45 * lp.t)
    lp.ub = pyo.Constraint(list(PROFIT), rule=lambda mm, p: mm.y[p] <= 12 * mm.t)
    lp.objective = pyo.Objective(expr=sum(PROFIT[p] * lp.y[p] for p in PROFIT), sense=pyo.maximize)
    assert r.termination == Termination.OPTIMAL
    assert r.objective == pytest.approx(solve(lp).objective, rel=1e-9)


def test_a_denominator_that_can_reach_zero_leaves_the_model_to_the_nonlinear_solvers():
    m = _rate_model()
    m.need.deactivate()
    m.b_min.deactivate()  # x = 0 is feasible now: the ratio is undefined there
    r = solve(m, time_limit=5)
    assert not any("Dinkelbach" in w for w in r.warnings)
    assert m.objective.active and m.component("_optolab_dinkelbach_objective") is None


def test_nonlinear_rows_are_not_fractional_programs():
    from optolab.solvers.fractional import fraction_parts, linear_constraints

    m = _rate_model()
    assert fraction_parts(m.objective) is not None and linear_constraints(m)
    m.curve = pyo.Constraint(expr=m.x["A"] * m.x["B"] <= 30)
    assert not linear_constraints(m)
    m.square = pyo.Objective(expr=m.x["A"] ** 2 / (m.x["B"] + 1))
    assert fraction_parts(m.square) is None
