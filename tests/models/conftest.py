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


@pytest.fixture(scope="session")
def vllm_python():
    """An interpreter that has vllm: OPTOLAB_VLLM_PYTHON, this one, the environment `optolab engine install
    vllm` made, or the one of a `vllm` command on PATH."""
    from optolab.models.server import VLLM_PYTHON_ENV, find_vllm_python

    python = find_vllm_python()
    if python is None:
        pytest.skip(f"no Python with vllm found: run `optolab engine install vllm` (the README's test command "
                    f"does), or set {VLLM_PYTHON_ENV} to the python of an environment with vllm")
    return python
