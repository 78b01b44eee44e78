"""Benchmark helpers: stratified sampling, grouping by tag, lookup."""

from __future__ import annotations

from collections import Counter

import pytest

from optolab.datasets import Benchmark, BenchmarkIssue, BenchmarkItem, LabelKind
from optolab.errors import DatasetError


def make_item(i: int, tags: tuple[str, ...], label: LabelKind = LabelKind.VALUE) -> BenchmarkItem:
    return BenchmarkItem(
        id=f"t-{i}",
        question=f"problem {i}",
        objective=float(i) if label is LabelKind.VALUE else None,
        answers=None,
        label=label,
        raw_label=str(i) if label is LabelKind.VALUE else "",
        source="t",
        tags=tags,
    )


@pytest.fixture
def bench() -> Benchmark:
    # 60 linear/notable, 30 nonlinear/notable, 10 linear/table; two items without labels
    tags = [("linear", "notable")] * 60 + [("nonlinear", "notable")] * 30 + [("linear", "table")] * 10
    items = [make_item(i, t) for i, t in enumerate(tags)]
    items[5] = make_item(5, tags[5], LabelKind.MISSING)
    items[95] = make_item(95, tags[95], LabelKind.MALFORMED)
    issues = [
        BenchmarkIssue("t-5", LabelKind.MISSING, "empty"),
        BenchmarkIssue("t-95", LabelKind.MALFORMED, "x"),
    ]
    return Benchmark(name="t", items=items, issues=issues)


def test_sample_is_stratified_and_reproducible(bench: Benchmark) -> None:
    sample = bench.sample(20, seed=3)
    assert len(sample) == 20
    assert Counter(item.tags for item in sample) == {
        ("linear", "notable"): 12,
        ("nonlinear", "notable"): 6,
        ("linear", "table"): 2,
    }
    assert [i.id for i in bench.sample(20, seed=3)] == [i.id for i in sample]
    assert [i.id for i in bench.sample(20, seed=4)] != [i.id for i in sample]
    positions = [bench.items.index(item) for item in sample]
    assert positions == sorted(positions)  # file order kept
    assert {i.item_id for i in sample.issues} <= {i.id for i in sample}


def test_sample_largest_remainder_and_edges(bench: Benchmark) -> None:
    counts = Counter(item.tags for item in bench.sample(7, seed=0))
    # shares 4.2, 2.1, 0.7: floors 4, 2, 0 and the one left goes to the largest remainder (0.7)
    assert counts == {("linear", "notable"): 4, ("nonlinear", "notable"): 2, ("linear", "table"): 1}
    assert len(bench.sample(0, seed=0)) == 0
    everything = bench.sample(500, seed=0)
    assert [i.id for i in everything] == [i.id for i in bench] and len(everything.issues) == 2
    assert len(bench.sample(10, seed=1, stratify_by=None)) == 10
    by_label = Counter(i.label for i in bench.sample(50, seed=1, stratify_by="label"))
    assert (
        by_label[LabelKind.VALUE] == 49 and by_label[LabelKind.MISSING] + by_label[LabelKind.MALFORMED] == 1
    )
    with pytest.raises(DatasetError, match="non-negative"):
        bench.sample(-1)
    with pytest.raises(DatasetError, match="stratify"):
        bench.sample(3, stratify_by="colour")


def test_by_tag_get_and_counts(bench: Benchmark) -> None:
    groups = bench.by_tag()
    assert list(groups) == ["linear", "nonlinear", "notable", "table"]
    assert {k: len(v) for k, v in groups.items()} == {
        "linear": 70,
        "nonlinear": 30,
        "notable": 90,
        "table": 10,
    }
    assert bench.get("t-7").objective == 7.0
    with pytest.raises(KeyError, match="t-999"):
        bench.get("t-999")
    assert bench.label_counts() == {"value": 98, "no_optimum": 0, "missing": 1, "malformed": 1}
    assert not bench.get("t-5").has_ground_truth
    assert len(set(bench.items)) == 100 and bench.get("t-7") in set(bench.sample(100))
