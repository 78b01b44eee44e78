"""Mechanical fixes of how LLM-written code indexes and sums its data and components, made before it runs.

- ``x[p][t]`` of a variable declared over two sets (``pyo.Var(products, teams)``): Pyomo reads
  ``x['AppX']`` as a whole index and fails with a KeyError; it means ``x[p, t]``.
- ``sum(profit[c] * area[c] for c in crops) / (water[c] * area[c])``: the loop variable ``c`` is used
  outside the generator that binds it (a NameError); the stray side is summed over the same loop:
  ``... / sum(water[c] * area[c] for c in crops)``.
- keys written with stray spaces or in another case than the names they stand for, lists read by names
  (made dicts keyed by them), a scalar read with a key;
- ``sum()`` of one variable entry, ``sum(a, b, c)`` of terms, ``model.x.sum()``.

Each fix says what it changed, in words for the trail (see :mod:`optolab.agents.codefix`).
"""

from __future__ import annotations

import ast

from optolab.agents.codeast import base_name, call_name, folded, name_lists, names, var_is_indexed

_INDEXED = ("Var", "Param", "Expression")


def _component_arity(tree: ast.Module) -> dict[str, int]:
    """Name (``x`` and ``model.x`` alike) -> number of index sets of each ``Var``/``Param``/``Expression``
    declared over two or more sets given one by one (``pyo.Var(products, teams, ...)``)."""
    arity: dict[str, int] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.value, ast.Call)):
            continue
        kind = call_name(node.value)
        sets = [a for a in node.value.args if not isinstance(a, ast.Starred)]
        if kind not in _INDEXED or len(sets) < 2 or len(sets) != len(node.value.args):
            continue
        name = base_name(node.targets[0])
        if name:
            arity[name] = len(sets)
    for node in ast.walk(tree):  # aliases: ``x = model.x``
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and isinstance(node.value, ast.Attribute) and node.value.attr in arity:
            arity.setdefault(node.targets[0].id, arity[node.value.attr])
    return arity


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
        name = base_name(base)
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

def split_joined_loops(tree: ast.Module, changes: list[str]) -> None:
    """``sum(cost[r, c] * x[r, c] for r in rows and c in cols)``: two loops written as one with ``and``, which
    Python reads as ``for r in (rows and (c in cols))``, a NameError on ``c``. Made two loops,
    ``for r in rows for c in cols``."""
    for node in ast.walk(tree):
        if not isinstance(node, (ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp)):
            continue
        generators: list[ast.comprehension] = []
        split = False
        for gen in node.generators:
            it = gen.iter
            if isinstance(it, ast.BoolOp) and isinstance(it.op, ast.And) and len(it.values) >= 2 and all(
                    isinstance(v, ast.Compare) and len(v.ops) == 1 and isinstance(v.ops[0], ast.In)
                    and isinstance(v.left, (ast.Name, ast.Tuple)) for v in it.values[1:]):
                generators.append(ast.comprehension(target=gen.target, iter=it.values[0], ifs=[], is_async=0))
                for v in it.values[1:]:
                    target = ast.Name(v.left.id, ast.Store()) if isinstance(v.left, ast.Name) else ast.Tuple(
                        [ast.Name(e.id, ast.Store()) for e in v.left.elts if isinstance(e, ast.Name)], ast.Store())
                    generators.append(ast.comprehension(target=target, iter=v.comparators[0], ifs=[], is_async=0))
                generators[-1].ifs = gen.ifs
                split = True
            else:
                generators.append(gen)
        if split:
            before = ast.unparse(node)
            node.generators = generators
            ast.fix_missing_locations(node)
            changes.append(f"line {node.lineno}: `{before}` joins its loops with `and`; written as separate loops: "
                           f"`{ast.unparse(node)}`")


def sum_methods(tree: ast.Module, changes: list[str]) -> None:
    """``model.production.sum()`` (a NumPy or pandas habit; an AttributeError on a Pyomo variable):
    ``sum(model.production.values())``."""
    indexed = {base_name(t) for n in ast.walk(tree) if var_is_indexed(n) and call_name(n.value) == "Var"
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


# what a Pyomo variable (indexed, one entry, or scalar) answers to, as of Pyomo 6.7
_VAR_METHODS = frozenset(
    "Skip active add bounds clear clear_suffix_value cname construct copy ctype dim display doc domain extract_values "
    "fix fixed flag_as_stale free get_suffix_value get_units get_values getname has_lb has_ub id_index_map index "
    "index_set is_binary is_component_type is_constant is_constructed is_continuous is_expression_type is_fixed "
    "is_indexed is_integer is_logical_type is_named_expression_type is_numeric_type is_parameter_type "
    "is_potentially_variable is_reference is_relational is_variable_type items iteritems iterkeys itervalues keys lb "
    "local_name lower model name parent_block parent_component polynomial_degree pprint reconstruct root_block "
    "set_suffix_value set_value set_values setlb setub stale to_dense_data to_string type ub unfix upper "
    "valid_model_component value values".split())


def unknown_variable_methods(tree: ast.Module, changes: list[str]) -> None:
    """``model.time[arc].add_constraint(time[arc] >= 0)``: a call of a method no Pyomo variable has (an
    AttributeError that stops the run before anything else is checked). Such a statement states nothing the
    model can hold; it is removed, with a loop or branch it leaves empty."""
    variables = {base_name(t) for n in ast.walk(tree) if isinstance(n, ast.Assign) and call_name(n.value) == "Var"
                 for t in n.targets}
    variables |= {t.id for n in ast.walk(tree) if isinstance(n, ast.Assign) and len(n.targets) == 1
                  and isinstance(n.targets[0], ast.Name) and isinstance(n.value, ast.Attribute)
                  and n.value.attr in variables for t in n.targets}
    variables.discard(None)

    def bad(stmt: ast.stmt) -> bool:
        if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
                and isinstance(stmt.value.func, ast.Attribute)):
            return False
        owner = stmt.value.func.value
        owner = owner.value if isinstance(owner, ast.Subscript) else owner
        return base_name(owner) in variables and stmt.value.func.attr not in _VAR_METHODS

    def clean(body: list[ast.stmt]) -> list[ast.stmt]:
        out = []
        for stmt in body:
            if bad(stmt):
                changes.append(f"removed line {stmt.lineno} (`{ast.unparse(stmt)}`): a Pyomo variable has no "
                               f".{stmt.value.func.attr}(); write a constraint instead")
                continue
            if isinstance(stmt, (ast.For, ast.If, ast.While)):
                stmt.body = clean(stmt.body)
                if not stmt.body:
                    if getattr(stmt, "orelse", None):
                        stmt.body = [ast.Pass()]
                    else:
                        continue
            out.append(stmt)
        return out

    tree.body = clean(tree.body)


