"""Sums over indexed variables written with the wrong list, name or shape (called by
:func:`optolab.agents.datakeys.fix_data_keys`).

- ``for s in stores: sum(flow[s, d] for d in stores)``, where the sum runs over the list the outer key already
  takes, means the sum over the other list: ``sum(flow[d, s] for d in warehouses)``;
- ``for s in shops: sum(flow[s, s] for s in sites)``, where the sum's variable hides the loop's, gets a name of
  its own: ``sum(flow[s_1, s] for s_1 in sites)``;
- ``model.put = pyo.Var(parcels)`` read only as ``put[p, v]`` from loops over two lists is made over both;
- ``sum(flow[w, s] for w in ['F1', 'F2'])`` over a variable made over a list of links, where some of those pairs
  are no link, takes every link into ``s`` and no missing pair.
"""

from __future__ import annotations

import ast
import itertools

from optolab.agents.codeast import list_variables, literal_values, reference_names
from optolab.agents.datakeys import constant_list, describe_keys, enclosing_loops, iter_values, parent_map


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


def widen_variables(tree: ast.Module, changes: list[str]) -> None:
    """``model.put = pyo.Var(parcels)`` read only as ``put[p, v]``, ``p`` and ``v`` looping over ``parcels`` and
    ``vans``: the variable was meant over both lists (a KeyError otherwise): declared ``pyo.Var(parcels, vans)``."""
    lists = {st.targets[0].id for st in tree.body if isinstance(st, ast.Assign) and len(st.targets) == 1
             and isinstance(st.targets[0], ast.Name) and constant_list(st.value) is not None}
    parents = parent_map(tree)
    for st, over in list_variables(tree):
        if over not in lists:
            continue
        target = ast.unparse(st.targets[0])
        names = reference_names(tree, st.targets[0])
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


def sparse_sums(tree: ast.Module, changes: list[str]) -> None:
    """``model.flow = pyo.Var(links)`` over a list of pairs, summed ``sum(flow[w, s] for w in ['F1', 'F2'])`` where
    some of those pairs are no link (a KeyError): the sum runs over every link into ``s``
    (``... for w in ['F1', 'F2', 'H'] if (w, s) in links``), the flow that reaches ``s`` by any link."""
    pair_lists = {name: value for name, value in literal_values(tree).items() if isinstance(value, list) and value
                  and all(isinstance(v, tuple) and len(v) == 2 for v in value)}
    over = {name: listed for st, listed in list_variables(tree) if listed in pair_lists
            for name in reference_names(tree, st.targets[0])}
    if not over:
        return
    parents = parent_map(tree)
    lists = {st.targets[0].id: constant_list(st.value) for st in tree.body if isinstance(st, ast.Assign)
             and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name) and constant_list(st.value)}
    for gen in [n for n in ast.walk(tree) if isinstance(n, (ast.GeneratorExp, ast.ListComp))]:
        if len(gen.generators) != 1 or gen.generators[0].ifs or not isinstance(gen.generators[0].target, ast.Name):
            continue
        loop = gen.generators[0]
        values = constant_list(loop.iter)
        if values is None and isinstance(loop.iter, ast.Name):
            values = next((constant_list(st.value) for st in tree.body if isinstance(st, ast.Assign)
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
            domain = enclosing_loops(gen, parents, lists).get(other.id)
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


def sum_over_other_list(node: ast.Subscript, keys: list[ast.expr], label: str, places: list[set],
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
    loops = enclosing_loops(gen, parents, lists)
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
                   f"{describe_keys(domain)}, one place of {label}'s keys ({' x '.join(describe_keys(p) for p in places)}), "
                   f"so the sum runs over the other")
    return True


def shadowed_sum(node: ast.Subscript, keys: list[ast.expr], label: str, places: list[set],
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
    inner = iter_values(loop.iter, lists)
    outer = enclosing_loops(gen, parents, lists).get(name)
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
                   f"{name} of the same name, and {label} is keyed by ({' x '.join(describe_keys(p) for p in places)})")
    return True
