"""Mechanical fixes of LLM-written Pyomo code, made on its syntax tree before it runs.

Each fix repairs one slip that small coder models make again and again (seen in the evaluation
trails) and that needs no model call to mend: a bare name for a model component, an element name
without quotes, maths functions without import, a generator handed to ``ConstraintList.add``,
``sum()`` of one variable entry, ``math.sqrt`` of a variable, a decision named like a forbidden builtin, a list read by names,
a ratio constraint that can be multiplied out, a model that is filled but never made, a
``Constraint()`` filled with ``add()``, a single constraint given an index, a decision used but never declared
(and, in :mod:`optolab.agents.indexing`, ``x[a][b]`` of a two-set variable, a loop variable used beside its sum).
Each one says what it changed, in words for the trail.
"""

from __future__ import annotations

import ast
import re

from optolab.agents.indexing import join_chained_indexes, sum_stray_loop_names
from optolab.solvers.solve import SUFFIX_NAMES


def objective_expr(tree: ast.Module) -> ast.keyword | None:
    """The ``expr=`` keyword of the code's one ``Objective``, or None (no objective, several, or a rule)."""
    objective = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and call_name(n) == "Objective"]
    expr_kw = [kw for kw in objective[0].keywords if kw.arg == "expr"] if len(objective) == 1 else []
    return expr_kw[0] if expr_kw else None


def call_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        f = node.func
        if isinstance(f, ast.Name):
            return f.id
        if isinstance(f, ast.Attribute):
            return f.attr
    return None


def calls(node: ast.AST) -> set[str]:
    return {n for n in (call_name(x) for x in ast.walk(node)) if n}


def names(node: ast.AST) -> set[str]:
    return {x.id for x in ast.walk(node) if isinstance(x, ast.Name)}


def _bound_names(tree: ast.Module) -> set[str]:
    """Names the code binds anywhere (assignments, loops, comprehensions, functions, arguments, imports)."""
    import builtins

    bound = set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    bound |= _star_names(getattr(node, "module", None) or "")
                else:
                    bound.add((alias.asname or alias.name).split(".")[0])
    return bound


def _star_names(module: str) -> set[str]:
    if module.split(".")[0] != "pyomo":
        return set()
    import importlib

    try:
        return {n for n in dir(importlib.import_module(module)) if not n.startswith("_")}
    except ImportError:
        return set()


# mathematical names small models use without importing them (the pyomo functions work on variables)
_MATH_NAMES = {"math": "import math", "pi": "from math import pi", "sqrt": "from pyomo.environ import sqrt",
               "exp": "from pyomo.environ import exp", "log": "from pyomo.environ import log",
               "log10": "from pyomo.environ import log10", "sin": "from pyomo.environ import sin",
               "cos": "from pyomo.environ import cos", "tan": "from pyomo.environ import tan"}


# functions of math and numpy that Pyomo has under the same name and that work on variables
_PYOMO_MATH = {"sqrt", "exp", "log", "log10", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh"}
_NUMERIC_MODULES = {"math", "np", "numpy"}


class _MathOnVariables(ast.NodeTransformer):
    """``math.sqrt(x)`` of a variable asks Python for a float of a Pyomo expression and fails: use ``pyo.sqrt``;
    ``math.pow(a, b)`` of a variable becomes ``a ** b``."""

    def __init__(self, variables: set[str], changes: list[str]) -> None:
        self.variables = variables
        self.changes = changes

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        f = node.func
        if not (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in _NUMERIC_MODULES
                and not node.keywords and self._on_variables(node)):
            return node
        if f.attr in _PYOMO_MATH:
            self.changes.append(f"line {node.lineno}: {f.value.id}.{f.attr}() cannot take a Pyomo variable; "
                                f"used pyo.{f.attr}()")
            node.func = ast.Attribute(value=ast.Name("pyo", ast.Load()), attr=f.attr, ctx=ast.Load())
        elif f.attr in ("pow", "power") and len(node.args) == 2:
            self.changes.append(f"line {node.lineno}: {f.value.id}.{f.attr}() cannot take a Pyomo variable; "
                                "used **")
            return ast.copy_location(ast.BinOp(node.args[0], ast.Pow(), node.args[1]), node)
        return node

    def _on_variables(self, node: ast.Call) -> bool:
        return any(base_name(x) in self.variables for a in node.args for x in ast.walk(a)
                   if isinstance(x, (ast.Name, ast.Attribute)))


def _math_on_variables(tree: ast.Module, changes: list[str]) -> ast.Module:
    before = len(changes)
    tree = _MathOnVariables(set(variable_names(tree)), changes).visit(tree)
    if len(changes) > before and "pyo" not in _bound_names(tree):
        tree.body.insert(0, ast.parse("import pyomo.environ as pyo").body[0])
    return tree


def _made_components(tree: ast.Module) -> dict[str, int]:
    """Component name -> index of the first top-level statement ``owner.<name> = ...`` that makes it."""
    made: dict[str, int] = {}
    for i, stmt in enumerate(tree.body):
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Attribute) \
                and isinstance(stmt.targets[0].value, ast.Name):
            made.setdefault(stmt.targets[0].attr, i)
    return made


def _bind_after_components(tree: ast.Module, made: dict[str, int], binds: dict[str, str]) -> None:
    """For each ``component: name`` of ``binds``, put ``name = owner.component`` right after the statement
    that makes the component (last first, so the indexes of ``made`` stay right)."""
    for component in sorted(binds, key=lambda c: -made[c]):
        i = made[component]
        owner = tree.body[i].targets[0].value.id
        tree.body.insert(i + 1, ast.parse(f"{binds[component]} = {owner}.{component}").body[0])


def _add_keywords(tree: ast.Module, changes: list[str]) -> None:
    """``model.c.add(x <= 4, name="cap")``: ``ConstraintList.add`` takes the constraint alone; the keywords go.
    So does a ``sense=`` given to a ``Constraint``."""
    lists = {ast.unparse(n.targets[0]) for n in tree.body if isinstance(n, ast.Assign) and len(n.targets) == 1
             and call_name(n.value) == "ConstraintList"}
    dropped = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "add" \
                and ast.unparse(n.func.value) in lists and n.keywords and len(n.args) == 1:
            dropped += [kw.arg for kw in n.keywords if kw.arg]
            n.keywords = []
    if dropped:
        changes.append(f"ConstraintList.add takes the constraint alone: dropped {', '.join(sorted(set(dropped)))}=")
    # ``pyo.Constraint(expr=x >= 4 * y, sense=pyo.minimize)``: a constraint has no sense (a TypeError when built)
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and call_name(n) == "Constraint" and any(kw.arg == "sense" for kw in n.keywords):
            n.keywords = [kw for kw in n.keywords if kw.arg != "sense"]
            changes.append(f"dropped sense= from the constraint `{ast.unparse(n)}`: only an objective has a sense")


def _sum_methods(tree: ast.Module, changes: list[str]) -> None:
    """``model.production.sum()`` (a NumPy or pandas habit; an AttributeError on a Pyomo variable):
    ``sum(model.production.values())``."""
    indexed = {base_name(t) for n in ast.walk(tree) if _var_is_indexed(n) and call_name(n.value) == "Var"
               for t in n.targets}
    fixed = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "sum" \
                and not n.args and not n.keywords and base_name(n.func.value) in indexed:
            target = n.func.value
            fixed.append(ast.unparse(target))
            n.func = ast.Name("sum", ast.Load())
            n.args = [ast.Call(ast.Attribute(target, "values", ast.Load()), [], [])]
    if fixed:
        changes.append(f"a Pyomo variable has no .sum(): {', '.join(dict.fromkeys(f'{t}.sum()' for t in fixed))} "
                       "written as sum(... .values())")


