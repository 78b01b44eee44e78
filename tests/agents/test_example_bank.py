"""The worked examples shown to the model are right: each formulation solves to the optimum it states."""

import pytest

from optolab.agents.codegen import generate_code
from optolab.agents.formulation import Formulation
from optolab.agents.retrieval import ExampleBank
from optolab.solvers.sandbox import run_model_code

BANK = ExampleBank.default()


@pytest.mark.parametrize("example", BANK.examples, ids=[e.id for e in BANK.examples])
def test_worked_example_solves_to_its_stated_optimum(example, pool):
    assert example.objective is not None, f"{example.id} states no optimum"
    code = generate_code(Formulation.model_validate(example.formulation)).code
    result = run_model_code(code, pool=pool)
    assert result.ok, result.error
    assert result.solve.objective == pytest.approx(example.objective, rel=1e-6, abs=1e-6)


def test_bank_ids_are_unique_and_small_problems_are_covered():
    ids = [e.id for e in BANK.examples]
    assert len(ids) == len(set(ids))
    # short problems with a few plain variables (the NL4OPT kind) need examples of their own shape
    assert sum(1 for e in BANK.examples if not e.formulation.get("sets")) >= 10


def test_the_ratio_example_is_shown_for_ratio_goals_only():
    ratio_q = ("A bakery makes bread and pies. Bread earns $2 and takes 1 oven hour; a pie earns $9 and takes 3 oven "
               "hours. It wants to maximize the profit per oven hour used. How many of each should it bake?")
    plain_q = ("A carpentry shop makes chairs and tables. A chair earns $45 and takes 3 hours; a table earns $120 "
               "and takes 10 hours. There are 150 hours. How many of each should it make to maximize profit?")
    shown = BANK.search(ratio_q, k=2)
    assert shown[0].id == "shop-rate" and "ratio" not in shown[1].tags
    assert all("ratio" not in e.tags for e in BANK.search(plain_q, k=len(BANK) - 1))  # worded alike, not a ratio
    assert BANK.search(plain_q, k=len(BANK))[-1].id == "shop-rate"


def test_numbers_that_name_things_do_not_make_a_question_look_indexed():
    from optolab.agents.retrieval import looks_indexed

    text = ("A lab runs process 1 and process 2. Process 1 makes 35 units of A and 12 units of B per hour; process 2 "
            "makes 50 units of A and 30 units of B per hour. Process 1 uses 50 units of material and process 2 uses "
            "60. There are 2000 units of material, and at least 1200 units of A and 1200 units of B are needed. "
            "Process 1 and process 2 each cost $3 an hour. How long should process 1 and process 2 run?")
    assert not looks_indexed(text)  # nine data numbers; the sixteen 1s and 2s name the processes
    many = " ".join(f"Item {k} weighs {k + 20} kg and is worth ${k * 7 + 3}." for k in range(1, 9))
    assert looks_indexed(many + " Pack at most 60 kg.")  # sixteen numbers of data besides the labels
    # five or more numbers listed in a row are one per item of a list, however few numbers the text has
    parcels = ("Six parcels weighing 30 kg, 45 kg, 20 kg, 65 kg, 25 kg and 50 kg must go out. Each van carries at "
               "most 90 kg. How many vans are needed?")
    assert looks_indexed(parcels)
    assert not looks_indexed("Chairs take 3, 4 and 2 hours. There are 40 hours. Profits are $5 and $4.")
