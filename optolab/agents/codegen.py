"""Write Pyomo code from a :class:`~optolab.agents.formulation.Formulation`.

The library, not the model, writes the code: declarations, domains and bounds are always
right, and each expression the model wrote lands on its own line so that an error can be
traced back to the constraint it came from. Before any code runs, :func:`check_formulation`
finds the slips a run would only report one at a time (syntax errors, unknown names,
constraints that compare no decision variable).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from optolab.agents.formulation import Formulation

_ALLOWED_CALLS = {"sum", "min", "max", "abs", "len", "range", "round", "float", "int", "enumerate", "zip", "sorted",
                  "list", "dict", "set", "tuple", "any", "all"}
_PYOMO_FUNCS = {"exp", "log", "sqrt", "sin", "cos", "tan", "log10"}


@dataclass
class GeneratedCode:
    """Code that defines ``model``, and which formulation element each line came from."""

    code: str
    origins: dict[int, str] = field(default_factory=dict)

    def origin(self, line: int | None) -> str | None:
        if line is None:
            return None
        return self.origins.get(line)


@dataclass
class Issue:
    """A problem found before running: where it is and what is wrong."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def _names_in(expr: str) -> tuple[set[str], set[str]]:
    """Names an expression reads, and names it binds in comprehensions."""
    tree = ast.parse(expr, mode="eval")
    used, bound = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, ast.Store) else used).add(node.id)
        elif isinstance(node, ast.comprehension):
            for t in ast.walk(node.target):
                if isinstance(t, ast.Name):
                    bound.add(t.id)
    return used, bound


def _loop_names(for_each: str) -> tuple[list[str], str]:
    """Loop variables of a ``for_each`` clause and the clause as Python ``for`` headers."""
    parts = [p.strip() for p in _split_top(for_each) if p.strip()]
    headers, names = [], []
    for part in parts:
        if " in " not in f" {part} ":
            raise ValueError(f"for_each part {part!r} should look like 'i in items'")
        target, _, source = part.partition(" in ")
        targets = [t.strip() for t in target.strip().strip("()").split(",") if t.strip()]
        names.extend(targets)
        headers.append(f"for {', '.join(targets)} in {source.strip()}:")
    return names, "\n".join(headers)