def _early_aliases(tree: ast.Module, changes: list[str]) -> None:
    """``x1, x2 = (model.x1, model.x2)`` before ``model.x1 = pyo.Var(...)``: a name bound to a component the
    code makes only later fails at once; the binding moves right after the last component it reads."""
    made = _made_components(tree)
    moved = []
    for i, stmt in reversed(list(enumerate(tree.body))):
        if not (isinstance(stmt, ast.Assign) and all(isinstance(t, (ast.Name, ast.Tuple)) for t in stmt.targets)):
            continue
        parts = stmt.value.elts if isinstance(stmt.value, ast.Tuple) else [stmt.value]
        if not parts or not all(isinstance(p, ast.Attribute) and isinstance(p.value, ast.Name) for p in parts):
            continue
        later = [made.get(p.attr) for p in parts]
        if None in later or max(later) <= i:
            continue
        tree.body.insert(max(later) + 1, stmt)
        del tree.body[i]
        moved.append(ast.unparse(stmt))
        made = _made_components(tree)
    if moved:
        changes.append(f"moved {', '.join(f'`{m}`' for m in moved)} after the components it reads are made")


def _fix_undefined_names(tree: ast.Module, changes: list[str]) -> None:
    """Two slips of small models, fixed before the code runs:

    - ``model.trucks = pyo.Var(...)`` and later a bare ``trucks``: bind ``trucks = model.trucks``
      right after the component is made;
    - ``cost[canoe]`` where ``'canoe'`` is an element of a list or a key of a dict: quote it;
    - ``pi``, ``sqrt``, ``exp`` ... used without an import: import them.
    """
    bound = _bound_names(tree)
    undefined = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - bound
    maths = sorted(undefined & set(_MATH_NAMES))
    if maths:
        tree.body[:0] = [ast.parse(_MATH_NAMES[n]).body[0] for n in maths]
        undefined -= set(maths)
        changes.append(f"imported {', '.join(maths)}, which the code uses without importing")
    if not undefined:
        return
    made = _made_components(tree)
    components = {name: made[name] for name in undefined if name in made}
    for name in sorted(components, key=lambda n: -components[n]):
        owner = tree.body[components[name]].targets[0].value.id
        changes.append(f"bound the name {name} to {owner}.{name}, which the code uses without defining it")
    _bind_after_components(tree, made, {name: name for name in components})
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    quoted = sorted((undefined - set(components)) & strings)
    if quoted:
        class Quote(ast.NodeTransformer):
            def visit_Name(self, node: ast.Name) -> ast.AST:
                if node.id in quoted and isinstance(node.ctx, ast.Load):
                    return ast.copy_location(ast.Constant(node.id), node)
                return node

        Quote().visit(tree)
        changes.append(f"quoted {', '.join(quoted)}: element names are strings")
    _stand_ins(tree, undefined - set(components) - set(quoted), made, changes)
    left = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} \
        - _bound_names(tree)
    _undeclared_decisions(tree, left & (undefined - set(components) - set(quoted)), changes)


def _loop_sets(tree: ast.AST) -> dict[str, str]:
    """Loop variable -> the plain name it runs over, for ``for w in warehouses`` and comprehensions."""
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.For, ast.comprehension)) and isinstance(node.target, ast.Name) \
                and isinstance(node.iter, ast.Name):
            out.setdefault(node.target.id, node.iter.id)
    return out


