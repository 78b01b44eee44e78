"""Mapping the quantities a question asks for onto the solved model's values."""

from optolab.agents.answers import answer_keys
from optolab.testing import FunctionLLM, ScriptedLLM

VALUES = {"trucks[GoodsX]": 12.0, "trucks[GoodsY]": 15.0, "trips": 20.0}
DESCRIPTIONS = {"trucks": "number of trucks for each type of goods", "trips": "trips per truck"}


def test_clear_keys_need_no_model():
    got = answer_keys(["The minimum total cost", "Number of trucks for GoodsX", "Number of trucks for GoodsY"],
                      VALUES, 5400.0, descriptions=DESCRIPTIONS)
    assert got == {"The minimum total cost": 5400.0, "Number of trucks for GoodsX": 12.0,
                   "Number of trucks for GoodsY": 15.0}


def test_a_key_that_starts_with_an_extreme_or_a_total_and_names_no_variable_is_the_objective():
    values = {"machine_A": 20.0, "machine_B": 8.0}
    keys = ["The number of machine A", "The number of machine B", "The minimum number of machines"]
    # "A" is an index here, not an article: machine_A does not match "machines" by the word "machine" alone
    assert answer_keys(keys, values, 28.0) == {"The number of machine A": 20.0, "The number of machine B": 8.0,
                                               "The minimum number of machines": 28.0}
    stores = {"dine_in": 2.0, "food_trucks": 6.0}
    assert answer_keys(["The total number of stores", "Total NPV"], stores, 8.0) == {
        "The total number of stores": 8.0, "Total NPV": 8.0}
    # a named variable still wins, and without an objective nothing is guessed
    assert answer_keys(["The total number of food trucks"], stores, 8.0) == {"The total number of food trucks": 6.0}
    assert answer_keys(["The total number of stores"], stores, None) == {}


def test_unclear_keys_go_to_the_model_with_an_enum_of_candidates():
    seen = {}

    def reply(messages, params):
        seen["params"] = params
        return '{"k0": "trips", "k1": "none"}'

    llm = FunctionLLM(reply)
    got = answer_keys(["How often each truck drives", "Fuel saved"], VALUES, 5400.0, question="q",
                      descriptions=DESCRIPTIONS, llm=llm)
    assert got == {"How often each truck drives": 20.0}
    prompt = llm.calls[0]["messages"][-1]["content"]
    assert "trucks[GoodsX] (number of trucks for each type of goods) = 12" in prompt
    assert "k0: How often each truck drives" in prompt


def test_a_reply_naming_an_unknown_value_is_ignored():
    llm = ScriptedLLM(['{"k0": "made_up"}'])
    assert answer_keys(["Something odd"], VALUES, 1.0, llm=llm) == {}


def test_without_a_model_unclear_keys_are_left_out():
    assert answer_keys(["How often each truck drives"], VALUES, 1.0) == {}


def test_the_schema_restricts_each_key_to_the_candidates():
    from optolab.agents.answers import answer_schema

    schema = answer_schema(["a", "b"], ["objective", "x", "none"]).model_json_schema()
    assert schema["properties"]["k1"]["enum"] == ["objective", "x", "none"]
    assert schema["required"] == ["k0", "k1"]


def test_goal_words_in_what_a_key_belongs_to_do_not_make_it_the_objective():
    values = {"x_rope": 0.5, "y_rope": 0.25}
    got = answer_keys(["The x cordinate of the best location", "The minimum length of rope"], values, 0.35)
    assert "The x cordinate of the best location" not in got  # unclear without a model: left out, not the objective
    assert got["The minimum length of rope"] == 0.35


def test_plurals_indexes_written_apart_and_short_keys_are_settled_without_a_model():
    values = {"bus": 4.0, "vans": 9.0, "make[Peanutbutter]": 12.0, "make[Jam]": 3.0, "electric_bikes": 26.0,
              "raspberries": 7.0}
    keys = ["The number of buses", "The number of vans", "Jars of Peanut Butter made", "Jars of jam made",
            "The number of bikes", "The number of raspberry boxes"]
    assert answer_keys(keys, values, 100.0) == {"The number of buses": 4.0, "The number of vans": 9.0,
                                                "Jars of Peanut Butter made": 12.0, "Jars of jam made": 3.0,
                                                "The number of bikes": 26.0, "The number of raspberry boxes": 7.0}


