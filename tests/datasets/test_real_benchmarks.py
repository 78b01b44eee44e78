"""The published benchmark files, when a data directory is available (skipped otherwise)."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from optolab.datasets import LabelKind, load_benchmark


def _data_dir() -> Path | None:
    candidates = [
        os.environ.get("OPTOLAB_DATA_DIR"),
        Path(__file__).resolve().parents[2].parent / "shared" / "data",
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "optibench" / "OptiBench.json").is_file():
            return Path(candidate)
    return None


DATA_DIR = _data_dir()
pytestmark = pytest.mark.skipif(DATA_DIR is None, reason="no benchmark data directory (set OPTOLAB_DATA_DIR)")


def test_published_benchmarks_counts() -> None:
    optibench = load_benchmark("optibench", data_dir=DATA_DIR)
    assert len(optibench) == 605 and optibench.issues == []
    assert Counter(i.problem_type for i in optibench) == {
        "linear-notable": 342,
        "nonlinear-notable": 133,
        "linear-table": 80,
        "nonlinear-table": 50,
    }
    assert all(i.objective_key in i.answers and i.answers[i.objective_key] == i.objective for i in optibench)

    nl4opt = load_benchmark("nl4opt", data_dir=DATA_DIR)
    assert len(nl4opt) == 245 and nl4opt.issues == []
    assert Counter(i.label for i in nl4opt)[LabelKind.NO_OPTIMUM] == 17

    mamo = load_benchmark("mamo_easylp", data_dir=DATA_DIR)
    assert len(mamo) == 642 and mamo.issues == []
    assert [i.id for i in mamo if i.label is LabelKind.NO_OPTIMUM] == ["mamo_easylp-629"]


@pytest.mark.parametrize("name", ["optibench", "nl4opt", "mamo_easylp"])
def test_normalized_copies_agree_with_raw_files(name: str) -> None:
    raw = load_benchmark(name, data_dir=DATA_DIR)
    normalized = load_benchmark(DATA_DIR / name / "normalized.jsonl")
    assert [i.id for i in normalized] == [i.id for i in raw]
    assert [i.label for i in normalized] == [i.label for i in raw]
    assert [i.answers for i in normalized] == [i.answers for i in raw]
    for a, b in zip(raw, normalized):
        assert (a.objective is None) == (b.objective is None)
        if a.objective is not None:  # SIRL's copy rounds OptiBench objectives to two decimals
            assert abs(a.objective - b.objective) <= 0.006
