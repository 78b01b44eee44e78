"""Bounds on one decision that the text never states (texts written for these tests)."""

import pytest

from optolab.agents.bounds import drop_bogus_bounds

TEXT = ("A jeweller makes rings and pendants. A ring requires 12 grams of silver and a pendant requires 8 grams of "
        "silver. There are 400 grams of silver, and at most 30 rings can be sold. At least 5 pendants are needed. "
        "Maximize the profit of $50 per ring and $35 per pendant.")
HEAD = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.rings = pyo.Var(domain=pyo.NonNegativeIntegers)
model.pendants = pyo.Var(domain=pyo.NonNegativeIntegers)
model.obj = pyo.Objective(expr=50 * model.rings + 35 * model.pendants, sense=pyo.maximize)
model.silver = pyo.Constraint(expr=12 * model.rings + 8 * model.pendants <= 400)
model.sales = pyo.Constraint(expr=model.rings <= 30)
model.need = pyo.Constraint(expr=model.pendants >= 5)
"""


def test_an_invented_bound_and_a_per_item_amount_used_as_a_bound_are_dropped():
    code = HEAD + ("model.extra = pyo.Constraint(expr=model.pendants <= 777)\n"
                   "model.per_ring = pyo.Constraint(expr=model.rings <= 12)\n")
    fixed = drop_bogus_bounds(code, TEXT)
    assert fixed is not None and "model.extra" not in fixed.code and "model.per_ring" not in fixed.code
    assert "the text holds no 777" in fixed.changes[0] and "what one item takes" in fixed.changes[1]
    assert "model.sales" in fixed.code and "model.need" in fixed.code


def test_stated_and_derived_bounds_stay():
    assert drop_bogus_bounds(HEAD, TEXT) is None  # "at most 30 rings", "at least 5 pendants"
    derived = HEAD + "model.part = pyo.Constraint(expr=model.rings <= 80)\n"  # 400 / 5: worked out from the text
    assert drop_bogus_bounds(derived, TEXT) is None


def test_what_an_item_takes_is_read_after_with_a_too():
    text = TEXT.replace("A ring requires 12 grams", "The design with a ring requires 12 grams")
    code = HEAD + "model.per_ring = pyo.Constraint(expr=model.rings <= 12)\n"
    fixed = drop_bogus_bounds(code, text)
    assert fixed is not None and "model.per_ring" not in fixed.code


def test_a_bound_the_text_gives_only_as_money_is_dropped_for_a_count():
    code = HEAD + "model.cap = pyo.Constraint(expr=model.pendants <= 35)\n"  # "$35 per pendant": a price
    fixed = drop_bogus_bounds(code, TEXT)
    assert fixed is not None and "model.cap" not in fixed.code and "only as an amount of money" in fixed.changes[0]
    # a continuous decision may be an amount of money: left alone
    money = code.replace("model.pendants = pyo.Var(domain=pyo.NonNegativeIntegers)",
                         "model.pendants = pyo.Var(domain=pyo.NonNegativeReals)")
    assert drop_bogus_bounds(money, TEXT) is None


def test_caps_on_several_decisions_from_mixes_of_unrelated_numbers_are_dropped():
    # 12 * 5 = 60 and 12 + 8 = 20: numbers the text never writes, one on each decision
    code = HEAD.replace("model.sales = pyo.Constraint(expr=model.rings <= 30)\n", "").replace(
        "model.need = pyo.Constraint(expr=model.pendants >= 5)\n", "") + (
        "model.r_cap = pyo.Constraint(expr=model.rings <= 20)\nmodel.p_cap = pyo.Constraint(expr=model.pendants <= 60)\n")
    fixed = drop_bogus_bounds(code, TEXT)
    assert fixed is not None and "r_cap" not in fixed.code and "p_cap" not in fixed.code
    assert all("the text never writes" in c for c in fixed.changes)
    # a percentage stays literal: "at most 30%" gives 0.3, and 500 grams does not give 5
    one = HEAD + "model.r_cap = pyo.Constraint(expr=model.rings <= 20)\n"
    assert drop_bogus_bounds(one, TEXT) is None  # a single derived cap may be worked out


def test_a_number_the_text_gives_only_as_a_percentage_is_no_bound_of_a_count():
    text = TEXT + " At most 40% of the pieces can be rings."
    code = HEAD.replace("model.rings = pyo.Var(domain=pyo.NonNegativeIntegers)",
                        "model.rings = pyo.Var(domain=pyo.NonNegativeIntegers, bounds=(2, 40))") + (
        "model.share = pyo.Constraint(expr=model.rings <= 0.4 * (model.rings + model.pendants))\n"
        "model.pct = pyo.Constraint(expr=model.pendants >= 40)\n")
    fixed = drop_bogus_bounds(code, text)
    assert fixed is not None
    assert "bounds=(2, None)" in fixed.code and "model.pct" not in fixed.code and "model.share" in fixed.code
    assert any("40 only as a percentage" in c for c in fixed.changes)


def test_a_cap_from_a_weight_the_text_gives_counts_as_made_up_beside_another():
    # 8 is what a pendant takes (and a weight in the code); 20 = 12 + 8: two caps the text never states
    code = HEAD.replace("model.sales = pyo.Constraint(expr=model.rings <= 30)\n", "").replace(
        "model.need = pyo.Constraint(expr=model.pendants >= 5)\n", "") + (
        "model.r_cap = pyo.Constraint(expr=model.rings <= 20)\nmodel.p_cap = pyo.Constraint(expr=model.pendants <= 8)\n")
    text = TEXT.replace("A ring requires 12 grams of silver and a pendant requires 8 grams", "Rings take 12 grams of "
                        "silver and pendants take 8 grams")
    fixed = drop_bogus_bounds(code, text)
    assert fixed is not None and "r_cap" not in fixed.code and "p_cap" not in fixed.code
    assert any("what an item takes" in c for c in fixed.changes)


BOX = ("An open box with a square base must hold 4000 cubic centimetres. The base and the four sides cost the same "
       "per square centimetre. What side and height use the least material?")  # side 20, height 10, area 1200
BOX_CODE = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.side = pyo.Var(domain=pyo.NonNegativeReals, bounds=(0.5, 15), initialize=5)
model.height = pyo.Var(domain=pyo.NonNegativeReals, bounds=(0.5, 200), initialize=5)
model.objective = pyo.Objective(expr=model.side ** 2 + 4 * model.side * model.height, sense=pyo.minimize)
model.volume = pyo.Constraint(expr=model.side ** 2 * model.height == 4000)
"""


