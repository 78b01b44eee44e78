"""Shared pieces of the synthesis pipeline tests: a tiny instance generator and scripted models that answer
each prompt of the pipelines (told apart by their wording)."""

from __future__ import annotations

import re
from typing import Any, Callable

from optolab.agents import Solution
from optolab.synth.generators.base import Generator
from optolab.testing import FunctionLLM


class Desks(Generator):
    """Desks and shelves: maximize 70 d + 30 s subject to 4 d + 2 s <= H, d <= 8 (integers); H depends on the seed."""

    name = "desks"
    problem_class = "MILP"
    description = "a workshop's desks and shelves"
    sense = "maximize"
    complexity_range = (1, 3)

    def sample(self, rng, complexity):
        return {"desk_profit": 70, "shelf_profit": 30, "desk_hours": 4, "shelf_hours": 2,
                "hours_available": rng.choice([40, 44, 48]) + 10 * (complexity - 1), "max_desks": 8}

    def facts(self, d):
        return (f"A workshop makes desks and shelves. A desk earns ${d['desk_profit']} and needs {d['desk_hours']} "
                f"hours; a shelf earns ${d['shelf_profit']} and needs {d['shelf_hours']} hours. "
                f"{d['hours_available']} hours are available and at most {d['max_desks']} desks can be sold. "
                "Goal: maximize profit.")

    def code(self, d):
        return ("import pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\n"
                "model.d = pyo.Var(domain=pyo.NonNegativeIntegers)\n"
                "model.s = pyo.Var(domain=pyo.NonNegativeIntegers)\n"
                f"model.obj = pyo.Objective(expr={d['desk_profit']}*model.d + {d['shelf_profit']}*model.s, "
                "sense=pyo.maximize)\n"
                f"model.h = pyo.Constraint(expr={d['desk_hours']}*model.d + {d['shelf_hours']}*model.s <= "
                f"{d['hours_available']})\n"
                f"model.m = pyo.Constraint(expr=model.d <= {d['max_desks']})\n")

    def formulation(self, d):
        return desks_formulation(d["hours_available"])


def desks_formulation(hours: int, desk_profit: int = 70) -> dict:
    return {"variables": [{"name": "desks", "type": "integer", "description": "desks made"},
                          {"name": "shelves", "type": "integer", "description": "shelves made"}],
            "objective": {"sense": "maximize", "expression": f"{desk_profit}*desks + 30*shelves"},
            "constraints": [{"name": "hours", "expression": f"4*desks + 2*shelves <= {hours}"},
                            {"name": "desk_sales", "expression": "desks <= 8"}]}


def desks_code(hours: int, desk_profit: int = 70) -> str:
    return ("import pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\n"
            "model.desks = pyo.Var(domain=pyo.NonNegativeIntegers)\n"
            "model.shelves = pyo.Var(domain=pyo.NonNegativeIntegers)\n"
            f"model.profit = pyo.Objective(expr={desk_profit} * model.desks + 30 * model.shelves, sense=pyo.maximize)\n"
            f"model.hours = pyo.Constraint(expr=4 * model.desks + 2 * model.shelves <= {hours})\n"
            "model.desk_sales = pyo.Constraint(expr=model.desks <= 8)\n")


