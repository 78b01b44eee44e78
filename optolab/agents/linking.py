"""An open/close decision that nothing ties to what it allows.

Fixed-charge models (open a depot, run a machine, start a production line) pay a cost for a yes/no decision
and let the operation use a capacity only when the decision is yes. Small models often write the yes/no
variable into the objective and forget the link: ``sum(flow[d, r] for r in regions) <= cap[d]`` instead of
``<= cap[d] * open[d]``. Minimizing, every yes/no decision is then 0 and the answer leaves out every fixed
cost. The model solves, so no solver status reveals it.

:func:`link_open_decisions` adds the link when a binary variable indexed by a list appears in the objective and
in no constraint, and exactly one family of rows over that same list caps an amount by a number or a data
value (``for d in depots: model.c.add(... <= cap[d])``, or a rule over the list): the cap is multiplied by the
binary variable.
"""

from __future__ import annotations

import ast

from optolab.agents.codeast import call_name


def _binary_over_lists(tree: ast.Module) -> dict[str, tuple[str, str]]:
    """Binary variables indexed by one list (``model.open = pyo.Var(depots, domain=pyo.Binary)``): their
    attribute name -> (the list's name, the model object's name)."""
    out: dict[str, tuple[str, str]] = {}
    for n in tree.body:
        if not (isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Attribute)
                and isinstance(n.value, ast.Call) and call_name(n.value) == "Var" and len(n.value.args) == 1
                and isinstance(n.value.args[0], ast.Name)):
            continue
        domain = [kw.value for kw in n.value.keywords if kw.arg in ("domain", "within")]
        if domain and ast.unparse(domain[0]).split(".")[-1] == "Binary":
            out[n.targets[0].attr] = (n.value.args[0].id, ast.unparse(n.targets[0].value))
    return out


def _refers(node: ast.AST, name: str, aliases: set[str]) -> bool:
    return any((isinstance(x, ast.Attribute) and x.attr == name) or (isinstance(x, ast.Name) and x.id in aliases)
               for x in ast.walk(node))


def _cap_rows(tree: ast.Module, over: str) -> list[tuple[ast.Compare, str]]:
    """Rows ``... <= cap`` made once for every element of the list ``over``, each with its loop name."""
    rows = []
    for n in ast.walk(tree):
        if isinstance(n, ast.For) and isinstance(n.iter, ast.Name) and n.iter.id == over \
                and isinstance(n.target, ast.Name) and len(n.body) == 1 and isinstance(n.body[0], ast.Expr):
            call = n.body[0].value
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "add" \
                    and len(call.args) == 1:
                rows.append((call.args[0], n.target.id))
        elif isinstance(n, ast.Call) and call_name(n) == "Constraint" and n.args \
                and isinstance(n.args[0], ast.Name) and n.args[0].id == over:
            rule = [kw.value for kw in n.keywords if kw.arg == "rule"]
            if rule and isinstance(rule[0], ast.Lambda) and len(rule[0].args.args) == 2:
                rows.append((rule[0].body, rule[0].args.args[1].arg))
    return [(row, i) for row, i in rows if isinstance(row, ast.Compare) and len(row.ops) == 1
            and isinstance(row.ops[0], ast.LtE) and _is_cap(row.comparators[0], i)]


def _is_cap(node: ast.AST, index: str) -> bool:
    """A number, or a data value for the row's element (``cap[d]``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return True
    return isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) \
        and isinstance(node.slice, ast.Name) and node.slice.id == index


def link_open_decisions(code: str, question: str = ""):
    """Model code with a yes/no decision that no constraint reads: the same code with the capacity rows over
    its list multiplied by it (a :class:`optolab.agents.program.Program` saying what changed), or None."""
    from optolab.agents.program import Program

    try:
        tree = ast.parse(code)
        binaries = _binary_over_lists(tree)
        if not binaries:
            return None
        objective = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and call_name(n) == "Objective"]
        constraints = [n for n in ast.walk(tree) if isinstance(n, ast.Compare)]
        changes = []
        for name, (over, model) in binaries.items():
            aliases = {t.id for n in tree.body if isinstance(n, ast.Assign) and ast.unparse(n.value) == f"{model}.{name}"
                       for t in n.targets if isinstance(t, ast.Name)}
            if len(objective) != 1 or not _refers(objective[0], name, aliases) \
                    or any(_refers(c, name, aliases) for c in constraints):
                continue
            rows = _cap_rows(tree, over)
            if len(rows) != 1:
                continue
            row, index = rows[0]
            before = ast.unparse(row)
            cap = row.comparators[0]
            row.comparators = [ast.BinOp(cap, ast.Mult(), ast.parse(f"{model}.{name}[{index}]", mode="eval").body)]
            changes.append(f"`{before}` became `{ast.unparse(row)}`: {name} is a yes/no decision the objective pays "
                           "for and no constraint read, so the capacity it allows is there only when it is 1")
    except Exception:  # noqa: BLE001 - a heuristic fix that trips leaves the code as it was
        return None
    return Program.changed(tree, changes)
