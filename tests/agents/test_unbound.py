from optolab.agents.modeler import tidy_program
from optolab.agents.unbound import bind_lone_number

TEXT = ("Seven parcels weighing 40 kg, 55 kg, 25 kg, 70 kg, 35 kg, 60 kg and 15 kg must be delivered. Each van can "
        "carry at most 100 kg and a parcel cannot be split between vans. What is the smallest number of vans needed?")
CODE = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
parcels = [1, 2, 3, 4, 5, 6, 7]
weight = {1: 40, 2: 55, 3: 25, 4: 70, 5: 35, 6: 60, 7: 15}
model.put = pyo.Var(parcels, parcels, domain=pyo.Binary)
model.used = pyo.Var(parcels, domain=pyo.Binary)
model.objective = pyo.Objective(expr=sum(model.used[v] for v in parcels), sense=pyo.minimize)
model.one_van = pyo.ConstraintList()
for p in parcels:
    model.one_van.add(sum(model.put[p, v] for v in parcels) == 1)
model.van_capacity = pyo.ConstraintList()
for v in parcels:
    model.van_capacity.add(sum(weight[p] * model.put[p, v] for p in parcels) <= capacity * model.used[v])
"""


def test_a_lone_undefined_limit_gets_the_one_number_the_code_leaves_out(solve_objective):
    fixed = bind_lone_number(CODE, TEXT)
    assert fixed is not None
    assert "capacity = 100" in fixed.code
    assert "100 is the one number of the text the code does not use" in fixed.changes[0]
    assert solve_objective(fixed.code) == 4
    assert any("defined capacity = 100" in c for c in tidy_program(CODE, TEXT)["changes"])


def test_nothing_is_bound_where_the_pairing_is_not_the_only_one():
    two_left = TEXT.replace("must be delivered.", "must be delivered within 8 hours.")
    assert bind_lone_number(CODE, two_left) is None  # 8 and 100 both unused
    assert bind_lone_number(CODE, TEXT.replace("100 kg", "100% of its load")) is None  # a percentage
    two_names = CODE.replace("<= capacity * model.used[v]", "<= capacity * model.used[v] - spare")
    assert bind_lone_number(two_names, TEXT) is None
    indexed = CODE.replace("<= capacity * model.used[v]", "<= capacity[v] * model.used[v]")
    assert bind_lone_number(indexed, TEXT) is None  # read as data over a list, not as one number
    assert bind_lone_number(CODE.replace("capacity", "100"), TEXT) is None  # nothing undefined
