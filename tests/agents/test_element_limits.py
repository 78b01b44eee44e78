"""One item's limit written on the sum over all items (optolab.agents.element_limits)."""

from __future__ import annotations

import math

import pyomo.environ as pyo

from optolab.agents.element_limits import limit_named_element

BREAKFAST = ("A student wants the cheapest breakfast from oats, milk and eggs. The breakfast must provide at least "
             "600 kcal and contain at most 3 servings of milk. What is the minimum cost?")

CODE = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
foods = ['oats', 'milk', 'eggs']
cost = {'oats': 0.3, 'milk': 0.25, 'eggs': 0.4}
kcal = {'oats': 150, 'milk': 120, 'eggs': 75}
model.eat = pyo.Var(foods, domain=pyo.NonNegativeReals)
model.objective = pyo.Objective(expr=sum(cost[f] * model.eat[f] for f in foods), sense=pyo.minimize)
model.energy = pyo.Constraint(expr=sum(kcal[f] * model.eat[f] for f in foods) >= 600)
model.servings = pyo.Constraint(expr=sum(model.eat[f] for f in foods) <= 3)
"""


def _solve(code: str) -> float:
    scope: dict = {}
    exec(code, scope)
    model = scope["model"]
    result = pyo.SolverFactory("appsi_highs").solve(model, load_solutions=False)
    if str(result.solver.termination_condition) != "optimal":
        return float("nan")
    model.solutions.load_from(result)
    return round(pyo.value(model.objective), 6)


def test_the_sum_becomes_the_named_item():
    assert math.isnan(_solve(CODE))  # three servings of anything give at most 450 kcal: infeasible
    fixed = limit_named_element(CODE, BREAKFAST)
    assert fixed is not None
    assert "model.eat['milk'] <= 3" in fixed.code
    assert "3 servings of milk" in fixed.changes[0]
    assert _solve(fixed.code) == 1.2  # four servings of oats, the cheapest kcal


def test_a_total_or_an_unnamed_item_is_left_alone():
    assert limit_named_element(CODE, BREAKFAST.replace("3 servings of milk", "3 servings in total")) is None
    assert limit_named_element(CODE, BREAKFAST.replace("3 servings of milk", "3 servings")) is None
    assert limit_named_element(CODE, BREAKFAST.replace("3 servings of milk", "3 servings of milk or eggs")) is None


def test_a_row_on_the_item_already_there_is_kept():
    code = CODE + "model.milk_cap = pyo.Constraint(expr=model.eat['milk'] <= 3)\n"
    assert limit_named_element(code, BREAKFAST) is None


def test_short_labels_need_their_own_spelling():
    text = "Make products A, B and C. At most 40 units of a kind may be stored."
    code = CODE.replace("['oats', 'milk', 'eggs']", "['A', 'B', 'C']").replace("<= 3", "<= 40")
    assert limit_named_element(code, text) is None  # "a kind" is not product A
    fixed = limit_named_element(code, "Make products A, B and C. At most 40 units of B may be stored.")
    assert fixed is not None and "model.eat['B'] <= 40" in fixed.code


def test_an_item_named_right_before_the_number_is_the_one_limited():
    code = CODE.replace("['oats', 'milk', 'eggs']", "['A', 'B', 'C']").replace("<= 3", "<= 150")
    fixed = limit_named_element(code, "Make products A, B and C. Market research limits sales of C to 150 units a week.")
    assert fixed is not None and "model.eat['C'] <= 150" in fixed.code
    assert "limits sales of C to 150" in fixed.changes[0]
    # a total before the number, or no item there, leaves the sum
    assert limit_named_element(code, "Make products A, B and C. Total sales of all products are limited to 150.") \
        is None
    assert limit_named_element(code, "Make products A, B and C. Sales are limited to 150 units a week.") is None
