"""SCIP adapter (pyscipopt through Pyomo's ``scip_direct``): global optimum for nonconvex and mixed-integer models.

The pyscipopt wheel ships no ``scip`` executable, so the file-based ``SolverFactory('scip')`` does
not work; the direct interface talks to the library in-process.
"""

from __future__ import annotations

from typing import Any


def make(time_limit: float | None, mip_gap: float | None, options: dict | None,
         problem_class: str = "MINLP") -> tuple[Any, dict]:
    import pyomo.environ as pyo

    opts = dict(options or {})
    # no node lines in the log: Pyomo's scip_direct reads SCIP's output through a pipe drained by a thread, and
    # pyscipopt keeps the GIL while it solves, so once a long search fills the pipe that thread never runs and the
    # solve hangs past any time limit (a cylinder's cost with 70,000 nodes did). The pipe is Pyomo's own, under
    # optolab's file capture (optolab.solvers.capture): a caller who sets display/freq brings the hang back.
    opts.setdefault("display/freq", -1)
    if time_limit is not None:
        opts.setdefault("limits/time", float(time_limit))
    if mip_gap is not None:
        opts.setdefault("limits/gap", float(mip_gap))
    return pyo.SolverFactory("scip_direct"), {"options": opts}