def _on_one_side(tree: ast.Module, a: str, b: str) -> bool:
    """Whether some side of a comparison reads both names ``a`` and ``b`` (``100 * van + bike + scooter``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in [node.left, *node.comparators]:
                if {a, b} <= {base_name(n) for n in ast.walk(side) if isinstance(n, (ast.Name, ast.Attribute))}:
                    return True
    return False


def _undeclared_decisions(tree: ast.Module, names: set[str], changes: list[str]) -> None:
    """``sum(earnings[c] * load[c] for c in crates)`` in the objective and in a constraint, with ``load`` made
    nowhere: a decision the code forgot to declare. Declared as a ``Var`` over the lists its keys run over (or
    a plain one), with the domain of the code's other decisions where they share one (not a yes/no one), before
    the first statement that reads it. Not for a name used as a key, called, read for an attribute, keyed by
    numbers, or multiplied by a decision (a coefficient, not a decision)."""
    objective = objective_expr(tree)
    var_calls = [n for n in ast.walk(tree) if isinstance(n, ast.Assign) and call_name(n.value) == "Var"]
    owners = [st.targets[0].id for st in tree.body if isinstance(st, ast.Assign) and len(st.targets) == 1
              and isinstance(st.targets[0], ast.Name) and call_name(st.value) == "ConcreteModel"]
    if objective is None or not var_calls or len(owners) != 1 or not names:
        return
    decisions = set(variable_names(tree))
    loops = _loop_sets(tree)
    parents = {id(c): p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}

    def reads_decision(node: ast.AST) -> bool:
        return any(base_name(n) in decisions for n in ast.walk(node) if isinstance(n, (ast.Name, ast.Attribute)))

    def signature(occurrence: ast.Name) -> tuple[str, ...] | None:
        use, index = occurrence, ()
        parent = parents.get(id(use))
        if isinstance(parent, ast.Subscript) and parent.value is use:
            keys = parent.slice.elts if isinstance(parent.slice, ast.Tuple) else [parent.slice]
            if not all(isinstance(k, ast.Name) and k.id in loops for k in keys):
                return None
            use, index = parent, tuple(loops[k.id] for k in keys)
            parent = parents.get(id(use))
        if isinstance(parent, ast.BinOp):
            other = parent.right if parent.left is use else parent.left
            if isinstance(parent.op, (ast.Mult, ast.Div)) and reads_decision(other):
                return None
            return index
        if isinstance(parent, (ast.UnaryOp, ast.Compare, ast.GeneratorExp, ast.ListComp)) or (
                isinstance(parent, ast.Call) and call_name(parent) == "sum" and use in parent.args):
            return index
        return None

    domain_kws = [kw for st in var_calls for kw in st.value.keywords if kw.arg in ("domain", "within")]
    domains = {ast.unparse(kw.value) for kw in domain_kws}
    shared = domain_kws[0] if len(domains) == 1 and not any(w in d for d in domains for w in ("Binary", "Boolean")) \
        else None
    func = ast.unparse(var_calls[0].value.func)
    if shared is None:
        domain = f"{func[:-len('Var')]}NonNegativeReals"
    else:  # the nonnegative counterpart of Integers or Reals: decisions are amounts
        domain = re.sub(r"\b(Integers|Reals)$", r"NonNegative\1", ast.unparse(shared.value))
    owner = owners[0]
    bound = _bound_names(tree)
    components = set(_made_components(tree)) | set(BLOCK_ATTRIBUTES) | set(SUFFIX_NAMES)
    read = {base_name(n) for n in ast.walk(objective.value) if isinstance(n, (ast.Name, ast.Attribute))}
    declared = []
    for name in sorted(names):
        occurrences = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == name]
        signatures = {signature(n) for n in occurrences}
        if len(signatures) != 1 or None in signatures:
            continue
        (index,) = signatures
        rows = [i for i, st in enumerate(tree.body) if any(n in occurrences for n in ast.walk(st))]
        in_objective = any(n in occurrences for n in ast.walk(objective.value))
        if not in_objective or len(rows) < 2 or not all(s in bound for s in index):
            continue
        # one decision made over the same keys and left out of the objective: the name stands in for it
        unread = [base_name(st.targets[0]) for st in var_calls if isinstance(st.targets[0], ast.Attribute)
                  and base_name(st.targets[0]) not in read
                  and tuple(ast.unparse(a) for a in st.value.args) == index]
        if unread and (len(names) > 1 or len(unread) > 1 or _on_one_side(tree, name, unread[0])):
            continue  # which decision the name stands for is not clear
        if unread:
            for n in occurrences:
                n.id = unread[0]
            changes.append(f"read {name}, which the code never defines, as {unread[0]}: the decision made over the "
                           "same keys that the objective leaves out")
            bind = [st for st in tree.body if isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name)
                    and st.targets[0].id == unread[0]]
            if not bind:
                tree.body[rows[0]:rows[0]] = [ast.parse(f"{unread[0]} = {owner}.{unread[0]}").body[0]]
            return
        attr = name if name not in components else f"{name}_" if f"{name}_" not in components \
            else _free_name(name, components)
        components.add(attr)
        args = "".join(f"{s}, " for s in index)
        lines = [f"{owner}.{attr} = {func}({args}domain={domain})", f"{name} = {owner}.{attr}"]
        tree.body[rows[0]:rows[0]] = [ast.parse(line).body[0] for line in lines]
        declared.append(f"{name}" + (f" over {', '.join(index)}" if index else ""))
    if declared:
        changes.append(f"declared {'; '.join(declared)} as decision variables ({domain}): the objective and the "
                       "constraints use them, the code never made them")


def _stand_ins(tree: ast.Module, names: set[str], made: dict[str, int], changes: list[str]) -> None:
    """``30 * submarine + 25 * taxi`` where the decisions are ``submarine`` and ``boat`` and ``taxi`` is defined
    nowhere: one stray name that stands, in every row that uses it, in the place of the one decision that row
    leaves out. It becomes that decision (a plain, made component)."""
    if len(names) != 1:
        return
    name = next(iter(names))
    decisions = [v for v in variable_names(tree) if v in made and not _var_is_indexed(tree.body[made[v]])]
    if len(decisions) < 2:
        return
    rows = [stmt for stmt in tree.body if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(stmt))]
    left: set[str] | None = None
    for row in rows:
        named = {base_name(n) for n in ast.walk(row) if isinstance(n, (ast.Name, ast.Attribute))}
        if not named & set(decisions):
            return  # a row of no decision: the name is something else
        out = set(decisions) - named
        left = out if left is None else left & out
    if not left or len(left) != 1:
        return
    decision = left.pop()
    owner = tree.body[made[decision]].targets[0].value.id

    class Rename(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:
            if node.id == name and isinstance(node.ctx, ast.Load):
                return ast.copy_location(ast.Attribute(ast.Name(owner, ast.Load()), decision, ast.Load()), node)
            return node

    Rename().visit(tree)
    changes.append(f"read {name}, which the code never defines, as {owner}.{decision}: the one decision the rows "
                   f"that use {name} leave out")


def _var_is_indexed(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call) and bool(stmt.value.args)


class _UnrollAdds(ast.NodeTransformer):
    """``c.add(expr for i in I)`` hands a generator to ``add``, which wants one relation: make it a loop."""

    def __init__(self, changes: list[str]) -> None:
        self.changes = changes

    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        call = node.value
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "add"
                and len(call.args) == 1 and not call.keywords
                and isinstance(call.args[0], (ast.GeneratorExp, ast.ListComp))
                and isinstance(call.args[0].elt, ast.Compare)):
            return node
        comp = call.args[0]
        body: ast.stmt = ast.Expr(ast.Call(func=call.func, args=[comp.elt], keywords=[]))
        for gen in reversed(comp.generators):
            for cond in reversed(gen.ifs):
                body = ast.If(test=cond, body=[body], orelse=[])
            body = ast.For(target=gen.target, iter=gen.iter, body=[body], orelse=[])
        self.changes.append(f"line {node.lineno}: added one constraint per element instead of passing a "
                            f"generator to {ast.unparse(call.func)}()")
        return ast.copy_location(body, node)


def _relation_slots(tree: ast.Module):
    """Where a constraint's relation is written: ``Constraint(expr=...)``, the body of a ``rule=lambda``, the one
    argument of ``.add(...)``, and what a rule function returns; each as (holder, field, index or None)."""
    rule_names = {kw.value.id for n in ast.walk(tree) if isinstance(n, ast.Call) and call_name(n) == "Constraint"
                  for kw in n.keywords if kw.arg == "rule" and isinstance(kw.value, ast.Name)}
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and call_name(n) == "Constraint":
            for kw in n.keywords:
                if kw.arg == "expr":
                    yield kw, "value", None
                elif kw.arg == "rule" and isinstance(kw.value, ast.Lambda):
                    yield kw.value, "body", None
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "add" \
                and len(n.args) == 1:
            yield n, "args", 0
        elif isinstance(n, ast.FunctionDef) and n.name in rule_names:
            for r in ast.walk(n):
                if isinstance(r, ast.Return) and r.value is not None:
                    yield r, "value", None


def _chained_relations(tree: ast.Module, changes: list[str]) -> None:
    """``20 <= x <= 100`` in a constraint: Python reads it as ``(20 <= x) and (x <= 100)`` and Pyomo refuses to
    turn the first half into a truth value. Written ``(20, x, 100)``, the ranged form Pyomo takes, when the outer
    sides are data (a decision there has no ranged form)."""
    variables = set(variable_names(tree))

    def reads_decision(node: ast.AST) -> bool:
        return any(isinstance(x, (ast.Name, ast.Attribute)) and base_name(x) in variables for x in ast.walk(node))

    for holder, field, index in list(_relation_slots(tree)):
        node = getattr(holder, field) if index is None else getattr(holder, field)[index]
        if not (isinstance(node, ast.Compare) and len(node.ops) == 2):
            continue
        up = all(isinstance(op, (ast.LtE, ast.Lt)) for op in node.ops)
        down = all(isinstance(op, (ast.GtE, ast.Gt)) for op in node.ops)
        low, mid, high = node.left, node.comparators[0], node.comparators[1]
        if not (up or down) or not reads_decision(mid) or reads_decision(low) or reads_decision(high):
            continue
        if down:
            low, high = high, low
        ranged = ast.copy_location(ast.Tuple([low, mid, high], ast.Load()), node)
        if index is None:
            setattr(holder, field, ranged)
        else:
            getattr(holder, field)[index] = ranged
        ast.fix_missing_locations(ranged)
        changes.append(f"line {node.lineno}: `{ast.unparse(node)}` became the ranged `{ast.unparse(ranged)}` (Python "
                       "cannot chain comparisons of an expression with decisions)")


def _joined_relations(tree: ast.Module, changes: list[str]) -> None:
    """``Constraint(expr=price >= 3 and price <= 10)`` (or ``.add(a and b)``): ``and`` asks Python for a truth value
    that Pyomo cannot give. Each relation becomes a constraint of its own."""
    for holder in [n for n in ast.walk(tree) if hasattr(n, "body") and isinstance(n.body, list)]:
        out: list[ast.stmt] = []
        for stmt in holder.body:
            split = _split_joined(stmt)
            if split:
                changes.append(f"line {stmt.lineno}: `{ast.unparse(stmt)}` joined relations with `and`; each is "
                               "a constraint of its own now")
            out += split or [stmt]
        holder.body = out


def _free_name(name: str, taken: set[str]) -> str:
    """``name_2`` (or ``name_3``, ...): the first such name not in ``taken``, which it joins."""
    k = 2
    while f"{name}_{k}" in taken:
        k += 1
    taken.add(f"{name}_{k}")
    return f"{name}_{k}"


def _repeated_constraint_names(tree: ast.Module, changes: list[str]) -> None:
    """``model.limit = Constraint(...)`` written twice: Pyomo replaces the first with the second, and that
    limit is silently gone. The later ones get a name of their own (``limit_2``)."""
    taken = {t.attr for n in ast.walk(tree) if isinstance(n, ast.Assign) for t in n.targets
             if isinstance(t, ast.Attribute)}
    seen: set[str] = set()
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Attribute)
                and isinstance(stmt.targets[0].value, ast.Name) and stmt.targets[0].value.id == "model"):
            continue
        name = stmt.targets[0].attr
        if call_name(stmt.value) != "Constraint":
            seen.add(name)
            continue
        if name in seen:
            stmt.targets[0].attr = _free_name(name, taken)
            changes.append(f"line {stmt.lineno}: a second constraint named {name} would replace the first; it is "
                           f"{stmt.targets[0].attr} now")
        seen.add(stmt.targets[0].attr)


def _scalars_used_with_keys(tree: ast.Module, changes: list[str]) -> None:
    """``model.spots = Var(domain=...)`` declared plain but read as ``spots[0]``, ``spots[1]``, ... with literal
    keys only: Pyomo refuses to index a scalar. It is indexed by the keys the code uses, in the order it uses them."""
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and call_name(stmt.value) == "Var"
                and not stmt.value.args and not any(kw.arg in ("initialize", "dense") for kw in stmt.value.keywords)):
            continue
        name = base_name(stmt.targets[0])
        uses = [n for n in ast.walk(tree) if isinstance(n, ast.Subscript) and base_name(n.value) == name]
        keys = [n.slice.value for n in uses if isinstance(n.slice, ast.Constant)]
        if not uses or len(keys) != len(uses) or not all(isinstance(k, (int, str)) and not isinstance(k, bool)
                                                         for k in keys) or len({type(k) for k in keys}) != 1:
            continue
        ordered = sorted(set(keys)) if isinstance(keys[0], int) else list(dict.fromkeys(keys))
        stmt.value.args = [ast.List([ast.Constant(k) for k in ordered], ast.Load())]
        ast.fix_missing_locations(stmt)
        changes.append(f"line {stmt.lineno}: {name} was declared as one variable but read as {name}[...]; it is "
                       f"indexed by the keys the code uses ({', '.join(map(repr, ordered))})")


def _split_joined(stmt: ast.stmt) -> list[ast.stmt] | None:
    def joined(node: ast.AST) -> list[ast.expr] | None:
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And) \
                and all(isinstance(v, ast.Compare) for v in node.values):
            return list(node.values)
        return None

    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Attribute) \
            and isinstance(stmt.value, ast.Call) and call_name(stmt.value) == "Constraint" and not stmt.value.args:
        kws = [kw for kw in stmt.value.keywords if kw.arg == "expr"]
        parts = joined(kws[0].value) if len(kws) == 1 else None
        if not parts:
            return None
        target = stmt.targets[0]
        out = []
        for i, part in enumerate(parts):
            name = target.attr if i == 0 else f"{target.attr}_{i + 1}"
            new = ast.parse(f"{ast.unparse(target.value)}.{name} = {ast.unparse(stmt.value.func)}(expr=X)").body[0]
            new.value.keywords[0].value = part
            out.append(ast.fix_missing_locations(ast.copy_location(new, stmt)))
        return out
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Attribute) \
            and stmt.value.func.attr == "add" and len(stmt.value.args) == 1:
        parts = joined(stmt.value.args[0])
        if not parts:
            return None
        return [ast.fix_missing_locations(ast.copy_location(
            ast.Expr(ast.Call(func=stmt.value.func, args=[part], keywords=stmt.value.keywords)), stmt))
            for part in parts]
    return None


class _SumOfOne(ast.NodeTransformer):
    """``sum(hours[l])`` sums one variable entry, which Pyomo cannot iterate: it means ``hours[l]``; so does
    ``sum(x[d] * cost[d])``, one term of decisions."""

    def __init__(self, variables: set[str], changes: list[str]) -> None:
        self.variables = variables
        self.changes = changes

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if not (isinstance(node.func, ast.Name) and node.func.id == "sum" and len(node.args) == 1
                and not node.keywords and isinstance(node.args[0], (ast.Subscript, ast.BinOp))):
            return node
        arg = node.args[0]
        if isinstance(arg, ast.Subscript) and base_name(arg.value) not in self.variables:
            return node  # sum(costs[i]) of a list of numbers is fine
        slices = {id(n.slice) for n in ast.walk(arg) if isinstance(n, ast.Subscript)}  # take[m, 'Zodiac']
        if isinstance(arg, ast.BinOp) and (  # sum(x[d] * cost[d]): one term of decisions, not a list (a + b)
                any(isinstance(n, (ast.List, ast.ListComp, ast.Tuple, ast.GeneratorExp, ast.Call))
                    and id(n) not in slices for n in ast.walk(arg))
                or not any(isinstance(n, (ast.Name, ast.Attribute)) and base_name(n) in self.variables
                           for n in ast.walk(arg))):
            return node
        self.changes.append(f"line {node.lineno}: {ast.unparse(node)} sums a single variable entry; "
                            f"used {ast.unparse(node.args[0])}")
        return node.args[0]


class _SumOfMany(ast.NodeTransformer):
    """``sum(a, b, c)`` hands ``sum`` the terms themselves (Python's sum takes one iterable): add them up,
    each generator among them summed on its own."""

    def __init__(self, changes: list[str]) -> None:
        self.changes = changes

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if not (isinstance(node.func, ast.Name) and node.func.id == "sum" and len(node.args) > 2
                and not node.keywords and not any(isinstance(a, ast.Starred) for a in node.args)):
            return node
        terms = [ast.Call(func=ast.Name("sum", ast.Load()), args=[a], keywords=[])
                 if isinstance(a, (ast.GeneratorExp, ast.ListComp)) else a for a in node.args]
        total: ast.expr = terms[0]
        for term in terms[1:]:
            total = ast.BinOp(left=total, op=ast.Add(), right=term)
        self.changes.append(f"line {node.lineno}: sum() takes one iterable, not {len(node.args)} terms; "
                            f"added them: {ast.unparse(total)[:80]}")
        return ast.copy_location(total, node)


def base_name(node: ast.AST) -> str | None:
    """The name a reference is known by: ``x`` for ``x`` and for ``model.x``; None for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def var_bounds(tree: ast.AST):
    """Each ``bounds=(lo, hi)`` keyword of a ``Var(...)`` assignment, with the assignment."""
    for n in ast.walk(tree):
        if isinstance(n, ast.Assign) and call_name(n.value) == "Var":
            for kw in n.value.keywords:
                if kw.arg == "bounds" and isinstance(kw.value, ast.Tuple) and len(kw.value.elts) == 2:
                    yield n, kw


def weight_literals(tree: ast.AST, variables: set[str]) -> list[ast.Constant]:
    """The number literals that multiply an expression reading a decision (the 10 of ``10 * shots``)."""
    out = []
    for n in ast.walk(tree):
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mult):
            for num, other in ((n.left, n.right), (n.right, n.left)):
                if isinstance(num, ast.Constant) and isinstance(num.value, (int, float)) \
                        and not isinstance(num.value, bool) and any(
                        isinstance(x, (ast.Name, ast.Attribute)) and base_name(x) in variables for x in ast.walk(other)):
                    out.append(num)
    return out


