"""A real local model server for end-to-end tests.

``local_test_server()`` pulls the small registry model (cached after the first time) and returns
a started, answering llama.cpp server owned by the caller::

    server = local_test_server()
    try:
        litellm.completion(model=f"openai/{server.model}", api_base=server.api_base, api_key="none", ...)
    finally:
        server.stop()

Test suites wrap it in a session-scoped fixture so one server serves every test.
"""

from __future__ import annotations

import importlib.util

from optolab.errors import ModelServerError
from optolab.models.server import LlamaCppServer

SMALL_MODEL = "qwen2.5-0.5b"


def llama_cpp_available() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


def local_test_server(model: str = SMALL_MODEL, *, n_ctx: int = 4096, timeout: float = 300.0) -> LlamaCppServer:
    """Pull ``model`` if needed and return a ready llama.cpp server serving it under its registry name."""
    if not llama_cpp_available():
        raise ModelServerError("llama-cpp-python is not installed: pip install 'optolab[llama]'")
    from optolab.models.download import pull
    from optolab.models.registry import get_spec

    spec = get_spec(model)
    server = LlamaCppServer(pull(spec.name, progress=False), n_ctx=n_ctx, served_name=spec.name)
    server.start()
    try:
        server.wait_ready(timeout)
    except BaseException:
        server.stop()
        raise
    return server
