"""Table data read with its keys in the wrong order or shape.

A table's numbers reach the code as a dict keyed by pairs (``cost[(1, 'A')]``: shop 1, site A) or as a dict
of dicts (``cost[1]['A']``). Small models then read it the other way: ``cost[s][w]`` for the pair-keyed dict,
``cost[w, s]`` with the pair turned round, ``cost[w][s]`` for the dict of dicts. Each stops the run with a
``KeyError`` that a 1.5B model rarely repairs (the embedded set's facility-location trails: three attempts,
three KeyErrors, each a different wrong reading).

:func:`fix_data_keys` rewrites each reading whose keys come from loops over the code's lists (``for s in
shops``) or are literal elements, when exactly one order of those keys fits the dict, in the dict's own
shape. A variable declared over two or more of the code's lists (``model.flow = pyo.Var(depots, regions)``) is
read the same way: ``flow[r, d]`` becomes ``flow[d, r]``. A reading whose keys it cannot place is left as written.
A loop over a dict of numbers runs over its keys. Slips of sums over such variables are read by
:mod:`optolab.agents.sumkeys`.
"""

from __future__ import annotations

import ast
import itertools

from optolab.agents.codeast import call_name


def constant_list(node: ast.AST) -> list | None:
    if isinstance(node, (ast.List, ast.Tuple)) and node.elts and all(
            isinstance(e, ast.Constant) and isinstance(e.value, (str, int)) and not isinstance(e.value, bool)
            for e in node.elts):
        return [e.value for e in node.elts]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range" \
            and 1 <= len(node.args) <= 2 and all(isinstance(a, ast.Constant) and isinstance(a.value, int)
                                                 for a in node.args):
        return list(range(*[a.value for a in node.args]))
    return None


def _key_positions(value: ast.AST) -> tuple[str, list[set]] | None:
    """('pairs', [keys at each place]) for a dict keyed by tuples of one length, ('nested', [outer keys, inner
    keys]) for a dict of dicts; None for anything else."""
    if not isinstance(value, ast.Dict) or not value.keys or any(k is None for k in value.keys):
        return None
    if all(isinstance(k, ast.Tuple) and all(isinstance(e, ast.Constant) for e in k.elts) for k in value.keys):
        sizes = {len(k.elts) for k in value.keys}
        if len(sizes) != 1 or sizes.pop() < 2:
            return None
        return "pairs", [{k.elts[i].value for k in value.keys} for i in range(len(value.keys[0].elts))]
    if all(isinstance(k, ast.Constant) for k in value.keys) and all(
            isinstance(v, ast.Dict) and v.keys and all(isinstance(k, ast.Constant) for k in v.keys)
            for v in value.values):
        return "nested", [{k.value for k in value.keys}, {k.value for v in value.values for k in v.keys}]
    return None


def parent_map(tree: ast.AST) -> dict[int, ast.AST]:
    out = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            out[id(child)] = node
    return out


def iter_values(over: ast.AST, lists: dict[str, list]) -> list | None:
    """The elements a loop runs over: a known list by name (``shops``, ``model.shops``) or a literal one."""
    if isinstance(over, ast.Name):
        return lists.get(over.id)
    if isinstance(over, ast.Attribute):
        return lists.get(over.attr)
    return constant_list(over)


def enclosing_loops(node: ast.AST, parents: dict[int, ast.AST], lists: dict[str, list]) -> dict[str, set | None]:
    """Loop variable -> the elements it runs over where ``node`` reads it, for every ``for`` and comprehension
    around ``node`` (the nearest binding of a name counts); None where that loop's list is not known."""
    out: dict[str, set | None] = {}
    here = parents.get(id(node))
    while here is not None:
        loops = here.generators if isinstance(here, (ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp)) \
            else [here] if isinstance(here, ast.For) else []
        for loop in loops:
            if isinstance(loop.target, ast.Name) and loop.target.id not in out:
                values = iter_values(loop.iter, lists)
                out[loop.target.id] = set(values) if values else None
        here = parents.get(id(here))
    return out


