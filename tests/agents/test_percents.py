"""Percentages under ten written a decimal place off (optolab.agents.percents)."""

from __future__ import annotations

from optolab.agents.percents import fix_percent_scale

FEED = ("Feed A costs $0.40 per kg and is 20% protein and 5% fat by weight. Feed B costs $0.25 per kg and is 10% "
        "protein and 8% fat. The ration must weigh 1000 kg, with at least 140 kg of protein and at most 70 kg of fat.")

CODE = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.a = pyo.Var(domain=pyo.NonNegativeReals)
model.b = pyo.Var(domain=pyo.NonNegativeReals)
model.objective = pyo.Objective(expr=0.4 * model.a + 0.25 * model.b, sense=pyo.minimize)
model.weight = pyo.Constraint(expr=model.a + model.b == 1000)
model.protein = pyo.Constraint(expr=0.2 * model.a + 0.1 * model.b >= 140)
model.fat = pyo.Constraint(expr=0.5 * model.a + 0.8 * model.b <= 70)
"""


def test_five_and_eight_percent_become_shares():
    fixed = fix_percent_scale(CODE, FEED)
    assert fixed is not None
    assert "0.05 * model.a + 0.08 * model.b <= 70" in fixed.code
    assert "0.2 * model.a + 0.1 * model.b >= 140" in fixed.code  # right already
    assert len(fixed.changes) == 2 and "5%" in fixed.changes[0]


def test_data_dicts_are_read_too():
    code = CODE.replace("model.fat = pyo.Constraint(expr=0.5 * model.a + 0.8 * model.b <= 70)",
                        "fat = {'a': 0.5, 'b': 0.8}\n"
                        "model.fat = pyo.Constraint(expr=fat['a'] * model.a + fat['b'] * model.b <= 70)")
    fixed = fix_percent_scale(code, FEED)
    assert fixed is not None and "fat = {'a': 0.05, 'b': 0.08}" in fixed.code


def test_other_readings_of_the_number_leave_it_alone():
    fixed = fix_percent_scale(CODE.replace("0.5 * model.a", "0.05 * model.a"), FEED)  # 0.05 written: 5% is fine
    assert "0.05 * model.a + 0.08 * model.b <= 70" in fixed.code and len(fixed.changes) == 1
    fixed = fix_percent_scale(CODE, FEED + " Feed B is 50% water.")  # 0.5 may be the 50%
    assert "0.5 * model.a + 0.08 * model.b <= 70" in fixed.code
    fixed = fix_percent_scale(CODE, FEED.replace("5% fat", "0.5 kg fat per kg"))  # 0.5 is the text's own
    assert "0.5 * model.a + 0.08 * model.b <= 70" in fixed.code
    assert fix_percent_scale(CODE, FEED + " At most half of it is feed B.") is None  # halves make 0.5 ambiguous
    assert fix_percent_scale(CODE, FEED.replace("5%", "15%").replace("8%", "18%")) is None  # no percent under ten
