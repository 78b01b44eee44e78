"""optolab's own set of optimization word problems, each with a reference Pyomo model.

>>> from optolab.problems import load_problems, get_problem
>>> problem = get_problem("production-001")
"""

from optolab.problems.catalog import Problem, get_problem, load_problems, load_problems_from

__all__ = ["Problem", "get_problem", "load_problems", "load_problems_from"]
