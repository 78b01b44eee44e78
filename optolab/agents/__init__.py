"""The optimization-modeling agent: text in, solved Pyomo model out."""

from optolab.agents.checks import RunOutcome
from optolab.agents.formulation import Constraint, Formulation, Objective, Variable
from optolab.agents.modeler import Modeler
from optolab.agents.retrieval import Example, ExampleBank
from optolab.agents.solution import Attempt, Solution

__all__ = ["Attempt", "Constraint", "Example", "ExampleBank", "Formulation", "Modeler", "Objective", "RunOutcome",
           "Solution", "Variable"]
