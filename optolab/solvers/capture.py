"""Capture of what a solver prints, at the file-descriptor level, into a temporary file.

Solvers written in C print straight to file descriptors 1 and 2, so catching ``sys.stdout`` is not
enough. A pipe drained by a reader thread (what Pyomo's ``capture_output(capture_fd=True)`` does) can
deadlock: an extension that keeps the GIL while it solves (pyscipopt does) fills the pipe's buffer and
blocks on its next write, while the thread that would drain the pipe waits for the GIL. A file never
fills, so the solver writes on and its time limit holds.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from collections.abc import Iterator


class Captured:
    """What was printed inside :func:`capture_output`; ``text`` is set when the block ends."""

    def __init__(self) -> None:
        self.text = ""


@contextlib.contextmanager
def capture_output(captured: Captured | None = None) -> Iterator[Captured]:
    """Everything written to file descriptors 1 and 2 and to ``sys.stdout``/``sys.stderr`` inside the
    block, in the order written, available as ``captured.text`` afterwards (also when the block raises;
    pass ``captured`` to read it where the ``with`` statement's name would not be bound)."""
    captured = captured if captured is not None else Captured()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    with tempfile.TemporaryFile(mode="w+b") as file:
        saved = [os.dup(1), os.dup(2)]
        # a second descriptor on the same open file shares its offset, so Python's writes and C's interleave
        raw = os.fdopen(os.dup(file.fileno()), "wb", buffering=0)
        text = io.TextIOWrapper(raw, encoding="utf-8", errors="replace", write_through=True)
        old_streams = sys.stdout, sys.stderr
        try:
            os.dup2(file.fileno(), 1)
            os.dup2(file.fileno(), 2)
            sys.stdout = sys.stderr = text
            yield captured
        finally:
            with contextlib.suppress(Exception):
                text.flush()
            sys.stdout, sys.stderr = old_streams
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
            text.close()
            file.seek(0)
            captured.text = file.read().decode("utf-8", errors="replace")
