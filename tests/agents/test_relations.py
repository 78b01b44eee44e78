"""Shares of a total and "N times as many" read against the model code."""

import ast

from optolab.agents.relations import bound_findings, fix_relations, multiple_findings, relation_findings, share_findings

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


def test_a_multiple_with_the_inequality_the_wrong_way_round_is_found():
    q = "She eats at least twice as many servings of cars as vans. Minimize the cost."
    wrong = SCALARS + "model.c = pyo.Constraint(expr=model.cars <= 2 * model.vans)\n"
    found = multiple_findings(q, wrong, ["vans", "cars"])
    assert found == ["\"at least twice as many servings of cars as vans\" means `cars >= 2 * vans`, but "
                     "`model.cars <= 2 * model.vans` has the inequality the other way round."]
    mirrored = SCALARS + "model.c = pyo.Constraint(expr=2 * model.vans >= model.cars)\n"
    assert multiple_findings(q, mirrored, ["vans", "cars"])
    assert multiple_findings(q, wrong.replace("<=", ">="), ["vans", "cars"]) == []
    upper = "The number of cars can be at most 3 times the number of vans."
    assert multiple_findings(upper, SCALARS + "model.c = pyo.Constraint(expr=model.cars >= 3 * model.vans)\n",
                             ["vans", "cars"])
    assert multiple_findings(upper, SCALARS + "model.c = pyo.Constraint(expr=model.cars <= 3 * model.vans)\n",
                             ["vans", "cars"]) == []
    plain = "There are twice as many cars as vans."  # no direction stated: nothing to check
    assert multiple_findings(plain, wrong, ["vans", "cars"]) == []


def test_the_number_of_phrasing_with_a_numeric_factor():
    q = "The number of cars must be at least 3 times the number of vans."
    wrong = SCALARS + "model.c = pyo.Constraint(expr=3 * model.cars <= model.vans)\n"
    assert multiple_findings(q, wrong, ["vans", "cars"])
    assert relation_findings(q, SCALARS + "model.c = pyo.Constraint(expr=model.cars >= 3 * model.vans)\n",
                             ["vans", "cars"]) == []


def test_code_that_does_not_parse_has_no_relation_findings():
    assert relation_findings(SHARE_Q, "model.c = (", ["vans"]) == []


def test_a_minimum_written_as_an_upper_bound_is_found():
    q = ("A flooring company makes hardwood and vinyl. A total of at least 60,000 square feet must be shipped, "
         "and no more than 50,000 square feet of hardwood can be made. Maximize the profit.")
    code = SCALARS.replace("vans", "hardwood").replace("cars", "vinyl")
    wrong = code + ("model.ship = pyo.Constraint(expr=model.hardwood + model.vinyl <= 60000)\n"
                    "model.cap = pyo.Constraint(expr=model.hardwood <= 50000)\n")
    found = bound_findings(q, wrong, ["hardwood", "vinyl"])
    assert len(found) == 1 and "at least 60,000 square feet" in found[0] and "should be >=" in found[0]
    right = wrong.replace("<= 60000", ">= 60000")
    assert bound_findings(q, right, ["hardwood", "vinyl"]) == []
    # the number on the left, or through a name the code sets once, reads the same
    assert bound_findings(q, code + "need = 60000\nmodel.s = pyo.Constraint(expr=need >= model.hardwood + "
                                 "model.vinyl)\n", ["hardwood", "vinyl"])
    # an upper bound written from below
    flipped = right.replace("model.hardwood <= 50000", "model.hardwood >= 50000")
    assert "is a maximum" in bound_findings(q, flipped, ["hardwood", "vinyl"])[0]


def test_bounds_worded_both_ways_or_not_at_all_are_left_alone():
    code = SCALARS + "model.c = pyo.Constraint(expr=model.vans <= 40)\n"
    both = "At least 40 vans are needed, and a van carries 40 boxes. Minimize the cost."
    assert bound_findings(both, code, ["vans", "cars"]) == []  # 40 is not always a minimum
    plain = "There are 40 vans available. Minimize the cost."
    assert bound_findings(plain, code, ["vans", "cars"]) == []
    assert bound_findings("We need 40 or more vans. Minimize the cost.", code, ["vans", "cars"])
    assert bound_findings("No more than 40 vans. Minimize the cost.", code, ["vans", "cars"]) == []


