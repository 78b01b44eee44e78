"""The goal's own numbers read against the numbers of the objective."""

import pytest

from optolab.agents.goal import goal_number_findings, goal_of, objective_numbers, root, tied_numbers

HEAD = ("import pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\n"
        "model.ramen = pyo.Var(domain=pyo.NonNegativeIntegers)\nmodel.fries = pyo.Var(domain=pyo.NonNegativeIntegers)\n")
DIET = ("Each pack of ramen contains 400 calories, 20 grams of protein, and 100 mg of sodium. Each pack of fries "
        "contains 300 calories, 10 grams of protein, and 75 mg of sodium. He wants at least 3000 calories and "
        "80 grams of protein. How many of each should he eat to minimize his sodium intake?")


def test_an_objective_built_from_another_attributes_numbers_is_found():
    wrong = HEAD + ("model.obj = pyo.Objective(expr=400 * model.ramen + 300 * model.fries, sense=pyo.minimize)\n"
                    "model.cal = pyo.Constraint(expr=400 * model.ramen + 300 * model.fries >= 3000)\n")
    found = goal_number_findings(DIET, wrong)
    assert len(found) == 1
    assert "minimize his sodium intake" in found[0] and '100 ("of protein and 100 mg of sodium")' in found[0]
    assert "it now uses 300, 400" in found[0]
    right = wrong.replace("expr=400 * model.ramen + 300 * model.fries, sense", "expr=100 * model.ramen + 75 * "
                                                                                 "model.fries, sense")
    assert goal_number_findings(DIET, right) == []
    # the same numbers read through names and dicts the code sets at the top level
    via_dict = HEAD + ("sodium = {'ramen': 100, 'fries': 75}\n"
                       "model.obj = pyo.Objective(expr=sodium['ramen'] * model.ramen + sodium['fries'] * model.fries)\n")
    assert goal_number_findings(DIET, via_dict) == []
    via_rule = HEAD + ("def obj_rule(m):\n    return 100 * m.ramen + 75 * m.fries\n"
                       "model.obj = pyo.Objective(rule=obj_rule, sense=pyo.minimize)\n")
    assert objective_numbers(via_rule) == {100.0, 75.0} and goal_number_findings(DIET, via_rule) == []


def test_the_goal_head_and_the_numbers_tied_to_it():
    g = goal_of("How many of each light should be installed to reduce the total number of light changes?")
    assert g.verb == "reduce" and g.roots == {root("changes")} == {"chang"}
    assert goal_of("Minimize his sodium intake.").roots == {"sodiu"}  # "intake" says how much, not what
    assert goal_of("The goal is to maximize.") is None
    # the thing, not what is done to it: "spots required", "waste produced", "customers attracted every hour"
    assert goal_of("Minimize the total number of parking spots required by the crew.").roots == {"spot"}
    assert goal_of("How long should each run to minimize the total amount of waste produced?").roots == {"wast"}
    assert goal_of("Maximize the total number of customers attracted every hour.").roots == {"custo"}
    assert goal_of("Minimize the amount of feed used.").roots == {"feed"}
    text = "An LED needs to be changed 3 times a decade. A regular fire fighter works 10 hours per shift."
    assert set(tied_numbers(text, frozenset({"chang"}))) == {3.0}
    # the thing a sentence describes is not what its number measures; limits and names are not coefficients
    assert tied_numbers(text, frozenset({"fight"})) == {}
    assert tied_numbers("He needs at least 100 mg of sodium.", frozenset({"sodiu"})) == {}
    assert tied_numbers("Experiment 2 produces 5 units of gas.", frozenset({"gas"})) == {5.0: "experiment produces 5 units of gas"}


def test_money_goals_take_dollar_amounts_and_percentages():
    text = ("Jacob has $3000 to invest in a clothing company and a tech company. The clothing company earns 7% "
            "and the tech company earns 10%. How much should he invest in each to maximize his profit?")
    code = HEAD.replace("ramen", "clothing").replace("fries", "tech") + \
        "model.obj = pyo.Objective(expr=0.07 * model.clothing + 0.1 * model.tech, sense=pyo.maximize)\n"
    assert 0.07 in tied_numbers(text, goal_of(text).roots)
    assert goal_number_findings(text, code) == []


def test_no_finding_without_goal_numbers_or_objective_numbers():
    counting = HEAD + "model.obj = pyo.Objective(expr=model.ramen + model.fries, sense=pyo.minimize)\n"
    assert goal_number_findings(DIET, counting) == []  # no numbers in the objective: nothing to compare
    vague = "Each pack of ramen costs 4 and fries cost 3. Minimize his waistline."
    assert goal_number_findings(vague, HEAD + "model.obj = pyo.Objective(expr=4 * model.ramen)\n") == []
    assert goal_number_findings(DIET, "model.obj = (") == []


