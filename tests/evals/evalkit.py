"""Small inline benchmarks for the evaluation tests: workshop problems, their formulations, a function LLM.

Every question is the same two-product workshop with its own name; what the function LLM replies for
a question decides the outcome (right, wrong, infeasible, unbounded, failing code, no JSON, server error).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from optolab.errors import LLMError
from optolab.testing import FunctionLLM

GOOD = {
    "variables": [{"name": "desks", "type": "integer", "description": "desks made"},
                  {"name": "shelves", "type": "integer", "description": "shelves made"}],
    "objective": {"sense": "maximize", "expression": "70*desks + 30*shelves"},
    "constraints": [{"name": "hours", "expression": "4*desks + 2*shelves <= 40"},
                    {"name": "desk_sales", "expression": "desks <= 8"}],
}  # optimum: 8 desks, 4 shelves -> 680


def question(name: str) -> str:
    return (f"The {name} workshop makes desks and shelves. A desk needs 4 hours of work and earns $70; a shelf "
            "needs 2 hours and earns $30. There are 40 hours of work, and at most 8 desks can be sold. How many "
            "of each should be made to maximize profit?")


def variant(**changes: Any) -> dict:
    form = copy.deepcopy(GOOD)
    if "extra" in changes:
        form["constraints"].append(changes["extra"])
    if "constraints" in changes:
        form["constraints"] = changes["constraints"]
    return form


INFEASIBLE = variant(extra={"name": "min_desks", "expression": "desks >= 12"})
UNBOUNDED = variant(constraints=[{"name": "desk_sales", "expression": "desks <= 8"}])
for _v in UNBOUNDED["variables"]:  # an LP: the solver tells unbounded from infeasible
    _v["type"] = "continuous"
FAILS = variant(constraints=[{"name": "hours", "expression": "4*desks + 2*shelves <= 40"},
                             {"name": "desk_sales", "expression": "desks <= 8 / 0"}])
NOT_JSON = "I would make some desks and some shelves."
SERVER_DOWN = LLMError("openai/x: APIConnectionError: connection refused")

# name -> (label written in the file, reply); labels: a number, None (no optimum), "" (missing), text (malformed)
CASES: dict[str, tuple[Any, Any]] = {
    "Alder": (680, GOOD),                    # correct
    "Birch": (700, GOOD),                    # wrong_value (only the 5 % rule accepts 680 for 700)
    "Cedar": (680, INFEASIBLE),              # infeasible
    "Dune": (680, UNBOUNDED),                # unbounded
    "Ember": (680, FAILS),                   # runtime_error
    "Fjord": (680, NOT_JSON),                # no_model
    "Grove": (680, SERVER_DOWN),             # llm_error
    "Heath": (None, INFEASIBLE),             # no-optimum label, answered infeasible: correct
    "Iris": (None, GOOD),                    # no-optimum label, answered with an optimum: wrong_value
    "Juniper": ("", GOOD),                   # missing label: no_ground_truth
    "Kestrel": ("about 680", GOOD),          # malformed label: no_ground_truth
}


def record(name: str, label: Any, tags: list[str] | None = None) -> dict:
    row: dict[str, Any] = {"id": name.lower(), "question": question(name),
                           "tags": tags if tags is not None else ["linear", "notable"]}
    if label is None:
        row.update(objective=None, status="infeasible")
    else:
        row["objective"] = label
    return row


def write_bench(path: Path, names: list[str], labels: dict[str, Any] | None = None) -> Path:
    labels = labels or {}
    rows = [record(n, labels.get(n, CASES[n][0] if n in CASES else 680)) for n in names]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def asked_question(messages: list[dict]) -> str:
    for m in reversed(messages):
        if m["role"] == "user" and m["content"].startswith("Problem:\n"):
            return m["content"].split("Problem:\n", 1)[1].strip()
    raise AssertionError("no problem in the messages")


def workshop_llm(replies: dict[str, Any] | None = None, asked: list[str] | None = None, **options: Any) -> FunctionLLM:
    """Replies by workshop name: ``replies`` overrides :data:`CASES`; ``asked`` collects the names asked."""
    table = {name: reply for name, (_, reply) in CASES.items()}
    table.update(replies or {})

    def reply(messages):
        q = asked_question(messages)
        name = q.split()[1]
        if asked is not None:
            asked.append(name)
        out = table.get(name, GOOD)
        if isinstance(out, BaseException):
            raise out
        return out

    return FunctionLLM(reply, model=options.pop("model", "workshop"), max_retries=0, **options)
