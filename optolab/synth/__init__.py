"""Synthetic training data for optimization modeling.

``optolab.synth.generators``: parametrised instance generators (forward synthesis): each samples a
feasible, bounded problem of one family, states it in plain English (``facts``), writes its Pyomo
model (``code``) and records the solved optimum. See that module for the interface.

Names are imported lazily, so ``import optolab.synth`` loads nothing heavy. The registry is
``optolab.synth.generators.generators()`` (``optolab.synth.generators`` itself is the subpackage).
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> module that defines it
_LAZY = {
    "Generator": "optolab.synth.generators.base",
    "GeneratorError": "optolab.synth.generators.base",
    "Instance": "optolab.synth.generators.base",
    "generate": "optolab.synth.generators.base",
    "get_generator": "optolab.synth.generators.base",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'optolab.synth' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
