"""Summaries of a run: accuracy per rule overall and per category, error types, time and tokens.

Records are scored again from their stored expected values and predictions (:mod:`optolab.evals.scoring`),
so a summary always follows the current rules. Problems without usable ground truth are listed with
their label and never scored; problems the harness failed on are listed and count as wrong.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from optolab.evals.outcomes import ERROR_TYPES, RETRIED, classify
from optolab.evals.records import EvalRecord
from optolab.evals.scoring import DEFAULT_RULES, RULE_NAMES, RuleStats, score, summarize


def categories(rec: EvalRecord) -> list[str]:
    """The groups a problem is reported in: its tags, and ``type:<problem type>`` unless the tags spell it."""
    cats = list(dict.fromkeys(rec.tags))
    if rec.problem_type and rec.problem_type != "-".join(rec.tags):
        cats.append(f"type:{rec.problem_type}")
    return cats


@dataclass(frozen=True)
class Dist:
    """A distribution of per-problem values (seconds, tokens ...)."""

    n: int = 0
    mean: float = 0.0
    median: float = 0.0
    p90: float = 0.0
    max: float = 0.0
    total: float = 0.0

    @classmethod
    def of(cls, values: Iterable[float]) -> Dist:
        xs = sorted(float(v) for v in values if v is not None and math.isfinite(float(v)))
        if not xs:
            return cls()
        n = len(xs)
        mid = xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2
        p90 = xs[min(n - 1, math.ceil(0.9 * n) - 1)]
        return cls(n, sum(xs) / n, mid, p90, xs[-1], sum(xs))

    def to_dict(self) -> dict[str, float]:
        return {"n": self.n, "mean": self.mean, "median": self.median, "p90": self.p90, "max": self.max,
                "total": self.total}


@dataclass
class CategoryStats:
    name: str
    n: int
    rules: dict[str, RuleStats]
    error_types: dict[str, int]


@dataclass
class RunSummary:
    """Everything a report shows about a run."""

    name: str
    rule: str
    rules: tuple[str, ...]
    planned: int
    finished: int
    pending_ids: list[str]
    overall: dict[str, RuleStats]
    categories: list[CategoryStats]
    error_types: dict[str, int]
    no_ground_truth: list[dict[str, Any]]
    failures: list[dict[str, Any]]  # exceptions and model-server failures, retried on resume
    seconds: Dist
    llm_seconds: Dist
    tokens: Dist
    attempts: Dist
    llm_calls: int
    verdicts: dict[str, dict[str, bool | None]] = field(default_factory=dict)
    error_type_of: dict[str, str] = field(default_factory=dict)
    values: dict[str, list[float]] = field(default_factory=dict)  # per-problem seconds and tokens, for plots

    @property
    def outside_llm_share(self) -> float | None:
        """Share of the wall time spent outside LLM calls (None before any problem finished)."""
        if self.seconds.total <= 0:
            return None
        return max(0.0, self.seconds.total - self.llm_seconds.total) / self.seconds.total

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "rule": self.rule, "rules": list(self.rules), "planned": self.planned,
            "finished": self.finished, "pending_ids": self.pending_ids,
            "overall": {r: s.to_dict() for r, s in self.overall.items()},
            "categories": {c.name: {"n": c.n, "rules": {r: s.to_dict() for r, s in c.rules.items()},
                                    "error_types": c.error_types} for c in self.categories},
            "error_types": self.error_types, "no_ground_truth": self.no_ground_truth, "failures": self.failures,
            "seconds": self.seconds.to_dict(), "llm_seconds": self.llm_seconds.to_dict(),
            "tokens": self.tokens.to_dict(), "attempts": self.attempts.to_dict(), "llm_calls": self.llm_calls,
            "outside_llm_share": self.outside_llm_share,
        }


def rescore(rec: EvalRecord) -> dict[str, bool | None]:
    """Every default rule's verdict for a record, from its stored expected values and prediction."""
    return score(rec.item(), rec.prediction(), DEFAULT_RULES)


def error_type(rec: EvalRecord, verdicts: dict[str, bool | None], rule: str) -> str:
    return classify(has_ground_truth=rec.has_ground_truth, verdict=verdicts.get(rule), status=rec.status,
                    last_attempt_status=rec.attempt_statuses[-1] if rec.attempt_statuses else None,
                    llm_errors=rec.llm_errors, exception=rec.is_exception)


def summarize_records(
    records: Sequence[EvalRecord],
    *,
    rule: str = "rel_1e-6_objective",
    planned_ids: Sequence[str] | None = None,
    name: str = "",
) -> RunSummary:
    """Summarize ``records`` (one per problem). ``planned_ids``: every problem of the run, finished or not;
    the records of other ids are left out, and planned problems without a record are listed as pending."""
    by_id = {r.id: r for r in records}
    if planned_ids is not None:
        planned = list(dict.fromkeys(planned_ids))
        recs = [by_id[i] for i in planned if i in by_id]
        pending = [i for i in planned if i not in by_id]
    else:
        planned = list(by_id)
        recs = list(by_id.values())
        pending = []
    verdicts = {r.id: rescore(r) for r in recs}
    types = {r.id: error_type(r, verdicts[r.id], rule) for r in recs}
    items = [r.item() for r in recs]
    tagged = [replace(it, tags=tuple(categories(r))) for it, r in zip(items, recs)]
    base = summarize([verdicts[r.id] for r in recs], tagged)
    rules = tuple(dict.fromkeys([*RULE_NAMES, *base.overall]))
    overall = {rn: base.overall.get(rn, RuleStats()) for rn in rules}
    cats: list[CategoryStats] = []
    for cat, stats in base.per_tag.items():
        members = [r for r in recs if cat in categories(r)]
        counts = Counter(types[r.id] for r in members)
        cats.append(CategoryStats(cat, len(members), {rn: stats.get(rn, RuleStats()) for rn in rules},
                                  {t: counts[t] for t in ERROR_TYPES if counts[t]}))
    counts = Counter(types.values())
    no_gt = [{"id": r.id, "label": r.label, "raw_label": r.raw_label, "note": r.label_note}
             for r in recs if not r.has_ground_truth]
    failures = [{"id": r.id, "error_type": types[r.id], "error": (r.error or r.explanation or "")[:500]}
                for r in recs if types[r.id] in RETRIED]
    return RunSummary(
        name=name, rule=rule, rules=rules, planned=len(planned), finished=len(recs), pending_ids=pending,
        overall=overall, categories=cats, error_types={t: counts[t] for t in ERROR_TYPES if counts[t]},
        no_ground_truth=no_gt, failures=failures,
        seconds=Dist.of(r.seconds for r in recs), llm_seconds=Dist.of(r.llm_seconds for r in recs),
        tokens=Dist.of(r.tokens for r in recs), attempts=Dist.of(r.attempts for r in recs if not r.is_exception),
        llm_calls=sum(r.llm_calls for r in recs), verdicts=verdicts, error_type_of=types,
        values={"seconds": [r.seconds for r in recs], "tokens": [float(r.tokens) for r in recs]},
    )
