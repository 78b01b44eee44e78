"""Bootstrapping worked examples: the agent's own verified solutions become its demos.

The agent solves training questions; each answer that matches the record's optimum under the strict
rule is kept with the code the agent wrote for it (after the library's tidy step) as a demo
(:mod:`optolab.agents.demos`). Questions that are near-copies of an evaluation problem are never
tried (``screen``). :class:`~optolab.train.prompts.PromptTrainer` runs this before its optimizer steps
and keeps the demos only when the dev score with them is at least the score without, as DSPy's
``BootstrapFewShot`` keeps demonstrations that pass its metric (Khattab et al., 2023).
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Sequence

from optolab.train.data import TrainRecord

Screen = Callable[[str], "str | None"]  # question -> why it may not be used (a near-copy), or None


@dataclass
class Tried:
    """One training question the bootstrap solved: whether it was right and whether it became a demo."""

    id: str
    correct: bool
    kept: bool
    reason: str  # "demo", "wrong", "no code", "screened: ..."
    seconds: float = 0.0


@dataclass
class BootstrapState:
    """Progress of a bootstrap (saved in the trainer's checkpoint, so an interrupted run resumes)."""

    tried: list[Tried] = field(default_factory=list)
    demos: list[dict[str, Any]] = field(default_factory=list)
    done: bool = False
    dev_score: float | None = None
    decision: str = ""
    dev_changes: dict[str, list[str]] | None = None  # dev problems the demos turned right ("gained") or wrong

    def to_dict(self) -> dict[str, Any]:
        return {"tried": [asdict(t) for t in self.tried], "demos": self.demos, "done": self.done,
                "dev_score": self.dev_score, "decision": self.decision, "dev_changes": self.dev_changes}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> "BootstrapState":
        d = d or {}
        return cls(tried=[Tried(**t) for t in d.get("tried", [])], demos=list(d.get("demos", [])),
                   done=bool(d.get("done", False)), dev_score=d.get("dev_score"), decision=str(d.get("decision", "")),
                   dev_changes=d.get("dev_changes"))


def bootstrap_order(records: Sequence[TrainRecord], seed: int) -> list[TrainRecord]:
    """The training records in the order the bootstrap tries them (a seeded shuffle: the same seed tries
    the same questions)."""
    order = list(records)
    random.Random(f"bootstrap/{seed}").shuffle(order)
    return order


def demo_from(record: TrainRecord, solution: Any) -> dict[str, Any] | None:
    """The demo a right solution gives: the question with the code that solved it; None when the solution
    carries no program (the formulation strategy's code is the library's, not a reply to learn from)."""
    code = getattr(solution, "code", None)
    if getattr(solution, "strategy", None) != "program" or not isinstance(code, str) or not code.strip():
        return None
    return {"id": record.id, "question": record.question, "code": code.strip() + "\n",
            "objective": getattr(solution, "objective", None), "tags": [f"source:{_source(record)}"]}


def _source(record: TrainRecord) -> str:
    prov = record.provenance if isinstance(record.provenance, dict) else {}
    return str(prov.get("benchmark") or prov.get("generator") or record.problem_class or "train")
