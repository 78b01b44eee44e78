"""A progress bar for evaluations (rich): problems done, running accuracy, error count, ETA."""

from __future__ import annotations

from typing import Any

from optolab.evals.outcomes import CORRECT, RETRIED
from optolab.evals.records import EvalRecord


class RichProgress:
    """Shows ``done/total``, the running accuracy under the run's rule and the time left.

    The accuracy counts every finished problem of the run, also those kept from an earlier run.
    """

    def __init__(self, console: Any = None, show_each: bool = False):
        self.console = console
        self.show_each = show_each
        self._progress: Any = None
        self._task: Any = None
        self._failed = 0

    def start(self, total: int, done: int, title: str) -> None:
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)

        self.console = self.console or Console(stderr=True)
        self._progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("{task.fields[acc]}"), TimeElapsedColumn(), TextColumn("ETA"),
                                  TimeRemainingColumn(), console=self.console, transient=False)
        self._progress.start()
        self._task = self._progress.add_task(title, total=total, completed=done, acc="acc -")

    def advance(self, record: EvalRecord, correct: int, scored: int) -> None:
        if self._progress is None:
            return
        self._failed += record.error_type in RETRIED
        acc = f"acc {100 * correct / scored:.1f}% ({correct}/{scored})" if scored else "acc -"
        if self._failed:
            acc += f" [red]{self._failed} failed[/]"
        self._progress.update(self._task, advance=1, acc=acc)
        if self.show_each:
            mark = "[green]ok[/]" if record.error_type == CORRECT else f"[red]{record.error_type}[/]"
            self._progress.console.print(f"{record.id}: {record.status} {record.objective} "
                                         f"(expected {record.expected}) {mark} {record.seconds:.1f}s")

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
