"""Evaluation of optimization-modeling systems on benchmarks: scoring rules and summaries."""

from optolab.evals.scoring import (
    DEFAULT_RULES,
    RULE_NAMES,
    Prediction,
    RelativeAllAnswers,
    RelativeObjective,
    RoundedRelativeObjective,
    RuleStats,
    ScoringRule,
    Summary,
    get_rule,
    score,
    summarize,
)

__all__ = [
    "DEFAULT_RULES",
    "RULE_NAMES",
    "Prediction",
    "RelativeAllAnswers",
    "RelativeObjective",
    "RoundedRelativeObjective",
    "RuleStats",
    "ScoringRule",
    "Summary",
    "get_rule",
    "score",
    "summarize",
]
