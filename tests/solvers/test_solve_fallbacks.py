"""Guards of ``solve(solver="auto")``: models that divide by a variable, and a solver that ends in an error."""

import pyomo.environ as pyo
import pytest

from optolab.solvers import Termination, available_solvers, solve
from optolab.solvers.classify import divisions_by_variables

pytestmark = pytest.mark.skipif(not {"highs", "scip", "ripopt"} <= set(available_solvers()),
                                reason="needs highspy, pyscipopt and pyomo-ripopt")

ORDER_COST, DEMAND, HOLDING = 50.0, 1200.0, 3.0  # economic order quantity: q* = sqrt(2 K D / h) = 200, cost 600


def eoq(domain=pyo.NonNegativeReals):
    m = pyo.ConcreteModel()
    m.q = pyo.Var(domain=domain, bounds=(1, 1000), initialize=10)
    m.cost = pyo.Objective(expr=ORDER_COST * DEMAND / m.q + HOLDING * m.q / 2)
    return m


def diet():
    m = pyo.ConcreteModel()
    m.F = pyo.Set(initialize=["oats", "milk"])
    cost, protein, energy = {"oats": 2, "milk": 3}, {"oats": 4, "milk": 8}, {"oats": 6, "milk": 3}
    m.buy = pyo.Var(m.F, bounds=(0, None))
    m.cost = pyo.Objective(expr=sum(cost[f] * m.buy[f] for f in m.F))
    m.protein = pyo.Constraint(expr=sum(protein[f] * m.buy[f] for f in m.F) >= 16)
    m.energy = pyo.Constraint(expr=sum(energy[f] * m.buy[f] for f in m.F) >= 12)
    return m  # both bind: oats 4/3, milk 4/3 -> cost 20/3


# Four assets, covariance positive definite (smallest eigenvalue 3.5e-9): HiGHS 1.15.1 ends with
# "QP solver model status: Non-convex" and no solution on this minimum-variance portfolio.
COV = [[0.00016444, 7.945e-05, -0.00014572, 3.38e-05],
       [7.945e-05, 0.00045979, -0.00024618, 8.97e-06],
       [-0.00014572, -0.00024618, 0.00021488, -6.506e-05],
       [3.38e-05, 8.97e-06, -6.506e-05, 0.00012439]]
MEAN = [0.02, 0.033, 0.048, 0.051]
TARGET = 0.0405
MIN_RISK = 9.6443e-07  # scipy SLSQP at ftol 1e-16 and SCIP with numerics/feastol 1e-9 agree to 4 digits


def portfolio():
    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(0, 3)
    m.w = pyo.Var(m.I, bounds=(0, 1))
    m.risk = pyo.Objective(expr=sum(COV[i][j] * m.w[i] * m.w[j] for i in m.I for j in m.I))
    m.budget = pyo.Constraint(expr=sum(m.w[i] for i in m.I) == 1)
    m.ret = pyo.Constraint(expr=sum(MEAN[i] * m.w[i] for i in m.I) >= TARGET)
    return m


def test_divisions_by_variables_names_the_components():
    m = pyo.ConcreteModel()
    m.q = pyo.Var(bounds=(1, 10))
    m.x = pyo.Var(bounds=(0, 5))
    m.f = pyo.Var(initialize=2)
    m.f.fix()
    m.p = pyo.Param(initialize=3, mutable=True)
    m.share = pyo.Expression(expr=5 / (m.q + 1))
    m.total = pyo.Expression(expr=m.share + m.x)
    m.o = pyo.Objective(expr=m.x / 2 + m.x / m.p + m.x / m.f)  # constant, parameter and fixed denominators
    m.a = pyo.Constraint(expr=m.share <= 3)
    m.b = pyo.Constraint(expr=m.total >= 0)  # through a named expression shared with a
    m.c = pyo.Constraint(expr=m.q ** -2 <= 4)
    m.d = pyo.Constraint(expr=m.x ** 2 + 2 ** m.q <= 40)
    m.e = pyo.Constraint(expr=m.x * pyo.exp(1 / m.q) <= 4)
    m.J = pyo.RangeSet(3)
    m.y = pyo.Var(m.J, bounds=(1, 2))
    m.g = pyo.Constraint(m.J, rule=lambda m, j: m.y[j] / m.y[1] <= 1 if j == 2 else m.y[j] <= 2)
    m.off = pyo.Constraint(expr=1 / m.x <= 1)
    m.off.deactivate()
    assert divisions_by_variables(m) == ["a", "b", "c", "e", "g[2]"]
    assert divisions_by_variables(diet()) == []