def test_no_goal_findings_on_the_reference_models_and_worked_examples():
    from optolab.agents.codegen import generate_code
    from optolab.agents.formulation import Formulation
    from optolab.agents.retrieval import ExampleBank
    from optolab.problems import load_problems

    pairs = [(p.text, p.code) for p in load_problems()]
    pairs += [(ex.question, generate_code(Formulation.model_validate(ex.formulation)).code)
              for ex in ExampleBank.default().examples]
    assert len(pairs) > 60 and sum(1 for q, _ in pairs if goal_of(q)) > 15
    from optolab.agents.goal import ratio_goal_findings

    from optolab.agents.goal import fix_goal_objective

    for question, code in pairs:
        assert goal_number_findings(question, code) == [], question[:80]
        assert ratio_goal_findings(question, code) == [], question[:80]
        assert fix_goal_objective(code, question) is None, question[:80]


def test_the_objective_is_rebuilt_from_the_goal_numbers_of_each_decision(pool):
    from optolab.agents import Modeler
    from optolab.agents.goal import fix_goal_objective
    from optolab.testing import ScriptedLLM

    wrong = HEAD + ("model.obj = pyo.Objective(expr=400 * model.ramen + 300 * model.fries, sense=pyo.minimize)\n"
                    "model.cal = pyo.Constraint(expr=400 * model.ramen + 300 * model.fries >= 3000)\n"
                    "model.pro = pyo.Constraint(expr=20 * model.ramen + 10 * model.fries >= 80)\n")
    fixed = fix_goal_objective(wrong, DIET)
    assert "Objective(expr=100 * model.ramen + 75 * model.fries, sense=pyo.minimize)" in fixed.code
    assert fixed.changes == ["the objective `400 * model.ramen + 300 * model.fries` became `100 * model.ramen + "
                             "75 * model.fries`: the question asks to minimize his sodium intake, and these are the "
                             "numbers the text gives for it"]
    assert fix_goal_objective(fixed.code, DIET) is None  # nothing left to fix
    # a sentence that gives the goal numbers of both decisions at once does not say which is whose
    mixed = DIET.replace("and 100 mg of sodium. Each pack of fries", "and 100 mg of sodium, as fries do, and fries")
    assert fix_goal_objective(wrong, mixed) is None
    # an objective of another shape is left to the repair (the finding still says what is wrong)
    squared = wrong.replace("expr=400 * model.ramen + 300 * model.fries, sense", "expr=(400 * model.ramen) ** 2, sense")
    assert fix_goal_objective(squared, DIET) is None and goal_number_findings(DIET, squared)
    with Modeler(ScriptedLLM(["```python\n" + wrong + "```"]), sandbox=pool, strategies=("program",)) as m:
        s = m.solve(DIET)
    # both give 0.25 mg of sodium per calorie, so 3000 calories cost 750 mg; as written the objective was 3000
    assert s.ok and len(s.attempts) == 1 and "100 * model.ramen + 75 * model.fries" in s.code
    assert s.objective == 750 and s.attempts[0].findings == []


RATIO_Q = ("A workshop makes desks and shelves. A desk earns $70 and takes 4 hours; a shelf earns $30 and takes "
           "2 hours. There are 40 hours of work, at most 8 desks can be sold and at least 2 shelves must be made. "
           "The workshop wants to maximize the profit per hour of work (the total profit divided by the total "
           "hours used).")  # 8 desks, 4 shelves: 680 / 40 = 17; 8 desks, 2 shelves: 620 / 36 = 17.22
