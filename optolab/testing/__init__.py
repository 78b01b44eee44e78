"""Test doubles for optolab workflows, shipped so users can test their own code offline.

>>> from optolab.testing import ScriptedLLM
>>> llm = ScriptedLLM(['{"answer": 4}'])
>>> llm.chat("2+2?").text
'{"answer": 4}'

``forbid_real_llm_calls()`` (context manager or decorator) makes any real ``optolab.llm.LLM``
call raise :class:`~optolab.errors.RealLLMCallForbidden` before it touches the network; setting
``OPTOLAB_FORBID_REAL_LLM=1`` does the same for a whole process. optolab's own test suite
forbids real calls everywhere except in tests marked ``llm`` or ``vllm``.
"""

from optolab.llm.guard import allow_real_llm_calls, forbid_real_llm_calls, real_calls_forbidden
from optolab.testing.doubles import EchoLLM, FunctionLLM, ScriptedLLM

__all__ = ["EchoLLM", "FunctionLLM", "ScriptedLLM", "allow_real_llm_calls", "forbid_real_llm_calls",
           "real_calls_forbidden"]
