"""Reverse synthesis with scripted models: seeds, the rule filter, near-duplicates, questions with and without a
table, the agent's verdict."""

from __future__ import annotations

import json

import pytest
from pipelinekit import POTTERY, QUESTION, SCENARIO, TABLE_QUESTION, reverse_llm

from optolab.synth.errors import SynthError
from optolab.synth.reverse import ReversePipeline, has_table, parse_tables
from optolab.synth.scenarios import (ScenarioRules, builtin_seeds, check_scenario, load_seeds, natural_text,
                                     parse_steps, read_seed_file)
from optolab.synth.store import read_jsonl


def lines(path):
    return read_jsonl(path).records if path.exists() else []


def test_a_scenario_becomes_two_verified_questions(tmp_path, pool):
    log: list[str] = []
    pipe = ReversePipeline(reverse_llm(log=log), builtin_seeds(), shots=2,
                           modeler_options={"strategies": ("formulation",)})
    [unit] = pipe.units(1, seed=3)
    result = pipe.run(tmp_path / "run", [unit], sandbox=pool)
    plain, table = lines(result.accepted_path)
    assert log == ["scenario", "question", "formulate", "question_table", "formulate"]
    assert (plain["key"], table["key"]) == ("s3/00000/plain", "s3/00000/table")
    assert plain["question"] == QUESTION and table["question"] == TABLE_QUESTION
    assert (plain["table"], table["table"]) == (False, True)
    for rec in (plain, table):
        assert rec["optimum"] == pytest.approx(690) and rec["class"] == "MILP" and rec["family"] == "linear"
        assert rec["scenario"] == SCENARIO and rec["complexity"] == 2
        assert rec["formulation"]["objective"]["expression"] == POTTERY["objective"]["expression"]
        assert "pyo.Objective" in rec["code"] and rec["solution"] == {"mugs": 30.0, "bowls": 30.0}
        prov = rec["provenance"]
        assert len(prov["seed_scenarios"]) == 2 and prov["domain"] and set(prov["prompts"]) >= {
            "scenario", "question", "question_table", "agent.formulate"}
        assert rec["unit"] == "s3/00000" and rec["unit_records"] == 2
    prompt = pipe.llm.calls[0]["messages"][-1]["content"]
    shown = [s for s in builtin_seeds() if s.id in plain["provenance"]["seed_scenarios"]]
    assert all(s.text in prompt for s in shown) and all(s.type == "linear" for s in shown)
    assert result.summary["accepted"] == 2 and result.summary["per_class"]["MILP"]["accepted"] == 2


def test_the_rule_filter_rejects_incomplete_scenarios():
    no_objective = SCENARIO.replace("// Maximize 9m + 14b", "// 9m + 14b")
    assert [r for r, _ in check_scenario(no_objective)] == ["objective"]
    no_constraints = SCENARIO.split("## Generate Constraint-1:")[0]
    assert check_scenario(no_constraints) == [("steps", "no constraint step")]
    unstated = SCENARIO.replace("// m + b <= 60", "// m + b <= 75")
    assert check_scenario(unstated) == [("numbers", "numbers of the formal lines missing from the description: 75")]
    bare = SCENARIO.replace("The kiln fires at most 60 pieces a week.\n", "")
    assert ("text", "step 'Generate Constraint-2' has no description") in check_scenario(bare)
    assert [r for r, _ in check_scenario(SCENARIO, ScenarioRules(max_chars=100))] == ["length"]
    assert check_scenario(SCENARIO) == []


def test_filtered_and_duplicate_scenarios_are_recorded_with_their_reason(tmp_path):
    broken = SCENARIO.replace("// Maximize 9m + 14b", "")
    near_copy = SCENARIO.replace("each week", "every week")
    pipe = ReversePipeline(reverse_llm([broken, SCENARIO, near_copy]), builtin_seeds(), tables="plain",
                           agent_factory=lambda sandbox: _Agent(690))
    result = pipe.run(tmp_path / "run", pipe.units(3), sandbox=None, workers=1)
    hard = {r["key"]: r for r in lines(result.hard_cases_path)}
    assert hard["s0/00000"]["reason"] == "filter_formal" and hard["s0/00000"]["stage"] == "filter"
    dup = hard["s0/00002"]
    assert dup["reason"] == "duplicate" and dup["duplicate_of"] == "s0/00001" and dup["similarity"] >= 0.7
    assert [r["key"] for r in lines(result.accepted_path)] == ["s0/00001/plain"]
    assert result.summary["rejected_by_reason"] == {"filter_formal": 1, "duplicate": 1}


def test_a_copy_of_a_seed_is_a_duplicate():
    seeds = builtin_seeds()
    pipe = ReversePipeline(reverse_llm([seeds[0].text]), seeds, agent_factory=lambda sandbox: _Agent(1))
    [rec] = pipe.process(pipe.units(1)[0], pipe.make_worker(None))
    assert rec["reason"] == "duplicate" and rec["duplicate_of"] == f"seed:{seeds[0].id}"


