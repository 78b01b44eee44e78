"""optolab: trace and optimize LLM-driven workflows; model and solve optimization problems.

Subpackages are imported on first use (``from optolab import trace``); importing
``optolab`` itself does no work and touches no network.
"""

from importlib import import_module as _import_module

__version__ = "0.1.0"

_SUBPACKAGES = {"trace", "llm", "solvers", "agents", "datasets", "evals", "testing", "models", "errors"}


def __getattr__(name: str):
    if name in _SUBPACKAGES:
        return _import_module(f"optolab.{name}")
    raise AttributeError(f"module 'optolab' has no attribute {name!r}")


__all__ = ["__version__", *sorted(_SUBPACKAGES)]
