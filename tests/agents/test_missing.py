"""Limits the text states plainly and the model code leaves out (texts written for these tests)."""

from __future__ import annotations

import ast

import pytest

from optolab.agents.missing import add_missing_limits, missing_limits
from optolab.agents.modeler import tidy_program

FERRY = ("A ferry company runs small boats and large boats. A small boat carries 30 passengers and uses 4 litres "
         "of fuel; a large boat carries 80 passengers and uses 9 litres of fuel. At most 35% of the vessels can be "
         "large boats. In addition, at least 6 small boats must be used, and the company has 300 litres of fuel. "
         "How many of each boat should run to maximize the number of passengers?")

CODE = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.small_boats = pyo.Var(domain=pyo.NonNegativeIntegers)
model.large_boats = pyo.Var(domain=pyo.NonNegativeIntegers)
model.obj = pyo.Objective(expr=30 * model.small_boats + 80 * model.large_boats, sense=pyo.maximize)
model.fuel = pyo.Constraint(expr=4 * model.small_boats + 9 * model.large_boats <= 300)
"""


def _constraints(code: str) -> list[str]:
    return [ast.unparse(kw.value) for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Call)
            for kw in n.keywords if kw.arg == "expr"]


def test_adds_a_share_of_every_decision_and_a_minimum_count():
    fixed = add_missing_limits(CODE, FERRY)
    assert fixed is not None
    rows = _constraints(fixed.code)
    assert "model.large_boats <= 0.35 * (model.small_boats + model.large_boats)" in rows
    assert "model.small_boats >= 6" in rows
    assert len(fixed.changes) == 2 and "At most 35% of the vessels can be large boats" in fixed.changes[0]


def test_the_added_rows_give_the_optimum_of_the_stated_problem():
    from optolab.solvers.sandbox import run_model_code

    before = run_model_code(CODE, time_limit=60).solve
    after = run_model_code(add_missing_limits(CODE, FERRY).code, time_limit=60).solve
    # the same problem by enumeration, with and without the two rules
    def best(rules: bool) -> float:
        return max(30 * s + 80 * b for s in range(76) for b in range(34) if 4 * s + 9 * b <= 300
                   and (not rules or (s >= 6 and b <= 0.35 * (s + b))))

    assert before.objective == best(False)
    assert after.objective == best(True) < best(False)


def test_a_number_the_code_uses_is_left_alone():
    code = CODE + "model.share = pyo.Constraint(expr=model.large_boats <= 0.35 * (model.small_boats + model.large_boats))\n"
    assert missing_limits(FERRY, code) == [("model.small_boats >= 6", "at least 6 small boats")]
    code += "model.small = pyo.Constraint(expr=model.small_boats >= 6)\n"
    assert add_missing_limits(code, FERRY) is None


def test_a_share_written_as_its_complement_counts_as_used():
    code = CODE + "model.share = pyo.Constraint(expr=model.small_boats >= 0.65 * (model.small_boats + model.large_boats))\n"
    assert [e for e, _ in missing_limits(FERRY, code)] == ["model.small_boats >= 6"]


def test_indexed_decisions_are_left_alone():
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.boats = pyo.Var(['small', 'large'], domain=pyo.NonNegativeIntegers)
model.obj = pyo.Objective(expr=30 * model.boats['small'] + 80 * model.boats['large'], sense=pyo.maximize)
"""
    assert add_missing_limits(code, FERRY) is None


def test_a_subject_naming_no_single_decision_or_a_measure_adds_nothing():
    text = ("A bakery makes rye loaves and wheat loaves. At least 20 loaves must be baked, at most 50% of the "
            "flour can be rye flour, and at most 12 hours of oven time are available. Maximize profit.")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.rye_loaves = pyo.Var(domain=pyo.NonNegativeIntegers)
model.wheat_loaves = pyo.Var(domain=pyo.NonNegativeIntegers)
model.obj = pyo.Objective(expr=3 * model.rye_loaves + 2 * model.wheat_loaves, sense=pyo.maximize)
"""
    # "20 loaves" names both decisions; "rye flour" is no decision (a share of the flour, not of the
    # loaves); "12 hours of oven time" names no decision
    assert missing_limits(text, code) == []


def test_a_share_of_a_group_that_is_only_some_decisions_adds_nothing():
    text = ("A fleet buys electric vans, diesel vans and bikes. At most 40% of the vans can be electric vans. "
            "Minimize cost.")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.electric_vans = pyo.Var(domain=pyo.NonNegativeIntegers)
model.diesel_vans = pyo.Var(domain=pyo.NonNegativeIntegers)
model.bikes = pyo.Var(domain=pyo.NonNegativeIntegers)
model.obj = pyo.Objective(expr=model.electric_vans + model.diesel_vans + model.bikes)
"""
    assert missing_limits(text, code) == []