@pytest.mark.timeout(60, method="thread")  # SCIP runs to its time limit on this one (600 found, gap not closed)
def test_auto_sends_a_continuous_division_model_to_ripopt():
    r = solve(eoq())
    assert r.solver == "ripopt" and r.problem_class == "NLP"
    assert r.termination is Termination.FEASIBLE  # a local optimum: ripopt proves no more
    assert r.objective == pytest.approx(600, rel=1e-6) and r.variables["q"] == pytest.approx(200, rel=1e-4)
    assert len(r.warnings) == 1 and "cost divides by a variable" in r.warnings[0] and "ripopt" in r.warnings[0]
    assert "warning: cost divides" in str(r)


@pytest.mark.timeout(120, method="thread")
def test_integer_division_model_stays_with_scip_and_says_so():
    r = solve(eoq(pyo.PositiveIntegers), time_limit=20)
    assert r.solver == "scip" and r.problem_class == "MINLP"
    assert r.ok and r.objective == pytest.approx(600, rel=1e-6) and r.variables["q"] == 200
    assert len(r.warnings) == 1 and "integer variables" in r.warnings[0] and "multiply the division out" in \
        r.warnings[0].lower()


@pytest.mark.timeout(60, method="thread")
def test_scip_asked_for_by_name_keeps_the_division_model_with_a_warning():
    r = solve(eoq(), solver="scip", time_limit=1)
    assert r.solver == "scip" and r.warnings and "runs to its time limit" in r.warnings[0]
    assert r.solve_time_s < 30 and r.ok and r.objective == pytest.approx(600, rel=1e-6)


def test_a_solver_error_falls_back_to_scip_and_is_recorded(monkeypatch):
    from optolab.solvers import highs

    class Broken:
        def solve(self, model, **kwargs):
            print("HiGHS: QP solver model status: Non-convex")
            raise RuntimeError("Cannot solve non-convex QP problems with HiGHS")

    seen = {}

    def make(time_limit, mip_gap, options, problem_class="LP"):
        seen.update(time_limit=time_limit, options=options)
        return Broken(), {}

    monkeypatch.setattr(highs, "make", make)
    m = diet()
    r = solve(m, time_limit=30, options={"presolve": "off"})
    assert seen == {"time_limit": 30, "options": {"presolve": "off"}}  # the first try got the options
    assert r.solver == "scip" and r.termination is Termination.OPTIMAL and r.objective == pytest.approx(20 / 3)
    assert r.variables == {"buy[oats]": pytest.approx(4 / 3), "buy[milk]": pytest.approx(4 / 3)}
    assert len(r.warnings) == 1
    note = r.warnings[0]
    assert note.startswith("highs ended in an error (RuntimeError: Cannot solve non-convex QP")
    assert "solved again with scip" in note and "['presolve']" in note and "not passed on" in note
    assert "--- highs ---" in r.log and "model status: Non-convex" in r.log and "--- scip ---" in r.log
    assert r.duals is None and isinstance(m.dual, pyo.Suffix)  # the suffix HiGHS wanted does not trip SCIP
    assert solve(m, solver="scip").objective == pytest.approx(20 / 3)


def test_no_fallback_when_the_solver_was_named_or_the_model_divides(monkeypatch):
    from optolab.solvers import highs, ripopt

    class Broken:
        def solve(self, model, **kwargs):
            raise RuntimeError("solver library crashed")

    monkeypatch.setattr(highs, "make", lambda *a, **k: (Broken(), {}))
    monkeypatch.setattr(ripopt, "make", lambda *a, **k: (Broken(), {}))
    r = solve(diet(), solver="highs")
    assert r.termination is Termination.ERROR and r.solver == "highs" and r.warnings == []
    # SCIP is not the fallback for a model that divides by a variable: it may spend its whole time limit
    r = solve(eoq())
    assert r.termination is Termination.ERROR and r.solver == "ripopt" and "crashed" in r.message
    assert len(r.warnings) == 1 and "divides by a variable" in r.warnings[0]


