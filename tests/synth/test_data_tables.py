"""Data tables for forward synthesis: what becomes a table, how it reads, where it goes in the word problem."""

from __future__ import annotations

import pytest

from optolab.synth.forward import ForwardPipeline
from optolab.synth.generators import generators
from optolab.synth.numbercheck import data_numbers, missing_numbers
from optolab.synth.tables import data_tables, humanize, place_tables, singular, strip_tables, tables_markdown
from optolab.testing import FunctionLLM

from pipelinekit import Desks, FakeAgent, section


def test_matrix_between_two_sets_has_a_row_per_row_label_and_a_column_per_column_label():
    data = {"plants": ["Omaha", "Boise"], "customers": ["Napa", "Yuma", "Flint"],
            "unit_cost": {"Boise": {"Flint": 8, "Napa": 15, "Yuma": 14}, "Omaha": {"Napa": 11, "Yuma": 10, "Flint": 7}}}
    (table,) = data_tables(data)
    assert table.caption == "Unit cost by plant and customer"
    assert table.header == ("Plant", "Napa", "Yuma", "Flint")  # in the order of the data's own lists
    assert table.rows == (("Omaha", "11", "10", "7"), ("Boise", "15", "14", "8"))
    assert table.keys == ("unit_cost",)
    assert table.numbers == 6
    assert table.markdown().splitlines()[:4] == ["Unit cost by plant and customer:", "", "| Plant | Napa | Yuma | Flint |",
                                                 "|---|---|---|---|"]


def test_per_item_quantities_of_one_set_share_a_table_and_scalars_stay_out():
    data = {"items": ["tent", "stove"], "weight_kg": {"tent": 7.5, "stove": 2}, "value": {"tent": 40, "stove": 25},
            "capacity_kg": 9, "sites": ["A", "B"], "cost_pct": {"A": 3, "B": 4}}
    first, second = data_tables(data)
    assert first.header == ("Item", "Weight (kg)", "Value") and first.keys == ("weight_kg", "value")
    assert first.rows == (("tent", "7.5", "40"), ("stove", "2", "25"))
    assert second.header == ("Site", "Cost (%)")
    assert "9" not in tables_markdown([first, second])


def test_sparse_matrix_marks_missing_cells_and_says_what_a_dash_means():
    data = {"products": ["desk", "bench"], "departments": ["cut", "paint"],
            "hours": {"desk": {"cut": 4}, "bench": {"cut": 1, "paint": 6}}}
    (table,) = data_tables(data)
    assert table.rows == (("desk", "4", "-"), ("bench", "1", "6"))
    assert "a dash means none" in table.caption


def test_records_series_and_label_lists_become_tables():
    data = {"months": ["Mar", "Apr", "May"], "products": ["gadget"],
            "demand": {"gadget": [50, 80, 100]},
            "roads": [{"from": "Kent", "to": "Bend", "minutes": 70}, {"from": "Kent", "to": "Vail", "minutes": 45}],
            "covers": {"s1": ["D1", "D2"], "s2": ["D3"]}, "sites": ["s1", "s2"], "build_cost": {"s1": 280, "s2": 190}}
    tables = {t.keys: t for t in data_tables(data)}
    assert tables[("demand",)].header == ("Product", "Mar", "Apr", "May")
    assert tables[("roads",)].header == ("From", "To", "Minutes")
    assert tables[("roads",)].rows[1] == ("Kent", "Vail", "45")
    sites = tables[("covers", "build_cost")]
    assert sites.header == ("Site", "Covers", "Build cost") and sites.rows[0] == ("s1", "D1, D2", "280")


def test_headers_are_written_from_keys():
    assert humanize("weight_kg") == "Weight (kg)"
    assert humanize("cost_per_tonne") == "Cost per tonne"
    assert humanize("cost_per_mwh") == "Cost per MWh"
    assert humanize("demand_mw") == "Demand (MW)"
    assert singular("cities") == "City" and singular("batches") == "Batch" and singular("glass") == "Glass"


def test_no_tables_in_scalar_data_or_in_things_that_are_not_data():
    assert data_tables({"hours": 40, "profit": 70}) == []
    assert data_tables(None) == []
    assert data_tables({"mixed": {"a": {"x": {"deep": 1}}}}) == []


