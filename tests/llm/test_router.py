"""Several servers behind one client: litellm's Router gets one deployment per base (no network)."""

from __future__ import annotations

import asyncio
from collections import Counter
from types import SimpleNamespace

import pytest
from pydantic import BaseModel

from optolab.errors import LLMConfigError, LLMError, RealLLMCallForbidden
from optolab.llm import LLM, allow_real_llm_calls
from optolab.llm.client import split_api_bases

BASES = ["http://10.0.0.1:8000/v1", "http://10.0.0.2:8000/v1", "http://10.0.0.3:8000/v1"]


class Answer(BaseModel):
    value: int


def _reply(kwargs: dict) -> SimpleNamespace:
    return SimpleNamespace(model=kwargs["model"], usage=SimpleNamespace(prompt_tokens=7, completion_tokens=2),
                           choices=[SimpleNamespace(message=SimpleNamespace(content='{"value": 5}'))])


@pytest.fixture
def fake_litellm(monkeypatch):
    """litellm.completion/acompletion replaced: every request is recorded and answered locally."""
    import litellm

    seen: list[dict] = []

    def completion(**kwargs):
        seen.append(kwargs)
        return _reply(kwargs)

    async def acompletion(**kwargs):
        seen.append(kwargs)
        return _reply(kwargs)

    monkeypatch.setattr(litellm, "completion", completion)
    monkeypatch.setattr(litellm, "acompletion", acompletion)
    return seen


def test_bases_are_split_from_text_or_lists():
    assert split_api_bases(None) == []
    assert split_api_bases("http://a/v1") == ["http://a/v1"]
    assert split_api_bases(" http://a/v1 , http://b/v1,,http://a/v1") == ["http://a/v1", "http://b/v1"]
    assert split_api_bases(("http://a/v1", "http://b/v1")) == ["http://a/v1", "http://b/v1"]
    with pytest.raises(LLMConfigError, match="must be URLs"):
        split_api_bases(["http://a/v1", 3])


def test_one_base_is_not_routed(fake_litellm):
    llm = LLM("openai/qwen", api_base="http://10.0.0.1:8000/v1")
    assert not llm.routed and llm.api_bases == ["http://10.0.0.1:8000/v1"]
    with allow_real_llm_calls():
        assert llm.structured("q", Answer).value == 5
    assert fake_litellm[-1]["api_base"] == "http://10.0.0.1:8000/v1"


def test_router_gets_one_deployment_per_server():
    llm = LLM("openai/qwen", api_base=BASES, api_key="sk-fleet", routing="least-busy", timeout=33.0)
    assert llm.routed and llm.api_bases == BASES and llm.api_base == ",".join(BASES)
    router = llm._router()
    assert router is llm._router()  # made once
    assert router.routing_strategy == "least-busy"
    deployments = router.get_model_list()
    assert [d["litellm_params"]["api_base"] for d in deployments] == BASES
    for d in deployments:
        assert d["model_name"] == "openai/qwen"
        assert d["litellm_params"]["model"] == "openai/qwen"
        assert d["litellm_params"]["api_key"] == "sk-fleet"
    # the same from a comma-separated string, with the default strategy
    llm2 = LLM("openai/qwen", api_base=",".join(BASES))
    assert llm2.routing == "simple-shuffle" and llm2._router().routing_strategy == "simple-shuffle"
    assert [d["litellm_params"]["api_base"] for d in llm2.deployments()] == BASES


def test_requests_are_spread_over_the_servers(fake_litellm):
    llm = LLM("openai/qwen", api_base=BASES, max_retries=0)
    with allow_real_llm_calls():
        for i in range(60):
            assert llm.structured(f"question {i}", Answer).value == 5
    used = Counter(kw["api_base"] for kw in fake_litellm)
    assert set(used) == set(BASES) and sum(used.values()) == 60
    assert all(n >= 5 for n in used.values())  # a shuffle over 3 servers; 60 requests reach each one
    assert all(kw["response_format"]["type"] == "json_object" for kw in fake_litellm)  # server JSON mode kept
    assert llm.usage.calls == 60 and llm.usage.prompt_tokens == 7 * 60


def test_async_requests_go_through_the_router(fake_litellm):
    llm = LLM("openai/qwen", api_base=BASES)

    async def main():
        with allow_real_llm_calls():
            return await asyncio.gather(*(llm.achat(f"q{i}") for i in range(12)))

    replies = asyncio.run(main())
    assert [r.text for r in replies] == ['{"value": 5}'] * 12
    assert {kw["api_base"] for kw in fake_litellm} <= set(BASES) and len(fake_litellm) == 12


def test_router_failures_become_llm_errors(monkeypatch):
    import litellm

    def refuse(**kwargs):
        raise ValueError("bad request for this server")

    monkeypatch.setattr(litellm, "completion", refuse)
    llm = LLM("openai/qwen", api_base=BASES, max_retries=0)
    with allow_real_llm_calls(), pytest.raises(LLMError, match="bad request"):
        llm.chat("hi")


def test_fleet_is_still_guarded_and_checked(fake_litellm):
    with pytest.raises(RealLLMCallForbidden):
        LLM("openai/qwen", api_base=BASES).chat("hi")  # the test suite forbids real calls
    assert fake_litellm == []
    with pytest.raises(LLMConfigError, match="routing='round-robin'"):
        LLM("openai/qwen", api_base=BASES, routing="round-robin")
    with pytest.raises(LLMConfigError, match="several servers"):
        LLM("local", api_base=BASES)
