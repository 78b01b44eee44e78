"""A progress bar for synthesis runs (rich): units done, records accepted, yield, failures, ETA."""

from __future__ import annotations

from typing import Any


class RichProgress:
    """``done/total`` units with the accepted count and the yield of this run."""

    def __init__(self, console: Any = None):
        self.console = console
        self._progress: Any = None
        self._task: Any = None
        self._units = 0
        self._accepted = 0
        self._failed = 0

    def start(self, total: int, done: int, title: str) -> None:
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)

        self.console = self.console or Console(stderr=True)
        self._progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("{task.fields[info]}"), TimeElapsedColumn(), TextColumn("ETA"),
                                  TimeRemainingColumn(), console=self.console, transient=False)
        self._progress.start()
        self._task = self._progress.add_task(title, total=total, completed=done, info="accepted 0")

    def advance(self, records: list[dict[str, Any]], failed: bool) -> None:
        if self._progress is None:
            return
        self._units += 1
        self._accepted += sum(1 for r in records if r.get("verdict") == "accepted")
        self._failed += failed
        info = f"accepted {self._accepted} ({100 * self._accepted / self._units:.0f}% yield)"
        if self._failed:
            info += f" [red]{self._failed} failed[/]"
        self._progress.update(self._task, advance=1, info=info)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
