"""A limit the code names but never defines, bound to the one number of the text the code leaves out.

"Each van can carry at most 100 kg": a small model writes ``sum(weight[p] * put[p, v] ...) <= capacity * used[v]``
with every parcel's weight written out and ``capacity`` never defined, and the run stops at a NameError. The
text has one number left that no line of the code holds (100), and the code one plain name that nothing binds:
:func:`bind_lone_number` defines that name as that number.

It binds only when both are single (one name read as a number: in arithmetic or a comparison, never called,
indexed, iterated or given attributes; one number of the text the code uses as a quantity in no form, percentages
and unit conversions included; dict keys and list elements label things and do not count), so the pairing is the
only one there is.
"""

from __future__ import annotations

import ast
import builtins
import re

from optolab.agents.checks import mentions_of, numbers_missing_from
from optolab.agents.codeast import bound_names, quiet_fix, variable_names
from optolab.agents.datakeys import parent_map

_BUILTINS = frozenset(dir(builtins))


def _number_reads(tree: ast.Module) -> dict[str, bool]:
    """Each unbound name the code reads -> whether every read uses it as a plain number."""
    parents = parent_map(tree)
    out: dict[str, bool] = {}
    bound = bound_names(tree)
    for n in ast.walk(tree):
        if not (isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)) or n.id in bound or n.id in _BUILTINS:
            continue
        parent = parents.get(id(n))
        plain = isinstance(parent, (ast.BinOp, ast.Compare, ast.UnaryOp)) or (
            isinstance(parent, ast.Tuple) and isinstance(parents.get(id(parent)), ast.keyword))
        out[n.id] = out.get(n.id, True) and plain
    return out


def _quantities(tree: ast.Module) -> set[float]:
    """The numbers the code writes as quantities: not the keys of its dicts nor the elements of its lists, which
    label things (``parcels = [1, 2, 3]``) and would explain a 100 of the text as "100% of 1"."""
    labels = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Dict):
            labels.update(id(k) for k in n.keys if k is not None)
            labels.update(id(e) for k in n.keys if isinstance(k, ast.Tuple) for e in k.elts)
        elif isinstance(n, (ast.List, ast.Set)):
            labels.update(id(e) for e in n.elts)
    return {abs(float(n.value)) for n in ast.walk(tree) if id(n) not in labels and isinstance(n, ast.Constant)
            and isinstance(n.value, (int, float)) and not isinstance(n.value, bool)}


@quiet_fix
def bind_lone_number(code: str, question: str):
    """Code that reads one plain name it never defines, beside a text with one number the code leaves
    unused: the code with ``name = number`` after its imports (a :class:`optolab.agents.program.Program` saying
    what changed), or None."""
    from optolab.agents.program import Program

    tree = ast.parse(code)
    reads = _number_reads(tree)
    if len(reads) != 1:
        return None
    (name, plain), = reads.items()
    if not plain or name in variable_names(tree):
        return None
    # 0 and 1 explain nothing (a 100 of the text is not "100% of 1" here), and a percentage is no limit of this kind
    missing = [x for x in numbers_missing_from(question, _quantities(tree) - {0.0, 1.0})
               if not all(re.match(r"\s*(?:%|percent)", question[m.end(1):]) for m in mentions_of(question, x))]
    if len(missing) != 1:
        return None
    value = missing[0]
    at = next((i for i, stmt in enumerate(tree.body) if not isinstance(stmt, (ast.Import, ast.ImportFrom))),
              len(tree.body))
    tree.body[at:at] = [ast.parse(f"{name} = {value:g}").body[0]]
    return Program.changed(tree, [f"defined {name} = {value:g}: the code reads {name} without defining it, and "
                                  f"{value:g} is the one number of the text the code does not use"])
