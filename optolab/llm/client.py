"""The real model client, over litellm. This is the only module of optolab that imports litellm.

- ``LLM("openai/gpt-4o-mini")``: any provider litellm knows, keys from the usual environment variables.
- ``LLM("openai/<name>", api_base="http://127.0.0.1:8080/v1")``: any OpenAI-compatible server
  (llama.cpp's server, vLLM).
- ``LLM("local")``: optolab's managed local model; the server is started (or reused) on the
  first call, see :func:`optolab.models.server.ensure_local_server`.
- ``LLM("openai/<name>", api_base=["http://a:8000/v1", "http://b:8000/v1"])`` (or one string with the
  bases separated by commas): a fleet of OpenAI-compatible servers serving the same model. Requests are
  spread over them by litellm's ``Router``, one deployment per base; ``routing="simple-shuffle"``
  (default) or ``"least-busy"`` (fewest requests in flight), ``"latency-based-routing"``. A server that
  keeps failing is set aside for a while by the router, and the client's own retries go to another one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from optolab.errors import LLMConfigError, LLMError, RealLLMCallForbidden, TransientLLMError
from optolab.llm.base import BaseLLM, Messages, Reply
from optolab.llm.cache import DiskCache
from optolab.llm.config import resolve_settings
from optolab.llm.guard import real_calls_forbidden
from optolab.llm.schema import grammar_safe

_TRANSIENT_NAMES = {"Timeout", "APIConnectionError", "RateLimitError", "InternalServerError",
                    "ServiceUnavailableError", "APIError", "BadGatewayError"}
ROUTING_STRATEGIES = ("simple-shuffle", "least-busy", "latency-based-routing")


def split_api_bases(api_base: str | Sequence[str] | None) -> list[str]:
    """The server base URLs in ``api_base``: one URL, URLs separated by commas, or a list of URLs."""
    if api_base is None:
        return []
    parts = api_base.split(",") if isinstance(api_base, str) else list(api_base)
    bases = []
    for part in parts:
        if not isinstance(part, str):
            raise LLMConfigError(f"api_base entries must be URLs (text), got {part!r}")
        part = part.strip()
        if part and part not in bases:
            bases.append(part)
    return bases


def probe_engine(api_base: str, api_key: str | None = None, timeout: float = 3.0) -> str:
    """Which engine serves ``api_base``: ``"vllm"``, ``"llama.cpp"`` or ``"unknown"`` (also when unreachable)."""
    import json
    import urllib.request

    req = urllib.request.Request(api_base.rstrip("/") + "/models",
                                 headers={"Authorization": f"Bearer {api_key or 'sk-none'}"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - a URL the user configured
            data = json.loads(resp.read().decode("utf-8"))
    except Exception:  # noqa: BLE001 - any failure means we do not know
        return "unknown"
    owners = {str(m.get("owned_by", "")).lower() for m in data.get("data", []) if isinstance(m, dict)}
    if "vllm" in owners:
        return "vllm"
    if owners & {"me", "llamacpp", "llama.cpp", "llama-cpp-python"}:
        return "llama.cpp"
    return "unknown"


class LLM(BaseLLM):
    def __init__(
        self,
        model: str | None = None,
        *,
        api_base: str | Sequence[str] | None = None,
        api_key: str | None = None,
        json_mode: str | None = None,
        cache: bool | str | Path | DiskCache | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        max_concurrency: int | None = None,
        routing: str = "simple-shuffle",
        **extra: Any,
    ):
        if api_base is not None and not isinstance(api_base, str):
            api_base = ",".join(split_api_bases(api_base)) or None
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
        self.api_bases = split_api_bases(s.api_base)
        if routing not in ROUTING_STRATEGIES:
            raise LLMConfigError(f"routing={routing!r} is not known: use one of {', '.join(ROUTING_STRATEGIES)}")
        self.routing = routing
        if len(self.api_bases) > 1 and self.model == "local":
            raise LLMConfigError("LLM('local') runs one managed server; to spread requests over several servers "
                                 "pass their model name, e.g. LLM('openai/<served name>', api_base=[url1, url2])")
        self._router_obj: Any = None
        self._router_lock = threading.Lock()

    # --- several servers --------------------------------------------------------------------
    @property
    def routed(self) -> bool:
        """True when requests are spread over several servers."""
        return len(self.api_bases) > 1

    def deployments(self) -> list[dict[str, Any]]:
        """litellm Router deployments, one per server base: all serve this client's model name."""
        key = self.api_key or "sk-none"
        return [{"model_name": self.model,
                 "litellm_params": {"model": self.model, "api_base": base, "api_key": key, "timeout": self.timeout},
                 "model_info": {"id": f"{self.model}@{base}"}}
                for base in self.api_bases]

    def _router(self) -> Any:
        """The litellm Router over :meth:`deployments`, made on first use (no network until a request)."""
        with self._router_lock:
            if self._router_obj is None:
                litellm = _litellm()
                # retries stay with BaseLLM (one policy for every client); the router only picks servers
                self._router_obj = litellm.Router(model_list=self.deployments(), routing_strategy=self.routing,
                                                  num_retries=0, timeout=self.timeout)
            return self._router_obj

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

    def _response_format(self, schema: type[BaseModel], field_order: str = "any") -> dict | None:
        mode = self.json_mode
        if mode == "auto":
            if self.model == "local":
                engine = self._local.engine if self._local is not None else _local_engine()
                mode = "json_schema" if engine == "vllm" else "json_object_schema"
            elif self.api_base:
                # llama.cpp reads a schema inside json_object; vLLM needs json_schema (it would read the
                # former as plain JSON mode), so ask the server which engine it is, once
                mode = "json_schema" if self._server_engine() == "vllm" else "json_object_schema"
            else:
                mode = "json_schema"
        js = grammar_safe(schema.model_json_schema(), field_order)
        if mode == "json_schema":
            # OpenAI-compatible servers (vLLM) need strict, or a reply may run into endless whitespace
            strict = self.model == "local" or bool(self.api_base)
            return {"type": "json_schema", "json_schema": {"name": schema.__name__, "schema": js, "strict": strict}}
        if mode == "json_object_schema":
            return {"type": "json_object", "schema": js}
        if mode == "json_object":
            return {"type": "json_object"}
        return None

    def _server_engine(self) -> str:
        """``"vllm"``, ``"llama.cpp"`` or ``"unknown"``, from the ``owned_by`` field of the first server's
        ``/models`` listing; asked once per client, on the first structured request (never at import)."""
        if getattr(self, "_engine_seen", None) is None:
            self._engine_seen = "unknown"
            if not real_calls_forbidden() and self.api_bases:
                self._engine_seen = probe_engine(self.api_bases[0], self.api_key)
        return self._engine_seen

    def _kwargs(self, messages: Messages, params: dict[str, Any]) -> dict[str, Any]:
        if real_calls_forbidden():
            raise RealLLMCallForbidden(
                f"a real call to model {self.model!r} was attempted while real LLM calls are forbidden (tests); "
                "use optolab.testing.ScriptedLLM / FunctionLLM, or mark the test @pytest.mark.llm")
        if self.routed:  # the servers and their key are in the router's deployments
            return {"model": self.model, "messages": messages, "timeout": self.timeout, "num_retries": 0,
                    **self.extra, **params}
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
                     latency_s=time.perf_counter() - t0, finish_reason=getattr(choice, "finish_reason", None))

    def _complete(self, messages: Messages, params: dict[str, Any]) -> Reply:
        kwargs = self._kwargs(messages, params)
        complete = self._router().completion if self.routed else _litellm().completion
        t0 = time.perf_counter()
        try:
            resp = complete(**kwargs)
        except Exception as exc:
            raise _map_error(exc, self.model) from exc
        return self._reply(resp, t0)

    async def _acomplete(self, messages: Messages, params: dict[str, Any]) -> Reply:
        kwargs = self._kwargs(messages, params)
        acomplete = self._router().acompletion if self.routed else _litellm().acompletion
        t0 = time.perf_counter()
        try:
            resp = await acomplete(**kwargs)
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
