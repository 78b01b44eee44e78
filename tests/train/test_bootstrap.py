"""Bootstrapped demos: the agent's verified programs become worked examples, selected on dev."""

from __future__ import annotations

import json
import re

import pytest

from optolab.agents import Modeler
from optolab.agents.demos import check_demos, demo_examples
from optolab.agents.retrieval import Example, ExampleBank
from optolab.cli.main import main as cli_main
from optolab.errors import ParameterUpdateError
from optolab.testing import FunctionLLM
from optolab.train.bootstrap import bootstrap_order, demo_from
from optolab.train.data import Split, TrainRecord, write_records
from optolab.train.prompts import PromptTrainConfig, PromptTrainer, TrainError

HINT = "Every sales limit is a constraint."


def question(hours: int, desks: int, hint: bool = False) -> str:
    return (f"A workshop makes desks and shelves. A desk needs 4 hours of work and earns $70; a shelf needs 2 hours "
            f"and earns $30. There are {hours} hours of work, and desk sales are limited to {desks}. How many of "
            "each should be made to maximize profit?" + (f" {HINT}" if hint else ""))


def reworded(hours: int, desks: int) -> str:
    """The same problem told another way (shares no long run of words with :func:`question`)."""
    return (f"Each week a carpenter has {hours} hours of work available; desk sales are limited to {desks}. Desks "
            f"take four hours apiece and bring seventy dollars, shelves half that time for thirty. Plan to maximize profit. {HINT}")


