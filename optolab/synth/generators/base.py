"""Instances, the generator interface, and ``generate``: sample data, render facts and code, solve the code.

The model code of an instance is its single source of truth: :func:`generate` executes exactly the
code string it stores and solves the model that code defines, so the recorded optimum always belongs
to the code (and to the facts, which are rendered from the same data). The instance's formulation
(the structured model the modeling agent writes, see :class:`optolab.agents.formulation.Formulation`)
is rendered from the same data too, and its generated code solves to the same optimum.
"""

from __future__ import annotations

import copy
import difflib
import random
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from optolab.errors import OptolabError

UNSOLVED = "unsolved"


class GeneratorError(OptolabError, ValueError):
    """Wrong use of the instance generators: unknown name, complexity out of range, a malformed instance."""


@dataclass
class Instance:
    """One generated optimization problem: its data, a plain statement of it, its Pyomo model and optimum.

    ``status`` is the termination of the reference solve (``optimal``, ``infeasible``, ...), or
    ``unsolved`` for an instance that was drafted but not solved. ``formulation`` is the instance as a
    :class:`~optolab.agents.formulation.Formulation` dict (JSON-serialisable), the answer a modeling
    agent should give for the facts; ``None`` in records written before instances carried one.
    """

    generator: str
    problem_class: str
    seed: int
    complexity: int
    data: dict
    facts: str
    code: str
    sense: str
    optimum: float | None = None
    status: str = UNSOLVED
    solution: dict[str, float] = field(default_factory=dict)
    formulation: dict | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable copy (``json.dumps(instance.to_dict())`` works)."""
        return {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Instance":
        if not isinstance(d, dict):
            raise GeneratorError("Instance.from_dict needs a dict (from Instance.to_dict), "
                                 f"got {type(d).__name__}")
        names = [f.name for f in fields(cls)]
        required = names[:8]
        missing = [k for k in required if k not in d]
        unknown = sorted(set(d) - set(names))
        if missing or unknown:
            raise GeneratorError(f"not an instance dict: missing keys {missing}, unknown keys {unknown}; "
                                 "pass the output of Instance.to_dict()")
        kwargs = {k: copy.deepcopy(d[k]) for k in names if k in d}
        if kwargs.get("optimum") is not None:
            kwargs["optimum"] = float(kwargs["optimum"])
        kwargs["solution"] = {str(k): float(v) for k, v in (kwargs.get("solution") or {}).items()}
        if kwargs.get("formulation") is not None and not isinstance(kwargs["formulation"], dict):
            raise GeneratorError("the 'formulation' of an instance dict must be a Formulation dict or null, "
                                 f"got {type(kwargs['formulation']).__name__}")
        return cls(**kwargs)

    def build_model(self) -> Any:
        """A fresh Pyomo model from this instance's code."""
        return build_model(self.code, self.generator)

    @property
    def solved(self) -> bool:
        return self.status == "optimal" and self.optimum is not None


