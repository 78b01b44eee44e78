import pyomo.environ as pyo
import pytest
from pydantic import ValidationError

from optolab.agents.codegen import check_formulation, generate_code
from optolab.agents.formulation import Formulation, clean_expression, identifier


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("3x + 2y ≤ 10", "3*x + 2*y <= 10"),
        ("x = 5", "x == 5"),
        ("x =< 2", "x <= 2"),
        ("x^2 + 1.5y => 3", "x**2 + 1.5*y >= 3"),
        ("2 (a+b) >= 1e5", "2*(a+b) >= 1e5"),
        ("(a+b)(c+d) <= 4", "(a+b)*(c+d) <= 4"),
        ("sum(w[i]*x[i] for i in items) <= 50;", "sum(w[i]*x[i] for i in items) <= 50"),
        ("x[1] + 2*x2 != 3", "x[1] + 2*x2 != 3"),
        ("sum(x[i] for i in range(3) if i > 0) >= 1", "sum(x[i] for i in range(3) if i > 0) >= 1"),
    ],
)
def test_clean_expression(raw, clean):
    assert clean_expression(raw) == clean


def test_identifier():
    assert identifier("Number of trucks") == "Number_of_trucks"
    assert identifier("2nd shift") == "v_2nd_shift"
    assert identifier("lambda") == "lambda_" and identifier("sum") == "sum_"


def _production():
    return Formulation.model_validate({
        "sets": {"products": ["chairs", "tables"]},
        "parameters": {"profit": {"chairs": 30, "tables": 50}, "hours": {"chairs": 2, "tables": 5}, "cap": 40},
        "variables": [{"name": "make", "type": "int", "index": "products", "description": "units made"}],
        "objective": {"sense": "Max", "expression": "sum(profit[p]*make[p] for p in products)"},
        "constraints": [
            {"name": "labor", "expression": "sum(hours[p]*make[p] for p in products) ≤ cap"},
            {"name": "min each", "expression": "make[p] >= 2", "for_each": "for p in products"},
            {"expression": "make['chairs'] < 12"},
        ],
    })


def test_lenient_parsing_of_a_small_models_json():
    f = _production()
    assert f.objective.sense == "maximize" and f.variables[0].type == "integer"
    assert f.variables[0].index == ["products"]
    assert [c.name for c in f.constraints] == ["labor", "min_each", "c3"]
    assert f.constraints[1].for_each == "p in products"
    g = Formulation.model_validate({
        "parameters": [{"name": "cost per unit", "value": 3}],
        "variables": [{"name": "x", "type": "Binary", "lower": "none", "upper": "inf"}],
        "objective": {"sense": "minimise", "expression": "cost_per_unit*x"},
    })
    assert g.parameters == {"cost_per_unit": 3} and g.variables[0].type == "binary"
    assert g.variables[0].lower is None and g.variables[0].upper is None


def test_invalid_formulations_are_rejected_with_reasons():
    with pytest.raises(ValidationError, match="sense must be"):
        Formulation.model_validate({"variables": [{"name": "x"}], "objective": {"sense": "best", "expression": "x"}})
    with pytest.raises(ValidationError, match="no decision variables"):
        Formulation.model_validate({"variables": [], "objective": {"sense": "min", "expression": "1"}})
    with pytest.raises(ValidationError, match="used for a parameter and a variable"):
        Formulation.model_validate({"parameters": {"x": 1}, "variables": [{"name": "x"}],
                                    "objective": {"sense": "min", "expression": "x"}})


def test_generated_code_builds_and_solves_with_line_origins():
    f = _production()
    assert check_formulation(f) == []
    gen = generate_code(f)
    ns: dict = {}
    exec(compile(gen.code, "<generated>", "exec"), ns)
    model = ns["model"]
    res = pyo.SolverFactory("appsi_highs").solve(model)
    assert str(res.solver.termination_condition) == "optimal"
    # labor: 2c + 5t <= 40, c, t >= 2, c <= 12 (strict '<' became '<='), integer: best is c=12, t=3 -> 510
    assert pyo.value(model.objective) == pytest.approx(510)
    lines = gen.code.splitlines()
    labor_line = next(i for i, t in enumerate(lines, 1) if t.startswith("model.labor"))
    assert gen.origin(labor_line) == "constraint labor"
    assert "model.c3 = pyo.Constraint(expr=make['chairs'] <= 12)" in gen.code
    assert "maximize sum(profit[p]*make[p] for p in products)" in f.to_math()


def test_static_checks_find_problems_before_running():
    f = Formulation.model_validate({
        "variables": [{"name": "x"}, {"name": "y", "index": ["S"]}],
        "objective": {"sense": "min", "expression": "x + z"},
        "constraints": [
            {"expression": "3 <= 4"},
            {"expression": "x +* 2 <= 3"},
            {"expression": "x[i] <= 1", "for_each": "i in T"},
            {"expression": "x + 1"},
        ],
    })
    issues = [str(i) for i in check_formulation(f)]
    assert any("variable y" in i and "'S'" in i for i in issues)
    assert any(i.startswith("objective") and "['z']" in i for i in issues)
    assert any("c1" in i and "no decision variable" in i for i in issues)
    assert any("c2" in i and "not valid Python" in i for i in issues)
    assert any("c3" in i and "unknown names ['T']" in i for i in issues)
    assert any("c4" in i and "not a comparison" in i for i in issues)


def test_multi_index_loops():
    f = Formulation.model_validate({
        "sets": {"plants": ["a", "b"], "cities": ["x", "y"]},
        "parameters": {"cost": {"a": {"x": 1, "y": 3}, "b": {"x": 2, "y": 1}}, "supply": {"a": 5, "b": 5},
                       "demand": {"x": 4, "y": 4}},
        "variables": [{"name": "ship", "index": ["plants", "cities"]}],
        "objective": {"sense": "min", "expression": "sum(cost[p][c]*ship[p, c] for p in plants for c in cities)"},
        "constraints": [
            {"name": "supply", "expression": "sum(ship[p, c] for c in cities) <= supply[p]", "for_each": "p in plants"},
            {"name": "demand", "expression": "sum(ship[p, c] for p in plants) >= demand[c]", "for_each": "c in cities"},
        ],
    })
    assert check_formulation(f) == []
    ns: dict = {}
    exec(generate_code(f).code, ns)
    pyo.SolverFactory("appsi_highs").solve(ns["model"])
    assert pyo.value(ns["model"].objective) == pytest.approx(8)  # a->x 4, b->y 4
