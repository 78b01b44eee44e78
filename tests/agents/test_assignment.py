"""The rows of an assignment that the text states and the code leaves out (optolab.agents.assignment)."""

from __future__ import annotations

from optolab.agents.assignment import add_assignment_rows

TRANSLATORS = (
    "An agency has four translators and four documents. Each translator takes exactly one document. Costs in "
    "dollars:\n\n| translator | legal | medical |\n|---|---|---|\n| Ines | 90 | 75 |\n| Jon | 35 | 85 |\n\n"
    "What is the minimum total cost in dollars?"
)


ONE_SIDE = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
translators = ['Ines', 'Jon']
documents = ['legal', 'medical']
cost = {('Ines', 'legal'): 90, ('Ines', 'medical'): 75, ('Jon', 'legal'): 35, ('Jon', 'medical'): 85}
model.assign = pyo.Var(translators, documents, domain=pyo.Binary)
model.objective = pyo.Objective(expr=sum(cost[t, d] * model.assign[t, d] for t in translators for d in documents),
                                sense=pyo.minimize)
model.one_per_document = pyo.ConstraintList()
for d in documents:
    model.one_per_document.add(sum(model.assign[t, d] for t in translators) == 1)
"""


def test_the_missing_side_is_added_and_changes_the_optimum(solve_objective):
    assert solve_objective(ONE_SIDE) == 110  # Jon legal, Ines medical: a matching already
    fixed = add_assignment_rows(ONE_SIDE, TRANSLATORS)
    assert fixed is not None
    assert "each_translator_one_document" in fixed.code
    assert "Each translator takes exactly one document" in fixed.changes[0]
    assert "sum(model.assign[_r, _c] for _c in documents) == 1" in fixed.code.replace("((", "(").replace("))", ")")
    assert solve_objective(fixed.code) == 110


def test_the_rows_force_a_different_optimum_when_one_translator_is_cheap_everywhere(solve_objective):
    code = ONE_SIDE.replace("('Jon', 'medical'): 85", "('Jon', 'medical'): 5")
    assert solve_objective(code) == 40  # Jon takes both documents
    assert solve_objective(add_assignment_rows(code, TRANSLATORS).code) == 95  # Ines legal (90) + Jon medical (5)


def test_code_that_has_both_sides_is_left_alone():
    code = ONE_SIDE + ("model.one_per_translator = pyo.Constraint(translators, rule=lambda m, t: "
                       "sum(m.assign[t, d] for d in documents) == 1)\n")
    assert add_assignment_rows(code, TRANSLATORS) is None


def test_per_wording_and_at_most(solve_objective):
    text = ("A plant places machines in locations, one machine per location. Each machine goes to at most one "
            "location.")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.machines = pyo.Set(initialize=['M1', 'M2', 'M3'])
model.locations = pyo.Set(initialize=['L1', 'L2'])
model.place = pyo.Var(model.machines, model.locations, domain=pyo.Binary)
model.objective = pyo.Objective(expr=sum(model.place[m, l] for m in model.machines for l in model.locations),
                                sense=pyo.maximize)
"""
    fixed = add_assignment_rows(code, text)
    assert fixed is not None and len(fixed.changes) == 2
    assert "<= 1" in fixed.code and "== 1" in fixed.code
    assert solve_objective(fixed.code) == 2  # two locations, each with one machine


def test_words_that_are_not_a_matching_add_nothing():
    text = "Each van needs one driver and can carry at most 100 kg. Each parcel weighs 20 kg."
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
vans = ['v1', 'v2']
drivers = ['d1', 'd2']
model.x = pyo.Var(vans, drivers, domain=pyo.Binary)
model.objective = pyo.Objective(expr=sum(model.x[v, d] for v in vans for d in drivers), sense=pyo.minimize)
"""
    assert add_assignment_rows(code, text) is None  # "needs" is a requirement, not this matching's wording
    assert add_assignment_rows(code.replace("domain=pyo.Binary", "domain=pyo.NonNegativeReals"),
                               "Each van gets exactly one driver.") is None  # not a yes/no decision
