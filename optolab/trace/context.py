"""Per-context tracing switches.

The switches are :class:`contextvars.ContextVar` objects, so each thread and each asyncio
task sees its own setting: ``no_trace()`` in one task does not stop tracing in another.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from typing import Iterator, Literal

_TRACING: ContextVar[bool] = ContextVar("optolab_tracing", default=True)
_ON_ERROR: ContextVar[str] = ContextVar("optolab_on_error", default="node")

ErrorMode = Literal["node", "raise"]


def is_tracing() -> bool:
    """True when calls to traced operators record graph nodes in the current context."""
    return _TRACING.get()


@contextlib.contextmanager
def no_trace() -> Iterator[None]:
    """Run traced operators without recording a graph (like ``torch.no_grad``).

    Inside the block operators still return :class:`~optolab.trace.Node` objects, but they
    have no parents, so nothing links them to parameters and no graph is kept alive.
    """
    token = _TRACING.set(False)
    try:
        yield
    finally:
        _TRACING.reset(token)


def error_mode() -> str:
    """``"node"`` (exceptions become :class:`ErrorNode`) or ``"raise"``."""
    return _ON_ERROR.get()


@contextlib.contextmanager
def on_error(mode: ErrorMode) -> Iterator[None]:
    """Choose what a failing traced operator does inside the block.

    ``"node"`` (the default) returns an :class:`~optolab.trace.ErrorNode` that records the
    exception so it can be used as feedback; ``"raise"`` raises
    :class:`~optolab.errors.TracedExecutionError` carrying that node.
    """
    if mode not in ("node", "raise"):
        raise ValueError(f"on_error mode must be 'node' or 'raise', got {mode!r}")
    token = _ON_ERROR.set(mode)
    try:
        yield
    finally:
        _ON_ERROR.reset(token)
