"""Traced operators: Python functions whose calls are recorded as graph nodes."""

from __future__ import annotations

import functools
import inspect
import traceback
from typing import Any, Callable

from optolab.errors import TracedExecutionError
from optolab.trace.code import CodeParameter
from optolab.trace.context import _ON_ERROR, _TRACING
from optolab.trace.nodes import _ACCESS, ErrorInfo, ErrorNode, Node, OpNode, short_repr

_CONTAINERS = (list, tuple)

# A backward rule maps (node, feedback) to the feedback for each parent: a dict keyed by
# argument name (parents not named get nothing) or a single value given to every parent.
BackwardRule = Callable[[OpNode, Any], Any]


def _first_doc_line(fn: Callable) -> str:
    doc = inspect.getdoc(fn) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


class Operator:
    """A function whose calls are traced. Made by ``@trace.node`` (alias ``@trace.bundle``).

    Calling it with nodes or plain values runs the function on the plain values and returns
    an :class:`~optolab.trace.OpNode` whose parents are the inputs (plain inputs become
    constant nodes). With ``trainable=True`` the function's source is a
    :class:`~optolab.trace.CodeParameter` (``op.code``) that optimizers may rewrite.
    """

    def __init__(
        self,
        fn: Callable,
        *,
        name: str | None = None,
        description: str | None = None,
        trainable: bool = False,
        on_error: str | None = None,
        backward: BackwardRule | None = None,
        constraint: str | None = None,
    ):
        if not callable(fn):
            raise TypeError(f"@trace.node decorates functions; got {type(fn).__name__}")
        if on_error not in (None, "node", "raise"):
            raise ValueError(f"on_error must be 'node' or 'raise', got {on_error!r}")
        self.fn = fn
        self.name = name or getattr(fn, "__name__", type(fn).__name__)
        self.description = description if description is not None else _first_doc_line(fn)
        self.on_error = on_error
        self.backward_rule = backward
        self.is_async = inspect.iscoroutinefunction(fn)
        self.code: CodeParameter | None = (
            CodeParameter(fn, self.name, description=self.description, constraint=constraint) if trainable else None
        )
        self._source: str | None = None
        self._positional, self._varargs = _positional_names(fn)
        functools.update_wrapper(self, fn, updated=())

    # --- description ---------------------------------------------------------------------
    @property
    def trainable(self) -> bool:
        return self.code is not None

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.fn) or ""

    @property
    def source(self) -> str:
        """The current source text (the trained one for trainable operators)."""
        if self.code is not None:
            return self.code._data
        if self._source is None:
            try:
                from optolab.trace.code import function_source

                self._source = function_source(self.fn)
            except Exception:
                self._source = f"def {self.name}(...): ...  # source not available"
        return self._source

    def parameters(self) -> list[CodeParameter]:
        return [self.code] if self.code is not None else []

    def __repr__(self) -> str:
        flag = ", trainable" if self.code is not None else ""
        return f"<traced operator {self.name}{flag}>"

    # --- binding as a method ------------------------------------------------------------
    def __get__(self, instance: Any, owner: type | None = None):
        if instance is None:
            return self
        if self.code is None:
            return BoundOperator(self, instance)
        # trainable methods get their own code parameter per instance, like nn.Module weights
        key = f"__optolab_op_{self.name}"
        inst_dict = getattr(instance, "__dict__", None)
        if inst_dict is None:
            return BoundOperator(self, instance)
        own = inst_dict.get(key)
        if own is None:
            own = self._clone()
            inst_dict[key] = own
        return BoundOperator(own, instance)

    def _clone(self) -> "Operator":
        twin = object.__new__(Operator)
        twin.__dict__.update(self.__dict__)
        if self.code is not None:
            twin.code = self.code.clone()
        return twin

    # --- calling ------------------------------------------------------------------------
    def _function(self) -> Callable:
        return self.code.function if self.code is not None else self.fn

    def __call__(self, *args: Any, **kwargs: Any):
        if self.is_async:
            return self._acall(None, args, kwargs)
        return self._call(None, args, kwargs)

    # The sync and async paths differ only in awaiting the body: ``_enter`` binds the arguments
    # and enters the body's context, ``_returned`` and ``_raised`` leave it and make the node.
    def _call(self, bound: Any, args: tuple, kwargs: dict):
        fn, values, kw, call = self._enter(bound, args, kwargs)
        if fn is None:
            return call
        try:
            result = fn(*values, **kw)
        except BaseException as exc:
            return self._raised(exc, values, kw, call)
        return self._returned(result, call)

    async def _acall(self, bound: Any, args: tuple, kwargs: dict):
        fn, values, kw, call = self._enter(bound, args, kwargs)
        if fn is None:
            return call
        try:
            result = await fn(*values, **kw)
        except BaseException as exc:
            return self._raised(exc, values, kw, call)
        return self._returned(result, call)

    def _enter(self, bound: Any, args: tuple, kwargs: dict) -> tuple:
        """Bind the arguments: plain values for the function, parent nodes with their argument
        names for the graph. Returns ``(fn, values, kw, call)``; ``fn`` is None when an input is
        an error node, and ``call`` is then the error node passed on. Otherwise tracing is
        switched off and node reads are recorded until ``_returned``/``_raised``."""
        tracing = _TRACING.get()
        parents: list[Node] = []
        names: list[str] = []
        values: list[Any] = [] if bound is None else [bound]
        kw: dict[str, Any] = {}
        upstream: Node | None = None
        pos = self._positional
        npos = len(pos)
        offset = 0 if bound is None else 1  # the bound object takes the first parameter
        for i, a in enumerate(args):
            j = i + offset
            argname = pos[j] if j < npos else f"{self._varargs or 'args'}[{j - npos}]"
            if isinstance(a, Node):  # the common case, inline for speed
                values.append(a._data)
                if tracing:
                    parents.append(a)
                    names.append(argname)
                if upstream is None and a.is_error:
                    upstream = a
            else:
                values.append(_bind(a, argname, parents, names, tracing))
        for key, a in kwargs.items():
            kw[key] = _bind(a, key, parents, names, tracing)
            if upstream is None and isinstance(a, Node) and a.is_error:
                upstream = a
        if self.code is not None and tracing:
            parents.append(self.code)
            names.append("__code__")
        if upstream is not None:
            return None, values, kw, ErrorNode(upstream._data, self, tuple(parents), tuple(names), upstream.error)
        accessed: list[Node] = []
        t_trace = _TRACING.set(False)
        t_acc = _ACCESS.set(accessed)
        return self._function(), values, kw, (tracing, parents, names, accessed, t_trace, t_acc)

    def _returned(self, result: Any, call: tuple) -> OpNode:
        tracing, parents, names, accessed, t_trace, t_acc = call
        _ACCESS.reset(t_acc)
        _TRACING.reset(t_trace)
        if isinstance(result, Node):
            result = result._data
        if not tracing:
            return OpNode(result, self, (), ())
        if accessed:
            _add_accessed(accessed, parents, names)
        return OpNode(result, self, tuple(parents), tuple(names))

    def _raised(self, exc: BaseException, values: list, kw: dict, call: tuple) -> ErrorNode:
        """The error node for an exception that left the body. Exceptions that are not
        ``Exception`` and misuse signals (e.g. a forbidden real model call) are re-raised."""
        _, parents, names, _, t_trace, t_acc = call
        try:
            if not isinstance(exc, Exception) or getattr(exc, "propagate_through_trace", False):
                raise exc
            return self._error_node(exc, values, kw, parents, names)
        finally:
            _ACCESS.reset(t_acc)
            _TRACING.reset(t_trace)

    def _error_node(self, exc: Exception, values: list, kw: dict, parents: list, names: list) -> ErrorNode:
        inputs = {}
        pos = self._positional
        for i, v in enumerate(values):
            inputs[pos[i] if i < len(pos) else f"args[{i - len(pos)}]"] = short_repr(v, 200)
        for k, v in kw.items():
            inputs[k] = short_repr(v, 200)
        frames = traceback.extract_tb(exc.__traceback__)[1:]  # drop the frame of this module
        tb_text = "".join(traceback.format_list(frames[-6:]))
        info = ErrorInfo(type(exc).__name__, str(exc), tb_text, inputs, self.name)
        node = ErrorNode(exc, self, tuple(parents), tuple(names), info)
        mode = self.on_error or _ON_ERROR.get()
        if mode == "raise":
            raise TracedExecutionError(
                f"traced operator {self.name!r} raised {type(exc).__name__}: {exc}", node
            ) from exc
        return node


