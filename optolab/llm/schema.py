"""JSON schemas as the servers' constrained decoders can read them.

llama.cpp turns a JSON schema into a grammar and, where it meets a construct its converter does not
handle, serves the request without any grammar at all, silently: the reply is then held to nothing.
pydantic writes ``{"items": {}}`` for ``list[Any]``, which is such a construct. :func:`grammar_safe`
rewrites what is known to break conversion into equivalent forms that convert.
"""

from __future__ import annotations

import copy
from typing import Any

# "any scalar": what an unconstrained list element is in practice (set elements, labels, numbers)
_ANY_ITEM = {"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]}


def grammar_safe(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` that llama.cpp's schema-to-grammar converter accepts."""
    out = copy.deepcopy(schema)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "array" and not node.get("items") and "prefixItems" not in node:
                node["items"] = dict(_ANY_ITEM)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(out)
    return out
