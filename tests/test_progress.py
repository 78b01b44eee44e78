"""The progress bars of evaluation and synthesis runs render their figures."""

import io

from rich.console import Console

from optolab.evals.progress import RichProgress as EvalProgress
from optolab.evals.records import EvalRecord
from optolab.synth.progress import RichProgress as SynthProgress


def console() -> Console:
    return Console(file=io.StringIO(), force_terminal=False, width=160)


def test_eval_progress_shows_accuracy_failures_and_each_problem():
    c = console()
    bar = EvalProgress(console=c, show_each=True)
    bar.advance(EvalRecord(id="early"), 0, 0)  # before start: ignored
    bar.start(total=3, done=1, title="nl4opt")
    bar.advance(EvalRecord(id="p1", status="optimal", objective=5.0, expected=5.0, error_type="correct"), 2, 2)
    bar.advance(EvalRecord(id="p2", status="no_answer", error_type="llm_error"), 2, 3)
    bar.stop()
    out = c.file.getvalue()
    assert "acc 66.7% (2/3)" in out and "1 failed" in out and "p1: optimal 5.0 (expected 5.0) ok" in out
    assert "early" not in out and "3/3" in out


def test_synth_progress_shows_yield():
    c = console()
    bar = SynthProgress(console=c)
    bar.start(total=2, done=0, title="forward")
    bar.advance([{"verdict": "accepted"}, {"verdict": "rejected"}], failed=False)
    bar.advance([], failed=True)
    bar.stop()
    out = c.file.getvalue()
    assert "accepted 1 (50% yield)" in out and "1 failed" in out
