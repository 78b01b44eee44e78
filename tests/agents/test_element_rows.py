"""Limits stated item by item that the code leaves out (optolab.agents.element_rows)."""

from __future__ import annotations

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


def test_supplies_written_in_prose_become_rows(solve_objective):
    assert solve_objective(CODE) == 505  # W2 ships 75 units it does not have
    fixed = add_element_rows(CODE, TEXT)
    assert fixed is not None and len(fixed.changes) == 1
    assert "sources_limit" in fixed.code and "<= {'W1': 70, 'W2': 50}[_r]" in fixed.code
    assert solve_objective(fixed.code) == 555


def test_nothing_when_the_rows_are_there_or_the_words_say_no_direction():
    with_rows = CODE + ("model.supply = pyo.Constraint(sources, rule=lambda m, s: "
                        "sum(m.ship[s, d] for d in stores) <= {'W1': 70, 'W2': 50}[s])\n")
    assert add_element_rows(with_rows, TEXT) is None
    assert add_element_rows(CODE, TEXT.replace("holds", "is")) is None  # "W1 is 70 units": which way?
    assert add_element_rows(CODE, TEXT.replace(" and W2 holds 50 units", "")) is None  # W2 has no number


def test_numbers_the_code_uses_already_are_not_added_again():
    code = CODE.replace("demand = {", "supply = {'W1': 70, 'W2': 50}\ndemand = {")
    assert add_element_rows(code, TEXT) is None


def test_rows_with_one_number_for_all_read_each_items_own(solve_objective):
    text = ("A hospital assigns five nurses to three wards. Each nurse works in exactly one ward. Ward A needs exactly "
            "2 nurses, ward B exactly 2 and ward C exactly 1. Ratings:\n\n| nurse | A | B | C |\n|---|---|---|---|\n"
            "| N1 | 7 | 5 | 3 |\n| N2 | 6 | 8 | 4 |\n| N3 | 9 | 4 | 6 |\n| N4 | 5 | 7 | 8 |\n| N5 | 4 | 6 | 7 |")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
nurses = ['N1', 'N2', 'N3', 'N4', 'N5']
wards = ['A', 'B', 'C']
rate = {('N1', 'A'): 7, ('N1', 'B'): 5, ('N1', 'C'): 3, ('N2', 'A'): 6, ('N2', 'B'): 8, ('N2', 'C'): 4,
        ('N3', 'A'): 9, ('N3', 'B'): 4, ('N3', 'C'): 6, ('N4', 'A'): 5, ('N4', 'B'): 7, ('N4', 'C'): 8,
        ('N5', 'A'): 4, ('N5', 'B'): 6, ('N5', 'C'): 7}
model.assign = pyo.Var(nurses, wards, domain=pyo.Binary)
model.objective = pyo.Objective(expr=sum(rate[n, w] * model.assign[n, w] for n in nurses for w in wards),
                                sense=pyo.maximize)
model.cover = pyo.ConstraintList()
for n in nurses:
    model.cover.add(sum(model.assign[n, w] for w in wards) == 1)
model.per_ward = pyo.ConstraintList()
for w in wards:
    model.per_ward.add(sum(model.assign[n, w] for n in nurses) == 1)
"""
    fixed = add_element_rows(code, text)
    assert fixed is not None and "{'A': 2, 'B': 2, 'C': 1}[w]" in fixed.code
    assert solve_objective(fixed.code) == 38
    # rows that give each ward its number already are left alone
    assert add_element_rows(code.replace("for n in nurses) == 1", "for n in nurses) == {'A': 2, 'B': 2, 'C': 1}[w]"),
                            text) is None
