"""Markdown tables of a question read into Python data, shown to the code writer and defined where used."""

import pytest

from optolab.agents import Modeler
from optolab.agents.tables import (
    cell_number,
    define_table_data,
    identifier,
    read_tables,
    table_data_code,
    with_table_data,
)
from optolab.testing import ScriptedLLM

BAKERY = """A bakery makes three kinds of bread. Each needs oven time and flour, and earns a profit per loaf.

Table (Oven time, flour and profit per loaf):
| Bread Type | Oven Time (minutes) | Flour (kg) | Profit per Loaf ($) |
| ---------- | ------------------- | ---------- | ------------------- |
| Rye        | 30                  | 0.5        | $2.50               |
| Sourdough  | 45                  | 0.4        | $3.00               |
| Baguette   | 20                  | 0.25       | $1.75               |

The ovens run 600 minutes a day and the bakery has 10 kg of flour. How many loaves of each kind should it
bake to maximize profit?"""

SHIPPING = """Two depots supply three shops. The cost of moving one crate is:

| Depot / Shop | North | South | East |
|---|---|---|---|
| D1 | 4 | 7 | 5 |
| D2 | 6 | 3 | 8 |

Depot D1 holds 50 crates and D2 holds 40; the shops need 30, 35 and 25 crates."""


def test_read_tables_finds_header_rows_and_caption():
    (t,) = read_tables(BAKERY)
    assert t.caption == "Oven time, flour and profit per loaf"
    assert t.header == ("Bread Type", "Oven Time (minutes)", "Flour (kg)", "Profit per Loaf ($)")
    assert [r[0] for r in t.rows] == ["Rye", "Sourdough", "Baguette"] and not t.matrix
    (s,) = read_tables(SHIPPING)
    assert s.caption == "" and s.matrix and s.rows[1] == ("D2", "6", "3", "8")
    assert read_tables("no | table | here\njust text") == []


@pytest.mark.parametrize("cell, value", [("$2.50", 2.5), ("20,000", 20000), ("25%", 0.25), ("-3", -3),
                                         ("4 hours", 4), ("$0.50/kg", 0.5), ("Yes", None), ("10-20", None),
                                         ("", None), ("5 * T^2", None)])
def test_cell_number(cell, value):
    assert cell_number(cell) == value


def test_identifier_avoids_keywords_reserved_and_taken_names():
    assert identifier("Input Cost per Acre") == "input_cost_per_acre"
    assert identifier("From") == "from_data" and identifier("model") == "model_data"
    assert identifier("Cost", {"cost"}) == "cost_2" and identifier("2nd shift") == "n_2nd_shift"


def test_table_data_code_writes_one_dict_per_column():
    code, defs = table_data_code(BAKERY)
    namespace: dict = {}
    exec(code, namespace)
    assert namespace["bread_types"] == ["Rye", "Sourdough", "Baguette"]
    assert namespace["oven_time"] == {"Rye": 30, "Sourdough": 45, "Baguette": 20}
    assert namespace["flour"]["Baguette"] == 0.25 and namespace["profit_per_loaf"]["Rye"] == 2.5
    assert "# Oven Time (minutes)" in code  # the unit stays visible as a comment
    assert set(defs) == {"bread_types", "oven_time", "flour", "profit_per_loaf"}


def test_table_data_code_writes_a_matrix_keyed_by_pairs():
    code, _ = table_data_code(SHIPPING)
    namespace: dict = {}
    exec(code, namespace)
    assert namespace["depots"] == ["D1", "D2"] and namespace["shops"] == ["North", "South", "East"]
    assert namespace["cost"][("D2", "South")] == 3 and len(namespace["cost"]) == 6


def test_same_row_labels_share_one_list_and_columns_with_one_name_keep_their_units():
    text = """| Crop | Profit (Original) | Profit (Adjusted) |
|---|---|---|
| Wheat | 42 | 40 |
| Rye | 35 | 45 |

| Crop | Water |
|---|---|
| Wheat | 3 |
| Rye | 2 |
"""
    code, defs = table_data_code(text)
    assert "profit_original" in defs and "profit_adjusted" in defs
    assert code.count("crops = ") == 1 and "water" in defs


def test_tables_without_usable_keys_or_numbers_are_left_to_the_model():
    text = "| Task | Note |\n|---|---|\n| A | first |\n| A | again |\n"
    assert table_data_code(text) == ("", {})
    assert with_table_data("Maximize x with no table.") == "Maximize x with no table."


def test_with_table_data_appends_the_data_block():
    shown = with_table_data(BAKERY)
    assert shown.startswith(BAKERY) and "```python" in shown and "oven_time = {'Rye': 30" in shown


