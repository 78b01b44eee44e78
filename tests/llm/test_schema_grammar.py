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


class Ordered(BaseModel):
    plan: str
    sets: dict[str, list[str]] = {}
    variables: list[str]
    note: str = ""


def test_optional_fields_before_a_required_one_become_required_so_the_order_holds():
    safe = grammar_safe(Ordered.model_json_schema())
    assert safe["required"] == ["plan", "sets", "variables"]  # 'note' comes last and stays optional
    assert Ordered.model_json_schema()["required"] == ["plan", "variables"]
    Ordered.model_validate({"plan": "p", "variables": ["x"]})  # the reply is still checked by the model itself


def test_llama_cpp_grammar_lets_a_formulation_define_sets_and_parameters_before_its_variables():
    grammar = pytest.importorskip("llama_cpp.llama_grammar")
    from optolab.agents.formulation import Formulation

    gbnf = grammar.json_schema_to_gbnf(json.dumps(grammar_safe(Formulation.model_json_schema())))
    root = next(line for line in gbnf.splitlines() if line.startswith("root ::="))
    order = [root.index(f"{k}-kv") for k in ("requirements", "sets", "parameters", "variables", "objective",
                                             "constraints")]
    assert order == sorted(order) and "?" not in root
