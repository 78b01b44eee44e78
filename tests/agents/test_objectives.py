from optolab.agents.modeler import tidy_program
from optolab.agents.objectives import merge_objectives

TEXT = ("A company makes products A, B and C. A unit of A, B and C earns $50, $70 and $90 profit and has an "
        "environmental impact of 10, 15 and 18 units. It makes at most 1500 units, at least 200 of A and 300 of B, "
        "and the total impact may not exceed 20,000 units. The company wants to maximize the Profit-Impact ratio, "
        "the total profit divided by the total environmental impact.")
HEAD = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
products = ['A', 'B', 'C']
profit = {'A': 50, 'B': 70, 'C': 90}
impact = {'A': 10, 'B': 15, 'C': 18}
model.make = pyo.Var(products, domain=pyo.NonNegativeIntegers)
model.cap = pyo.Constraint(expr=sum(model.make[p] for p in products) <= 1500)
model.min_a = pyo.Constraint(expr=model.make['A'] >= 200)
model.min_b = pyo.Constraint(expr=model.make['B'] >= 300)
model.env = pyo.Constraint(expr=sum(impact[p] * model.make[p] for p in products) <= 20000)
"""
READS = HEAD + """model.objective = pyo.Objective(expr=sum(profit[p] * model.make[p] for p in products), sense=pyo.maximize)
model.ratio = pyo.Objective(expr=model.objective / sum(impact[p] * model.make[p] for p in products),
                            sense=pyo.maximize)
"""
PAIR = HEAD + """model.total_profit = pyo.Objective(expr=sum(profit[p] * model.make[p] for p in products), sense=pyo.maximize)
model.total_impact = pyo.Objective(expr=sum(impact[p] * model.make[p] for p in products), sense=pyo.minimize)
total_impact = model.total_impact
model.floor = pyo.Constraint(expr=model.total_profit >= 2 * total_impact)
"""
BEST = (200 * 50 + 300 * 70 + 750 * 90) / (200 * 10 + 300 * 15 + 750 * 18)


def _objective(code: str) -> float:
    from optolab.solvers import solve

    scope: dict = {}
    exec(code, scope)
    result = solve(scope["model"], time_limit=20)
    assert result.ok, result
    return result.objective


def test_an_objective_that_reads_the_other_takes_its_expression():
    fixed = merge_objectives(READS, TEXT)
    assert fixed is not None
    assert "model.objective" not in fixed.code.replace("model.objective =", "")
    assert "model.ratio = pyo.Objective(expr=sum((profit[p] * model.make[p] for p in products)) / sum(" in fixed.code
    assert "reads the objective objective" in fixed.changes[0]
    assert abs(_objective(fixed.code) - BEST) < 1e-9


def test_a_ratio_goal_written_as_two_totals_becomes_one_ratio():
    fixed = merge_objectives(PAIR, TEXT)
    assert fixed is not None
    assert "model.total_impact" not in fixed.code and "total_impact =" not in fixed.code
    assert ("model.total_profit = pyo.Objective(expr=sum((profit[p] * model.make[p] for p in products)) / "
            "sum((impact[p] * model.make[p] for p in products)), sense=pyo.maximize)") in fixed.code
    # the row that read both objectives reads their expressions
    assert ("model.floor = pyo.Constraint(expr=sum((profit[p] * model.make[p] for p in products)) >= 2 * "
            "sum((impact[p] * model.make[p] for p in products)))") in fixed.code
    assert abs(_objective(fixed.code) - BEST) < 1e-9
    assert any("one total over another" in c for c in tidy_program(PAIR, TEXT)["changes"])


def test_two_objectives_without_a_ratio_goal_are_left_to_the_model():
    plain = TEXT.replace("maximize the Profit-Impact ratio, the total profit divided by the total environmental "
                         "impact", "maximize profit and minimize the impact")
    assert merge_objectives(PAIR, plain) is None
    both_max = PAIR.replace("sense=pyo.minimize", "sense=pyo.maximize")
    assert merge_objectives(both_max, TEXT) is None
    assert merge_objectives(HEAD + "model.objective = pyo.Objective(expr=model.make['A'])\n", TEXT) is None
