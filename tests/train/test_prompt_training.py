"""Prompt-level training with scripted models, the real sandbox and solvers.

The agent's model (a FunctionLLM) forgets the sales limit of a desk-and-shelf problem unless its
system prompt carries the rule ``RULE-SALES``; the optimizer's model (a ScriptedLLM) proposes new
instructions. Dev accuracy tells a good proposal from a bad one.
"""

import json
import re

import pytest

from optolab.agents import Modeler
from optolab.cli.main import main as cli_main
from optolab.evals.scoring import get_rule
from optolab.testing import FunctionLLM, ScriptedLLM
from optolab.train.data import Split, TrainRecord, split_records, write_records
from optolab.train.prompts import (PromptTrainConfig, PromptTrainer, TrainError, batch_indices, feedback_text,
                                   judge)
from optolab.train.tape import record_steps

RULE = "RULE-SALES: every sales limit of the problem is a constraint."


def question(hours: int, desks: int) -> str:
    return (f"A workshop makes desks and shelves. A desk needs 4 hours of work and earns $70; a shelf needs 2 hours "
            f"and earns $30. There are {hours} hours of work, and desk sales are limited to {desks}. How many of "
            "each should be made to maximize profit?")


def optimum(hours: int, desks: int) -> float:
    d = min(desks, hours // 4)
    return 70.0 * d + 30.0 * ((hours - 4 * d) // 2)


def formulation(hours: int, desks: int, with_limit: bool) -> dict:
    cons = [{"name": "hours", "expression": f"4*desks + 2*shelves <= {hours}"}]
    if with_limit:
        cons.append({"name": "desk_sales", "expression": f"desks <= {desks}"})
    return {"requirements": ["maximize profit", f"{hours} hours of work", f"at most {desks} desks"],
            "variables": [{"name": "desks", "type": "integer"}, {"name": "shelves", "type": "integer"}],
            "objective": {"sense": "maximize", "expression": "70*desks + 30*shelves"}, "constraints": cons}


CASES = [(40, 8), (60, 10), (48, 5), (80, 12), (36, 6), (52, 9), (44, 7), (64, 3)]


def records() -> list[TrainRecord]:
    out = []
    for h, d in CASES:
        code = ("import pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\n"
                "model.d = pyo.Var(domain=pyo.NonNegativeIntegers)\nmodel.s = pyo.Var(domain=pyo.NonNegativeIntegers)\n"
                f"model.h = pyo.Constraint(expr=4*model.d + 2*model.s <= {h})\n"
                f"model.k = pyo.Constraint(expr=model.d <= {d})\n"
                f"model.obj = pyo.Objective(expr=70*model.d + 30*model.s, sense=pyo.maximize)\n")
        out.append(TrainRecord(id=f"desks-{h}-{d}", question=question(h, d), optimum=optimum(h, d), code=code,
                               formulation=formulation(h, d, True), problem_class="MILP", complexity=1,
                               provenance={"generator": "test"}))
    return out


def agent_reply(messages):
    """The agent's model: forgets the sales limit unless the system prompt carries RULE-SALES."""
    text = [m["content"] for m in messages if m["role"] == "user" and m["content"].startswith("Problem:")][-1]
    hours, desks = map(int, re.search(r"There are (\d+) hours of work, and desk sales are limited to (\d+)", text).groups())
    return formulation(hours, desks, with_limit="RULE-SALES" in messages[0]["content"])


def proposal(instructions: str) -> dict:
    return {"reasoning": "the models miss the sales limits", "answer": "",
            "suggestion": {"formulate_instructions": instructions}}


def make_agent(pool, **kw):
    kw.setdefault("max_attempts", 1)
    kw.setdefault("strategies", ("formulation",))
    return Modeler(FunctionLLM(agent_reply), sandbox=pool, **kw)


def test_tape_records_each_round_and_feedback_reaches_the_trained_parts(pool):
    agent = make_agent(pool, max_attempts=2)
    with record_steps(agent) as tape:
        solution = agent.solve(question(40, 8))
    assert not [k for k in vars(agent) if k in ("formulate", "check")]  # the wrappers are gone
    assert [n for n, _ in agent.named_parameters()] == ["instructions", "repair_instructions", "program_instructions",
                                                      "program_repair_instructions", "shots",
                                                      "check_program.__code__", "check.__code__"]
    chains = tape.chains()
    # the unused 8 asks for a repair; the repair repeats the formulation, so it is asked again at once with
    # sampling: three recorded rounds, two attempts
    assert len(chains) == 1 and len(chains[0]) == 3 and len(solution.attempts) == 2
    assert chains[0][-1].check is not None and chains[0][-1].solved
    reached = {p.name for p in tape.targets()[0].backward("the optimum is 680")}
    assert {"formulate_instructions", "repair_instructions", "shots", "check.__code__"} <= reached


def test_feedback_says_expected_against_found_and_quotes_the_findings(pool):
    rec = records()[0]
    rule = get_rule("rel_1e-4_all_answers")
    outcome = judge(rec, make_agent(pool).solve(rec.question), rule)
    assert not outcome.correct and outcome.error_type == "wrong_value" and outcome.objective == 700.0
    text = feedback_text(rec, outcome)
    assert "optimal objective is 680" in text and "gave 700" in text and "8 appears in no constraint" in text
    assert "A correct formulation (JSON)" in text and "desk_sales" in text
    assert "A correct" not in feedback_text(rec, outcome, show_reference=False)
    agent = make_agent(pool)
    agent.instructions.set(agent.instructions.data + RULE)
    right = judge(rec, agent.solve(rec.question), rule)
    assert right.correct and right.error_type == "correct"
    assert feedback_text(rec, right).endswith("correct. The optimum is 680 and the agent's model found it.")
    failed = judge(rec, None, rule, error="RuntimeError: boom")
    assert failed.error_type == "exception" and "boom" in feedback_text(rec, failed)


def test_training_finds_the_rule_keeps_the_best_state_and_saves_it(pool, tmp_path):
    split = split_records(records(), dev_size=3, test_fraction=0.0)
    base = make_agent(pool).instructions.data
    good, bad = base + "\n" + RULE, "Write any JSON."
    opt_llm = ScriptedLLM([proposal(good), proposal(bad)])
    agent = make_agent(pool)
    out = tmp_path / "state.json"
    lines = []
    trainer = PromptTrainer(agent, split, optimizer_llm=opt_llm, out=out, log=lines.append,
                            config=PromptTrainConfig(steps=2, batch_size=2))
    result = trainer.run()
    assert result.initial_dev_score == 0.0 and result.best_dev_score == 1.0
    steps = result.history
    assert steps[0]["decision"].startswith("new best") and steps[0]["changed"] == ["instructions"]
    assert steps[0]["train_correct"] == 0 and len(steps[0]["feedback"]) == 2
    assert all("optimal objective is" in text for text in steps[0]["feedback"].values())
    # with the rule learnt, step 2 gets its batch right and asks the optimizer for nothing
    assert steps[1]["train_correct"] == 2 and steps[1]["decision"] == "all correct: no update"
    assert agent.instructions.data == good
    # the saved state loads into a fresh agent and changes what its model is told
    fresh = make_agent(pool).load(out)
    assert fresh.instructions.data.endswith(RULE)
    rec = split.dev[0]
    assert fresh.solve(rec.question).objective == rec.optimum
    assert RULE in fresh.llm.calls[-1]["messages"][0]["content"]
    history = json.loads(out.with_name("state.history.json").read_text())
    assert history["best_dev_score"] == 1.0 and len(history["steps"]) == 2
    assert history["steps"][0]["optimizer"]["updates"]["formulate_instructions"]["new"] == good
    assert any("dev 100.0%" in line for line in lines)


def test_a_worse_proposal_is_reverted_on_dev(pool, tmp_path):
    split = split_records(records(), dev_size=3, test_fraction=0.0)
    # a batch the agent gets wrong: its records' optima are off by one, as if the data said otherwise
    split = Split(train=[_shifted(r) for r in split.train], dev=split.dev, test=split.test)
    base = make_agent(pool).instructions.data
    worse = base.replace("operations research expert", "hurried clerk") + "\nIgnore small limits."
    agent = make_agent(pool, max_attempts=1)
    agent.instructions.set(base + "\n" + RULE)  # start from the good state; only the batch is forced wrong
    opt_llm = ScriptedLLM([proposal(worse)])
    trainer = PromptTrainer(agent, split, optimizer_llm=opt_llm, out=tmp_path / "s.json",
                            config=PromptTrainConfig(steps=1, batch_size=2, feedback_on_correct=True))
    result = trainer.run()
    assert result.initial_dev_score == 1.0
    step = result.history[0]
    assert step["decision"].startswith("reverted") and step["dev_score"] == 1.0
    assert agent.instructions.data.endswith(RULE) and result.best_state["instructions"].endswith(RULE)
    assert json.loads((tmp_path / "s.json").read_text())["parameters"]["instructions"]["data"].endswith(RULE)
    # the worse state was scored once on dev and is remembered
    assert sorted(trainer.dev_cache.values()) == [0.0, 1.0]


def _shifted(r: TrainRecord) -> TrainRecord:
    from dataclasses import replace

    return replace(r, optimum=r.optimum + 1)


def test_search_optimizer_scores_candidates_on_dev(pool, tmp_path):
    split = split_records(records(), dev_size=3, test_fraction=0.0)
    base = make_agent(pool).instructions.data
    opt_llm = ScriptedLLM([proposal("Write any JSON model."), proposal(base + "\n" + RULE)])
    agent = make_agent(pool)
    trainer = PromptTrainer(agent, split, optimizer_llm=opt_llm, out=tmp_path / "s.json",
                            config=PromptTrainConfig(steps=1, batch_size=2, optimizer="search", candidates=2))
    result = trainer.run()
    assert result.best_dev_score == 1.0 and agent.instructions.data.endswith(RULE)
    extra = result.history[0]["optimizer"]["extra"]
    assert [(s["origin"], s["mean"]) for s in extra["scores"]] == [
        ("initial", 0.0), ("step 1 candidate 1", 0.0), ("step 1 candidate 2", 1.0)]
    assert extra["best_origin"] == "step 1 candidate 2"
    assert len(trainer.dev_cache) == 3  # each state was scored on dev once


def test_resume_continues_after_the_last_step_and_refuses_other_settings(pool, tmp_path):
    split = split_records(records(), dev_size=3, test_fraction=0.0)
    base = make_agent(pool).instructions.data
    out = tmp_path / "s.json"
    cfg = PromptTrainConfig(steps=1, batch_size=2)
    first = PromptTrainer(make_agent(pool), split, optimizer_llm=ScriptedLLM([proposal(base + "\n" + RULE)]),
                          out=out, config=cfg).run()
    assert first.steps_done == 1
    again_llm = ScriptedLLM([])  # nothing to propose: the checkpoint has the good state already
    agent = make_agent(pool)
    cfg2 = PromptTrainConfig(steps=2, batch_size=2)
    second = PromptTrainer(agent, split, optimizer_llm=again_llm, out=out, config=cfg2).run()
    assert second.resumed_from == 1 and second.steps_done == 2 and len(second.history) == 2
    assert agent.instructions.data.endswith(RULE) and again_llm.calls == []
    with pytest.raises(TrainError, match="batch_size: checkpoint 2, now 3"):
        PromptTrainer(make_agent(pool), split, optimizer_llm=again_llm, out=out,
                      config=PromptTrainConfig(steps=3, batch_size=3)).run()


def test_unknown_parameter_names_are_refused(pool):
    split = split_records(records(), dev_size=2, test_fraction=0.0)
    with pytest.raises(TrainError, match="no trainable parameters \\['prompt'\\].*instructions"):
        PromptTrainer(make_agent(pool), split, optimizer_llm=ScriptedLLM([]),
                      config=PromptTrainConfig(params=("prompt",)))
    with pytest.raises(TrainError, match="optimizer must be one of"):
        PromptTrainConfig(optimizer="adam")


def test_batches_cycle_through_a_seeded_shuffle():
    seen = [i for k in range(1, 5) for i in batch_indices(6, 3, k, seed=1)]
    assert sorted(seen[:6]) == list(range(6)) and sorted(seen[6:]) == list(range(6))
    assert batch_indices(6, 3, 1, seed=1) == batch_indices(6, 3, 1, seed=1) != batch_indices(6, 3, 1, seed=2)
    assert batch_indices(2, 5, 1, seed=0) and len(batch_indices(2, 5, 1, seed=0)) == 2


def test_cli_trains_and_the_state_loads_in_solve(pool, tmp_path, monkeypatch):
    data = write_records(records(), tmp_path / "synth.jsonl")
    base = make_agent(pool).instructions.data
    llm = FunctionLLM(lambda messages: proposal(base + "\n" + RULE) if "#Variables" in messages[-1]["content"]
                      else agent_reply(messages))
    import optolab.cli.train_cmd as train_cmd

    monkeypatch.setattr(train_cmd, "make_llm", lambda model, api_base: llm)
    out = tmp_path / "agent.json"
    rc = cli_main(["train", "prompts", "--data", str(data), "--steps", "1", "--dev-size", "2", "--batch-size", "2",
                   "--attempts", "1", "--out", str(out), "--strategy", "formulation"])
    assert rc == 0 and out.is_file() and out.with_name("agent.history.json").is_file()
    captured = {}

    class Probe(Modeler):
        def __init__(self, llm_, **kw):
            super().__init__(llm, sandbox=pool, **{k: v for k, v in kw.items() if k != "sandbox"})
            captured["agent"] = self

    monkeypatch.setattr("optolab.agents.Modeler", Probe)
    rc = cli_main(["solve", question(40, 8), "--agent", str(out), "--json", "--model", "openai/test",
                   "--strategy", "formulation"])
    assert captured["agent"].instructions.data.endswith(RULE)
    assert rc == 0


def program_reply(messages):
    """The program strategy's model: writes the code, forgetting the sales limit unless told RULE-SALES."""
    text = [m["content"] for m in messages if m["role"] == "user" and m["content"].startswith("Problem:")][-1]
    hours, desks = map(int, re.search(r"There are (\d+) hours of work, and desk sales are limited to (\d+)", text).groups())
    limit = f"model.sales = pyo.Constraint(expr=model.desks <= {desks})\n" if "RULE-SALES" in messages[0]["content"] \
        else ""
    return ("```python\nimport pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\n"
            "model.desks = pyo.Var(domain=pyo.NonNegativeIntegers)\nmodel.shelves = pyo.Var(domain=pyo.NonNegativeIntegers)\n"
            "model.profit = pyo.Objective(expr=70 * model.desks + 30 * model.shelves, sense=pyo.maximize)\n"
            f"model.hours = pyo.Constraint(expr=4 * model.desks + 2 * model.shelves <= {hours})\n{limit}```")


def test_the_program_strategy_is_recorded_and_trained(pool, tmp_path):
    agent = Modeler(FunctionLLM(program_reply), sandbox=pool, strategies=("program",), max_attempts=2)
    with record_steps(agent) as tape:
        agent.solve(question(40, 8))
    chains = tape.chains()
    # the unused 8 asks for a repair of the solved code (the same chain); the repair repeats the code and is
    # asked again at once: three recorded rounds, one chain
    assert len(chains) == 1 and len(chains[0]) == 3 and chains[0][0].program is chains[0][0].form
    reached = {p.name for p in tape.targets()[0].backward("the optimum is 680")}
    assert {"program_instructions", "shots"} <= reached
    good = agent.program_instructions.data + "\n" + RULE
    opt_llm = ScriptedLLM([{"reasoning": "limits are missed", "answer": "",
                            "suggestion": {"program_instructions": good}}])
    fresh = Modeler(FunctionLLM(program_reply), sandbox=pool, strategies=("program",), max_attempts=1)
    trainer = PromptTrainer(fresh, split_records(records(), dev_size=3, test_fraction=0.0), optimizer_llm=opt_llm,
                            out=tmp_path / "p.json", config=PromptTrainConfig(
                                steps=1, batch_size=2, params=("program_instructions", "shots")))
    result = trainer.run()
    assert result.initial_dev_score == 0.0 and result.best_dev_score == 1.0
    assert fresh.program_instructions.data == good
    # the feedback quotes the reference code, what a program-writing agent can compare with
    assert all("A correct Pyomo code" in t for t in result.history[0]["feedback"].values())


def test_cli_selects_on_a_benchmark_dev_sample_and_eval_leaves_it_out(pool, tmp_path, monkeypatch):
    data = write_records(records(), tmp_path / "synth.jsonl")
    bench = tmp_path / "bench.jsonl"  # a benchmark in the generic format: the same problems, other ids
    bench.write_text("".join(json.dumps({"id": f"b{h}-{d}", "question": question(h, d), "objective": optimum(h, d)})
                             + "\n" for h, d in CASES) + json.dumps({"id": "b-inf", "question": question(1, 1),
                                                                     "objective": "infeasible"}) + "\n")
    program = Modeler(FunctionLLM(program_reply)).program_instructions.data
    llm = FunctionLLM(lambda messages: {"reasoning": "r", "answer": "", "suggestion": {
        "program_instructions": program + "\n" + RULE}} if "#Variables" in messages[-1]["content"]
        else program_reply(messages))
    import optolab.cli.train_cmd as train_cmd

    monkeypatch.setattr(train_cmd, "make_llm", lambda model, api_base: llm)
    out = tmp_path / "agent.json"
    rc = cli_main(["train", "prompts", "--data", str(data), "--strategy", "program", "--dev-benchmark", str(bench),
                   "--dev-size", "3", "--steps", "1", "--batch-size", "2", "--attempts", "1", "--out", str(out)])
    assert rc == 0
    dev_ids = (tmp_path / "agent.dev-ids.txt").read_text().split()
    assert len(dev_ids) <= 3 and all(i.startswith("b") for i in dev_ids)
    history = json.loads(out.with_name("agent.history.json").read_text())
    assert history["best_dev_score"] == 1.0
    trained = Modeler(FunctionLLM(program_reply), strategies=("program",)).load(out)
    assert trained.program_instructions.data.endswith(RULE)
    from optolab.evals.sources import load_eval_benchmark, select

    rest = select(load_eval_benchmark(str(bench)), exclude=dev_ids)
    assert len(rest.items) == len(CASES) + 1 - len(dev_ids) and not set(dev_ids) & {i.id for i in rest.items}
    from optolab.cli.eval_cmd import _id_list

    assert _id_list(str(tmp_path / "agent.dev-ids.txt")) == dev_ids and _id_list("a, b") == ["a", "b"]