def fix_data_keys(tree: ast.Module, changes: list[str]) -> None:
    """Rewrite, in place, the readings of pair-keyed and nested data dicts that no key order of theirs fits."""
    try:
        _fix_data_keys(tree, changes)
    except Exception:  # noqa: BLE001 - a heuristic fix that trips leaves the rest of the code as it was
        return


def _unwrap_single_keys(tree: ast.Module, changes: list[str]) -> None:
    """``fixed = {('D1',): 50000, ('D2',): 40000}``: a dict keyed by one-element tuples, read ``fixed[d]`` with a
    plain element (a KeyError); the keys become the elements themselves."""
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
                and isinstance(stmt.value, ast.Dict) and stmt.value.keys and all(
                    isinstance(k, ast.Tuple) and len(k.elts) == 1 and isinstance(k.elts[0], ast.Constant)
                    for k in stmt.value.keys):
            stmt.value.keys = [k.elts[0] for k in stmt.value.keys]
            changes.append(f"line {stmt.lineno}: {stmt.targets[0].id} was keyed by one-element tuples; keyed by the "
                           f"elements themselves")


def _loop_keys(keys: list[ast.expr], places: list[set], loops: dict[str, set | None],
               bound: set[str]) -> list[ast.expr] | None:
    """``cost[r, c]`` inside ``for d in depots for r in regions`` with ``c`` bound nowhere: the one loop variable
    whose list fits each place of the dict (``cost[d, r]``), when every place has exactly one and they differ;
    None otherwise."""
    if not any(isinstance(k, ast.Name) and k.id not in loops and k.id not in bound for k in keys) \
            or not all(isinstance(k, ast.Name) for k in keys):
        return None
    chosen = []
    for place in places:
        fits = [name for name, values in loops.items() if values is not None and values <= place]
        if len(fits) != 1:
            return None
        chosen.append(fits[0])
    if len(set(chosen)) != len(chosen):
        return None
    return [ast.Name(name, ast.Load()) for name in chosen]


