"""Run folders: resume after a kill (a cut last line), units done once, retries, summary counts, stops."""

from __future__ import annotations

import json

import pytest
from pipelinekit import Desks, FakeAgent, forward_llm

from optolab.errors import LLMError
from optolab.synth.errors import SynthError
from optolab.synth.forward import ForwardPipeline
from optolab.synth.store import RunStore, read_jsonl
from optolab.synth.summary import summarize


def lines(path):
    return read_jsonl(path).records if path.exists() else []


def pipeline(llm=None, agent=None, **kw):
    return ForwardPipeline(llm or forward_llm(), [Desks()], agent_factory=lambda sandbox: agent or FakeAgent(), **kw)


def test_rerun_skips_finished_units_and_resumes_after_a_cut_line(tmp_path):
    out = tmp_path / "run"
    pipe = pipeline()
    units = pipe.units(4, "1-2")
    first = pipe.run(out, units, sandbox=object())
    assert first.new == 4 and len(lines(first.accepted_path)) == 4
    path = first.accepted_path
    raw = path.read_bytes()
    cut = raw[: len(raw) - len(raw.split(b"\n")[-2]) // 2 - 1]  # the last record loses its second half
    path.write_bytes(cut)
    lost = json.loads(raw.split(b"\n")[-2])["key"]

    llm = forward_llm()
    second = pipeline(llm).run(out, units, sandbox=object())
    assert second.new == 1 and second.kept == 3 and len(llm.calls) == 2  # one unit: write, critic (agent is fake)
    assert any("cut last line of accepted.jsonl" in n for n in second.notes)
    keys = [r["key"] for r in lines(path)]
    assert sorted(keys) == sorted(u.key for u in units) and keys[-1] == lost
    assert (out / "accepted.jsonl.partial").read_bytes() == cut[cut.rfind(b"\n") + 1:] + b"\n"  # kept aside
    assert second.summary["generated"] == 4 and second.summary["this_run"]["units"] == 1

    third = pipeline(llm).run(out, units, sandbox=object())
    assert third.new == 0 and third.kept == 4 and len(llm.calls) == 2


def test_units_that_failed_with_server_errors_run_again(tmp_path):
    out = tmp_path / "run"
    down = forward_llm()
    down.fn = lambda messages: (_ for _ in ()).throw(LLMError("connection refused"))
    failed = pipeline(down).run(out, pipeline().units(2, [1]), sandbox=object(), stop_after_failures=0)
    assert [r["reason"] for r in lines(failed.hard_cases_path)] == ["llm_error", "llm_error"]
    again = pipeline().run(out, pipeline().units(2, [1]), sandbox=object())
    assert again.new == 2 and len(lines(again.accepted_path)) == 2 and lines(again.hard_cases_path) == []


def test_a_run_stops_after_failures_in_a_row(tmp_path):
    down = forward_llm()
    down.fn = lambda messages: (_ for _ in ()).throw(LLMError("connection refused"))
    result = pipeline(down).run(tmp_path / "run", pipeline().units(6, [1]), sandbox=object(),
                                stop_after_failures=2, workers=1)
    assert result.stopped and "2 units in a row failed with llm_error" in result.stopped
    assert 2 <= result.new < 6


def test_a_unit_cut_between_its_records_runs_again(tmp_path):
    store = RunStore(tmp_path, "reverse")
    rec = {"key": "s0/00001/plain", "unit": "s0/00001", "unit_records": 2, "verdict": "accepted"}
    store.write_unit([rec])
    store.write_unit([{**rec, "key": "s0/00000/plain", "unit": "s0/00000", "unit_records": 1}])
    finished, notes = store.open(lambda recs: False)
    assert list(finished) == ["s0/00000"] and "unit s0/00001 has 1 of 2 records" in notes[0]
    assert [r["unit"] for r in lines(store.files["accepted"])] == ["s0/00000"]


def test_summary_counts_reasons_yield_tokens_and_time(tmp_path):
    agents = iter([FakeAgent(), FakeAgent(wrong_by=50)])
    pipe = ForwardPipeline(forward_llm(), [Desks()], agent_factory=lambda sandbox: next(agents))
    result = pipe.run(tmp_path / "run", pipe.units(6, "1-3"), sandbox=object(), workers=2)
    s = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert s == json.loads(json.dumps(result.summary))
    assert s["generated"] == 6 and s["accepted"] + s["rejected"] == 6
    assert s["rejected_by_reason"] == ({"optimum_mismatch": s["rejected"]} if s["rejected"] else {})
    fam = s["per_family"]["desks"]
    assert fam["generated"] == 6 and fam["accepted"] == s["accepted"] and fam["yield"] == round(s["accepted"] / 6, 4)
    assert s["per_class"]["MILP"]["records"] == 6
    assert s["tokens"]["total"] == s["tokens"]["prompt"] + s["tokens"]["completion"] > 0
    assert s["llm_calls"] == 12 and s["seconds"]["units_total"] > 0
    assert s["this_run"]["units"] == 6 and s["this_run"]["workers"] == 2 and s["config"]["generators"] == ["desks"]
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    assert run["pipeline"] == "forward" and run["invocations"][0]["done"] == 6


def test_summarize_counts_units_once():
    recs = [{"unit": "u1", "key": "u1/plain", "verdict": "accepted", "family": "linear", "class": "LP",
             "cost": {"prompt_tokens": 10, "completion_tokens": 5, "seconds": 2.0, "llm_calls": 3}},
            {"unit": "u1", "key": "u1/table", "verdict": "rejected", "reason": "no_table", "family": "linear",
             "cost": {"prompt_tokens": 10, "completion_tokens": 5, "seconds": 2.0, "llm_calls": 3}},
            {"unit": "u2", "key": "u2", "verdict": "rejected", "reason": "duplicate", "family": "nonlinear",
             "cost": {"prompt_tokens": 4, "completion_tokens": 1, "seconds": 1.0, "llm_calls": 1}}]
    s = summarize(recs, pipeline="reverse", this_run={"units": 2, "accepted": 1, "seconds": 1800.0})
    assert (s["generated"], s["accepted"], s["rejected"], s["accepted_units"], s["yield"]) == (2, 1, 2, 1, 0.5)
    assert s["rejected_by_reason"] == {"no_table": 1, "duplicate": 1}
    assert s["per_family"]["linear"] == {"generated": 1, "accepted_units": 1, "accepted": 1, "rejected": 1,
                                         "yield": 1.0}
    assert s["per_class"] == {"LP": {"records": 1, "accepted": 1, "yield": 1.0}}
    assert s["tokens"] == {"prompt": 14, "completion": 6, "total": 20, "per_accepted": 20.0}
    assert s["this_run"]["accepted_per_hour"] == 2.0


def test_a_folder_of_another_pipeline_is_refused(tmp_path):
    pipeline().run(tmp_path, pipeline().units(1, [1]), sandbox=object())
    with pytest.raises(SynthError, match="holds a 'forward' synthesis run, not 'reverse'"):
        RunStore(tmp_path, "reverse").read_run()


def test_a_time_budget_starts_no_new_unit(tmp_path):
    result = pipeline().run(tmp_path, pipeline().units(5, [1]), sandbox=object(), time_budget=0.0)
    assert result.new == 0 and result.budget_used and "time budget" in result.notes[-1]
