"""End to end with a real local model (llama.cpp server on CPU). Marked ``llm``: few and small."""

import pytest
from pydantic import BaseModel

pytestmark = pytest.mark.llm


class Sum(BaseModel):
    reasoning: str
    result: int


def test_chat_and_structured_reply_from_the_small_model(small_local_llm):
    reply = small_local_llm.chat("Reply with the single word: ready", max_tokens=8)
    assert reply.text.strip() and reply.completion_tokens > 0 and reply.prompt_tokens > 0
    out = small_local_llm.structured("What is 20 + 22? Give a short reasoning and the result.", Sum, max_tokens=120)
    assert isinstance(out, Sum) and out.result == 42
    assert small_local_llm.usage.calls >= 2
