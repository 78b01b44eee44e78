"""A progress bar for evaluations (rich): problems done, running accuracy, error count, ETA."""

from __future__ import annotations

from typing import Any

from optolab.evals.outcomes import CORRECT, RETRIED
from optolab.evals.records import EvalRecord
from optolab.progress import RunProgressBar


class RichProgress(RunProgressBar):
    """Shows ``done/total``, the running accuracy under the run's rule and the time left.

    The accuracy counts every finished problem of the run, also those kept from an earlier run.
    """

    initial_info = "acc -"

    def __init__(self, console: Any = None, show_each: bool = False):
        super().__init__(console)
        self.show_each = show_each

    def advance(self, record: EvalRecord, correct: int, scored: int) -> None:
        if not self.running:
            return
        acc = f"acc {100 * correct / scored:.1f}% ({correct}/{scored})" if scored else "acc -"
        self.step(acc, failed=record.error_type in RETRIED)
        if self.show_each:
            mark = "[green]ok[/]" if record.error_type == CORRECT else f"[red]{record.error_type}[/]"
            self.print(f"{record.id}: {record.status} {record.objective} (expected {record.expected}) {mark} "
                       f"{record.seconds:.1f}s")
