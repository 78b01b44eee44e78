"""Typed solver results."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


class Termination(str, Enum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # a solution without proof of optimality (time limit, local solver)
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    INFEASIBLE_OR_UNBOUNDED = "infeasible_or_unbounded"
    TIME_LIMIT = "time_limit"  # stopped by the time limit without a solution
    ERROR = "error"

    def __str__(self) -> str:
        return self.value


@dataclass
class SolveResult:
    """What a solve produced. ``variables`` maps Pyomo names (``x``, ``x[1]``, ``flow[a,b]``) to values."""

    termination: Termination
    objective: float | None = None
    sense: str | None = None
    variables: dict[str, float] = field(default_factory=dict)
    duals: dict[str, float] | None = None
    solver: str = ""
    problem_class: str = ""
    message: str = ""
    solve_time_s: float = 0.0
    wall_time_s: float = 0.0
    log: str = ""
    diagnosis: str | None = None
    # what the caller should know about how the result came about: a solver chosen over another,
    # a fallback after a solver error, a model shape a solver is known to handle badly
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.termination in (Termination.OPTIMAL, Termination.FEASIBLE) and self.objective is not None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["termination"] = self.termination.value
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "SolveResult":
        d = dict(d)
        d["termination"] = Termination(d["termination"])
        return cls(**d)

    def __str__(self) -> str:
        head = f"{self.termination.value}"
        if self.objective is not None:
            head += f", objective {self.objective:.10g}"
        head += f" ({self.solver}, {self.problem_class}, {self.solve_time_s:.3f} s)"
        lines = [head]
        for k, v in list(self.variables.items())[:20]:
            lines.append(f"  {k} = {v:.6g}")
        if len(self.variables) > 20:
            lines.append(f"  ... {len(self.variables) - 20} more")
        if self.diagnosis:
            lines.append(self.diagnosis)
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def to_table(self, max_rows: int = 50) -> Any:
        """A ``rich`` table of the variable values, titled with termination and objective."""
        from rich.markup import escape
        from rich.table import Table

        title = self.termination.value
        if self.objective is not None:
            title += f" - objective {self.objective:.10g} ({self.sense})"
        table = Table(title=title, caption=f"{self.solver} / {self.problem_class}, {self.solve_time_s:.3f} s")
        table.add_column("variable")
        table.add_column("value", justify="right")
        for k, v in list(self.variables.items())[:max_rows]:
            table.add_row(escape(k), f"{v:.6g}")
        if len(self.variables) > max_rows:
            table.add_row("...", f"{len(self.variables) - max_rows} more")
        return table

