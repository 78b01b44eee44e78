"""Which JSON mode a client picks for an OpenAI-compatible server, by asking the server what it is."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from pydantic import BaseModel

from optolab.llm import client as client_mod
from optolab.llm.client import LLM, probe_engine


class City(BaseModel):
    name: str


def _serve(owner: str):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            body = json.dumps({"object": "list", "data": [{"id": "m", "owned_by": owner}]}).encode()
            self.send_response(200 if self.path == "/v1/models" else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.parametrize("owner,engine", [("vllm", "vllm"), ("me", "llama.cpp"), ("someone", "unknown")])
def test_probe_reads_the_owner_of_the_served_models(owner, engine):
    server = _serve(owner)
    try:
        assert probe_engine(f"http://127.0.0.1:{server.server_port}/v1") == engine
    finally:
        server.shutdown()


def test_probe_of_an_unreachable_server_is_unknown():
    assert probe_engine("http://127.0.0.1:9/v1", timeout=0.5) == "unknown"


def test_a_vllm_server_gets_a_strict_json_schema_and_llama_cpp_a_schema_in_json_object(monkeypatch):
    monkeypatch.setattr(client_mod, "probe_engine", lambda base, key=None: "vllm")
    monkeypatch.setattr(client_mod, "real_calls_forbidden", lambda: False)
    fmt = LLM("openai/q", api_base="http://x/v1")._response_format(City)
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    monkeypatch.setattr(client_mod, "probe_engine", lambda base, key=None: "llama.cpp")
    fmt = LLM("openai/q", api_base="http://x/v1")._response_format(City)
    assert fmt == {"type": "json_object", "schema": City.model_json_schema()}


def test_inside_tests_no_probe_is_made(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("probed")

    monkeypatch.setattr(client_mod, "probe_engine", boom)
    fmt = LLM("openai/q", api_base="http://x/v1")._response_format(City)
    assert fmt["type"] == "json_object"
