"""Which solver handles which problem class, and which one to choose.

| solver | package | classes | optimality | duals | time limit |
|---|---|---|---|---|---|
| highs | highspy | LP, MILP, convex QP | global | LP | yes |
| scip | pyscipopt | LP, MILP, QP, MIQP, QCP, MIQCP, NLP, MINLP | global (spatial branch and bound) | no | yes |
| ripopt | pyomo-ripopt | smooth NLP (continuous) | local | no | yes |
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from optolab.errors import SolverError, SolverNotAvailableError


@dataclass(frozen=True)
class Capability:
    name: str
    package: str
    classes: frozenset[str]
    global_optimum: bool
    duals: bool
    time_limit: bool


CAPABILITIES: dict[str, Capability] = {
    "highs": Capability("highs", "highspy", frozenset({"LP", "MILP", "QP"}), True, True, True),
    "scip": Capability("scip", "pyscipopt", frozenset({"LP", "MILP", "QP", "MIQP", "QCP", "MIQCP", "NLP", "MINLP"}),
                       True, False, True),
    "ripopt": Capability("ripopt", "pyomo_ripopt", frozenset({"LP", "QP", "QCP", "NLP"}), False, False, True),
}
_PIP = {"highspy": "highspy", "pyscipopt": "pyscipopt", "pyomo_ripopt": "pyomo-ripopt"}


def is_available(name: str) -> bool:
    cap = CAPABILITIES.get(name)
    return cap is not None and importlib.util.find_spec(cap.package) is not None


def available_solvers() -> list[str]:
    return [n for n in CAPABILITIES if is_available(n)]


def require(name: str) -> Capability:
    if name not in CAPABILITIES:
        raise SolverError(f"unknown solver {name!r}; choose one of {sorted(CAPABILITIES)} or 'auto'")
    cap = CAPABILITIES[name]
    if not is_available(name):
        raise SolverNotAvailableError(f"solver {name!r} needs the package {_PIP[cap.package]!r}: "
                                      f"pip install {_PIP[cap.package]}")
    return cap


def choose_solver(problem_class: str, convex_qp: bool = True) -> str:
    """HiGHS for LP, MILP and convex QP; SCIP for everything nonlinear or nonconvex; ripopt as local fallback."""
    order: list[str]
    if problem_class in ("LP", "MILP") or (problem_class == "QP" and convex_qp):
        order = ["highs", "scip"]
    elif problem_class in ("QP", "QCP", "NLP"):
        order = ["scip", "ripopt"]
    else:
        order = ["scip"]
    for name in order:
        if is_available(name):
            return name
    raise SolverNotAvailableError(
        f"no installed solver handles {problem_class} problems; install one of "
        f"{[_PIP[CAPABILITIES[n].package] for n in order]}")