class BoundOperator:
    """An operator bound to an object, as ``obj.method`` (the object is not traced)."""

    __slots__ = ("op", "instance")

    def __init__(self, op: Operator, instance: Any):
        self.op = op
        self.instance = instance

    @property
    def code(self) -> CodeParameter | None:
        return self.op.code

    @property
    def name(self) -> str:
        return self.op.name

    def parameters(self) -> list[CodeParameter]:
        return self.op.parameters()

    def __call__(self, *args: Any, **kwargs: Any):
        if self.op.is_async:
            return self.op._acall(self.instance, args, kwargs)
        return self.op._call(self.instance, args, kwargs)

    def __repr__(self) -> str:
        return f"<bound {self.op!r} of {type(self.instance).__name__}>"


def _positional_names(fn: Callable) -> tuple[tuple[str, ...], str | None]:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return (), "args"
    pos, varargs = [], None
    for p in sig.parameters.values():
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            pos.append(p.name)
        elif p.kind == p.VAR_POSITIONAL:
            varargs = p.name
    return tuple(pos), varargs


def _bind(a: Any, argname: str, parents: list, names: list, tracing: bool) -> Any:
    """The value to pass for one argument. When tracing, its nodes are recorded as parents: a
    node itself, the nodes inside a list, tuple or dict, or a new constant node for a plain value."""
    if isinstance(a, Node):
        if tracing:
            parents.append(a)
            names.append(argname)
        return a._data
    if type(a) in _CONTAINERS and any(isinstance(x, Node) for x in a):
        return _unwrap_sequence(a, argname, parents, names, tracing)
    if type(a) is dict and any(isinstance(x, Node) for x in a.values()):
        return _unwrap_dict(a, argname, parents, names, tracing)
    if tracing:
        parents.append(Node(a, name=argname))
        names.append(argname)
    return a


def _unwrap_sequence(seq, argname: str, parents: list, names: list, tracing: bool):
    out = []
    for k, x in enumerate(seq):
        if isinstance(x, Node):
            out.append(x._data)
            if tracing:
                parents.append(x)
                names.append(f"{argname}[{k}]")
        else:
            out.append(x)
    return type(seq)(out) if type(seq) is tuple else out


def _unwrap_dict(d: dict, argname: str, parents: list, names: list, tracing: bool) -> dict:
    out = {}
    for k, x in d.items():
        if isinstance(x, Node):
            out[k] = x._data
            if tracing:
                parents.append(x)
                names.append(f"{argname}[{k!r}]")
        else:
            out[k] = x
    return out


def _add_accessed(accessed: list[Node], parents: list, names: list) -> None:
    """Nodes whose data the body read through closures or ``self`` become parents too."""
    known = {id(p) for p in parents}
    for n in accessed:
        if id(n) in known:
            continue
        if isinstance(n, OpNode) and not n.parents:
            continue  # made inside the body itself, where tracing is off
        known.add(id(n))
        parents.append(n)
        names.append(f"(read) {n.name}")
