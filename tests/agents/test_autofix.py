import pyomo.environ as pyo
import pytest

from optolab.agents.autofix import autofix
from optolab.agents.codegen import check_formulation, generate_code
from optolab.agents.formulation import Formulation


def _solve(f):
    ns: dict = {}
    exec(generate_code(f).code, ns)
    pyo.SolverFactory("appsi_highs").solve(ns["model"])
    return pyo.value(ns["model"].objective)


def test_scalar_variable_used_with_subscripts_gets_the_matching_set():
    f = Formulation.model_validate({
        "sets": {"districts": [1, 2, 3]},
        "variables": [{"name": "station", "type": "binary"}],
        "objective": {"sense": "min", "expression": "sum(station)"},
        "constraints": [{"expression": "station[1] + station[2] >= 1"}, {"expression": "station[2] + station[3] >= 1"},
                        {"expression": "station[3] >= 0"}],
    })
    fixed, notes = autofix(f)
    assert fixed.variables[0].index == ["districts"] and f.variables[0].index == []  # the input is not changed
    assert fixed.objective.expression == "sum(station.values())"
    assert len(notes) == 2 and check_formulation(fixed) == []
    assert _solve(fixed) == pytest.approx(1)  # station 2 covers both


def test_subscripts_without_any_set_create_one():
    f = Formulation.model_validate({
        "variables": [{"name": "x"}],
        "objective": {"sense": "max", "expression": "x[1] + 2*x[2]"},
        "constraints": [{"expression": "x[1] + x[2] <= 4"}],
    })
    fixed, notes = autofix(f)
    assert fixed.sets == {"x_index": [1, 2]} and fixed.variables[0].index == ["x_index"]
    assert _solve(fixed) == pytest.approx(8)


def test_correct_formulations_are_left_alone():
    f = Formulation.model_validate({
        "sets": {"S": ["a", "b"]},
        "variables": [{"name": "y", "index": ["S"]}, {"name": "z"}],
        "objective": {"sense": "min", "expression": "sum(y[s] for s in S) + z"},
    })
    fixed, notes = autofix(f)
    assert notes == [] and fixed == f
