"""Solver layer: a small catalogue of problems with optima worked out by hand."""

import pyomo.environ as pyo
import pytest

from optolab.errors import SolverError
from optolab.solvers import Termination, available_solvers, choose_solver, classify, solve
from optolab.solvers.classify import convex_quadratic_objective


def lp():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, None))
    m.y = pyo.Var(bounds=(0, None))
    m.profit = pyo.Objective(expr=3 * m.x + 2 * m.y, sense=pyo.maximize)
    m.c1 = pyo.Constraint(expr=m.x + m.y <= 4)
    m.c2 = pyo.Constraint(expr=m.x + 3 * m.y <= 6)
    return m  # optimum x=4, y=0 -> 12; dual of c1 is 3


def milp():
    m = pyo.ConcreteModel()
    m.I = pyo.Set(initialize=["a", "b", "c"])
    w = {"a": 5, "b": 4, "c": 3}
    v = {"a": 10, "b": 40, "c": 30}
    m.take = pyo.Var(m.I, domain=pyo.Binary)
    m.value = pyo.Objective(expr=sum(v[i] * m.take[i] for i in m.I), sense=pyo.maximize)
    m.cap = pyo.Constraint(expr=sum(w[i] * m.take[i] for i in m.I) <= 8)
    return m  # b + c -> 70


def qp():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 1))
    m.y = pyo.Var(bounds=(0, 1))
    m.var = pyo.Objective(expr=0.04 * m.x ** 2 + 0.09 * m.y ** 2 + 0.02 * m.x * m.y)
    m.full = pyo.Constraint(expr=m.x + m.y == 1)
    return m  # stationarity with x + y = 1: 0.22 x = 0.16 -> x = 8/11, objective 0.35/11


def nlp():
    m = pyo.ConcreteModel()
    m.r = pyo.Var(bounds=(0.1, 10), initialize=1)
    m.h = pyo.Var(bounds=(0.1, 50), initialize=1)
    m.cost = pyo.Objective(expr=2 * 3.141592653589793 * m.r * m.h + 2 * 3.141592653589793 * m.r ** 2)
    m.vol = pyo.Constraint(expr=3.141592653589793 * m.r ** 2 * m.h == 8)
    return m  # optimum h = 2r, r = (8 / (2 pi))^(1/3)


def test_lp_optimum_values_and_duals():
    r = solve(lp())
    assert r.termination is Termination.OPTIMAL and r.ok and r.solver == "highs" and r.problem_class == "LP"
    assert r.objective == pytest.approx(12) and r.variables == {"x": pytest.approx(4), "y": pytest.approx(0)}
    assert r.duals["c1"] == pytest.approx(3) and r.sense == "max"
    assert "optimal, objective 12" in str(r)
    assert type(r).from_dict(r.to_dict()) == r


def test_milp_with_indexed_names():
    r = solve(milp())
    assert r.objective == pytest.approx(70) and r.problem_class == "MILP"
    assert r.variables["take[b]"] == 1.0 and r.variables["take[a]"] == 0.0 and r.duals is None


def test_convex_qp_goes_to_highs_and_nonconvex_to_scip():
    m = qp()
    assert classify(m) == "QP" and convex_quadratic_objective(m)
    r = solve(m)
    assert r.solver == "highs" and r.objective == pytest.approx(0.35 / 11, rel=1e-5)
    assert r.variables["x"] == pytest.approx(8 / 11, abs=1e-4)
    m2 = qp()
    m2.var.sense = pyo.maximize  # maximizing a convex quadratic is nonconvex
    assert not convex_quadratic_objective(m2)
    r2 = solve(m2)
    assert r2.solver == "scip" and r2.objective == pytest.approx(0.09, rel=1e-6)


@pytest.mark.parametrize("solver, termination", [("auto", Termination.OPTIMAL), ("ripopt", Termination.FEASIBLE)])
def test_nlp_global_and_local(solver, termination):
    if solver == "ripopt" and "ripopt" not in available_solvers():
        pytest.skip("pyomo-ripopt not installed")
    r = solve(nlp(), solver=solver)
    r_opt = (8 / (2 * 3.141592653589793)) ** (1 / 3)
    assert r.termination is termination and r.problem_class == "NLP"
    assert r.variables["r"] == pytest.approx(r_opt, rel=1e-4) and r.variables["h"] == pytest.approx(2 * r_opt, rel=1e-4)


def test_infeasible_with_diagnosis_naming_the_conflict():
    m = lp()
    m.c3 = pyo.Constraint(expr=m.x >= 10)
    r = solve(m)
    assert r.termination is Termination.INFEASIBLE and r.objective is None and r.variables == {}
    assert "c3" in r.diagnosis and "cannot all hold" in r.diagnosis and "c2" in r.diagnosis


def test_unbounded_names_the_direction():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, None))
    m.y = pyo.Var(bounds=(0, 5))
    m.c = pyo.Constraint(expr=m.x - m.y >= 1)
    m.o = pyo.Objective(expr=m.x + m.y, sense=pyo.maximize)
    r = solve(m)
    assert r.termination is Termination.UNBOUNDED and not r.ok and r.objective is None
    assert "x -> +inf" in r.diagnosis and "y ->" not in r.diagnosis


