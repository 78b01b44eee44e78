"""Readers of LLM-written Pyomo code's syntax tree, shared by the code fixes and the checks.

What a fix or a check needs to know about the code without running it: the components it makes and the
names it binds, its variables and their domains and bounds, its objective, its data dicts and name lists.
"""

from __future__ import annotations

import ast
import functools
import re


def objective_call(tree: ast.Module) -> ast.Call | None:
    """The code's one ``Objective(...)`` call, or None (no objective, or several)."""
    objective = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and call_name(n) == "Objective"]
    return objective[0] if len(objective) == 1 else None


def objective_expr(tree: ast.Module) -> ast.keyword | None:
    """The ``expr=`` keyword of the code's one ``Objective``, or None (no objective, several, or a rule)."""
    objective = objective_call(tree)
    expr_kw = [kw for kw in objective.keywords if kw.arg == "expr"] if objective is not None else []
    return expr_kw[0] if expr_kw else None


def list_variables(tree: ast.Module) -> list[tuple[ast.Assign, str]]:
    """(the statement, the list's name) for each top-level variable made over one list given by its name
    (``model.x = pyo.Var(items, domain=...)``)."""
    return [(st, st.value.args[0].id) for st in tree.body
            if isinstance(st, ast.Assign) and len(st.targets) == 1 and call_name(st.value) == "Var"
            and len(st.value.args) == 1 and isinstance(st.value.args[0], ast.Name)]


def reference_names(tree: ast.Module, target: ast.expr) -> set[str]:
    """The names code reads a component by: ``model.x`` as written, ``x`` (its attribute), and the top-level
    aliases ``y = model.x``."""
    written = ast.unparse(target)
    names = {written} | ({target.attr} if isinstance(target, ast.Attribute) else set())
    return names | {t.id for st in tree.body if isinstance(st, ast.Assign) and ast.unparse(st.value) == written
                    for t in st.targets if isinstance(t, ast.Name)}


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


def bound_names(tree: ast.Module) -> set[str]:
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


def made_components(tree: ast.Module) -> dict[str, int]:
    """Component name -> index of the first top-level statement ``owner.<name> = ...`` that makes it."""
    made: dict[str, int] = {}
    for i, stmt in enumerate(tree.body):
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Attribute) \
                and isinstance(stmt.targets[0].value, ast.Name):
            made.setdefault(stmt.targets[0].attr, i)
    return made


def bind_after_components(tree: ast.Module, made: dict[str, int], binds: dict[str, str]) -> None:
    """For each ``component: name`` of ``binds``, put ``name = owner.component`` right after the statement
    that makes the component (last first, so the indexes of ``made`` stay right)."""
    for component in sorted(binds, key=lambda c: -made[c]):
        i = made[component]
        owner = tree.body[i].targets[0].value.id
        tree.body.insert(i + 1, ast.parse(f"{binds[component]} = {owner}.{component}").body[0])


def var_is_indexed(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call) and bool(stmt.value.args)


def free_name(name: str, taken: set[str]) -> str:
    """``name_2`` (or ``name_3``, ...): the first such name not in ``taken``, which it joins."""
    k = 2
    while f"{name}_{k}" in taken:
        k += 1
    taken.add(f"{name}_{k}")
    return f"{name}_{k}"


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


def literal_values(tree: ast.AST) -> dict[str, object]:
    """Name -> value of each top-level name bound to a Python literal (``links = [('S', 'A'), ...]``,
    ``supply = {'F1': 60}``); names bound to anything else are left out."""
    out: dict[str, object] = {}
    for name, value in top_level_assignments(tree):
        if value is None:
            continue
        try:
            out[name] = ast.literal_eval(value)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
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


def name_lists(tree: ast.Module) -> dict[str, list[str]]:
    """Top-level ``crops = ['wheat', 'corn']``: list name -> its names."""
    out = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
                and isinstance(stmt.value, ast.List) and stmt.value.elts \
                and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in stmt.value.elts):
            out[stmt.targets[0].id] = [e.value for e in stmt.value.elts]
    return out


NONNEGATIVE = {"NonNegativeReals", "NonNegativeIntegers", "Binary", "PositiveReals", "PositiveIntegers",
                "Boolean", "UnitInterval", "PercentFraction"}


def var_domain(node: ast.Assign) -> str | None:
    """The domain a ``... = pyo.Var(domain=...)`` declaration names (``NonNegativeIntegers``), if any."""
    for kw in node.value.keywords:
        if kw.arg in ("domain", "within"):
            return call_name(kw.value) or ast.unparse(kw.value).split(".")[-1]
    return None


def nonnegative_variables(tree: ast.Module) -> set[str]:
    """Variables declared nonnegative (by domain or by a lower bound >= 0)."""
    out = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Assign) and call_name(node.value) == "Var"):
            continue
        ok = var_domain(node) in NONNEGATIVE
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
INTEGER_DOMAIN_NAMES = set(INTEGER_DOMAINS) | {"Binary", "Boolean"}


def integer_variables(tree: ast.Module, binary: bool = True) -> set[str]:
    """The decisions declared integer (with ``binary``, the 0/1 ones too)."""
    kinds = INTEGER_DOMAIN_NAMES if binary else set(INTEGER_DOMAINS)
    return {name for node in ast.walk(tree) if isinstance(node, ast.Assign) and call_name(node.value) == "Var"
            and var_domain(node) in kinds for name in map(base_name, node.targets) if name}


def folded(label: str) -> str:
    """A label with case, spaces, hyphens and underscores set aside: ``'T_Bills'`` and ``'t-bills'`` fold alike."""
    return re.sub(r"[^a-z0-9]", "", str(label).lower())


def number_literals(tree: ast.AST) -> set[float]:
    """Every number written in the code, as a float (``True``/``False`` are not numbers here)."""
    return {float(n.value) for n in ast.walk(tree) if isinstance(n, ast.Constant)
            and isinstance(n.value, (int, float)) and not isinstance(n.value, bool)}


def quiet_fix(fix):
    """Wrap a text fix ``fix(code, question)`` so that code it did not foresee (one that does not parse, a shape
    it trips on) leaves the code as it was: the wrapped fix returns None instead of raising."""
    @functools.wraps(fix)
    def guarded(code: str, question: str):
        try:
            return fix(code, question)
        except Exception:  # noqa: BLE001 - a heuristic fix that trips leaves the code as it was
            return None
    return guarded
