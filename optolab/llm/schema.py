"""JSON schemas as the servers' constrained decoders can read them.

llama.cpp turns a JSON schema into a grammar and, where it meets a construct its converter does not
handle, serves the request without any grammar at all, silently: the reply is then held to nothing.
pydantic writes ``{"items": {}}`` for ``list[Any]``, which is such a construct. :func:`grammar_safe`
rewrites what is known to break conversion into equivalent forms that convert.

The converter also writes an object's required properties first and its optional ones after them. A
schema whose optional fields come before required ones (a formulation's ``sets`` and ``parameters``
before its ``variables``) would then make the model write the variables before it may name the sets
they are indexed by, and the sets only at the end, or never. So every property that the schema puts
before a required one is made required too: the model writes the fields in the schema's order, an
empty value where it has nothing to say.
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
            _require_in_order(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(out)
    return out


def _require_in_order(node: dict[str, Any]) -> None:
    """Make every property before the last required one required (see the module's docstring)."""
    props, required = node.get("properties"), node.get("required")
    if not isinstance(props, dict) or not isinstance(required, list) or not required:
        return
    names = list(props)
    last = max((names.index(r) for r in required if r in props), default=-1)
    node["required"] = names[:last + 1] + [r for r in required if r not in names[:last + 1]]
