"""What every model client shares: chat, structured replies, retries, concurrency, cache, usage.

A client implements ``_complete(messages, params) -> Reply`` (and optionally ``_acomplete``);
:class:`BaseLLM` adds the rest, so the real client and the test doubles in
:mod:`optolab.testing` behave the same way.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence, TypeVar

from pydantic import BaseModel, ValidationError

from optolab.errors import LLMError, StructuredOutputError, TransientLLMError
from optolab.llm.cache import DiskCache, request_key
from optolab.llm.jsonrepair import extract_json
from optolab.llm.schema import FIELD_ORDERS
from optolab.llm.usage import Usage, track

T = TypeVar("T", bound=BaseModel)
Messages = list[dict[str, Any]]


@dataclass
class Reply:
    text: str
    model: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    cached: bool = False
    raw: dict | None = None
    finish_reason: str | None = None  # "stop", "length" (cut at max_tokens), ...

    @property
    def truncated(self) -> bool:
        return self.finish_reason == "length"


def normalize_messages(messages: str | Sequence[dict], system: str | None = None) -> Messages:
    if isinstance(messages, str):
        msgs: Messages = [{"role": "user", "content": messages}]
    else:
        msgs = [dict(m) for m in messages]
        for i, m in enumerate(msgs):
            if not isinstance(m, dict) or "role" not in m or "content" not in m:
                raise LLMError(f"message {i} must be a dict with 'role' and 'content', got {m!r:.80}")
    if system is not None:
        msgs = [{"role": "system", "content": system}] + msgs
    return msgs


def _schema_hint(schema: type[BaseModel]) -> str:
    return json.dumps(schema.model_json_schema(), separators=(",", ":"))


class BaseLLM:
    """Base class of model clients. Options:

    ``temperature``, ``max_tokens``: defaults for every call (a call may override them).
    ``max_retries``, ``backoff``: retries with exponential backoff and jitter on transient errors.
    ``timeout``: seconds per request. ``max_concurrency``: requests in flight at once (threads and tasks).
    ``cache``: ``True`` (user cache dir), a path, a :class:`DiskCache`, or ``False``.
    """

    model: str = "base"

    def __init__(
        self,
        *,
        temperature: float = 0.0,
        max_tokens: int = 1024,
        max_retries: int = 3,
        backoff: float = 0.5,
        timeout: float = 120.0,
        max_concurrency: int = 4,
        cache: bool | str | Path | DiskCache | None = False,
    ):
        self.defaults = {"temperature": temperature, "max_tokens": max_tokens}
        self.max_retries = max_retries
        self.backoff = backoff
        self.timeout = timeout
        self.max_concurrency = max(1, int(max_concurrency))
        self.cache = _make_cache(cache)
        self.usage = Usage()
        self._sync_slots = threading.BoundedSemaphore(self.max_concurrency)
        self._async_slots: dict[int, asyncio.Semaphore] = {}

    # --- to implement -------------------------------------------------------------------
    def _complete(self, messages: Messages, params: dict[str, Any]) -> Reply:
        raise NotImplementedError

    async def _acomplete(self, messages: Messages, params: dict[str, Any]) -> Reply:
        return await asyncio.to_thread(self._complete, messages, params)

    def _response_format(self, schema: type[BaseModel], field_order: str = "any") -> dict | None:
        """The ``response_format`` that makes the backend follow ``schema``, or None if it cannot
        (``field_order``: see :mod:`optolab.llm.schema`)."""
        return None

    def _is_transient(self, exc: BaseException) -> bool:
        return isinstance(exc, (TransientLLMError, TimeoutError, ConnectionError))

    # --- chat ---------------------------------------------------------------------------
    def _prepare(self, messages, system, params) -> tuple[Messages, dict[str, Any], str | None]:
        msgs = normalize_messages(messages, system)
        p = {**self.defaults, **{k: v for k, v in params.items() if v is not None}}
        key = request_key(self.model, msgs, p) if self.cache is not None else None
        return msgs, p, key

    def _from_cache(self, key: str | None) -> Reply | None:
        if key is None:
            return None
        entry = self.cache.get(key)
        if entry is None:
            return None
        self.usage.add(calls=1, cache_hits=1)
        return Reply(text=entry["text"], model=entry.get("model", self.model),
                     prompt_tokens=entry.get("prompt_tokens", 0), completion_tokens=entry.get("completion_tokens", 0),
                     cached=True, finish_reason=entry.get("finish_reason"))

    def _record(self, reply: Reply, key: str | None) -> Reply:
        self.usage.add(calls=1, prompt_tokens=reply.prompt_tokens, completion_tokens=reply.completion_tokens,
                       latency_s=reply.latency_s)
        if key is not None:
            self.cache.put(key, {"text": reply.text, "model": reply.model, "prompt_tokens": reply.prompt_tokens,
                                 "completion_tokens": reply.completion_tokens, "finish_reason": reply.finish_reason,
                                 "created": time.time()})
        return reply

    def _give_up_unless_transient(self, exc: Exception, attempt: int) -> None:
        """Raise (as an :class:`LLMError`) unless ``exc`` is transient and retries are left."""
        if self._is_transient(exc) and attempt < self.max_retries:
            return
        self.usage.add(errors=1)
        if isinstance(exc, LLMError):
            raise exc
        raise LLMError(f"{self.model}: {type(exc).__name__}: {exc}") from exc

    def _delay(self, attempt: int) -> float:
        return self.backoff * (2 ** attempt) * (0.5 + random.random())

    def chat(self, messages: str | Sequence[dict], *, system: str | None = None, **params: Any) -> Reply:
        """One reply. Retries transient failures; raises :class:`LLMError` when it gives up."""
        msgs, p, key = self._prepare(messages, system, params)
        hit = self._from_cache(key)
        if hit is not None:
            return hit
        attempt = 0
        while True:
            t0 = time.perf_counter()
            try:
                with self._sync_slots:
                    reply = self._complete(msgs, p)
                reply.latency_s = reply.latency_s or time.perf_counter() - t0
                return self._record(reply, key)
            except Exception as exc:
                self._give_up_unless_transient(exc, attempt)
                time.sleep(self._delay(attempt))
                attempt += 1

    async def achat(self, messages: str | Sequence[dict], *, system: str | None = None, **params: Any) -> Reply:
        msgs, p, key = self._prepare(messages, system, params)
        hit = self._from_cache(key)
        if hit is not None:
            return hit
        loop_id = id(asyncio.get_running_loop())
        slots = self._async_slots.setdefault(loop_id, asyncio.Semaphore(self.max_concurrency))
        attempt = 0
        while True:
            t0 = time.perf_counter()
            try:
                async with slots:
                    reply = await self._acomplete(msgs, p)
                reply.latency_s = reply.latency_s or time.perf_counter() - t0
                return self._record(reply, key)
            except Exception as exc:
                self._give_up_unless_transient(exc, attempt)
                await asyncio.sleep(self._delay(attempt))
                attempt += 1

    def complete(self, prompt: str, *, system: str | None = None, **params: Any) -> str:
        """The reply text to one user message."""
        return self.chat(prompt, system=system, **params).text

    # --- structured ---------------------------------------------------------------------
    def _structured_start(self, messages, schema, system, params,
                          field_order: str = "any") -> tuple[Messages, dict[str, Any]]:
        if field_order not in FIELD_ORDERS:
            raise ValueError(f"field_order={field_order!r}: choose one of {', '.join(FIELD_ORDERS)}")
        msgs = normalize_messages(messages, system)
        fmt = self._response_format(schema, field_order)
        p = dict(params)
        if fmt is not None:
            p["response_format"] = fmt
        enforced = fmt is not None and ("schema" in fmt or "json_schema" in fmt)
        if not enforced:  # the backend will not hold the model to the schema: show it
            hint = f"Reply with one JSON object that follows this JSON schema:\n{_schema_hint(schema)}"
            if msgs and msgs[0]["role"] == "system":
                msgs[0] = {"role": "system", "content": f"{msgs[0]['content']}\n\n{hint}"}
            else:
                msgs.insert(0, {"role": "system", "content": hint})
        return msgs, p

    @staticmethod
    def _parse(text: str, schema: type[T]) -> T:
        data = extract_json(text)
        return schema.model_validate(data)

    def _read_reply(self, reply: Reply, schema: type[T], msgs: Messages, raws: list[str],
                    params: dict[str, Any]) -> tuple[T | None, Messages]:
        """The parsed reply, or None and the conversation extended with what was wrong.

        A reply cut off at ``max_tokens`` is never patched into shape (closing its brackets would
        silently drop whatever it had not written yet): the request is sent again with some
        sampling, since at temperature 0 the same prompt would run into the same loop."""
        text = reply.text
        raws.append(text)
        if reply.truncated:
            params["temperature"] = max(0.5, float(params.get("temperature") or 0.0))
            params["seed"] = int(params.get("seed") or 0) + 1
            return None, msgs
        try:
            return self._parse(text, schema), msgs
        except (ValueError, ValidationError) as exc:
            return None, self._reask(msgs, text, exc)

    def _no_valid_reply(self, schema: type[BaseModel], raws: list[str], msgs: Messages) -> StructuredOutputError:
        problem = msgs[-1]["content"] if msgs and msgs[-1]["role"] == "user" else "?"
        return StructuredOutputError(
            f"{self.model} gave no valid {schema.__name__} in {len(raws)} replies; last problem: {problem}", raws)

    @staticmethod
    def _reask(msgs: Messages, text: str, exc: Exception) -> Messages:
        if isinstance(exc, ValidationError):
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'reply'}: {e['msg']}" for e in exc.errors()[:8])
        else:
            problems = str(exc)
        return msgs + [
            {"role": "assistant", "content": text[:6000]},
            {"role": "user", "content": f"That reply is not valid: {problems}. Reply with only the corrected JSON object."},
        ]

    def structured(self, messages: str | Sequence[dict], schema: type[T], *, system: str | None = None,
                   max_repairs: int = 2, field_order: str = "any", **params: Any) -> T:
        """A reply parsed into ``schema`` (a pydantic model).

        Uses the backend's JSON mode where it has one, then tolerant extraction, then up to
        ``max_repairs`` re-asks that show the model what was wrong. Raises
        :class:`StructuredOutputError` (with every raw reply) if nothing validates.
        ``field_order="declared"`` holds a grammar-constrained reply to the order in which
        ``schema`` declares its fields (:mod:`optolab.llm.schema` says why that is a choice).
        """
        msgs, p = self._structured_start(messages, schema, system, params, field_order)
        raws: list[str] = []
        for _ in range(max_repairs + 1):
            result, msgs = self._read_reply(self.chat(msgs, **p), schema, msgs, raws, p)
            if result is not None:
                return result
        raise self._no_valid_reply(schema, raws, msgs)

    async def astructured(self, messages: str | Sequence[dict], schema: type[T], *, system: str | None = None,
                          max_repairs: int = 2, field_order: str = "any", **params: Any) -> T:
        msgs, p = self._structured_start(messages, schema, system, params, field_order)
        raws: list[str] = []
        for _ in range(max_repairs + 1):
            result, msgs = self._read_reply(await self.achat(msgs, **p), schema, msgs, raws, p)
            if result is not None:
                return result
        raise self._no_valid_reply(schema, raws, msgs)

    # --- many at once -------------------------------------------------------------------
    def batch(self, requests: Sequence[str | Sequence[dict]], **params: Any) -> list[Reply]:
        """Replies to several requests, in order, at most ``max_concurrency`` at a time."""
        if not requests:
            return []
        with ThreadPoolExecutor(max_workers=min(self.max_concurrency, len(requests))) as pool:
            return list(pool.map(lambda m: self.chat(m, **params), requests))

    async def abatch(self, requests: Sequence[str | Sequence[dict]], **params: Any) -> list[Reply]:
        return list(await asyncio.gather(*(self.achat(m, **params) for m in requests)))

    track = staticmethod(track)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.model!r})"


def _make_cache(cache: Any) -> DiskCache | None:
    if cache is None or cache is False:
        return None
    if cache is True:
        return DiskCache.default()
    if isinstance(cache, DiskCache):
        return cache
    return DiskCache(cache)
