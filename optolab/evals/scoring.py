"""Scoring rules for optimization-modeling benchmarks, each named after what it checks.

A rule compares one :class:`Prediction` with one :class:`~optolab.datasets.BenchmarkItem` and
returns ``True``/``False``, or ``None`` when the item cannot be scored (missing or malformed
label). Common to every rule:

* an item labelled *no optimum* is solved iff the prediction's status says infeasible, unbounded or
  no optimum (any objective it carries is ignored);
* an item with a value label is solved only by a prediction with a finite objective whose status
  is not a no-optimum, ``error`` or ``no_answer`` status; no prediction at all (``None``) is wrong.

Keyed answers (OptiBench) are looked up by the benchmark's key strings: exactly first, then ignoring
case and runs of whitespace. A prediction that omits the objective's own key is matched through its
``objective`` field. Extra predicted keys are ignored.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from optolab.datasets.types import BenchmarkItem, LabelKind
from optolab.errors import ScoringError

NO_OPTIMUM_STATUSES = frozenset({"infeasible", "unbounded", "infeasible_or_unbounded", "no_optimum"})
FAILED_STATUSES = frozenset({"error", "no_answer"})


@dataclass(frozen=True)
class Prediction:
    """What a system answered for one item.

    ``status`` is the solver-style outcome: ``"optimal"``, ``"feasible"``, ``"infeasible"``,
    ``"unbounded"``, ``"infeasible_or_unbounded"``, ``"no_optimum"``, ``"error"`` or ``"no_answer"``.
    ``answers`` maps the benchmark's key strings to predicted values.
    """

    objective: float | None = None
    answers: Mapping[str, float] | None = None
    status: str = "optimal"

    @property
    def says_no_optimum(self) -> bool:
        return _norm_status(self.status) in NO_OPTIMUM_STATUSES


def _norm_status(status: object) -> str:
    return re.sub(r"[\s-]+", "_", str(status).strip().lower())


def _finite(x: object) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _norm_key(key: str) -> str:
    return " ".join(key.split()).casefold()


def lookup_answer(answers: Mapping[str, float] | None, key: str) -> float | None:
    """The predicted value for ``key``: exact key first, then case- and whitespace-insensitive."""
    if not answers:
        return None
    if key in answers:
        return _finite(answers[key])
    wanted = _norm_key(key)
    for k, v in answers.items():
        if isinstance(k, str) and _norm_key(k) == wanted:
            return _finite(v)
    return None


class ScoringRule(Protocol):
    name: str

    def __call__(self, item: BenchmarkItem, prediction: Prediction | None) -> bool | None: ...


def _common(item: BenchmarkItem, prediction: Prediction | None) -> tuple[bool | None, float | None]:
    """``(verdict, predicted objective)``: a verdict when the rule's own check is not needed."""
    if not item.has_ground_truth:
        return None, None
    if prediction is None:
        return False, None
    status = _norm_status(prediction.status)
    if item.label is LabelKind.NO_OPTIMUM:
        return status in NO_OPTIMUM_STATUSES, None
    if status in NO_OPTIMUM_STATUSES or status in FAILED_STATUSES:
        return False, None
    pred = _finite(prediction.objective)
    if pred is None or item.objective is None:
        return False, None
    return None, pred


@dataclass(frozen=True)
class RelativeAllAnswers:
    """Objective and every keyed answer within ``tol * max(1, |expected|)`` (strict).

    OptiBench's originating work (ReSocratic, Yang et al. 2024) counts a problem as solved only when
    the value of *every* key of its ``results`` is within ``1e-4`` of the label (absolute). This rule
    keeps that all-keys requirement with the tolerance made relative for large values, so it equals
    the absolute check whenever ``|expected| <= 1``. Items without keyed answers are scored on the
    objective alone.
    """

    tol: float = 1e-4
    name: str = "rel_1e-4_all_answers"

    def close(self, pred: float, exp: float) -> bool:
        return abs(pred - exp) <= self.tol * max(1.0, abs(exp))

    def __call__(self, item: BenchmarkItem, prediction: Prediction | None) -> bool | None:
        verdict, pred = _common(item, prediction)
        if pred is None:
            return verdict
        if not self.close(pred, item.objective):  # type: ignore[arg-type]
            return False
        for key, expected in (item.answers or {}).items():
            got = lookup_answer(prediction.answers, key)  # type: ignore[union-attr]
            if got is None and key == item.objective_key:
                got = pred
            if got is None or not self.close(got, expected):
                return False
        return True


@dataclass(frozen=True)
class RelativeObjective:
    """Objective with ``|pred - expected| / (|expected| + 1) <= tol``.

    The rule of the fine-tuning papers: OptMATH (Lu et al. 2025) and SIRL (Chen et al. 2025) score
    NL4OPT, MAMO, IndustryOR, OptMATH-Bench and OptiBench with ``tol = 1e-6``, and require a
    "No Best Solution" / ``-9999`` label to be answered with infeasibility.
    """

    tol: float = 1e-6
    name: str = "rel_1e-6_objective"

    def __call__(self, item: BenchmarkItem, prediction: Prediction | None) -> bool | None:
        verdict, pred = _common(item, prediction)
        if pred is None:
            return verdict
        exp = item.objective
        return abs(pred - exp) / (abs(exp) + 1.0) <= self.tol  # type: ignore[operator,arg-type]


