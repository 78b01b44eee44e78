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

Two slips of sums over such a variable are read too: ``for s in stores: sum(flow[s, d] for d in stores)``, where
the sum runs over the list the outer key already takes, means the sum over the other list
(``sum(flow[d, s] for d in warehouses)``), and ``for s in shops: sum(flow[s, s] for s in sites)``, where the
sum's variable hides the loop's, gets a name of its own (``sum(flow[s_1, s] for s_1 in sites)``). A loop over a
dict of numbers runs over its keys.
"""

from __future__ import annotations

import ast
import itertools

from optolab.agents.codeast import call_name, literal_values


def _constant_list(node: ast.AST) -> list | None:
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


def _parents(tree: ast.AST) -> dict[int, ast.AST]:
    out = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            out[id(child)] = node
    return out


def _iter_values(over: ast.AST, lists: dict[str, list]) -> list | None:
    """The elements a loop runs over: a known list by name (``shops``, ``model.shops``) or a literal one."""
    if isinstance(over, ast.Name):
        return lists.get(over.id)
    if isinstance(over, ast.Attribute):
        return lists.get(over.attr)
    return _constant_list(over)


def _enclosing_loops(node: ast.AST, parents: dict[int, ast.AST], lists: dict[str, list]) -> dict[str, set | None]:
    """Loop variable -> the elements it runs over where ``node`` reads it, for every ``for`` and comprehension
    around ``node`` (the nearest binding of a name counts); None where that loop's list is not known."""
    out: dict[str, set | None] = {}
    here = parents.get(id(node))
    while here is not None:
        loops = here.generators if isinstance(here, (ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp)) \
            else [here] if isinstance(here, ast.For) else []
        for loop in loops:
            if isinstance(loop.target, ast.Name) and loop.target.id not in out:
                values = _iter_values(loop.iter, lists)
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


def _loop_list(name: str, node: ast.AST, parents: dict[int, ast.AST]) -> str | None:
    """The name of the list the nearest loop binding ``name`` around ``node`` runs over (``for p in parcels``)."""
    here = parents.get(id(node))
    while here is not None:
        loops = here.generators if isinstance(here, (ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp)) \
            else [here] if isinstance(here, ast.For) else []
        for loop in loops:
            if isinstance(loop.target, ast.Name) and loop.target.id == name:
                return loop.iter.id if isinstance(loop.iter, ast.Name) else None
        here = parents.get(id(here))
    return None


def _widen_variables(tree: ast.Module, changes: list[str]) -> None:
    """``model.put = pyo.Var(parcels)`` read only as ``put[p, v]``, ``p`` and ``v`` looping over ``parcels`` and
    ``vans``: the variable was meant over both lists (a KeyError otherwise): declared ``pyo.Var(parcels, vans)``."""
    lists = {st.targets[0].id for st in tree.body if isinstance(st, ast.Assign) and len(st.targets) == 1
             and isinstance(st.targets[0], ast.Name) and _constant_list(st.value) is not None}
    parents = _parents(tree)
    for st in tree.body:
        if not (isinstance(st, ast.Assign) and len(st.targets) == 1 and call_name(st.value) == "Var"
                and len(st.value.args) == 1 and isinstance(st.value.args[0], ast.Name)
                and st.value.args[0].id in lists):
            continue
        target = ast.unparse(st.targets[0])
        names = {target} | ({st.targets[0].attr} if isinstance(st.targets[0], ast.Attribute) else set())
        names |= {t.id for s2 in tree.body if isinstance(s2, ast.Assign) and ast.unparse(s2.value) == target
                  for t in s2.targets if isinstance(t, ast.Name)}
        readings = [n for n in ast.walk(tree) if isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Load)
                    and ast.unparse(n.value) in names]
        if not readings:
            continue
        pairs = set()
        for r in readings:
            keys = r.slice.elts if isinstance(r.slice, ast.Tuple) else [r.slice]
            if len(keys) != 2 or not all(isinstance(k, ast.Name) for k in keys) or keys[0].id == keys[1].id:
                pairs = set()
                break
            pairs.add(tuple(_loop_list(k.id, r, parents) for k in keys))
        if len(pairs) != 1:
            continue
        (first, second), = pairs
        if first != st.value.args[0].id or second not in lists:
            continue
        st.value.args.append(ast.Name(second, ast.Load()))
        changes.append(f"line {st.lineno}: {target} was made over {first} alone but read with two keys, from loops "
                       f"over {first} and {second}: made over both ({first}, {second})")