def test_an_infeasible_model_gets_only_the_bound_directions():
    q = "At least 30% of the vehicles must be cars, and at most 10 vans can be used. Minimize the cost."
    code = SCALARS + ("model.s = pyo.Constraint(expr=model.cars >= 0.3 * model.vans)\n"
                      "model.b = pyo.Constraint(expr=model.vans >= 10)\n")
    solved = relation_findings(q, code, ["vans", "cars"])
    assert len(solved) == 2
    unsolved = relation_findings(q, code, ["vans", "cars"], solved=False)
    assert len(unsolved) == 1 and "is a maximum" in unsolved[0]


def test_no_relation_findings_on_the_reference_models_and_worked_examples():
    from optolab.agents.codeast import variable_names
    from optolab.agents.codegen import generate_code
    from optolab.agents.formulation import Formulation
    from optolab.agents.retrieval import ExampleBank
    from optolab.problems import load_problems

    pairs = [(p.text, p.code) for p in load_problems()]
    pairs += [(ex.question, generate_code(Formulation.model_validate(ex.formulation)).code)
              for ex in ExampleBank.default().examples]
    assert len(pairs) > 60
    for question, code in pairs:
        assert relation_findings(question, code, variable_names(ast.parse(code))) == [], question[:80]


def test_a_bound_over_a_list_of_numbers_covers_each_of_them():
    q = "The gorilla must consume at least 4000 calories and 150 grams of potassium. Minimize the sugar."
    code = SCALARS + ("model.cal = pyo.Constraint(expr=80 * model.vans + 100 * model.cars >= 4000)\n"
                      "model.pot = pyo.Constraint(expr=20 * model.vans + 15 * model.cars <= 150)\n")
    found = bound_findings(q, code, ["vans", "cars"])
    assert len(found) == 1 and "150 grams of potassium" in found[0] and "should be >=" in found[0]
    assert bound_findings(q, code.replace("<= 150", ">= 150"), ["vans", "cars"]) == []


def test_a_share_whose_group_noun_also_names_the_part_is_a_share_of_the_total():
    q = "At least 70% of the pills should be sleeping pills. Minimize the medicine."
    code = HEAD + ("model.painkillers = pyo.Var(domain=pyo.NonNegativeIntegers)\n"
                   "model.sleeping_pills = pyo.Var(domain=pyo.NonNegativeIntegers)\n"
                   "model.s = pyo.Constraint(expr=model.sleeping_pills >= 70 / 100 * model.painkillers)\n")
    found = share_findings(q, code, ["painkillers", "sleeping_pills"])
    assert len(found) == 1 and "sleeping_pills >= 0.7 * (sleeping_pills + painkillers)" in found[0]


def test_shares_of_a_total_are_rewritten_against_the_sum():
    from optolab.agents.relations import fix_relations

    code = SCALARS + ("model.c = pyo.Constraint(expr=model.vans <= 60 / 100 * model.cars)\n"
                      "model.d = pyo.Constraint(expr=model.vans + model.cars >= 10)\n")
    fixed = fix_relations(code, SHARE_Q)
    assert "model.vans <= 0.6 * (model.vans + model.cars)" in fixed.code
    assert fixed.changes == ["`model.vans <= 60 / 100 * model.cars` turned into `model.vans <= 0.6 * (model.vans + "
                             "model.cars)`: \"60% of the vehicles\" is a share of a total"]
    assert fix_relations(fixed.code, SHARE_Q) is None and share_findings(SHARE_Q, fixed.code, ["vans", "cars"]) == []
    # a shape the rewrite does not know keeps its finding for the repair
    odd = SCALARS + "model.c = pyo.Constraint(expr=2 * model.vans <= 1.2 * model.cars)\n"
    assert share_findings("At most 60% of the vehicles can be vans.", odd.replace("1.2", "0.6"), ["vans", "cars"])
    assert fix_relations(odd.replace("1.2", "0.6"), "At most 60% of the vehicles can be vans.") is None


