"""Shared pytest configuration: no test calls a real model unless it is marked ``llm`` or ``vllm``."""

import pytest

from optolab.llm.guard import allow_real_llm_calls, forbid_real_llm_calls


@pytest.fixture(autouse=True)
def _no_real_llm_calls(request):
    real = request.node.get_closest_marker("llm") or request.node.get_closest_marker("vllm")
    with (allow_real_llm_calls() if real else forbid_real_llm_calls()):
        yield
