"""Run untrusted model code safely: separate processes, limits, an import policy, no secrets.

``SandboxPool(size)`` keeps warm worker processes (Pyomo already imported). Each run:

1. checks the code against :mod:`optolab.solvers.policy` before anything runs;
2. sends it to a worker, which forks a child with its own memory limit and temporary directory;
3. the child builds the model, the runner (not the code) solves it, and the result comes back as
   data in a :class:`SandboxResult`.

A crash, a hang or a memory-hungry snippet gives an error result; a worker that stops answering
is killed and replaced. Workers get a minimal environment (no API keys or tokens).
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optolab.errors import SandboxError
from optolab.solvers.policy import check_code
from optolab.solvers.result import SolveResult

_ENV_KEEP = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "PYTHONPATH", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
             "SYSTEMROOT", "PYTHONHASHSEED")
_SECRET_MARKERS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "CREDENTIAL", "AUTH")


@dataclass
class SandboxResult:
    """``status``: ok, syntax_error, forbidden_import, runtime_error, no_model, solver_error, timeout,
    memory_error or crashed. ``line`` is the line of the model code where an error happened."""

    status: str
    error: str | None = None
    line: int | None = None
    traceback: str | None = None
    stdout: str = ""
    solve: SolveResult | None = None
    seconds: float = 0.0
    build_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in ("status", "error", "line", "traceback", "stdout", "seconds",
                                            "build_seconds")}
        d["solve"] = self.solve.to_dict() if self.solve else None
        return d


def worker_env(tmpdir: str) -> dict[str, str]:
    """The environment of a worker: a short allow-list, never anything that looks like a secret."""
    env = {k: v for k, v in os.environ.items() if k in _ENV_KEEP and not any(m in k for m in _SECRET_MARKERS)}
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    env.update({"HOME": tmpdir, "TMPDIR": tmpdir, "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": "1",
                "PYTHONUNBUFFERED": "1"})
    return env


class _Worker:
    def __init__(self, start_timeout: float):
        self.tmpdir = tempfile.mkdtemp(prefix="optolab-sandbox-")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "optolab.solvers.sandbox_worker"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=self.tmpdir, env=worker_env(self.tmpdir),
            text=True, bufsize=1)
        line = self._readline(start_timeout)
        if not line or not json.loads(line).get("ready"):
            self.kill()
            raise SandboxError("a sandbox worker did not start; check that optolab and pyomo import in a plain "
                               f"'{sys.executable} -c \"import optolab.solvers\"'")
        self.start_seconds = time.perf_counter() - t0

    def _readline(self, timeout: float) -> str | None:
        result: list[str] = []
        reader = threading.Thread(target=lambda: result.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        return result[0] if result else None

    def request(self, payload: dict, timeout: float) -> dict | None:
        try:
            self.proc.stdin.write(json.dumps(payload) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            return None
        line = self._readline(timeout)
        if not line:
            return None
        try:
            reply = json.loads(line)
        except json.JSONDecodeError:
            return None  # not a reply: the worker is in an unknown state and gets replaced
        return reply if isinstance(reply, dict) else None

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        try:
            self.proc.kill()
            self.proc.wait(timeout=5)
        except Exception:
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except Exception:
                pass
        shutil.rmtree(self.tmpdir, ignore_errors=True)


class SandboxPool:
    """A pool of warm workers; safe to use from several threads at once.

    ``size`` workers are started in the background when the pool is made; ``run`` waits for a
    free one. Use as a context manager or call :meth:`close`.
    """

    def __init__(self, size: int = 2, *, start_timeout: float = 60.0):
        if size < 1:
            raise SandboxError(f"SandboxPool(size={size}): a sandbox pool needs at least one worker; pass size >= 1")
        self.size = size
        self.start_timeout = start_timeout
        self._idle: queue.Queue[_Worker | Exception] = queue.Queue()
        self._closed = False
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        for _ in range(size):
            threading.Thread(target=self._spawn, daemon=True).start()

    def _spawn(self) -> None:
        try:
            w = _Worker(self.start_timeout)
        except Exception as exc:
            self._idle.put(exc)
            return
        with self._lock:
            if self._closed:
                w.kill()
                return
            self._all.append(w)
        self._idle.put(w)

    def _take(self) -> _Worker:
        try:
            item = self._idle.get(timeout=self.start_timeout + 30)
        except queue.Empty:
            threading.Thread(target=self._spawn, daemon=True).start()  # the pool is short of a worker
            raise SandboxError(f"no sandbox worker became free within {self.start_timeout + 30:.0f} s; the "
                               "machine may be overloaded (a new worker is being started)") from None
        if isinstance(item, Exception):
            threading.Thread(target=self._spawn, daemon=True).start()  # try again for later runs
            raise item
        return item

    def _retire(self, w: _Worker) -> None:
        w.kill()
        with self._lock:
            if w in self._all:
                self._all.remove(w)
        if not self._closed:
            threading.Thread(target=self._spawn, daemon=True).start()

    def run(self, code: str, *, time_limit: float = 30.0, memory_mb: int = 2048, solver: str = "auto",
            diagnose: bool = True) -> SandboxResult:
        """Check, run and solve ``code``; the result says what happened, it never raises for the code's faults."""
        if self._closed:
            raise SandboxError("this sandbox pool is closed")
        t0 = time.perf_counter()
        try:
            violations = check_code(code)
        except SyntaxError as exc:
            return SandboxResult("syntax_error", error=f"{exc.msg} (line {exc.lineno})", line=exc.lineno,
                                 seconds=time.perf_counter() - t0)
        if violations:
            return SandboxResult("forbidden_import", error="; ".join(map(str, violations)), line=violations[0].line,
                                 seconds=time.perf_counter() - t0)
        w = self._take()
        payload = {"code": code, "time_limit": time_limit, "memory_mb": memory_mb, "solver": solver,
                   "diagnose": diagnose, "grace": 5.0}
        try:
            reply = w.request(payload, timeout=time_limit + 20.0)
        except Exception:
            reply = None  # whatever went wrong, the worker is replaced, never lost to the pool
        if reply is None:  # the worker itself stopped answering: replace it
            self._retire(w)
            return SandboxResult("crashed", error="the sandbox worker stopped responding and was replaced",
                                 seconds=time.perf_counter() - t0)
        if w.alive():
            self._idle.put(w)
        else:
            self._retire(w)
        solve = SolveResult.from_dict(reply["solve"]) if reply.get("solve") else None
        return SandboxResult(reply.get("status", "crashed"), error=reply.get("error"), line=reply.get("line"),
                             traceback=reply.get("traceback"), stdout=reply.get("stdout", ""), solve=solve,
                             seconds=time.perf_counter() - t0, build_seconds=reply.get("build_s", 0.0))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.kill()

    def __enter__(self) -> "SandboxPool":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:  # pragma: no cover - best effort
        try:
            self.close()
        except Exception:
            pass


def run_model_code(code: str, *, time_limit: float = 30.0, memory_mb: int = 2048, solver: str = "auto",
                   pool: SandboxPool | None = None) -> SandboxResult:
    """Run model code in ``pool``, or in a one-off pool that is closed afterwards."""
    if pool is not None:
        return pool.run(code, time_limit=time_limit, memory_mb=memory_mb, solver=solver)
    with SandboxPool(size=1) as own:
        return own.run(code, time_limit=time_limit, memory_mb=memory_mb, solver=solver)