def _split_top(text: str) -> list[str]:
    """Split on commas that are not inside brackets, starting a new part only at 'x in'."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    merged: list[str] = []
    for p in parts:  # "i, j in pairs" was split at the comma: join targets back
        if merged and " in " not in f" {merged[-1]} ":
            merged[-1] = f"{merged[-1]},{p}"
        else:
            merged.append(p)
    return merged


def check_formulation(f: Formulation) -> list[Issue]:
    """Problems that would stop the generated code, found without running it."""
    issues: list[Issue] = []
    var_names = {v.name for v in f.variables}
    known = set(f.sets) | set(f.parameters) | var_names | _ALLOWED_CALLS | _PYOMO_FUNCS | {"True", "False", "None"}
    for v in f.variables:
        for s in v.index:
            if s not in f.sets:
                issues.append(Issue(f"variable {v.name}", f"indexed by {s!r}, which is not one of the sets "
                                                          f"{sorted(f.sets) or '(none defined)'}"))
        if v.lower is not None and v.upper is not None and v.lower > v.upper:
            issues.append(Issue(f"variable {v.name}", f"lower bound {v.lower:g} is above upper bound {v.upper:g}"))
    for name, values in f.sets.items():
        if not isinstance(values, list) or not values:
            issues.append(Issue(f"set {name}", "must be a non-empty list of elements"))
    items = [("objective", f.objective.expression, None)] + [
        (f"constraint {c.name}", c.expression, c.for_each) for c in f.constraints]
    for where, expr, for_each in items:
        loop: set[str] = set()
        if for_each:
            try:
                names, headers = _loop_names(for_each)
                for header in headers.split("\n"):
                    source = header[header.index(" in ") + 4:].rstrip(":")
                    src_used, _ = _names_in(source)
                    unknown_src = src_used - known - loop
                    if unknown_src:
                        raise ValueError(f"it loops over unknown names {sorted(unknown_src)}")
                    loop |= set(h.strip() for h in header[4:header.index(" in ")].split(","))
            except (ValueError, SyntaxError) as exc:
                issues.append(Issue(where, f"for_each {for_each!r} is not valid: {exc}"))
                continue
        try:
            used, bound = _names_in(expr)
        except SyntaxError as exc:
            issues.append(Issue(where, f"expression {expr!r} is not valid Python: {exc.msg}"))
            continue
        unknown = used - known - bound - loop
        if unknown:
            issues.append(Issue(where, f"uses names that are not defined: {sorted(unknown)}. Replace each by an "
                                       "expression of the defined names (e.g. a total as a sum of variables), or add "
                                       f"it to \"variables\" or \"parameters\". Defined: variables "
                                       f"{sorted(var_names)}, parameters {sorted(f.parameters)}, sets {sorted(f.sets)}"))
            continue
        hidden = bound & var_names
        if hidden:
            issues.append(Issue(where, f"the loop name(s) {sorted(hidden)} hide the decision variable(s) of the same "
                                       "name; loop over the set's elements with another name (e.g. i in items)"))
        elif not ((used - bound) & var_names):
            issues.append(Issue(where, f"{expr!r} contains no decision variable"))
        if where.startswith("constraint"):
            tree = ast.parse(expr, mode="eval").body
            if not isinstance(tree, ast.Compare):
                issues.append(Issue(where, f"{expr!r} is not a comparison (use <=, >= or ==)"))
            elif any(isinstance(op, (ast.Lt, ast.Gt)) for op in tree.ops):
                pass  # strict inequalities are turned into non-strict ones by the code writer
    return issues


def _literal(value: Any) -> str:
    return repr(value)


def _nonstrict(expr: str) -> str:
    """Solvers cannot express '<'; an LP's '<' means '<=' in practice. Only the constraint's own
    comparison changes: a filter inside a comprehension (``if s <= h < s + L``) keeps its meaning."""
    tree = ast.parse(expr, mode="eval")
    top = tree.body
    if not isinstance(top, ast.Compare) or not any(isinstance(o, (ast.Lt, ast.Gt)) for o in top.ops):
        return expr
    top.ops = [ast.LtE() if isinstance(o, ast.Lt) else ast.GtE() if isinstance(o, ast.Gt) else o for o in top.ops]
    return ast.unparse(tree)


def generate_code(f: Formulation) -> GeneratedCode:
    """Pyomo code that builds ``model`` from the formulation (it does not solve it)."""
    lines: list[str] = []
    origins: dict[int, str] = {}

    def emit(text: str, origin: str | None = None) -> None:
        for part in text.split("\n"):
            lines.append(part)
            if origin:
                origins[len(lines)] = origin

    emit("import math")
    emit("import pyomo.environ as pyo")
    emit("from pyomo.environ import exp, log, sqrt, sin, cos, tan, log10")
    emit("")
    emit("model = pyo.ConcreteModel()")
    if f.sets:
        emit("")
        emit("# sets")
        for name, values in f.sets.items():
            emit(f"{name} = {_literal(values)}", f"set {name}")
    if f.parameters:
        emit("")
        emit("# parameters")
        for name, value in f.parameters.items():
            emit(f"{name} = {_literal(value)}", f"parameter {name}")
    emit("")
    emit("# decision variables")
    for v in f.variables:
        domain = {"continuous": "pyo.Reals", "integer": "pyo.Integers", "binary": "pyo.Binary"}[v.type]
        args = [*v.index, f"domain={domain}"]
        if v.type != "binary":
            args.append(f"bounds=({_bound(v.lower)}, {_bound(v.upper)})")
        comment = f"  # {v.description}" if v.description else ""
        emit(f"model.{v.name} = pyo.Var({', '.join(args)}){comment}", f"variable {v.name}")
        emit(f"{v.name} = model.{v.name}", f"variable {v.name}")
    emit("")
    emit("# objective")
    sense = "pyo.maximize" if f.objective.sense == "maximize" else "pyo.minimize"
    emit(f"model.objective = pyo.Objective(expr={f.objective.expression}, sense={sense})", "objective")
    if f.constraints:
        emit("")
        emit("# constraints")
    for c in f.constraints:
        expr = _nonstrict(c.expression)
        origin = f"constraint {c.name}"
        comment = f"  # {c.description}" if c.description else ""
        if c.for_each:
            _, headers = _loop_names(c.for_each)
            emit(f"model.{c.name} = pyo.ConstraintList(){comment}", origin)
            depth = 0
            for h in headers.split("\n"):
                emit("    " * depth + h, origin)
                depth += 1
            emit("    " * depth + f"model.{c.name}.add({expr})", origin)
        else:
            emit(f"model.{c.name} = pyo.Constraint(expr={expr}){comment}", origin)
    return GeneratedCode("\n".join(lines) + "\n", origins)


def _bound(value: float | None) -> str:
    if value is None:
        return "None"
    return repr(int(value)) if float(value).is_integer() else repr(value)
