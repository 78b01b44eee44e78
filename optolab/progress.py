"""A rich progress bar for long runs: done/total, one line of run-specific figures, elapsed time and ETA."""

from __future__ import annotations

from typing import Any


class RunProgressBar:
    """The bar itself; subclasses turn their run's events into the ``info`` text."""

    initial_info = ""

    def __init__(self, console: Any = None):
        self.console = console
        self._progress: Any = None
        self._task: Any = None
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
        self._task = self._progress.add_task(title, total=total, completed=done, info=self.initial_info)

    @property
    def running(self) -> bool:
        return self._progress is not None

    def step(self, info: str, failed: bool = False) -> None:
        """One unit done; ``failed`` counts it among the failures shown in red."""
        if self._progress is None:
            return
        self._failed += bool(failed)
        if self._failed:
            info += f" [red]{self._failed} failed[/]"
        self._progress.update(self._task, advance=1, info=info)

    def print(self, text: str) -> None:
        if self._progress is not None:
            self._progress.console.print(text)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