def test_tidy_program_lists_the_added_rows():
    tidy = tidy_program(CODE, FERRY)
    assert any(c.startswith("added `model.small_boats >= 6`") for c in tidy["changes"])
    assert "text_limit_" in tidy["code"]


def test_a_budget_to_invest_that_the_code_writes_down_but_never_uses_is_added():
    text = ("Mia has $8000 to invest in bonds and stocks. Bonds earn 4% and stocks earn 9%. At most $3000 may go "
            "into stocks. How much should she invest in each to maximize her return?")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
budget = 8000
model.bonds = pyo.Var(domain=pyo.NonNegativeReals)
model.stocks = pyo.Var(domain=pyo.NonNegativeReals)
model.obj = pyo.Objective(expr=0.04 * model.bonds + 0.09 * model.stocks, sense=pyo.maximize)
model.cap = pyo.Constraint(expr=model.stocks <= 3000)
"""
    fixed = add_missing_limits(code, text)
    assert fixed is not None and "model.bonds + model.stocks <= 8000" in _constraints(fixed.code)
    used = code.replace("model.cap", "model.all = pyo.Constraint(expr=model.bonds + model.stocks <= budget)\nmodel.cap")
    assert add_missing_limits(used, text) is None  # the budget is read: nothing to add
    whole = code.replace("NonNegativeReals", "NonNegativeIntegers")
    assert add_missing_limits(whole, text) is None  # integer decisions are no amounts of money


def test_a_number_set_to_a_name_that_is_never_read_counts_as_unused():
    from optolab.agents.program import numbers_in_code

    assert numbers_in_code("budget = 8000\nx = 5\ny = x * 2\nz = [y]\n") == {5.0, 2.0}  # z is never read


def test_land_shared_by_the_crops_written_as_a_cap_on_each_becomes_a_sum():
    text = ("A grower has 90 acres available to plant beans and corn. At least 10 acres must be beans. The profit "
            "per acre is $200 for beans and $300 for corn. How many acres of each maximize the profit?")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.beans = pyo.Var(domain=pyo.NonNegativeReals, bounds=(10, 90))
model.corn = pyo.Var(domain=pyo.NonNegativeReals, bounds=(0, 90))
model.obj = pyo.Objective(expr=200 * model.beans + 300 * model.corn, sense=pyo.maximize)
"""
    fixed = add_missing_limits(code, text)
    assert fixed is not None and "model.beans + model.corn <= 90" in _constraints(fixed.code)
    each = text.replace("to plant beans and corn", "for each crop")
    assert add_missing_limits(code, each) is None  # a cap per crop after all
    summed = code + "model.land = pyo.Constraint(expr=model.beans + model.corn <= 90)\n"
    assert add_missing_limits(summed, text) is None
    # the cap of one decision copied onto the other is not a shared resource
    one = ("A clinic needs at least 30 nurse hours. Day nurses work 6 hours and night nurses 10 hours a shift; at "
           "most 90 night nurses can be hired. A day nurse costs $150 and a night nurse $260.")
    assert add_missing_limits(code.replace("beans", "day_nurses").replace("corn", "night_nurses"), one) is None


def test_a_list_of_caps_merged_into_one_sum_is_split_into_a_cap_on_each():
    text = ("A bakery makes loaves and rolls. Its ovens can bake at most 120 loaves and 300 rolls a day. A loaf "
            "earns $3 and a roll $1. How many of each should it bake to maximize the profit?")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.loaves = pyo.Var(domain=pyo.NonNegativeIntegers)
model.rolls = pyo.Var(domain=pyo.NonNegativeIntegers)
model.obj = pyo.Objective(expr=3 * model.loaves + model.rolls, sense=pyo.maximize)
model.ovens = pyo.Constraint(expr=model.loaves + model.rolls <= 120)
"""
    fixed = add_missing_limits(code, text)
    rows = _constraints(fixed.code)
    assert "model.loaves <= 120" in rows and "model.rolls <= 300" in rows
    assert "model.loaves + model.rolls <= 120" not in rows and "a cap on each" in fixed.changes[0]
    # both numbers used (a cap on each, or a real shared row besides): nothing to do
    both = code.replace("model.loaves + model.rolls <= 120", "model.loaves <= 120") + \
        "model.r = pyo.Constraint(expr=model.rolls <= 300)\n"
    assert add_missing_limits(both, text) is None
    # a weighted row is not the merged list
    weighted = code.replace("model.loaves + model.rolls <= 120", "2 * model.loaves + model.rolls <= 120")
    assert "2 * model.loaves + model.rolls <= 120" in _constraints(add_missing_limits(weighted, text).code)


def test_a_list_of_requirements_per_period_is_not_a_list_of_caps():
    text = ("A depot needs at least 17 drivers on Monday, 13 on Tuesday and 9 on Wednesday. Each driver works two "
            "days in a row. How many drivers should start each day to minimize the number of drivers?")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.monday = pyo.Var(domain=pyo.NonNegativeIntegers)
model.tuesday = pyo.Var(domain=pyo.NonNegativeIntegers)
model.wednesday = pyo.Var(domain=pyo.NonNegativeIntegers)
model.obj = pyo.Objective(expr=model.monday + model.tuesday + model.wednesday)
model.mon = pyo.Constraint(expr=model.monday + model.wednesday >= 17)
"""
    assert all("model.tuesday >= 13" not in expr for expr, _ in missing_limits(text, code))


