"""Forward synthesis with scripted models: accepted pairs, hard cases, the critic's refine loop, the numbers check."""

from __future__ import annotations

import json

import pytest
from pipelinekit import Desks, FakeAgent, desks_optimum, forward_llm

from optolab.synth.errors import SynthError
from optolab.synth.forward import (ForwardPipeline, clean_text, close_enough, lines_with, parse_complexity,
                                   strip_echo)
from optolab.synth.numbercheck import data_numbers, missing_numbers, text_numbers
from optolab.synth.prompts import load_prompt, sha256
from optolab.synth.store import read_jsonl


def lines(path):
    return read_jsonl(path).records if path.exists() else []


def test_accepted_pairs_carry_question_model_optimum_and_provenance(tmp_path, pool):
    pipe = ForwardPipeline(forward_llm(), [Desks()], modeler_options={"strategies": ("formulation",)})
    units = pipe.units(per_class=2, complexities="1-2", seed=5)
    assert [(u.seed, u.complexity) for u in units] == [(5, 1), (6, 2)]
    result = pipe.run(tmp_path / "run", units, sandbox=pool)
    accepted = lines(result.accepted_path)
    assert [r["key"] for r in accepted] == ["desks/c1/s5", "desks/c2/s6"] and not result.hard_cases_path.exists()
    rec = accepted[0]
    inst = pipe.instance(units[0])
    assert rec["verdict"] == "accepted" and rec["optimum"] == inst.optimum == rec["agent"]["objective"]
    assert rec["question"].startswith("Carla runs a furniture workshop.") and inst.facts in rec["question"]
    assert rec["formulation"]["objective"]["expression"] == "70*desks + 30*shelves"
    assert "pyo.Constraint" in rec["code"] and rec["solution"] == {"desks": 8.0, "shelves": pytest.approx(
        (inst.data["hours_available"] - 32) / 2)}
    assert rec["class"] == "MILP" and rec["family"] == "desks" and rec["complexity"] == 1 and rec["table"] is False
    prov = rec["provenance"]
    assert (prov["generator"], prov["seed"], prov["complexity"], prov["model"]) == ("desks", 5, 1, "function")
    for name in ("backtranslate", "critic", "refine"):
        assert prov["prompts"][name] == sha256(load_prompt(name))
    assert set(prov["prompts"]) >= {"agent.formulate", "agent.repair"}
    assert rec["reference"]["code"] == inst.code and rec["reference"]["data"] == inst.data
    assert rec["refinements"] == 0 and rec["checks"][0]["critic"] == {"ok": True, "problems": []}
    assert rec["cost"]["llm_calls"] == 3 and rec["cost"]["prompt_tokens"] > 0
    assert result.summary["accepted"] == 2 and result.summary["yield"] == 1.0


def test_an_agent_in_the_program_strategy_verifies_pairs_with_its_code(tmp_path, pool):
    pipe = ForwardPipeline(forward_llm(), [Desks()], modeler_options={"strategies": ("program",)})
    result = pipe.run(tmp_path / "run", pipe.units(1, [1]), sandbox=pool)
    [rec] = lines(result.accepted_path)
    assert rec["agent"]["objective"] == pipe.instance(pipe.units(1, [1])[0]).optimum
    assert rec["formulation"] is None and "model.desk_sales" in rec["code"]
    assert rec["reference"]["formulation"] is not None  # the generator's formulation still comes with the pair
    assert result.summary["config"]["modeler"]["strategies"] == ["program"]
    assert {"agent.program", "agent.program_repair"} <= set(rec["provenance"]["prompts"])