def optimum(hours: int, desks: int) -> float:
    d = min(desks, hours // 4)
    return 70.0 * d + 30.0 * ((hours - 4 * d) // 2)


def record(hours: int, desks: int, hint: bool = False, prefix: str = "t") -> TrainRecord:
    return TrainRecord(id=f"{prefix}-{hours}-{desks}", question=question(hours, desks, hint),
                       optimum=optimum(hours, desks), code="", formulation=None, problem_class="MILP", complexity=1,
                       provenance={"benchmark": "test"})


def make_reply(calls: list | None = None, break_with_demos: bool = False):
    """The agent's model writes the sales limit when the question states the hint or a worked example it is
    shown (an assistant turn) has one; ``break_with_demos`` makes a shown demo confuse it instead."""

    def reply(messages):
        text = [m["content"] for m in messages if m["role"] == "user" and m["content"].startswith("Problem:")][-1]
        if calls is not None:
            calls.append(text)
        hours, desks = map(int, re.search(r"(\d+) hours of work[^.]*?limited to (\d+)", text).groups())
        shown = any(m["role"] == "assistant" and "model.sales" in m["content"] for m in messages)
        if break_with_demos and shown:
            hours += 2
        limit = HINT in text or (shown and not break_with_demos)
        rows = f"model.sales = pyo.Constraint(expr=model.desks <= {desks})\n" if limit else ""
        return ("```python\nimport pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\n"
                "model.desks = pyo.Var(domain=pyo.NonNegativeIntegers)\n"
                "model.shelves = pyo.Var(domain=pyo.NonNegativeIntegers)\n"
                "model.profit = pyo.Objective(expr=70 * model.desks + 30 * model.shelves, sense=pyo.maximize)\n"
                f"model.hours = pyo.Constraint(expr=4 * model.desks + 2 * model.shelves <= {hours})\n{rows}```")

    return reply


def make_agent(pool, reply) -> Modeler:
    # a bank with nothing alike: the dev questions see a demo only when one was bootstrapped
    bank = ExampleBank([Example("far", "A diet mixes oats and rice to reach 50 g of protein at least cost.",
                                {"variables": [{"name": "x"}], "objective": {"sense": "minimize",
                                                                               "expression": "x"}})])
    return Modeler(FunctionLLM(reply), sandbox=pool, strategies=("program",), max_attempts=1, bank=bank, shots=1)


TRAIN = [record(40, 8, True), record(60, 10, True), record(48, 5, False), record(80, 12, True)]
DEV = [record(36, 6, prefix="d"), record(52, 9, prefix="d"), record(64, 3, prefix="d")]


def test_right_answers_become_demos_and_are_kept_when_dev_improves(pool, tmp_path):
    agent = make_agent(pool, make_reply())
    screened = TRAIN[1].id
    trainer = PromptTrainer(agent, Split(train=TRAIN, dev=DEV, test=[]), out=tmp_path / "a.json",
                            config=PromptTrainConfig(steps=0, bootstrap=3, params=("shots",)),
                            screen=lambda q: "near-copy of x" if "60 hours" in q else None)
    result = trainer.run()
    assert result.initial_dev_score == 0.0 and result.best_dev_score == 1.0
    entry = result.history[-1]
    assert entry["step"] == "bootstrap" and len(entry["demos"]) == 2 and "kept" in entry["decision"]
    assert screened not in entry["demos"]
    assert entry["dev_changes"] == {"gained": sorted(r.id for r in DEV), "lost": []}
    tried = {t.id: t.reason for t in trainer.boot.tried}
    assert tried[screened].startswith("screened") and tried["t-48-5"] not in ("demo", "no code")
    demos = agent.demos.data
    assert all("model.sales" in d["code"] and d["objective"] == pytest.approx(optimum(*map(int, d["id"].split("-")[1:])))
               for d in demos)
    # the saved state carries the demos; a fresh agent loaded from it shows them as worked examples
    calls: list = []
    fresh = make_agent(pool, make_reply(calls)).load(tmp_path / "a.json")
    assert fresh.demos.data == demos
    assert fresh.solve(question(44, 7)).objective == optimum(44, 7)


def test_demos_that_lower_dev_are_dropped(pool, tmp_path):
    agent = make_agent(pool, make_reply(break_with_demos=True))
    # the dev problems are right without demos (hinted) and wrong with them
    dev = [record(36, 6, True, prefix="d"), record(52, 9, True, prefix="d")]
    trainer = PromptTrainer(agent, Split(train=TRAIN, dev=dev, test=[]), out=tmp_path / "a.json",
                            config=PromptTrainConfig(steps=0, bootstrap=1, params=("shots",)))
    result = trainer.run()
    assert result.initial_dev_score == 1.0 and "dropped" in result.history[-1]["decision"]
    assert agent.demos.data == [] and json.loads((tmp_path / "a.json").read_text())["parameters"]["demos"]["data"] == []


def test_an_interrupted_bootstrap_resumes_without_solving_again(pool, tmp_path):
    calls: list = []
    agent = make_agent(pool, make_reply(calls))
    config = PromptTrainConfig(steps=0, bootstrap=3, params=("shots",))
    trainer = PromptTrainer(agent, Split(train=TRAIN, dev=DEV, test=[]), out=tmp_path / "a.json", config=config)
    trainer.initial_score = trainer.best_score = trainer.dev_score()
    order = bootstrap_order(TRAIN, 0)
    original = trainer.solve

    def stop_after_two(rec, record_graph):
        if sum(t.reason != "screened" for t in trainer.boot.tried) >= 2:
            raise KeyboardInterrupt
        return original(rec, record_graph=record_graph)

    trainer.solve = stop_after_two
    with pytest.raises(KeyboardInterrupt):
        trainer.bootstrap()
    done = [t.id for t in trainer.boot.tried]
    assert done == [r.id for r in order[:2]]
    calls.clear()
    # resumed with fewer tries: the bootstrap ends after the third question
    again = PromptTrainer(make_agent(pool, make_reply(calls)), Split(train=TRAIN, dev=DEV, test=[]),
                          out=tmp_path / "a.json", config=PromptTrainConfig(steps=0, bootstrap=3, bootstrap_tries=3,
                                                                            params=("shots",)))
    result = again.run()
    texts = {r.id: r.question for r in TRAIN}
    assert not any(texts[i] in call for i in done for call in calls)
    assert [t.id for t in again.boot.tried] == [r.id for r in order[:3]] and result.history[-1]["step"] == "bootstrap"
    # a finished bootstrap is not run again
    calls.clear()
    PromptTrainer(make_agent(pool, make_reply(calls)), Split(train=TRAIN, dev=DEV, test=[]), out=tmp_path / "a.json",
                  config=config).run()
    assert calls == []


def test_demo_rules_and_their_examples():
    rec = record(40, 8, True)

    class Sol:
        strategy, code, objective = "program", "model = 1", 440.0

    demo = demo_from(rec, Sol())
    assert demo["code"] == "model = 1\n" and demo["question"] == rec.question and demo["tags"] == ["source:test"]
    Sol.strategy = "formulation"
    assert demo_from(rec, Sol()) is None
    assert check_demos([demo]) == [demo]
    for bad in ("x", [{"id": "a", "question": "q"}], [demo, demo], [{**demo, "question": " "}]):
        with pytest.raises(ParameterUpdateError):
            check_demos(bad)
    (ex,) = demo_examples([demo])
    assert ex.id == "demo:t-40-8" and ex.code == "model = 1\n" and ex.formulation == {}
    with pytest.raises(TrainError, match="bootstrap must be at least 0"):
        PromptTrainConfig(bootstrap=-1)
    with pytest.raises(TrainError, match="bootstrap_tries"):
        PromptTrainConfig(bootstrap=2, bootstrap_tries=0)
    # a config without a bootstrap resumes checkpoints written before bootstrapping existed
    assert "bootstrap" not in PromptTrainConfig().identity() and PromptTrainConfig(bootstrap=2).identity()["bootstrap"] == 2
    assert PromptTrainConfig(bootstrap=2, bootstrap_tries=5).identity() == PromptTrainConfig(bootstrap=2).identity()


def test_code_only_examples_are_shown_as_code_and_never_to_the_formulation_strategy():
    bank = ExampleBank([Example("f", "A farm plants wheat and corn on 100 acres.", {"variables": []}),
                        Example("c", "A farm plants wheat and barley on 90 acres.", {}, code="model = 2\n")])
    q = "A farm plants wheat and barley on 80 acres to maximize profit."
    assert [e.id for e in bank.search(q, 2)] == ["c", "f"]
    assert [e.id for e in bank.search(q, 2, need_formulation=True)] == ["f"]
    agent = Modeler(FunctionLLM(lambda m: ""), bank=bank)
    assert agent._code_of(bank.examples[1]) == "model = 2\n"


def test_cli_bootstraps_from_a_named_benchmark_and_screens_the_dev_benchmark(pool, tmp_path, monkeypatch):
    data = tmp_path / "data" / "mamo_easylp"
    data.mkdir(parents=True)
    rows = [{"en_question": reworded(h, d), "en_answer": str(optimum(h, d))} for h, d in [(40, 8), (60, 10)]]
    rows.append({"en_question": question(36, 6), "en_answer": str(optimum(36, 6))})  # a copy of a dev problem
    data.joinpath("MAMO_EasyLP_fixed.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    bench = tmp_path / "bench.jsonl"
    bench.write_text("".join(json.dumps({"id": f"b{h}-{d}", "question": question(h, d), "objective": optimum(h, d)})
                             + "\n" for h, d in [(36, 6), (52, 9)]))
    import optolab.cli.train_cmd as train_cmd

    monkeypatch.setattr(train_cmd, "make_llm", lambda model, api_base: FunctionLLM(make_reply()))
    out = tmp_path / "agent.json"
    rc = cli_main(["train", "prompts", "--data", "mamo-easylp", "--data-dir", str(tmp_path / "data"),
                   "--dev-benchmark", str(bench), "--dev-size", "2", "--steps", "0", "--bootstrap", "3",
                   "--test-fraction", "0", "--attempts", "1", "--out", str(out)])
    assert rc == 0
    history = json.loads(out.with_name("agent.history.json").read_text())
    (entry,) = [s for s in history["steps"] if s["step"] == "bootstrap"]
    assert entry["screened"] == 1 and len(entry["demos"]) == 2
    assert len(json.loads(out.read_text())["parameters"]["demos"]["data"]) == 2


def test_cli_names_files_and_benchmarks_when_data_is_neither(tmp_path, capsys):
    rc = cli_main(["train", "prompts", "--data", str(tmp_path / "nothing.jsonl"), "--out", str(tmp_path / "a.json")])
    err = capsys.readouterr().err
    assert rc == 1 and "no such file and no benchmark of that name" in err and "mamo_easylp" in err
