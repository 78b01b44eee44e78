"""Run generated model code in the solver sandbox and reduce the result to a :class:`RunOutcome`."""

from __future__ import annotations

import re
import time
from typing import Any

from optolab.agents.checks import RunOutcome

_LINE = re.compile(r"line (\d+)")


def run_code(pool: Any, code: str, *, time_limit: float, memory_mb: int, solver: str = "auto") -> RunOutcome:
    from optolab.solvers.sandbox import run_model_code

    t0 = time.perf_counter()
    try:
        res = run_model_code(code, time_limit=time_limit, memory_mb=memory_mb, solver=solver, pool=pool)
    except Exception as exc:  # noqa: BLE001 - a sandbox failure is an outcome, never a crash of the agent
        return RunOutcome(status="error", error=f"sandbox: {type(exc).__name__}: {exc}",
                          seconds=time.perf_counter() - t0)
    seconds = time.perf_counter() - t0
    solve = getattr(res, "solve", None) or getattr(res, "result", None) or getattr(res, "solve_result", None)
    status = str(getattr(res, "status", "error"))
    if status != "ok" or solve is None:
        message = getattr(res, "error", None) or status
        line = getattr(res, "line", None) or getattr(res, "error_line", None)
        if line is None:
            tb = getattr(res, "traceback", "") or ""
            found = _LINE.findall(str(tb))
            line = int(found[-1]) if found else None
        return RunOutcome(status="error", error=f"{status}: {message}", error_line=line, seconds=seconds)
    termination = getattr(solve, "termination", "error")
    termination = getattr(termination, "value", termination)
    diagnosis = getattr(solve, "diagnosis", None)
    if diagnosis is not None and not isinstance(diagnosis, str):
        diagnosis = getattr(diagnosis, "summary", None) or str(diagnosis)
    return RunOutcome(status=str(termination), objective=getattr(solve, "objective", None),
                      values=dict(getattr(solve, "variables", {}) or {}), error=getattr(solve, "message", None)
                      if str(termination) == "error" else None, diagnosis=diagnosis, seconds=seconds)