def test_what_is_on_hand_is_a_maximum_and_what_must_be_done_a_minimum():
    q = ("A bakery has 3000 grams of flour and 150 eggs to make loaves and cakes. A loaf takes 10 grams of flour "
         "and 3 eggs; a cake takes 6 grams of flour and 5 eggs. It must bake 520 items for the fair. Maximize profit.")
    code = SCALARS.replace("vans", "loaves").replace("cars", "cakes")
    wrong = code + ("model.flour = pyo.Constraint(expr=10 * model.loaves + 6 * model.cakes >= 3000)\n"
                    "model.eggs = pyo.Constraint(expr=3 * model.loaves + 5 * model.cakes >= 150)\n"
                    "model.fair = pyo.Constraint(expr=model.loaves + model.cakes <= 520)\n")
    found = bound_findings(q, wrong, ["loaves", "cakes"])
    assert len(found) == 3
    assert '"A bakery has 3000 grams of flour and" is a maximum' in found[0]
    assert "is a maximum" in found[1]  # "150 eggs", the second number of the list
    assert 'It must bake 520 items for the fair" is a minimum' in found[2]
    fixed = fix_relations(wrong, q)
    assert "10 * model.loaves + 6 * model.cakes <= 3000" in fixed.code and "model.loaves + model.cakes >= 520" in fixed.code
    # "wants to have 4000" is a goal to reach, not a supply; a number that is also "at least" reads both ways
    assert bound_findings("The shop wants to have 3000 customers. Minimize cost.", wrong, ["loaves", "cakes"]) == []
    assert bound_findings("It has 3000 grams of flour and needs at least 3000 grams of sugar.", wrong,
                          ["loaves", "cakes"]) == []


def test_a_share_bounding_one_decision_by_the_number_alone_is_written_against_the_total():
    q = ("A mine uses small and large carts. At most 30% of the carts can be large ones. At least 12 carts must be "
         "used. Minimize the cost.")
    code = SCALARS.replace("vans", "small").replace("cars", "large")
    for lone in ("model.large <= 30 / 100", "model.large <= 0.3", "0.3 >= model.large"):
        wrong = code + f"model.share = pyo.Constraint(expr={lone})\n"
        found = share_findings(q, wrong, ["small", "large"])
        assert len(found) == 1 and "bounds large by the number 0.3 alone" in found[0], lone
        fixed = fix_relations(wrong, q)
        assert "0.3 * (model.small + model.large)" in fixed.code, fixed.code
    # the number is the share of one decision's own total ("30% of the large carts"), or another limit: left alone
    own = "At most 30% of the large carts can be rented ones. Minimize the cost."
    assert share_findings(own, code + "model.share = pyo.Constraint(expr=model.large <= 0.3)\n", ["small", "large"]) == []
    assert share_findings(q, code + "model.share = pyo.Constraint(expr=model.large <= 12)\n", ["small", "large"]) == []


def test_a_multiple_with_the_factor_on_the_wrong_side_or_as_an_equality_is_rewritten():
    q = "A florist makes small and large bouquets. He must make at least twice as many small bouquets as large bouquets."
    code = SCALARS.replace("vans", "small").replace("cars", "large")
    for wrong in ("model.large == 2 * model.small", "model.large >= 2 * model.small", "2 * model.small <= model.large"):
        fixed = fix_relations(code + f"model.m = pyo.Constraint(expr={wrong})\n", q)
        assert "model.m = pyo.Constraint(expr=model.small >= 2 * model.large)" in fixed.code, wrong
        assert fixed.changes[0].endswith(": the text says \"twice as many small bouquets as large\"")
    exact = fix_relations(code + "model.m = pyo.Constraint(expr=model.small == 2 * model.large)\n", q)
    assert "model.small >= 2 * model.large" in exact.code  # "at least", not exactly
    # without "at least" or "at most" an equality keeps its sign with the factor moved to the other side ...
    plain = q.replace("at least ", "")
    wrong = code + "model.m = pyo.Constraint(expr=model.large == 2 * model.small)\n"
    fixed = fix_relations(wrong, plain)
    assert multiple_findings(plain, wrong, ["small", "large"])
    assert "model.m = pyo.Constraint(expr=model.small == 2 * model.large)" in fixed.code
    # ... while a bound the text does not qualify says nothing about which bound was meant: the finding stays
    bound = code + "model.m = pyo.Constraint(expr=model.large >= 2 * model.small)\n"
    assert multiple_findings(plain, bound, ["small", "large"]) and fix_relations(bound, plain) is None


