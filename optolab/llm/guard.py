"""The switch that forbids real model calls (used by tests; see :mod:`optolab.testing`)."""

from __future__ import annotations

import contextlib
import os
from contextvars import ContextVar
from typing import Any

_FORBID: ContextVar[bool | None] = ContextVar("optolab_forbid_real_llm", default=None)
ENV_VAR = "OPTOLAB_FORBID_REAL_LLM"


def real_calls_forbidden() -> bool:
    """True inside ``forbid_real_llm_calls()`` or when ``OPTOLAB_FORBID_REAL_LLM=1`` (a context setting wins)."""
    value = _FORBID.get()
    if value is not None:
        return value
    return os.environ.get(ENV_VAR, "").strip().lower() in ("1", "true", "yes")


class _Switch(contextlib.ContextDecorator):
    def __init__(self, forbid: bool):
        self.forbid = forbid
        self._tokens: list = []

    def __enter__(self) -> "_Switch":
        self._tokens.append(_FORBID.set(self.forbid))
        return self

    def __exit__(self, *exc: Any) -> None:
        _FORBID.reset(self._tokens.pop())


def forbid_real_llm_calls() -> _Switch:
    """Context manager and decorator: real ``LLM`` calls raise ``RealLLMCallForbidden`` inside it."""
    return _Switch(True)


def allow_real_llm_calls() -> _Switch:
    """The opposite switch, for end-to-end tests inside a forbidding context."""
    return _Switch(False)
