"""One end-to-end solve with the default local model (marked ``llm``), by the formulation strategy (the
program strategy, the default, runs for real in tests/evals/test_eval_local.py)."""

import pytest

from optolab.agents import Modeler

pytestmark = pytest.mark.llm

QUESTION = ("A small farm grows wheat and corn on 100 acres of land. Each acre of wheat earns a profit of $200 and "
            "needs 2 hours of labor; each acre of corn earns $300 and needs 4 hours of labor. The farm has 320 hours "
            "of labor. How many acres of each crop should be planted to maximize profit?")


def test_local_model_solves_an_easy_problem(local_llm):
    # wheat + corn <= 100, 2 wheat + 4 corn <= 320 -> wheat 40, corn 60: 8000 + 18000 = 26000
    with Modeler(local_llm, max_tokens=800, strategies=("formulation",)) as agent:
        s = agent.solve(QUESTION)
    assert s.ok, s.explanation
    assert s.objective == pytest.approx(26000, rel=1e-4)
    assert s.llm_calls >= 1 and s.outside_llm_share < 0.5
