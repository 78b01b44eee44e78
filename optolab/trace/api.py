"""``trace.node``: the one entry point that makes values, parameters and operators."""

from __future__ import annotations

import inspect
from typing import Any, Callable

from optolab.errors import TraceError
from optolab.trace.nodes import Node, Parameter
from optolab.trace.operators import BackwardRule, Operator

_MISSING: Any = object()


def _is_function(value: Any) -> bool:
    return inspect.isfunction(value) or inspect.ismethod(value) or inspect.isbuiltin(value)


def node(
    value: Any = _MISSING,
    *,
    trainable: bool = False,
    name: str | None = None,
    description: str | None = None,
    constraint: str | None = None,
    validator: Callable[[Any], Any] | None = None,
    on_error: str | None = None,
    backward: BackwardRule | None = None,
) -> Any:
    """Make a node, a parameter or a traced operator.

    - ``trace.node(value)``: a constant node holding ``value``.
    - ``trace.node(value, trainable=True, name=..., description=..., constraint=...)``: a
      :class:`Parameter` that optimizers update. ``constraint`` is shown to the optimizer;
      ``validator(value)`` may convert a proposal or reject it (raise, or return False).
    - ``@trace.node`` / ``@trace.node(trainable=True, description=...)`` on a function: a traced
      :class:`Operator`; with ``trainable=True`` its code is a parameter. ``on_error="raise"``
      makes failures raise instead of returning an :class:`ErrorNode`; ``backward=rule`` sets
      how feedback is split between its inputs.

    A function passed as ``value`` is always made an operator; to hold a function as data use
    ``trace.Node(fn)`` or ``trace.Parameter(fn)``. A node passed as ``value`` is returned as is.
    """
    if value is _MISSING:
        def decorate(fn: Callable) -> Operator:
            return Operator(fn, name=name, description=description, trainable=trainable, on_error=on_error,
                            backward=backward, constraint=constraint)

        return decorate
    if _is_function(value):
        return Operator(value, name=name, description=description, trainable=trainable, on_error=on_error,
                        backward=backward, constraint=constraint)
    if isinstance(value, Node):
        if trainable and not value.trainable:
            raise TraceError(
                f"{value.label!r} is already a non-trainable node; make the parameter from the plain value: "
                "trace.node(value, trainable=True)"
            )
        return value
    if on_error is not None or backward is not None:
        raise TraceError("on_error= and backward= apply to operators (@trace.node on a function), not to values")
    if trainable:
        return Parameter(value, name=name, description=description or "", constraint=constraint, validator=validator)
    if constraint is not None or validator is not None:
        raise TraceError("constraint= and validator= apply to trainable values; add trainable=True")
    return Node(value, name=name, description=description or "")


bundle = node
"""Alias of :func:`node`, for readers who know Trace's ``bundle``."""
