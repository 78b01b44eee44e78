"""A failing sandbox is an outcome the agent reports, never an exception out of solve()."""

from __future__ import annotations

import json
from pathlib import Path

from optolab.agents import Modeler
from optolab.testing import ScriptedLLM

BANK = Path(__file__).resolve().parents[2] / "optolab" / "agents" / "examples" / "bank.jsonl"


class BrokenSandbox:
    def run(self, *args, **kwargs):
        raise RuntimeError("worker pipe closed")

    def close(self):
        pass


def test_a_sandbox_that_raises_gives_an_error_attempt_and_a_solution():
    example = json.loads(BANK.read_text().splitlines()[0])
    llm = ScriptedLLM([example["formulation"]] * 3)
    with Modeler(llm, sandbox=BrokenSandbox(), max_attempts=2, shots=0, strategies=("formulation",)) as agent:
        s = agent.solve(example["question"])
    assert s.status == "no_model"
    assert [a.status for a in s.attempts] == ["error", "error"]
    assert "worker pipe closed" in s.attempts[0].error