def test_n_of_one_thing_for_every_other_is_a_multiple():
    q = ("A workshop builds tables and chairs from 300 units of wood; it must produce 4 chairs for every table. "
         "Maximize revenue.")
    code = SCALARS.replace("vans", "tables").replace("cars", "chairs")
    wrong = code + "model.ratio = pyo.Constraint(expr=model.tables == 4 * model.chairs)\n"
    assert "4 chairs for every table" in multiple_findings(q, wrong, ["tables", "chairs"])[0]
    fixed = fix_relations(wrong, q)
    assert "model.ratio = pyo.Constraint(expr=model.chairs == 4 * model.tables)" in fixed.code
    assert multiple_findings(q, fixed.code, ["tables", "chairs"]) == []
    # "at least" before it makes it a bound; rates, prices and "1 ... for every 10" are not multiples of decisions
    least = q.replace("produce 4 chairs", "produce at least 4 chairs")
    assert "model.chairs >= 4 * model.tables" in fix_relations(wrong, least).code
    for other in ("it takes 4 hours for every table", "it earns $4 for every table",
                  "it needs 1 table for every 4 chairs"):
        text = q.replace("it must produce 4 chairs for every table", other)
        assert multiple_findings(text, wrong, ["tables", "chairs"]) == [], other


def test_a_list_after_has_available_is_a_list_of_maxima():
    q = "The shop has available 90 kg of flour and 40 kg of sugar. Cakes need 2 kg of flour and 1 kg of sugar."
    code = (SCALARS + "model.flour = pyo.Constraint(expr=2 * model.vans + 3 * model.cars <= 90)\n"
            "model.sugar = pyo.Constraint(expr=1 * model.vans + 1 * model.cars >= 40)\n")
    found = bound_findings(q, code, ["vans", "cars"])
    assert len(found) == 1 and "40 kg of sugar" in found[0] and "maximum" in found[0]


def test_the_number_of_one_larger_than_the_other_written_the_wrong_way_is_turned_round():
    q = ("Because vans advertise, the number of trips by van must be larger than the number of trips by car. "
         "Minimize the cost.")
    wrong = SCALARS + "model.order = pyo.Constraint(expr=model.vans <= model.cars)\n"
    assert "`vans >= cars`" in multiple_findings(q, wrong, ["vans", "cars"])[0]
    fixed = fix_relations(wrong, q)
    assert fixed is not None and "model.vans >= model.cars" in fixed.code
    right = SCALARS + "model.order = pyo.Constraint(expr=model.cars <= model.vans)\n"
    assert multiple_findings(q, right, ["vans", "cars"]) == []
    fewer = q.replace("larger", "smaller")
    assert multiple_findings(fewer, wrong, ["vans", "cars"]) == []
    assert fix_relations(right, fewer) is not None
    # a comparison with numbers in it is some other relation: left alone
    scaled = SCALARS + "model.order = pyo.Constraint(expr=model.vans <= 2 * model.cars)\n"
    assert not [f for f in multiple_findings(q, scaled, ["vans", "cars"]) if "larger" in f]


def test_a_list_followed_by_available_is_a_list_of_maxima():
    q = "There are 120 units of clay and 80 units of glaze available. Maximize the number of vases."
    code = (SCALARS + "model.clay = pyo.Constraint(expr=2 * model.vans + 3 * model.cars >= 120)\n"
            "model.glaze = pyo.Constraint(expr=1 * model.vans + 1 * model.cars <= 80)\n")
    found = bound_findings(q, code, ["vans", "cars"])
    assert len(found) == 1 and "120" in found[0] and "maximum" in found[0]


