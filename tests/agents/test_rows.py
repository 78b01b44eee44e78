"""Constraint rows read against the numbers the text gives each decision for the row's resource."""

from optolab.agents.rows import fix_rows, resource_of

HEAD = ("import pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\n"
        "model.wraps = pyo.Var(domain=pyo.NonNegativeIntegers)\nmodel.salads = pyo.Var(domain=pyo.NonNegativeIntegers)\n"
        "model.cost = pyo.Objective(expr=4 * model.wraps + 3 * model.salads, sense=pyo.minimize)\n")
CAFE = ("A cafe sells wraps and salads. Each wrap costs $4 and contains 300 calories and 12 grams of protein. Each "
        "salad costs $3 and contains 200 calories and 9 grams of protein. The menu must give at least 2400 calories "
        "and at least 90 grams of protein. Minimize the cost.")


def test_the_resource_a_limit_names():
    assert resource_of(CAFE, 2400) == {"calor"}
    assert resource_of(CAFE, 90) == {"prote"}  # "grams of" says how, not what
    assert resource_of("The shop only has 200 treats available.", 200) == {"treat"}
    assert resource_of("The team has 40 hours.", 40) == {"hour"}
    assert resource_of("It needs 5 of them and 5 boxes.", 5) is None  # named twice, differently
    assert resource_of(CAFE, 7) is None


def test_a_row_filled_with_another_resources_numbers_is_rebuilt(pool):
    wrong = HEAD + "model.cal = pyo.Constraint(expr=4 * model.wraps + 3 * model.salads >= 2400)\n"
    fixed = fix_rows(wrong, CAFE)
    assert "model.cal = pyo.Constraint(expr=300 * model.wraps + 200 * model.salads >= 2400)" in fixed.code
    assert fixed.changes == ["`4 * model.wraps + 3 * model.salads >= 2400` became `300 * model.wraps + 200 * "
                             "model.salads >= 2400`: the limit 2400 is of calories, and these are the numbers the "
                             "text gives each decision for it"]
    assert fix_rows(fixed.code, CAFE) is None
    # swapped between the decisions, and a limit set through a name, read the same
    swapped = HEAD + "need = 90\nmodel.p = pyo.Constraint(expr=need <= 9 * model.wraps + 12 * model.salads)\n"
    assert "need <= 12 * model.wraps + 9 * model.salads" in fix_rows(swapped, CAFE).code
    from optolab.agents import Modeler
    from optolab.testing import ScriptedLLM

    with Modeler(ScriptedLLM(["```python\n" + wrong + "```"]), sandbox=pool) as m:
        s = m.solve(CAFE.replace(" and at least 90 grams of protein", ""))
    assert s.ok and s.objective == 32  # 8 wraps (2400 calories, $32); 12 salads would cost $36


def test_rows_are_left_alone_when_the_text_is_not_clear():
    wrong = HEAD + "model.cal = pyo.Constraint(expr=4 * model.wraps + 3 * model.salads >= 2400)\n"
    both = CAFE.replace("Each salad costs", "A salad, lighter than a wrap, costs")  # a clause naming both decisions
    assert fix_rows(wrong, both) is None
    two = CAFE.replace("300 calories", "300 calories (or 350 calories when large)")  # two numbers for the wrap
    assert fix_rows(wrong, two) is None
    named = HEAD + "c = {'wraps': 4}\nmodel.cal = pyo.Constraint(expr=c['wraps'] * model.wraps + 3 * model.salads >= 2400)\n"
    assert fix_rows(named, CAFE) is None  # weights written as names: not the model's literal numbers
    right = HEAD + "model.cal = pyo.Constraint(expr=300 * model.wraps + 200 * model.salads >= 2400)\n"
    assert fix_rows(right, CAFE) is None


def test_no_row_fixes_on_the_reference_models_and_worked_examples():
    from optolab.agents.codegen import generate_code
    from optolab.agents.formulation import Formulation
    from optolab.agents.retrieval import ExampleBank
    from optolab.problems import load_problems

    pairs = [(p.text, p.code) for p in load_problems()]
    pairs += [(ex.question, generate_code(Formulation.model_validate(ex.formulation)).code)
              for ex in ExampleBank.default().examples]
    assert len(pairs) > 60
    assert [q[:60] for q, code in pairs if fix_rows(code, q) is not None] == []


def test_a_decision_named_by_a_word_the_text_counts_is_found_by_its_other_words():
    from optolab.agents.goal import numbers_by_decision, root

    text = ("A shop has 30 pears, 24 plums and 60 figs. A pear-lovers box holds 5 pears and 8 figs. A mixed box "
            "holds 2 pears, 4 plums and 6 figs. A snack bar has 3 plums and 250 calories while a smoothie has 4 "
            "plums and 300 calories.")
    names = ["pear_lovers_boxes", "mixed_boxes"]
    # "30 pears" in the stock list names no box; "2 pears, 4 plums": 4 belongs to plums, not to pears before it
    assert numbers_by_decision(text, names, frozenset({root("pears")})) == {"pear_lovers_boxes": 5.0,
                                                                             "mixed_boxes": 2.0}
    assert numbers_by_decision(text, names, frozenset({root("figs")})) == {"pear_lovers_boxes": 8.0, "mixed_boxes": 6.0}
    # the clause about "a snack bar" holds the whole name snack_bars, not smoothies
    assert numbers_by_decision(text, ["snack_bars", "smoothies"], frozenset({root("calories")})) == {
        "snack_bars": 250.0, "smoothies": 300.0}