SUM_CODE = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
profit = {'desk': 70, 'shelf': 30}
hours = {'desk': 4, 'shelf': 2}
model.x = pyo.Var(['desk', 'shelf'], domain=pyo.NonNegativeIntegers)
model.objective = pyo.Objective(expr=sum(profit[k] * model.x[k] for k in profit), sense=pyo.maximize)
model.hours = pyo.Constraint(expr=sum(hours[k] * model.x[k] for k in hours) <= 40)
model.sales = pyo.Constraint(expr=model.x['desk'] <= 8)
model.shelves = pyo.Constraint(expr=model.x['shelf'] >= 2)
"""
RATIO_CODE = SUM_CODE.replace(
    "expr=sum(profit[k] * model.x[k] for k in profit)",
    "expr=sum(profit[k] * model.x[k] for k in profit) / sum(hours[k] * model.x[k] for k in hours)")


def test_ratio_goals_are_read_from_the_text():
    from optolab.agents.goal import ratio_goal

    assert ratio_goal(RATIO_Q) == ("maximize", "profit per hour of work (the total profit divided by the total hours "
                                               "used)")
    assert ratio_goal("The city aims to maximize the Energy-Impact Ratio.")[1] == "Energy-Impact Ratio"
    assert ratio_goal("It wants to maximize the average net profit per truck.")[1] == "average net profit per truck"
    assert ratio_goal("minimize the cost per unit of energy produced")[1] == "cost per unit of energy produced"
    # rates per period, and data after a comma, are not ratios
    assert ratio_goal("The bakery wants to maximize its profit per week.") is None
    assert ratio_goal("minimize the total cost of planting, where the cost per acre is $2 for wheat") is None
    assert ratio_goal(DIET) is None


def test_a_ratio_goal_with_an_objective_that_divides_by_no_decision_is_a_finding():
    from optolab.agents.goal import objective_divides, ratio_goal_findings

    assert objective_divides(SUM_CODE) is False and objective_divides(RATIO_CODE) is True
    assert objective_divides(SUM_CODE.replace("for k in profit)", "for k in profit) / 40")) is False
    helper = SUM_CODE.replace("model.objective = pyo.Objective(expr=sum(profit[k] * model.x[k] for k in profit)",
                              "total_hours = sum(hours[k] * model.x[k] for k in hours)\n"
                              "total = sum(profit[k] * model.x[k] for k in profit) / total_hours\n"
                              "model.objective = pyo.Objective(expr=total")
    assert objective_divides(helper) is True  # through the names the objective reads
    assert objective_divides("x = (") is None
    multiplied = SUM_CODE.replace("model.objective = pyo.Objective(expr=sum(profit[k] * model.x[k] for k in profit)",
                                  "model.rate = pyo.Var()\nmodel.objective = pyo.Objective(expr=model.rate")
    multiplied += ("model.rate_def = pyo.Constraint(expr=model.rate * sum(hours[k] * model.x[k] for k in hours) == "
                   "sum(profit[k] * model.x[k] for k in profit))\n")
    assert objective_divides(multiplied) is True
    (finding,) = ratio_goal_findings(RATIO_Q, SUM_CODE)
    assert "maximize profit per hour of work" in finding and "divided by the other" in finding
    assert ratio_goal_findings(RATIO_Q, RATIO_CODE) == []
    assert ratio_goal_findings(DIET, SUM_CODE) == []


def test_a_ratio_goal_modelled_as_a_sum_is_sent_back_and_the_ratio_is_solved(pool):
    import pytest

    from optolab.agents import Modeler
    from optolab.testing import ScriptedLLM

    fence = "```python\n{}```".format
    with Modeler(ScriptedLLM([fence(SUM_CODE), fence(RATIO_CODE)]), sandbox=pool, strategies=("program",),
                 retry="repair") as m:
        s = m.solve(RATIO_Q)
    assert "a ratio of two totals" in m.llm.calls[1]["messages"][-1]["content"]
    assert s.ok and s.objective == pytest.approx(620 / 36, rel=1e-6)
    assert s.attempts[0].objective == pytest.approx(680)


COUNT_Q = ("A school hires minibuses and coaches for a trip. A minibus seats 15 pupils and costs $200; a coach seats 40 "
           "pupils and costs $500. At least 300 pupils travel, and at most 30% of the vehicles may be coaches. How "
           "many of each should it hire to minimize the total number of vehicles needed?")
COUNT_CODE = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.minibus = pyo.Var(domain=pyo.NonNegativeIntegers)
model.coach = pyo.Var(domain=pyo.NonNegativeIntegers)
model.objective = pyo.Objective(expr=200 * model.minibus + 500 * model.coach, sense=pyo.minimize)
model.seats = pyo.Constraint(expr=15 * model.minibus + 40 * model.coach >= 300)
model.share = pyo.Constraint(expr=model.coach <= 0.3 * (model.minibus + model.coach))
"""  # 10 minibuses and 4 coaches: 14 vehicles (13 seat at most 270 pupils within the 30% share)


def test_a_count_goal_weighted_by_other_numbers_becomes_the_plain_count():
    from optolab.agents.goal import fix_count_objective

    fixed = fix_count_objective(COUNT_CODE, COUNT_Q)
    assert "Objective(expr=model.minibus + model.coach, sense=pyo.minimize)" in fixed.code
    assert fixed.changes[0].startswith("the objective `200 * model.minibus + 500 * model.coach` became "
                                       "`model.minibus + model.coach`: the question asks to minimize the total "
                                       "number of vehicles needed")
    assert fix_count_objective(fixed.code, COUNT_Q) is None  # already a plain count
    # a rate of the counted thing ("50 boxes per trip") does not say how many trips there are
    trips = ("A bakery ships boxes by van or by truck. A van carries 50 boxes per trip and a truck 80 boxes per trip. "
             "At least 1500 boxes must be shipped. Minimize the total number of trips.")
    code = COUNT_CODE.replace("minibus", "van").replace("coach", "truck").replace("200 *", "50 *").replace("500 *", "80 *")
    assert "expr=model.van + model.truck" in fix_count_objective(code, trips).code
    # weights the code names (``cost_minibus = 200``) weigh the same as written numbers
    named = COUNT_CODE.replace("model.objective = pyo.Objective(expr=200 * model.minibus + 500 * model.coach",
                               "cost_minibus = 200\ncost_coach = 500\nmodel.objective = pyo.Objective("
                               "expr=cost_minibus * model.minibus + cost_coach * model.coach")
    assert "Objective(expr=model.minibus + model.coach, sense=pyo.minimize)" in fix_count_objective(named, COUNT_Q).code


