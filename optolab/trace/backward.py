"""Propagating feedback from an output back to the parameters that produced it.

Only the part of the graph that lies between trainable nodes and the output is visited, in
reverse topological order and without recursion. By default an operator hands the feedback
it receives to each of its parents unchanged (the OPTO setting: the optimizer reads the
feedback together with the traced subgraph). An operator may declare its own rule with
``@trace.node(backward=rule)``; ``rule(node, feedback)`` returns either one value for every
parent or a dict from argument name to value. When a node receives several messages,
identical ones count once, different numbers are added and different texts are joined
line by line.
"""

from __future__ import annotations

import numbers
from typing import Any

from optolab.errors import BackwardError, FeedbackTypeError, NotANodeError
from optolab.trace.graph import leading_to, topological
from optolab.trace.nodes import FeedbackEntry, Node


def check_feedback(feedback: Any) -> Any:
    """Feedback is text or a real number; anything else is rejected with a clear error."""
    if isinstance(feedback, bool) or not isinstance(feedback, (str, numbers.Real)):
        raise FeedbackTypeError(
            f"feedback must be text or a number, got {type(feedback).__name__}; "
            "turn structured results into a sentence or a score first"
        )
    return feedback


def combine(messages: list[Any]) -> Any:
    """Merge the messages that reached one node through several children."""
    first = messages[0]
    if all(m is first or m == first for m in messages[1:]):
        return first
    if all(isinstance(m, numbers.Real) and not isinstance(m, bool) for m in messages):
        return sum(messages)
    seen: list[str] = []
    for m in messages:
        text = str(m)
        if text not in seen:
            seen.append(text)
    return "\n".join(seen)


def backward(output: Node, feedback: Any) -> list[Node]:
    """Send ``feedback`` from ``output`` to every trainable ancestor.

    Each reached parameter appends a :class:`~optolab.trace.FeedbackEntry` to its
    ``feedback`` list (kept until ``zero_feedback()``), so ``backward`` may be called on
    several outputs before one optimizer step. Returns the parameters reached.

    Raises :class:`~optolab.errors.NotANodeError` if ``output`` is not a node and
    :class:`~optolab.errors.BackwardError` if no trainable node leads to it.
    """
    if not isinstance(output, Node):
        raise NotANodeError(
            f"backward needs a traced node, got {type(output).__name__}; call it on the result of a "
            "@trace.node function or on a trace.node(...) value"
        )
    check_feedback(feedback)
    order = topological(output)
    reach = leading_to(order)
    if id(output) not in reach:
        raise BackwardError(
            f"no trainable node leads to {output.label!r}, so the feedback has nowhere to go; mark the values "
            "to optimize with trace.node(value, trainable=True) or @trace.node(trainable=True), and check that "
            "they were not used inside no_trace()"
        )
    relevant = [n for n in reversed(order) if id(n) in reach]  # the output first
    custom = any(getattr(getattr(n, "op", None), "backward_rule", None) is not None for n in relevant)

    n_paths: dict[int, int] = {id(output): 1}
    via: dict[int, Node] = {}
    inbox: dict[int, list[tuple[int, Any]]] = {id(output): [(output.uid, feedback)]}
    reached: list[Node] = []
    for node in relevant:
        key = id(node)
        if custom:
            messages = inbox.pop(key, None)
            if not messages:
                continue  # a backward rule gave this branch nothing
            messages.sort(key=lambda m: m[0])  # in the order the children were created
            content = combine([m[1] for m in messages])
        else:
            content = feedback
        if node.trainable:
            node._feedback.append(FeedbackEntry(content, _path(node, via), output, n_paths[key]))
            reached.append(node)
        if not node.parents:
            continue
        per_parent = _messages(node, content) if custom else None
        count = n_paths[key]
        for name, parent in zip(getattr(node, "arg_names", ()), node.parents):
            pkey = id(parent)
            if pkey not in reach:
                continue
            n_paths[pkey] = n_paths.get(pkey, 0) + count
            if pkey not in via:
                via[pkey] = node
            if custom:
                message = per_parent(name) if per_parent is not None else content
                if message is not None:
                    inbox.setdefault(pkey, []).append((node.uid, message))
    return reached


def _messages(node: Node, content: Any):
    rule = getattr(getattr(node, "op", None), "backward_rule", None)
    if rule is None:
        return None
    result = rule(node, content)
    if isinstance(result, dict):
        unknown = set(result) - set(node.arg_names)
        if unknown:
            raise BackwardError(
                f"the backward rule of {node.op.name!r} named unknown arguments {sorted(unknown)}; "
                f"its arguments are {list(node.arg_names)}"
            )
        return lambda name: result.get(name)
    check_feedback(result)
    return lambda name: result


def _path(node: Node, via: dict[int, Node]) -> tuple[str, ...]:
    labels = [node.label]
    cur = via.get(id(node))
    while cur is not None:
        labels.append(cur.label)
        cur = via.get(id(cur))
    labels.reverse()
    return tuple(labels)
