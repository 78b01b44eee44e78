"""Parameter constraints that a machine can check.

A constraint is text shown to the optimizer. When that text is also a small Python boolean
expression over the value — ``"0 <= x <= 1"``, ``"len(x) <= 200"``, ``"x in ('a', 'b')"``,
``"x.startswith('You')"`` — it is checked too: the parameter's name, ``x`` or ``value`` stand
for the proposed value. Only comparisons, arithmetic, boolean logic, literals, a few
built-ins (``len abs min max round int float str sum all any isinstance``) and method calls on
the value are allowed; anything else means "text only" and is never evaluated.
"""

from __future__ import annotations

import ast
from typing import Any, Callable

_FUNCS = {"len": len, "abs": abs, "min": min, "max": max, "round": round, "int": int, "float": float,
          "str": str, "sum": sum, "all": all, "any": any, "isinstance": isinstance, "bool": bool,
          "list": list, "dict": dict, "tuple": tuple, "set": set}
_SAFE_METHODS = {"startswith", "endswith", "lower", "upper", "strip", "count", "isdigit", "isalpha", "split",
                 "keys", "values", "items", "get", "find", "isidentifier"}
_NODES = (ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.Compare,
          ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot, ast.BinOp,
          ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.Constant, ast.Name, ast.Load,
          ast.Tuple, ast.List, ast.Set, ast.Call, ast.Attribute, ast.Subscript, ast.Slice, ast.IfExp)


def compile_constraint(text: str | None, name: str | None = None) -> Callable[[Any], bool] | None:
    """A checker for ``text``, or None when the text is not a checkable expression."""
    if not text or not isinstance(text, str):
        return None
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return None
    names = {"x", "value"} | ({name} if name and name.isidentifier() else set())
    used_value = False
    for node in ast.walk(tree):
        if not isinstance(node, _NODES):
            return None
        if isinstance(node, ast.Name):
            if node.id in names:
                used_value = True
            elif node.id not in _FUNCS and node.id not in ("True", "False", "None"):
                return None
        if isinstance(node, ast.Attribute) and (node.attr.startswith("_") or node.attr not in _SAFE_METHODS):
            return None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id not in _FUNCS:
            return None
    if not used_value or not isinstance(tree.body, (ast.Compare, ast.BoolOp, ast.UnaryOp, ast.Call)):
        return None
    code = compile(tree, "<constraint>", "eval")

    def check(value: Any) -> bool:
        env = {k: value for k in names}
        try:
            return bool(eval(code, {"__builtins__": {}}, {**_FUNCS, **env}))  # noqa: S307 - vetted AST
        except Exception:
            return False

    return check