def test_a_maximum_written_as_an_equality_becomes_the_bound_unless_the_text_says_exactly():
    q = "Ana has $50000 to invest in vans and cars. Vans earn 3% and cars earn 5%. Maximize the return."
    code = SCALARS + "model.budget = pyo.Constraint(expr=model.vans + model.cars == 50000)\n"
    fixed = fix_relations(code, q)
    assert fixed is not None and "model.vans + model.cars <= 50000" in fixed.code
    assert "is a maximum" in fixed.changes[0]
    needs = "The depot needs 400 hours of driving from vans and cars."  # a demand met exactly may be right
    assert fix_relations(code.replace("50000", "400"), needs) is None
    assert fix_relations(code, q.replace("to invest", "to invest, all of it")) is None


def test_a_negated_more_than_a_few_words_before_the_number_is_a_maximum():
    q = "The store does not want to spend more than $9000 on vans and cars. Maximize the reach."
    code = SCALARS + "model.spend = pyo.Constraint(expr=300 * model.vans + 500 * model.cars >= 9000)\n"
    found = bound_findings(q, code, ["vans", "cars"])
    assert len(found) == 1 and "maximum" in found[0]
    assert bound_findings("The store needs more than 9000 visits.", code, ["vans", "cars"]) == []
    # "no <thing> may ... more than": the negation is the subject's
    subject = "No vehicle type may get more than $9000 of the budget. Maximize the reach."
    found = bound_findings(subject, code, ["vans", "cars"])
    assert len(found) == 1 and "maximum" in found[0]


def test_a_share_against_the_total_the_wrong_way_round_or_as_its_complement_is_rewritten():
    q = "A shop rents vans and cars. At most 30% of the vehicles can be vans. Maximize the income."
    wrong_way = SCALARS + "model.s = pyo.Constraint(expr=model.vans >= 0.3 * (model.vans + model.cars))\n"
    fixed = fix_relations(wrong_way, q)
    assert "model.vans <= 0.3 * (model.vans + model.cars)" in fixed.code
    complement = SCALARS + "model.s = pyo.Constraint(expr=model.vans <= 0.7 * (model.vans + model.cars))\n"
    assert "model.vans <= 0.3 * (model.vans + model.cars)" in fix_relations(complement, q).code
    # the complement on the other decision says the same thing: left alone
    other = SCALARS + "model.s = pyo.Constraint(expr=model.cars >= 0.7 * (model.vans + model.cars))\n"
    assert fix_relations(other, q) is None
    right = wrong_way.replace(">=", "<=")
    assert fix_relations(right, q) is None


def test_what_one_item_requires_is_a_coefficient_not_a_minimum():
    q = ("A van requires 15 units of fuel and a car requires 9 units of fuel. The patient requires 30 units of rest. "
         "Maximize the trips.")
    code = SCALARS + "model.v = pyo.Constraint(expr=model.vans <= 15)\nmodel.r = pyo.Constraint(expr=model.cars <= 30)\n"
    found = bound_findings(q, code, ["vans", "cars"])
    assert len(found) == 1 and "30" in found[0]  # "the patient requires 30" is a need; "a van requires 15" is not


def test_more_wordings_of_a_multiple():
    code = SCALARS + "model.m = pyo.Constraint(expr=model.vans >= 2 * model.cars)\n"
    for q in ("The lot can hold at most twice the amount of vans as cars.",
              "The lot can hold at most twice the number of vans to that of cars.",
              "The lot can hold at most two times as many vans than cars.",
              "At most two times as many vans should be parked than cars."):
        fixed = fix_relations(code, q)
        assert fixed is not None and "model.vans <= 2 * model.cars" in fixed.code, q
    assert fix_relations(code.replace(">=", "<="), "The lot can hold at most twice the amount of vans as cars.") is None