def test_a_key_that_names_the_goal_and_no_variable_is_the_objective():
    question = "Bikes carry 8 meals and scooters 5 meals. How many of each maximize the number of meals delivered?"
    got = answer_keys(["The number of meals delivered", "The number of scooters"], {"bikes": 3.0, "scooters": 2.0},
                      34.0, question=question)
    assert got == {"The number of meals delivered": 34.0, "The number of scooters": 2.0}


def test_a_goal_asked_as_which_has_the_smallest_thing_names_the_objective():
    q = "A pen of area 50 square metres is fenced on all four sides. Which shape has the shortest fence?"
    got = answer_keys(["The side of the pen", "The fence of the pen"], {"side": 7.07, "depth": 7.07}, 28.28,
                      question=q)
    assert got["The fence of the pen"] == 28.28
    assert got["The side of the pen"] == 7.07


def test_a_key_naming_one_item_of_a_listed_goal_is_that_decision_not_the_objective():
    q = ("Limousines carry 12 people and buses 18; at least 400 people travel. How many of each should be used to "
         "minimize the total number of limousines and buses used?")
    values = {"limo": 21.0, "bus": 9.0}
    # "limo" is a clipped "limousines": settled without a model
    got = answer_keys(["The number of limousines", "The number of buses", "The total number of vehicles"], values,
                      30.0, question=q)
    assert got == {"The number of limousines": 21.0, "The number of buses": 9.0, "The total number of vehicles": 30.0}
    # a name the key does not spell goes to the model rather than to the objective
    got = answer_keys(["The number of limousines"], {"cars": 21.0, "bus": 9.0}, 30.0, question=q)
    assert got == {}
    # a goal that names one thing still makes its key the objective
    assert answer_keys(["The number of buses"], {"x": 1.0}, 3.0, question="Minimize the number of buses.") == {
        "The number of buses": 3.0}


def test_a_key_that_says_without_is_the_decision_named_no():
    values = {"catalyst": 3.0, "no_catalyst": 18.0}
    got = answer_keys(["The number of processes with a catalyst", "The number of processes without a catalyst"],
                      values, 369.0)
    assert got == {"The number of processes with a catalyst": 3.0, "The number of processes without a catalyst": 18.0}


def test_a_key_naming_every_part_of_a_tuple_index_is_that_entry_not_one_named_by_a_part():
    values = {"open_site[Dover]": 1.0, "open_site[Leeds]": 1.0, "ship[Dover,North Zone]": 0.0,
              "ship[Dover,South Zone]": 60.0, "ship[Leeds,North Zone]": 45.0, "ship[Leeds,South Zone]": 0.0}
    keys = ["Units from Dover to North Zone", "Units from Dover to South Zone", "Units from Leeds to North Zone",
            "Open Leeds site"]
    assert answer_keys(keys, values, 900.0) == {"Units from Dover to North Zone": 0.0,
                                                "Units from Dover to South Zone": 60.0,
                                                "Units from Leeds to North Zone": 45.0, "Open Leeds site": 1.0}


def test_an_index_that_abbreviates_a_word_and_number_of_the_key_names_it():
    values = {"share[F1]": 0.65, "share[F2]": 0.35, "x[P1,W2]": 4.0, "x[P2,W1]": 5.0}
    keys = ["The quantity of Fertilizer 1", "The quantity of Fertilizer 2", "Units of Product 1 kept in Warehouse 2",
            "Units of Product 2 kept in Warehouse 1"]
    assert answer_keys(keys, values, 1.0) == {"The quantity of Fertilizer 1": 0.65, "The quantity of Fertilizer 2": 0.35,
                                              "Units of Product 1 kept in Warehouse 2": 4.0,
                                              "Units of Product 2 kept in Warehouse 1": 5.0}
    # the letter must start a word that the number follows: "Fertilizer 12" is not F1
    assert answer_keys(["The quantity of Fertilizer 12"], values, 1.0) == {}


