"""Benchmark items and benchmarks: the types every loader returns."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from enum import Enum

from optolab.errors import DatasetError


class LabelKind(str, Enum):
    """What a benchmark's ground-truth label says."""

    VALUE = "value"  # an optimal objective value
    NO_OPTIMUM = "no_optimum"  # the problem is infeasible or unbounded ("No Best Solution", -9999)
    MISSING = "missing"  # no label at all (empty string, null)
    MALFORMED = "malformed"  # a label that cannot be read as a number or a no-optimum marker

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class BenchmarkItem:
    """One benchmark problem with its ground truth.

    ``objective`` is set only when ``label`` is ``VALUE``. ``answers`` holds every keyed value the
    benchmark asks for (OptiBench: decision variables and objective by description), else None;
    ``objective_key`` names the key of ``answers`` that holds the objective, when there is one.
    ``raw_label`` is the label as written in the source file; ``note`` says why an item has no
    usable objective.
    """

    id: str
    question: str
    objective: float | None
    answers: dict[str, float] | None
    label: LabelKind
    raw_label: str
    source: str
    tags: tuple[str, ...] = ()
    problem_type: str | None = None
    orig_id: str | None = None
    objective_key: str | None = None
    note: str | None = None

    def __hash__(self) -> int:  # ``answers`` is a dict, so hash on what identifies the item
        return hash((self.id, self.source, self.question))

    @property
    def has_ground_truth(self) -> bool:
        """True when the item can be scored: an objective value or a no-optimum label."""
        return self.label in (LabelKind.VALUE, LabelKind.NO_OPTIMUM)


@dataclass(frozen=True)
class BenchmarkIssue:
    """An item kept in a benchmark although its ground truth is not usable, and why."""

    item_id: str
    label: LabelKind
    reason: str


def _stratum_key(item: BenchmarkItem, stratify_by: str | Callable[[BenchmarkItem], object] | None) -> object:
    if stratify_by is None:
        return None
    if callable(stratify_by):
        return stratify_by(item)
    if stratify_by == "tags":
        return item.tags
    if stratify_by == "label":
        return item.label.value
    if stratify_by in ("source", "problem_type"):
        return getattr(item, stratify_by)
    raise DatasetError(
        f"cannot stratify by {stratify_by!r}: use 'tags', 'label', 'source', 'problem_type', None "
        "or a function of the item"
    )


@dataclass
class Benchmark:
    """A loaded benchmark: its items in file order, and the items whose ground truth is not usable.

    Items without usable ground truth stay in ``items`` (flagged by ``label``) and are listed in
    ``issues`` with the reason, so nothing is dropped or scored silently.
    """

    name: str
    items: list[BenchmarkItem]
    issues: list[BenchmarkIssue] = field(default_factory=list)
    path: str | None = None
    description: str = ""

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[BenchmarkItem]:
        return iter(self.items)

    def __getitem__(self, index: int) -> BenchmarkItem:
        return self.items[index]

    def get(self, item_id: str) -> BenchmarkItem:
        """The item with this id; raises ``KeyError`` naming the id when there is none."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(f"no item {item_id!r} in benchmark {self.name!r}")

    def label_counts(self) -> dict[str, int]:
        """How many items carry each label kind (all kinds listed, zero included)."""
        counts = {kind.value: 0 for kind in LabelKind}
        for item in self.items:
            counts[item.label.value] += 1
        return counts

    def by_tag(self) -> dict[str, list[BenchmarkItem]]:
        """Items grouped by tag (an item with several tags is in several groups), tags sorted."""
        groups: dict[str, list[BenchmarkItem]] = {}
        for item in self.items:
            for tag in item.tags:
                groups.setdefault(tag, []).append(item)
        return dict(sorted(groups.items()))

    def subset(self, items: list[BenchmarkItem]) -> Benchmark:
        """A benchmark holding ``items`` (kept in the given order) and their issues."""
        ids = {item.id for item in items}
        return replace(self, items=list(items), issues=[i for i in self.issues if i.item_id in ids])

    def sample(
        self,
        n: int,
        seed: int = 0,
        stratify_by: str | Callable[[BenchmarkItem], object] | None = "tags",
    ) -> Benchmark:
        """A random sample of ``n`` items, stratified so each group keeps its share of the benchmark.

        Groups are the items' tag tuples by default (``stratify_by`` may also be ``"label"``,
        ``"source"``, ``"problem_type"``, ``None`` or a function of the item). Each group gets
        ``n * size / total`` items rounded by largest remainder (ties broken by the seeded
        generator), so the same ``seed`` always gives the same sample. Sampled items keep file order.
        """
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise DatasetError(f"sample size must be a non-negative integer, got {n!r}")
        if n >= len(self.items):
            return self.subset(list(self.items))
        rng = random.Random(seed)
        groups: dict[object, list[int]] = {}
        for pos, item in enumerate(self.items):
            groups.setdefault(_stratum_key(item, stratify_by), []).append(pos)
        keys = sorted(groups, key=repr)
        total = len(self.items)
        quotas = {k: n * len(groups[k]) // total for k in keys}
        remainders = {k: n * len(groups[k]) / total - quotas[k] for k in keys}
        left = n - sum(quotas.values())
        tie_break = {k: rng.random() for k in keys}
        for k in sorted(keys, key=lambda k: (-remainders[k], tie_break[k]))[:left]:
            quotas[k] += 1
        chosen: list[int] = []
        for k in keys:
            chosen.extend(rng.sample(groups[k], quotas[k]))
        return self.subset([self.items[pos] for pos in sorted(chosen)])
