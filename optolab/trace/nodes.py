"""Graph nodes: values, parameters, operator results and errors.

A node is its data, its parents and (for operator results) the operator that made it —
the same three things a micrograd ``Value`` holds, with feedback in place of gradients.
Parents are strong references and children weak ones, so an output keeps the graph that
produced it alive and dropping the output frees that graph.

What Python syntax on a node does
---------------------------------
Traced (return a new node whose parents are the operands):
arithmetic ``+ - * / // % ** @``, unary ``- + abs ~``, bitwise ``& | ^``, ordering
comparisons ``< <= > >=``, indexing ``node[k]``, attribute access ``node.attr`` (for names
that are not attributes of :class:`Node` itself; use :meth:`Node.attr` for those), calls
``node(...)``, iteration ``for item in node`` (each item is a node), and the explicit
methods :meth:`Node.eq`, :meth:`Node.ne`, :meth:`Node.len`, :meth:`Node.contains`.

Not traced (Python requires a plain result): ``bool(node)``, ``len(node)``,
``x in node``, ``str(node)``, ``format(node)`` / f-strings, ``int(node)``, ``float(node)``,
``hash(node)``, and ``"template" % node`` (``str`` formats any object itself; put the node
on the left or use ``trace.ops.mod``). ``node == other`` and ``node != other`` compare the *data* and return a
plain ``bool`` so that ``if answer == "yes":`` reads naturally; nodes hash by identity,
so two distinct nodes holding equal data are still two set members.
"""

from __future__ import annotations

import itertools
import reprlib
import weakref
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from optolab.errors import ParameterUpdateError

# A process-wide source of unique ids. It carries no behaviour: ids only tell nodes apart.
_UIDS = itertools.count()

# While a traced operator body runs, nodes whose data it reads are collected here so that
# values the body reaches through closures or ``self`` still become parents of the result.
_ACCESS: ContextVar[list | None] = ContextVar("optolab_node_access", default=None)

_short = reprlib.Repr()
_short.maxstring = 60
_short.maxother = 60
_short.maxlist = 6
_short.maxdict = 6


def short_repr(value: Any, limit: int = 60) -> str:
    """A bounded one-line repr for graph labels and error messages."""
    _short.maxstring = limit
    _short.maxother = limit
    text = _short.repr(value)
    return text.replace("\n", "\\n")


def _note_access(node: "Node") -> None:
    acc = _ACCESS.get()
    if acc is not None:
        acc.append(node)


