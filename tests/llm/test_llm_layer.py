import asyncio
import threading
import time
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from optolab.errors import (LLMConfigError, LLMError, RealLLMCallForbidden, ScriptExhaustedError,
                            StructuredOutputError, TransientLLMError)
from optolab.llm import LLM, DiskCache, extract_json, request_key, track
from optolab.testing import EchoLLM, FunctionLLM, ScriptedLLM, allow_real_llm_calls, forbid_real_llm_calls


class Answer(BaseModel):
    value: int
    unit: str = ""


@pytest.mark.parametrize("reply", [
    '{"value": 4}',
    'Here you go:\n```json\n{"value": 4, "unit": "kg"}\n```\nAnything else?',
    "The answer is {'value': 4} as requested.",
    '{"value": 4, "unit": "kg",}',
    '{"value": 4, "unit": "kg"} trailing words',
    '{"value": 4, "unit": "kg", "note": true, "extra": None}',
    '{"value": 4, "unit": "a {brace} inside"}',
])
def test_structured_tolerates_messy_json(reply):
    llm = ScriptedLLM([reply])
    out = llm.structured("2+2?", Answer)
    assert out.value == 4 and len(llm.calls) == 1


def test_structured_reasks_with_the_validation_error_then_gives_up_with_raw_replies():
    llm = ScriptedLLM(['{"value": "four"}', '{"value": 4}'])
    assert llm.structured("q", Answer).value == 4
    reask = llm.calls[1]["messages"][-1]["content"]
    assert "value" in reask and "not valid" in reask
    bad = ScriptedLLM(["no json here", "still none", '{"unit": "x"}'])
    with pytest.raises(StructuredOutputError, match="no valid Answer in 3 replies") as info:
        bad.structured("q", Answer, max_repairs=2)
    assert info.value.raw_replies == ["no json here", "still none", '{"unit": "x"}']


def test_schema_is_shown_when_the_backend_cannot_enforce_it():
    llm = ScriptedLLM(['{"value": 1}'])
    llm.structured("q", Answer, system="Be exact.")
    system = llm.calls[0]["messages"][0]["content"]
    assert system.startswith("Be exact.") and '"value"' in system and "JSON schema" in system


def test_retries_transient_errors_with_backoff(monkeypatch):
    sleeps = []
    monkeypatch.setattr(time, "sleep", lambda s: sleeps.append(s))
    llm = ScriptedLLM([TransientLLMError("503"), TimeoutError("slow"), "ok"], backoff=0.1)
    assert llm.chat("hi").text == "ok" and len(sleeps) == 2 and sleeps[1] > sleeps[0] * 0.5
    permanent = ScriptedLLM([ValueError("bad request"), "never"])
    with pytest.raises(LLMError, match="bad request"):
        permanent.chat("hi")
    assert permanent.usage.errors == 1 and len(permanent.calls) == 1
    limited = ScriptedLLM([TransientLLMError("a")] * 5, max_retries=2)
    with pytest.raises(TransientLLMError):
        limited.chat("hi")
    assert len(limited.calls) == 3


def test_concurrency_limit_is_honoured_in_threads_and_tasks():
    live, peak, lock = [0], [0], threading.Lock()

    def slow(messages):
        with lock:
            live[0] += 1
            peak[0] = max(peak[0], live[0])
        time.sleep(0.02)
        with lock:
            live[0] -= 1
        return messages[-1]["content"]

    llm = FunctionLLM(slow, max_concurrency=2)
    replies = llm.batch([f"q{i}" for i in range(8)])
    assert [r.text for r in replies] == [f"q{i}" for i in range(8)]  # order kept
    assert peak[0] == 2
    peak[0] = 0
    out = asyncio.run(llm.abatch([f"a{i}" for i in range(6)]))
    assert [r.text for r in out] == [f"a{i}" for i in range(6)] and peak[0] <= 2


def test_disk_cache_hits_and_concurrent_writers(tmp_path):
    llm = FunctionLLM(lambda m: "reply to " + m[-1]["content"], cache=tmp_path)
    first = llm.chat("hello")
    again = llm.chat("hello")
    assert not first.cached and again.cached and again.text == first.text
    assert llm.usage.cache_hits == 1 and llm.usage.calls == 2 and len(llm.calls) == 1
    assert llm.chat("hello", temperature=0.7).cached is False  # other parameters, other entry
    cache = DiskCache(tmp_path / "shared")
    key = request_key("m", [{"role": "user", "content": "x"}], {})
    errors = []

    def writer(i):
        try:
            for _ in range(20):
                cache.put(key, {"text": f"value {i}"})
                got = cache.get(key)
                assert got is not None and got["text"].startswith("value ")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(cache) == 1


def test_request_key_is_stable_and_ignores_transport_options():
    msgs = [{"role": "user", "content": "x"}]
    assert request_key("m", msgs, {"a": 1, "b": 2}) == request_key("m", msgs, {"b": 2, "a": 1, "timeout": 5})
    assert request_key("m", msgs, {"seed": 1}) != request_key("m", msgs, {"seed": 2})


def test_usage_snapshot_since_and_track():
    llm = ScriptedLLM(["one", "two", "three"])
    snap = llm.usage.snapshot()
    llm.chat("a")
    with track() as t:
        llm.chat("b")
        llm.chat("c")
    delta = llm.usage.since(snap)
    assert delta.calls == 3 and t.calls == 2 and t.completion_tokens > 0
    assert delta.total_tokens == delta.prompt_tokens + delta.completion_tokens


