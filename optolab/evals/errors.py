"""Errors of the evaluation harness (all derive from :class:`optolab.errors.OptolabError`)."""

from __future__ import annotations

from optolab.errors import OptolabError


class EvalError(OptolabError):
    """An evaluation cannot run or be reported as asked."""


class RunDirError(EvalError):
    """A folder is not a readable evaluation run (no run.json or results.jsonl, unreadable files)."""


class RunMismatchError(EvalError):
    """A run folder holds results of a different evaluation (model, benchmark, agent settings)."""
