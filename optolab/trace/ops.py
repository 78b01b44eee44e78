"""Traced versions of Python's operators, used by the syntax on :class:`~optolab.trace.Node`.

Each is an ordinary :class:`~optolab.trace.Operator`, so ``trace.ops.add(a, b)`` is the same
as ``a + b`` when either side is a node.
"""

from __future__ import annotations

import operator as _op
from typing import Any, Iterator

from optolab.trace.context import _TRACING
from optolab.trace.nodes import Node, OpNode
from optolab.trace.operators import Operator


def _make(fn, name: str, description: str) -> Operator:
    return Operator(fn, name=name, description=description)


add = _make(_op.add, "add", "a + b")
sub = _make(_op.sub, "sub", "a - b")
mul = _make(_op.mul, "mul", "a * b")
matmul = _make(_op.matmul, "matmul", "a @ b")
truediv = _make(_op.truediv, "truediv", "a / b")
floordiv = _make(_op.floordiv, "floordiv", "a // b")
mod = _make(_op.mod, "mod", "a % b (remainder, or printf-style string formatting)")
pow_ = _make(_op.pow, "pow", "a ** b")
and_ = _make(_op.and_, "and", "a & b")
or_ = _make(_op.or_, "or", "a | b")
xor = _make(_op.xor, "xor", "a ^ b")
neg = _make(_op.neg, "neg", "-a")
pos = _make(_op.pos, "pos", "+a")
abs_ = _make(abs, "abs", "abs(a)")
invert = _make(_op.invert, "invert", "~a")
lt = _make(_op.lt, "lt", "a < b")
le = _make(_op.le, "le", "a <= b")
gt = _make(_op.gt, "gt", "a > b")
ge = _make(_op.ge, "ge", "a >= b")
eq = _make(_op.eq, "eq", "a == b")
ne = _make(_op.ne, "ne", "a != b")
len_ = _make(len, "len", "len(obj)")
contains = _make(lambda container, item: item in container, "contains", "item in container")
getitem = _make(_op.getitem, "getitem", "obj[key]")
getattr_ = _make(getattr, "getattr", "obj.name")
call = _make(lambda function, *args, **kwargs: function(*args, **kwargs), "call", "function(*args, **kwargs)")
format_ = _make(lambda template, *args, **kwargs: template.format(*args, **kwargs), "format",
                "template.format(*args, **kwargs)")
_iter_op = Operator(lambda iterable, index: iterable[index], name="iter", description="one item of iter(iterable)")


def iterate(node: Node) -> Iterator[Node]:
    """Iterate a node's data, yielding each item as a node whose parent is ``node``."""
    tracing = _TRACING.get()
    for i, item in enumerate(node._data):
        if tracing:
            yield OpNode(item, _iter_op, (node,), ("iterable",), name=f"{node.name}[{i}]")
        else:
            yield OpNode(item, _iter_op, (), (), name=f"{node.name}[{i}]")


def apply(fn, *args: Any, **kwargs: Any) -> Node:
    """Trace a single call of ``fn`` without decorating it."""
    return Operator(fn)(*args, **kwargs)