class Node:
    """A value in a traced computation.

    ``Node(data)`` is a constant; see :class:`Parameter` for trainable values and
    :class:`OpNode` for results of traced operators. Use :func:`optolab.trace.node` to make
    nodes rather than the classes directly.
    """

    __slots__ = ("_data", "name", "description", "parents", "_children", "uid", "info", "__weakref__")

    kind = "value"
    trainable = False

    def __init__(self, data: Any, *, name: str | None = None, description: str = "", info: dict | None = None):
        if isinstance(data, Node):
            raise TypeError("Node(data): data is already a node; use it directly")
        self._data = data
        self.uid = next(_UIDS)
        self.name = name if name is not None else type(data).__name__
        self.description = description
        self.parents: tuple[Node, ...] = ()
        self._children: list | None = None
        self.info = info

    # --- data and structure ----------------------------------------------------------------
    @property
    def data(self) -> Any:
        """The plain Python value this node holds."""
        acc = _ACCESS.get()
        if acc is not None:
            acc.append(self)
        return self._data

    @property
    def label(self) -> str:
        """A name unique within the process: ``name:uid``."""
        return f"{self.name}:{self.uid}"

    @property
    def children(self) -> list["Node"]:
        """Nodes computed from this one that are still alive."""
        if not self._children:
            return []
        alive = [c for c in (ref() for ref in self._children) if c is not None]
        return alive

    def _add_child(self, child: "Node") -> None:
        kids = self._children
        if kids is None:
            self._children = [weakref.ref(child)]
            return
        kids.append(weakref.ref(child))
        n = len(kids)
        if n >= 64 and not (n & (n - 1)):  # at powers of two, drop references to dead children
            kids[:] = [r for r in kids if r() is not None]

    @property
    def feedback(self) -> list["FeedbackEntry"]:
        """Feedback kept by this node; only parameters keep feedback."""
        return []

    @property
    def is_error(self) -> bool:
        return False

    def backward(self, feedback: Any) -> list["Parameter"]:
        """Send ``feedback`` (text or a number) to every trainable ancestor; returns those reached.

        See :func:`optolab.trace.backward`.
        """
        from optolab.trace.backward import backward

        return backward(self, feedback)

    # --- explicit traced helpers ----------------------------------------------------------
    def attr(self, name: str) -> "Node":
        """Traced attribute access, also for names that :class:`Node` itself defines."""
        return _ops.getattr_(self, name)

    def eq(self, other: Any) -> "Node":
        """Traced ``==``: a node holding ``self.data == other``."""
        return _ops.eq(self, other)

    def ne(self, other: Any) -> "Node":
        """Traced ``!=``."""
        return _ops.ne(self, other)

    def len(self) -> "Node":
        """Traced ``len``."""
        return _ops.len_(self)

    def contains(self, item: Any) -> "Node":
        """Traced ``item in self``."""
        return _ops.contains(self, item)

    # --- untraced protocol methods (Python needs plain results) ---------------------------
    def __bool__(self) -> bool:
        _note_access(self)
        return bool(self._data)

    def __len__(self) -> int:
        _note_access(self)
        return len(self._data)

    def __contains__(self, item: Any) -> bool:
        _note_access(self)
        if isinstance(item, Node):
            item = item._data
        return item in self._data

    def __str__(self) -> str:
        _note_access(self)
        return str(self._data)

    def __format__(self, spec: str) -> str:
        _note_access(self)
        return format(self._data, spec)

    def __int__(self) -> int:
        return int(self._data)

    def __float__(self) -> float:
        return float(self._data)

    def __index__(self) -> int:
        return self._data.__index__()

    def __eq__(self, other: object) -> bool:  # type: ignore[override]
        if isinstance(other, Node):
            other = other._data
        return bool(self._data == other)

    def __ne__(self, other: object) -> bool:  # type: ignore[override]
        return not self.__eq__(other)

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.label}, data={short_repr(self._data)})"

    def __copy__(self):
        raise TypeError("nodes are not copied; make a new node with trace.node(value)")

    def __deepcopy__(self, memo):
        raise TypeError("nodes are not copied; make a new node with trace.node(value)")

    def __reduce__(self):
        raise TypeError("nodes are not pickled; save a Module's state with Module.save(path) instead")

    # --- traced syntax ---------------------------------------------------------------------
    def __getattr__(self, name: str) -> "Node":
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            data = object.__getattribute__(self, "_data")
        except AttributeError:
            raise AttributeError(name) from None
        if not hasattr(data, name):
            raise AttributeError(
                f"{type(data).__name__} value of node {self.label!r} has no attribute {name!r}"
            )
        return _ops.getattr_(self, name)

    def __call__(self, *args: Any, **kwargs: Any) -> "Node":
        return _ops.call(self, *args, **kwargs)

    def __getitem__(self, key: Any) -> "Node":
        return _ops.getitem(self, key)

    def __setitem__(self, key: Any, value: Any) -> None:
        raise TypeError(
            f"node {self.label!r} does not support item assignment: build a new value with a traced operator"
        )

    def __iter__(self) -> Iterator["Node"]:
        return _ops.iterate(self)

    def __add__(self, o):
        return _ops.add(self, o)

    def __radd__(self, o):
        return _ops.add(o, self)

    def __sub__(self, o):
        return _ops.sub(self, o)

    def __rsub__(self, o):
        return _ops.sub(o, self)

    def __mul__(self, o):
        return _ops.mul(self, o)

    def __rmul__(self, o):
        return _ops.mul(o, self)

    def __matmul__(self, o):
        return _ops.matmul(self, o)

    def __rmatmul__(self, o):
        return _ops.matmul(o, self)

    def __truediv__(self, o):
        return _ops.truediv(self, o)

    def __rtruediv__(self, o):
        return _ops.truediv(o, self)

    def __floordiv__(self, o):
        return _ops.floordiv(self, o)

    def __rfloordiv__(self, o):
        return _ops.floordiv(o, self)

    def __mod__(self, o):
        return _ops.mod(self, o)

    def __rmod__(self, o):
        return _ops.mod(o, self)

    def __pow__(self, o):
        return _ops.pow_(self, o)

    def __rpow__(self, o):
        return _ops.pow_(o, self)

    def __and__(self, o):
        return _ops.and_(self, o)

    def __rand__(self, o):
        return _ops.and_(o, self)

    def __or__(self, o):
        return _ops.or_(self, o)

    def __ror__(self, o):
        return _ops.or_(o, self)

    def __xor__(self, o):
        return _ops.xor(self, o)

    def __rxor__(self, o):
        return _ops.xor(o, self)

    def __neg__(self):
        return _ops.neg(self)

    def __pos__(self):
        return _ops.pos(self)

    def __abs__(self):
        return _ops.abs_(self)

    def __invert__(self):
        return _ops.invert(self)

    def __lt__(self, o):
        return _ops.lt(self, o)

    def __le__(self, o):
        return _ops.le(self, o)

    def __gt__(self, o):
        return _ops.gt(self, o)

    def __ge__(self, o):
        return _ops.ge(self, o)


@dataclass(frozen=True, slots=True)
class FeedbackEntry:
    """Feedback that reached a parameter from one ``backward`` call.

    ``path`` lists node labels from the output down to the parameter along one
    route (the first one feedback arrived by); ``n_paths`` counts all routes. ``output`` is the node ``backward`` was called
    on: it keeps that graph alive until the parameter's feedback is cleared.
    """

    content: Any
    path: tuple[str, ...]
    output: Node
    n_paths: int = 1

    def __str__(self) -> str:
        route = " <- ".join(self.path)
        return f"{self.content}  (via {route})"