def top_level_assignments(tree: ast.AST):
    """``(name, value node)`` for each name a top-level statement assigns: ``a = 5`` gives (a, 5), ``a, b = 5, 6``
    gives (a, 5) and (b, 6); a name unpacked from anything else (``a, b = pair``) comes with None."""
    for n in getattr(tree, "body", []):
        if not (isinstance(n, ast.Assign) and len(n.targets) == 1):
            continue
        target = n.targets[0]
        if isinstance(target, ast.Name):
            yield target.id, n.value
        elif isinstance(target, ast.Tuple):
            values = n.value.elts if isinstance(n.value, ast.Tuple) and len(n.value.elts) == len(target.elts) \
                else [None] * len(target.elts)
            for t, v in zip(target.elts, values):
                if isinstance(t, ast.Name):
                    yield t.id, v


def constraint_relation(stmt: ast.stmt, ops: tuple = (ast.LtE, ast.GtE)) -> ast.Compare | None:
    """The comparison of a one-statement ``model.c = Constraint(expr=a <= b)`` whose operator is one of ``ops``,
    or None."""
    if not (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call) and call_name(stmt.value) == "Constraint"
            and not stmt.value.args):
        return None
    expr = [kw.value for kw in stmt.value.keywords if kw.arg == "expr"]
    if len(expr) != 1 or not (isinstance(expr[0], ast.Compare) and len(expr[0].ops) == 1
                              and isinstance(expr[0].ops[0], ops)):
        return None
    return expr[0]