def _fix_data_keys(tree: ast.Module, changes: list[str]) -> None:
    from optolab.agents.sumkeys import shadowed_sum, sparse_sums, sum_over_other_list, widen_variables

    _unwrap_single_keys(tree, changes)
    widen_variables(tree, changes)
    sparse_sums(tree, changes)
    data, lists, keyed = {}, {}, set()
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            name = target.id if isinstance(target, ast.Name) else None
            values = constant_list(stmt.value)
            if values is None and name and isinstance(stmt.value, ast.Dict) and _key_positions(stmt.value) is None:
                # a loop over a dict of numbers runs over its keys
                values = constant_list(ast.List(elts=list(stmt.value.keys), ctx=ast.Load())) \
                    if all(k is not None for k in stmt.value.keys) else None
                if values is not None:
                    keyed.add(name)
            if values is None and isinstance(stmt.value, ast.Call) and stmt.value.keywords:  # Set(initialize=[...])
                init = next((k.value for k in stmt.value.keywords if k.arg == "initialize"), None)
                values = constant_list(init) if init is not None else None
                name = target.attr if isinstance(target, ast.Attribute) else name
            if name and values is not None:
                lists[name] = values
            elif _over_lists(stmt.value, lists):  # model.flow = Var(depots, regions): keyed like a pair dict
                data[target.attr if isinstance(target, ast.Attribute) else name] = \
                    ("pairs", [set(lists[a.id]) for a in stmt.value.args])
            elif name:
                shape = _key_positions(stmt.value)
                if shape:
                    data[name] = shape
    if not data:
        return
    named = {name: values for name, values in lists.items() if name not in keyed}  # the lists a sum may run over
    parents = parent_map(tree)
    # names bound where a reading elsewhere can see them (a comprehension's variable is its own; a for loop's
    # variable counts where the loop encloses the reading, and is a slip after it: the last element)
    own = {id(t) for n in ast.walk(tree) if isinstance(n, (ast.comprehension, ast.For)) for t in ast.walk(n.target)}
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
             and id(n) not in own} | {a.arg for n in ast.walk(tree) if isinstance(n, ast.Lambda) for a in n.args.args}
    for node in list(ast.walk(tree)):
        if not isinstance(node, ast.Subscript) or not isinstance(node.ctx, ast.Load) \
                or isinstance(parents.get(id(node)), ast.Subscript) and parents[id(node)].value is node:
            continue  # the outermost reading of a chain only
        keys, base = [], node
        while isinstance(base, ast.Subscript):
            keys[:0] = list(base.slice.elts) if isinstance(base.slice, ast.Tuple) else [base.slice]
            base = base.value
        label = base.id if isinstance(base, ast.Name) else base.attr if isinstance(base, ast.Attribute) else None
        if label not in data:
            continue
        shape, places = data[label]
        if len(keys) != len(places):
            continue
        loops = enclosing_loops(node, parents, lists)
        if shape == "pairs" and not isinstance(node.value, ast.Subscript):
            loop_keys = _loop_keys(keys, places, loops, bound)
            if loop_keys is not None:
                before = ast.unparse(node)
                node.slice = ast.Tuple(elts=loop_keys, ctx=ast.Load())
                changes.append(f"line {node.lineno}: {before} became {ast.unparse(node)}: "
                               f"{', '.join(k.id for k in keys if k.id not in loops and k.id not in bound)} is "
                               f"bound nowhere, and these are the loop variables whose lists fit {label}'s keys "
                               f"({', '.join(describe_keys(p) for p in places)})")
                continue
        domains = []
        for k in keys:
            if isinstance(k, ast.Constant):
                domains.append({k.value})
            elif isinstance(k, ast.Name):
                domains.append(loops.get(k.id))
            else:
                domains.append(None)
        if any(d is None for d in domains):
            continue
        fits = [p for p in itertools.permutations(range(len(keys)))
                if all(domains[p[i]] <= places[i] for i in range(len(keys)))]
        if not fits and shape == "pairs" and not isinstance(node.value, ast.Subscript) \
                and (sum_over_other_list(node, keys, label, places, parents, lists, named, changes)
                     or shadowed_sum(node, keys, label, places, parents, lists, changes)):
            continue
        chained = isinstance(node.value, ast.Subscript)
        right_shape = chained if shape == "nested" else not chained
        if len(fits) != 1 or (fits[0] == tuple(range(len(keys))) and right_shape):
            continue
        ordered = [keys[i] for i in fits[0]]
        if shape == "pairs":
            new: ast.expr = ast.Subscript(value=base, slice=ast.Tuple(elts=ordered, ctx=ast.Load()), ctx=ast.Load())
        else:
            new = ast.Subscript(value=ast.Subscript(value=base, slice=ordered[0], ctx=ast.Load()),
                                slice=ordered[1], ctx=ast.Load())
        before = ast.unparse(node)
        node.value, node.slice = new.value, new.slice
        kind = "keyed by pairs" if shape == "pairs" else "a dict of dicts"
        changes.append(f"line {node.lineno}: {before} became {ast.unparse(node)}: {label} is {kind} "
                       f"({', '.join(describe_keys(p) for p in places)})")


def _over_lists(value: ast.AST, lists: dict[str, list]) -> bool:
    """Whether ``value`` makes a variable over two or more of the code's lists (``pyo.Var(depots, regions)``)."""
    return call_name(value) == "Var" \
        and len(value.args) >= 2 and all(isinstance(a, ast.Name) and a.id in lists for a in value.args)


def describe_keys(keys: set) -> str:
    shown = sorted(keys, key=str)
    return "/".join(map(str, shown[:3])) + ("/..." if len(shown) > 3 else "")
