"""LLM test doubles. They go through :class:`~optolab.llm.BaseLLM`, so structured replies,
retries, the cache and usage accounting behave exactly as with a real model."""

from __future__ import annotations

import json
import threading
from typing import Any, Callable, Sequence

from optolab.errors import ScriptExhaustedError
from optolab.llm.base import BaseLLM, Messages, Reply


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if hasattr(value, "model_dump_json"):
        return value.model_dump_json()
    return json.dumps(value)


class _Double(BaseLLM):
    def __init__(self, model: str, **options: Any):
        options.setdefault("backoff", 0.0)
        super().__init__(**options)
        self.model = model
        self.calls: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def _reply(self, messages: Messages, text: str) -> Reply:
        prompt = sum(_tokens(str(m.get("content", ""))) for m in messages)
        return Reply(text=text, model=self.model, prompt_tokens=prompt, completion_tokens=_tokens(text))


class ScriptedLLM(_Double):
    """Replays ``replies`` in order. A reply may be text, a dict or pydantic model (sent as JSON),
    a :class:`~optolab.llm.base.Reply` (returned as is), an exception (raised), or a callable ``f(messages) -> reply``. ``repeat_last`` keeps giving
    the last reply; otherwise running out raises :class:`ScriptExhaustedError`. Every call is
    recorded in ``calls`` (``messages`` and ``params``)."""

    def __init__(self, replies: Sequence[Any], *, repeat_last: bool = False, model: str = "scripted", **options: Any):
        super().__init__(model, **options)
        self.replies = list(replies)
        self.repeat_last = repeat_last
        self._next = 0

    @property
    def remaining(self) -> int:
        return max(0, len(self.replies) - self._next)

    def _complete(self, messages: Messages, params: dict[str, Any]) -> Reply:
        with self._lock:
            self.calls.append({"messages": messages, "params": dict(params)})
            if self._next < len(self.replies):
                item = self.replies[self._next]
                self._next += 1
            elif self.repeat_last and self.replies:
                item = self.replies[-1]
            else:
                raise ScriptExhaustedError(
                    f"ScriptedLLM was called {len(self.calls)} times but holds {len(self.replies)} replies; "
                    "add replies or pass repeat_last=True")
        if isinstance(item, BaseException):
            raise item
        if callable(item) and not isinstance(item, type):
            item = item(messages)
        if isinstance(item, Reply):  # a full reply, e.g. one cut off at max_tokens (finish_reason="length")
            return item
        return self._reply(messages, _text(item))


class FunctionLLM(_Double):
    """Computes each reply with ``fn(messages)`` (text, dict or pydantic model), or ``fn(messages, params)``."""

    def __init__(self, fn: Callable[..., Any], *, model: str = "function", **options: Any):
        super().__init__(model, **options)
        self.fn = fn
        try:
            import inspect

            self._wants_params = len(inspect.signature(fn).parameters) >= 2
        except (TypeError, ValueError):
            self._wants_params = False

    def _complete(self, messages: Messages, params: dict[str, Any]) -> Reply:
        with self._lock:
            self.calls.append({"messages": messages, "params": dict(params)})
        out = self.fn(messages, params) if self._wants_params else self.fn(messages)
        return self._reply(messages, _text(out))


class EchoLLM(_Double):
    """Replies with the last user message: handy for checking what a workflow sends."""

    def __init__(self, **options: Any):
        super().__init__("echo", **options)

    def _complete(self, messages: Messages, params: dict[str, Any]) -> Reply:
        with self._lock:
            self.calls.append({"messages": messages, "params": dict(params)})
        last = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
        return self._reply(messages, str(last))