def data_dicts(tree: ast.Module) -> dict[str, ast.Dict]:
    """Names the code sets once, at the top level, to a dict literal (``cost = {'A': 3, 'B': 5}``)."""
    out: dict[str, ast.Dict] = {}
    counts: dict[str, int] = {}
    for n in tree.body:
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
            name = n.targets[0].id
            counts[name] = counts.get(name, 0) + 1
            if isinstance(n.value, ast.Dict) and n.value.keys and all(k is not None for k in n.value.keys):
                out[name] = n.value
    return {k: v for k, v in out.items() if counts[k] == 1}


def variable_names(tree: ast.Module) -> list[str]:
    """Names bound to ``Var(...)``, in order: ``model.x = pyo.Var(...)`` gives x, ``y = Var(...)`` gives y."""
    out: dict[str, None] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and call_name(node.value) == "Var":
            for t in node.targets:
                name = base_name(t)
                if name:
                    out[name] = None
    return list(out)


def _rename_reserved(tree: ast.Module, changes: list[str]) -> None:
    """A decision named like a builtin the sandbox forbids (``model.open``, then ``open[l]``): the
    bare name becomes ``open_`` (bound to ``model.open`` when the code never binds it itself)."""
    from optolab.solvers.policy import FORBIDDEN_NAMES

    stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    made = _made_components(tree)
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} & FORBIDDEN_NAMES
    names = sorted(n for n in used if n in stored or n in made)
    if not names:
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in names:
            node.id = node.id + "_"
    _bind_after_components(tree, made, {n: n + "_" for n in names if n not in stored})
    changes.append(f"renamed {', '.join(names)} to {', '.join(n + '_' for n in names)}: "
                   "the names of Python builtins are not allowed in model code")


# attributes every Pyomo block already has (dir(pyo.ConcreteModel())): a component of that name cannot be
# added ("Attempting to declare a block component using the name of a reserved attribute")
BLOCK_ATTRIBUTES = frozenset("""
Skip activate active active_blocks active_component_data active_components add_component all_blocks
all_component_data all_components block_data_objects clear clear_suffix_value clone cname collect_ctypes component
component_data_iterindex component_data_objects component_map component_objects compute_statistics config construct
contains_component create_instance ctype deactivate del_component dim display doc find_component fix_all_vars
get_suffix_value getname id_index_map index index_set is_component_type is_constructed is_expression_type is_indexed
is_logical_type is_named_expression_type is_numeric_type is_parameter_type is_reference is_variable_type items
iteritems iterkeys itervalues keys load local_name model name nconstraints nobjectives nvariables parent_block
parent_component pprint preprocess private_data reclassify_component_type reconstruct
register_private_data_initializer root_block set_suffix_value set_value solutions statistics to_dense_data
transfer_attributes_from type unfix_all_vars valid_model_component valid_problem_types values write""".split())


def _model_names(tree: ast.Module) -> set[str]:
    """Names that stand for the model: bound to ``ConcreteModel()``, and the first argument of functions and
    lambdas (rules get the model first)."""
    names = {"model"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and call_name(node.value) in ("ConcreteModel", "Block"):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, (ast.FunctionDef, ast.Lambda)) and node.args.args:
            names.add(node.args.args[0].arg)
    return names


def _rename_block_attributes(tree: ast.Module, changes: list[str]) -> None:
    """``model.items = pyo.Var(...)``: a component named like an attribute every Pyomo block has (or like a
    result suffix the solver writes, ``model.dual``). It becomes ``model.items_`` wherever the model (or a rule's
    model argument) reads it."""
    models = _model_names(tree)
    declared = {t.attr for n in ast.walk(tree) if isinstance(n, ast.Assign) for t in n.targets
                if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id in models
                and (t.attr in BLOCK_ATTRIBUTES or t.attr in SUFFIX_NAMES)}
    if not declared:
        return
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}  # model.clone() stays a method
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in declared and isinstance(node.value, ast.Name) \
                and node.value.id in models and id(node) not in called:
            node.attr += "_"
    names = sorted(declared)
    changes.append(f"renamed model.{', model.'.join(names)} to model.{'_, model.'.join(names)}_: every Pyomo "
                   "model already has an attribute of that name, or the solver writes its results under it")


_COMPONENTS = ("Var", "Param", "Set", "RangeSet", "Constraint", "ConstraintList", "Objective", "Expression")


def _attach_free_components(tree: ast.Module, changes: list[str]) -> None:
    """``width = pyo.Var(...)`` beside ``model.length = pyo.Var(...)``: a component never added to the
    model, which Pyomo then cannot solve ("unrecognized expression type: AbstractScalarVar") or silently
    leaves out (a constraint, an objective). It becomes ``model.width = pyo.Var(...)`` followed by
    ``width = model.width``."""
    models = [t.id for stmt in tree.body if isinstance(stmt, ast.Assign) and call_name(stmt.value) == "ConcreteModel"
              for t in stmt.targets if isinstance(t, ast.Name)]
    if not models:
        return
    owner, taken = models[0], set(_made_components(tree))
    attached = {stmt.targets[0].attr for stmt in tree.body if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Attribute) and isinstance(stmt.value, ast.Name)
                and stmt.value.id == stmt.targets[0].attr}  # ``model.h = h``: attached by the code itself
    moved = []
    for i in range(len(tree.body) - 1, -1, -1):
        stmt = tree.body[i]
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
                and call_name(stmt.value) in _COMPONENTS and stmt.targets[0].id not in attached:
            name = stmt.targets[0].id
            # ``model.items_sold`` is also a constraint further down: the variable gets a name of its own
            attr = _free_name(name, taken) if name in taken else name
            stmt.targets = [ast.Attribute(ast.Name(owner, ast.Load()), attr, ast.Store())]
            tree.body.insert(i + 1, ast.parse(f"{name} = {owner}.{attr}").body[0])
            moved.append((name, attr))
    if moved:
        ast.fix_missing_locations(tree)
        moved.sort()
        changes.append(f"added {', '.join(n for n, _ in moved)} to the model "
                       f"({', '.join(f'{owner}.{a}' for _, a in moved)}): a component outside the model is not part "
                       "of it")


def _constraints_indexed_by_a_variable(tree: ast.Module, changes: list[str]) -> None:
    """``pyo.Constraint(model.x, rule=...)``: a constraint indexed by a variable, which Pyomo refuses
    ("Cannot apply a Set operator to an indexed Var"); it is indexed by the variable's index set."""
    variables = set(variable_names(tree))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and call_name(node) in ("Constraint", "Expression", "Objective"):
            for k, arg in enumerate(node.args):
                if isinstance(arg, (ast.Name, ast.Attribute)) and base_name(arg) in variables:
                    node.args[k] = ast.parse(f"{ast.unparse(arg)}.index_set()", mode="eval").body
                    changes.append(f"line {node.lineno}: a constraint indexed by the variable {ast.unparse(arg)} "
                                   "is indexed by its index set")


def _name_lists(tree: ast.Module) -> dict[str, list[str]]:
    """Top-level ``crops = ['wheat', 'corn']``: list name -> its names."""
    out = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
                and isinstance(stmt.value, ast.List) and stmt.value.elts \
                and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in stmt.value.elts):
            out[stmt.targets[0].id] = [e.value for e in stmt.value.elts]
    return out


def _loop_lists(tree: ast.Module) -> dict[str, set[str]]:
    """Loop variable -> the names of the lists it runs over (``?`` for anything that is not a plain name)."""
    loops: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.For, ast.comprehension)) and isinstance(node.target, ast.Name):
            it = node.iter.id if isinstance(node.iter, ast.Name) else "?"
            loops.setdefault(node.target.id, set()).add(it)
    return loops


def _keys_for(indexes: list[ast.AST], loops: dict[str, set[str]], names: dict[str, list[str]],
              length: int) -> tuple[str, list[str]] | None:
    """The one list of names that every index runs over, when it has ``length`` distinct names."""
    over: set[str] = set()
    for idx in indexes:
        over |= loops.get(idx.id, {"?"}) if isinstance(idx, ast.Name) else {"?"}
    if len(over) != 1:
        return None
    keys_name = over.pop()
    keys = names.get(keys_name)
    if keys is None or len(keys) != length or len(set(keys)) != len(keys):
        return None
    return keys_name, keys


