import pytest


@pytest.fixture(scope="session")
def small_server():
    """One llama.cpp server with the small model for every ``llm`` test of this folder."""
    from optolab.models.testing_support import llama_cpp_available, local_test_server

    if not llama_cpp_available():
        pytest.skip("llama-cpp-python is not installed: pip install 'optolab[llama]'")
    server = local_test_server()
    yield server
    server.stop()