def test_define_table_data_defines_names_the_code_reads_undefined():
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.x = pyo.Var(bread_types, domain=pyo.NonNegativeIntegers)
model.objective = pyo.Objective(expr=sum(profit_per_loaf[b] * model.x[b] for b in bread_types), sense=pyo.maximize)
model.oven = pyo.Constraint(expr=sum(oven_time[b] * model.x[b] for b in bread_types) <= 600)
"""
    fixed = define_table_data(code, BAKERY)
    assert fixed is not None and "bread_types, profit_per_loaf, oven_time" in fixed.changes[0]
    assert fixed.code.index("bread_types = ") < fixed.code.index("model.x = ")
    assert define_table_data(fixed.code, BAKERY) is None  # nothing left undefined
    assert define_table_data(code, "Maximize profit.") is None



def test_define_table_data_defines_a_name_read_above_its_first_binding():
    # the table's column read in a constraint, then the name reused for that constraint: a NameError as written
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
bread_types = ['Rye', 'Sourdough', 'Baguette']
model.x = pyo.Var(bread_types, domain=pyo.NonNegativeIntegers)
model.objective = pyo.Objective(expr=sum(3 * model.x[b] for b in bread_types), sense=pyo.maximize)
model.oven_time = pyo.Constraint(expr=sum(oven_time[b] * model.x[b] for b in bread_types) <= 600)
oven_time = model.oven_time
def rule(m, b):
    return m.x[b] <= flour[b]
flour = {'Rye': 1, 'Sourdough': 2, 'Baguette': 3}
model.flour = pyo.Constraint(bread_types, rule=rule)
"""
    fixed = define_table_data(code, BAKERY)
    assert fixed is not None and "oven_time" in fixed.changes[0]
    assert fixed.code.index("oven_time = {") < fixed.code.index("model.oven_time = ")
    # read in a rule that runs after its binding, or bound above where it is read: left as written
    assert "flour = {'Rye': 1" in fixed.code and fixed.code.count("\nflour = ") == 1
    assert fixed.code.count("\nbread_types = ") == 1


BAKERY_CODE = """```python
import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.loaves = pyo.Var(bread_types, domain=pyo.NonNegativeIntegers)
model.objective = pyo.Objective(expr=sum(profit_per_loaf[b] * model.loaves[b] for b in bread_types),
                                sense=pyo.maximize)
model.oven = pyo.Constraint(expr=sum(oven_time[b] * model.loaves[b] for b in bread_types) <= 600)
model.flour_limit = pyo.Constraint(expr=sum(flour[b] * model.loaves[b] for b in bread_types) <= 10)
```"""


@pytest.mark.parametrize("table_data", [True, False])
def test_the_program_strategy_shows_the_table_data_and_defines_it(pool, table_data):
    with Modeler(ScriptedLLM([BAKERY_CODE], repeat_last=True), sandbox=pool, strategies=("program",),
                 table_data=table_data, max_attempts=1) as m:
        s = m.solve(BAKERY)
    question = m.llm.calls[0]["messages"][-1]["content"]
    assert ("oven_time = {'Rye': 30, 'Sourdough': 45, 'Baguette': 20}" in question) is table_data
    # either way, code that reads the table's names undefined gets them defined: 30 baguettes fill the ovens
    assert s.ok and s.objective == pytest.approx(52.5) and s.values["loaves[Baguette]"] == pytest.approx(30)
    assert "bread_types = ['Rye', 'Sourdough', 'Baguette']" in s.code
    assert any("from the question's table" in c for c in s.attempts[0].changes)


def test_an_edge_list_is_keyed_by_pairs_and_a_one_row_table_by_its_columns():
    edges = "| from | to | minutes |\n|---|---|---|\n| S | A | 7 |\n| S | B | 9 |\n| A | B | 2 |\n"
    code, _ = table_data_code(edges)
    namespace: dict = {}
    exec(code, namespace)
    assert namespace["arcs"] == [("S", "A"), ("S", "B"), ("A", "B")] and namespace["minutes"][("A", "B")] == 2
    shifts = "| period | 00-08 | 08-16 | 16-24 |\n|---|---|---|---|\n| staff | 4 | 9 | 6 |\n"
    code, _ = table_data_code(shifts)
    assert "periods = ['00-08', '08-16', '16-24']" in code and "staff = {'00-08': 4, '08-16': 9, '16-24': 6}" in code


def test_rows_labelled_as_links_are_keyed_by_their_two_ends():
    text = ("| road | cost ($/unit) | capacity |\n|---|---|---|\n| P1 to Hub | 2 | 70 |\n| Hub -> C1 | 4 | 40 |\n"
            "| P1 to C1 | 9 | 10 |\n")
    code, _ = table_data_code(text)
    namespace: dict = {}
    exec(code, namespace)
    assert namespace["roads"] == [("P1", "Hub"), ("Hub", "C1"), ("P1", "C1")]
    assert namespace["cost"][("Hub", "C1")] == 4 and namespace["capacity"][("P1", "C1")] == 10
    # labels that are not all links (or repeat a link) keep their text
    mixed = text.replace("| P1 to C1 | 9 | 10 |", "| direct | 9 | 10 |")
    code, _ = table_data_code(mixed)
    assert "'P1 to Hub'" in code and "'direct'" in code