def _key_lists_by_names(tree: ast.Module, changes: list[str]) -> None:
    """``price = [3, 5]`` read as ``price[c] for c in crops`` with ``crops = ['wheat', 'corn']``: a
    list indexed by names. It becomes ``{'wheat': 3, 'corn': 5}`` when every use indexes it that way
    and the two lists have the same length. The same for the lists of a dict read one level down:
    ``rate = {'L1': [20, 30]}`` read as ``rate[p][g] for g in glues`` becomes ``{'L1': {'G1': 20, 'G2': 30}}``."""
    names = _name_lists(tree)
    loops = _loop_lists(tree)
    lists: dict[str, ast.List] = {}
    nested: dict[str, ast.Dict] = {}
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
            continue
        target, value = stmt.targets[0].id, stmt.value
        if isinstance(value, ast.List) and target not in names:
            lists[target] = value
        elif isinstance(value, ast.Dict) and value.values and all(isinstance(v, ast.List) for v in value.values) \
                and len({len(v.elts) for v in value.values}) == 1 and value.values[0].elts:
            nested[target] = value
    uses: dict[str, list[ast.AST]] = {}
    inner_uses: dict[str, list[ast.AST]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in lists:
            uses.setdefault(node.value.id, []).append(node.slice)
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Subscript) \
                and isinstance(node.value.value, ast.Name) and node.value.value.id in nested:
            inner_uses.setdefault(node.value.value.id, []).append(node.slice)
    parents = {id(child): parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    for name, value in lists.items():
        found = _keys_for(uses.get(name, []), loops, names, len(value.elts)) if name in uses else None
        if found:
            value_dict = ast.Dict(keys=[ast.Constant(k) for k in found[1]], values=list(value.elts))
            for stmt in tree.body:
                if isinstance(stmt, ast.Assign) and stmt.value is value:
                    stmt.value = value_dict
            changes.append(f"{name} is read by the names in {found[0]}: made it a dict keyed by them")
    for name, value in nested.items():
        if name not in inner_uses:
            continue
        outer = [n for n in ast.walk(tree) if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name)
                 and n.value.id == name]
        if any(not isinstance(parents.get(id(n)), ast.Subscript) or parents[id(n)].value is not n for n in outer):
            continue  # also read whole (``rate[p]`` on its own): left alone
        found = _keys_for(inner_uses[name], loops, names, len(value.values[0].elts))
        if found:
            value.values = [ast.Dict(keys=[ast.Constant(k) for k in found[1]], values=list(v.elts))
                            for v in value.values]
            changes.append(f"the lists in {name} are read by the names in {found[0]}: made them dicts keyed by them")


_NONNEGATIVE = {"NonNegativeReals", "NonNegativeIntegers", "Binary", "PositiveReals", "PositiveIntegers",
                "Boolean", "UnitInterval", "PercentFraction"}


def _var_domain(node: ast.Assign) -> str | None:
    """The domain a ``... = pyo.Var(domain=...)`` declaration names (``NonNegativeIntegers``), if any."""
    for kw in node.value.keywords:
        if kw.arg in ("domain", "within"):
            return call_name(kw.value) or ast.unparse(kw.value).split(".")[-1]
    return None


def _nonnegative_variables(tree: ast.Module) -> set[str]:
    """Variables declared nonnegative (by domain or by a lower bound >= 0)."""
    out = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Assign) and call_name(node.value) == "Var"):
            continue
        ok = _var_domain(node) in _NONNEGATIVE
        for kw in node.value.keywords:
            if kw.arg == "bounds" and isinstance(kw.value, ast.Tuple) and kw.value.elts:
                low = kw.value.elts[0]
                ok |= isinstance(low, ast.Constant) and isinstance(low.value, (int, float)) and low.value >= 0
        if ok:
            out |= {name for name in map(base_name, node.targets) if name}
    return out


# Pyomo's integer domains and their real counterparts
INTEGER_DOMAINS = {"Integers": "Reals", "NonNegativeIntegers": "NonNegativeReals", "PositiveIntegers": "PositiveReals",
                   "NonPositiveIntegers": "NonPositiveReals", "NegativeIntegers": "NegativeReals"}
_INTEGER_DOMAIN_NAMES = set(INTEGER_DOMAINS) | {"Binary", "Boolean"}


