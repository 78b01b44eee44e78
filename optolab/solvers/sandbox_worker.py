"""A warm sandbox worker: ``python -m optolab.solvers.sandbox_worker``.

It imports Pyomo and the solvers once, then reads one JSON request per line on stdin. For each
request it forks a child that sets its own memory limit, runs the model code in a fresh
temporary directory with a restricted ``__import__``, solves the model it defined and sends the
result back through a pipe; the worker kills the child when the wall-clock limit passes. The
worker itself never runs model code, so a crash, a hang or a huge allocation costs one child.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import json
import os
import re
import resource
import select
import shutil
import signal
import sys
import tempfile
import time
import traceback

STDOUT_LIMIT = 10_000


def _restricted_builtins() -> dict:
    from optolab.solvers.policy import FORBIDDEN_NAMES, allowed_import

    real_import = builtins.__import__

    def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
        if level or not allowed_import(name):
            raise ImportError(f"import of {name!r} is not allowed in model code")
        return real_import(name, globals, locals, fromlist, level)

    safe = {k: v for k, v in vars(builtins).items() if k not in FORBIDDEN_NAMES}
    safe["__import__"] = guarded_import
    return safe


def _user_frames(exc: BaseException) -> tuple[int | None, str]:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == "<model>"]
    line = frames[-1].lineno if frames else None
    text = "".join(traceback.format_list(frames[-5:])) + f"{type(exc).__name__}: {exc}"
    return line, text


_BAD_INDEX = re.compile(r"Index '?(.*?)'? is not valid for indexed component '([\w.]+)'")


def _index_detail(exc: BaseException, namespace: dict) -> str:
    """For a Pyomo component read with a key it does not have: the keys it does have (the first eight)."""
    m = _BAD_INDEX.search(str(exc))
    if not m:
        return ""
    try:
        model = namespace.get("model")
        comp = model.find_component(m.group(2)) if hasattr(model, "find_component") else None
        comp = comp if comp is not None else namespace.get(m.group(2))
        keys = comp.index_set()
        shown = [repr(k) for _, k in zip(range(8), keys)]
        more = f", ... ({len(keys)} in all)" if len(keys) > 8 else ""
    except Exception:
        return ""
    return f" ({m.group(2)} is indexed by {', '.join(shown)}{more})" if shown else ""


def _child(request: dict, write_fd: int, workdir: str) -> None:
    """Runs in the forked child; never returns."""
    status, out = "crashed", {}
    try:
        mem = int(request.get("memory_mb") or 0)
        if mem > 0:
            limit = mem * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        os.chdir(workdir)
        captured = io.StringIO()
        namespace = {"__name__": "__model__", "__builtins__": _restricted_builtins()}
        t0 = time.perf_counter()
        try:
            code = compile(request["code"], "<model>", "exec")
            with contextlib.redirect_stdout(captured):
                exec(code, namespace)  # noqa: S102 - policy-checked model code, in a disposable child
                model = namespace.get("model")
                if model is None and callable(namespace.get("build_model")):
                    model = namespace["build_model"]()
        except MemoryError:
            status, out = "memory_error", {"error": "the model code ran out of memory"}
            raise _Done
        except SyntaxError as exc:
            status, out = "syntax_error", {"error": f"{exc.msg} (line {exc.lineno})", "line": exc.lineno}
            raise _Done
        except Exception as exc:
            line, text = _user_frames(exc)
            error = f"{type(exc).__name__}: {exc}" + _index_detail(exc, namespace)
            status, out = "runtime_error", {"error": error, "line": line, "traceback": text}
            raise _Done
        build_s = time.perf_counter() - t0
        import pyomo.environ as pyo

        if not isinstance(model, pyo.Block):
            status, out = "no_model", {"error": "the code must define a Pyomo model in a variable named 'model' "
                                                "(or a function build_model() that returns one)"}
            raise _Done
        from optolab.solvers.solve import solve

        try:
            result = solve(model, request.get("solver") or "auto", time_limit=request.get("time_limit"),
                           diagnose=request.get("diagnose", True))
        except MemoryError:
            status, out = "memory_error", {"error": "the solver ran out of memory"}
            raise _Done
        except Exception as exc:
            status, out = "solver_error", {"error": f"{type(exc).__name__}: {exc}"}
            raise _Done
        status = "ok"
        out = {"solve": result.to_dict(), "build_s": build_s}
        out["stdout"] = captured.getvalue()[-STDOUT_LIMIT:]
    except _Done:
        pass
    except BaseException as exc:  # anything else is reported, never propagated
        status, out = "crashed", {"error": f"{type(exc).__name__}: {exc}"}
    try:
        payload = json.dumps({"status": status, **out}, default=str).encode()
        view = memoryview(payload)
        while view:
            n = os.write(write_fd, view)
            view = view[n:]
    finally:
        os._exit(0)


class _Done(Exception):
    pass


def _run(request: dict) -> dict:
    read_fd, write_fd = os.pipe()
    workdir = tempfile.mkdtemp(prefix="optolab-run-")
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        _child(request, write_fd, workdir)
    os.close(write_fd)
    deadline = t0 + float(request.get("time_limit") or 30) + float(request.get("grace", 5.0))
    chunks = []
    timed_out = False
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            timed_out = True
            break
        ready, _, _ = select.select([read_fd], [], [], min(left, 1.0))
        if ready:
            data = os.read(read_fd, 1 << 16)
            if not data:
                break
            chunks.append(data)
    os.close(read_fd)
    if timed_out:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    _, wait_status = os.waitpid(pid, 0)
    shutil.rmtree(workdir, ignore_errors=True)
    seconds = time.perf_counter() - t0
    if timed_out:
        return {"status": "timeout", "error": f"the model code did not finish within "
                                              f"{request.get('time_limit')} s (plus a grace period) and was stopped",
                "seconds": seconds}
    try:
        reply = json.loads(b"".join(chunks).decode())
    except ValueError:
        sig = os.WTERMSIG(wait_status) if os.WIFSIGNALED(wait_status) else None
        why = f"killed by signal {sig}" if sig else f"exit status {os.WEXITSTATUS(wait_status)}"
        return {"status": "crashed", "error": f"the process running the model code died ({why})", "seconds": seconds}
    reply["seconds"] = seconds
    return reply


def main() -> None:
    # everything model code needs is imported once, before the first request
    import pyomo.environ  # noqa: F401

    from optolab.solvers import solve as _solve  # noqa: F401

    with contextlib.suppress(ImportError):
        import highspy  # noqa: F401
    with contextlib.suppress(ImportError):
        import pyscipopt  # noqa: F401
    # The protocol gets a file descriptor of its own, and fd 1 is pointed at stderr: stray prints and
    # solver libraries writing straight to fd 1 (C-level output) can never corrupt a reply.
    sys.stdout.flush()
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    out.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    out.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            reply = _run(request)
        except Exception as exc:
            reply = {"status": "crashed", "error": f"worker: {type(exc).__name__}: {exc}"}
        out.write(json.dumps(reply, default=str) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
