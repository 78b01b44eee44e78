from optolab.agents.tables import define_table_data, table_data_code, with_table_data
from optolab.agents.textdata import keyed_lists


def _lists(text):
    return {k.name: k.values for k in keyed_lists(text)}


def test_the_three_forms_of_a_keyed_list_are_read_with_their_names():
    text = ("Capacities are P1: 300, P2: 250, P3: 200 pallets; depot demands are D1: 150, D2: 200 and D3: 180 pallets. "
            "A depot costs $50,000 (D1), $40,000 (D2) or $45,000 (D3) per year to open. "
            "Profit per unit is $12 for A, $10 for B and $14 for C.")
    assert _lists(text) == {
        "capacities": {"P1": 300, "P2": 250, "P3": 200},
        "depot_demands": {"D1": 150, "D2": 200, "D3": 180},
        "depot_costs": {"D1": 50000, "D2": 40000, "D3": 45000},
        "profit": {"A": 12, "B": 10, "C": 14},
    }


def test_numbers_keep_their_thousands_and_percents_become_shares():
    text = "Opening costs per year are A: $9,000, B: $7,000, C: $8,000. Expected returns are A: 8%, B: 12.5%, C: 5%."
    assert _lists(text) == {"opening_costs": {"A": 9000, "B": 7000, "C": 8000},
                            "expected_returns": {"A": 0.08, "B": 0.125, "C": 0.05}}


def test_a_verb_of_need_names_the_list_demand():
    assert _lists("Regions need R1: 300 t, R2: 250 t, R3: 350 t per year.") == {"demand": {"R1": 300, "R2": 250, "R3": 350}}


def test_what_is_no_keyed_list_is_left_out():
    assert keyed_lists("") == []
    assert keyed_lists("Make at most 40 units of A.") == []  # one entry is no list
    assert keyed_lists("The ratio is A: 3, A: 4.") == []  # a label twice
    assert keyed_lists("P1: 300, P2: 250.") == []  # no words in front to name it
    table = "Costs are\n| plant | D1 | D2 |\n|---|---|---|\n| P1: 3, P2: 4 | 1 | 2 |\n"
    assert keyed_lists(table) == []  # table lines belong to the tables' reader


def test_names_do_not_take_a_name_already_used():
    [k] = keyed_lists("Demands are S1: 40, S2: 45.", taken={"demands"})
    assert k.name == "demands_2" and k.definition == "demands_2 = {'S1': 40, 'S2': 45}"


def test_the_prompt_shows_the_lists_beside_the_tables_and_code_that_reads_them_undefined_gets_them():
    question = ("Two warehouses supply three stores. Store demands are S1: 40, S2: 45 and S3: 30 units.\n\n"
                "| from / to | S1 | S2 | S3 |\n|---|---|---|---|\n| W1 | 4 | 6 | 9 |\n| W2 | 5 | 3 | 7 |\n")
    code, defs = table_data_code(question)
    assert "# lists in the text\nstore_demands = {'S1': 40, 'S2': 45, 'S3': 30}  # S1: 40, S2: 45 and S3: 30 units." in code
    shown = with_table_data(question)
    assert "store_demands = {'S1': 40" in shown and "The tables and lists of this problem, already written" in shown
    alone = question.replace("Store demands are S1: 40, S2: 45 and S3: 30 units.", "")
    assert "The tables of this problem, already written" in with_table_data(alone)
    assert "The lists of this problem" in with_table_data("Store demands are S1: 40, S2: 45 and S3: 30 units.")
    program = ("import pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\n"
               "model.x = pyo.Var(['S1', 'S2', 'S3'], domain=pyo.NonNegativeReals)\n"
               "model.c = pyo.Constraint(['S1', 'S2', 'S3'], rule=lambda m, s: m.x[s] >= store_demands[s])\n")
    fixed = define_table_data(program, question)
    assert fixed is not None and "store_demands = {'S1': 40, 'S2': 45, 'S3': 30}" in fixed.code


def test_lists_of_plain_numbers_are_keyed_one_two_three_with_the_counted_things_as_their_keys():
    from optolab.agents.textdata import numbered_lists

    found = {k.name: k.values for k in numbered_lists(
        "Six boxes weighing 12 kg, 30 kg, 8 kg, 21 kg, 17 kg and 9 kg wait. A mill runs four weeks with demands of "
        "40, 60, 30 and 70 tonnes.")}
    assert found == {"boxes": [1, 2, 3, 4, 5, 6], "weight": {1: 12, 2: 30, 3: 8, 4: 21, 5: 17, 6: 9},
                     "weeks": [1, 2, 3, 4], "demands": {1: 40, 2: 60, 3: 30, 4: 70}}
    # no count that fits: the values alone; labels 1, 2, 3, 4 and short lists are no data
    assert {k.name for k in numbered_lists("Loads weighing 5, 6, 7 and 8 kg arrive.")} == {"weight"}
    assert numbered_lists("For the item 1, 2, 3 and 4, the weights are given.") == []
    assert numbered_lists("Boxes weighing 5, 6 and 7 kg arrive.") == []
    shown = with_table_data("Five parcels weighing 4 kg, 5 kg, 2 kg, 7 kg and 3 kg must go in vans of 10 kg.")
    assert "parcels = [1, 2, 3, 4, 5]  # the 5 parcels" in shown and "weight = {1: 4, 2: 5, 3: 2, 4: 7, 5: 3}" in shown


def test_labels_that_each_take_a_verb_of_having_or_needing_make_supply_and_demand():
    text = ("Factory F1 supplies 60 units and factory F2 supplies 40 units. Customer C1 needs 45 units and customer C2 "
            "needs 55 units. Warehouse W1 holds 70 units and W2 holds 50 units.")
    found = {k.name: k.values for k in keyed_lists(text)}
    assert found == {"supply": {"F1": 60, "F2": 40}, "demand": {"C1": 45, "C2": 55}, "supply_2": {"W1": 70, "W2": 50}}
    assert keyed_lists(text)[0].source.startswith("Factory F1 supplies 60")
    # verbs of both kinds in one run, or one label, make no list
    assert keyed_lists("Plant P1 supplies 60 units and plant P2 needs 40 units.") == []
    assert keyed_lists("Plant P1 supplies 60 units.") == []


def test_row_labels_of_the_tables_count_as_labels_in_any_case():
    text = ("The expected profit per bushel is $1.00 for corn, $1.60 for soybeans, and $3.00 for wheat.\n\n"
            "| Crop | Water |\n|---|---|\n| Corn | 200 |\n| Soybeans | 150 |\n| Wheat | 125 |\n")
    assert {k.name: k.values for k in keyed_lists(text)} == {
        "expected_profit": {"Corn": 1.0, "Soybeans": 1.6, "Wheat": 3.0}}
    assert keyed_lists(text.split("\n\n")[0]) == []  # without the table, "corn" is no label
