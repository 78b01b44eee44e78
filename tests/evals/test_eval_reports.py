"""Reports (Markdown, HTML, SVG plots, summary.json), comparisons of two runs, and the results file."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from evalkit import CASES, GOOD, workshop_llm, write_bench

from optolab.evals.analysis import Dist, categories, summarize_records
from optolab.evals.compare import compare_runs, comparison_markdown
from optolab.evals.errors import RunDirError
from optolab.evals.plots.svg import bar_chart, histogram, nice_ticks
from optolab.evals.records import EvalRecord, ResultsFile
from optolab.evals.report import regenerate
from optolab.evals.runner import AgentSettings, evaluate
from optolab.evals.sources import load_eval_benchmark

FAST = AgentSettings(max_attempts=2, strategies=("formulation",))  # the scripted replies are formulations


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    names = list(CASES)
    bench = load_eval_benchmark(str(write_bench(tmp / "workshops.jsonl", names)))
    result = evaluate(bench, tmp / "run", llm=workshop_llm(), settings=FAST, workers=2, stop_after_failures=0)
    return tmp, result


def test_markdown_report_holds_the_numbers(run):
    _, result = run
    md = (result.run_dir.path / "report.md").read_text()
    s = result.summary
    assert s.overall["rel_1e-6_objective"].correct == 2 and s.overall["rel_1e-6_objective"].scored == 9
    assert "| rel_1e-6_objective | 2 | 9 | 22.2% | 2 |" in md
    assert "| rounded_5pct_objective | 3 | 9 | 33.3% | 2 |" in md
    assert "2 problem(s) have no usable ground truth" in md and "juniper, kestrel" in md
    assert "| linear | 11 | 22.2% (2/9) | 22.2% (2/9) | 33.3% (3/9) |" in md
    for etype, n in s.error_types.items():
        assert re.search(rf"\| {etype} \| {n} \| ", md), etype
    assert "| runtime_error | 1 | 9.1% |" in md
    assert "failed outside the agent's control" in md and "grove" in md
    assert "![Accuracy" in md and "(plots/accuracy_by_category.svg)" in md
    assert "| alder | optimal | 680 | 680 | correct | 1 |" in md and "code/alder.py" in md
    assert "| heath | infeasible |  | no_optimum | correct |" in md
    assert "| model | workshop |" in md and "versions:" in md


def test_html_report_is_standalone_with_inline_svg(run):
    _, result = run
    html = (result.run_dir.path / "report.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert html.count("<svg ") == 4 and "<img" not in html
    assert "<td class=num>22.2%</td>" in html and "juniper, kestrel" in html
    assert "Evaluation of workshop on workshops" in html
    for svg in re.findall(r"<svg .*?</svg>", html, flags=re.S):
        ET.fromstring(svg)  # well-formed XML


def test_plot_files_and_summary_json(run):
    _, result = run
    plots = sorted(p.name for p in (result.run_dir.path / "plots").glob("*.svg"))
    assert plots == ["accuracy_by_category.svg", "error_types.svg", "time.svg", "tokens.svg"]
    acc = ET.fromstring((result.run_dir.path / "plots" / "accuracy_by_category.svg").read_text())
    titles = [t.text for t in acc.iter("{http://www.w3.org/2000/svg}title")]
    assert "all - rel_1e-6_objective: 22.22%" in titles
    summary = json.loads((result.run_dir.path / "summary.json").read_text())
    assert summary["overall"]["rel_1e-6_objective"]["correct"] == 2
    assert [g["id"] for g in summary["no_ground_truth"]] == ["juniper", "kestrel"]
    assert summary["error_types"]["wrong_value"] == 2 and summary["seconds"]["n"] == 11


def test_report_regenerates_from_the_folder_alone(run, tmp_path):
    _, result = run
    md = result.run_dir.path / "report.md"
    md.unlink()
    summary, doc, written = regenerate(result.run_dir.path, rule="rounded_5pct_objective")
    assert md.exists() and written[0] == md
    assert summary.rule == "rounded_5pct_objective" and summary.error_types["correct"] == 3
    assert "under the rule rounded_5pct_objective" in md.read_text()
    regenerate(result.run_dir.path)  # back to the run's own rule
    assert "under the rule rel_1e-6_objective" in md.read_text()
    with pytest.raises(RunDirError, match="not an evaluation run"):
        regenerate(tmp_path)


def test_compare_lists_fixed_and_broken_problems(tmp_path):
    names = ["Alder", "Birch", "Cedar", "Dune"]
    bench = load_eval_benchmark(str(write_bench(tmp_path / "b.jsonl", names, labels={n: 680 for n in names})))
    # A: Alder right, Birch wrong (infeasible), Cedar right, Dune wrong; B: Birch fixed, Cedar broken
    from evalkit import INFEASIBLE

    a = evaluate(bench, tmp_path / "a", llm=workshop_llm({"Birch": INFEASIBLE, "Cedar": GOOD, "Dune": "no"}),
                 settings=FAST, model="before")
    b = evaluate(bench, tmp_path / "b", llm=workshop_llm({"Birch": GOOD, "Cedar": INFEASIBLE, "Dune": "no"}),
                 settings=FAST, model="after")
    assert a.summary.overall["rel_1e-6_objective"].correct == 2 == b.summary.overall["rel_1e-6_objective"].correct
    c = compare_runs(tmp_path / "a", tmp_path / "b")
    assert c.fixed == ["birch"] and c.broken == ["cedar"] and c.still_right == 1 and c.still_wrong == 1
    assert c.rows[0].name == "all" and (c.rows[0].acc_a, c.rows[0].acc_b, c.rows[0].delta) == (50.0, 50.0, 0.0)
    assert c.error_type_changes[("infeasible", "correct")] == 1
    assert c.error_type_changes[("correct", "infeasible")] == 1
    md = comparison_markdown(c)
    assert "| fixed | 1 | birch |" in md and "| broken | 1 | cedar |" in md and "(before)" in md
    assert c.to_dict()["fixed"] == ["birch"]


def test_results_file_tolerates_cut_and_bad_lines(tmp_path):
    path = tmp_path / "results.jsonl"
    rf = ResultsFile(path)
    assert rf.read().records == {} and rf.repair() is None
    for i, status in enumerate(["optimal", "optimal", "infeasible"]):
        rf.append(EvalRecord(id=f"p{i % 2}", status=status, position=i))
    read = rf.read()
    assert list(read.records) == ["p1", "p0"] and read.records["p0"].status == "infeasible"  # last line wins
    text = path.read_text()
    path.write_text(text + '{"id": "p2", "status": "opt')  # a cut write
    assert rf.read().partial_tail.startswith('{"id": "p2"')
    moved = rf.repair()
    assert moved is not None and moved.read_text() == '{"id": "p2", "status": "opt\n'
    assert path.read_text() == text
    complete = EvalRecord(id="p3").to_json()
    path.write_text(text + complete)  # a complete record without its newline is kept
    assert "p3" in rf.read().records and rf.repair() is None and path.read_text().endswith(complete + "\n")
    path.write_text(text + "not json\n" + complete + "\n")
    read = rf.read()
    assert read.skipped and "line 4" in read.skipped[0] and "p3" in read.records


def test_summary_helpers():
    d = Dist.of([3, 1, 2, 10])
    assert (d.n, d.mean, d.median, d.max, d.total) == (4, 4.0, 2.5, 10.0, 16.0) and d.p90 == 10.0
    assert Dist.of([]).n == 0
    rec = EvalRecord(id="x", tags=["linear", "table"], problem_type="linear-table")
    assert categories(rec) == ["linear", "table"]
    rec2 = EvalRecord(id="y", tags=["class:LP"], problem_type="blending")
    assert categories(rec2) == ["class:LP", "type:blending"]
    s = summarize_records([rec, rec2], planned_ids=["x", "y", "z"])
    assert s.pending_ids == ["z"] and s.finished == 2 and s.error_types == {"no_model": 2}


def test_svg_charts_are_valid_and_escaped():
    svg = bar_chart(["a<b", "c"], {"r1": [50.0, None], "r2": [100.0, 0.0]}, title="T & U", unit="%", max_value=100,
                    notes=["n=2", "n=0"])
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg") and "a&lt;b (n=2)" in svg and "n/a" in svg and "T &amp; U" in svg
    assert len([e for e in root.iter("{http://www.w3.org/2000/svg}rect")]) == 1 + 2 + 3  # background, legend, bars
    with pytest.raises(ValueError, match="1 values for 2 labels"):
        bar_chart(["a", "b"], {"r": [1.0]}, title="t")
    h = histogram([1, 1, 2, 3, 3, 3, 10], title="h", xlabel="s", bins=5)
    ET.fromstring(h)
    assert "no data" in histogram([], title="h", xlabel="s")
    ET.fromstring(histogram([2.0, 2.0], title="h", xlabel="s"))
    assert nice_ticks(100) == [0, 20, 40, 60, 80, 100] and nice_ticks(3, integer=True) == [0, 1, 2, 3]