def _sparse_sums(tree: ast.Module, changes: list[str]) -> None:
    """``model.flow = pyo.Var(links)`` over a list of pairs, summed ``sum(flow[w, s] for w in ['F1', 'F2'])`` where
    some of those pairs are no link (a KeyError): the sum runs over every link into ``s``
    (``... for w in ['F1', 'F2', 'H'] if (w, s) in links``), the flow that reaches ``s`` by any link."""
    pair_lists = {name: value for name, value in literal_values(tree).items() if isinstance(value, list) and value
                  and all(isinstance(v, tuple) and len(v) == 2 for v in value)}
    over: dict[str, str] = {}
    for st in tree.body:
        if isinstance(st, ast.Assign) and len(st.targets) == 1 and call_name(st.value) == "Var" \
                and len(st.value.args) == 1 and isinstance(st.value.args[0], ast.Name) \
                and st.value.args[0].id in pair_lists:
            target = ast.unparse(st.targets[0])
            over[target] = st.value.args[0].id
            if isinstance(st.targets[0], ast.Attribute):
                over[st.targets[0].attr] = st.value.args[0].id
    for st in tree.body:  # aliases: ``flow = model.flow``
        if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name) \
                and ast.unparse(st.value) in over:
            over[st.targets[0].id] = over[ast.unparse(st.value)]
    if not over:
        return
    parents = _parents(tree)
    lists = {st.targets[0].id: _constant_list(st.value) for st in tree.body if isinstance(st, ast.Assign)
             and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name) and _constant_list(st.value)}
    for gen in [n for n in ast.walk(tree) if isinstance(n, (ast.GeneratorExp, ast.ListComp))]:
        if len(gen.generators) != 1 or gen.generators[0].ifs or not isinstance(gen.generators[0].target, ast.Name):
            continue
        loop = gen.generators[0]
        values = _constant_list(loop.iter)
        if values is None and isinstance(loop.iter, ast.Name):
            values = next((_constant_list(st.value) for st in tree.body if isinstance(st, ast.Assign)
                           and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name)
                           and st.targets[0].id == loop.iter.id), None)
        reads = [n for n in ast.walk(gen.elt) if isinstance(n, ast.Subscript) and ast.unparse(n.value) in over
                 and isinstance(n.slice, ast.Tuple) and len(n.slice.elts) == 2]
        if values is None or len(reads) != 1:
            continue
        read = reads[0]
        keys = read.slice.elts
        links = set(pair_lists[over[ast.unparse(read.value)]])
        at = [i for i, k in enumerate(keys) if isinstance(k, ast.Name) and k.id == loop.target.id]
        other = keys[1 - at[0]] if len(at) == 1 else None
        if other is None or not isinstance(other, (ast.Name, ast.Constant)):
            continue
        # the other key's values where it is a constant; a name bound outside: any element of the links' place
        if isinstance(other, ast.Constant):
            others = [other.value]
        else:
            domain = _enclosing_loops(gen, parents, lists).get(other.id)
            others = sorted(domain or {p[1 - at[0]] for p in links}, key=str)
        pairs = [tuple((v, o) if at[0] == 0 else (o, v)) for o in others for v in values]
        if all(p in links for p in pairs) or not any(p in links for p in pairs):
            continue
        name = over[ast.unparse(read.value)]
        test = ast.parse(f"({ast.unparse(keys[0])}, {ast.unparse(keys[1])}) in {name}", mode="eval").body
        place = list(dict.fromkeys(p[at[0]] for p in pair_lists[name]))  # every node at the loop's end of a link
        before = ast.unparse(gen)
        loop.iter = ast.parse(repr(place), mode="eval").body
        loop.ifs.append(test)
        changes.append(f"line {gen.lineno}: {before} became {ast.unparse(gen)}: {ast.unparse(read.value)} is made "
                       f"over the pairs of {name} only: the sum takes every pair of {name} with that end, and none that "
                       f"is missing")


