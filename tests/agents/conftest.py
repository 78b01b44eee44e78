"""Fixtures shared by the agent tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def solve_objective():
    """Run model code that builds ``model`` and solve it with HiGHS: the objective's value (the solve must be
    optimal)."""
    import pyomo.environ as pyo

    def solve(code: str) -> float:
        scope: dict = {}
        exec(code, scope)
        model = scope["model"]
        result = pyo.SolverFactory("appsi_highs").solve(model)
        assert str(result.solver.termination_condition) == "optimal"
        return pyo.value(model.objective)

    return solve