@pytest.mark.timeout(120, method="thread")
def test_convex_portfolio_that_highs_fails_is_solved():
    r = solve(portfolio())
    assert r.problem_class == "QP" and r.ok and r.termination is Termination.OPTIMAL
    if r.solver == "scip":  # HiGHS failed on it (1.15.1 does); a fixed HiGHS solves it itself
        assert len(r.warnings) == 1 and r.warnings[0].startswith("highs ended in an error")
        assert "Non-convex" in r.log
    else:
        assert r.solver == "highs" and r.warnings == []
    w = [r.variables[f"w[{i}]"] for i in range(4)]
    assert sum(w) == pytest.approx(1, abs=1e-6)
    assert sum(m * x for m, x in zip(MEAN, w)) >= TARGET - 1e-6
    risk = sum(COV[i][j] * w[i] * w[j] for i in range(4) for j in range(4))
    assert r.objective == pytest.approx(risk, rel=1e-9)
    # SCIP bounds a quadratic objective through a constraint checked to an absolute 1e-6, so on a
    # risk this small its optimum can sit up to 1e-6 above the true one (here about 1.2e-6)
    assert MIN_RISK * (1 - 1e-3) <= r.objective <= MIN_RISK + 1e-6


def closed_can(volume_pi=16.0):
    """The closed can of volume 16 pi with the least surface: radius 2, height 4 exactly."""
    import math

    m = pyo.ConcreteModel()
    m.r = pyo.Var(bounds=(1, 5))
    m.h = pyo.Var(bounds=(1, 4))
    m.area = pyo.Objective(expr=2 * math.pi * m.r ** 2 + 2 * math.pi * m.r * m.h)
    m.volume = pyo.Constraint(expr=math.pi * m.r ** 2 * m.h == volume_pi * math.pi)
    return m


def test_a_flat_continuous_optimum_from_scip_is_polished_to_the_exact_point():
    from optolab.solvers.polish import max_violation

    r = solve(closed_can())
    assert r.termination is Termination.OPTIMAL and r.solver == "scip"
    # SCIP alone stops at r = 2.00014, h = 3.99945 (objective right to nine digits, the point to 1e-4)
    assert r.variables["r"] == pytest.approx(2.0, rel=1e-5) and r.variables["h"] == pytest.approx(4.0, rel=1e-5)
    assert any("polished" in w and "ripopt" in w for w in r.warnings)
    assert r.objective == pytest.approx(24 * 3.141592653589793, rel=1e-8)
    m = closed_can()
    m.r.set_value(2.0), m.h.set_value(4.0)
    assert max_violation(m) < 1e-12
    m.h.set_value(4.5)  # above its bound by 0.5 / 4 and off the volume row by 2 pi / 16 pi
    assert max_violation(m) == pytest.approx(0.125)


def test_no_polish_for_a_named_solver_an_integer_model_or_a_worse_point(monkeypatch):
    r = solve(closed_can(), solver="scip")
    assert not any("polished" in w for w in r.warnings)
    m = closed_can()
    m.n = pyo.Var(domain=pyo.Integers, bounds=(0, 3))
    m.count = pyo.Constraint(expr=m.n >= 1)
    assert not any("polished" in w for w in solve(m).warnings)

    from optolab.solvers import polish as polish_module

    m = closed_can()
    scip_result = solve(m, solver="scip")
    kept = {v.name: v.value for v in m.component_data_objects(pyo.Var)}
    # a polished point is dropped when its objective is worse than SCIP's: the model keeps SCIP's values
    assert polish_module.polish(m, m.area, scip_result.objective - 1.0) is None
    assert {v.name: v.value for v in m.component_data_objects(pyo.Var)} == kept


def test_a_can_scip_could_not_close_to_zero_gap_is_proven_to_its_nlp_gap_and_exact():
    import math

    m = pyo.ConcreteModel()
    m.r = pyo.Var(bounds=(0, 100))
    m.h = pyo.Var(bounds=(0, 100))
    m.cost = pyo.Objective(expr=0.002 * (2 * math.pi * m.r * m.h + 2 * math.pi * m.r ** 2))
    m.litre = pyo.Constraint(expr=math.pi * m.r ** 2 * m.h >= 1000)
    # with a zero gap SCIP ran to a 20 s limit here and stopped at r = 5.4203 (2e-4 off)
    r = solve(m, time_limit=20)
    best = (1000 / (2 * math.pi)) ** (1 / 3)
    assert r.termination is Termination.OPTIMAL
    assert r.variables["r"] == pytest.approx(best, rel=1e-7) and r.variables["h"] == pytest.approx(2 * best, rel=1e-7)
    assert r.objective == pytest.approx(0.002 * 6 * math.pi * best ** 2, rel=1e-7)