def test_land_to_grow_the_decisions_bounds_their_sum_when_the_question_asks_for_that_unit():
    text = ("An orchard has 300 acres of land to plant apples and pears. An acre of apples needs 20 hours of work "
            "and an acre of pears 35 hours; 8000 hours of work are available. An acre of apples earns $900 and an "
            "acre of pears $1200. How many acres of each should be planted to maximize the earnings?")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.apples = pyo.Var(domain=pyo.NonNegativeReals)
model.pears = pyo.Var(domain=pyo.NonNegativeReals)
model.obj = pyo.Objective(expr=900 * model.apples + 1200 * model.pears, sense=pyo.maximize)
model.work = pyo.Constraint(expr=20 * model.apples + 35 * model.pears <= 8000)
"""
    assert ("model.apples + model.pears <= 300", "has 300 acres of land to plant apples and pears") in \
        missing_limits(text, code)
    plans = text.replace("has 300 acres of land to plant", "has 300 acres of land and plans to plant")
    assert ("model.apples + model.pears <= 300", "has 300 acres of land and plans to plant apples and pears") in \
        missing_limits(plans, code)
    # decisions counted in another unit (trees, not acres): a plain sum would be wrong
    trees = text.replace("How many acres of each", "How many trees of each")
    assert not any("<= 300" in expr for expr, _ in missing_limits(trees, code))


def test_at_least_n_should_be_some_decision_is_a_minimum_count():
    text = FERRY.replace("at least 6 small boats must be used", "at least 6 should be small boats")
    assert ("model.small_boats >= 6", "at least 6 should be small boats") in missing_limits(text, CODE)


def test_a_count_cap_whose_number_the_code_only_uses_as_a_weight_is_added():
    text = ("A kitchen makes trays of soup and stew. Each tray of soup feeds 10 people and each tray of stew feeds 7. "
            "It can make at most 10 trays of hearty soup. How many trays of each maximize the people fed?")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.soup = pyo.Var(domain=pyo.NonNegativeIntegers)
model.stew = pyo.Var(domain=pyo.NonNegativeIntegers)
model.obj = pyo.Objective(expr=10 * model.soup + 7 * model.stew, sense=pyo.maximize)
model.total = pyo.Constraint(expr=model.soup + model.stew <= 30)
"""
    fixed = add_missing_limits(code, text)
    assert fixed is not None and "model.soup <= 10" in _constraints(fixed.code)
    capped = code + "model.cap = pyo.Constraint(expr=model.soup <= 10)\n"
    assert add_missing_limits(capped, text) is None


def test_a_count_of_what_every_decision_is_a_kind_of_bounds_their_sum():
    text = ("A school buys desks of two kinds, single desks and double desks. A single desk costs $40 and a double "
            "desk $70. It needs at least 120 seating places in total and at least 50 desks. How many of each desk "
            "should it buy to minimize the cost?")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.single = pyo.Var(domain=pyo.NonNegativeIntegers)
model.double = pyo.Var(domain=pyo.NonNegativeIntegers)
model.obj = pyo.Objective(expr=40 * model.single + 70 * model.double, sense=pyo.minimize)
model.seats = pyo.Constraint(expr=model.single + 2 * model.double >= 120)
"""
    fixed = add_missing_limits(code, text)
    assert fixed is not None and "model.single + model.double >= 50" in _constraints(fixed.code)
    other = text.replace("How many of each desk should it buy", "What should it buy")
    assert add_missing_limits(code, other) is None  # nothing says the desks are what is counted


def test_a_percentage_written_as_percent_is_no_count():
    text = ("A yard uses big and small cranes. At most 35 percent of the cranes can be big ones. At least 90 loads "
            "must move: a big crane moves 9 loads and a small one 4. How many of each crane minimize the cranes used?")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.big = pyo.Var(domain=pyo.NonNegativeIntegers)
model.small = pyo.Var(domain=pyo.NonNegativeIntegers)
model.obj = pyo.Objective(expr=model.big + model.small, sense=pyo.minimize)
model.loads = pyo.Constraint(expr=9 * model.big + 4 * model.small >= 90)
model.share = pyo.Constraint(expr=model.big <= 0.35 * (model.big + model.small))
"""
    assert add_missing_limits(code, text) is None  # "35 percent of the cranes" is a share, not 35 cranes


