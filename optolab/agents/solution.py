"""What the modeling agent returns: the answer, how it was found, and what it cost."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Attempt:
    """One formulate-or-repair round: the model, its code, what running it gave, what the check found.

    ``changes`` lists what the mechanical fixes changed in the model's reply before it ran (one
    sentence each), so a trail shows which code was the model's and which the library's."""

    formulation: dict[str, Any] | None
    code: str | None
    status: str
    objective: float | None = None
    findings: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    changes: list[str] = field(default_factory=list)


@dataclass
class Solution:
    """The agent's answer to one question.

    ``status`` is the solver's verdict (``optimal``, ``feasible``, ``infeasible``, ``unbounded``,
    ``time_limit``) or why there is no verdict (``empty_input``, ``not_a_problem``,
    ``missing_data``, ``no_model``, ``error``). ``explanation`` says it in words.
    """

    question: str
    status: str
    objective: float | None = None
    sense: str | None = None
    values: dict[str, float] = field(default_factory=dict)
    answers: dict[str, float] = field(default_factory=dict)
    formulation: dict[str, Any] | None = None
    math: str | None = None
    code: str | None = None
    explanation: str = ""
    attempts: list[Attempt] = field(default_factory=list)
    votes: list[dict[str, Any]] = field(default_factory=list)
    strategy: str = "formulation"  # how the answer was modeled: "formulation" or "program"
    findings: list[str] = field(default_factory=list)  # what the check step still found in the answer
    seconds: float = 0.0
    llm_seconds: float = 0.0
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def ok(self) -> bool:
        return self.status in ("optimal", "feasible") and self.objective is not None

    @property
    def outside_llm_share(self) -> float:
        """Share of the wall time spent outside LLM calls."""
        return 0.0 if self.seconds <= 0 else max(0.0, self.seconds - self.llm_seconds) / self.seconds

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
