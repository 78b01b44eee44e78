"""Keyed answers: the runner asks the agent for the benchmark's own answer names and scores them."""

from __future__ import annotations

import json
from types import SimpleNamespace

from optolab.evals.runner import evaluate
from optolab.evals.sources import load_eval_benchmark


def test_answer_keys_reach_the_agent_and_the_strict_rule_scores_them(tmp_path):
    path = tmp_path / "b.jsonl"
    rows = [{"id": "a", "question": "Make chairs and tables to maximize profit (numbers 1 2 3).", "objective": 30,
             "answers": {"Number of chairs": 4, "Maximum profit": 30}},
            {"id": "b", "question": "Another maximize profit question with 5 and 6.", "objective": 12,
             "answers": {"Number of tables": 2, "Maximum profit": 12}}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    asked = {}

    class Agent:
        def solve(self, text, answer_keys=None):
            asked[text[:7]] = list(answer_keys)
            if text.startswith("Make"):
                answers = {"Number of chairs": 4.0, "Maximum profit": 30.0}
            else:  # right objective, wrong count
                answers = {"Number of tables": 3.0, "Maximum profit": 12.0}
            obj = answers["Maximum profit"]
            return SimpleNamespace(status="optimal", objective=obj, answers=answers, values={}, attempts=[],
                                   llm_seconds=0.0, explanation="", code=None, ok=True)

    result = evaluate(load_eval_benchmark(str(path)), tmp_path / "run", agent_factory=lambda s, b: Agent(),
                      model="fake")
    assert asked == {"Make ch": ["Number of chairs", "Maximum profit"],
                     "Another": ["Number of tables", "Maximum profit"]}
    strict = result.summary.overall["rel_1e-4_all_answers"]
    assert (strict.correct, strict.scored) == (1, 2)
    assert result.summary.overall["rel_1e-6_objective"].correct == 2
