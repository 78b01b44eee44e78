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


def test_declared_order_makes_fields_before_a_required_one_required():
    raw = Ordered.model_json_schema()
    assert grammar_safe(raw)["required"] == ["plan", "variables"]  # "any": the schema's own list
    safe = grammar_safe(raw, "declared")
    assert safe["required"] == ["plan", "sets", "variables"]  # 'note' comes last and stays optional
    assert raw["required"] == ["plan", "variables"]
    Ordered.model_validate({"plan": "p", "variables": ["x"]})  # the reply is still checked by the model itself
    with pytest.raises(ValueError, match="field_order='backwards'"):
        grammar_safe(raw, "backwards")


def _root_order(gbnf: str, keys: tuple[str, ...]) -> list[int]:
    root = next(line for line in gbnf.splitlines() if line.startswith("root ::="))
    return [root.index(f"{k}-kv") for k in keys]


def test_llama_cpp_grammar_keeps_a_formulation_in_declared_order_only_when_asked():
    grammar = pytest.importorskip("llama_cpp.llama_grammar")
    from optolab.agents.formulation import Formulation

    keys = ("requirements", "sets", "parameters", "variables", "objective", "constraints")
    raw = Formulation.model_json_schema()
    declared = grammar.json_schema_to_gbnf(json.dumps(grammar_safe(raw, "declared")))
    order = _root_order(declared, keys)
    assert order == sorted(order)
    converter = _root_order(grammar.json_schema_to_gbnf(json.dumps(grammar_safe(raw))), keys)
    assert converter != sorted(converter)  # the converter's own order: required fields first


def test_structured_sends_the_declared_schema_and_the_cache_keeps_the_orders_apart(tmp_path, monkeypatch):
    from optolab.llm import client as client_mod
    from optolab.llm.base import Reply
    from optolab.llm.client import LLM

    monkeypatch.setattr(client_mod, "real_calls_forbidden", lambda: False)
    monkeypatch.setattr(client_mod, "probe_engine", lambda base, key=None: "llama.cpp")
    seen = []

    def complete(self, messages, params):
        seen.append(params["response_format"]["schema"]["required"])
        return Reply(text='{"plan": "p", "variables": ["x"]}', model="m")

    monkeypatch.setattr(LLM, "_complete", complete)
    llm = LLM("openai/q", api_base="http://x/v1", cache=tmp_path / "cache")
    assert llm.structured("hi", Ordered, field_order="declared").variables == ["x"]
    assert llm.structured("hi", Ordered).plan == "p"
    assert llm.structured("hi", Ordered, field_order="declared").plan == "p"  # from the cache
    assert seen == [["plan", "sets", "variables"], ["plan", "variables"]]
    with pytest.raises(ValueError, match="choose one of any, declared"):
        llm.structured("hi", Ordered, field_order="sorted")
