"""A progress bar for synthesis runs (rich): units done, records accepted, yield, failures, ETA."""

from __future__ import annotations

from typing import Any

from optolab.progress import RunProgressBar


class RichProgress(RunProgressBar):
    """``done/total`` units with the accepted count and the yield of this run."""

    initial_info = "accepted 0"

    def __init__(self, console: Any = None):
        super().__init__(console)
        self._units = 0
        self._accepted = 0

    def advance(self, records: list[dict[str, Any]], failed: bool) -> None:
        if not self.running:
            return
        self._units += 1
        self._accepted += sum(1 for r in records if r.get("verdict") == "accepted")
        self.step(f"accepted {self._accepted} ({100 * self._accepted / self._units:.0f}% yield)", failed=failed)
