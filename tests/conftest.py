"""Shared pytest configuration: no test calls a real model unless it is marked ``llm`` or ``vllm``."""

import os

import pytest

# litellm would try to download a price table when first imported; the tests stay offline
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from optolab.llm.guard import allow_real_llm_calls, forbid_real_llm_calls


@pytest.fixture(scope="module")
def pool():
    """One warm sandbox worker per test module: the real sandbox, cheap to reuse. Modules that need more
    workers define their own ``pool``."""
    from optolab.solvers.sandbox import SandboxPool

    with SandboxPool(size=1) as p:
        yield p


@pytest.fixture(autouse=True)
def _no_real_llm_calls(request):
    real = request.node.get_closest_marker("llm") or request.node.get_closest_marker("vllm")
    with (allow_real_llm_calls() if real else forbid_real_llm_calls()):
        yield


def _local_llm(model_name: str):
    """A llama.cpp server for a registry model for the whole session, and a client talking to it."""
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed: pip install 'optolab[llama]'")
    from optolab.llm import LLM
    from optolab.models import pull
    from optolab.models.server import ModelServer

    path = pull(model_name, progress=False)
    server = ModelServer(path, served_name=model_name, n_ctx=8192)
    server.start().wait_ready(timeout=300)
    return server, LLM(f"openai/{model_name}", api_base=server.api_base, max_tokens=800)


@pytest.fixture(scope="session")
def small_local_llm():
    server, llm = _local_llm("qwen2.5-0.5b")
    yield llm
    server.stop()


@pytest.fixture(scope="session")
def local_llm():
    server, llm = _local_llm("qwen2.5-coder-1.5b")
    yield llm
    server.stop()