def test_a_solver_crash_is_an_error_result(monkeypatch):
    from optolab.solvers import highs

    class Broken:
        def solve(self, *args, **kwargs):
            raise RuntimeError("solver library crashed")

    monkeypatch.setattr(highs, "make", lambda *a, **k: (Broken(), {}))
    r = solve(lp(), solver="highs")
    assert r.termination is Termination.ERROR and "crashed" in r.message and r.variables == {}


def test_result_round_trips_through_json_and_renders():
    import io
    import json

    from rich.console import Console

    from optolab.solvers import SolveResult

    r = solve(milp())
    back = SolveResult.from_dict(json.loads(json.dumps(r.to_dict())))
    assert back == r and back.termination is Termination.OPTIMAL
    out = io.StringIO()
    Console(file=out, width=100).print(r.to_table())
    name = next(iter(r.variables))
    assert name in out.getvalue() and "optimal" in out.getvalue() and name in str(r)


def test_time_limit_on_a_hard_milp():
    import random

    rng = random.Random(7)
    n, rows = 50, 5  # a market-split instance: equality knapsacks that branch and bound cannot close quickly
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(n), domain=pyo.Binary)
    m.dev = pyo.Var(range(rows), bounds=(-1e6, 1e6))
    m.absdev = pyo.Var(range(rows), bounds=(0, None))
    m.o = pyo.Objective(expr=sum(m.absdev[k] for k in range(rows)))
    for k in range(rows):
        a = [rng.randint(0, 99) for _ in range(n)]
        m.add_component(f"split{k}", pyo.Constraint(expr=sum(a[i] * m.x[i] for i in range(n)) + m.dev[k] == sum(a) // 2))
        m.add_component(f"pos{k}", pyo.Constraint(expr=m.absdev[k] >= m.dev[k]))
        m.add_component(f"neg{k}", pyo.Constraint(expr=m.absdev[k] >= -m.dev[k]))
    r = solve(m, time_limit=0.5)
    assert r.termination in (Termination.FEASIBLE, Termination.TIME_LIMIT)
    assert r.solve_time_s < 10


def test_errors_for_wrong_use():
    m = pyo.ConcreteModel()
    m.x = pyo.Var()
    with pytest.raises(SolverError, match="0 active objectives"):
        solve(m)
    with pytest.raises(SolverError, match="unknown solver 'gurobi'"):
        solve(lp(), solver="gurobi")
    bad = lp()
    bad.slack = pyo.Var()
    with pytest.raises(SolverError, match="reserves for solver results"):
        solve(bad)
    with pytest.raises(SolverError, match="does not handle"):
        solve(nlp(), solver="highs")
    assert choose_solver("LP") == "highs" and choose_solver("MINLP") == "scip"
    assert choose_solver("QP", convex_qp=False) == "scip"


def test_classification():
    assert classify(lp()) == "LP" and classify(milp()) == "MILP" and classify(nlp()) == "NLP"
    m = nlp()
    m.z = pyo.Var(domain=pyo.Integers, bounds=(0, 3))
    m.e = pyo.Constraint(expr=pyo.exp(m.r) + m.z >= 1)
    assert classify(m) == "MINLP"


def test_a_long_scip_search_keeps_its_time_limit():
    # a metal jar of at least 1000 cm3 at $10 per cm2: SCIP needs tens of thousands of nodes to close the gap.
    # Its node lines once filled the pipe that captures the log and the solve hung past any limit.
    import math
    import time

    m = pyo.ConcreteModel()
    m.r = pyo.Var(bounds=(0.1, 10))
    m.h = pyo.Var(bounds=(0.1, 50))
    m.cost = pyo.Objective(expr=2 * math.pi * m.r * (m.r + m.h) * 10)
    m.volume = pyo.Constraint(expr=math.pi * m.r ** 2 * m.h >= 1000)
    t0 = time.perf_counter()
    r = solve(m, solver="scip", time_limit=2)
    assert time.perf_counter() - t0 < 30
    assert r.termination in (Termination.OPTIMAL, Termination.FEASIBLE)
    assert r.objective == pytest.approx(5535.81, rel=1e-3)  # r = (500 / pi) ** (1/3), h = 2 r


def test_solver_output_is_captured_from_file_descriptors_and_python_streams():
    import os
    import sys

    from optolab.solvers.capture import Captured, capture_output

    out, err = sys.stdout, sys.stderr
    with capture_output() as captured:
        print("from python")
        os.write(1, b"from C stdout\n")
        os.write(2, b"x" * 200_000 + b"\n")  # more than a pipe holds: a file never blocks the writer
        print("after", file=sys.stderr)
    assert sys.stdout is out and sys.stderr is err
    lines = captured.text.splitlines()
    assert lines[:2] == ["from python", "from C stdout"] and len(lines[2]) == 200_000 and lines[3] == "after"
    # the text is there when the block raises, through the object passed in
    box = Captured()
    with pytest.raises(RuntimeError), capture_output(box):
        os.write(1, b"before the error\n")
        raise RuntimeError("boom")
    assert box.text == "before the error\n" and sys.stdout is out
