"""A cost added to a maximized profit (optolab.agents.cost_sign)."""

from __future__ import annotations

from optolab.agents.cost_sign import subtract_costs
from optolab.agents.modeler import tidy_program

QUESTION = ("A plant can run two processes this month. A process that is used at all has a setup cost; each tonne "
            "it makes earns a profit and uses steam:\n\n| process | profit ($/t) | steam (t per t) | setup cost ($) "
            "| max output (t) |\n|---|---|---|---|---|\n| P1 | 40 | 2 | 1500 | 300 |\n| P2 | 55 | 3 | 2500 | 250 |\n\n"
            "The plant has 600 t of steam. What is the maximum monthly profit (profit per tonne times output, minus "
            "setup costs) in dollars?")

CODE = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
processes = ['P1', 'P2']
profit = {'P1': 40, 'P2': 55}
steam = {'P1': 2, 'P2': 3}
setup_cost = {'P1': 1500, 'P2': 2500}
max_output = {'P1': 300, 'P2': 250}
model.used = pyo.Var(processes, domain=pyo.Binary)
model.make = pyo.Var(processes, domain=pyo.NonNegativeReals)
model.objective = pyo.Objective(expr=sum(profit[p] * model.make[p] + setup_cost[p] * model.used[p] for p in processes),
                                sense=pyo.maximize)
model.steam = pyo.Constraint(expr=sum(steam[p] * model.make[p] for p in processes) <= 600)
model.cap = pyo.Constraint(processes, rule=lambda m, p: m.make[p] <= max_output[p] * m.used[p])
best = model.objective.value
"""


def test_a_setup_cost_added_to_a_maximized_profit_is_subtracted(solve_objective):
    assert solve_objective(CODE.replace("best = model.objective.value\n", "")) == 12000 + 4000  # both set up
    tidied = tidy_program(CODE, QUESTION)
    assert "profit[p] * model.make[p] - setup_cost[p] * model.used[p]" in tidied["code"]
    assert any("setup_cost is paid, not earned" in c for c in tidied["changes"])
    # the line that read the solved objective while the model was built is gone
    assert "best" not in tidied["code"] and any("read a solved value" in c for c in tidied["changes"])
    assert solve_objective(tidied["code"]) == 12000 - 1500  # P1 alone: 300 t at $40


def test_costs_are_left_alone_where_the_goal_is_no_profit_or_the_term_is_already_subtracted():
    assert subtract_costs(CODE.replace("+ setup_cost", "- setup_cost"), QUESTION) is None
    assert subtract_costs(CODE, QUESTION.replace("maximum monthly profit", "maximum monthly output")) is None
    assert subtract_costs(CODE, QUESTION + " Setup costs count as cost savings for tax.") is None
    assert subtract_costs(CODE.replace("sense=pyo.maximize", "sense=pyo.minimize"), QUESTION) is None
    # a cost the text never names is not touched
    assert subtract_costs(CODE.replace("setup_cost", "launch_cost"), QUESTION) is None
    # "the profit efficiency (profit per gallon)" is a ratio, not a profit
    assert subtract_costs(CODE, QUESTION.replace("maximum monthly profit", "maximum profit efficiency")) is None


def test_a_capacity_priced_as_dollars_leaves_the_objective(solve_objective):
    from optolab.agents.cost_sign import drop_amount_costs

    question = ("Two plants ship to two depots. Capacities are P1: 300, P2: 250 pallets; depot demands are D1: 150, "
                "D2: 200 pallets. Cost per pallet: P1-D1 $8, P1-D2 $6, P2-D1 $9, P2-D2 $12. What is the minimum total "
                "shipping cost?")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
plants = ['P1', 'P2']
depots = ['D1', 'D2']
capacities = {'P1': 300, 'P2': 250}
demand = {'D1': 150, 'D2': 200}
cost = {('P1', 'D1'): 8, ('P1', 'D2'): 6, ('P2', 'D1'): 9, ('P2', 'D2'): 12}
model.open_plant = pyo.Var(plants, domain=pyo.Binary)
model.flow = pyo.Var(plants, depots, domain=pyo.NonNegativeReals)
model.objective = pyo.Objective(expr=sum(capacities[p] * model.open_plant[p] for p in plants)
                                + sum(cost[p, d] * model.flow[p, d] for p in plants for d in depots), sense=pyo.minimize)
model.supply = pyo.Constraint(plants, rule=lambda m, p: sum(m.flow[p, d] for d in depots) <= capacities[p] * m.open_plant[p])
model.meet = pyo.Constraint(depots, rule=lambda m, d: sum(m.flow[p, d] for p in plants) == demand[d])
"""
    # P1 (300 pallets) ships 200 to D2 at $6 and 100 to D1 at $8, P2 the other 50 to D1 at $9: $2,450; both
    # plants must open, and their capacities are added as if they were dollars
    assert solve_objective(code) == 550 + 2450
    fixed = drop_amount_costs(code, question)
    assert fixed is not None and "capacities[p] * model.open_plant[p]" not in fixed.code.split("Objective")[1].split("\\n")[0]
    assert "capacities is an amount" in fixed.changes[0]
    assert solve_objective(fixed.code) == 2450  # the shipping cost alone
    # a text that prices capacity, or a goal that is no money, keeps the term
    assert drop_amount_costs(code, question + " Capacity costs $1 per pallet.") is None
    assert drop_amount_costs(code, question.replace("minimum total shipping cost", "fewest plants")) is None


