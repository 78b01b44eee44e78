"""Keep the traced steps of one :meth:`Modeler.solve` so feedback can be sent back through them.

``Modeler.solve`` returns a plain :class:`~optolab.agents.Solution`; the graph its steps built
(formulate or repair, write_code, run, check; for the program strategy write_program, run,
check_program) is dropped when the call returns. Inside
``record_steps(agent)`` each of those steps is wrapped so its result node is also kept on a
:class:`Tape`, which keeps that graph alive and says which node ended each attempt:

>>> with record_steps(agent) as tape:          # doctest: +SKIP
...     solution = agent.solve(question)
>>> for node in tape.targets():                # doctest: +SKIP
...     node.backward("the optimum is 680, the model gave 650")

The wrappers live in the agent instance's ``__dict__`` only while the block runs; the class and
other agents are untouched, and the agent's parameter names do not change.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any, Iterator

from optolab.trace.nodes import Node
from optolab.trace.operators import BoundOperator
from optolab.train.errors import TrainError

STEPS = ("formulate", "repair", "write_code", "run", "check", "write_program", "check_program")
_ROLE = {"write_code": "program", "run": "outcome", "check": "check", "check_program": "check"}


class TapeError(TrainError):
    """Wrong use of :func:`record_steps` (an agent without the traced steps, or nested recording)."""


@dataclass
class AttemptNodes:
    """The nodes of one round (formulate, repair, or write_program); ``check`` is None when the reply was
    not a model."""

    form: Node
    program: Node | None = None
    outcome: Node | None = None
    check: Node | None = None

    @property
    def terminal(self) -> Node:
        """The last node of the round: its check, or the failed reply."""
        for node in (self.check, self.outcome, self.program):
            if node is not None:
                return node
        return self.form

    @property
    def solved(self) -> bool:
        out = self.outcome
        if out is None or out.is_error:
            return False
        return bool(getattr(out._data, "ok", False))


@dataclass
class Tape:
    """Result nodes of the recorded steps, in call order: ``events`` holds ``(step, node)``."""

    events: list[tuple[str, Node, bool]] = field(default_factory=list)

    def add(self, step: str, node: Any, fresh: bool = True) -> None:
        if isinstance(node, Node):
            self.events.append((step, node, fresh))

    def chains(self) -> list[list[AttemptNodes]]:
        """Rounds grouped per chain: a fresh request (formulate, or write_program without a previous
        answer) starts a chain, a repair continues it. Fresh requests that follow a failed round
        (``retry="auto"``) are chains of their own: each is an independent sample of the same prompt."""
        chains: list[list[AttemptNodes]] = []
        for step, node, fresh in self.events:
            starts = step == "formulate" or (step == "write_program" and fresh)
            if starts or (step in ("repair", "write_program") and not chains):
                chains.append([AttemptNodes(node, program=node if step == "write_program" else None)])
            elif step in ("repair", "write_program"):
                chains[-1].append(AttemptNodes(node, program=node if step == "write_program" else None))
            elif chains and chains[-1]:
                setattr(chains[-1][-1], _ROLE[step], node)
        return chains

    def targets(self) -> list[Node]:
        """One node per chain to send feedback to: the round whose model was kept, else the last round.

        The agent keeps a solved round (the last of the best-ranked ones); this returns the last
        solved round's terminal node, which is that round for every chain that stopped on success.
        """
        out = []
        for chain in self.chains():
            solved = [a for a in chain if a.solved]
            out.append((solved[-1] if solved else chain[-1]).terminal)
        return out

    def clear(self) -> None:
        """Drop the recorded nodes (and with them the graphs, once feedback is cleared too)."""
        self.events.clear()


class _Recording(BoundOperator):
    """A bound traced step that also puts its result on a tape."""

    __slots__ = ("tape", "step")

    def __init__(self, bound: BoundOperator, tape: Tape, step: str):
        super().__init__(bound.op, bound.instance)
        self.tape = tape
        self.step = step

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        out = super().__call__(*args, **kwargs)
        fresh = True
        if self.step == "write_program":  # write_program(instructions, template, question, examples, previous, ...)
            previous = args[4] if len(args) > 4 else kwargs.get("previous")
            fresh = getattr(previous, "data", previous) is None
        self.tape.add(self.step, out, fresh)
        return out


@contextlib.contextmanager
def record_steps(agent: Any, steps: tuple[str, ...] = STEPS) -> Iterator[Tape]:
    """Record the result nodes of ``agent``'s traced steps while the block runs (one thread per agent)."""
    tape = Tape()
    inst = getattr(agent, "__dict__", None)
    if inst is None:
        raise TapeError(f"{type(agent).__name__} has no instance dict; record_steps needs a trace.Module agent")
    installed: list[str] = []
    try:
        for step in steps:
            if isinstance(inst.get(step), _Recording):
                raise TapeError(f"the steps of this {type(agent).__name__} are already being recorded; "
                                "record one solve at a time per agent")
            bound = getattr(agent, step, None)
            if not isinstance(bound, BoundOperator):
                raise TapeError(f"{type(agent).__name__}.{step} is not a traced step (@trace.node method); "
                                f"record_steps needs the steps {', '.join(steps)}")
            inst[step] = _Recording(bound, tape, step)
            installed.append(step)
        yield tape
    finally:
        for step in installed:
            inst.pop(step, None)
