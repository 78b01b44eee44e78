"""Flow through a network with no balance at its inner nodes.

"Water flows from reservoir R to town T through pumping stations A, B and C", pipes "R to A", "A to C", ...: a
small model declares a flow per pipe, caps each by its capacity and maximizes some sum of flows, with no row
saying that what enters station A leaves it. The model solves, to a number far from the answer, and no other
check objects. :func:`network_findings` says what is missing when all of this holds:

- the text lists at least three links, as "X to Y" or as the rows of a table with "from" and "to" columns, and
  some node is both the end of one link and the start of another (an inner node);
- the code has no equality row at all (a balance at a node is one).

:func:`complete_network` writes those rows itself where the question asks for a shortest path or a maximum flow
between one source and one sink and the code has one variable over exactly the listed links.
"""

from __future__ import annotations

import ast
import re

from optolab.agents.codeast import call_name, list_variables, literal_values, quiet_fix
from optolab.agents.tables import read_tables

_LINK = re.compile(r"\b([A-Z][A-Za-z0-9]{0,3})\s+(?:to|->|→)\s+([A-Z][A-Za-z0-9]{0,3})\b")


def links(question: str) -> list[tuple[str, str]]:
    """The directed links the text lists, in order, each once."""
    # "the maximum flow from R to T" names the ends, not a link
    found = [(m.group(1), m.group(2)) for m in _LINK.finditer(question) if m.group(1) != m.group(2)
             and not re.search(r"\bfrom\s+$", question[max(0, m.start() - 6):m.start()], re.I)]
    for table in read_tables(question):
        header = [h.strip().lower() for h in table.header]
        if len(header) >= 2 and header[0] == "from" and header[1] == "to":
            found += [(r[0].strip(), r[1].strip()) for r in table.rows if r[0].strip() and r[1].strip()]
    return list(dict.fromkeys(found))


def _has_equality(tree: ast.Module) -> bool:
    """Whether some ``==`` of the code is a row: not a test of an ``if``, a conditional expression, a loop or
    a comprehension (``0 if m == 1 else stock[m - 1]``)."""
    tests = {id(n) for node in ast.walk(tree)
             for part in ([node.test] if isinstance(node, (ast.If, ast.IfExp, ast.While, ast.Assert))
                          else node.ifs if isinstance(node, ast.comprehension) else [])
             for n in ast.walk(part)}
    return any(isinstance(n, ast.Compare) and any(isinstance(op, ast.Eq) for op in n.ops) and id(n) not in tests
               for n in ast.walk(tree))


def network_findings(question: str, code: str | None) -> list[str]:
    """One finding when the text describes a network with inner nodes and the code balances none of them."""
    if not code:
        return []
    arcs = links(question)
    starts, ends = {a for a, _ in arcs}, {b for _, b in arcs}
    inner = sorted(starts & ends)
    if len(arcs) < 3 or not inner:
        return []
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    if _has_equality(tree):
        return []
    sources, sinks = sorted(starts - ends), sorted(ends - starts)
    return [f"The links form a network through {', '.join(inner)}, but no row of the model balances a node: "
            f"what flows into each of {', '.join(inner)} must flow out of it. Use one variable per link "
            f"(flow on {arcs[0][0]} to {arcs[0][1]}, ...) and add, for each of {', '.join(inner)}, the row "
            f"sum of flow on links into it == sum of flow on links out of it; the flow from "
            f"{', '.join(sources) or 'the source'} to {', '.join(sinks) or 'the sink'} is what leaves the source "
            f"(or enters the sink)."]


_PATH_GOAL = re.compile(r"\b(?:shortest|quickest|fastest|cheapest)\b|"
                        r"\b(?:least|minimum|lowest|smallest)\s+(?:total\s+)?(?:driving\s+|travel\s+)?"
                        r"(?:time|distance|length|cost)\b", re.I)
_FLOW_GOAL = re.compile(r"\b(?:maximum|max|largest|greatest|most)\s+(?:total\s+)?(?:flow|throughput|amount|number)\b",
                        re.I)
_ARC_TEXT = re.compile(r"^\s*([A-Za-z0-9]{1,4})\s*(?:to|->|→|-)\s*([A-Za-z0-9]{1,4})\s*$")