def desks_optimum(hours: int) -> float:
    return 8 * 70 + 30 * ((hours - 32) // 2)


def role(messages: list[dict]) -> str:
    """Which prompt a request is: backtranslate, refine, critic, formulate, scenario, question, question_table."""
    text = messages[-1]["content"]
    if messages[0]["role"] == "system" and "operations research expert" in messages[0]["content"]:
        return "formulate"
    for marker, name in (("Rewrite the plain statement", "backtranslate"),
                         ("Write the plain statement below as the text", "backtranslate"),  # with data tables
                         ("A reviewer found problems", "refine"),
                         ("You check a word problem", "critic"), ("Example scenarios:", "scenario"),
                         ("shows its data in a table", "question_table"), ("Turn the scenario below", "question")):
        if marker in text:
            return name
    raise AssertionError(f"unexpected request: {text[:200]}")


def section(prompt: str, title: str) -> str:
    """The text after ``title:`` up to the next blank-line-separated title of a prompt."""
    tail = prompt.split(f"{title}:\n", 1)[1]
    return re.split(r"\n\n[A-Z][\w ]+:\n", tail, maxsplit=1)[0]


def hours_in(question: str) -> int:
    return int(re.search(r"(\d+) hours are available", question).group(1))


def forward_llm(*, critic: Callable[[str, int], dict] | None = None, write: Callable[[str], str] | None = None,
                desk_profit: int = 70, log: list | None = None) -> FunctionLLM:
    """A model for the forward pipeline on :class:`Desks`: it writes the facts into a story (``write`` changes
    that), the critic accepts (or ``critic(question, call_number)`` decides), and the agent's formulation uses
    the hours of the question and ``desk_profit``."""
    calls = {"critic": 0}

    def fn(messages):
        kind = role(messages)
        if log is not None:
            log.append(kind)
        prompt = messages[-1]["content"]
        if kind == "backtranslate":
            facts = section(prompt, "Statement")
            return write(facts) if write else f"Carla runs a furniture workshop. {facts} What should she make?"
        if kind == "refine":
            facts = section(prompt, "Statement")
            return f"Carla, a carpenter, plans her week. {facts} How many desks and shelves should she make?"
        if kind == "critic":
            calls["critic"] += 1
            if critic is None:
                return {"ok": True, "problems": []}
            return critic(section(prompt, "Word problem to check"), calls["critic"])
        if kind == "formulate" and "writes Pyomo models" in messages[0]["content"]:  # the program strategy
            return "```python\n" + desks_code(hours_in(prompt), desk_profit) + "```"
        if kind == "formulate":
            return desks_formulation(hours_in(prompt), desk_profit)
        raise AssertionError(kind)

    return FunctionLLM(fn)


class FakeAgent:
    """Answers like the modeling agent without a model: the optimum of the desks problem in the question."""

    def __init__(self, *, wrong_by: float = 0.0):
        self.wrong_by = wrong_by
        self.questions: list[str] = []

    def solve(self, text: str) -> Solution:
        self.questions.append(text)
        hours = hours_in(text)
        return Solution(question=text, status="optimal", objective=desks_optimum(hours) + self.wrong_by,
                        sense="maximize", values={"desks": 8.0}, formulation=desks_formulation(hours),
                        code="# code", math="maximize ...")


SCENARIO = """## Define Variables:
A pottery studio makes mugs and bowls each week and decides how many of each to make.
// {"number of mugs": "m", "range": "m >= 0", "type": "integer"}
// {"number of bowls": "b", "range": "b >= 0", "type": "integer"}

## Define Objective Function:
A mug earns $9 and a bowl earns $14. The studio wants the largest profit.
// Maximize 9m + 14b

## Generate Constraint-1:
A mug needs 1 kg of clay and a bowl needs 2 kg; 90 kg of clay arrive each week.
// m + 2b <= 90

## Generate Constraint-2:
The kiln fires at most 60 pieces a week.
// m + b <= 60"""
QUESTION = ("A pottery studio makes mugs and bowls. A mug earns $9 and a bowl $14. A mug needs 1 kg of clay, a bowl "
            "2 kg; 90 kg of clay arrive each week. The kiln fires at most 60 pieces a week. How many of each should "
            "it make to maximize profit?")
TABLE_QUESTION = ("A pottery studio makes mugs and bowls.\n\n| item | profit ($) | clay (kg) |\n|---|---|---|\n"
                  "| mug | 9 | 1 |\n| bowl | 14 | 2 |\n\n90 kg of clay arrive each week and the kiln fires at most 60 "
                  "pieces a week. How many of each should it make to maximize profit?")
POTTERY = {"variables": [{"name": "mugs", "type": "integer"}, {"name": "bowls", "type": "integer"}],
           "objective": {"sense": "maximize", "expression": "9*mugs + 14*bowls"},
           "constraints": [{"name": "clay", "expression": "mugs + 2*bowls <= 90"},
                           {"name": "kiln", "expression": "mugs + bowls <= 60"}]}  # optimum 30 mugs, 30 bowls: 690


def reverse_llm(scenarios: list[str] | None = None, *, question: str = QUESTION, table: str = TABLE_QUESTION,
                formulation: Callable[[str], Any] | None = None, log: list | None = None) -> FunctionLLM:
    """A model for the reverse pipeline: scenario requests get ``scenarios`` in turn (the last one repeats)."""
    queue = list(scenarios or [SCENARIO])
    state = {"n": 0}

    def fn(messages):
        kind = role(messages)
        if log is not None:
            log.append(kind)
        if kind == "scenario":
            text = queue[min(state["n"], len(queue) - 1)]
            state["n"] += 1
            return text
        if kind == "question":
            return question
        if kind == "question_table":
            return table
        if kind == "formulate":
            return formulation(messages[-1]["content"]) if formulation else POTTERY
        raise AssertionError(kind)

    return FunctionLLM(fn)


def make_reverse_llm() -> FunctionLLM:
    """For ``--llm FILE.py:NAME`` in CLI tests."""
    return reverse_llm()
