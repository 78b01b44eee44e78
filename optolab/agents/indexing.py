"""Mechanical fixes of how LLM-written code indexes its components and names its loop variables.

- ``x[p][t]`` of a variable declared over two sets (``pyo.Var(products, teams)``): Pyomo reads
  ``x['AppX']`` as a whole index and fails with a KeyError; it means ``x[p, t]``.
- ``sum(profit[c] * area[c] for c in crops) / (water[c] * area[c])``: the loop variable ``c`` is used
  outside the generator that binds it (a NameError); the stray side is summed over the same loop:
  ``... / sum(water[c] * area[c] for c in crops)``.

Each fix says what it changed, in words for the trail (see :mod:`optolab.agents.codefix`).
"""

from __future__ import annotations

import ast

_INDEXED = ("Var", "Param", "Expression")


def _component_arity(tree: ast.Module) -> dict[str, int]:
    """Name (``x`` and ``model.x`` alike) -> number of index sets of each ``Var``/``Param``/``Expression``
    declared over two or more sets given one by one (``pyo.Var(products, teams, ...)``)."""
    arity: dict[str, int] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.value, ast.Call)):
            continue
        func = node.value.func
        kind = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        sets = [a for a in node.value.args if not isinstance(a, ast.Starred)]
        if kind not in _INDEXED or len(sets) < 2 or len(sets) != len(node.value.args):
            continue
        target = node.targets[0]
        name = target.attr if isinstance(target, ast.Attribute) else target.id if isinstance(target, ast.Name) else None
        if name:
            arity[name] = len(sets)
    for node in ast.walk(tree):  # aliases: ``x = model.x``
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and isinstance(node.value, ast.Attribute) and node.value.attr in arity:
            arity.setdefault(node.targets[0].id, arity[node.value.attr])
    return arity


def _reference(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.attr
    return None


class _JoinChainedIndexes(ast.NodeTransformer):
    def __init__(self, arity: dict[str, int], changes: list[str]) -> None:
        self.arity = arity
        self.changes = changes

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        self.generic_visit(node)
        keys: list[ast.expr] = []
        base: ast.AST = node
        while isinstance(base, ast.Subscript):
            keys.insert(0, base.slice)
            base = base.value
        name = _reference(base)
        if name not in self.arity or len(keys) < 2 or isinstance(node.ctx, ast.Del) \
                or any(isinstance(k, (ast.Tuple, ast.Slice)) for k in keys):
            return node
        if len(keys) != self.arity[name]:
            return node
        joined = ast.Subscript(value=base, slice=ast.Tuple(elts=keys, ctx=ast.Load()), ctx=node.ctx)
        self.changes.append(f"line {node.lineno}: {ast.unparse(node)} indexes {name}, declared over "
                            f"{self.arity[name]} sets, one key at a time; used {ast.unparse(joined)}")
        return ast.copy_location(joined, node)


def join_chained_indexes(tree: ast.Module, changes: list[str]) -> ast.Module:
    """``x[a][b]`` -> ``x[a, b]`` for components declared over as many sets as the chain has keys."""
    arity = _component_arity(tree)
    return _JoinChainedIndexes(arity, changes).visit(tree) if arity else tree


def _comprehension_only_names(tree: ast.Module) -> set[str]:
    """Names bound only as targets of comprehensions: nowhere else (assignments, loops, arguments)."""
    in_comprehensions = {n.id for c in ast.walk(tree) if isinstance(c, ast.comprehension)
                         for n in ast.walk(c.target) if isinstance(n, ast.Name)}
    targets = {id(n) for c in ast.walk(tree) if isinstance(c, ast.comprehension) for n in ast.walk(c.target)}
    elsewhere = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
                 and id(n) not in targets}
    elsewhere |= {a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)}
    return in_comprehensions - elsewhere


def _free_loads(node: ast.AST, name: str) -> bool:
    """Whether ``node`` reads ``name`` outside every comprehension of its own that binds it."""
    if isinstance(node, ast.Name):
        return node.id == name and isinstance(node.ctx, ast.Load)
    if isinstance(node, (ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp)):
        if any(isinstance(n, ast.Name) and n.id == name for g in node.generators for n in ast.walk(g.target)):
            return False
    return any(_free_loads(child, name) for child in ast.iter_child_nodes(node))


def _single_loop_sum(node: ast.AST) -> tuple[str, ast.comprehension] | None:
    """``sum(<expr> for v in S)`` with one plain loop and no filter -> (v, its comprehension)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "sum" \
            and len(node.args) == 1 and not node.keywords and isinstance(node.args[0], ast.GeneratorExp):
        generators = node.args[0].generators
        if len(generators) == 1 and isinstance(generators[0].target, ast.Name) and not generators[0].ifs:
            return generators[0].target.id, generators[0]
    return None


class _SumStrayLoopNames(ast.NodeTransformer):
    def __init__(self, loop_only: set[str], changes: list[str]) -> None:
        self.loop_only = loop_only
        self.changes = changes
        self.bound: list[set[str]] = []

    def _visit_comprehension(self, node: ast.AST) -> ast.AST:
        self.bound.append({n.id for g in node.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)})
        self.generic_visit(node)
        self.bound.pop()
        return node

    visit_GeneratorExp = visit_ListComp = visit_SetComp = visit_DictComp = _visit_comprehension

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        in_scope = set().union(*self.bound) if self.bound else set()
        for mine, other in (("left", "right"), ("right", "left")):
            loop = _single_loop_sum(getattr(node, mine))
            if loop is None or loop[0] not in self.loop_only or loop[0] in in_scope:
                continue
            stray = getattr(node, other)
            if not _free_loads(stray, loop[0]):
                continue
            summed = ast.Call(func=ast.Name("sum", ast.Load()), keywords=[], args=[ast.GeneratorExp(
                elt=stray, generators=[ast.comprehension(target=ast.Name(loop[0], ast.Store()),
                                                         iter=loop[1].iter, ifs=[], is_async=0)])])
            self.changes.append(f"line {node.lineno}: `{ast.unparse(stray)}` uses the loop variable {loop[0]} "
                                f"outside the sum that runs over it; summed it over the same loop: "
                                f"`{ast.unparse(summed)}`")
            setattr(node, other, ast.copy_location(summed, stray))
            break
        return node


def sum_stray_loop_names(tree: ast.Module, changes: list[str]) -> ast.Module:
    """``sum(a[c] * x[c] for c in S) / (b[c] * x[c])`` -> ``... / sum(b[c] * x[c] for c in S)``, for a loop
    variable bound nowhere but in comprehensions (otherwise the stray use may be meant)."""
    loop_only = _comprehension_only_names(tree)
    return _SumStrayLoopNames(loop_only, changes).visit(tree) if loop_only else tree