def test_a_count_goal_keeps_weights_the_text_gives_for_the_counted_thing():
    from optolab.agents.goal import fix_count_objective

    pupils = COUNT_Q.replace("the total number of vehicles needed", "the total number of pupils carried")
    carried = COUNT_CODE.replace("200 * model.minibus + 500 * model.coach", "15 * model.minibus + 40 * model.coach")
    assert fix_count_objective(carried, pupils.replace("minimize", "maximize")) is None  # "seats 15 pupils"
    spelled = pupils.replace("seats 15 pupils", "seats fifteen pupils").replace("seats 40", "seats forty")
    assert fix_count_objective(carried, spelled) is None  # the same numbers written as words
    # continuous decisions are amounts, not counts; a goal that is not a count; weights that are names the code
    # does not set to a number
    assert fix_count_objective(COUNT_CODE.replace("NonNegativeIntegers", "NonNegativeReals"), COUNT_Q) is None
    assert fix_count_objective(COUNT_CODE, COUNT_Q.replace("the total number of vehicles needed", "the cost")) is None
    named = COUNT_CODE.replace("expr=200 * model.minibus", "expr=price * model.minibus").replace(
        "model = pyo.ConcreteModel()", "model = pyo.ConcreteModel()\nprice = get_price()")
    assert fix_count_objective(named, COUNT_Q) is None


def test_no_count_fix_on_the_reference_models_and_worked_examples():
    from optolab.agents.codegen import generate_code
    from optolab.agents.formulation import Formulation
    from optolab.agents.goal import fix_count_objective
    from optolab.agents.retrieval import ExampleBank
    from optolab.problems import load_problems

    pairs = [(p.text, p.code) for p in load_problems()]
    pairs += [(ex.question, generate_code(Formulation.model_validate(ex.formulation)).code)
              for ex in ExampleBank.default().examples]
    assert [q[:80] for q, code in pairs if fix_count_objective(code, q) is not None] == []


def test_the_program_strategy_solves_the_count_the_question_asks_for(pool):
    from optolab.agents import Modeler
    from optolab.testing import ScriptedLLM

    with Modeler(ScriptedLLM(["```python\n" + COUNT_CODE + "```"]), sandbox=pool) as m:
        s = m.solve(COUNT_Q)
    assert s.ok and s.objective == 14 and len(s.attempts) == 1
    assert "model.minibus + model.coach, sense=pyo.minimize" in s.code


def test_the_formulation_strategy_counts_too(pool):
    from optolab.agents import Modeler
    from optolab.testing import ScriptedLLM

    formulation = {
        "variables": [{"name": "minibus", "type": "integer"}, {"name": "coach", "type": "integer"}],
        "objective": {"sense": "minimize", "expression": "200*minibus + 500*coach"},
        "constraints": [{"name": "seats", "expression": "15*minibus + 40*coach >= 300"},
                        {"name": "share", "expression": "coach <= 0.3*(minibus + coach)"}]}
    with Modeler(ScriptedLLM([formulation]), sandbox=pool, strategies=("formulation",)) as m:
        s = m.solve(COUNT_Q)
    assert s.ok and s.objective == 14 and len(s.attempts) == 1
    assert any("became `minibus + coach`" in note for note in s.attempts[0].changes), s.attempts[0]


def test_an_objective_that_mixes_the_goal_numbers_with_another_attributes_is_rebuilt():
    from optolab.agents.goal import fix_goal_objective

    text = ("A baker makes muffins and scones. One muffin contains 5 grams of fibre, 3 grams of fat and 5 grams of "
            "sugar. One scone contains 7 grams of fibre, 5 grams of fat and 6 grams of sugar. The tray must hold at "
            "least 80 grams of fibre. How many of each should go on the tray to minimize the total sugar?")
    code = HEAD.replace("ramen", "muffin").replace("fries", "scone") + (
        "model.obj = pyo.Objective(expr=5 * model.muffin + 7 * model.scone, sense=pyo.minimize)\n"
        "model.fibre = pyo.Constraint(expr=5 * model.muffin + 7 * model.scone >= 80)\n")
    assert goal_number_findings(text, code) == []  # 5 is one of the sugar numbers, so no finding
    fixed = fix_goal_objective(code, text)
    assert "Objective(expr=5 * model.muffin + 6 * model.scone, sense=pyo.minimize)" in fixed.code
    assert fix_goal_objective(fixed.code, text) is None
    # money goals tie every dollar amount of a sentence to the goal: a cost sentence would give the weights
    money = ("A farmer plants wheat and corn. For each acre of wheat, $22 of water is needed. For each acre of corn, "
             "$25 of water is needed. The profit per acre of wheat is $56 and per acre of corn is $75. The farmer "
             "has $10000 for water. Maximize profit.")
    profit = HEAD.replace("ramen", "wheat").replace("fries", "corn") + (
        "model.obj = pyo.Objective(expr=56 * model.wheat + 75 * model.corn, sense=pyo.maximize)\n")
    assert fix_goal_objective(profit, money) is None


