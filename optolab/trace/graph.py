"""Walking traced graphs without recursion, so chains of any length work."""

from __future__ import annotations

from typing import Iterable

from optolab.errors import NotANodeError
from optolab.trace.nodes import Node


def _as_nodes(outputs: Node | Iterable[Node]) -> list[Node]:
    if isinstance(outputs, Node):
        return [outputs]
    try:
        items = list(outputs)
    except TypeError:
        raise NotANodeError(
            f"expected a traced node (or several), got {type(outputs).__name__}; "
            "wrap values with trace.node(value) or produce them with a @trace.node function"
        ) from None
    for item in items:
        if not isinstance(item, Node):
            raise NotANodeError(
                f"expected traced nodes, got a {type(item).__name__} in the list; "
                "wrap values with trace.node(value)"
            )
    return items


def topological(outputs: Node | Iterable[Node]) -> list[Node]:
    """All ancestors of ``outputs`` (themselves included), parents before children."""
    order: list[Node] = []
    seen: set[int] = set()
    for root in _as_nodes(outputs):
        if id(root) in seen:
            continue
        seen.add(id(root))
        stack = [(root, iter(root.parents))]
        while stack:
            node, parents = stack[-1]
            for p in parents:
                if id(p) not in seen:
                    seen.add(id(p))
                    stack.append((p, iter(p.parents)))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


def leading_to(order: list[Node], targets: Iterable[Node] | None = None) -> set[int]:
    """Ids of the nodes in ``order`` (a topological order) from which a target is reachable.

    Targets default to every trainable node. A node "reaches" a target when the target is
    the node itself or one of its ancestors.
    """
    if targets is None:
        reach = {id(n) for n in order if n.trainable}
    else:
        reach = {id(t) for t in targets}
    for n in order:  # parents come first, so their flags are final
        if id(n) not in reach:
            for p in n.parents:
                if id(p) in reach:
                    reach.add(id(n))
                    break
    return reach


def subgraph(outputs: Node | Iterable[Node], targets: Iterable[Node] | None = None) -> list[Node]:
    """The nodes on some path from a target (default: any trainable node) to an output,
    in topological order. This is the part of the graph that feedback travels through."""
    order = topological(outputs)
    reach = leading_to(order, targets)
    return [n for n in order if id(n) in reach]


def parameters_of(outputs: Node | Iterable[Node]) -> list[Node]:
    """The trainable ancestors of ``outputs``."""
    return [n for n in topological(outputs) if n.trainable]