class Parameter(Node):
    """A trainable value: optimizers read its feedback and replace its data."""

    __slots__ = ("_feedback", "constraint", "validator", "frozen", "_checker")

    kind = "parameter"

    def __init__(
        self,
        data: Any,
        *,
        name: str | None = None,
        description: str = "",
        constraint: str | None = None,
        validator: Callable[[Any], Any] | None = None,
        info: dict | None = None,
    ):
        super().__init__(data, name=name, description=description, info=info)
        self._feedback: list[FeedbackEntry] = []
        self.constraint = constraint
        self.validator = validator
        self.frozen = False
        self._checker: Any = None  # compiled from the constraint on first use

    @property
    def trainable(self) -> bool:  # type: ignore[override]
        return not self.frozen

    @property
    def data(self) -> Any:
        acc = _ACCESS.get()
        if acc is not None:
            acc.append(self)
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        self.set(value)

    @property
    def feedback(self) -> list[FeedbackEntry]:
        return self._feedback

    def zero_feedback(self) -> None:
        """Forget the feedback received so far (and the graphs it kept alive)."""
        self._feedback = []

    def check(self, value: Any) -> Any:
        """Validate a proposed value and return it, possibly converted.

        The value must have the type of the current value (an int may become a float); the
        ``validator`` callable, if given, may convert it or raise; a constraint written as a
        Python expression (see :mod:`optolab.trace.constraints`) is checked. Raises
        :class:`~optolab.errors.ParameterUpdateError` with the reason.
        """
        current = self._data
        if current is not None and value is not None and not isinstance(value, type(current)):
            if isinstance(current, float) and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            elif isinstance(current, int) and isinstance(value, float) and value.is_integer() and not isinstance(current, bool):
                value = int(value)
            else:
                raise ParameterUpdateError(
                    f"parameter {self.name!r} holds a {type(current).__name__}; "
                    f"the proposed value {short_repr(value)} is a {type(value).__name__}"
                )
        if self.validator is not None:
            try:
                result = self.validator(value)
            except ParameterUpdateError:
                raise
            except Exception as exc:  # the validator's own words are the reason
                raise ParameterUpdateError(
                    f"parameter {self.name!r} rejected {short_repr(value)}: {exc}"
                ) from exc
            if result is False:
                raise ParameterUpdateError(
                    f"parameter {self.name!r} rejected {short_repr(value)}: it violates {self.constraint or 'its validator'}"
                )
            if result is not None and result is not True:
                value = result
        if self.constraint:
            if self._checker is None:
                from optolab.trace.constraints import compile_constraint

                self._checker = compile_constraint(self.constraint, self.name) or False
            if self._checker is not False and not self._checker(value):
                raise ParameterUpdateError(
                    f"parameter {self.name!r} rejected {short_repr(value)}: it violates the constraint {self.constraint!r}"
                )
        return value

    def set(self, value: Any) -> None:
        """Replace the value after :meth:`check`."""
        if isinstance(value, Node):
            value = value._data
        self._data = self.check(value)


class OpNode(Node):
    """The result of a traced operator: ``op`` made it from ``parents``.

    ``arg_names[i]`` is the name of the operator argument that ``parents[i]`` was passed as.
    """

    __slots__ = ("op", "arg_names")

    kind = "operator"

    def __init__(self, data: Any, op: Any, parents: tuple[Node, ...], arg_names: tuple[str, ...], name: str | None = None):
        self._data = data
        self.uid = next(_UIDS)
        self.name = name if name is not None else op.name
        self.description = op.description
        self.parents = parents
        self._children = None
        self.info = None
        self.op = op
        self.arg_names = arg_names
        for p in parents:
            p._add_child(self)

    @property
    def inputs(self) -> dict[str, Node]:
        """Argument name -> parent node."""
        return dict(zip(self.arg_names, self.parents))


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """What went wrong inside a traced operator."""

    type: str
    message: str
    traceback: str
    inputs: dict[str, str]
    operator: str

    def as_feedback(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.inputs.items())
        return (
            f"{self.operator}({args}) raised {self.type}: {self.message}\n"
            f"Traceback (most recent call last):\n{self.traceback}"
        )


class ErrorNode(OpNode):
    """An operator failed (or received a failed input). ``data`` is the exception."""

    __slots__ = ("error",)

    kind = "error"

    def __init__(self, exc: BaseException, op: Any, parents: tuple[Node, ...], arg_names: tuple[str, ...], error: ErrorInfo):
        super().__init__(exc, op, parents, arg_names, name=f"{op.name}.error")
        self.error = error

    @property
    def is_error(self) -> bool:
        return True

    @property
    def exception(self) -> BaseException:
        return self._data

    def feedback_text(self) -> str:
        """A description of the failure, ready to pass to ``backward``."""
        return self.error.as_feedback()

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"ErrorNode({self.label}, {self.error.type}: {short_repr(self.error.message)})"


from optolab.trace import ops as _ops  # noqa: E402  (the operators need Node defined first)