def test_a_fraction_of_another_decision_written_with_the_wrong_factor_or_shape_is_rewritten():
    q = ("A bakery sells muffins and scones. The baker finds that the number of scones sold is at most a third of "
         "the number of muffins sold. Maximize the profit.")
    wrong_factor = SCALARS.replace("vans", "scones").replace("cars", "muffins") + \
        "model.r = pyo.Constraint(expr=model.scones <= 3 / 4 * model.muffins)\n"
    fixed = fix_relations(wrong_factor, q)
    assert "model.scones <= 1 / 3 * model.muffins" in fixed.code and "at most a third" in fixed.changes[0]
    # the same relation in other forms is left alone
    for right in ("model.scones <= model.muffins / 3", "3 * model.scones <= model.muffins",
                  "model.muffins >= 3 * model.scones", "model.scones - 1/3 * model.muffins <= 0"):
        code = wrong_factor.replace("model.scones <= 3 / 4 * model.muffins", right)
        assert fix_relations(code, q) is None, right
    # "at least a half as much as that in Y" written as a share of the sum
    q2 = ("An investor puts money into bonds and stocks. The money in bonds must be at least a half as much as "
          "that in stocks. Maximize the return.")
    share = HEAD + ("model.bonds = pyo.Var(domain=pyo.NonNegativeReals)\nmodel.stocks = pyo.Var(domain=pyo.NonNegativeReals)\n"
                    "model.r = pyo.Constraint(expr=model.bonds >= 0.5 * (model.bonds + model.stocks))\n")
    assert "model.bonds >= 0.5 * model.stocks" in fix_relations(share, q2).code
    # a share of a group ("a third of the pastries") names no single other decision: left alone
    q3 = "A bakery sells muffins and scones. At most a third of the pastries sold can be scones. Maximize the profit."
    assert fix_relations(wrong_factor, q3) is None
    # a comparison that uses a name the code never defines is left to the checks that run the code
    undefined = wrong_factor.replace("3 / 4 * model.muffins", "scone_cost / muffin_cost * model.muffins")
    assert fix_relations(undefined, q) is None


def test_fix_relations_leaves_the_reference_models_alone():
    from optolab.problems import load_problems

    for p in load_problems():
        assert fix_relations(p.code, p.text) is None, p.text[:80]


def test_an_explicit_minimum_written_as_an_equality_becomes_a_bound_even_when_its_number_is_also_a_coefficient():
    q = ("Two feeds, oats and hay, give protein and fiber. A bag of oats holds 20 units of protein and 40 units of "
         "fiber; a bag of hay holds 10 units of protein and 30 units of fiber. The horse needs at least 200 units of "
         "protein and 40 units of fiber a day. Minimize the cost.")
    code = SCALARS.replace("vans", "oats").replace("cars", "hay") + \
        "model.f = pyo.Constraint(expr=40 * model.oats + 30 * model.hay == 40)\n"
    fixed = fix_relations(code, q)
    assert "40 * model.oats + 30 * model.hay >= 40" in fixed.code
    # "needs 900 units" met exactly is often right: an equality on a number worded only by "needs" stays
    q2 = q.replace("needs at least 200 units of protein and 40 units of fiber", "needs 40 units of fiber")
    assert fix_relations(code, q2) is None


def test_a_share_rewritten_against_the_total_also_takes_the_texts_direction():
    q = "A shop rents vans and cars. At most 30% of the vehicles can be vans. Maximize the income."
    code = SCALARS + "model.s = pyo.Constraint(expr=model.vans >= 0.3 * model.cars)\n"
    fixed = fix_relations(code, q)
    assert "model.vans <= 0.3 * (model.vans + model.cars)" in fixed.code and len(fixed.changes) == 2


def test_a_minimum_written_as_the_upper_bound_of_a_var_moves_to_its_lower_bound():
    q = "A fleet has vans and cars. There must be at least 12 vans in use. Minimize the cost."
    code = (HEAD + "model.vans = pyo.Var(domain=pyo.NonNegativeIntegers, bounds=(0, 12))\n"
            "model.cars = pyo.Var(domain=pyo.NonNegativeIntegers)\n")
    fixed = fix_relations(code, q)
    assert "bounds=(12, None)" in fixed.code and "the bounds of model.vans" in fixed.changes[0]
    # a bound the text gives for something else ("at least 12 units of fuel") is not this decision's
    fuel = q.replace("at least 12 vans in use", "at least 12 units of fuel")
    assert fix_relations(code, fuel) is None


