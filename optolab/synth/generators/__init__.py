"""Parametrised instance generators: solved optimization problems with data, facts and reference code.

Forward synthesis in the style of OptMATH: a generator samples the data of one problem family
(feasible and bounded by construction), renders a plain English statement of it (``facts``) and a
standalone Pyomo model (``code``); :func:`generate` executes that code and solves it, so the code is
the single reference and the recorded optimum belongs to it. An LLM pipeline can then turn the facts
into a natural word problem and check a model written from that text against the optimum.

>>> from optolab.synth.generators import generate, generators
>>> inst = generate("knapsack", seed=7, complexity=2)
>>> inst.status, inst.optimum          # ('optimal', ...)
>>> print(inst.facts)                  # every number of inst.data appears here
>>> model = inst.build_model()         # a fresh ConcreteModel from inst.code
>>> sorted(generators())               # the registry: name -> Generator

Interface
---------
``Instance`` (dataclass): ``generator`` (registry name), ``problem_class`` (what
``optolab.solvers.classify`` says: LP, MILP, QP, QCP, NLP), ``seed``, ``complexity`` (1 tiny .. 5 large),
``data`` (JSON-serialisable parameters with meaningful names), ``facts`` (deterministic English, every
number of ``data`` in it, written with :func:`optolab.synth.generators.render.num`), ``code`` (Pyomo source
that defines ``model``; no solve call; it passes the sandbox policy), ``sense`` (``minimize`` or
``maximize``), ``optimum`` (``None`` unless the reference solve is optimal), ``status`` (termination of
the reference solve, or ``unsolved``), ``solution`` (Pyomo variable name -> value), ``formulation``
(the instance as a :class:`optolab.agents.formulation.Formulation` dict: the structured answer the
modeling agent should give, usable as a worked example or a fine-tuning target; ``None`` in older
records); ``to_dict()`` / ``Instance.from_dict(d)``; ``build_model()``; ``solved``.

``Generator`` (abstract): ``name``, ``problem_class``, ``description``, ``sense``,
``complexity_range = (1, 5)``; ``sample(rng, complexity) -> data`` (only the given ``random.Random``
is used), ``facts(data) -> str``, ``code(data) -> str``, ``formulation(data) -> dict`` (requirements in
words, named sets and parameters with the data's numbers, typed variables, objective, constraints with
``for_each``; the code :func:`optolab.agents.codegen.generate_code` writes from it solves to the same
optimum as ``code``); ``draft(seed, complexity) -> Instance`` (unsolved); ``rng(seed, complexity)``: the
stream for one (seed, complexity), the same in every process.

``generate(name, seed, complexity=2, *, solver="auto", time_limit=30.0) -> Instance``: draft and solve
with :func:`optolab.solvers.solve`. ``generators() -> dict[str, Generator]``: the registry (a fresh
dict). ``get_generator(name)``; ``build_model(code)``; ``solve_instance(instance)``. Wrong use raises
:class:`GeneratorError` (an ``OptolabError`` and ``ValueError``).

Families (registry names): knapsack, bin_packing, cutting_stock (packing); transportation, assignment,
facility_location (logistics); min_cost_flow, shortest_path, max_flow (networks); set_cover;
production_planning, lot_sizing, blending (planning); machine_scheduling, shift_scheduling,
unit_commitment (scheduling); portfolio (QP), eoq (QCP), pricing (NLP). LP, MILP and the QP go to HiGHS,
eoq and pricing to SCIP. Every family's size grows with ``complexity`` (more variables at each level);
complexity 1 solves in milliseconds, complexity 5 in well under a second on an idle core.

Every family has a formulation. Two differ in form from their reference code (same optimum):
cutting_stock numbers the bars (at most ``sum(ceil(demand / pieces per bar))`` of them) and decides
the pieces cut from each, instead of enumerating cutting patterns; max_flow maximizes a ``delivered``
variable tied to the flow into the sink. Expressions avoid ``<`` and ``>`` (the code writer makes every
strict comparison non-strict, conditions included) and objectives avoid ``==`` (an objective is not
a comparison, so the Formulation reads ``==`` there as a slip).
"""

from optolab.synth.generators.base import (
    Generator,
    GeneratorError,
    Instance,
    build_model,
    generate,
    generators,
    get_generator,
    solve_instance,
)

__all__ = ["Generator", "GeneratorError", "Instance", "build_model", "generate", "generators",
           "get_generator", "solve_instance"]
