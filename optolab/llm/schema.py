"""JSON schemas as the servers' constrained decoders can read them.

llama.cpp turns a JSON schema into a grammar and, where it meets a construct its converter does not
handle, serves the request without any grammar at all, silently: the reply is then held to nothing.
pydantic writes ``{"items": {}}`` for ``list[Any]``, which is such a construct. :func:`grammar_safe`
rewrites what is known to break conversion into equivalent forms that convert.

The converter also writes an object's required properties first and its optional ones after them,
whatever order the schema declares. For most replies that does not matter; for a formulation whose
optional ``sets`` and ``parameters`` come before its required ``variables`` it means the model must
write the variables first and may add the sets they are indexed by only at the end (in practice
never). ``field_order="declared"`` makes every property declared before a required one required as
well, so the grammar holds the reply to the declared order; the model writes an empty value where
it has nothing to say. It is a choice, not the default: which order gives better replies depends on
the model and the prompt (a model may do better writing constraints with literal numbers than
defining parameters first), so callers measure and pick.
"""

from __future__ import annotations

import copy
from typing import Any, Literal

FieldOrder = Literal["any", "declared"]
FIELD_ORDERS: tuple[str, ...] = ("any", "declared")

# "any scalar": what an unconstrained list element is in practice (set elements, labels, numbers)
_ANY_ITEM = {"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]}


def grammar_safe(schema: dict[str, Any], field_order: FieldOrder = "any") -> dict[str, Any]:
    """A copy of ``schema`` that llama.cpp's schema-to-grammar converter accepts; with
    ``field_order="declared"``, one whose grammar keeps the declared order of the properties (see the
    module's docstring)."""
    if field_order not in FIELD_ORDERS:
        raise ValueError(f"field_order={field_order!r}: choose one of {', '.join(FIELD_ORDERS)}")
    out = copy.deepcopy(schema)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "array" and not node.get("items") and "prefixItems" not in node:
                node["items"] = dict(_ANY_ITEM)
            if field_order == "declared":
                _require_in_order(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(out)
    return out


def _require_in_order(node: dict[str, Any]) -> None:
    """Make every property declared before the last required one required as well."""
    props, required = node.get("properties"), node.get("required")
    if not isinstance(props, dict) or not isinstance(required, list) or not required:
        return
    names = list(props)
    last = max((names.index(r) for r in required if r in props), default=-1)
    node["required"] = names[:last + 1] + [r for r in required if r not in names[:last + 1]]
