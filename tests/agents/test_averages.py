from optolab.agents.averages import fix_weighted_averages
from optolab.agents.modeler import tidy_program

TEXT = ("A mill mixes three grades of pulp into 200 tons of board. The hardness of the board is the weighted "
        "average of the hardness of the grades used: grade A has hardness 9, grade B 6 and grade C 3, and they "
        "cost $120, $80 and $50 per ton. The board needs a hardness of at least 7. Minimize the cost.")
INDEXED = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
grades = ['A', 'B', 'C']
hardness = {'A': 9, 'B': 6, 'C': 3}
cost = {'A': 120, 'B': 80, 'C': 50}
need = 7
model.x = pyo.Var(grades, domain=pyo.NonNegativeReals)
model.objective = pyo.Objective(expr=sum(cost[g] * model.x[g] for g in grades), sense=pyo.minimize)
model.hard = pyo.Constraint(expr=sum(hardness[g] * model.x[g] for g in grades) >= need)
model.total = pyo.Constraint(expr=sum(model.x[g] for g in grades) == 200)
"""
SCALAR = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.a = pyo.Var(domain=pyo.NonNegativeReals)
model.b = pyo.Var(domain=pyo.NonNegativeReals)
model.c = pyo.Var(domain=pyo.NonNegativeReals)
model.objective = pyo.Objective(expr=120 * model.a + 80 * model.b + 50 * model.c, sense=pyo.minimize)
model.hard = pyo.Constraint(expr=7 <= 9 * model.a + 6 * model.b + 3 * model.c)
model.total = pyo.Constraint(expr=model.a + model.b + model.c == 200)
"""


def test_an_average_limit_on_a_weighted_sum_is_scaled_by_the_amounts(solve_objective):
    fixed = fix_weighted_averages(INDEXED, TEXT)
    assert fixed is not None
    assert ">= need * sum((model.x[g] for g in grades))" in fixed.code
    assert "between the weights 3 and 9" in fixed.changes[0]
    # the cheapest mix of hardness 7 is A and B at 1:2 (A and C at 2:1 costs more)
    assert abs(solve_objective(INDEXED) - 50 * 200) < 1e-6  # the row binds nothing: all grade C
    assert abs(solve_objective(fixed.code) - 200 * (1 / 3 * 120 + 2 / 3 * 80)) < 1e-4


def test_scalar_decisions_and_a_limit_on_the_left(solve_objective):
    fixed = fix_weighted_averages(SCALAR, TEXT)
    assert fixed is not None
    assert "7 * (model.a + model.b + model.c) <= 9 * model.a" in fixed.code
    assert abs(solve_objective(fixed.code) - 200 * (1 / 3 * 120 + 2 / 3 * 80)) < 1e-4


def test_totals_and_rows_already_right_are_left_alone():
    assert fix_weighted_averages(INDEXED, TEXT.replace("weighted average", "sum")) is None  # no average in the text
    total = INDEXED.replace("need = 7", "need = 1400")  # a total: far outside the weights
    assert fix_weighted_averages(total, TEXT) is None
    right = INDEXED.replace(">= need)", ">= need * sum(model.x[g] for g in grades))")
    assert fix_weighted_averages(right, TEXT) is None
    ratio = INDEXED.replace(">= need)", "/ 200 >= need)")
    assert fix_weighted_averages(ratio, TEXT) is None


def test_the_fix_runs_in_the_program_tidy_step():
    out = tidy_program(INDEXED, TEXT)
    assert any("an average over the amounts" in c for c in out["changes"])


def test_an_average_the_text_ties_to_another_quality_is_left_alone():
    # "on average" speaks of the workers, not of the hardness the row limits
    other = TEXT.replace("The hardness of the board is the weighted average of the hardness of the grades used: ",
                         "On average a worker handles 9 tons a day. ")
    assert fix_weighted_averages(INDEXED, other) is None
    assert fix_weighted_averages(SCALAR, other.replace("The board needs a hardness", "The mill needs a grade")) is None
