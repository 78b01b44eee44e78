"""A run folder: ``run.json`` (the run's configuration and history), ``results.jsonl``, ``code/``, reports.

``run.json`` keeps the settings that decide results under ``config``. Resuming a folder whose
``config`` differs (another model, benchmark, agent state, number of samples ...) is refused, because
mixing the two would report numbers that belong to neither; settings that only decide which problems
run or how fast (``--limit``, ``--sample``, ``--workers``, ``--api-base``) may change between runs.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from optolab.evals.errors import RunDirError, RunMismatchError
from optolab.evals.records import ResultsFile
from optolab.files import write_text_atomic

RUN_FORMAT = "optolab-eval-run"
RUN_VERSION = 1
# settings that change results: a run folder holds results of one value of each
RESULT_KEYS = ("benchmark", "model", "samples", "max_attempts", "shots", "max_tokens", "time_limit", "solver",
               "max_example_overlap", "agent_sha", "retry", "field_order", "strategies",
               "table_data")
# what a setting was before run.json recorded it: runs made before `retry` existed always repaired, before
# `field_order` existed the server's converter chose the order, a run without `strategies` formulated, and
# one without `table_data` showed tables only as the question's text
_BEFORE_RECORDED = {"retry": "repair", "field_order": "any", "strategies": ["formulation"], "table_data": False}


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _show(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, str) else repr(value)


class RunDir:
    """Paths and files of one run folder."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self.results = ResultsFile(self.path / "results.jsonl")
        self.run_json = self.path / "run.json"
        self.code_dir = self.path / "code"
        self.trail_dir = self.path / "trails"  # every attempt of the agent, for reading failures
        self.plots_dir = self.path / "plots"

    def exists(self) -> bool:
        return self.run_json.exists() or self.results.path.exists()

    def read_run(self) -> dict[str, Any] | None:
        """The parsed ``run.json``, or None when there is none."""
        if not self.run_json.exists():
            return None
        try:
            doc = json.loads(self.run_json.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise RunDirError(f"{self.run_json} is not readable JSON ({exc}); move it away to start a new run "
                              "in this folder") from None
        if not isinstance(doc, dict) or doc.get("format") != RUN_FORMAT:
            raise RunDirError(f"{self.run_json} is not an optolab evaluation run (no 'format': {RUN_FORMAT!r})")
        return doc

    def write_run(self, doc: dict[str, Any]) -> None:
        """Write ``run.json`` atomically (a kill never leaves half a file)."""
        write_text_atomic(self.run_json, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")

    def require(self) -> dict[str, Any]:
        """``run.json`` of an existing run; a clear error when the folder is not one."""
        doc = self.read_run()
        if doc is None:
            what = "has results.jsonl but no run.json" if self.results.path.exists() else "has no run.json"
            raise RunDirError(f"{self.path} is not an evaluation run: it {what}. Make one with "
                              f"'optolab eval BENCHMARK --out {self.path}'")
        return doc


def new_run_doc(config: dict[str, Any], details: dict[str, Any]) -> dict[str, Any]:
    return {"format": RUN_FORMAT, "version": RUN_VERSION, "created": now(), "config": config, **details,
            "ids": [], "invocations": []}


def check_resume(path: Path, old: dict[str, Any], new: dict[str, Any]) -> None:
    """Raise :class:`RunMismatchError` when ``new`` settings would change the results stored under ``old``."""
    def was(key: str) -> Any:
        return old.get(key, _BEFORE_RECORDED.get(key))

    diffs = [f"{key} was {_show(was(key))}, now {_show(new.get(key))}"
             for key in RESULT_KEYS if was(key) != new.get(key, _BEFORE_RECORDED.get(key))]
    if diffs:
        raise RunMismatchError(
            f"{path} holds results of a different evaluation: {'; '.join(diffs)}. These settings change the "
            f"results, so they are not mixed: evaluate into another --out folder, or use the settings of "
            f"{path / 'run.json'} to resume it.")
