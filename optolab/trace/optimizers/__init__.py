"""LLM optimizers for traced workflows."""

from optolab.trace.optimizers.base import Optimizer, StepRecord
from optolab.trace.optimizers.optoprime import OptoPrime, Proposal
from optolab.trace.optimizers.search import SearchOptimizer
from optolab.trace.optimizers.summary import Limits

__all__ = ["Limits", "OptoPrime", "Optimizer", "Proposal", "SearchOptimizer", "StepRecord"]