def test_questions_must_keep_the_numbers_and_show_a_table():
    pipe = ReversePipeline(reverse_llm(question=QUESTION.replace("60 pieces", "many pieces"), table=QUESTION),
                           builtin_seeds(), agent_factory=lambda sandbox: _Agent(690))
    plain, table = pipe.process(pipe.units(1)[0], pipe.make_worker(None))
    assert plain["reason"] == "question_numbers" and plain["detail"].endswith(": 60")
    assert table["reason"] == "no_table" and table["table"] is True
    assert has_table(TABLE_QUESTION) and not has_table(QUESTION)


def test_questions_of_one_scenario_must_agree():
    answers = iter([690.0, 700.0])
    pipe = ReversePipeline(reverse_llm(), builtin_seeds(), agent_factory=lambda sandbox: _Agent(answers))
    recs = pipe.process(pipe.units(1)[0], pipe.make_worker(None))
    assert [r["reason"] for r in recs] == ["variants_disagree", "variants_disagree"]
    assert "plain 690.0, table 700.0" in recs[0]["detail"]


def test_unsolved_and_merely_feasible_questions_are_not_kept():
    pipe = ReversePipeline(reverse_llm(), builtin_seeds(), tables="both",
                           agent_factory=lambda sandbox: _Agent(iter([None, 690.0]), statuses=iter(
                               ["infeasible", "feasible"])))
    plain, table = pipe.process(pipe.units(1)[0], pipe.make_worker(None))
    assert plain["reason"] == "agent_no_answer" and "infeasible" in plain["detail"]
    assert table["reason"] == "not_optimal"


def test_resume_remembers_accepted_scenarios_for_dedupe(tmp_path):
    out = tmp_path / "run"
    first = ReversePipeline(reverse_llm([SCENARIO]), builtin_seeds(), tables="plain",
                            agent_factory=lambda sandbox: _Agent(690))
    first.run(out, first.units(1), sandbox=None)
    again = ReversePipeline(reverse_llm([SCENARIO.replace("each week", "every week")]), builtin_seeds(),
                            tables="plain", agent_factory=lambda sandbox: _Agent(690))
    result = again.run(out, again.units(2), sandbox=None)
    assert result.new == 1 and result.kept == 1
    [dup] = lines(result.hard_cases_path)
    assert dup["key"] == "s0/00001" and dup["duplicate_of"] == "s0/00000"


def test_seed_files_of_both_shapes_and_their_errors(tmp_path):
    as_list = tmp_path / "pool.json"
    as_list.write_text(json.dumps([{"scenario": SCENARIO, "length": 500, "var_num": 2, "type": "linear"}]))
    as_lines = tmp_path / "mine.jsonl"
    as_lines.write_text(json.dumps({"id": "pottery", "type": "linear", "scenario": SCENARIO}) + "\n")
    seeds = load_seeds([as_list, as_lines])
    assert [s.id for s in seeds] == ["pool-0", "pottery"] and seeds[0].type == "linear"
    assert [s.id for s in load_seeds([tmp_path])] == ["pottery", "pool-0"]  # files in name order
    with pytest.raises(SynthError, match="ids must be unique"):
        load_seeds([as_lines, as_lines])
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "type": "cubic", "scenario": "..."}\n')
    with pytest.raises(SynthError, match="type 'cubic'"):
        read_seed_file(bad)
    with pytest.raises(SynthError, match="does not exist"):
        load_seeds([tmp_path / "missing.json"])


def test_builtin_seeds_pass_the_rules_and_cover_both_kinds():
    seeds = builtin_seeds()
    assert {s.type for s in seeds} == {"linear", "nonlinear"} and len(seeds) >= 6
    assert all(check_scenario(s.text) == [] for s in seeds)
    steps = parse_steps(seeds[0].text)
    assert [s.kind for s in steps][:2] == ["variables", "objective"] and steps[0].formal
    assert "//" not in natural_text(seeds[0].text)


def test_options_are_checked():
    assert parse_tables("both") == ("plain", "table") and parse_tables(["table"]) == ("table",)
    with pytest.raises(SynthError, match="plain, table or both"):
        parse_tables("tabular")
    with pytest.raises(SynthError, match="shots"):
        ReversePipeline(reverse_llm(), builtin_seeds(), shots=0)


class _Agent:
    """The agent's answers in turn (a number, or an iterator of numbers and None)."""

    def __init__(self, objective, statuses=None):
        self.objective = objective
        self.statuses = statuses

    def solve(self, text):
        from optolab.agents import Solution

        obj = next(self.objective) if hasattr(self.objective, "__next__") else self.objective
        status = next(self.statuses) if self.statuses is not None else "optimal"
        return Solution(question=text, status=status, objective=obj, sense="maximize", values={"mugs": 1.0},
                        formulation=POTTERY, code=None, explanation=f"ended {status}")