def test_a_sentence_about_two_decisions_in_turn_gives_each_its_number():
    from optolab.agents.goal import fix_goal_objective, numbers_by_decision

    text = ("A depot uses vans and lorries. A van takes up 1 parking bay and carries 6 crates, whereas a lorry takes "
            "up 3 parking bays while carrying 20 crates. At least 200 crates must move. Minimize the parking bays used.")
    assert numbers_by_decision(text, ["vans", "lorries"], goal_of(text).roots, keep_one=True) == {"vans": 1.0,
                                                                                                   "lorries": 3.0}
    code = HEAD.replace("ramen", "vans").replace("fries", "lorries") + (
        "model.obj = pyo.Objective(expr=3 * model.vans + 1 * model.lorries, sense=pyo.minimize)\n")
    assert "expr=1 * model.vans + 3 * model.lorries" in fix_goal_objective(code, text).code
    # "while carrying 20 crates" names no decision: it goes on about the lorry before it
    assert numbers_by_decision(text, ["vans", "lorries"], frozenset({root("crates")}), keep_one=True) == {"vans": 6.0,
                                                                                                  "lorries": 20.0}
    # a count of the decisions themselves is the count fix's: no per-decision numbers weigh it
    count = text.replace("Minimize the parking bays used.", "Minimize the total number of vehicles.")
    plain = code.replace("3 * model.vans + 1 * model.lorries", "model.vans + model.lorries")
    assert fix_goal_objective(plain, count) is None


def test_only_after_a_per_unit_verb_is_a_coefficient_not_a_limit():
    text = ("A big tent holds 8 campers while a small tent can hold only 3 campers. The site has only 40 pitches.")
    assert set(tied_numbers(text, frozenset({root("campers")}))) == {8.0, 3.0}
    assert tied_numbers(text, frozenset({root("pitches")})) == {}


def test_a_count_of_something_other_than_the_decisions_is_rebuilt_from_its_numbers():
    from optolab.agents.goal import fix_goal_objective

    text = ("A festival hires big stages and small stages. A big stage seats 900 people and takes up 3 parking "
            "lots whereas a small stage seats 300 people and takes up 1 parking lot. At least 6000 people must be "
            "seated. Minimize the total number of parking lots used.")
    head = HEAD.replace("ramen", "big").replace("fries", "small")
    swapped = head + ("model.obj = pyo.Objective(expr=1 * model.big + 3 * model.small, sense=pyo.minimize)\n"
                      "model.seats = pyo.Constraint(expr=900 * model.big + 300 * model.small >= 6000)\n")
    fixed = fix_goal_objective(swapped, text)
    assert fixed is not None and "became `3 * model.big + 1 * model.small`" in fixed.changes[0]
    # numbers per trip are rates of the counted thing, not counts of it: the plain count stays
    trips = ("Vans carry 40 crates per trip and trucks carry 90 crates per trip. A van trip costs $20 and a truck "
             "trip costs $45. At least 900 crates must move. Minimize the total number of trips.")
    plain = HEAD.replace("ramen", "van").replace("fries", "truck") + \
        "model.obj = pyo.Objective(expr=model.van + model.truck, sense=pyo.minimize)\n"
    assert fix_goal_objective(plain, trips) is None


def test_how_often_the_counted_thing_is_done_weighs_a_count_goal():
    from optolab.agents.checks import foreign_numbers
    from optolab.agents.goal import fix_count_objective

    text = ("A kitchen staffs grill cooks and fryer cooks. A grill cook serves 30 guests and must clean the station "
            "four times a shift; a fryer cook serves 45 guests and must clean it ten times a shift. At least 300 "
            "guests must be served. How many of each cook should work to minimize the total number of cleanings?")
    code = HEAD.replace("ramen", "grill").replace("fries", "fryer") + (
        "model.obj = pyo.Objective(expr=4 * model.grill + 10 * model.fryer, sense=pyo.minimize)\n"
        "model.guests = pyo.Constraint(expr=30 * model.grill + 45 * model.fryer >= 300)\n")
    assert fix_count_objective(code, text) is None  # "clean ... four times": the weights are the text's
    assert foreign_numbers(text, {4.0, 10.0, 30.0, 45.0, 300.0}) == []  # numbers written as words count
    assert fix_count_objective(code.replace("4 * model.grill + 10", "30 * model.grill + 45"), text) is not None


def test_a_goal_verb_used_as_a_noun_is_not_the_goal():
    text = ("The bakery expects an increase in demand. How many ovens of each kind should it buy to decrease the "
            "total number of ovens needed?")
    assert goal_of(text).phrase == "the total number of ovens needed" and goal_of(text).roots == {"oven"}


