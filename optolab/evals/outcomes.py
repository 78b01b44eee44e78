"""Error types: why an answer was wrong (or that it was right), one type per problem.

The type is derived from the verdict of one scoring rule and from what the agent did, so a report
can recompute it for any rule from a stored record.
"""

from __future__ import annotations

CORRECT = "correct"
ERROR_TYPES: dict[str, str] = {
    CORRECT: "right answer under the rule",
    "wrong_value": "a solved model, but the objective (or a keyed answer) is wrong; or an optimum where the "
                   "problem has none",
    "no_model": "no code or no model: the replies never gave a model that could be written and run",
    "runtime_error": "the generated code failed when it ran (last attempt)",
    "infeasible": "the model was infeasible (the problem has an optimum)",
    "unbounded": "the model was unbounded (the problem has an optimum)",
    "time_limit": "the solver stopped at its time limit without a solution",
    "llm_error": "the model server failed (connection, timeout, server error) and no model was made; "
                 "retried when the run resumes",
    "exception": "the harness caught an exception while solving this problem; retried when the run resumes",
    "no_ground_truth": "the benchmark has no usable label for this problem: reported, not scored",
}
# outcomes that say nothing about the agent: a resumed run computes them again
RETRIED = frozenset({"llm_error", "exception"})
NO_OPTIMUM_STATUSES = frozenset({"infeasible", "unbounded", "infeasible_or_unbounded", "no_optimum"})
OK_STATUSES = frozenset({"optimal", "feasible"})


def classify(
    *,
    has_ground_truth: bool,
    verdict: bool | None,
    status: str | None,
    last_attempt_status: str | None = None,
    llm_errors: int = 0,
    exception: bool = False,
) -> str:
    """The error type of one problem.

    ``verdict``: the rule's verdict; ``status``: the agent's final status (``Solution.status``);
    ``last_attempt_status``: the status of its last attempt (``error`` when the code failed to run);
    ``llm_errors``: LLM calls that failed for good while solving it; ``exception``: the harness caught one.
    """
    if exception:
        return "exception"
    if not has_ground_truth:
        return "no_ground_truth"
    if verdict:
        return CORRECT
    status = (status or "").strip().lower()
    if status in OK_STATUSES:
        return "wrong_value"
    if status in ("infeasible", "infeasible_or_unbounded"):
        return "infeasible"
    if status == "unbounded":
        return "unbounded"
    if status == "time_limit":
        return "time_limit"
    last = (last_attempt_status or "").strip().lower()
    if last == "error":
        return "runtime_error"
    if last == "time_limit":
        return "time_limit"
    if last in ("infeasible", "infeasible_or_unbounded"):
        return "infeasible"
    if last == "unbounded":
        return "unbounded"
    if llm_errors > 0:
        return "llm_error"
    return "no_model"
