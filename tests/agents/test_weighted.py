"""A weighted goal written as a made-up row, with the objective counting the decisions."""

from optolab.agents.modeler import tidy_program
from optolab.agents.weighted import fix_weighted_goal_row

TEXT = ("Two couriers must cover two routes, one route each. Dee needs 40 minutes for the north route and 25 for the "
        "south route; Eli needs 30 and 35. Which plan minimizes the total minutes, and what is that total?")
CODE = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.dee_north = pyo.Var(domain=pyo.Binary)
model.dee_south = pyo.Var(domain=pyo.Binary)
model.eli_north = pyo.Var(domain=pyo.Binary)
model.eli_south = pyo.Var(domain=pyo.Binary)
model.obj = pyo.Objective(expr=model.dee_north + model.dee_south + model.eli_north + model.eli_south, sense=pyo.minimize)
model.north = pyo.Constraint(expr=model.dee_north + model.eli_north == 1)
model.south = pyo.Constraint(expr=model.dee_south + model.eli_south == 1)
model.time = pyo.Constraint(expr=40 * model.dee_north + 25 * model.dee_south + 30 * model.eli_north + 35 * model.eli_south <= 70)
"""


def test_the_weighted_row_becomes_the_objective_and_is_dropped():
    fixed = fix_weighted_goal_row(CODE, TEXT)
    assert fixed is not None
    assert ("model.obj = pyo.Objective(expr=40 * model.dee_north + 25 * model.dee_south + 30 * model.eli_north + "
            "35 * model.eli_south, sense=pyo.minimize)") in fixed.code
    assert "model.time" not in fixed.code and "model.north" in fixed.code
    assert "minimize the total minutes" in fixed.changes[0]
    assert "model.time" not in tidy_program(CODE, TEXT)["code"]


def test_a_stated_limit_a_counted_goal_or_other_weights_leave_the_code_alone():
    stated = TEXT.replace("one route each.", "one route each, within 70 minutes in all.")
    counted = TEXT.replace("minimizes the total minutes", "minimizes the number of couriers used")
    made_up = CODE.replace("40 * model.dee_north", "45 * model.dee_north")
    assert fix_weighted_goal_row(CODE, stated) is None
    assert fix_weighted_goal_row(CODE, counted) is None
    assert fix_weighted_goal_row(made_up, TEXT) is None