@dataclass(frozen=True)
class RoundedRelativeObjective:
    """Lenient: objective rounded to integers, then ``|p - g| / |g| <= tol`` (``|p| <= tol`` if ``g == 0``).

    The default check of OptMATH's public evaluation code (``eval/executor.py``,
    ``--numerical-tolerance 0.05``): it forgives rounding of integer answers and small modelling
    differences, so it reads higher than the 1e-6 rule of the same papers.
    """

    tol: float = 0.05
    name: str = "rounded_5pct_objective"

    def __call__(self, item: BenchmarkItem, prediction: Prediction | None) -> bool | None:
        verdict, pred = _common(item, prediction)
        if pred is None:
            return verdict
        p, g = round(pred), round(item.objective)  # type: ignore[arg-type]
        if g == 0:
            return abs(p) <= self.tol
        return abs(p - g) / abs(g) <= self.tol


DEFAULT_RULES: tuple[ScoringRule, ...] = (
    RelativeAllAnswers(),
    RelativeObjective(),
    RoundedRelativeObjective(),
)
RULE_NAMES: tuple[str, ...] = tuple(rule.name for rule in DEFAULT_RULES)


def get_rule(name: str) -> ScoringRule:
    """The default rule called ``name``; the error lists the known names."""
    for rule in DEFAULT_RULES:
        if rule.name == name:
            return rule
    raise ScoringError(f"unknown scoring rule {name!r}: use one of {', '.join(RULE_NAMES)}")


def score(
    item: BenchmarkItem, prediction: Prediction | None, rules: Sequence[ScoringRule] = DEFAULT_RULES
) -> dict[str, bool | None]:
    """``{rule name: correct?}`` for one item; ``None`` means the item is not scorable."""
    return {rule.name: rule(item, prediction) for rule in rules}


@dataclass(frozen=True)
class RuleStats:
    """Accuracy of one rule over a group of items; not-scorable items are counted apart."""

    correct: int = 0
    scored: int = 0
    not_scorable: int = 0

    @property
    def accuracy(self) -> float | None:
        """Percentage of scored items that are correct; None when nothing was scored."""
        return 100.0 * self.correct / self.scored if self.scored else None

    def add(self, verdict: bool | None) -> RuleStats:
        if verdict is None:
            return RuleStats(self.correct, self.scored, self.not_scorable + 1)
        return RuleStats(self.correct + bool(verdict), self.scored + 1, self.not_scorable)

    def to_dict(self) -> dict[str, object]:
        return {
            "correct": self.correct,
            "scored": self.scored,
            "not_scorable": self.not_scorable,
            "accuracy": self.accuracy,
        }


@dataclass(frozen=True)
class Summary:
    """Overall and per-tag accuracy per rule, plus the ids of the items no rule could score."""

    overall: dict[str, RuleStats]
    per_tag: dict[str, dict[str, RuleStats]]
    not_scorable_ids: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        return {
            "overall": {rule: s.to_dict() for rule, s in self.overall.items()},
            "per_tag": {
                tag: {r: s.to_dict() for r, s in rules.items()} for tag, rules in self.per_tag.items()
            },
            "not_scorable_ids": list(self.not_scorable_ids),
        }


def summarize(
    scores: Sequence[Mapping[str, bool | None]] | Mapping[str, Mapping[str, bool | None]],
    items: Sequence[BenchmarkItem],
) -> Summary:
    """Aggregate per-item ``score`` results: ``scores`` aligned with ``items``, or keyed by item id.

    Accuracy counts only scored items; items whose verdict is ``None`` are counted as not scorable.
    Items are grouped per tag (an item with several tags counts in each).
    """
    if isinstance(scores, Mapping):
        missing = [item.id for item in items if item.id not in scores]
        if missing:
            raise ScoringError(
                f"no scores for {len(missing)} item(s), e.g. {missing[:3]}: score every item first"
            )
        rows = [scores[item.id] for item in items]
    else:
        if len(scores) != len(items):
            raise ScoringError(
                f"{len(scores)} score rows for {len(items)} items: pass one row per item, in the same order"
            )
        rows = list(scores)
    rule_names = list(dict.fromkeys(name for row in rows for name in row))
    overall = {name: RuleStats() for name in rule_names}
    per_tag: dict[str, dict[str, RuleStats]] = {}
    not_scorable: list[str] = []
    for item, row in zip(items, rows):
        if row and all(v is None for v in row.values()):
            not_scorable.append(item.id)
        for name in rule_names:
            verdict = row.get(name)
            overall[name] = overall[name].add(verdict)
            for tag in item.tags:
                stats = per_tag.setdefault(tag, {n: RuleStats() for n in rule_names})
                stats[name] = stats[name].add(verdict)
    return Summary(
        overall=overall, per_tag=dict(sorted(per_tag.items())), not_scorable_ids=tuple(not_scorable)
    )