PRICE_QUESTION = ("A farm grows three crops. Each ton of A sells for $20 and its seeds cost $5; B sells for $25 with "
                  "seeds at $7; C sells for $30 with seeds at $9. A ton of A, B and C takes 3, 4 and 5 hours of labour. "
                  "At least 20 tons of each crop are planted and at most 900 hours of labour are used. The farm "
                  "maximizes its profit per hour of labour.")
PRICE_CODE = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
crops = ['A', 'B', 'C']
selling_price = {'A': 20, 'B': 25, 'C': 30}
seed_cost = {'A': 5, 'B': 7, 'C': 9}
hours = {'A': 3, 'B': 4, 'C': 5}
model.tons = pyo.Var(crops, domain=pyo.NonNegativeReals, bounds=(20, None))
model.objective = pyo.Objective(expr=sum(selling_price[c] * model.tons[c] for c in crops)
                                / sum(hours[c] * model.tons[c] for c in crops), sense=pyo.maximize)
model.labour = pyo.Constraint(expr=sum(hours[c] * model.tons[c] for c in crops) <= 900)
"""


def test_a_profit_taken_as_the_revenue_gets_the_unit_costs_subtracted():
    from optolab.agents.cost_sign import subtract_unit_costs

    fixed = subtract_unit_costs(PRICE_CODE, PRICE_QUESTION)
    assert fixed is not None
    assert "(selling_price[c] - seed_cost[c]) * model.tons[c]" in fixed.code
    assert "sum((hours[c] * model.tons[c] for c in crops))" in fixed.code  # the hours stay as they were
    assert "seed cost but never took it from the price" in fixed.changes[0]
    assert any("never took it" in c for c in tidy_program(PRICE_CODE, PRICE_QUESTION)["changes"])


def test_revenue_goals_and_objectives_that_already_pay_the_costs_are_left_alone():
    from optolab.agents.cost_sign import subtract_unit_costs

    assert subtract_unit_costs(PRICE_CODE, PRICE_QUESTION.replace("profit", "revenue")) is None
    paid = PRICE_CODE.replace("sum(selling_price[c] * model.tons[c] for c in crops)",
                              "sum((selling_price[c] - seed_cost[c]) * model.tons[c] for c in crops)")
    assert subtract_unit_costs(paid, PRICE_QUESTION) is None
    other_keys = PRICE_CODE.replace("seed_cost = {'A': 5, 'B': 7, 'C': 9}", "seed_cost = {'A': 5, 'B': 7}")
    assert subtract_unit_costs(other_keys, PRICE_QUESTION) is None
    dearer = PRICE_CODE.replace("seed_cost = {'A': 5, 'B': 7, 'C': 9}", "seed_cost = {'A': 50, 'B': 7, 'C': 9}")
    assert subtract_unit_costs(dearer, PRICE_QUESTION) is None  # a cost above the price: not per ton sold
    minimized = PRICE_CODE.replace("sense=pyo.maximize", "sense=pyo.minimize")
    assert subtract_unit_costs(minimized, PRICE_QUESTION) is None


def test_a_cost_the_objective_reads_through_a_helper_is_not_taken_twice():
    from optolab.agents.cost_sign import subtract_unit_costs

    helper = PRICE_CODE.replace(
        "model.objective = pyo.Objective(expr=sum(selling_price[c] * model.tons[c] for c in crops)",
        "seeds = sum(seed_cost[c] * model.tons[c] for c in crops)\n"
        "model.objective = pyo.Objective(expr=(sum(selling_price[c] * model.tons[c] for c in crops) - seeds)")
    assert "- seeds)" in helper
    assert subtract_unit_costs(helper, PRICE_QUESTION) is None
