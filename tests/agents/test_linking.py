from optolab.agents.linking import link_open_decisions

CODE = """import pyomo.environ as pyo
plants = ['P1', 'P2']
cities = ['C1', 'C2']
fixed = {'P1': 9000, 'P2': 7000}
cap = {'P1': 300, 'P2': 250}
need = {'C1': 200, 'C2': 150}
ship_cost = {'P1': {'C1': 4, 'C2': 6}, 'P2': {'C1': 5, 'C2': 3}}
model = pyo.ConcreteModel()
model.run = pyo.Var(plants, domain=pyo.Binary)
model.x = pyo.Var(plants, cities, domain=pyo.NonNegativeReals)
model.cost = pyo.Objective(expr=sum(fixed[p] * model.run[p] for p in plants)
                           + sum(ship_cost[p][c] * model.x[p, c] for p in plants for c in cities))
model.capacity = pyo.ConstraintList()
for p in plants:
    model.capacity.add(sum(model.x[p, c] for c in cities) <= cap[p])
model.demand = pyo.ConstraintList()
for c in cities:
    model.demand.add(sum(model.x[p, c] for p in plants) >= need[c])
"""


def test_a_paid_yes_no_decision_that_no_row_reads_gates_its_capacity():
    fixed = link_open_decisions(CODE)
    assert fixed is not None
    assert "model.capacity.add(sum((model.x[p, c] for c in cities)) <= cap[p] * model.run[p])" in fixed.code
    assert "run is a yes/no decision" in fixed.changes[0]


def test_rule_families_are_linked_too_and_linked_models_left_alone():
    rule = CODE.replace("model.capacity = pyo.ConstraintList()\nfor p in plants:\n"
                        "    model.capacity.add(sum(model.x[p, c] for c in cities) <= cap[p])\n",
                        "model.capacity = pyo.Constraint(plants, rule=lambda m, p: sum(m.x[p, c] for c in cities) "
                        "<= cap[p])\n")
    fixed = link_open_decisions(rule)
    assert fixed is not None and "<= cap[p] * model.run[p])" in fixed.code
    linked = CODE.replace("<= cap[p])", "<= cap[p] * model.run[p])")
    assert link_open_decisions(linked) is None
    no_cap = CODE.replace("model.capacity = pyo.ConstraintList()\nfor p in plants:\n"
                          "    model.capacity.add(sum(model.x[p, c] for c in cities) <= cap[p])\n", "")
    assert link_open_decisions(no_cap) is None  # nothing to gate: left for the checks
