from optolab.agents.capacity import drop_one_items_limit_on_all, fix_per_item_limits

TEXT = ("A courier van can carry at most 1.2 tonnes. Parcels wait for delivery:\n\n| parcel | weight (kg) | fee ($) |\n"
        "|---|---|---|\n| P1 | 500 | 40 |\n| P2 | 400 | 35 |\n| P3 | 350 | 30 |\n| P4 | 300 | 20 |\n\n"
        "Which parcels should go to maximize the fees?")
HEAD = """import pyomo.environ as pyo
parcels = ['P1', 'P2', 'P3', 'P4']
weight = {'P1': 500, 'P2': 400, 'P3': 350, 'P4': 300}
fee = {'P1': 40, 'P2': 35, 'P3': 30, 'P4': 20}
model = pyo.ConcreteModel()
model.go = pyo.Var(parcels, domain=pyo.Binary)
model.obj = pyo.Objective(expr=sum(fee[p] * model.go[p] for p in parcels), sense=pyo.maximize)
"""


def test_a_rule_family_per_item_becomes_one_row_over_the_sum():
    code = HEAD + "model.cap = pyo.Constraint(parcels, rule=lambda m, p: weight[p] * m.go[p] <= 1200)\n"
    fixed = fix_per_item_limits(code, TEXT)
    assert fixed is not None
    assert "model.cap = pyo.Constraint(expr=sum((weight[p] * model.go[p] for p in parcels)) <= 1200)" in fixed.code
    assert "1200 as a limit on all of them together" in fixed.changes[0]


def test_a_loop_of_rows_per_item_becomes_one_row_over_the_sum():
    code = HEAD + ("model.cap = pyo.ConstraintList()\nfor p in parcels:\n"
                   "    model.cap.add(weight[p] * model.go[p] <= 1200)\n")
    fixed = fix_per_item_limits(code, TEXT)
    assert fixed is not None and "for p in parcels:" not in fixed.code
    assert "model.cap.add(sum((weight[p] * model.go[p] for p in parcels)) <= 1200)" in fixed.code


def test_limits_per_item_and_unknown_numbers_are_left_alone():
    code = HEAD + "model.cap = pyo.Constraint(parcels, rule=lambda m, p: weight[p] * m.go[p] <= 1200)\n"
    per_item = TEXT.replace("can carry at most 1.2 tonnes", "can carry at most 1.2 tonnes in each compartment")
    assert fix_per_item_limits(code, per_item) is None
    assert fix_per_item_limits(code.replace("<= 1200", "<= 999"), TEXT) is None  # a number the text never gives
    summed = HEAD + "model.cap = pyo.Constraint(expr=sum(weight[p] * model.go[p] for p in parcels) <= 1200)\n"
    assert fix_per_item_limits(summed, TEXT) is None
    bound = HEAD + "model.cap = pyo.Constraint(parcels, rule=lambda m, p: m.go[p] <= 1)\n"
    assert fix_per_item_limits(bound, TEXT) is None


ONE_ITEMS_LIMIT = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.sofas = pyo.Var(domain=pyo.NonNegativeIntegers, bounds=(0, 9))
model.chairs = pyo.Var(domain=pyo.NonNegativeIntegers, bounds=(0, 14))
model.profit = pyo.Objective(expr=300 * model.sofas + 120 * model.chairs, sense=pyo.maximize)
model.market = pyo.Constraint(expr=model.sofas + model.chairs <= 9)
model.space = pyo.Constraint(expr=model.sofas + model.chairs <= 20)
"""


def test_one_items_limit_written_again_as_a_limit_on_all_is_dropped():
    q = ("A workshop builds sofas and chairs. The market takes at most 9 sofas and 14 chairs a week, and the floor "
         "holds at most 20 pieces. A sofa earns $300 and a chair $120. Maximize profit.")
    fixed = drop_one_items_limit_on_all(ONE_ITEMS_LIMIT, q)
    assert fixed is not None
    assert "model.sofas + model.chairs <= 9" not in fixed.code
    assert "model.sofas + model.chairs <= 20" in fixed.code and "bounds=(0, 9)" in fixed.code
    assert "sofas alone" in fixed.changes[0]


def test_a_limit_on_all_that_the_text_gives_as_a_total_stays():
    for q in ("The market takes at most 9 sofas and chairs in total, and at most 14 chairs. The floor holds 20 pieces.",
              "The market takes at most 9 sofas and 14 chairs a week; 9 pieces fit on the truck. The floor holds 20."):
        assert drop_one_items_limit_on_all(ONE_ITEMS_LIMIT, q) is None, q


def test_a_limit_that_renews_each_week_is_still_a_total():
    code = HEAD + "model.cap = pyo.Constraint(parcels, rule=lambda m, p: weight[p] * m.go[p] <= 1200)\n"
    weekly = TEXT.replace("A courier van can carry at most 1.2 tonnes.", "Each week, the van can carry 1.2 tonnes.")
    fixed = fix_per_item_limits(code, weekly)
    assert fixed is not None and "sum((weight[p] * model.go[p] for p in parcels)) <= 1200" in fixed.code


def test_one_items_limit_written_as_a_limit_on_all_is_put_on_that_item(solve_objective):
    q = ("A food truck must sell at least 50 tacos and at least 30 burritos. It has supplies for at most 80 tacos "
         "and at most 50 burritos. It can cook at most 100 items in total. A taco earns $3 and a burrito $6. How many "
         "of each maximize profit?")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.taco = pyo.Var(domain=pyo.Integers, bounds=(0, None))
model.burrito = pyo.Var(domain=pyo.Integers, bounds=(0, None))
model.objective = pyo.Objective(expr=3 * model.taco + 6 * model.burrito, sense=pyo.maximize)
model.tacos = pyo.Constraint(expr=model.taco >= 50)
model.burritos = pyo.Constraint(expr=model.burrito >= 30)
model.supplies = pyo.Constraint(expr=model.taco + model.burrito <= 80)
model.cooking = pyo.Constraint(expr=model.taco + model.burrito <= 100)
"""
    assert solve_objective(code) == 330
    fixed = drop_one_items_limit_on_all(code, q)
    assert "model.supplies = pyo.Constraint(expr=model.taco <= 80)" in fixed.code
    assert "model.taco + model.burrito <= 100" in fixed.code  # "100 items total" stays on all
    assert "taco alone" in fixed.changes[0]
    assert solve_objective(fixed.code) == 450


def test_a_sum_limit_stays_where_the_words_after_the_number_do_not_name_the_item_itself():
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.b = pyo.Var(domain=pyo.NonNegativeReals)
model.h = pyo.Var(domain=pyo.NonNegativeReals)
model.objective = pyo.Objective(expr=1.2 * model.b + 0.5 * model.h, sense=pyo.maximize)
model.budget = pyo.Constraint(expr=model.b + model.h <= 100)
"""
    assert drop_one_items_limit_on_all(code, "Bet up to $100 on b (pays 1.2) and h (pays 0.5).") is None
    assert drop_one_items_limit_on_all(code, "Spend at most $100 b and h together.") is None