def _fix_data_keys(tree: ast.Module, changes: list[str]) -> None:
    _unwrap_single_keys(tree, changes)
    _widen_variables(tree, changes)
    _sparse_sums(tree, changes)
    data, lists, keyed = {}, {}, set()
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            name = target.id if isinstance(target, ast.Name) else None
            values = _constant_list(stmt.value)
            if values is None and name and isinstance(stmt.value, ast.Dict) and _key_positions(stmt.value) is None:
                # a loop over a dict of numbers runs over its keys
                values = _constant_list(ast.List(elts=list(stmt.value.keys), ctx=ast.Load())) \
                    if all(k is not None for k in stmt.value.keys) else None
                if values is not None:
                    keyed.add(name)
            if values is None and isinstance(stmt.value, ast.Call) and stmt.value.keywords:  # Set(initialize=[...])
                init = next((k.value for k in stmt.value.keywords if k.arg == "initialize"), None)
                values = _constant_list(init) if init is not None else None
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
    parents = _parents(tree)
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
        loops = _enclosing_loops(node, parents, lists)
        if shape == "pairs" and not isinstance(node.value, ast.Subscript):
            loop_keys = _loop_keys(keys, places, loops, bound)
            if loop_keys is not None:
                before = ast.unparse(node)
                node.slice = ast.Tuple(elts=loop_keys, ctx=ast.Load())
                changes.append(f"line {node.lineno}: {before} became {ast.unparse(node)}: "
                               f"{', '.join(k.id for k in keys if k.id not in loops and k.id not in bound)} is "
                               f"bound nowhere, and these are the loop variables whose lists fit {label}'s keys "
                               f"({', '.join(_describe(p) for p in places)})")
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
                and (_sum_over_other_list(node, keys, label, places, parents, lists, named, changes)
                     or _shadowed_sum(node, keys, label, places, parents, lists, changes)):
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
                       f"({', '.join(_describe(p) for p in places)})")


def _generator_of(node: ast.AST, parents: dict[int, ast.AST]) -> tuple[ast.GeneratorExp, ast.comprehension] | None:
    """The generator expression right around ``node`` and its one loop, when it has one loop over a plain name."""
    here = parents.get(id(node))
    while here is not None and not isinstance(here, (ast.GeneratorExp, ast.ListComp, ast.stmt)):
        here = parents.get(id(here))
    if not isinstance(here, (ast.GeneratorExp, ast.ListComp)) or len(here.generators) != 1:
        return None
    loop = here.generators[0]
    if not isinstance(loop.target, ast.Name) or loop.ifs:
        return None
    return here, loop


def _uses(node: ast.AST, name: str) -> int:
    return sum(1 for n in ast.walk(node) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load))


def _list_named(place: set, lists: dict[str, list]) -> str | None:
    """The one list of the code whose elements are exactly ``place``."""
    found = [name for name, values in lists.items() if set(values) == place and len(values) == len(place)]
    return found[0] if len(found) == 1 else None