def _named_apart(question: str, nodes: set[str]) -> bool:
    """Whether the text names one of ``nodes`` outside its links ("H to C1", a table row of links)."""
    rest = _LINK.sub(" ", "\n".join(ln for ln in question.splitlines() if ln.count("|") < 2))
    return any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", rest) for n in nodes)


def _arc_of(element) -> tuple[str, str] | None:
    """The link an element of the code's list stands for: ``('S', 'A')`` or ``'S to A'``."""
    if isinstance(element, tuple) and len(element) == 2 and all(isinstance(e, str) for e in element):
        return element
    m = _ARC_TEXT.match(element) if isinstance(element, str) else None
    return (m.group(1), m.group(2)) if m else None


def _flow_variable(tree: ast.Module, arcs: set[tuple[str, str]]):
    """The one variable made over a list of the code whose elements are exactly the text's links: (its name on
    the model, the list's elements in order); None otherwise."""
    lists = {name: value for name, value in literal_values(tree).items()
             if isinstance(value, list) and value and all(_arc_of(e) for e in value)
             and {_arc_of(e) for e in value} == arcs and len(value) == len(arcs)}
    found = [(f"{ast.unparse(st.targets[0].value)}.{st.targets[0].attr}", lists[over])
             for st, over in list_variables(tree) if isinstance(st.targets[0], ast.Attribute) and over in lists]
    return found[0] if len(found) == 1 else None


@quiet_fix
def complete_network(code: str, question: str):
    """A shortest path or a maximum flow between the two ends of the text's links, modelled with one variable
    per link and no balance at any node: add the balance rows (for a path, one unit leaves the start and
    reaches the end; for a flow, what enters each inner node leaves it) and, for a maximum flow, make the
    objective the flow that leaves the source. None when the text or the code is of another shape: several
    sources or sinks (supplies and demands), no single variable over exactly the listed links, an equality
    row already there, or a goal that is neither."""
    from optolab.agents.program import Program

    arcs = links(question)
    starts, ends = {a for a, _ in arcs}, {b for _, b in arcs}
    sources, sinks = starts - ends, ends - starts
    if len(arcs) < 3 or not starts & ends or not sources or not sinks:
        return None
    single = len(sources) == 1 and len(sinks) == 1
    source, sink = (min(sources), min(sinks))
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    if _has_equality(tree):
        return None
    objective = next((st for st in tree.body if isinstance(st, ast.Assign) and call_name(st.value) == "Objective"),
                     None)
    sense = next((ast.unparse(k.value).split(".")[-1] for k in objective.value.keywords if k.arg == "sense"),
                 "minimize") if objective is not None else None
    path = single and sense == "minimize" and _PATH_GOAL.search(question)
    flow = single and sense == "maximize" and _FLOW_GOAL.search(question)
    # a cheapest way to ship supplies through the links: only the inner nodes balance, and only those the
    # text names nowhere but in its links (a hub with its own demand or stock does not)
    cost = not path and sense == "minimize" and not _named_apart(question, starts & ends)
    found = _flow_variable(tree, set(arcs))
    if not (path or flow or cost) or found is None:
        return None
    var, elements = found
    owner = var.rsplit(".", 1)[0]
    if not re.search(r"^import\s+pyomo\.environ\s+as\s+pyo\s*$", code, re.M):
        return None  # the rows are written with pyo
    taken = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    rows = next(name for name in ("node_balance", "node_balance_rows", "flow_balance_at_nodes") if name not in taken)
    nodes = list(dict.fromkeys(n for arc in arcs for n in arc))

    def total(keys: list) -> str:
        return " + ".join(f"{var}[{k!r}]" for k in keys) or "0"

    out = {n: [e for e in elements if _arc_of(e)[0] == n] for n in nodes}
    into = {n: [e for e in elements if _arc_of(e)[1] == n] for n in nodes}
    inner = [n for n in nodes if n in starts and n in ends]
    lines = [f"{owner}.{rows} = pyo.ConstraintList()"]
    if path:
        lines.append(f"{owner}.{rows}.add({total(out[source])} == 1)")
        lines.append(f"{owner}.{rows}.add({total(into[sink])} == 1)")
    lines += [f"{owner}.{rows}.add({total(into[n])} == {total(out[n])})" for n in inner]
    tree.body += ast.parse("\n".join(lines)).body
    changes = [f"added {owner}.{rows}: " + (f"one unit of {var} leaves {source} and reaches {sink}, and "
                                             if path else "") +
               f"what enters each of {', '.join(inner)} leaves it; the code balanced no node of the links"]
    expr = next((k for k in objective.value.keywords if k.arg == "expr"), None)
    wanted = ast.parse(total(out[source])).body[0].value
    if flow and expr is not None and ast.dump(expr.value) != ast.dump(wanted):
        changes.append(f"the objective `{ast.unparse(expr.value)}` became the flow that leaves {source}: "
                       f"`{total(out[source])}`")
        expr.value = wanted
    return Program.changed(tree, changes)


