"""Plain arithmetic on numbers read from model code, without running the code.

The fixes that read LLM-written code work out small expressions of it in the parent process (a share written
``40 / 100``, an objective's weight ``80 / 15``). :func:`arith` walks the syntax tree and knows numbers, the
four operations, powers and signs, nothing else: no names, calls or attributes ever run here (the code
itself only runs in the sandbox).
"""

from __future__ import annotations

import ast
import operator

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}


def arith(node: ast.AST, values: dict[str, float] | None = None) -> float | None:
    """The value of ``node`` when it is arithmetic on numbers (and on the names or ``model.<name>`` attributes
    given in ``values``); None for anything else, a division by zero or an overflow."""
    values = values or {}
    try:
        return _value(node, values)
    except (ArithmeticError, ValueError, TypeError):
        return None


def _value(node: ast.AST, values: dict[str, float]) -> float | None:
    if isinstance(node, ast.Expression):
        return _value(node.body, values)
    if isinstance(node, ast.Constant):
        v = node.value
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None
    if isinstance(node, ast.Name):
        return values.get(node.id)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return values.get(node.attr)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        inner = _value(node.operand, values)
        return None if inner is None else _UNARY[type(node.op)](inner)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _value(node.left, values), _value(node.right, values)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Pow) and abs(right) > 64:
            return None  # no huge powers
        result = _BINARY[type(node.op)](left, right)
        return float(result) if isinstance(result, (int, float)) else None
    return None
