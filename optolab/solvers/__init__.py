"""Solvers for Pyomo models: typed results, automatic solver choice, infeasibility diagnosis, a sandbox.

Solver choice by problem class (see :mod:`optolab.solvers.capabilities`): HiGHS for LP, MILP
and convex QP; SCIP (global) for nonconvex QP, QCP, NLP, MIQP and MINLP; ripopt (local) for
smooth NLP when SCIP is missing.
"""

from optolab.solvers.capabilities import CAPABILITIES, available_solvers, choose_solver
from optolab.solvers.classify import classify
from optolab.solvers.result import SolveResult, Termination
from optolab.solvers.solve import solve

__all__ = ["CAPABILITIES", "SolveResult", "Termination", "available_solvers", "choose_solver", "classify", "solve"]
