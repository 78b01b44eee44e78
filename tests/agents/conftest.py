"""Fixtures of the agent tests."""

import pytest

from optolab.solvers.sandbox import SandboxPool


@pytest.fixture(scope="module")
def pool():
    """One warm sandbox worker per test module: the real sandbox, cheap to reuse."""
    with SandboxPool(size=1) as p:
        yield p
