"""Two objectives where the goal is one: a ratio written as its two totals.

"Maximize the Profit-Impact ratio, the total profit divided by the total environmental impact": a small model
writes ``model.objective = Objective(expr=sum(profit ...))`` and then ``model.ratio = Objective(expr=
model.objective / sum(impact ...))``, or one objective for each total (the output maximized, the impact
minimized). Pyomo refuses to solve a model with two active objectives, so nothing runs.

:func:`merge_objectives` makes one objective of two:

- when one objective reads the other (``model.objective / ...``), the other's expression takes its place there
  and the other is removed;
- when neither reads the other, one is maximized and the other minimized, and the text's goal is a ratio
  ("divided by", "ratio", "per hour of"), the goal's verb decides: a maximized ratio is the maximized total over
  the minimized one (a minimized ratio the other way round); rows that read either objective read its
  expression instead.
"""

from __future__ import annotations

import ast
import copy

from optolab.agents.codeast import call_name, quiet_fix
from optolab.agents.goal import ratio_goal


def _objectives(tree: ast.Module) -> list[tuple[int, str, ast.Call]]:
    """``(position, name, call)`` of each top-level ``model.X = Objective(expr=..., ...)``."""
    out = []
    for i, stmt in enumerate(tree.body):
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Attribute) \
                and call_name(stmt.value) == "Objective" \
                and any(k.arg == "expr" for k in stmt.value.keywords):
            out.append((i, stmt.targets[0].attr, stmt.value))
    return out


def _keyword(call: ast.Call, name: str) -> ast.keyword | None:
    return next((k for k in call.keywords if k.arg == name), None)


def _sense(call: ast.Call) -> str | None:
    kw = _keyword(call, "sense")
    text = ast.unparse(kw.value) if kw is not None else "minimize"  # Pyomo's default
    return "maximize" if text.endswith("maximize") else "minimize" if text.endswith("minimize") else None


class _Inline(ast.NodeTransformer):
    """Reads of the named objectives (``model.obj``, its bare alias, ``model.obj.expr``) replaced by their
    expressions."""

    def __init__(self, exprs: dict[str, ast.AST], aliases: dict[str, str]):
        self.exprs, self.aliases, self.count = exprs, aliases, 0

    def _target(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Attribute) and node.attr == "expr":
            node = node.value
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.attr in self.exprs:
            return node.attr
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and self.aliases.get(node.id) in self.exprs:
            return self.aliases[node.id]
        return None

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        name = self._target(node)
        if name is not None:
            self.count += 1
            return copy.deepcopy(self.exprs[name])
        return self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> ast.AST:
        name = self._target(node)
        if name is not None:
            self.count += 1
            return copy.deepcopy(self.exprs[name])
        return node


def _aliases(tree: ast.Module, names: set[str]) -> dict[str, str]:
    """``total = model.total``: alias -> the objective's name."""
    out = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
                and isinstance(stmt.value, ast.Attribute) and stmt.value.attr in names:
            out[stmt.targets[0].id] = stmt.value.attr
    return out


def _reads(node: ast.AST, name: str, aliases: dict[str, str]) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr == name and isinstance(n.value, ast.Name)
               or isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and aliases.get(n.id) == name
               for n in ast.walk(node))


@quiet_fix
def merge_objectives(code: str, question: str):
    """Model code with two objectives that make up one goal: one objective (a
    :class:`optolab.agents.program.Program` saying what changed), or None (see the module's notes)."""
    from optolab.agents.program import Program

    tree = ast.parse(code)
    objectives = _objectives(tree)
    if len(objectives) != 2:
        return None
    names = {name for _, name, _ in objectives}
    aliases = _aliases(tree, names)
    exprs = {name: _keyword(call, "expr").value for _, name, call in objectives}
    (i_a, a, call_a), (i_b, b, call_b) = objectives
    reading = [(keep, drop) for keep, drop in ((a, b), (b, a)) if _reads(exprs[keep], drop, aliases)]
    if len(reading) == 1:
        keep, drop = reading[0]
        why = f"the objective {keep} reads the objective {drop}, so its expression takes {drop}'s place"
    elif not reading:
        goal = ratio_goal(question)
        senses = {_sense(call_a): a, _sense(call_b): b}
        if goal is None or set(senses) != {"maximize", "minimize"}:
            return None
        verb = goal[0]
        top, bottom = (senses["maximize"], senses["minimize"]) if verb.startswith("maxim") \
            else (senses["minimize"], senses["maximize"])
        keep, drop = top, bottom  # the kept (top) objective's sense is already the goal's
        keep_call = call_a if keep == a else call_b
        _keyword(keep_call, "expr").value = ast.BinOp(copy.deepcopy(exprs[top]), ast.Div(),
                                                      copy.deepcopy(exprs[bottom]))
        why = (f"the goal is to {verb} {goal[1]!r}, one total over another: {top} over {bottom} made one "
               f"objective")
    else:
        return None
    kept = tree.body[i_a if keep == a else i_b]
    originals = {drop: exprs[drop]} if reading else {n: copy.deepcopy(exprs[n]) for n in (keep, drop)}
    del tree.body[i_a if drop == a else i_b]
    tree.body = [s for s in tree.body if not (isinstance(s, ast.Assign) and isinstance(s.value, ast.Attribute)
                                              and s.value.attr == drop and len(s.targets) == 1
                                              and isinstance(s.targets[0], ast.Name))]
    # rows (and, for one objective that reads the other, that objective) read expressions, not objectives
    inline = _Inline(originals, {k: v for k, v in aliases.items() if v in originals})
    tree.body = [s if s is kept and not reading else inline.visit(s) for s in tree.body]
    return Program.changed(tree, [f"removed the objective {drop}: a model solves for one goal, and {why}"])