def test_scripted_and_function_doubles():
    llm = ScriptedLLM([{"value": 1}, lambda msgs: f"saw {len(msgs)} messages", Answer(value=3)])
    assert llm.chat("x").text == '{"value": 1}'
    assert llm.chat([{"role": "user", "content": "y"}], system="s").text == "saw 2 messages"
    assert llm.structured("z", Answer).value == 3
    with pytest.raises(ScriptExhaustedError, match="holds 3 replies"):
        llm.chat("more")
    fn = FunctionLLM(lambda messages, params: {"value": params["max_tokens"]})
    assert fn.structured("q", Answer, max_tokens=7).value == 7
    assert EchoLLM().chat("ping").text == "ping"
    with pytest.raises(LLMError, match="must be a dict"):
        EchoLLM().chat([{"content": "no role"}])


def _fake_completion(record):
    def completion(**kwargs):
        record.append(kwargs)
        return SimpleNamespace(model="m", choices=[SimpleNamespace(message=SimpleNamespace(content='{"value": 2}'))],
                               usage=SimpleNamespace(prompt_tokens=11, completion_tokens=3))
    return completion


def test_real_client_builds_litellm_requests_for_each_json_mode(monkeypatch):
    import litellm

    seen = []
    monkeypatch.setattr(litellm, "completion", _fake_completion(seen))
    with allow_real_llm_calls():
        srv = LLM("openai/qwen", api_base="http://127.0.0.1:9/v1")
        assert srv.structured("q", Answer).value == 2
        assert seen[-1]["api_base"] == "http://127.0.0.1:9/v1" and seen[-1]["model"] == "openai/qwen"
        assert seen[-1]["response_format"]["type"] == "json_object" and "schema" in seen[-1]["response_format"]
        assert srv.usage.prompt_tokens == 11
        LLM("openai/gpt-4o-mini").structured("q", Answer)
        fmt = seen[-1]["response_format"]
        assert fmt["type"] == "json_schema" and fmt["json_schema"]["name"] == "Answer"
        assert "api_base" not in seen[-1]
        LLM("openai/x", api_base="http://h/v1", json_mode="none").structured("q", Answer)
        assert "response_format" not in seen[-1] and "JSON schema" in seen[-1]["messages"][0]["content"]


def test_forbid_switch_blocks_before_any_network(monkeypatch):
    import litellm

    def boom(**kwargs):  # pragma: no cover - must not be reached
        raise AssertionError("litellm was called")

    monkeypatch.setattr(litellm, "completion", boom)
    with pytest.raises(RealLLMCallForbidden, match="ScriptedLLM"):
        LLM("openai/gpt-4o-mini").chat("hi")  # the suite forbids real calls by default
    with allow_real_llm_calls():
        with forbid_real_llm_calls():
            with pytest.raises(RealLLMCallForbidden):
                LLM("openai/gpt-4o-mini").chat("hi")
    monkeypatch.setenv("OPTOLAB_FORBID_REAL_LLM", "1")


def test_config_precedence(tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[llm]\nmodel = "openai/from-file"\nmax_tokens = 77\napi_base = "http://file/v1"\n')
    monkeypatch.setenv("OPTOLAB_CONFIG", str(cfg))
    for var in ("OPTOLAB_MODEL", "OPTOLAB_API_BASE", "OPTOLAB_API_KEY", "OPTOLAB_LLM_CACHE", "OPTOLAB_JSON_MODE"):
        monkeypatch.delenv(var, raising=False)
    llm = LLM()
    assert llm.model == "openai/from-file" and llm.defaults["max_tokens"] == 77 and llm.api_base == "http://file/v1"
    monkeypatch.setenv("OPTOLAB_MODEL", "openai/from-env")
    assert LLM().model == "openai/from-env"
    assert LLM("openai/explicit").model == "openai/explicit"
    monkeypatch.setenv("OPTOLAB_LLM_CACHE", str(tmp_path / "c"))
    assert LLM().cache is not None and str(LLM().cache.path) == str(tmp_path / "c")
    cfg.write_text("[llm]\ncolour = 'blue'\n")
    with pytest.raises(LLMConfigError, match="colour"):
        LLM()
    monkeypatch.setenv("OPTOLAB_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(LLMConfigError, match="does not exist"):
        LLM()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)


@settings(max_examples=80, deadline=None)
@given(obj=st.dictionaries(st.text(min_size=1, max_size=6), json_values, min_size=1, max_size=4),
       prefix=st.sampled_from(["", "Sure!\n", "Result: "]), fenced=st.booleans())
def test_extract_json_round_trips(obj, prefix, fenced):
    import json

    body = json.dumps(obj)
    text = f"{prefix}```json\n{body}\n```" if fenced else f"{prefix}{body}"
    assert extract_json(text) == obj


def test_a_reply_cut_at_max_tokens_is_asked_again_with_sampling_not_patched():
    from pydantic import BaseModel

    from optolab.llm.base import Reply
    from optolab.testing import ScriptedLLM

    class Plan(BaseModel):
        steps: list[str]
        total: int = 0

    cut = Reply(text='{"steps": ["a", "a", "a", "a"', finish_reason="length")
    llm = ScriptedLLM([cut, '{"steps": ["a", "b"], "total": 2}'])
    got = llm.structured("plan it", Plan, temperature=0.0, seed=3)
    assert got == Plan(steps=["a", "b"], total=2)
    second = llm.calls[1]
    assert second["params"]["temperature"] >= 0.5 and second["params"]["seed"] == 4
    assert [m["role"] for m in second["messages"]] == [m["role"] for m in llm.calls[0]["messages"]]  # not shown back