def test_must_take_more_a_than_b_written_the_other_way_is_turned_round():
    q = "A fleet uses vans and cars. The company must use more vans than cars. Minimize the cost."
    code = SCALARS + "model.o = pyo.Constraint(expr=model.vans <= model.cars)\n"
    fixed = fix_relations(code, q)
    assert "model.vans >= model.cars" in fixed.code
    assert fix_relations(code.replace("<=", ">="), q) is None


def test_half_the_number_of_and_hyphenated_names_are_read():
    q = ("A firm hires part-time and full-time staff. The number of full-time staff should be at least half the "
         "number of part-time staff. Minimize the wages.")
    code = SCALARS.replace("vans", "part_time").replace("cars", "full_time") + \
        "model.r = pyo.Constraint(expr=model.full_time >= model.part_time / 3)\n"
    fixed = fix_relations(code, q)
    assert fixed is not None and "model.full_time >= 0.5 * model.part_time" in fixed.code


def test_a_ratio_stated_as_a_requirement_becomes_an_equality():
    code = SCALARS + "model.c = pyo.Constraint(expr=model.cars >= 3 * model.vans)\n"
    for q in ("The dealer must stock 3 times more cars than vans. Minimize the cost.",
              "Because vans are rare, the number of cars must be three times the number of vans. Minimize the cost.",
              "There must be three times as many cars as vans. Minimize the cost."):
        fixed = fix_relations(code, q)
        assert fixed is not None, q
        assert "model.cars == 3 * model.vans" in fixed.code, q


def test_a_ratio_with_a_bound_word_or_no_requirement_stays_a_bound():
    code = SCALARS + "model.c = pyo.Constraint(expr=model.cars >= 3 * model.vans)\n"
    for q in ("The number of cars must be at least three times the number of vans. Minimize the cost.",
              "There must be three times as many cars as vans or more. Minimize the cost.",
              "The dealer likes three times as many cars as vans. Minimize the cost."):
        fixed = fix_relations(code, q)
        assert fixed is None or "model.cars >= 3 * model.vans" in fixed.code, q


def test_a_bound_whose_clause_names_another_decision_moves_to_it():
    code = HEAD + ("model.vans = pyo.Var(domain=pyo.NonNegativeIntegers, bounds=(6, None))\n"
                   "model.cars = pyo.Var(domain=pyo.NonNegativeIntegers, bounds=(0, None))\n"
                   "model.c = pyo.Constraint(expr=2 * model.vans + model.cars <= 40)\n")
    q = "A rental firm buys vans and cars with 40 parking spots. However, at least 6 vehicles must be cars. Maximize rent."
    fixed = fix_relations(code, q)
    assert fixed is not None
    assert "model.vans = pyo.Var(domain=pyo.NonNegativeIntegers, bounds=(0, None))" in fixed.code
    assert "model.cars = pyo.Var(domain=pyo.NonNegativeIntegers, bounds=(6, None))" in fixed.code
    assert fix_relations(code, q.replace("must be cars", "must be vans")) is None


def test_half_as_much_is_a_multiple_of_one_half():
    q = "A pool gets chlorine and softener. There must be at most half as much chlorine as softener. Minimize time."
    code = HEAD + ("model.chlorine = pyo.Var(domain=pyo.NonNegativeReals)\n"
                   "model.softener = pyo.Var(domain=pyo.NonNegativeReals)\n")
    wrong = code + "model.mix = pyo.Constraint(expr=model.chlorine >= 0.5 * model.softener)\n"
    assert "`chlorine <= 0.5 * softener`" in multiple_findings(q, wrong, ["chlorine", "softener"])[0]
    assert "model.mix = pyo.Constraint(expr=model.chlorine <= 0.5 * model.softener)" in fix_relations(wrong, q).code
    assert multiple_findings(q, code + "model.mix = pyo.Constraint(expr=model.chlorine <= 0.5 * model.softener)\n",
                             ["chlorine", "softener"]) == []
