"""Contamination check: n-gram overlap of synthesized questions with benchmark problems (inline excerpts)."""

from __future__ import annotations

import json

import pytest
from pipelinekit import Desks, FakeAgent, forward_llm

from optolab.cli.main import main
from optolab.synth.contamination import ContaminationIndex, check_file, check_records
from optolab.synth.errors import SynthError
from optolab.synth.forward import ForwardPipeline
from optolab.synth.store import read_jsonl

BENCH = {
    "toybench": [
        ("toy-0", "A company produces chairs and tables. Each chair requires 2 hours of carpentry and 1 hour of "
                  "painting, while each table requires 3 hours of carpentry and 2 hours of painting. The company has "
                  "120 hours of carpentry and 70 hours of painting available. Chairs give a profit of $40 and tables "
                  "$65. How many chairs and tables should be produced to maximize profit?"),
        ("toy-1", "A dietitian mixes two feeds. Feed A costs $2 per kg and has 30 units of protein; feed B costs $3 "
                  "per kg and has 50 units. The mix must have at least 900 units of protein. Minimize the cost."),
    ],
}
COPY = BENCH["toybench"][0][1].replace("$40", "$45").replace("chairs and tables should", "of each should")
ORIGINAL = ("A harbour authority schedules tugboats for incoming ships. Each large ship needs 3 tugboats and each "
            "small ship 1; there are 12 tugboats. Serving a large ship earns $900 and a small one $250.")


def test_a_near_copy_is_found_and_dropped():
    kept, report = check_records([{"key": "a", "question": COPY}, {"key": "b", "question": ORIGINAL},
                                  {"key": "c", "note": "no question here"}], ContaminationIndex(BENCH), threshold=0.5)
    assert [r["key"] for r in kept] == ["b", "c"] and report.dropped == 1 and report.without_question == 1
    [copy] = report.near_copies
    assert copy["key"] == "a" and copy["item_id"] == "toy-0" and copy["benchmark"] == "toybench"
    assert copy["score"] >= 0.5 and copy["shared"] > 20
    assert report.benchmarks["toybench"]["near_copies"] == 1 and report.benchmarks["toybench"]["items"] == 2
    scores = {q["key"]: q["scores"] for q in report.per_question}
    assert scores["b"] == {} and scores["a"]["toybench"] == copy["score"]
    assert 0.3 < report.ngram_overlap < 0.8  # half the questions' 8-grams come from the benchmark


def test_overlap_counts_both_directions():
    index = ContaminationIndex(BENCH, n=8)
    preface = " ".join(f"note {i}." for i in range(60))
    inside = f"{preface} {BENCH['toybench'][1][1]}"  # the benchmark problem inside a long text
    best = index.best(inside)
    assert best.item_id == "toy-1" and best.item_share == 1.0 and best.question_share < 0.5 and best.score == 1.0
    assert index.best(ORIGINAL) is None
    with pytest.raises(SynthError, match="2 or more words"):
        ContaminationIndex(BENCH, n=1)


def test_check_file_writes_the_cleaned_file_and_report(tmp_path):
    bench = tmp_path / "toy.jsonl"
    bench.write_text("".join(json.dumps({"id": i, "question": q, "objective": 1.0}) + "\n"
                             for i, q in BENCH["toybench"]))
    data = tmp_path / "synth.jsonl"
    data.write_text(json.dumps({"key": "a", "question": COPY}) + "\n" + json.dumps({"key": "b", "question": ORIGINAL})
                    + "\n" + '{"key": "c", "quest')  # a cut last line is skipped
    report = check_file(data, benchmarks=[str(bench)])
    assert [r["key"] for r in read_jsonl(tmp_path / "synth.clean.jsonl").records] == ["b"]
    saved = json.loads((tmp_path / "synth.contamination.json").read_text())
    assert saved["dropped"] == 1 and saved["near_copies"][0]["benchmark"] == "toy"
    assert any("cut last line" in n for n in report.notes)
    with pytest.raises(SynthError, match="cannot be read"):
        check_file(data, benchmarks=[str(tmp_path / "nope.jsonl")])
    with pytest.raises(SynthError, match="no such file"):
        check_file(tmp_path / "missing.jsonl", texts=BENCH)


def test_cli_contamination(tmp_path, capsys):
    bench = tmp_path / "toy.jsonl"
    bench.write_text("".join(json.dumps({"id": i, "question": q, "objective": 1.0}) + "\n"
                             for i, q in BENCH["toybench"]))
    data = tmp_path / "synth.jsonl"
    data.write_text(json.dumps({"key": "a", "question": COPY}) + "\n" + json.dumps({"key": "b", "question": ORIGINAL})
                    + "\n")
    out = tmp_path / "clean.jsonl"
    assert main(["synth", "contamination", str(data), "--benchmarks", str(bench), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "1 near-copies (score >= 0.5) dropped, 1 kept" in text and "near-copy: a ~ toy/toy-0" in text
    assert [r["key"] for r in read_jsonl(out).records] == ["b"]
    assert main(["synth", "contamination", str(tmp_path / "none.jsonl"), "--benchmarks", str(bench)]) == 1
    assert "no such file" in capsys.readouterr().err


def test_a_synth_run_checks_its_accepted_file_at_the_end(tmp_path):
    bench = tmp_path / "toy.jsonl"
    facts = Desks().facts(Desks().sample(__import__("random").Random(0), 1))
    bench.write_text(json.dumps({"id": "leak", "question": facts, "objective": 1.0}) + "\n")
    pipe = ForwardPipeline(forward_llm(), [Desks()], agent_factory=lambda sandbox: FakeAgent())
    result = pipe.run(tmp_path / "run", pipe.units(3, [1]), sandbox=object(), benchmarks=[str(bench)])
    report = result.contamination
    assert report is not None and report.questions == 3 and report.dropped >= 1
    assert result.summary["contamination"]["dropped"] == report.dropped
    assert len(read_jsonl(tmp_path / "run" / "accepted.clean.jsonl").records) == 3 - report.dropped
    assert (tmp_path / "run" / "accepted.contamination.json").exists()
