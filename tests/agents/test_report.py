"""The terminal report of a solution: status, formulation tables, code, values and costs."""

import io

from rich.console import Console

from optolab.agents.report import render
from optolab.agents.solution import Attempt, Solution


def text_of(solution: Solution, **kw) -> str:
    console = Console(file=io.StringIO(), width=140, force_terminal=False)
    render(solution, console, **kw)
    return console.file.getvalue()


def test_report_of_a_formulation_answer_shows_tables_code_and_values():
    s = Solution(question="q", status="optimal", objective=680.0, sense="maximize",
                 values={"desks": 8.0, "shelves": 4.0}, explanation="Solved to optimal: the maximum is 680.",
                 formulation={"variables": [{"name": "desks", "type": "integer", "lower": 0, "upper": None,
                                             "description": "desks made"}],
                              "objective": {"sense": "maximize", "expression": "70*desks"},
                              "constraints": [{"name": "hours", "expression": "4*desks <= 40"}]},
                 code="model = 1\n", attempts=[Attempt(None, None, "optimal")], seconds=2.0, llm_seconds=1.5)
    out = text_of(s)
    for part in ("the maximum is 680", "Decision variables", "desks made", "[0, inf]", "4*desks <= 40",
                 "Pyomo model", "Solution (", "formulation strategy, 1 attempt(s), 2.0 s"):
        assert part in out, part


def test_report_of_a_program_answer_and_of_a_failure():
    s = Solution(question="q", status="optimal", objective=5.0, values={"x": 5.0}, code="model = 1\n",
                 strategy="program", explanation="Solved.")
    out = text_of(s, show_code=False)
    assert "Decision variables" not in out and "Pyomo model" not in out and "program strategy" in out
    failed = text_of(Solution(question="q", status="no_model", explanation="No working model after 3 attempts."))
    assert "no_model" in failed and "No working model" in failed and "Solution (" not in failed
