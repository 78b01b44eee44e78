"""Mechanical repairs of a formulation, applied before any check or run.

A small model often writes ``station[1]`` for a variable it declared without an index, or
``sum(station)`` for the sum over an indexed variable (which in Pyomo would add up the *index
values*). Both have one sensible reading, so they are fixed here instead of costing a repair
round-trip to the model. Every fix is recorded so the agent can report it.
"""

from __future__ import annotations

import ast

from optolab.agents.formulation import Formulation


def _expressions(f: Formulation) -> list[str]:
    return [f.objective.expression] + [c.expression for c in f.constraints]


def _subscripts(expr: str, name: str) -> list[ast.expr]:
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError:
        return []
    return [n.slice for n in ast.walk(tree)
            if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name) and n.value.id == name]


def _constants(nodes: list[ast.expr]) -> list | None:
    """The constant subscripts, or None if any subscript is not a single constant."""
    out = []
    for n in nodes:
        if isinstance(n, ast.Constant):
            out.append(n.value)
        else:
            return None
    return out


def autofix(f: Formulation) -> tuple[Formulation, list[str]]:
    notes: list[str] = []
    f = f.model_copy(deep=True)
    for v in f.variables:
        if v.index:
            continue
        subs = [s for e in _expressions(f) for s in _subscripts(e, v.name)]
        if not subs:
            continue
        consts = _constants(subs)
        candidates = []
        for set_name, elements in f.sets.items():
            if consts is not None and all(c in elements for c in consts):
                candidates.append(set_name)
        if consts is None and len(f.sets) == 1:
            candidates = list(f.sets)
        if len(candidates) == 1:
            v.index = [candidates[0]]
            notes.append(f"variable {v.name} is used with an index, so it was declared over {candidates[0]}")
        elif consts is not None and not f.sets:
            elements = sorted(set(consts), key=str)
            set_name = f"{v.name}_index"
            f.sets[set_name] = elements
            v.index = [set_name]
            notes.append(f"variable {v.name} is used as {v.name}[...], so it was declared over {elements}")
    indexed = {v.name for v in f.variables if v.index}
    for item in [f.objective, *f.constraints]:
        fixed = _sum_of_indexed(item.expression, indexed)
        if fixed != item.expression:
            notes.append(f"sum over an indexed variable rewritten: {item.expression!r} -> {fixed!r}")
            item.expression = fixed
    return f, notes


class _SumValues(ast.NodeTransformer):
    def __init__(self, names: set[str]):
        self.names = names

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if (isinstance(node.func, ast.Name) and node.func.id == "sum" and len(node.args) == 1
                and isinstance(node.args[0], ast.Name) and node.args[0].id in self.names):
            node.args[0] = ast.Call(func=ast.Attribute(value=node.args[0], attr="values", ctx=ast.Load()),
                                    args=[], keywords=[])
        return node


def _sum_of_indexed(expr: str, names: set[str]) -> str:
    if "sum(" not in expr or not names:
        return expr
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError:
        return expr
    before = ast.dump(tree)
    tree = _SumValues(names).visit(tree)
    return expr if ast.dump(tree) == before else ast.unparse(tree)