_SUPPLY_NAME = re.compile(r"suppl|capacit|avail|stock|hold|produc|output", re.I)
_DEMAND_NAME = re.compile(r"demand|need|requir|order", re.I)


@quiet_fix
def add_end_rows(code: str, question: str):
    """A shipment over the text's links, with one variable per link, whose code makes a dict keyed by exactly
    the network's sources (``supply = {'F1': 60, 'F2': 40}``) or exactly its sinks (``demand = {'C1': 45, ...}``)
    and reads it in no row, or leaves out such a dict the prompt showed (and reads none keyed by those nodes):
    what leaves each source is at most its supply, what reaches each sink at least its demand. None for any
    other shape."""
    from optolab.agents.program import Program

    arcs = links(question)
    starts, ends = {a for a, _ in arcs}, {b for _, b in arcs}
    sources, sinks = starts - ends, ends - starts
    if len(arcs) < 3 or not sources or not sinks:
        return None
    tree = ast.parse(code)
    found = _flow_variable(tree, set(arcs))
    if found is None or not re.search(r"^import\s+pyomo\.environ\s+as\s+pyo\s*$", code, re.M):
        return None
    var, elements = found
    owner = var.rsplit(".", 1)[0]
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    taken = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    lines, changes = [], []
    candidates: list[tuple[str, dict, str | None]] = []  # name, data, the definition to add (None: in the code)
    made = {name: value for name, value in literal_values(tree).items() if isinstance(value, dict)}
    candidates += [(n, d, None) for n, d in made.items() if n not in read]
    # the supplies and demands the prompt showed as data, where the code made and read none keyed by those nodes
    from optolab.agents.tables import table_data_code

    _, shown = table_data_code(question)
    for name, definition in shown.items():
        try:
            data = ast.literal_eval(definition.split("=", 1)[1].strip())
        except (ValueError, SyntaxError, TypeError, IndexError):
            continue
        if isinstance(data, dict) and name not in made and name not in read \
                and not any(set(d) == set(data) for n, d in made.items() if isinstance(d, dict) and n in read):
            candidates.append((name, data, definition))
    for name, data, definition in candidates:
        if not isinstance(data, dict) or not all(isinstance(v, (int, float)) for v in data.values()):
            continue
        keys = set(data)
        if definition is not None and (keys == sources and _SUPPLY_NAME.search(name)
                                       or keys == sinks and _DEMAND_NAME.search(name)):
            lines.insert(0, definition)
        for ends_of, side, op, word, named in ((sources, 0, "<=", "leaves", _SUPPLY_NAME),
                                               (sinks, 1, ">=", "reaches", _DEMAND_NAME)):
            if keys != ends_of or not named.search(name):
                continue  # a cost or a fee keyed by the sources is no limit
            rows = next(r for r in (f"{name}_rows", f"{name}_rows_2") if r not in taken)
            taken.add(rows)
            lines.append(f"{owner}.{rows} = pyo.ConstraintList()")
            for node in sorted(keys, key=str):
                terms = " + ".join(f"{var}[{e!r}]" for e in elements if _arc_of(e)[side] == node)
                lines.append(f"{owner}.{rows}.add({terms} {op} {name}[{node!r}])")
            changes.append(f"added {owner}.{rows}: what {word} each of {', '.join(sorted(map(str, keys)))} "
                           f"{'is at most' if op == '<=' else 'is at least'} {name}[...]; "
                           + (f"the code made {name} and read it in no row" if definition is None else
                              f"the prompt showed {name} and no row of the code limits those nodes"))
    if not lines:
        return None
    return Program.changed(ast.parse(code.rstrip("\n") + "\n" + "\n".join(lines) + "\n"), changes)