def test_a_money_goal_with_the_decisions_amounts_mixed_up_is_rebuilt_but_a_margin_is_not():
    from optolab.agents.goal import fix_goal_objective

    text = ("Each tray of muffins costs $5 and gives 12 portions. Each tray of scones costs $3 and gives 8 "
            "portions. At least 96 portions are needed. Minimize the cost.")
    head = HEAD.replace("ramen", "muffins").replace("fries", "scones")
    mixed = head + "model.obj = pyo.Objective(expr=3 * model.muffins + 3 * model.scones, sense=pyo.minimize)\n"
    fixed = fix_goal_objective(mixed, text)
    assert fixed is not None and "5 * model.muffins + 3 * model.scones" in fixed.code
    profit = ("Each tray of muffins sells for $9 and costs $5 to bake. Each tray of scones sells for $6 and costs $3 "
              "to bake. The oven takes at most 20 trays. Maximize the profit.")
    margin = head + "model.obj = pyo.Objective(expr=4 * model.muffins + 3 * model.scones, sense=pyo.maximize)\n"
    assert fix_goal_objective(margin, profit) is None  # price less cost, worked out: left alone


def test_a_count_the_text_gives_per_decision_is_a_weighted_sum_not_the_plain_count():
    from optolab.agents.goal import fix_count_objective, fix_goal_objective

    text = ("A hotel installs halogen lamps and LED panels. A halogen lamp uses 6 units of power and must be replaced "
            "5 times a year. An LED panel uses 9 units of power and must be replaced 2 times a year. At least 200 "
            "lights are needed. How many of each should be installed to minimize the total number of replacements?")
    code = HEAD.replace("ramen", "halogen").replace("fries", "led") + \
        "model.obj = pyo.Objective(expr=6 * model.halogen + 9 * model.led, sense=pyo.minimize)\n"
    assert fix_count_objective(code, text) is None  # replaced 5 and 2 times: not a plain count of the lamps
    fixed = fix_goal_objective(code, text)
    assert fixed is not None and "expr=5 * model.halogen + 2 * model.led" in fixed.code


def test_a_goal_asked_as_find_the_minimum_number_of():
    g = goal_of("Each plane carries 40 people and each bus 30 people. Find the minimum number of planes needed.")
    assert g.verb == "minimize" and g.phrase == "number of planes" and g.roots == {"plan"}
    assert goal_of("What is the maximum amount of juice that can be made?").verb == "maximize"
    assert goal_of("He needs a minimum of 10 workers. Maximize profit.").phrase == "profit"


def test_a_count_of_some_material_takes_the_units_the_text_gives_for_its_first_word():
    from optolab.agents.goal import fix_count_objective, fix_goal_objective

    text = ("A bakery makes tarts and pies. A tart needs 4 units of flour and 3 units of icing. A pie needs 5 units "
            "of flour and 1 unit of icing. The bakery has 400 units of flour and must make at least 20 pies. How "
            "many of each should it make to minimize the total number of icing material used?")
    assert goal_of(text).roots >= {root("icing")}
    code = ("import pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\n"
            "model.tarts = pyo.Var(domain=pyo.NonNegativeIntegers)\nmodel.pies = pyo.Var(domain=pyo.NonNegativeIntegers)\n"
            "model.obj = pyo.Objective(expr=1 * model.tarts + 3 * model.pies, sense=pyo.minimize)\n")
    assert fix_count_objective(code, text) is None  # the weights are units of icing, not a count of the decisions
    fixed = fix_goal_objective(code, text)
    assert "3 * model.tarts + 1 * model.pies" in fixed.code  # the text's numbers, each on its own decision


def test_decisions_named_after_the_goal_and_weighted_by_other_numbers_get_the_goal_numbers():
    from optolab.agents.goal import fix_goal_objective

    text = ("A circus shows seals and parrots. A seal does 4 stunts at a time and needs 6 fish. A parrot does 1 stunt "
            "at a time and needs 2 fish. There are 120 fish. Maximize the total number of stunts.")
    code = HEAD.replace("ramen", "seal_stunts").replace("fries", "parrot_stunts") + (
        "model.obj = pyo.Objective(expr=4 * model.seal_stunts + 2 * model.parrot_stunts, sense=pyo.maximize)\n"
        "model.fish = pyo.Constraint(expr=6 * model.seal_stunts + 2 * model.parrot_stunts <= 120)\n")
    fixed = fix_goal_objective(code, text)
    assert fixed is not None and "expr=4 * model.seal_stunts + 1 * model.parrot_stunts" in fixed.code
    # summed with weight 1, decisions named after the goal count it: left alone
    count = code.replace("4 * model.seal_stunts + 2 * model.parrot_stunts, sense",
                         "model.seal_stunts + model.parrot_stunts, sense")
    assert fix_goal_objective(count, text) is None


