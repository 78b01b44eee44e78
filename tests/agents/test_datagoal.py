from optolab.agents.datagoal import fix_objective_data

TEXT = ("A museum can restore some of four rooms with a budget of $90,000. Costs ($) and visitor appeal (points): "
        "hall 40,000 and 12; gallery 25,000 and 9; atrium 30,000 and 10; annex 15,000 and 4. Which rooms should "
        "be restored to maximize the total appeal?")
CODE = """import pyomo.environ as pyo
rooms = ['hall', 'gallery', 'atrium', 'annex']
cost = {'hall': 40000, 'gallery': 25000, 'atrium': 30000, 'annex': 15000}
appeal = {'hall': 12, 'gallery': 9, 'atrium': 10, 'annex': 4}
m = pyo.ConcreteModel()
m.pick = pyo.Var(rooms, domain=pyo.Binary)
m.obj = pyo.Objective(expr=sum(cost[r] * m.pick[r] for r in rooms), sense=pyo.maximize)
m.budget = pyo.Constraint(expr=sum(cost[r] * m.pick[r] for r in rooms) <= 90000)
"""


def test_the_objective_reads_the_dict_named_after_the_goal():
    fixed = fix_objective_data(CODE, TEXT)
    assert fixed is not None
    assert "expr=sum((appeal[r] * m.pick[r] for r in rooms)), sense=pyo.maximize" in fixed.code
    assert "sum((cost[r] * m.pick[r] for r in rooms)) <= 90000" in fixed.code  # the budget row keeps cost
    assert "`appeal`" in fixed.changes[0] and "`cost`" in fixed.changes[0]


def test_objectives_already_right_or_unclear_are_left_alone():
    right = CODE.replace("expr=sum(cost[r]", "expr=sum(appeal[r]")
    assert fix_objective_data(right, TEXT) is None
    two = CODE.replace("expr=sum(cost[r] * m.pick[r]", "expr=sum((appeal[r] - cost[r]) * m.pick[r]")
    assert fix_objective_data(two, TEXT) is None  # reads two dicts: a computed margin, not a wrong column
    other_keys = CODE.replace("appeal = {'hall': 12, 'gallery': 9, 'atrium': 10, 'annex': 4}",
                              "appeal = {'hall': 12, 'gallery': 9}")
    assert fix_objective_data(other_keys, TEXT) is None
    assert fix_objective_data(CODE, TEXT.replace("maximize the total appeal", "use the money well")) is None
