import json

import pytest

from optolab.agents.classes import CLASSES, class_scores, problem_class
from optolab.agents.retrieval import Example, ExampleBank
from optolab.errors import OptolabError


@pytest.mark.parametrize("text, expected", [
    ("Two plants ship pallets to three depots; each plant's supply is limited and each depot's demand must be "
     "met. Shipping costs per pallet are given.", "transportation"),
    ("A refinery blends two crude oils so that the mix has an octane rating of at least 90.", "blending"),
    ("Each nurse is assigned to exactly one ward.", "assignment"),
    ("The company may open a warehouse at each of three sites, paying a fixed cost for each one it opens.",
     "facility location"),
    ("Each worker works five consecutive days and then has two days off; at least 12 must be on duty Monday.",
     "scheduling"),
    ("Find the shortest path from node S to node T; each arc has a length.", "network flow"),
    ("Demand for each month must be met from production or from inventory; the holding cost is $2 per unit.",
     "lot sizing"),
    ("Rolls of 100 cm are cut into pieces by cutting patterns; minimize the number of rolls.", "cutting and packing"),
    ("An investor builds a portfolio of three stocks to minimize the variance of its return.", "portfolio"),
    ("A closed cylinder of radius r and height h must hold 2 litres.", "geometric design"),
])
def test_the_cue_words_of_a_class_name_it(text, expected):
    assert problem_class(text) == expected


def test_a_question_of_no_clear_class_has_none():
    assert problem_class("") is None
    assert problem_class("Maximize 3x + 2y subject to x + y <= 4.") is None
    # cues of two classes in near equal measure (shipped 2 + supply 1; path 2 + through 0.5): no class rather
    # than a guess
    text = "Goods are shipped along a path through the city to meet the supply plan."
    scores = class_scores(text)
    assert set(scores) == set(CLASSES)
    assert abs(scores["transportation"] - scores["network flow"]) < 1 and problem_class(text) is None


SHIP = ("Three plants supply four stores. Shipping costs per unit from each plant to each store are in the table.\n\n"
        "| plant | S1 | S2 | S3 | S4 |\n|---|---|---|---|---|\n| P1 | 4 | 6 | 9 | 5 |\n| P2 | 5 | 3 | 7 | 8 |\n"
        "| P3 | 6 | 5 | 4 | 3 |\n\nPlant supplies are P1: 70, P2: 50, P3: 60 and store demands S1: 40, S2: 45, "
        "S3: 50, S4: 30. What is the cheapest shipping plan?")


def _example(id_, question, indexed=True, **kw):
    formulation = {"sets": {"items": ["a", "b"]}} if indexed else {}
    return Example(id=id_, question=question, formulation=formulation, **kw)


def test_an_example_of_the_question_s_class_goes_first_for_a_question_over_sets():
    # the facility example shares more words with the question; the shipping example is of its class
    bank = ExampleBank([
        _example("open-sites", "A firm may open plants to supply stores; each store's cost per unit from each "
                               "plant is in the table, and each plant opened has a fixed cost."),
        _example("trucks", "Warehouses ship goods to shops at a cost per unit shipped; supply and demand must "
                           "balance."),
    ])
    assert [e.id for e in bank.search(SHIP, 2, match_class=False)] == ["open-sites", "trucks"]
    assert [e.id for e in bank.search(SHIP, 2)] == ["trucks", "open-sites"]


def test_class_ranks_after_shape_and_by_default_only_for_questions_over_sets():
    plain_ship = "A farm ships apples and pears to a market; shipping costs $2 per crate. Maximize profit."
    bank = ExampleBank([
        _example("bakery", "A bakery makes bread and cakes with flour and oven hours to maximize profit.",
                 indexed=False),
        _example("trucks", "Warehouses ship goods to shops at a cost per unit shipped; supply and demand must "
                           "balance.", indexed=True),
    ])
    # a plain question keeps plain examples first whatever their class
    assert bank.search(plain_ship, 1, match_class=True)[0].id == "bakery"
    # an explicit class in the bank wins over the guess from its words
    tagged = ExampleBank([_example("odd", "Some words about nothing in particular.", problem_class="transportation"),
                          _example("near", "Plants and stores with a table of costs per unit.")])
    assert tagged.search(SHIP, 1)[0].id == "odd"


def test_a_bank_line_with_an_unknown_class_is_refused(tmp_path):
    path = tmp_path / "bank.jsonl"
    path.write_text(json.dumps({"id": "x", "question": "q", "formulation": {}, "problem_class": "shipping"}) + "\n")
    with pytest.raises(OptolabError, match="problem_class 'shipping' is none of"):
        ExampleBank.from_jsonl(path)


def test_the_default_bank_has_an_indexed_example_of_the_classes_tables_come_in():
    bank = ExampleBank.default()
    indexed = {e.problem_class or problem_class(e.question) for e in bank.examples if e.formulation.get("sets")}
    assert {"transportation", "blending", "facility location", "lot sizing", "network flow", "portfolio",
            "assignment", "knapsack", "scheduling", "cutting and packing", "production"} <= indexed
