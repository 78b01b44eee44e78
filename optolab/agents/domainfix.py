"""Mechanical fixes of the domains LLM-written Pyomo code gives its variables, made before it runs.

Domain names Pyomo does not have (``pyo.Bool``, ``pyo.NonNegativeInteger``, any spelling case), one
variable given two domains, and a Binary variable that a constraint needs more than one of.
"""

from __future__ import annotations

import ast

from optolab.agents.codeast import INTEGER_DOMAIN_NAMES, NONNEGATIVE, base_name, call_name, names, var_domain


def one_domain(tree: ast.Module, changes: list[str]) -> None:
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
            return name in INTEGER_DOMAIN_NAMES, name in NONNEGATIVE

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


def domain_typos(tree: ast.Module, changes: list[str]) -> None:
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


def binary_counts(tree: ast.Module, changes: list[str]) -> None:
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
        if isinstance(value, ast.Call) and call_name(value) == "Var" and var_domain(node) == "Binary" and name:
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