def test_made_up_bounds_open_only_where_the_solution_sits_at_them():
    from optolab.agents.bounds import invented_var_bounds, open_active_bounds
    import ast

    found = [(side, value) for _, _, side, value in invented_var_bounds(ast.parse(BOX_CODE), BOX)]
    assert found == [(0, 0.5), (1, 15), (0, 0.5), (1, 200)]
    # the side sits at 15: that bound opens; the others do not touch the solution and stay
    opened = open_active_bounds(BOX_CODE, BOX, {"side": 15.0, "height": 17.78})
    assert "bounds=(0.5, None)" in opened.code and "bounds=(0.5, 200)" in opened.code
    assert "upper bound 15 of side" in opened.changes[0]
    assert open_active_bounds(BOX_CODE, BOX, {"side": 12.0, "height": 27.8}) is None


def test_a_range_several_decisions_share_is_made_up_even_where_the_text_numbers_give_it():
    from optolab.agents.bounds import invented_var_bounds, open_active_bounds
    import ast

    text = "Find two positive numbers whose product is 750 and for which the sum of one and 10 times the other is least."
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.x = pyo.Var(domain=pyo.Reals, bounds=(0.1, 75))
model.y = pyo.Var(domain=pyo.Reals, bounds=(0.1, 75))
model.objective = pyo.Objective(expr=model.x + 10 * model.y, sense=pyo.minimize)
model.product = pyo.Constraint(expr=model.x * model.y == 750)
"""
    # 75 is 750 / 10 and 0.1 is 10%, but the same range on both decisions is a blanket one
    assert [(s, v) for _, _, s, v in invented_var_bounds(ast.parse(code), text)] == [(0, 0.1), (1, 75), (0, 0.1), (1, 75)]
    opened = open_active_bounds(code, text, {"x": 75.0, "y": 10.0})
    assert "model.x = pyo.Var(domain=pyo.Reals, bounds=(0.1, None))" in opened.code
    # one decision's own bound from the same quotient stays: it may be a real limit (750 hours, 10 per item)
    alone = code.replace("model.y = pyo.Var(domain=pyo.Reals, bounds=(0.1, 75))", "model.y = pyo.Var(domain=pyo.Reals)")
    assert list(invented_var_bounds(ast.parse(alone), text)) == []

def test_the_program_strategy_solves_again_without_a_made_up_bound_the_solution_touched(pool):
    from optolab.agents import Modeler
    from optolab.testing import ScriptedLLM

    with Modeler(ScriptedLLM([f"```python\n{BOX_CODE}```"], repeat_last=True), sandbox=pool,
                 strategies=("program",), max_attempts=1) as m:
        s = m.solve(BOX)
    assert s.ok and s.objective == pytest.approx(1200, rel=1e-4)
    assert s.values["side"] == pytest.approx(20, rel=1e-3) and "bounds=(0.5, None)" in s.code
    assert any("upper bound 15 of side" in c for c in s.attempts[0].changes)
