"""Exporting traced graphs: networkx, DOT and Mermaid text, and rendered images."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path
from typing import Iterable

from optolab.trace.graph import subgraph, topological
from optolab.trace.nodes import Node, short_repr


def _nodes(outputs: Node | Iterable[Node], minimal: bool) -> list[Node]:
    return subgraph(outputs) if minimal else topological(outputs)


def node_attributes(node: Node) -> dict:
    """What exports show about a node."""
    op = getattr(node, "op", None)
    return {
        "name": node.name,
        "kind": node.kind,
        "trainable": bool(node.trainable),
        "description": node.description or "",
        "data": short_repr(node._data, 80),
        "operator": op.name if op is not None else None,
    }


def to_networkx(outputs: Node | Iterable[Node], *, minimal: bool = False):
    """A ``networkx.DiGraph`` of the graph behind ``outputs``; edges point parent -> child.

    Node keys are labels (``name:uid``); attributes are those of :func:`node_attributes`,
    and each edge carries the argument name it was passed as. ``minimal=True`` keeps only
    the part between trainable nodes and the outputs.
    """
    import networkx as nx

    g = nx.DiGraph()
    nodes = _nodes(outputs, minimal)
    keep = {id(n) for n in nodes}
    for n in nodes:
        g.add_node(n.label, **node_attributes(n))
    for n in nodes:
        for arg, p in zip(getattr(n, "arg_names", ()), n.parents):
            if id(p) in keep:
                g.add_edge(p.label, n.label, argument=arg)
    return g


_DOT_STYLE = {
    "parameter": 'shape=box, style="filled,rounded", fillcolor="#ffe9a8"',
    "code": 'shape=note, style=filled, fillcolor="#ffe9a8"',
    "operator": 'shape=ellipse, style=filled, fillcolor="#d8e8ff"',
    "error": 'shape=octagon, style=filled, fillcolor="#ffc9c9"',
    "value": 'shape=box, style=filled, fillcolor="#eeeeee"',
}


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def to_dot(outputs: Node | Iterable[Node], *, minimal: bool = False, name: str = "trace") -> str:
    """Graphviz DOT text of the graph behind ``outputs``."""
    nodes = _nodes(outputs, minimal)
    keep = {id(n) for n in nodes}
    lines = [f'digraph "{_escape(name)}" {{', "  rankdir=TB;", '  node [fontname="Helvetica", fontsize=10];']
    for n in nodes:
        text = f"{n.label}\\n{_escape(short_repr(n._data, 40))}"
        lines.append(f'  "{_escape(n.label)}" [label="{text}", {_DOT_STYLE.get(n.kind, _DOT_STYLE["value"])}];')
    for n in nodes:
        for arg, p in zip(getattr(n, "arg_names", ()), n.parents):
            if id(p) in keep:
                lines.append(f'  "{_escape(p.label)}" -> "{_escape(n.label)}" [label="{_escape(arg)}", fontsize=8];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def to_mermaid(outputs: Node | Iterable[Node], *, minimal: bool = False) -> str:
    """Mermaid flowchart text of the graph behind ``outputs``."""
    nodes = _nodes(outputs, minimal)
    keep = {id(n) for n in nodes}
    ids = {id(n): f"n{n.uid}" for n in nodes}
    shapes = {"parameter": ('[/"', '"/]'), "code": ('[/"', '"/]'), "operator": ('("', '")'), "error": ('{{"', '"}}')}
    lines = ["flowchart TB"]
    for n in nodes:
        left, right = shapes.get(n.kind, ('["', '"]'))
        text = _mermaid_text(f"{n.label}: {short_repr(n._data, 40)}")
        lines.append(f"  {ids[id(n)]}{left}{text}{right}")
    for n in nodes:
        for arg, p in zip(getattr(n, "arg_names", ()), n.parents):
            if id(p) in keep:
                lines.append(f"  {ids[id(p)]} -->|{_mermaid_text(arg)}| {ids[id(n)]}")
    return "\n".join(lines) + "\n"


def graphviz_available() -> bool:
    """True when the ``graphviz`` Python package and the ``dot`` program are both installed."""
    try:
        import graphviz  # noqa: F401
    except ImportError:
        return False
    return shutil.which("dot") is not None


def render(outputs: Node | Iterable[Node], path: str | Path = "trace_graph.svg", *, minimal: bool = False) -> Path:
    """Draw the graph behind ``outputs``.

    With graphviz installed (``pip install optolab[viz]`` and the ``dot`` program) the
    image is written in the format of ``path``'s suffix (``.svg`` or ``.png``). Otherwise
    DOT and Mermaid text are written next to it (``.dot`` and ``.mmd``), a warning says
    so, and the path of the ``.dot`` file is returned.
    """
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower() or "svg"
    if fmt not in ("svg", "png", "pdf", "dot", "mmd"):
        raise ValueError(f"render writes .svg, .png, .pdf, .dot or .mmd files, not {path.name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    dot = to_dot(outputs, minimal=minimal)
    if fmt == "mmd":
        path.write_text(to_mermaid(outputs, minimal=minimal), encoding="utf-8")
        return path
    if fmt != "dot" and graphviz_available():
        import graphviz

        src = graphviz.Source(dot)
        data = src.pipe(format=fmt)
        path.write_bytes(data)
        return path
    dot_path = path.with_suffix(".dot")
    dot_path.write_text(dot, encoding="utf-8")
    path.with_suffix(".mmd").write_text(to_mermaid(outputs, minimal=minimal), encoding="utf-8")
    if fmt != "dot":
        warnings.warn(
            f"graphviz is not installed, so {path.name} was not drawn; wrote {dot_path.name} and "
            f"{path.with_suffix('.mmd').name} instead (install the 'dot' program and `pip install optolab[viz]`)",
            RuntimeWarning,
            stacklevel=2,
        )
    return dot_path