def test_spelled_numbers_of_how_often_something_is_done_weigh_a_count_goal():
    from optolab.agents.goal import fix_goal_objective

    text = ("A cafe serves by counter or by tray. Counter staff serve 40 guests and restock cups five times an hour. "
            "Tray staff serve 55 guests an hour, while restocking cups twelve times an hour. The cafe must serve 300 "
            "guests an hour. How many of each should it staff to minimize the total number of restocks per hour?")
    code = HEAD.replace("ramen", "counter_staff").replace("fries", "tray_staff") + (
        "model.obj = pyo.Objective(expr=model.counter_staff + model.tray_staff, sense=pyo.minimize)\n"
        "model.guests = pyo.Constraint(expr=40 * model.counter_staff + 55 * model.tray_staff >= 300)\n")
    fixed = fix_goal_objective(code, text)
    assert fixed is not None and "expr=5 * model.counter_staff + 12 * model.tray_staff" in fixed.code


def test_the_goal_in_the_question_beats_a_purpose_in_the_opening_and_a_count_collapses_repeats():
    from optolab.agents.goal import fix_count_objective

    text = ("A ferry firm can buy boats or rafts to increase its capacity for more riders. A boat seats 60 riders "
            "and a raft seats 20 riders. At least 900 riders must be seated. How many of each should it buy to "
            "decrease the total number of vessels needed?")
    assert goal_of(text).verb == "decrease" and goal_of(text).roots == frozenset({root("vessels")})
    code = HEAD.replace("ramen", "boats").replace("fries", "rafts") + (
        "model.obj = pyo.Objective(expr=model.boats * 60 + 20 * model.rafts - model.boats * 5, sense=pyo.minimize)\n"
        "model.seat = pyo.Constraint(expr=60 * model.boats + 20 * model.rafts >= 900)\n")
    fixed = fix_count_objective(code, text)
    assert fixed is not None and "Objective(expr=model.boats + model.rafts" in fixed.code


def test_a_goal_written_minimizes_and_numbers_set_in_one_tuple_are_read():
    goal = goal_of("Which route plan minimizes the total fuel, and how much fuel is that?")
    assert goal is not None and goal.verb == "minimize" and goal.phrase == "the total fuel"
    assert goal_of("The new belt lowers costs. Which plan maximizes the profit?").phrase == "the profit"
    code = ("import pyomo.environ as pyo\nrate, fee = 4, 30\nmodel = pyo.ConcreteModel()\n"
            "model.x = pyo.Var(domain=pyo.NonNegativeReals)\n"
            "model.obj = pyo.Objective(expr=rate * model.x + fee)\n")
    assert objective_numbers(code) == {4.0, 30.0}
    from optolab.agents.relation_core import constant_values
    import ast
    assert constant_values(ast.parse(code)) == {"rate": 4.0, "fee": 30.0}


def test_an_objective_that_adds_another_attributes_named_numbers_is_rebuilt_from_the_goals():
    from optolab.agents.goal import fix_goal_objective

    q = ("Each jar of jam has 12 grams of fibre and 30 grams of sugar. Each jar of honey has 4 grams of fibre and 40 "
         "grams of sugar. At most 200 grams of sugar may be eaten. How many jars of each maximize the fibre intake?")
    code = """import pyomo.environ as pyo
fibre_jam, sugar_jam, fibre_honey, sugar_honey = 12, 30, 4, 40
model = pyo.ConcreteModel()
model.jam = pyo.Var(domain=pyo.NonNegativeIntegers)
model.honey = pyo.Var(domain=pyo.NonNegativeIntegers)
model.obj = pyo.Objective(expr=fibre_jam * model.jam + sugar_jam * model.jam + fibre_honey * model.honey + sugar_honey * model.honey, sense=pyo.maximize)
model.sugar = pyo.Constraint(expr=sugar_jam * model.jam + sugar_honey * model.honey <= 200)
"""
    fixed = fix_goal_objective(code, q)
    assert fixed is not None
    assert "model.obj = pyo.Objective(expr=12 * model.jam + 4 * model.honey, sense=pyo.maximize)" in fixed.code


def test_an_objective_adding_what_each_item_costs_to_its_profit_is_rebuilt_but_price_less_cost_is_not():
    from optolab.agents.goal import fix_goal_objective

    text = ("A shop pays a baker $4 and $6 for each regular and filled donut respectively. The shop makes a profit of "
            "$2 per regular donut and a profit of $3 per filled donut. It sells at most 1000 donuts a month. How many "
            "of each should it buy to maximize the total monthly profit?")
    head = HEAD.replace("ramen", "regular").replace("fries", "filled")
    added = head + ("model.obj = pyo.Objective(expr=4 * model.regular + 6 * model.filled + 2 * model.regular"
                    " + 3 * model.filled, sense=pyo.maximize)\n")
    fixed = fix_goal_objective(added, text)
    assert fixed is not None and "expr=2 * model.regular + 3 * model.filled" in fixed.code
    # the same amounts subtracted are a margin someone worked out: no plain sum, left alone
    margin = head + ("model.obj = pyo.Objective(expr=6 * model.regular - 4 * model.regular + 9 * model.filled"
                     " - 6 * model.filled, sense=pyo.maximize)\n")
    assert fix_goal_objective(margin, text) is None


