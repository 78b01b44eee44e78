"""Writing an instance as a Formulation dict, the structured model the modeling agent answers with.

The dicts follow :class:`optolab.agents.formulation.Formulation` field by field (requirements, sets,
parameters, variables, objective, constraints) and are plain JSON: set elements are strings or
integers, dict keys are strings (integer labels are written as digit strings, which the Formulation
reads back as integers), and every field of a variable and a constraint is written out, so that a
model fine-tuned on these records learns one complete shape.
"""

from __future__ import annotations

import copy
from typing import Any, Mapping, Sequence

from optolab.synth.generators.render import num

LISTED = 6  # a mapping with more entries than this is named in the requirements, not spelled out


def variable(name: str, description: str, *, index: Sequence[str] = (), type: str = "continuous",
             lower: float | None = 0, upper: float | None = None) -> dict:
    """One entry of ``variables``; a binary variable gets the bounds 0 and 1."""
    if type not in ("continuous", "integer", "binary"):
        raise ValueError(f"variable {name!r}: type must be continuous, integer or binary, got {type!r}")
    if type == "binary":
        lower, upper = 0, 1
    return {"name": name, "description": description, "type": type, "lower": lower, "upper": upper,
            "index": list(index)}


def constraint(name: str, expression: str, description: str, for_each: str | None = None) -> dict:
    """One entry of ``constraints``; ``for_each`` ("i in items, j in sites") repeats it."""
    return {"name": name, "expression": expression, "for_each": for_each, "description": description}


def formulation(requirements: Sequence[str], sets: Mapping[str, list], parameters: Mapping[str, Any],
                variables: Sequence[dict], sense: str, objective: str, objective_description: str,
                constraints: Sequence[dict]) -> dict:
    """The Formulation dict, fields in the order the agent writes them (requirements first)."""
    if sense not in ("minimize", "maximize"):
        raise ValueError(f"sense must be 'minimize' or 'maximize', got {sense!r}")
    return {"requirements": list(requirements),
            "sets": copy.deepcopy(dict(sets)),
            "parameters": copy.deepcopy(dict(parameters)),
            "variables": [dict(v) for v in variables],
            "objective": {"sense": sense, "expression": objective, "description": objective_description},
            "constraints": [dict(c) for c in constraints]}


def keyed(values: Sequence[Any], labels: Sequence[Any]) -> dict[str, Any]:
    """A list given in the order of ``labels`` as a dict keyed by the labels (as JSON keys: strings)."""
    if len(values) != len(labels):
        raise ValueError(f"{len(values)} values for {len(labels)} labels")
    return {str(k): v for k, v in zip(labels, values)}


def pairs(mapping: Mapping[Any, Any], unit: str = "", *, name: str = "", prefix: str = "") -> str:
    """``tent 7 kg, stove 3 kg`` (``prefix`` "$": ``tent $7``) for a short mapping; ``as listed in <name>``
    for one with more than :data:`LISTED` entries when ``name`` is given."""
    if len(mapping) > LISTED and name:
        return f"as listed in {name}"
    suffix = unit if unit.startswith("%") else f" {unit}" if unit else ""
    return ", ".join(f"{k} {prefix}{num(v) if isinstance(v, (int, float)) else v}{suffix}"
                     for k, v in mapping.items())
