"""ripopt adapter (pyomo-ripopt): a local interior-point NLP solver reading .nl files.

A local solver proves local optimality only, so its "optimal" becomes ``feasible`` for
nonconvex classes (see :func:`optolab.solvers.solve.solve`).
"""

from __future__ import annotations

from typing import Any

# readings of its own on top of the termination names every solver shares (see solve.PYOMO_TERMINATION)
STATUS = {
    "invalidProblem": "infeasible",
}


def make(time_limit: float | None, mip_gap: float | None, options: dict | None,
         problem_class: str = "NLP") -> tuple[Any, dict]:
    import pyomo.environ as pyo
    import pyomo_ripopt  # noqa: F401  (registers the solver with Pyomo)

    opt = pyo.SolverFactory("ripopt")
    opts = dict(options or {})
    if time_limit is not None:
        opts.setdefault("max_cpu_time", float(time_limit))
    for k, v in opts.items():
        opt.options[k] = v
    return opt, {}