def test_columns_named_by_a_letter_get_a_name_no_loop_variable_takes():
    text = "| machine | A (min/unit) | B (min/week) | hours |\n|---|---|---|---|\n| cut | 10 | 6 | 40 |\n| press | 5 | 8 | 30 |\n"
    code, defs = table_data_code(text)
    assert {"column_a", "column_b", "hours"} <= set(defs) and "# A (min/unit)" in code


def test_item_columns_with_one_unit_beside_other_columns_become_one_matrix():
    text = ("A plant makes three products, A, B and C, on two machines.\n\n"
            "| machine | A (min/unit) | B (min/unit) | C (min/unit) | available (min/week) |\n|---|---|---|---|---|\n"
            "| cut | 10 | 6 | 8 | 2400 |\n| press | 5 | 10 | 6 | 2000 |\n")
    code, defs = table_data_code(text)
    namespace: dict = {}
    exec(code, namespace)
    assert namespace["machines"] == ["cut", "press"] and namespace["products"] == ["A", "B", "C"]
    assert namespace["min_per_unit"][("press", "B")] == 10 and len(namespace["min_per_unit"]) == 6
    assert namespace["available"] == {"cut": 2400, "press": 2000}
    assert "for r in machines for c in products" in code  # a loop the model can copy as it is
    assert code.count("machines = ") == 1  # the rows' list once, shared by the matrix and the columns


def test_a_matrix_s_columns_are_named_after_the_things_the_text_counts():
    text = ("Three plants ship pallets to four depots.\n\n| plant | D1 | D2 | D3 | D4 |\n|---|---|---|---|---|\n"
            "| P1 | 8 | 6 | 10 | 9 |\n| P2 | 9 | 12 | 13 | 7 |\n| P3 | 14 | 9 | 16 | 5 |\n")
    _, defs = table_data_code(text)
    assert defs["plants"] == "plants = ['P1', 'P2', 'P3']" and defs["depots"] == "depots = ['D1', 'D2', 'D3', 'D4']"
    # a count that fits the rows too is not taken for the columns; nothing counted leaves "columns"
    same = text.replace("Three plants ship pallets to four depots.", "Three plants ship pallets to three shops.")
    same = same.replace(" D4 |", "").replace("| 9 |\n", "|\n").replace("| 7 |\n", "|\n").replace("| 5 |\n", "|\n")
    same = same.replace("|---|---|---|---|---|", "|---|---|---|---|")
    _, defs = table_data_code(same)
    assert "shops" in defs
    _, defs = table_data_code(text.replace("Three plants ship pallets to four depots.", "Costs:"))
    assert "columns" in defs


def test_a_column_of_percents_is_shown_as_fractions_like_the_text_s_percents():
    text = ("| input | carbon (%) | cost ($/kg) | share |\n|---|---|---|---|\n| scrap A | 2.5 | 0.50 | 10% |\n"
            "| scrap B | 5 | 0.40 | 20% |\n")
    code, defs = table_data_code(text)
    assert defs["carbon"] == "carbon = {'scrap A': 0.025, 'scrap B': 0.05}"
    assert "# carbon (%), as fractions (2.5% -> 0.025)" in code
    assert defs["cost"] == "cost = {'scrap A': 0.5, 'scrap B': 0.4}"  # no percent in its header
    assert defs["share"] == "share = {'scrap A': 0.1, 'scrap B': 0.2}"  # cells with % were fractions already


def test_table_data_copied_with_slips_is_put_back_and_a_conversion_is_left_alone():
    from optolab.agents.tables import restore_table_data

    question = ("Minimum staff needed:\n\n| period | 00-04 | 04-08 | 08-12 | 12-16 |\n|---|---|---|---|---|\n"
                "| agents | 4 | 8 | 18 | 20 |\n")
    code = ("import pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\nperiods = ['00-04', '04-08', '12-16']\n"
            "agents = {'00-04': 4, '04-08': 8, '12-16': 18}\nlimit = 3\n")
    fixed = restore_table_data(code, question)
    assert fixed is not None and "periods = ['00-04', '04-08', '08-12', '12-16']" in fixed.code
    assert "agents = {'00-04': 4, '04-08': 8, '08-12': 18, '12-16': 20}" in fixed.code and "limit = 3" in fixed.code
    assert "periods, agents differed from the table's data" in fixed.changes[0]
    exact = code.replace("periods = ['00-04', '04-08', '12-16']", "periods = ['00-04', '04-08', '08-12', '12-16']")
    exact = exact.replace("agents = {'00-04': 4, '04-08': 8, '12-16': 18}",
                          "agents = {'00-04': 4, '04-08': 8, '08-12': 18, '12-16': 20}")
    assert restore_table_data(exact, question) is None
    # every number times 60 (hours to minutes) is a conversion; a key the table lacks is another structure
    scaled = exact.replace("agents = {'00-04': 4, '04-08': 8, '08-12': 18, '12-16': 20}",
                           "agents = {'00-04': 240, '04-08': 480, '08-12': 1080, '12-16': 1200}")
    assert restore_table_data(scaled, question) is None
    assert restore_table_data(exact.replace("'12-16': 20}", "'12-16': 20, 'night': 3}"), question) is None
