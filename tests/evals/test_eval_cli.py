"""``optolab eval`` on the command line: evaluate, resume after a kill, report, compare, clear errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from evalkit import write_bench

from optolab.cli.main import main

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

LLM_FILE = '''
import sys, time
sys.path.insert(0, {here!r})
from evalkit import GOOD, INFEASIBLE, asked_question, workshop_llm

REPLIES = {replies}
DELAY = {delay}
LOG = {log!r}


def make():
    def reply(messages):
        name = asked_question(messages).split()[1]
        if LOG:
            with open(LOG, "a") as fh:
                fh.write(name + "\\n")
        time.sleep(DELAY)
        return {{"GOOD": GOOD, "INFEASIBLE": INFEASIBLE}}[REPLIES.get(name, "GOOD")]

    from optolab.testing import FunctionLLM
    return FunctionLLM(reply, model="cli-function")
'''


def llm_file(tmp_path: Path, name: str = "llm.py", replies: dict | None = None, delay: float = 0.0,
             log: Path | None = None) -> Path:
    path = tmp_path / name
    path.write_text(LLM_FILE.format(here=str(HERE), replies=replies or {}, delay=delay, log=str(log or "")))
    return path


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def test_cli_evaluates_reports_and_refuses_other_settings(tmp_path, capsys):
    bench = write_bench(tmp_path / "b.jsonl", ["Alder", "Birch", "Juniper"])
    out = tmp_path / "run"
    spec = f"{llm_file(tmp_path)}:make"
    code = main(["eval", str(bench), "--llm", spec, "--out", str(out), "--no-progress", "--strategy", "formulation", "--attempts", "2"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Accuracy" in captured.out and "3 evaluated now, 0 kept" in captured.out
    assert "1 without usable ground truth (not scored): juniper" in captured.out
    assert "report.md" in captured.out and (out / "report.html").exists()
    recs = lines(out / "results.jsonl")
    assert [r["error_type"] for r in recs] == ["correct", "wrong_value", "no_ground_truth"]
    doc = json.loads((out / "run.json").read_text())
    assert doc["config"]["model"] == spec and doc["config"]["max_attempts"] == 2
    assert doc["invocations"][0]["command"] == (f"optolab eval {bench} --llm {spec} --out {out} --strategy formulation "
                                                "--attempts 2 --no-progress")
    assert doc["ids"] == ["alder", "birch", "juniper"] and doc["versions"]["optolab"]

    assert main(["eval", "report", str(out), "--rule", "rounded_5pct_objective"]) == 0
    captured = capsys.readouterr()
    assert "2/2" in captured.out and "reports:" in captured.out
    assert main(["eval", "report", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["overall"]["rel_1e-6_objective"]["correct"] == 1

    code = main(["eval", str(bench), "--llm", spec, "--out", str(out), "--no-progress", "--strategy", "formulation", "--samples", "2"])
    err = capsys.readouterr().err
    assert code == 1 and "samples was 1, now 2" in err and "max_attempts was 2, now 3" in err
    assert doc["config"]["table_data"] is True
    code = main(["eval", str(bench), "--llm", spec, "--out", str(out), "--no-progress", "--strategy", "formulation",
                 "--attempts", "2", "--no-table-data"])
    assert code == 1 and "table_data was true, now false" in capsys.readouterr().err


def test_cli_compare(tmp_path, capsys):
    bench = write_bench(tmp_path / "b.jsonl", ["Alder", "Birch", "Cedar"], labels={"Birch": 680})
    a, b = tmp_path / "a", tmp_path / "b"
    good = f"{llm_file(tmp_path, 'good.py')}:make"
    mixed = f"{llm_file(tmp_path, 'mixed.py', {'Alder': 'INFEASIBLE'})}:make"
    assert main(["eval", str(bench), "--llm", mixed, "--out", str(a), "--no-progress", "--strategy", "formulation", "--attempts", "1"]) == 0
    assert main(["eval", str(bench), "--llm", good, "--out", str(b), "--no-progress", "--strategy", "formulation", "--attempts", "1"]) == 0
    capsys.readouterr()
    md = tmp_path / "cmp.md"
    assert main(["eval", "compare", str(a), str(b), "--md", str(md)]) == 0
    out = capsys.readouterr().out
    assert "fixed (1): alder" in out and "broken (0)" in out and "+33.3" in out
    assert "| fixed | 1 | alder |" in md.read_text()
    assert main(["eval", "compare", str(a), str(b), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["fixed"] == ["alder"]


@pytest.mark.parametrize("argv, message", [
    (["eval", "no_such_benchmark"], "unknown benchmark 'no_such_benchmark'"),
    (["eval", "nl4opt", "--data-dir", "/no/such/dir"], "does not exist"),
    (["eval", "a.jsonl", "b.jsonl"], "give one benchmark or data file, got 2"),
    (["eval", "report"], "usage: optolab eval report DIR"),
    (["eval", "report", "/no/such/run"], "is not an evaluation run"),
    (["eval", "embedded", "--tag", "difficulty:trivial"], "has tag(s) ['difficulty:trivial']"),
    (["eval", "embedded", "--llm", "nofile.py:make"], "no file nofile.py"),
    (["eval", "embedded", "--llm", "json:dumps"], "calling dumps() failed"),
    (["eval", "embedded", "--llm", "json:JSONDecoder"], "is not an optolab.llm client"),
    (["eval", "embedded", "--workers", "0"], "--workers must be >= 1"),
])
def test_cli_errors_are_clear(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 1
    assert message in capsys.readouterr().err


def test_cli_fleet_of_servers_is_wired_without_network(tmp_path, capsys, monkeypatch):
    # real calls are forbidden here: the agent lets that error through before any network, the run records it
    # as an exception and stops
    monkeypatch.setenv("OPTOLAB_FORBID_REAL_LLM", "1")
    bench = write_bench(tmp_path / "b.jsonl", ["Alder", "Birch", "Cedar"])
    out = tmp_path / "run"
    code = main(["eval", str(bench), "--model", "openai/qwen", "--api-base",
                 "http://10.9.9.1:1/v1,http://10.9.9.2:1/v1", "--routing", "least-busy", "--out", str(out),
                 "--no-progress", "--strategy", "formulation", "--stop-after", "1", "--attempts", "1"])
    err = capsys.readouterr().err
    assert code == 1 and "stopped after problem failed with exception" in err
    doc = json.loads((out / "run.json").read_text())
    assert doc["api_base"] == "http://10.9.9.1:1/v1,http://10.9.9.2:1/v1" and doc["routing"] == "least-busy"
    rec = lines(out / "results.jsonl")[0]
    assert rec["error_type"] == "exception" and "RealLLMCallForbidden" in rec["error"]


def test_killed_run_resumes_without_recomputing(tmp_path):
    names = ["Alder", "Birch", "Cedar", "Dune", "Ember", "Fjord"]
    bench = write_bench(tmp_path / "b.jsonl", names, labels={n: 680 for n in names})
    log = tmp_path / "asked.log"
    spec = f"{llm_file(tmp_path, delay=0.4, log=log)}:make"
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "optolab.cli.main", "eval", str(bench), "--llm", spec, "--out", str(out),
           "--no-progress", "--strategy", "formulation", "--attempts", "1"]
    env = {**os.environ, "OPTOLAB_FORBID_REAL_LLM": "1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    results = out / "results.jsonl"
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if results.exists() and results.read_text().count("\n") >= 2:
                break
            if proc.poll() is not None:
                pytest.fail(f"the run ended before it was killed: {proc.communicate()[1].decode()[-2000:]}")
            time.sleep(0.05)
        else:
            pytest.fail("no results within 120 s")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
    before = lines(results)
    assert 2 <= len(before) < len(names)
    with results.open("a") as fh:  # as if the kill had cut a line in half
        fh.write('{"id": "zzz", "status": "optim')
    log.write_text("")
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "moved to results.jsonl.partial" in done.stderr
    after = lines(results)
    assert sorted(r["id"] for r in after) == sorted(n.lower() for n in names)  # each exactly once
    assert after[: len(before)] == before  # nothing finished was rewritten
    asked = set(log.read_text().split())
    assert {n.lower() for n in asked} == {n.lower() for n in names} - {r["id"] for r in before}
    assert (out / "results.jsonl.partial").read_text().startswith('{"id": "zzz"')
    doc = json.loads((out / "run.json").read_text())
    assert len(doc["invocations"]) == 2 and doc["invocations"][0]["finished"] is None
    assert doc["invocations"][1]["kept"] == len(before)
    assert f"{len(names) - len(before)} evaluated now, {len(before)} kept" in done.stdout