def test_agent_with_a_wrong_optimum_gives_a_hard_case(tmp_path, pool):
    pipe = ForwardPipeline(forward_llm(desk_profit=60), [Desks()])  # the agent misreads the desk profit
    result = pipe.run(tmp_path / "run", pipe.units(1, [1]), sandbox=pool)
    assert lines(result.accepted_path) == []
    [hard] = lines(result.hard_cases_path)
    inst = pipe.instance(pipe.units(1, [1])[0])
    assert hard["verdict"] == "rejected" and hard["reason"] == "optimum_mismatch"
    assert hard["agent"]["objective"] == pytest.approx(inst.optimum - 80)
    assert repr(inst.optimum) in hard["detail"] and hard["question"]
    assert hard["reference"]["formulation"]["objective"]["expression"] == "70*desks + 30*shelves"
    assert result.summary["rejected_by_reason"] == {"optimum_mismatch": 1}


def test_tolerance_is_relative_to_the_optimum():
    assert close_enough(1000.05, 1000.0) and not close_enough(1000.2, 1000.0)
    assert close_enough(0.00005, 0.0) and not close_enough(0.0002, 0.0)
    agent = FakeAgent(wrong_by=0.05)  # 0.05 on an optimum near 700 is within 1e-4 relative
    pipe = ForwardPipeline(forward_llm(), [Desks()], agent_factory=lambda sandbox: agent)
    [rec] = pipe.process(pipe.units(1, [1])[0], agent)
    assert rec["verdict"] == "accepted"


def test_critic_problems_are_sent_back_until_it_accepts():
    log: list[str] = []

    def critic(question, n):
        if n == 1:
            return {"ok": False, "problems": ["the limit of 8 desks is not stated as a sales limit"]}
        return {"ok": True, "problems": []}

    llm = forward_llm(critic=critic, log=log)
    agent = FakeAgent()
    pipe = ForwardPipeline(llm, [Desks()], max_refine=2)
    [rec] = pipe.process(pipe.units(1, [2])[0], agent)
    assert log == ["backtranslate", "critic", "refine", "critic"]
    refine_prompt = llm.calls[2]["messages"][-1]["content"]
    assert "- the limit of 8 desks is not stated as a sales limit" in refine_prompt
    assert "Carla runs a furniture workshop." in refine_prompt  # the previous version is shown
    assert rec["verdict"] == "accepted" and rec["refinements"] == 1
    assert rec["question"].startswith("Carla, a carpenter") and agent.questions == [rec["question"]]
    assert rec["checks"][0]["problems"] == ["the limit of 8 desks is not stated as a sales limit"]


def test_a_critic_that_never_accepts_rejects_without_asking_the_agent():
    log: list[str] = []
    llm = forward_llm(critic=lambda q, n: {"ok": "false", "problems": "the goal is unclear"}, log=log)
    agent = FakeAgent()
    pipe = ForwardPipeline(llm, [Desks()], max_refine=1)
    [rec] = pipe.process(pipe.units(1, [1])[0], agent)
    assert log == ["backtranslate", "critic", "refine", "critic"]
    assert rec["verdict"] == "rejected" and rec["reason"] == "critic_rejected"
    assert rec["detail"] == "the goal is unclear" and agent.questions == []


def test_numbers_check_runs_before_the_critic_and_names_the_missing_numbers():
    log: list[str] = []
    llm = forward_llm(write=lambda facts: facts.replace(" and at most 8 desks can be sold", ""), log=log)
    pipe = ForwardPipeline(llm, [Desks()])
    [rec] = pipe.process(pipe.units(1, [1])[0], FakeAgent())
    assert log == ["backtranslate", "refine", "critic"]  # no critic call for a question that lacks a number
    assert rec["checks"][0]["missing_numbers"] == ["8"]
    refine_prompt = llm.calls[1]["messages"][-1]["content"]
    assert "missing from the word problem: 8" in refine_prompt
    assert "- state this with every number: A workshop makes desks" in refine_prompt  # the line that has it
    assert rec["verdict"] == "accepted" and rec["refinements"] == 1


def test_numbers_still_missing_after_the_last_rewrite_reject():
    llm = forward_llm(write=lambda facts: "Make desks and shelves for the most profit.")
    pipe = ForwardPipeline(llm, [Desks()], max_refine=0, critic=False)
    [rec] = pipe.process(pipe.units(1, [1])[0], FakeAgent())
    assert rec["reason"] == "numbers_missing" and "70" in rec["detail"] and rec["question"]