def _one_domain(tree: ast.Module, changes: list[str]) -> None:
    """``pyo.Var(domain=A, within=B)`` names the set twice, which Pyomo refuses: keep one set that has what
    both say (integer, nonnegative)."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and call_name(node) == "Var"):
            continue
        given = [kw for kw in node.keywords if kw.arg in ("domain", "within")]
        if len(given) != 2:
            continue
        names = [call_name(kw.value) or ast.unparse(kw.value).split(".")[-1] for kw in given]

        def traits(name: str) -> tuple[bool, bool]:
            return name in _INTEGER_DOMAIN_NAMES, name in _NONNEGATIVE

        want = tuple(a or b for a, b in zip(*map(traits, names)))
        keep = next((kw for kw, name in zip(given, names) if traits(name) == want), None)
        if keep is None:  # Integers with NonNegativeReals: the set with both
            keep = given[0]
            value = keep.value
            if isinstance(value, ast.Attribute):
                value.attr = "NonNegativeIntegers"
            else:
                keep.value = ast.Name("NonNegativeIntegers", ast.Load())
        drop = given[1] if keep is given[0] else given[0]
        node.keywords = [kw for kw in node.keywords if kw is not drop]
        changes.append(f"line {node.lineno}: a variable takes one of domain= and within=; kept "
                       f"{keep.arg}={ast.unparse(keep.value)}")


def _integer_variables(tree: ast.Module, binary: bool = True) -> set[str]:
    """The decisions declared integer (with ``binary``, the 0/1 ones too)."""
    kinds = _INTEGER_DOMAIN_NAMES if binary else set(INTEGER_DOMAINS)
    return {name for node in ast.walk(tree) if isinstance(node, ast.Assign) and call_name(node.value) == "Var"
            and _var_domain(node) in kinds for name in map(base_name, node.targets) if name}


def _strict_inequalities(tree: ast.Module, changes: list[str]) -> None:
    """``vans > minibuses`` in a constraint, which Pyomo refuses ("strict inequality"): ``vans >= minibuses
    + 1`` when both sides can only take whole values (integer variables, whole coefficients), else
    ``vans >= minibuses`` (the usual reading of "more than" in a continuous model)."""
    variables, integers = set(variable_names(tree)), _integer_variables(tree)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.Lt, ast.Gt))):
            continue
        used = {base_name(n) for n in ast.walk(node) if isinstance(n, (ast.Name, ast.Attribute))} & variables
        if not used:
            continue  # Python logic on data, not a constraint
        whole = used <= integers and all(
            not isinstance(n, ast.Constant) or (isinstance(n.value, int) or (isinstance(n.value, float)
                                                                               and n.value.is_integer()))
            for n in ast.walk(node)) and not any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div)
                                                 for n in ast.walk(node))
        before = ast.unparse(node)
        greater = isinstance(node.ops[0], ast.Gt)
        node.ops = [ast.GtE() if greater else ast.LtE()]
        if whole:  # a > b  ->  a >= b + 1;  a < b  ->  a <= b - 1
            node.comparators = [ast.BinOp(node.comparators[0], ast.Add() if greater else ast.Sub(), ast.Constant(1))]
        ast.fix_missing_locations(node)
        changes.append(f"line {node.lineno}: the strict `{before}` became `{ast.unparse(node)}` (solvers take "
                       "only <=, >= and ==)")


class _ClearRatios(ast.NodeTransformer):
    """``(a + b) / (x + y) <= 0.3`` with nonnegative x, y is ``a + b <= 0.3 * (x + y)``: linear, so
    an LP/MILP solver proves the optimum instead of a local NLP solver approximating it."""

    def __init__(self, variables: set[str], nonnegative: set[str], changes: list[str]) -> None:
        self.variables, self.nonnegative, self.changes = variables, nonnegative, changes

    def _vars(self, node: ast.AST) -> set[str]:
        return {name for name in map(base_name, ast.walk(node)) if name in self.variables}

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.LtE, ast.GtE, ast.Eq)):
            return node
        left, right = node.left, node.comparators[0]
        for ratio, other, ratio_left in ((left, right, True), (right, left, False)):
            if not (isinstance(ratio, ast.BinOp) and isinstance(ratio.op, ast.Div)) or self._vars(other):
                continue
            denominator = self._vars(ratio.right)
            if not denominator or not denominator <= self.nonnegative:
                continue
            scaled = ast.BinOp(left=other, op=ast.Mult(), right=ratio.right)
            new = ast.Compare(left=ratio.left if ratio_left else scaled, ops=node.ops,
                              comparators=[scaled if ratio_left else ratio.left])
            self.changes.append(f"line {node.lineno}: multiplied out the ratio in {ast.unparse(node)} "
                                f"(its denominator is nonnegative), which keeps the model linear")
            return ast.copy_location(new, node)
        return node


def _create_missing_model(tree: ast.Module, changes: list[str]) -> None:
    """Code that fills ``model.x = ...`` but never makes ``model`` (a repair that left out the first
    lines): make it after the imports."""
    if "ConcreteModel" in calls(tree) or any(isinstance(n, ast.Name) and n.id == "model" and
                                               isinstance(n.ctx, ast.Store) for n in ast.walk(tree)):
        return
    if not any(isinstance(st, ast.Assign) and any(isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)
                                                  and t.value.id == "model" for t in st.targets)
               for st in tree.body):
        return
    at = 0
    while at < len(tree.body) and isinstance(tree.body[at], (ast.Import, ast.ImportFrom)):
        at += 1
    pyo_bound = any(isinstance(st, ast.Import) and any(a.asname == "pyo" for a in st.names) for st in tree.body)
    lines = ["model = pyo.ConcreteModel()"] if pyo_bound else ["import pyomo.environ as pyo",
                                                               "model = pyo.ConcreteModel()"]
    tree.body[at:at] = [ast.parse(line).body[0] for line in lines]
    changes.append("created model = pyo.ConcreteModel(), which the code fills but never makes")


def _constraint_lists(tree: ast.Module, changes: list[str]) -> None:
    """``model.c = pyo.Constraint()`` followed by ``model.c.add(...)``: it is a ConstraintList."""
    added = {ast.unparse(n.func.value) for n in ast.walk(tree) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Attribute) and n.func.attr == "add"}
    for st in ast.walk(tree):
        if not (isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.value, ast.Call)
                and not st.value.args and not st.value.keywords and ast.unparse(st.targets[0]) in added):
            continue
        func = st.value.func
        if isinstance(func, ast.Attribute) and func.attr == "Constraint":
            func.attr = "ConstraintList"
            changes.append(f"{ast.unparse(st.targets[0])} gets constraints with add(): made it a ConstraintList")


def _bounds_on_variables(tree: ast.Module, changes: list[str]) -> None:
    """``model.dolls = pyo.Var(bounds=(0, 2 * model.toys))``: Pyomo takes only numbers as bounds. The bound on
    another decision becomes a constraint of its own."""
    variables = set(variable_names(tree))
    added: list[ast.stmt] = []
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Attribute)
                and call_name(stmt.value) == "Var" and not stmt.value.args):
            continue
        target = stmt.targets[0]
        for kw in stmt.value.keywords:
            if kw.arg != "bounds" or not isinstance(kw.value, ast.Tuple) or len(kw.value.elts) != 2:
                continue
            for i, op in ((0, ">="), (1, "<=")):
                bound = kw.value.elts[i]
                if any(isinstance(n, (ast.Name, ast.Attribute)) and base_name(n) in variables for n in ast.walk(bound)):
                    kw.value.elts[i] = ast.Constant(None)
                    prefix = ast.unparse(stmt.value.func.value) + "." if isinstance(stmt.value.func, ast.Attribute) else ""
                    text = (f"{ast.unparse(target.value)}.{target.attr}_{'low' if i == 0 else 'high'} = "
                            f"{prefix}Constraint(expr={ast.unparse(target)} {op} {ast.unparse(bound)})")
                    added.append(ast.parse(text).body[0])
                    changes.append(f"line {stmt.lineno}: the bound {ast.unparse(bound)} of {target.attr} names a "
                                   "decision; it is a constraint now")
    tree.body += added


def _positional_expressions(tree: ast.Module, changes: list[str]) -> None:
    """``pyo.Constraint(x + y <= 5)``: Pyomo reads a positional argument as an index set; the comparison is the
    constraint's ``expr``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and call_name(node) in ("Constraint", "Objective") and len(node.args) == 1 \
                and isinstance(node.args[0], (ast.Compare if call_name(node) == "Constraint" else ast.BinOp)) \
                and not any(k.arg in ("expr", "rule") for k in node.keywords):
            node.keywords.insert(0, ast.keyword(arg="expr", value=node.args[0]))
            node.args = []
            changes.append(f"line {node.lineno}: the expression of a {call_name(node)} given as its index; passed "
                           "it as expr=")


