"""A per-period limit the code leaves out (optolab.agents.period_limits)."""

from __future__ import annotations

from optolab.agents.period_limits import add_period_limits

QUESTION = ("A mill must meet demand over three months. It can produce up to 100 units a month; keeping a unit in "
            "stock from one month to the next costs $3. Demands and costs:\n\n| month | demand (units) | cost ($/unit) "
            "|\n|---|---|---|\n| 1 | 60 | 10 |\n| 2 | 90 | 14 |\n| 3 | 120 | 12 |\n\nStock is 0 at the start. What is "
            "the minimum total cost?")

CODE = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
months = [1, 2, 3]
demand = {1: 60, 2: 90, 3: 120}
cost = {1: 10, 2: 14, 3: 12}
model.make = pyo.Var(months, domain=pyo.NonNegativeReals)
model.stock = pyo.Var(months, domain=pyo.NonNegativeReals)
model.objective = pyo.Objective(expr=sum(cost[m] * model.make[m] + 3 * model.stock[m] for m in months))
model.balance = pyo.ConstraintList()
for m in months:
    model.balance.add(model.stock[m] == (0 if m == 1 else model.stock[m - 1]) + model.make[m] - demand[m])
"""


def test_a_monthly_limit_the_code_leaves_out_is_added_to_the_production_variable(solve_objective):
    # unlimited, month 1 makes month 2's demand too ($10 + $3 beats $14)
    assert solve_objective(CODE) == 150 * 10 + 90 * 3 + 120 * 12
    fixed = add_period_limits(CODE, QUESTION)
    assert fixed is not None and "model.month_limit.add(model.make[_t] <= 100)" in fixed.code
    assert "model.stock[_t] <=" not in fixed.code
    assert "up to 100 units a month" in fixed.changes[0]
    # at most 100 a month: month 1 makes 100 (40 kept for later), month 2 makes 70, month 3 makes 100
    assert solve_objective(fixed.code) == 100 * 10 + 40 * 3 + 70 * 14 + 20 * 3 + 100 * 12


def test_a_storage_limit_goes_on_the_stock_and_a_limit_already_written_is_left_alone():
    stored = QUESTION.replace("It can produce up to 100 units a month", "At most 40 units can be stored each month")
    fixed = add_period_limits(CODE, stored)
    assert fixed is not None and "model.stock[_t] <= 40" in fixed.code
    written = CODE.replace("model.make = pyo.Var(months, domain=pyo.NonNegativeReals)",
                           "model.make = pyo.Var(months, domain=pyo.NonNegativeReals, bounds=(0, 100))")
    assert add_period_limits(written, QUESTION) is None
    # no list named after the period, or a limit per unit of something else: nothing to add
    assert add_period_limits(CODE.replace("months", "ts"), QUESTION) is None
    assert add_period_limits(CODE, QUESTION.replace("100 units a month", "100 units of each item")) is None