@pytest.mark.parametrize("name", sorted(generators()))
def test_every_number_in_a_generators_tables_is_a_number_of_its_data(name):
    """The tables state data exactly: each number shown is a number of the instance, and every per-item number
    and matrix entry of the instance is shown."""
    gen = generators()[name]
    lo, hi = gen.complexity_range
    for complexity in range(lo, min(hi, 3) + 1):
        inst = gen.draft(7, complexity)
        tables = data_tables(inst.data)
        shown = tables_markdown(tables)
        assert missing_numbers({k: inst.data[k] for t in tables for k in t.keys}, shown) == []
        allowed = set(data_numbers(inst.data))
        for t in tables:
            for row in t.rows:
                for cell in row:
                    try:
                        value = abs(float(cell))
                    except ValueError:
                        continue
                    assert value in allowed, (name, cell)


def test_tables_go_before_the_closing_question():
    tables = "| a | b |\n|---|---|\n| 1 | 2 |"
    two = place_tables("A mill buys grain.\n\nHow much should it buy?", tables)
    assert two == f"A mill buys grain.\n\n{tables}\n\nHow much should it buy?"
    # the writer copied a table: it is dropped, the canonical one is set in; line breaks inside the text are kept
    one = place_tables("A mill buys grain\nfrom two farms.\n| x | y |\nWhat should it buy?", tables)
    assert one == f"A mill buys grain\nfrom two farms.\n\n{tables}\n\nWhat should it buy?"
    assert place_tables("A mill buys grain.", tables) == f"A mill buys grain.\n\n{tables}"
    assert place_tables("", tables) == tables
    assert place_tables("Text.", "") == "Text."
    assert strip_tables("Intro\n| a |\n|---|\nEnd") == "Intro\nEnd"


def _table_llm(log: list, *, drop_scalar_first: bool = False):
    """Writes the text around the tables (copying a table, which the pipeline drops); the critic accepts."""
    calls = {"write": 0}

    def fn(messages):
        prompt = messages[-1]["content"]
        if "You check a word problem" in prompt:
            log.append(("critic", section(prompt, "Word problem to check")))
            return {"ok": True, "problems": []}
        calls["write"] += 1
        kind = "refine" if "A reviewer found problems" in prompt else "write"
        log.append((kind, prompt))
        capacity = "" if drop_scalar_first and calls["write"] == 1 else " The truck holds 9 kg."
        return f"A hiker packs a bag.{capacity}\n| copied | table |\nWhich items should she pack?"

    return FunctionLLM(fn)


class _Knap:
    """An instance-shaped object with per-item data and one scalar."""
    facts = "Items: tent 7.5 kg worth 40, stove 2 kg worth 25, map 1 kg worth 5. Capacity 9 kg."
    data = {"items": ["tent", "stove", "map"], "weight_kg": {"tent": 7.5, "stove": 2, "map": 1},
            "value": {"tent": 40, "stove": 25, "map": 5}, "capacity_kg": 9}


def test_pipeline_writes_text_around_the_tables_and_refines_the_text_only():
    log: list = []
    pipe = ForwardPipeline(_table_llm(log, drop_scalar_first=True), [Desks()], agent_factory=lambda s: FakeAgent())
    tables = pipe.data_tables(_Knap)
    assert tables.startswith("| Item | Weight (kg) | Value |")
    draft = pipe.write_question(_Knap, seed=1)
    assert draft.passed and draft.refinements == 1
    assert draft.rounds[0]["missing_numbers"] == ["9"]  # the scalar is the writer's to state
    kinds = [k for k, _ in log]
    assert kinds == ["write", "refine", "critic"]
    write_prompt, refine_prompt = log[0][1], log[1][1]
    assert "Tables printed with the word problem:\n| Item |" in write_prompt
    text_part = section(refine_prompt, "Text of the word problem")
    assert "| Item |" not in text_part and "| copied |" not in text_part  # the tables are not the writer's to fix
    question = draft.question
    assert question.count("| Item | Weight (kg) | Value |") == 1 and "| copied |" not in question
    assert question.endswith("Which items should she pack?")
    assert log[2][1] == question  # the critic reads the whole word problem, tables included


def test_table_modes():
    llm = FunctionLLM(lambda m: "unused")
    small = type("Small", (), {"data": {"items": ["a", "b"], "w": {"a": 1, "b": 2}}})
    assert ForwardPipeline(llm, [Desks()], tables="auto").data_tables(small) == ""  # 2 numbers: text is enough
    assert ForwardPipeline(llm, [Desks()], tables="always").data_tables(small).startswith("| Item | W |")
    assert ForwardPipeline(llm, [Desks()], tables="never").data_tables(_Knap) == ""
    with pytest.raises(Exception, match="tables must be one of auto, always, never"):
        ForwardPipeline(llm, [Desks()], tables="sometimes")