def _sum_over_other_list(node: ast.Subscript, keys: list[ast.expr], label: str, places: list[set],
                         parents: dict[int, ast.AST], lists: dict[str, list], named: dict[str, list],
                         changes: list[str]) -> bool:
    """``for s in stores: sum(flow[s, d] for d in stores)`` with ``flow`` over (warehouses, stores): the outer
    key fits one place only and the sum runs over the list of that same place, so no order fits; the sum is
    meant over the other place's list: ``sum(flow[d, s] for d in warehouses)``. True when it rewrote."""
    found = _generator_of(node, parents)
    if found is None or len(keys) != 2 or not all(isinstance(k, ast.Name) for k in keys):
        return False
    gen, loop = found
    inner = [i for i, k in enumerate(keys) if k.id == loop.target.id]
    if len(inner) != 1 or _uses(gen.elt, loop.target.id) != 1:
        return False
    (g,) = inner
    outer = keys[1 - g]
    loops = _enclosing_loops(gen, parents, lists)
    domain = loops.get(outer.id)
    if not domain:
        return False
    at = [i for i, place in enumerate(places) if domain <= place]
    if len(at) != 1:
        return False
    other = 1 - at[0]
    over = _list_named(places[other], named)
    if over is None:
        return False
    before = ast.unparse(gen)
    loop.iter = ast.Name(over, ast.Load())
    ordered = [None, None]
    ordered[at[0]], ordered[other] = outer, keys[g]
    node.slice = ast.Tuple(elts=ordered, ctx=ast.Load())
    changes.append(f"line {node.lineno}: {before} became {ast.unparse(gen)}: {outer.id} runs over "
                   f"{_describe(domain)}, one place of {label}'s keys ({' x '.join(_describe(p) for p in places)}), "
                   f"so the sum runs over the other")
    return True


def _shadowed_sum(node: ast.Subscript, keys: list[ast.expr], label: str, places: list[set],
                  parents: dict[int, ast.AST], lists: dict[str, list], changes: list[str]) -> bool:
    """``for s in shops: sum(flow[s, s] for s in sites)``: the sum's variable takes the name of the loop around
    it, so both keys read the sum's one; with ``flow`` over (sites, shops) the sum's variable gets a name of
    its own and the loop's takes the other place: ``sum(flow[s_1, s] for s_1 in sites)``. True when it
    rewrote."""
    found = _generator_of(node, parents)
    if found is None or not all(isinstance(k, ast.Name) for k in keys):
        return False
    gen, loop = found
    name = loop.target.id
    if {k.id for k in keys} != {name} or _uses(gen.elt, name) != 2:
        return False
    inner = _iter_values(loop.iter, lists)
    outer = _enclosing_loops(gen, parents, lists).get(name)
    if not inner or not outer:
        return False
    fits = [(i, j) for i in range(2) for j in range(2) if i != j and set(inner) <= places[i] and outer <= places[j]]
    if len(fits) != 1:
        return False
    i, j = fits[0]
    taken = {n.id for n in ast.walk(gen) if isinstance(n, ast.Name)} | set(lists)
    fresh = next(f"{name}_{n}" for n in itertools.count(1) if f"{name}_{n}" not in taken)
    before = ast.unparse(gen)
    loop.target = ast.Name(fresh, ast.Store())
    ordered = [None, None]
    ordered[i], ordered[j] = ast.Name(fresh, ast.Load()), ast.Name(name, ast.Load())
    node.slice = ast.Tuple(elts=ordered, ctx=ast.Load())
    changes.append(f"line {node.lineno}: {before} became {ast.unparse(gen)}: the sum's variable hid the loop's "
                   f"{name} of the same name, and {label} is keyed by ({' x '.join(_describe(p) for p in places)})")
    return True


def _over_lists(value: ast.AST, lists: dict[str, list]) -> bool:
    """Whether ``value`` makes a variable over two or more of the code's lists (``pyo.Var(depots, regions)``)."""
    return call_name(value) == "Var" \
        and len(value.args) >= 2 and all(isinstance(a, ast.Name) and a.id in lists for a in value.args)


def _describe(keys: set) -> str:
    shown = sorted(keys, key=str)
    return "/".join(map(str, shown[:3])) + ("/..." if len(shown) > 3 else "")
