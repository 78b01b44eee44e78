from optolab.agents.shares import fix_measured_shares

TEXT = ("A quarry ships gravel by barge and by rail. A barge carries 40 tonnes per load, while a rail car carries 25 "
        "tonnes per load. At least 20% of tonnes shipped must go by rail. At least 1000 tonnes must be shipped. "
        "Minimize the number of loads.")
CODE = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.barge = pyo.Var(domain=pyo.NonNegativeIntegers)
model.rail = pyo.Var(domain=pyo.NonNegativeIntegers)
model.obj = pyo.Objective(expr=model.barge + model.rail)
model.need = pyo.Constraint(expr=40 * model.barge + 25 * model.rail >= 1000)
model.share = pyo.Constraint(expr=model.rail >= 0.2 * (model.barge + model.rail))
"""


def test_a_share_of_a_measured_total_is_weighed_by_each_decisions_amount():
    fixed = fix_measured_shares(CODE, TEXT)
    assert fixed is not None
    assert "25 * model.rail >= 0.2 * (40 * model.barge + 25 * model.rail)" in fixed.code
    assert "a share of the tonnes" in fixed.changes[0]


def test_a_share_of_what_the_decisions_count_is_left_alone():
    trips = TEXT.replace("At least 20% of tonnes shipped", "At least 20% of the loads").replace(
        "per load", "per trip")
    assert fix_measured_shares(CODE, trips) is None  # "loads": the decisions themselves
    per = TEXT.replace("At least 20% of tonnes shipped", "At least 20% of the trips").replace(
        "per load", "per trip")
    assert fix_measured_shares(CODE, per) is None  # "40 tonnes per trip": trips are what is counted
    weighted = CODE.replace("model.rail >= 0.2 * (model.barge + model.rail)",
                            "25 * model.rail >= 0.2 * (40 * model.barge + 25 * model.rail)")
    assert fix_measured_shares(weighted, TEXT) is None
