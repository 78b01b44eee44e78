"""A worker that answers garbage or an exhausted pool never breaks the pool or the caller."""

from __future__ import annotations

import json

import pytest

from optolab.errors import SandboxError
from optolab.solvers.sandbox import SandboxPool

CODE = """
import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.x = pyo.Var(bounds=(0, 4))
model.obj = pyo.Objective(expr=model.x, sense=pyo.maximize)
"""


def test_a_garbled_reply_replaces_the_worker_and_the_next_run_works():
    with SandboxPool(size=1) as pool:
        w = pool._take()
        pool._idle.put(w)
        original = w._readline
        w._readline = lambda timeout: "HiGHS banner written straight to fd 1\n"  # not a JSON reply
        res = pool.run(CODE)
        assert res.status == "crashed" and "replaced" in res.error
        w._readline = original
        again = pool.run(CODE)
        assert again.status == "ok" and again.solve.objective == pytest.approx(4.0)


def test_an_exhausted_pool_raises_a_sandbox_error_not_a_queue_error(monkeypatch):
    with SandboxPool(size=1) as pool:
        busy = pool._take()  # the only worker is busy elsewhere
        monkeypatch.setattr(pool, "_spawn", lambda: None)  # and no new one comes
        pool.start_timeout = -29.9  # wait 0.1 s
        with pytest.raises(SandboxError, match="no sandbox worker became free"):
            pool._take()
        pool._idle.put(busy)


def test_the_worker_keeps_its_protocol_apart_from_fd_1():
    import subprocess
    import sys

    # the worker announces itself on the protocol channel even though fd 1 now goes to stderr
    proc = subprocess.run([sys.executable, "-m", "optolab.solvers.sandbox_worker"], input="", capture_output=True,
                          text=True, timeout=120)
    first = proc.stdout.splitlines()[0]
    assert json.loads(first)["ready"] is True