class Generator(ABC):
    """A parametrised family of problems of one kind.

    Subclasses set ``name``, ``problem_class`` (what :func:`optolab.solvers.classify` says about the
    model), ``description`` and ``sense``, and implement ``sample`` (the data, drawn only from the
    given ``rng``; feasible and bounded by construction), ``facts``, ``code`` and ``formulation``
    (pure functions of the data).
    """

    name: ClassVar[str]
    problem_class: ClassVar[str]
    description: ClassVar[str]
    sense: ClassVar[str]
    complexity_range: ClassVar[tuple[int, int]] = (1, 5)

    @abstractmethod
    def sample(self, rng: random.Random, complexity: int) -> dict:
        """The instance data: JSON-serialisable, with names a person understands."""

    @abstractmethod
    def facts(self, data: dict) -> str:
        """A complete, deterministic English statement of the instance with every number of ``data``."""

    @abstractmethod
    def code(self, data: dict) -> str:
        """Standalone Pyomo source that defines ``model`` for exactly this data (no solve call)."""

    @abstractmethod
    def formulation(self, data: dict) -> dict | None:
        """The instance as a :class:`~optolab.agents.formulation.Formulation` dict: requirements in words,
        sets, parameters, typed variables, objective and constraints, with every number taken from ``data``.

        Its generated code (:func:`optolab.agents.codegen.generate_code`) must solve to the optimum of
        :meth:`code`. ``None`` for a family the Formulation language cannot express.
        """

    def check_complexity(self, complexity: int) -> None:
        lo, hi = self.complexity_range
        if isinstance(complexity, bool) or not isinstance(complexity, int) or not lo <= complexity <= hi:
            raise GeneratorError(f"generator {self.name!r}: complexity must be an integer from {lo} to {hi}, "
                                 f"got {complexity!r}")

    def rng(self, seed: int, complexity: int) -> random.Random:
        """The random stream of one (seed, complexity): the same in every process and Python run."""
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise GeneratorError(f"generator {self.name!r}: seed must be an integer, got {seed!r}")
        return random.Random(f"{self.name}/{seed}/{complexity}")

    def draft(self, seed: int, complexity: int = 2) -> Instance:
        """The instance for (seed, complexity) with data, facts, code and formulation, not yet solved."""
        self.check_complexity(complexity)
        data = self.sample(self.rng(seed, complexity), complexity)
        return Instance(generator=self.name, problem_class=self.problem_class, seed=seed,
                        complexity=complexity, data=data, facts=self.facts(data), code=self.code(data),
                        sense=self.sense, formulation=self.formulation(data))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} ({self.problem_class}, {self.sense})>"


def build_model(code: str, label: str = "instance") -> Any:
    """Execute model code in a fresh namespace and return the ``model`` it defines."""
    import pyomo.environ as pyo

    namespace: dict[str, Any] = {"__name__": f"optolab_synth_{label}"}
    try:
        exec(compile(code, f"<{label} model code>", "exec"), namespace)  # noqa: S102 - generated here
    except Exception as exc:
        raise GeneratorError(
            f"the model code of {label!r} fails to run: {type(exc).__name__}: {exc}") from exc
    model = namespace.get("model")
    if not isinstance(model, pyo.ConcreteModel):
        raise GeneratorError(f"the model code of {label!r} must assign a pyomo ConcreteModel to 'model'")
    return model


def solve_instance(instance: Instance, *, solver: str = "auto", time_limit: float | None = 30.0) -> Instance:
    """Build the model from ``instance.code``, solve it, and fill ``optimum``, ``status`` and ``solution``.

    With ``solver="auto"``, a solve that ends in a solver error is repeated with SCIP when it is installed:
    HiGHS 1.15 reports a few convex QPs (positive definite Hessian) as non-convex, and the reference optimum
    should not depend on that.
    """
    from optolab.solvers import solve
    from optolab.solvers.capabilities import is_available

    result = solve(instance.build_model(), solver=solver, time_limit=time_limit, diagnose=False)
    fallback = solver == "auto" and result.solver != "scip" and is_available("scip")
    if result.termination.value == "error" and fallback:
        result = solve(instance.build_model(), solver="scip", time_limit=time_limit, diagnose=False)
    instance.status = result.termination.value
    instance.optimum = result.objective if result.termination.value == "optimal" else None
    instance.solution = dict(result.variables)
    return instance


def generators() -> dict[str, Generator]:
    """The registry: generator name -> generator (a fresh dict; the generators themselves hold no state)."""
    from optolab.synth.generators.registry import REGISTRY

    return dict(REGISTRY)


def get_generator(name: str) -> Generator:
    registry = generators()
    if name not in registry:
        close = difflib.get_close_matches(str(name), sorted(registry), n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise GeneratorError(f"no instance generator named {name!r}.{hint} "
                             f"Known: {', '.join(sorted(registry))}")
    return registry[name]


def generate(name: str, seed: int, complexity: int = 2, *, solver: str = "auto",
             time_limit: float | None = 30.0) -> Instance:
    """Sample, render and solve one instance of generator ``name``; deterministic in (seed, complexity)."""
    return solve_instance(get_generator(name).draft(seed, complexity), solver=solver, time_limit=time_limit)
