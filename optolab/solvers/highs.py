"""HiGHS adapter (highspy through Pyomo): ``appsi_highs`` for LP/MILP, ``highs`` for quadratic objectives."""

from __future__ import annotations

from typing import Any


def make(time_limit: float | None, mip_gap: float | None, options: dict | None,
         problem_class: str = "LP") -> tuple[Any, dict]:
    """A Pyomo solver object and the keyword arguments for its ``solve`` call."""
    import pyomo.environ as pyo

    opts = dict(options or {})
    if mip_gap is not None:
        opts.setdefault("mip_rel_gap", float(mip_gap))
    if problem_class == "QP":  # the newer interface takes quadratic objectives
        opt = pyo.SolverFactory("highs")
        kwargs: dict = {}
        if time_limit is not None:
            kwargs["timelimit"] = float(time_limit)
        if opts:
            kwargs["options"] = opts
        return opt, kwargs
    opt = pyo.SolverFactory("appsi_highs")
    for k, v in opts.items():
        opt.highs_options[k] = v
    return opt, ({"timelimit": float(time_limit)} if time_limit is not None else {})