def test_numbers_check_reads_the_ways_numbers_are_written():
    text = "Costs are $1,200 and 8.6%; a loss of 30; twelve crates; 1.5 million litres; plant2 ships 3e2 units."
    assert missing_numbers({"a": [1200, 0.086, -30, 12, 1500000, 300]}, text) == []
    assert missing_numbers({"rate": 5, "cap": 2}, "The rate is 0.05 at plant2.") == ["2"]
    assert data_numbers({"names": ["A1"], "flag": True, "m": {"x": 3, "y": [3, 4.5]}}) == [3.0, 4.5]
    assert 8.6 in text_numbers("8.6%") and 0.086 in text_numbers("8.6%")


def test_replies_are_cleaned_of_fences_and_preambles():
    assert clean_text("Here is the word problem:\n\n```\nA farm grows...\n```") == "A farm grows..."
    assert clean_text("**Word problem:** A farm grows 3 crops.") == "A farm grows 3 crops."
    echoed = ("A farm grows wheat.\n\nProblems found:\n- 5 is missing\n\nCorrected word problem:\nA farm grows 5 "
              "crops.\n\nProblems found:\n- none")
    assert strip_echo(echoed) == "A farm grows 5 crops." and strip_echo("A farm.\nStatement:\nx") == "A farm."
    facts = "Costs:\n- from A: $7 to X, $5 to Y\n- from B: $6 to X, $13 to Y\nShip everything."
    assert lines_with(facts, ["13", "6"]) == ["- from B: $6 to X, $13 to Y"]


def test_failing_units_are_recorded_and_the_run_goes_on(tmp_path):
    class Fragile(Desks):
        def sample(self, rng, complexity):
            data = super().sample(rng, complexity)
            if data["hours_available"] == 44:
                raise RuntimeError("no data for 44 hours")
            return data

    pipe = ForwardPipeline(forward_llm(), [Fragile()], agent_factory=lambda sandbox: FakeAgent())
    units = pipe.units(4, [1])
    result = pipe.run(tmp_path / "run", units, sandbox=object())
    failed = [r for r in lines(result.hard_cases_path) if r["reason"] == "exception"]
    assert failed and all("no data for 44 hours" in r["detail"] for r in failed)
    assert len(lines(result.accepted_path)) + len(failed) == 4 and result.stopped is None
    assert result.summary["rejected_by_reason"]["exception"] == len(failed)


def test_units_and_options_are_checked():
    assert parse_complexity("1-3") == [1, 2, 3] and parse_complexity("1,4") == [1, 4] and parse_complexity(2) == [2]
    with pytest.raises(SynthError, match="low-high"):
        parse_complexity("3-1")
    pipe = ForwardPipeline(forward_llm(), [Desks()])
    with pytest.raises(SynthError, match="complexity 1 to 3"):
        pipe.units(1, [4])
    with pytest.raises(SynthError, match="per_class"):
        pipe.units(0)
    with pytest.raises(SynthError, match="unknown prompt"):
        ForwardPipeline(forward_llm(), [Desks()], prompts={"critique": "x"})


def test_prompt_overrides_change_the_request_and_the_recorded_version():
    llm = forward_llm()
    text = load_prompt("backtranslate").replace("realistic word problem", "short realistic word problem")
    pipe = ForwardPipeline(llm, [Desks()], prompts={"backtranslate": text}, critic=False)
    [rec] = pipe.process(pipe.units(1, [1])[0], FakeAgent())
    assert "short realistic word problem" in llm.calls[0]["messages"][-1]["content"]
    assert rec["provenance"]["prompts"]["backtranslate"] == sha256(text)
    assert json.loads(json.dumps(rec))["optimum"] == desks_optimum(pipe.instance(pipe.units(1, [1])[0])
                                                                   .data["hours_available"])