def _unindex_single_constraints(tree: ast.Module, changes: list[str]) -> None:
    """``pyo.Constraint(model.x, rule=lambda m: ...)``: a rule of the model alone (or an ``expr=``)
    makes one constraint, so the index arguments given with it are dropped."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and call_name(node) == "Constraint" and node.args):
            continue
        kw = {k.arg: k.value for k in node.keywords}
        rule = kw.get("rule")
        single = "expr" in kw or (isinstance(rule, ast.Lambda) and len(rule.args.args) == 1)
        if single:
            dropped = ", ".join(ast.unparse(a) for a in node.args)
            node.args = []
            changes.append(f"line {node.lineno}: dropped the index {dropped} of a constraint whose rule makes one "
                           "constraint")


# domain names small models write that Pyomo does not have, with the name it has
_DOMAIN_TYPOS = {"Bool": "Binary", "Binaries": "Binary", "Integer": "Integers", "Real": "Reals",
                 "NonNegativeInteger": "NonNegativeIntegers", "NonNegativeReal": "NonNegativeReals",
                 "PositiveInteger": "PositiveIntegers", "PositiveReal": "PositiveReals",
                 "NonnegativeReals": "NonNegativeReals", "NonnegativeIntegers": "NonNegativeIntegers"}


_DOMAINS = ("Binary", "Boolean", "Integers", "Reals", "NonNegativeReals", "NonNegativeIntegers", "PositiveReals",
            "PositiveIntegers", "NonPositiveReals", "NonPositiveIntegers", "NegativeReals", "NegativeIntegers",
            "PercentFraction", "UnitInterval")
# any spelling case: pyo.BINARY, pyo.nonnegativereals
_DOMAIN_BY_CASE = {**{k.lower(): v for k, v in _DOMAIN_TYPOS.items()}, **{d.lower(): d for d in _DOMAINS}}


def _domain_typos(tree: ast.Module, changes: list[str]) -> None:
    """``pyo.Bool`` -> ``pyo.Binary``, ``pyo.NonNegativeInteger`` -> ``pyo.NonNegativeIntegers``, ``pyo.BINARY``
    -> ``pyo.Binary``."""
    fixed = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) \
                and n.value.id in ("pyo", "pe", "pyomo", "environ", "aml") and n.attr not in _DOMAINS \
                and n.attr.lower() in _DOMAIN_BY_CASE:
            fixed.add(f"{n.attr} -> {_DOMAIN_BY_CASE[n.attr.lower()]}")
            n.attr = _DOMAIN_BY_CASE[n.attr.lower()]
    if fixed:
        changes.append(f"domain names Pyomo does not have corrected: {', '.join(sorted(fixed))}")


def _padded_keys(tree: ast.Module, changes: list[str]) -> None:
    """``foods = [' oats', 'milk']`` beside ``cost = {'oats': ...}``: a label with stray spaces, written without
    them elsewhere, loses the spaces."""
    strings = [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    plain = {n.value for n in strings}
    fixed = set()
    for n in strings:
        stripped = n.value.strip()
        if stripped != n.value and stripped and stripped in plain:
            fixed.add(stripped)
            n.value = stripped
    if fixed:
        changes.append(f"labels written with stray spaces made equal to their other mentions: {sorted(fixed)}")


def folded(label: str) -> str:
    """A label with case, spaces, hyphens and underscores set aside: ``'T_Bills'`` and ``'t-bills'`` fold alike."""
    return re.sub(r"[^a-z0-9]", "", str(label).lower())


def _case_keys(tree: ast.Module, changes: list[str]) -> None:
    """``model.invest['cds']`` where the lists and dicts of the code name the element ``'CDs'``: a key written in
    another case or with other spaces, hyphens or underscores (a KeyError) becomes the element's own spelling,
    when exactly one element folds to it."""
    labels = {v for values in _name_lists(tree).values() for v in values}
    for d in ast.walk(tree):
        if isinstance(d, ast.Dict):
            labels |= {k.value for k in d.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    by_fold: dict[str, set[str]] = {}
    for label in labels:
        by_fold.setdefault(folded(label), set()).add(label)
    fixed = {}
    for n in ast.walk(tree):
        if not isinstance(n, ast.Subscript):
            continue
        keys = n.slice.elts if isinstance(n.slice, ast.Tuple) else [n.slice]
        for k in keys:
            if isinstance(k, ast.Constant) and isinstance(k.value, str) and k.value not in labels:
                same = by_fold.get(folded(k.value), set())
                if len(same) == 1 and folded(k.value):
                    fixed[k.value] = k.value = next(iter(same))
    if fixed:
        changes.append("keys written unlike the elements they name: "
                       + ", ".join(f"{a!r} -> {b!r}" for a, b in sorted(fixed.items())))


def _ref_name(node: ast.AST) -> str | None:
    """The variable a term refers to: ``x``, ``model.x``, ``x[i]``, ``model.x[i, j]``."""
    return base_name(node.value if isinstance(node, ast.Subscript) else node)


def _list_size(node: ast.AST, lists: dict[str, int]) -> int | None:
    """The length of a list the code names (``items``), or of a sum of such lists (``a_list + b_list``)."""
    if isinstance(node, ast.Name):
        return lists.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _list_size(node.left, lists), _list_size(node.right, lists)
        return left + right if left is not None and right is not None else None
    return None


def _unit_terms(node: ast.AST, lists: dict[str, int]) -> tuple[set[str], int] | None:
    """The variables a plain sum of them (every weight 1) adds, and how many terms it has at most: ``a + b``,
    ``sum(x[i, j] for i in items)`` over a list of known length; None for anything else."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _unit_terms(node.left, lists), _unit_terms(node.right, lists)
        return (left[0] | right[0], left[1] + right[1]) if left and right else None
    if isinstance(node, ast.Call) and call_name(node) == "sum" and len(node.args) == 1 \
            and isinstance(node.args[0], ast.GeneratorExp):
        gen = node.args[0]
        inner = _unit_terms(gen.elt, lists)
        if inner is None or any(c.ifs for c in gen.generators):
            return None
        count = inner[1]
        for c in gen.generators:
            size = _list_size(c.iter, lists)
            if size is None:
                return None
            count *= size
        return inner[0], count
    name = _ref_name(node)
    return ({name}, 1) if name and isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)) else None


def _binary_counts(tree: ast.Module, changes: list[str]) -> None:
    """A Binary variable that a row needs more than one of (``sum(ship[w, s] for w in warehouses) ==
    demand[s]`` with demands of 40 from two warehouses, ``monday >= 17``) counts things: it becomes
    NonNegativeIntegers, and a ``(0, 1)`` bound on it goes."""
    declared: dict[str, ast.Call] = {}
    lists: dict[str, int] = {}
    data: dict[str, list[float]] = {}
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        name = base_name(node.targets[0])
        value = node.value
        if isinstance(value, ast.Call) and call_name(value) == "Var" and _var_domain(node) == "Binary" and name:
            declared[name] = value
        elif isinstance(node.targets[0], ast.Name) and isinstance(value, (ast.List, ast.Tuple)):
            lists[name] = len(value.elts)
        elif isinstance(node.targets[0], ast.Name) and isinstance(value, ast.Dict) and all(
                isinstance(v, ast.Constant) and isinstance(v.value, (int, float)) for v in value.values):
            data[name] = [float(v.value) for v in value.values]
    if not declared:
        return
    named = {k: v for k, v in ((n.targets[0].id, n.value.value) for n in tree.body if isinstance(n, ast.Assign)
             and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name) and isinstance(n.value, ast.Constant)
             and isinstance(n.value.value, (int, float)))}

    def needs(node: ast.AST) -> list[float] | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return [float(node.value)]
        if isinstance(node, ast.Name) and node.id in named:
            return [float(named[node.id])]
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in data:
            return data[node.value.id]
        return None

    relaxed: dict[str, str] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Compare) and len(node.ops) == 1):
            continue
        op, left, right = node.ops[0], node.left, node.comparators[0]
        if isinstance(op, ast.LtE):  # 17 <= x is x >= 17
            left, right, op = right, left, ast.GtE()
        if not isinstance(op, (ast.GtE, ast.Eq)):
            continue
        terms, values = _unit_terms(left, lists), needs(right)
        if not terms or not values or not terms[0] <= set(declared) or min(values) <= terms[1]:
            continue
        for name in terms[0] - set(relaxed):
            relaxed[name] = ast.unparse(node)
    for name, row in relaxed.items():
        call = declared[name]
        for kw in call.keywords:
            if kw.arg in ("domain", "within"):
                kw.value = ast.parse(ast.unparse(kw.value).rsplit(".", 1)[0] + ".NonNegativeIntegers"
                                     if isinstance(kw.value, ast.Attribute) else "NonNegativeIntegers",
                                     mode="eval").body
        call.keywords = [kw for kw in call.keywords if not (kw.arg == "bounds" and ast.unparse(kw.value) == "(0, 1)")]
        changes.append(f"{name} was Binary, but `{row}` needs more than one of it: made it NonNegativeIntegers")


def fix_tree(tree: ast.Module, changes: list[str]) -> ast.Module:
    """All the fixes, in order; each appends what it changed to ``changes``."""
    _domain_typos(tree, changes)
    _padded_keys(tree, changes)
    _case_keys(tree, changes)
    _binary_counts(tree, changes)
    _early_aliases(tree, changes)
    _sum_methods(tree, changes)
    _add_keywords(tree, changes)
    _repeated_constraint_names(tree, changes)
    _scalars_used_with_keys(tree, changes)
    _joined_relations(tree, changes)
    _chained_relations(tree, changes)
    tree = join_chained_indexes(tree, changes)
    tree = sum_stray_loop_names(tree, changes)
    tree = _UnrollAdds(changes).visit(tree)
    tree = _SumOfOne(set(variable_names(tree)), changes).visit(tree)
    tree = _SumOfMany(changes).visit(tree)
    _one_domain(tree, changes)
    tree = _math_on_variables(tree, changes)
    _rename_reserved(tree, changes)
    _rename_block_attributes(tree, changes)
    _attach_free_components(tree, changes)
    _key_lists_by_names(tree, changes)
    tree = _ClearRatios(set(variable_names(tree)), _nonnegative_variables(tree), changes).visit(tree)
    _create_missing_model(tree, changes)
    _constraint_lists(tree, changes)
    _strict_inequalities(tree, changes)
    _constraints_indexed_by_a_variable(tree, changes)
    _positional_expressions(tree, changes)
    _bounds_on_variables(tree, changes)
    _unindex_single_constraints(tree, changes)
    _fix_undefined_names(tree, changes)
    return tree
