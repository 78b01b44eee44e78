"""End-to-end: the small model from the PyPI mirror served by llama.cpp and called with litellm."""

import json
import time

import pytest

pytestmark = pytest.mark.llm


def _ask(server, **kwargs):
    import litellm

    return litellm.completion(model=f"openai/{server.model}", api_base=server.api_base, api_key="none",
                              temperature=0, **kwargs)


def test_the_pulled_model_is_verified_and_cached(small_server):
    from optolab.models import path
    from optolab.models.registry import get_spec

    file = path("qwen2.5-0.5b")
    assert file.stat().st_size == get_spec("qwen2.5-0.5b").size
    assert str(file) == small_server.model_path


def test_chat_reply(small_server):
    t0 = time.time()
    reply = _ask(small_server, max_tokens=16,
                 messages=[{"role": "user", "content": "What is 2 + 3? Answer with the number only."}])
    text = reply.choices[0].message.content
    assert "5" in text, text
    assert reply.usage.completion_tokens <= 16 and time.time() - t0 < 120


def test_json_schema_reply_parses(small_server):
    schema = {"type": "object", "properties": {"city": {"type": "string"}, "population": {"type": "integer"}},
              "required": ["city", "population"]}
    reply = _ask(small_server, max_tokens=64,
                 messages=[{"role": "user", "content": "Give the capital of France and a rough population "
                                                       "as JSON."}],
                 response_format={"type": "json_object", "schema": schema})
    data = json.loads(reply.choices[0].message.content)
    assert isinstance(data["city"], str) and data["city"]
    assert isinstance(data["population"], int)


def test_ensure_local_server_contract_for_llm_local(small_server):
    """What ``LLM("local")`` relies on: ``api_base`` ending in /v1 and the served model name."""
    from optolab.models.server import answers

    handle = small_server.handle()
    assert handle.api_base.endswith("/v1") and handle.model == "qwen2.5-0.5b"
    assert answers(handle.api_base) and handle.pid == small_server.proc.pid
