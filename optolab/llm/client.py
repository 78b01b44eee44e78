"""The real model client, over litellm. This is the only module of optolab that imports litellm.

- ``LLM("openai/gpt-4o-mini")``: any provider litellm knows, keys from the usual environment variables.
- ``LLM("openai/<name>", api_base="http://127.0.0.1:8080/v1")``: any OpenAI-compatible server
  (llama.cpp's server, vLLM).
- ``LLM("local")``: optolab's managed local model; the server is started (or reused) on the
  first call, see :func:`optolab.models.server.ensure_local_server`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from optolab.errors import LLMError, RealLLMCallForbidden, TransientLLMError
from optolab.llm.base import BaseLLM, Messages, Reply
from optolab.llm.cache import DiskCache
from optolab.llm.config import resolve_settings
from optolab.llm.guard import real_calls_forbidden

_TRANSIENT_NAMES = {"Timeout", "APIConnectionError", "RateLimitError", "InternalServerError",
                    "ServiceUnavailableError", "APIError", "BadGatewayError"}


class LLM(BaseLLM):
    def __init__(
        self,
        model: str | None = None,
        *,
        api_base: str | None = None,
        api_key: str | None = None,
        json_mode: str | None = None,
        cache: bool | str | Path | DiskCache | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        max_concurrency: int | None = None,
        **extra: Any,
    ):
        if timeout is None and (model or "") == "local":
            timeout = 900.0  # a CPU model behind a queue can take minutes per request
        s = resolve_settings(model=model, api_base=api_base, api_key=api_key, json_mode=json_mode,
                             cache=None if isinstance(cache, (DiskCache, Path)) else cache, temperature=temperature,
                             max_tokens=max_tokens, timeout=timeout, max_retries=max_retries,
                             max_concurrency=max_concurrency)
        super().__init__(temperature=s.temperature, max_tokens=s.max_tokens, max_retries=s.max_retries,
                         timeout=s.timeout, max_concurrency=s.max_concurrency,
                         cache=cache if isinstance(cache, (DiskCache, Path)) else s.cache)
        self.model = s.model
        self.api_base = s.api_base
        self.api_key = s.api_key
        self.json_mode = s.json_mode
        self.extra = extra
        self._local: Any = None

    # --- where requests go ----------------------------------------------------------------
    def _target(self) -> tuple[str, str | None, str | None, str]:
        """(litellm model name, api_base, api_key, engine)."""
        if self.model == "local":
            if self._local is None:
                from optolab.models.server import ensure_local_server

                self._local = ensure_local_server()
            return f"openai/{self._local.model}", self._local.api_base, "sk-local", self._local.engine
        engine = "openai-compatible" if self.api_base else "provider"
        key = self.api_key or ("sk-none" if self.api_base else None)
        return self.model, self.api_base, key, engine

    def _response_format(self, schema: type[BaseModel]) -> dict | None:
        mode = self.json_mode
        if mode == "auto":
            if self.model == "local":
                engine = self._local.engine if self._local is not None else _local_engine()
                mode = "json_schema" if engine == "vllm" else "json_object_schema"
            elif self.api_base:
                mode = "json_object_schema"  # understood by llama.cpp; vLLM reads it as plain JSON mode
            else:
                mode = "json_schema"
        js = schema.model_json_schema()
        if mode == "json_schema":
            strict = self.model == "local"  # vLLM needs strict to stop runaway whitespace
            return {"type": "json_schema", "json_schema": {"name": schema.__name__, "schema": js, "strict": strict}}
        if mode == "json_object_schema":
            return {"type": "json_object", "schema": js}
        if mode == "json_object":
            return {"type": "json_object"}
        return None

    def _kwargs(self, messages: Messages, params: dict[str, Any]) -> dict[str, Any]:
        if real_calls_forbidden():
            raise RealLLMCallForbidden(
                f"a real call to model {self.model!r} was attempted while real LLM calls are forbidden (tests); "
                "use optolab.testing.ScriptedLLM / FunctionLLM, or mark the test @pytest.mark.llm")
        model, api_base, api_key, _ = self._target()
        kwargs = {"model": model, "messages": messages, "timeout": self.timeout, "num_retries": 0, **self.extra,
                  **params}
        if api_base:
            kwargs["api_base"] = api_base
        if api_key:
            kwargs["api_key"] = api_key
        return kwargs

    def _reply(self, resp: Any, t0: float) -> Reply:
        choice = resp.choices[0]
        text = choice.message.content or ""
        usage = getattr(resp, "usage", None)
        return Reply(text=text, model=getattr(resp, "model", self.model) or self.model,
                     prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
                     completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
                     latency_s=time.perf_counter() - t0)

    def _complete(self, messages: Messages, params: dict[str, Any]) -> Reply:
        kwargs = self._kwargs(messages, params)
        litellm = _litellm()
        t0 = time.perf_counter()
        try:
            resp = litellm.completion(**kwargs)
        except Exception as exc:
            raise _map_error(exc, self.model) from exc
        return self._reply(resp, t0)

    async def _acomplete(self, messages: Messages, params: dict[str, Any]) -> Reply:
        kwargs = self._kwargs(messages, params)
        litellm = _litellm()
        t0 = time.perf_counter()
        try:
            resp = await litellm.acompletion(**kwargs)
        except Exception as exc:
            raise _map_error(exc, self.model) from exc
        return self._reply(resp, t0)


def _litellm():
    import os

    # litellm fetches a price table over the network at import unless told to use its bundled copy
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True  # errors are reported by optolab, without litellm's banner
    return litellm


def _local_engine() -> str:
    import os

    return os.environ.get("OPTOLAB_LOCAL_ENGINE", "llama.cpp")


def _map_error(exc: Exception, model: str) -> Exception:
    if isinstance(exc, (LLMError,)):
        return exc
    name = type(exc).__name__
    status = getattr(exc, "status_code", None)
    text = f"{model}: {name}: {str(exc)[:500]}"
    if name in _TRANSIENT_NAMES or isinstance(exc, (TimeoutError, ConnectionError)) or (
            isinstance(status, int) and (status == 429 or status >= 500)):
        return TransientLLMError(text)
    return LLMError(text)
