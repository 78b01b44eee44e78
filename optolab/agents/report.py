"""Terminal report of a :class:`~optolab.agents.solution.Solution` for people."""

from __future__ import annotations

from typing import Any

from optolab.agents.solution import Solution


def render(solution: Solution, console: Any = None, *, show_code: bool = True, max_values: int = 40) -> None:
    from rich.console import Console
    from rich.panel import Panel
    from rich.syntax import Syntax
    from rich.table import Table

    console = console or Console()
    color = "green" if solution.ok else "red"
    console.print(Panel(solution.explanation or solution.status, title=f"[bold {color}]{solution.status}[/]",
                        expand=False))
    f = solution.formulation
    if f:
        table = Table(title="Decision variables", show_lines=False)
        for col in ("name", "type", "bounds", "index", "meaning"):
            table.add_column(col)
        for v in f.get("variables", []):
            lo = "-inf" if v.get("lower") is None else f"{v['lower']:g}"
            hi = "inf" if v.get("upper") is None else f"{v['upper']:g}"
            table.add_row(v["name"], v["type"], "" if v["type"] == "binary" else f"[{lo}, {hi}]",
                          ", ".join(v.get("index") or []), v.get("description", ""))
        console.print(table)
        obj = f.get("objective", {})
        cons = Table(title="Objective and constraints")
        cons.add_column("name")
        cons.add_column("expression")
        cons.add_column("for each")
        cons.add_row(f"[bold]{obj.get('sense', '')}[/]", obj.get("expression", ""), "")
        for c in f.get("constraints", []):
            cons.add_row(c.get("name", ""), c.get("expression", ""), c.get("for_each") or "")
        console.print(cons)
    if show_code and solution.code:
        console.print(Panel(Syntax(solution.code, "python", line_numbers=True, word_wrap=True), title="Pyomo model"))
    if solution.ok:
        values = Table(title=f"Solution (objective = {solution.objective:.10g})")
        values.add_column("variable")
        values.add_column("value", justify="right")
        shown = 0
        for name, value in solution.values.items():
            if abs(value) < 1e-9 and len(solution.values) > 12:
                continue  # large models: show the non-zero values
            values.add_row(name, f"{value:.6g}")
            shown += 1
            if shown >= max_values:
                values.add_row("...", f"{len(solution.values) - shown} more")
                break
        console.print(values)
    tokens = solution.prompt_tokens + solution.completion_tokens
    console.print(f"[dim]{solution.strategy} strategy, {len(solution.attempts)} attempt(s), {solution.seconds:.1f} s "
                  f"({solution.llm_seconds:.1f} s in the LLM), {solution.llm_calls} LLM call(s), {tokens} tokens[/]")
