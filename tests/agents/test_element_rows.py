"""Limits stated item by item that the code leaves out (optolab.agents.element_rows)."""

from __future__ import annotations

import pyomo.environ as pyo

from optolab.agents.element_rows import add_element_rows

TEXT = ("Two warehouses supply three stores. Warehouse W1 holds 70 units and W2 holds 50 units. Store demands are "
        "S1: 40, S2: 45 and S3: 30 units. Shipping costs in dollars per unit are:\n\n| from / to | S1 | S2 | S3 |\n"
        "|---|---|---|---|\n| W1 | 4 | 6 | 9 |\n| W2 | 5 | 3 | 7 |\n\nWhat is the lowest total shipping cost?")

CODE = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
sources = ['W1', 'W2']
stores = ['S1', 'S2', 'S3']
cost = {('W1', 'S1'): 4, ('W1', 'S2'): 6, ('W1', 'S3'): 9, ('W2', 'S1'): 5, ('W2', 'S2'): 3, ('W2', 'S3'): 7}
demand = {'S1': 40, 'S2': 45, 'S3': 30}
model.ship = pyo.Var(sources, stores, domain=pyo.NonNegativeReals)
model.objective = pyo.Objective(expr=sum(cost[s, d] * model.ship[s, d] for s in sources for d in stores),
                                sense=pyo.minimize)
model.demand = pyo.ConstraintList()
for d in stores:
    model.demand.add(sum(model.ship[s, d] for s in sources) == demand[d])
"""


def _solve(code: str) -> float:
    scope: dict = {}
    exec(code, scope)
    model = scope["model"]
    pyo.SolverFactory("appsi_highs").solve(model)
    return pyo.value(model.objective)


def test_supplies_written_in_prose_become_rows():
    assert _solve(CODE) == 505  # W2 ships 75 units it does not have
    fixed = add_element_rows(CODE, TEXT)
    assert fixed is not None and len(fixed.changes) == 1
    assert "sources_limit" in fixed.code and "<= {'W1': 70, 'W2': 50}[_r]" in fixed.code
    assert _solve(fixed.code) == 555


def test_nothing_when_the_rows_are_there_or_the_words_say_no_direction():
    with_rows = CODE + ("model.supply = pyo.Constraint(sources, rule=lambda m, s: "
                        "sum(m.ship[s, d] for d in stores) <= {'W1': 70, 'W2': 50}[s])\n")
    assert add_element_rows(with_rows, TEXT) is None
    assert add_element_rows(CODE, TEXT.replace("holds", "is")) is None  # "W1 is 70 units": which way?
    assert add_element_rows(CODE, TEXT.replace(" and W2 holds 50 units", "")) is None  # W2 has no number


def test_numbers_the_code_uses_already_are_not_added_again():
    code = CODE.replace("demand = {", "supply = {'W1': 70, 'W2': 50}\ndemand = {")
    assert add_element_rows(code, TEXT) is None
