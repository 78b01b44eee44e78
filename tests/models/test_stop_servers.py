"""Stopping the detached local servers also stops one that ignores SIGTERM (a server busy decoding)."""

import subprocess
import sys
import time

from optolab.models import server as srv


def test_stop_local_servers_kills_what_ignores_sigterm(tmp_path, monkeypatch):
    monkeypatch.setattr(srv, "_state_file", lambda: tmp_path / "servers.json")
    stubborn = subprocess.Popen(
        [sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"],
        start_new_session=True)
    try:
        time.sleep(0.3)  # let it install the handler
        srv._write_state({"llama.cpp:test": {"pid": stubborn.pid}})
        t0 = time.monotonic()
        assert srv.stop_local_servers(grace=0.5) == ["llama.cpp:test"]
        assert stubborn.wait(timeout=5) == -9 and time.monotonic() - t0 < 5
        assert srv._read_state() == {}
    finally:
        if stubborn.poll() is None:
            stubborn.kill()
