"""Schemas sent to llama.cpp must convert to a grammar, or the server silently enforces nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from optolab.llm.schema import grammar_safe


class Loose(BaseModel):
    sets: dict[str, list[Any]]
    tags: list[Any] = []
    name: str


def test_untyped_list_items_get_a_scalar_schema():
    safe = grammar_safe(Loose.model_json_schema())
    assert safe["properties"]["sets"]["additionalProperties"]["items"]["anyOf"][0] == {"type": "string"}
    assert safe["properties"]["tags"]["items"]["anyOf"]
    assert Loose.model_json_schema()["properties"]["tags"]["items"] == {}  # the original is untouched


@pytest.mark.parametrize("model_path", ["tests.llm.test_schema_grammar:Loose",
                                        "optolab.agents.formulation:Formulation"])
def test_llama_cpp_converts_the_safe_schema(model_path):
    grammar = pytest.importorskip("llama_cpp.llama_grammar")
    module, _, name = model_path.partition(":")
    model = getattr(__import__(module, fromlist=[name]), name)
    raw = model.model_json_schema()
    if model is Loose:
        with pytest.raises(KeyError):  # what the server would meet, and then drop the grammar
            grammar.json_schema_to_gbnf(json.dumps(raw))
    gbnf = grammar.json_schema_to_gbnf(json.dumps(grammar_safe(raw)))
    assert "root ::=" in gbnf