def test_a_share_whose_number_the_code_only_uses_as_a_weight_is_still_added():
    q = ("Guides lead tours by bus or on foot. A bus tour meets 60 visitors and a walking tour 25. At least 60% of "
         "the tours must be by bus. The city needs 600 visitors met. Minimize the number of tours.")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.bus = pyo.Var(domain=pyo.NonNegativeIntegers)
model.foot = pyo.Var(domain=pyo.NonNegativeIntegers)
model.obj = pyo.Objective(expr=model.bus + model.foot, sense=pyo.minimize)
model.met = pyo.Constraint(expr=60 * model.bus + 25 * model.foot >= 600)
"""
    assert missing_limits(q, code) == [("model.bus >= 0.6 * (model.bus + model.foot)",
                                        "At least 60% of the tours must be by bus")]
    written = code + "model.share = pyo.Constraint(expr=model.bus >= 0.6 * (model.bus + model.foot))\n"
    assert missing_limits(q, written) == []


KEYBOARDS = ("A workshop makes mechanical and standard keyboards. It aims to have four times as many mechanical as "
             "standard keyboards. A mechanical keyboard needs 5 units of plastic and a standard one 2 units; 900 "
             "units of plastic are available. How many of each should it make to maximize the number of keyboards?")
KEYBOARD_CODE = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.mechanical_keyboards = pyo.Var(domain=pyo.NonNegativeIntegers)
model.standard_keyboards = pyo.Var(domain=pyo.NonNegativeIntegers)
model.obj = pyo.Objective(expr=model.mechanical_keyboards + model.standard_keyboards, sense=pyo.maximize)
model.plastic = pyo.Constraint(expr=5 * model.mechanical_keyboards + 2 * model.standard_keyboards <= 900)
"""


def test_adds_a_stated_ratio_no_row_relates():
    assert missing_limits(KEYBOARDS, KEYBOARD_CODE) == [
        ("model.mechanical_keyboards == 4 * model.standard_keyboards",
         "four times as many mechanical as standard")]
    from optolab.solvers.sandbox import run_model_code

    fixed = add_missing_limits(KEYBOARD_CODE, KEYBOARDS)
    assert "no row of the code states it" in fixed.changes[0]
    # 22 * standard <= 900: 40 standard and 160 mechanical
    assert run_model_code(fixed.code, time_limit=60).solve.objective == pytest.approx(200)
    # a factor that is also a resource row's coefficient (5 units of plastic) is still missing as a ratio
    five = KEYBOARDS.replace("four times", "five times")
    assert [e for e, _ in missing_limits(five, KEYBOARD_CODE)] == [
        "model.mechanical_keyboards == 5 * model.standard_keyboards"]
    # "at least" makes it a bound
    looser = KEYBOARDS.replace("aims to have four", "must have at least four")
    assert [e for e, _ in missing_limits(looser, KEYBOARD_CODE)] == [
        "model.mechanical_keyboards >= 4 * model.standard_keyboards"]


def test_a_ratio_some_row_states_or_a_rate_is_left_alone():
    for row in ("model.mechanical_keyboards >= 4 * model.standard_keyboards",
                "model.mechanical_keyboards - 4 * model.standard_keyboards == 0"):
        assert missing_limits(KEYBOARDS, KEYBOARD_CODE + f"model.ratio = pyo.Constraint(expr={row})\n") == []
    rate = KEYBOARDS.replace("It aims to have four times as many mechanical as standard keyboards.",
                             "A robot assembles four times as many mechanical as standard keyboards per hour.")
    assert missing_limits(rate, KEYBOARD_CODE) == []
    about = KEYBOARDS.replace("aims to have four", "aims to have about four")
    assert missing_limits(about, KEYBOARD_CODE) == []
    # "N of one for every other" read the same way: added when no row relates the two
    every = KEYBOARDS.replace("It aims to have four times as many mechanical as standard keyboards.",
                              "It must make 4 mechanical keyboards for every standard keyboard.")
    assert [e for e, _ in missing_limits(every, KEYBOARD_CODE)] == [
        "model.mechanical_keyboards == 4 * model.standard_keyboards"]
    made = every.replace("It must make", "A robot makes")
    assert missing_limits(made, KEYBOARD_CODE) == []
