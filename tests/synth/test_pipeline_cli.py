"""``optolab synth forward|reverse`` end to end with scripted models (the real agent, sandbox and solvers)."""

from __future__ import annotations

import json

from optolab.cli.main import main
from optolab.synth.generators import generate
from optolab.synth.store import read_jsonl

LLM_FILE = '''
from optolab.testing import FunctionLLM
from pipelinekit import make_reverse_llm, role, section
from optolab.synth.generators import generate

def knapsack_llm():
    instances = [generate("knapsack", seed, 1) for seed in (7, 8)]

    def fn(messages):
        kind = role(messages)
        prompt = messages[-1]["content"]
        if kind == "backtranslate":
            return "A hiker plans a trip. " + section(prompt, "Statement") + " Which items should she pack?"
        if kind == "critic":
            return {"ok": True, "problems": []}
        if kind == "formulate":
            return next(i.formulation for i in instances if i.facts in prompt)
        raise AssertionError(kind)

    return FunctionLLM(fn)
'''


def test_cli_forward_writes_verified_pairs_and_a_summary(tmp_path, capsys):
    spec = tmp_path / "llms.py"
    spec.write_text(LLM_FILE)
    out = tmp_path / "fwd"
    argv = ["synth", "forward", "--generators", "knap", "--per-class", "2", "--complexity", "1", "--seed", "7",
            "--out", str(out), "--llm", f"{spec}:knapsack_llm", "--no-progress", "--no-contamination",
            "--agent-strategy", "formulation"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "forward: 2 units, 2 records accepted, 0 rejected, yield 100.0%" in text and "knapsack" in text
    recs = read_jsonl(out / "accepted.jsonl").records
    assert [r["key"] for r in recs] == ["knapsack/c1/s7", "knapsack/c1/s8"]
    for rec, seed in zip(recs, (7, 8)):
        assert rec["optimum"] == generate("knapsack", seed, 1).optimum == rec["agent"]["objective"]
        assert rec["provenance"]["model"] == f"{spec}:knapsack_llm"
        assert rec["table"] and "| Item | Weight (kg) | Value |" in rec["question"]  # per-item data as a table
    summary = json.loads((out / "summary.json").read_text())
    assert summary["per_family"]["knapsack"]["yield"] == 1.0
    run = json.loads((out / "run.json").read_text())
    assert "--generators knap" in run["invocations"][0]["command"]
    assert main(argv) == 0 and "0 units done now, 2 kept from before" in capsys.readouterr().out


def test_cli_reverse_and_its_errors(tmp_path, capsys):
    spec = tmp_path / "llms.py"
    spec.write_text(LLM_FILE)
    out = tmp_path / "rev"
    argv = ["synth", "reverse", "--n", "2", "--out", str(out), "--llm", f"{spec}:make_reverse_llm",
            "--no-progress", "--no-contamination", "--json", "--agent-strategy", "formulation"]
    assert main(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["generated"] == 2 and summary["accepted"] == 2 and summary["rejected_by_reason"] == {"duplicate": 1}
    assert main(["synth", "reverse", "--seeds", str(tmp_path / "none.json"), "--out", str(out), "--llm",
                 f"{spec}:make_reverse_llm"]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert main(["synth", "forward", "--generators", "knapsak", "--out", str(tmp_path / "x"), "--llm",
                 f"{spec}:knapsack_llm"]) == 1
    assert "Did you mean knapsack" in capsys.readouterr().err
    assert main(["synth", "forward", "--complexity", "3-1", "--out", str(tmp_path / "x"), "--llm",
                 f"{spec}:knapsack_llm"]) == 1
    assert main(["synth"]) == 2