def test_things_told_apart_by_a_letter_or_number_keep_it():
    from optolab.agents.goal import fix_goal_objective, goal_of, numbers_by_decision

    text = ("A gardener mixes Compost A and Compost B. Each bag of Compost A holds 4 units of iron, 3 units of "
            "mineral X and 7 units of mineral Y. Each bag of Compost B holds 6 units of iron, 5 units of mineral X "
            "and 2 units of mineral Y. The mix needs at least 60 units of iron and at most 90 units of mineral X. "
            "How many bags of each should be used to minimize the amount of mineral Y?")
    assert goal_of(text).roots == {"miner y"}
    assert resource_of(text, 90) == {"miner x"}
    names = ["compost_a", "compost_b"]
    assert numbers_by_decision(text, names, frozenset({"miner y"})) == {"compost_a": 7.0, "compost_b": 2.0}
    code = ("import pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\n"
            "model.compost_a = pyo.Var(domain=pyo.NonNegativeIntegers)\nmodel.compost_b = pyo.Var(domain=pyo.NonNegativeIntegers)\n"
            "model.obj = pyo.Objective(expr=3 * model.compost_a + 5 * model.compost_b, sense=pyo.minimize)\n"
            "model.x = pyo.Constraint(expr=7 * model.compost_a + 2 * model.compost_b <= 90)\n")
    fixed = fix_goal_objective(code, text)
    assert "7 * model.compost_a + 2 * model.compost_b, sense" in fixed.code  # mineral Y, not mineral X
    rows = fix_rows(fixed.code, text)
    assert "3 * model.compost_a + 5 * model.compost_b <= 90" in rows.code


def test_a_row_that_leaves_out_a_decision_the_text_weighs_gets_it():
    text = ("A farm moves hay with wagons and trailers. A wagon carries 12 bales of hay while a trailer carries 20 "
            "bales of hay. At least 600 bales of hay must be moved, and at most 15 trailers are free. Minimize the "
            "number of vehicles.")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.wagons = pyo.Var(domain=pyo.NonNegativeIntegers)
model.trailers = pyo.Var(domain=pyo.NonNegativeIntegers)
model.obj = pyo.Objective(expr=model.wagons + model.trailers)
model.hay = pyo.Constraint(expr=12 * model.wagons >= 600)
model.free = pyo.Constraint(expr=model.trailers <= 15)
"""
    fixed = fix_rows(code, text)
    assert fixed is not None and "12 * model.wagons + 20 * model.trailers >= 600" in fixed.code
    assert "the other decisions numbers for it too" in fixed.changes[0]
    own = text.replace("At least 600 bales of hay must be moved", "The wagons must move at least 600 bales of hay")
    assert fix_rows(code, own) is None  # the limit's clause names the wagons: a limit of that decision


def test_a_list_of_stock_does_not_read_the_next_number_as_a_qualifier():
    text = "A shop has a stock of 10 apples, 20 pears and 80 plums to pack into gift boxes."
    assert resource_of(text, 10) == frozenset({"appl"})


def test_rows_and_goal_read_per_item_clauses_of_one_sentence_and_counts_in_millions():
    from optolab.agents.goal import goal_of
    from optolab.agents.modeler import tidy_program

    text = ("A band advertises on radio and in newspapers. While each radio spot reaches 4 million teenagers and 2 "
            "million adults, each newspaper ad reaches 1 million teenagers and 6 million adults. A radio spot costs "
            "$2,000, and a newspaper ad costs $3,000. The campaign must reach at least 16 million teenagers and 18 "
            "million adults. Plan the campaign at minimum cost.")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.radio = pyo.Var(domain=pyo.NonNegativeIntegers)
model.newspaper = pyo.Var(domain=pyo.NonNegativeIntegers)
model.objective = pyo.Objective(expr=2 * model.radio + 3 * model.newspaper, sense=pyo.minimize)
model.teens = pyo.Constraint(expr=4 * model.radio + 2 * model.newspaper >= 16)
model.adults = pyo.Constraint(expr=1 * model.radio + 6 * model.newspaper >= 18)
"""
    assert goal_of(text).verb == "minimize" and goal_of(text).roots == frozenset({"cost"})
    out = tidy_program(code, text)
    assert "4 * model.radio + 1 * model.newspaper >= 16" in out["code"]  # each decision's number for teenagers
    assert "2 * model.radio + 6 * model.newspaper >= 18" in out["code"]
    assert "2000 * model.radio + 3000 * model.newspaper" in out["code"]  # the costs as the text gives them
