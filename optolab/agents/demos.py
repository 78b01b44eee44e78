"""Bootstrapped demos: worked examples the agent earned itself.

A demo is a question the agent solved to the labelled optimum, kept with the code it wrote (after
the library's tidy step), as a JSON object ``{"id", "question", "code", "objective"}`` (optionally
``tags``). The agent holds them in its ``demos`` parameter, which is saved with its state
(:meth:`optolab.trace.Module.save`), so a trained state carries the demos it was selected with;
retrieval searches them together with the built-in bank. The idea is DSPy's bootstrapped few-shot
demonstrations (Khattab et al., "DSPy: Compiling Declarative Language Model Calls into
Self-Improving Pipelines", 2023) applied to the program strategy's worked examples.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from optolab.errors import ParameterUpdateError
from optolab.agents.retrieval import Example, example_from_dict

DEMO_PREFIX = "demo:"


def check_demos(value: Any) -> list[dict[str, Any]]:
    """The validator of the ``demos`` parameter: a list of demo objects, each usable as an example."""
    if not isinstance(value, list):
        raise ParameterUpdateError(f"demos must be a list of objects, got {type(value).__name__}")
    seen = set()
    for i, d in enumerate(value):
        if not isinstance(d, dict) or not isinstance(d.get("code"), str):
            raise ParameterUpdateError(f"demo {i} must be an object with 'id', 'question' and 'code'")
        try:
            example_from_dict(d)
        except (KeyError, TypeError, ValueError) as exc:
            raise ParameterUpdateError(f"demo {i} is not a worked example: {exc}") from None
        if d["id"] in seen:
            raise ParameterUpdateError(f"demo id {d['id']!r} appears twice; ids must be unique")
        seen.add(d["id"])
    return value


def demo_examples(demos: list[dict[str, Any]]) -> list[Example]:
    """The demos as examples for retrieval; ids get the ``demo:`` prefix so they never clash with the bank's."""
    return [replace(ex, id=DEMO_PREFIX + ex.id, formulation={}) for ex in map(example_from_dict, demos)]
