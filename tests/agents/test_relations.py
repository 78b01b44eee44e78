"""Shares of a total and "N times as many" read against the model code."""

from optolab.agents.relations import multiple_findings, relation_findings, share_findings

HEAD = "import pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\n"
SCALARS = HEAD + "model.vans = pyo.Var(domain=pyo.NonNegativeIntegers)\nmodel.cars = pyo.Var(domain=pyo.NonNegativeIntegers)\n"
SHARE_Q = "A company uses vans and cars. At most 60% of the vehicles can be vans. Minimize the cost."


def test_a_share_of_the_total_written_against_one_other_decision_is_found():
    code = SCALARS + "model.c = pyo.Constraint(expr=model.vans <= 0.6 * model.cars)\n"
    found = share_findings(SHARE_Q, code, ["vans", "cars"])
    assert len(found) == 1
    assert "`vans <= 0.6 * (vans + cars)`" in found[0]


def test_a_share_written_against_the_total_or_rearranged_is_accepted():
    for line in ("model.c = pyo.Constraint(expr=model.vans <= 0.6 * (model.vans + model.cars))",
                 "model.c = pyo.Constraint(expr=0.4 * model.vans <= 0.6 * model.cars)",
                 "model.c = pyo.Constraint(expr=model.vans - 0.6 * (model.vans + model.cars) <= 0)"):
        assert share_findings(SHARE_Q, SCALARS + line + "\n", ["vans", "cars"]) == [], line


def test_a_share_of_one_named_decision_is_not_a_total():
    q = "The number of vans can be at most 60% of the cars. Minimize the cost."
    code = SCALARS + "model.c = pyo.Constraint(expr=model.vans <= 0.6 * model.cars)\n"
    assert share_findings(q, code, ["vans", "cars"]) == []


def test_shares_are_read_on_indexed_variables_and_percent_as_a_fraction():
    code = HEAD + ("kinds = ['vans', 'cars']\nmodel.x = pyo.Var(kinds, domain=pyo.NonNegativeIntegers)\n"
                   "model.c = pyo.Constraint(expr=model.x['vans'] <= 60 / 100 * model.x['cars'])\n")
    found = share_findings(SHARE_Q, code, ["x"])
    assert found and "x[vans] + x[cars]" in found[0]
    ok = code.replace("60 / 100 * model.x['cars']", "0.6 * sum(model.x[k] for k in kinds)")
    assert share_findings(SHARE_Q, ok, ["x"]) == []


def test_a_flipped_multiple_is_found_and_the_right_one_accepted():
    q = "There must be at least twice as many cars as vans. Minimize the cost."
    wrong = SCALARS + "model.c = pyo.Constraint(expr=model.vans >= 2 * model.cars)\n"
    found = multiple_findings(q, wrong, ["vans", "cars"])
    assert len(found) == 1 and "Put the factor on vans" in found[0]
    right = SCALARS + "model.c = pyo.Constraint(expr=model.cars >= 2 * model.vans)\n"
    assert multiple_findings(q, right, ["vans", "cars"]) == []


def test_the_number_of_phrasing_with_a_numeric_factor():
    q = "The number of cars must be at least 3 times the number of vans."
    wrong = SCALARS + "model.c = pyo.Constraint(expr=3 * model.cars <= model.vans)\n"
    assert multiple_findings(q, wrong, ["vans", "cars"])
    assert relation_findings(q, SCALARS + "model.c = pyo.Constraint(expr=model.cars >= 3 * model.vans)\n",
                             ["vans", "cars"]) == []


def test_code_that_does_not_parse_has_no_relation_findings():
    assert relation_findings(SHARE_Q, "model.c = (", ["vans"]) == []
