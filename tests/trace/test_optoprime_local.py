"""One real OptoPrime step with the default local model (marked ``llm``)."""

import pytest

from optolab import trace
from optolab.trace.optimizers import OptoPrime

pytestmark = pytest.mark.llm


@trace.node(description="Multiply the input by the factor.")
def scale(x, factor):
    return x * factor


def test_one_real_step_moves_the_parameter(local_llm):
    factor = trace.node(1.0, trainable=True, name="factor", description="the multiplier", constraint="0 <= factor <= 100")
    out = scale(5.0, factor)
    out.backward(f"The output is {out.data}, but it should be 50. Change factor so that the output equals 50.")
    opt = OptoPrime([factor], local_llm, max_tokens=400)
    rec = opt.step()
    assert rec.error is None, rec.error
    assert rec.prompt_tokens > 0 and rec.completion_tokens > 0
    assert "factor" in rec.updates and factor.data != 1.0
    assert abs(scale(5.0, factor).data - 50) < abs(5.0 - 50)  # closer to the target than before