def test_a_stated_cost_in_a_profit_objective_is_replaced_by_the_stated_profit():
    from optolab.agents.goal import fix_goal_objective

    text = ("A kiosk buys muffins and scones from a bakery. It pays $3 for each muffin and $5 for each scone. "
            "The kiosk makes a profit of $1 per muffin and a profit of $2 per scone. It can sell at most 300 "
            "pastries a week and spend at most $1200 on them. How many of each should it buy to maximize "
            "its weekly profit?")
    code = HEAD + ("model.muffins = pyo.Var(domain=pyo.NonNegativeIntegers)\n"
                   "model.scones = pyo.Var(domain=pyo.NonNegativeIntegers)\n"
                   "model.obj = pyo.Objective(expr=3 * model.muffins + 5 * model.scones, sense=pyo.maximize)\n"
                   "model.sold = pyo.Constraint(expr=model.muffins + model.scones <= 300)\n"
                   "model.spent = pyo.Constraint(expr=3 * model.muffins + 5 * model.scones <= 1200)\n")
    fixed = fix_goal_objective(code, text)
    assert fixed is not None and "Objective(expr=1 * model.muffins + 2 * model.scones" in fixed.code
    assert fix_goal_objective(fixed.code, text) is None
    # a margin the model computed (price less cost) is not a stated amount: left alone
    margin = text.replace("The kiosk makes a profit of $1 per muffin and a profit of $2 per scone.",
                          "A muffin sells for $4 and a scone for $7.")
    assert fix_goal_objective(code.replace("expr=3 * model.muffins + 5 * model.scones, sense",
                                           "expr=1 * model.muffins + 2 * model.scones, sense"), margin) is None
    # amounts tied to the goal by "$" alone (no word of the goal beside them) are not enough to replace stated ones
    earns = text.replace("makes a profit of $1 per muffin and a profit of $2 per scone",
                         "earns $1 per muffin and $2 per scone")
    assert fix_goal_objective(code, earns) is None


FENCE = "A rectangular pen must enclose at least 1600 square feet. What dimensions minimize the fence material needed?"


def test_an_objective_that_is_a_binding_limit_is_reported():
    from optolab.agents.goal import bound_objective_findings
    from optolab.problems import load_problems

    code = HEAD + ("model.length = pyo.Var(bounds=(1, None))\nmodel.width = pyo.Var(bounds=(1, None))\n"
                   "length, width = model.length, model.width\n"
                   "model.obj = pyo.Objective(expr=length * width, sense=pyo.minimize)\n"
                   "model.area = pyo.Constraint(expr=1600 <= length * width)\n")
    found = bound_objective_findings(FENCE, code, 1600.0)
    assert len(found) == 1 and "`length * width` is the very expression" in found[0] and "(1600)" in found[0]
    assert "minimize the fence material" in found[0]
    right = code.replace("expr=length * width, sense", "expr=2 * (length + width), sense")
    assert bound_objective_findings(FENCE, right, 160.0) == []
    # a limit that weighs the decisions as the goal does but does not hold the optimum is fine
    assert bound_objective_findings(FENCE, code, 1700.0) == []
    # ... and so is a maximized expression with a lower limit (the objective pushes away from it)
    assert bound_objective_findings(FENCE, code.replace("pyo.minimize", "pyo.maximize"), 1600.0) == []
    for p in load_problems():  # the reference models of the embedded set: none is its own limit
        assert bound_objective_findings(p.text, p.code, p.objective) == [], p.id


def test_the_modeler_repairs_an_objective_that_is_its_own_limit(pool):
    from optolab.agents import Modeler
    from optolab.testing import ScriptedLLM

    wrong = HEAD + ("model.length = pyo.Var(bounds=(1, 100))\nmodel.width = pyo.Var(bounds=(1, 100))\n"
                    "model.obj = pyo.Objective(expr=model.length * model.width, sense=pyo.minimize)\n"
                    "model.area = pyo.Constraint(expr=model.length * model.width >= 1600)\n")
    right = wrong.replace("expr=model.length * model.width, sense", "expr=2 * (model.length + model.width), sense")
    llm = ScriptedLLM(["```python\n" + wrong + "```", "```python\n" + right + "```"])
    # a text the fence fixes do not read (a poster's paper): the finding goes back to the model
    poster = "A rectangular poster must show at least 1600 square cm. What dimensions minimize its frame length?"
    with Modeler(llm, sandbox=pool, strategies=("program",)) as m:
        s = m.solve(poster)
    assert len(s.attempts) == 2 and any("very expression" in f for f in s.attempts[0].findings)
    assert s.ok and s.objective == pytest.approx(160, rel=1e-4)
    # for fencing, the perimeter replaces the area before the code runs: one attempt
    with Modeler(ScriptedLLM(["```python\n" + wrong + "```"]), sandbox=pool, strategies=("program",)) as m:
        s = m.solve(FENCE)
    assert len(s.attempts) == 1 and s.objective == pytest.approx(160, rel=1e-4)
    assert any("least fencing" in c for c in s.attempts[0].changes)
