"""Token and call accounting, per client and per block of code."""

from __future__ import annotations

import contextlib
import threading
from contextvars import ContextVar
from dataclasses import dataclass, fields
from typing import Iterator


@dataclass(frozen=True)
class UsageSnapshot:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hits: int = 0
    errors: int = 0
    latency_s: float = 0.0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __sub__(self, other: "UsageSnapshot") -> "UsageSnapshot":
        return UsageSnapshot(**{f.name: getattr(self, f.name) - getattr(other, f.name) for f in fields(self)})

    def __add__(self, other: "UsageSnapshot") -> "UsageSnapshot":
        return UsageSnapshot(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


class Usage:
    """Thread-safe counters: ``calls`` counts replies (cache hits included), ``cache_hits`` those from the cache."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._s = UsageSnapshot()

    def add(self, *, calls: int = 0, prompt_tokens: int = 0, completion_tokens: int = 0, cache_hits: int = 0,
            errors: int = 0, latency_s: float = 0.0) -> None:
        delta = UsageSnapshot(calls, prompt_tokens, completion_tokens, cache_hits, errors, latency_s)
        with self._lock:
            self._s = self._s + delta
        for tracker in _TRACKERS.get():
            tracker._add(delta)

    def snapshot(self) -> UsageSnapshot:
        with self._lock:
            return self._s

    def since(self, snapshot: UsageSnapshot) -> UsageSnapshot:
        return self.snapshot() - snapshot

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.snapshot(), name)

    def __repr__(self) -> str:
        s = self.snapshot()
        return (f"Usage(calls={s.calls}, prompt_tokens={s.prompt_tokens}, completion_tokens={s.completion_tokens}, "
                f"cache_hits={s.cache_hits}, errors={s.errors}, latency_s={s.latency_s:.2f})")


class Tracker:
    """Collects the usage of calls made inside a ``track()`` block, whatever client makes them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.usage = UsageSnapshot()

    def _add(self, delta: UsageSnapshot) -> None:
        with self._lock:
            self.usage = self.usage + delta

    def __getattr__(self, name: str):
        if name.startswith("_") or name == "usage":
            raise AttributeError(name)
        return getattr(self.usage, name)


_TRACKERS: ContextVar[tuple[Tracker, ...]] = ContextVar("optolab_usage_trackers", default=())


@contextlib.contextmanager
def track() -> Iterator[Tracker]:
    """``with track() as t:`` ... ``t.prompt_tokens``: usage of the calls made in this context only.

    Trackers follow context variables, so concurrent asyncio tasks and threads do not mix their counts;
    nested blocks each see the calls made inside them.
    """
    tracker = Tracker()
    token = _TRACKERS.set(_TRACKERS.get() + (tracker,))
    try:
        yield tracker
    finally:
        _TRACKERS.reset(token)
