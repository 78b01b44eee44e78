"""Flow through a network with no balance at its inner nodes.

"Water flows from reservoir R to town T through pumping stations A, B and C", pipes "R to A", "A to C", ...: a
small model declares a flow per pipe, caps each by its capacity and maximizes some sum of flows, with no row
saying that what enters station A leaves it. The model solves, to a number far from the answer, and no other
check objects. :func:`network_findings` says what is missing when all of this holds:

- the text lists at least three links, as "X to Y" or as the rows of a table with "from" and "to" columns, and
  some node is both the end of one link and the start of another (an inner node);
- the code has no equality row at all (a balance at a node is one).
"""

from __future__ import annotations

import ast
import re

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
