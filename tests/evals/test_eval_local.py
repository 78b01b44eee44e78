"""``optolab eval`` with the real local model on three easy embedded problems (marked ``llm``)."""

import json

import pytest

from optolab.cli.main import main
from optolab.evals.outcomes import ERROR_TYPES

pytestmark = pytest.mark.llm


def test_cli_evaluates_three_easy_embedded_problems(local_llm, tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["eval", "embedded", "--tag", "difficulty:easy", "--limit", "3", "--model", local_llm.model,
                 "--api-base", local_llm.api_base, "--max-tokens", "800", "--out", str(out), "--no-progress"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    recs = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert len(recs) == 3 and len({r["id"] for r in recs}) == 3
    for r in recs:
        assert r["error_type"] in ERROR_TYPES and r["error_type"] not in ("exception", "llm_error"), r
        assert "difficulty:easy" in r["tags"] and r["expected"] is not None
        assert r["llm_calls"] >= 1 and r["prompt_tokens"] > 0 and r["completion_tokens"] > 0
        assert r["llm_seconds"] > 0 and r["seconds"] >= r["llm_seconds"]
        assert set(r["correct"]) == {"rel_1e-4_all_answers", "rel_1e-6_objective", "rounded_5pct_objective"}
    assert "3/3 problems finished" in (out / "report.md").read_text()
    assert (out / "report.html").exists() and "Accuracy" in captured.out