def test_a_key_numbered_like_one_index_takes_that_entry():
    from optolab.agents.answers import answer_keys

    values = {"use[1]": 400.0, "use[2]": 0.0, "use[3]": 0.0, "use[4]": 100.0}
    keys = [f"The quantity of paper stock {i}" for i in range(1, 5)] + ["The minimum cost"]
    got = answer_keys(keys, values, 65000.0)
    assert got == {"The quantity of paper stock 1": 400.0, "The quantity of paper stock 2": 0.0,
                   "The quantity of paper stock 3": 0.0, "The quantity of paper stock 4": 100.0,
                   "The minimum cost": 65000.0}
    # two variables share the index: the number alone does not say which
    both = {**values, "buy[2]": 7.0}
    assert "The quantity of paper stock 2" not in answer_keys(keys, both, 65000.0)


def test_a_three_letter_clip_names_a_variable_when_another_name_word_is_in_the_key():
    values = {"earl_grey": 100.0, "eng_breakfast": 25.0}
    got = answer_keys(["The number of earl grey teabags", "The number of English breakfast teabags",
                       "The total profit"], values, 36.25,
                      question="How many of each should be made to maximize profit?")
    assert got == {"The number of earl grey teabags": 100.0, "The number of English breakfast teabags": 25.0,
                   "The total profit": 36.25}
    # a lone three-letter name is no clip of a key word
    assert answer_keys(["The number of engines"], {"eng": 3.0, "car": 1.0}, 9.0) == {}


def test_a_requested_superlative_names_the_objective_only_for_a_key_that_starts_with_it():
    cylinder = ("There is a closed cylinder. The volume of the cylinder is 16 pi. Find the dimensions of the "
                "cylinder that has the least amount of surface area.")
    got = answer_keys(["The radius of the cylinder", "The surface area of the cylinder"],
                      {"radius": 2.0, "height": 4.0}, 75.398, question=cylinder)
    assert got == {"The radius of the cylinder": 2.0, "The surface area of the cylinder": 75.398}
    box = ("We cut the corners of a 50 cm by 20 cm cardboard and fold up the sides to form a box. Determine the "
           "height of the box that will give a maximum volume.")
    # the height asked for is a decision, even though its key names the volume too
    assert answer_keys(["The height of the box that gives maximum volume"], {"x": 4.4}, 2030.3, question=box) == {}


def test_a_name_written_as_one_word_that_ends_with_a_key_word_is_that_decision():
    question = ("A farm cuts hay with a windrower and a hay harvester. How many acres should each machine process "
                "to maximize the amount of hay processed?")
    keys = ["The acres processed by windrower", "The acres processed by harvester", "The amount of hay processed"]
    got = answer_keys(keys, {"windrower": 100.0, "hayharvester": 60.0}, 1800.0, question=question)
    assert got == {keys[0]: 100.0, keys[1]: 60.0, keys[2]: 1800.0}
    # two such names: not clear
    assert answer_keys(["The acres of harvester"], {"hayharvester": 1.0, "oatharvester": 2.0}, 9.0) == {}


def test_a_total_count_key_beside_a_goal_of_one_decision_is_the_sum_of_the_counts():
    question = ("A park moves visitors by scooter (2 people) or rickshaw (3 people); at most 40% of the vehicles "
                "can be rickshaws. If at least 300 visitors must be moved, minimize the number of scooters used.")
    keys = ["The number of scooters", "The number of rickshaws", "The total number of vehicles used"]
    got = answer_keys(keys, {"scooter": 75.0, "rickshaw": 50.0}, 75.0, question=question)
    assert got == {keys[0]: 75.0, keys[1]: 50.0, keys[2]: 125.0}
    # a goal that weighs the decisions is the total such a key asks for
    weighed = answer_keys(["The total number of flowers transported"], {"small": 10.0, "large": 60.0}, 465.0,
                          question="Maximize the number of flowers transported by small and large boxes.")
    assert weighed == {"The total number of flowers transported": 465.0}
    # amounts that are not whole counts are never summed
    assert answer_keys(["The total number of vehicles"], {"a": 1.5, "b": 2.0}, 1.5) != {
        "The total number of vehicles": 3.5}
