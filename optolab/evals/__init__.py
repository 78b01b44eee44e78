"""Evaluation of optimization-modeling systems on benchmarks: scoring rules, the resumable runner, reports.

>>> from optolab.evals import evaluate, load_eval_benchmark, select          # doctest: +SKIP
>>> bench = select(load_eval_benchmark("embedded"), tags=["difficulty:easy"])  # doctest: +SKIP
>>> result = evaluate(bench, "runs/easy", llm=LLM("local"), workers=2)         # doctest: +SKIP

The command line is ``optolab eval`` (:mod:`optolab.cli.eval_cmd`).
"""

from optolab.evals.analysis import RunSummary, summarize_records
from optolab.evals.compare import Comparison, compare_runs
from optolab.evals.errors import EvalError, RunDirError, RunMismatchError
from optolab.evals.outcomes import ERROR_TYPES, classify
from optolab.evals.records import EvalRecord, ResultsFile
from optolab.evals.report import regenerate, write_reports
from optolab.evals.runner import AgentSettings, EvalResult, evaluate
from optolab.evals.sources import embedded_benchmark, load_eval_benchmark, select
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
    "AgentSettings",
    "Comparison",
    "ERROR_TYPES",
    "EvalError",
    "EvalRecord",
    "EvalResult",
    "ResultsFile",
    "RunDirError",
    "RunMismatchError",
    "RunSummary",
    "classify",
    "compare_runs",
    "embedded_benchmark",
    "evaluate",
    "load_eval_benchmark",
    "regenerate",
    "select",
    "summarize_records",
    "write_reports",
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