def scalars_used_with_keys(tree: ast.Module, changes: list[str]) -> None:
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
        _align_key_runs(tree, name, changes)
        keys = [n.slice.value for n in ast.walk(tree) if isinstance(n, ast.Subscript) and base_name(n.value) == name]
        ordered = sorted(set(keys)) if isinstance(keys[0], int) else list(dict.fromkeys(keys))
        stmt.value.args = [ast.List([ast.Constant(k) for k in ordered], ast.Load())]
        ast.fix_missing_locations(stmt)
        changes.append(f"line {stmt.lineno}: {name} was declared as one variable but read as {name}[...]; it is "
                       f"indexed by the keys the code uses ({', '.join(map(repr, ordered))})")


def _align_key_runs(tree: ast.Module, name: str, changes: list[str]) -> None:
    """The objective reads ``spots[3]`` ... ``spots[7]`` and the time row ``spots[0]`` ... ``spots[4]``: keys
    the code made up for one plain variable, five in each statement, in the order the text lists the items.
    When every statement reading the variable reads one of exactly two such runs, of the same length and each
    key once, the k-th key of one run is the k-th of the other: they are renamed to the run the objective's
    rows (or the most statements) read."""
    runs: list[tuple[ast.stmt, list[ast.Subscript]]] = []
    for stmt in tree.body:
        uses = sorted((n for n in ast.walk(stmt) if isinstance(n, ast.Subscript) and base_name(n.value) == name),
                      key=lambda n: (n.lineno, n.col_offset))
        if uses:
            runs.append((stmt, uses))
    seqs = [tuple(u.slice.value for u in uses) for _, uses in runs]
    distinct = list(dict.fromkeys(seqs))
    if len(distinct) != 2 or any(len(set(s)) != len(s) for s in distinct) \
            or len(distinct[0]) != len(distinct[1]) or len(distinct[0]) < 2 or set(distinct[0]) == set(distinct[1]):
        return
    keep = max(distinct, key=seqs.count) if seqs.count(distinct[0]) != seqs.count(distinct[1]) \
        else min(distinct, key=lambda s: sorted(s))
    other = distinct[1] if keep == distinct[0] else distinct[0]
    rename = dict(zip(other, keep))
    for (stmt, uses), seq in zip(runs, seqs):
        if seq == other:
            for u in uses:
                u.slice = ast.copy_location(ast.Constant(rename[u.slice.value]), u.slice)
    changes.append(f"{name} is read with keys {', '.join(map(repr, other))} in some statements and "
                   f"{', '.join(map(repr, keep))} in others, {len(keep)} each in the same order: the same items, so "
                   f"read with the keys {', '.join(map(repr, keep))} throughout")


class SumOfOne(ast.NodeTransformer):
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


class SumOfMany(ast.NodeTransformer):
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


def key_lists_by_names(tree: ast.Module, changes: list[str]) -> None:
    """``price = [3, 5]`` read as ``price[c] for c in crops`` with ``crops = ['wheat', 'corn']``: a
    list indexed by names. It becomes ``{'wheat': 3, 'corn': 5}`` when every use indexes it that way
    and the two lists have the same length. The same for the lists of a dict read one level down:
    ``rate = {'L1': [20, 30]}`` read as ``rate[p][g] for g in glues`` becomes ``{'L1': {'G1': 20, 'G2': 30}}``."""
    names = name_lists(tree)
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


def padded_keys(tree: ast.Module, changes: list[str]) -> None:
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


def case_keys(tree: ast.Module, changes: list[str]) -> None:
    """``model.invest['cds']`` where the lists and dicts of the code name the element ``'CDs'``: a key written in
    another case or with other spaces, hyphens or underscores (a KeyError) becomes the element's own spelling,
    when exactly one element folds to it."""
    labels = {v for values in name_lists(tree).values() for v in values}
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
