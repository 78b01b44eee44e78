"""Running a synthesis pipeline over its units: worker threads, a run folder, resume, summary, contamination.

A pipeline (see :class:`Pipeline`) turns one *unit* of work (an instance to verbalize, a scenario to
invent) into records. :func:`run_pipeline` hands the units to ``workers`` threads that share the
pipeline's LLM client and one warm sandbox pool; the calling thread writes each unit's records as
it finishes, so a kill loses at most the units in flight. A unit that raises is recorded as a
rejection with reason ``exception`` (``llm_error`` for model-server failures) and never stops the
run; such units run again on the next invocation, every other finished unit is kept.
"""

from __future__ import annotations

import contextvars
import os
import queue
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, Sequence

from optolab.synth.errors import SynthError
from optolab.synth.store import ACCEPTED, REJECTED, RUN_FORMAT, RunStore, now
from optolab.synth.summary import summarize

FIRST = ("key", "unit", "verdict", "reason", "detail", "question")  # fields written first, for people reading
RETRIED = ("exception", "llm_error")  # reasons of units that run again when a run is resumed
NO_ANSWER = "agent_no_answer"  # the agent gave no model: a model-server failure when the LLM had errors


class Unit(Protocol):
    key: str
    family: str


class Pipeline(Protocol):
    name: str

    def config(self) -> dict[str, Any]: ...

    def prepare(self, finished: dict[str, list[dict[str, Any]]]) -> None: ...

    def make_worker(self, sandbox: Any) -> Any: ...

    def process(self, unit: Any, worker: Any) -> list[dict[str, Any]]: ...


class NoProgress:
    def start(self, total: int, done: int, title: str) -> None:
        pass

    def advance(self, records: list[dict[str, Any]], failed: bool) -> None:
        pass

    def stop(self) -> None:
        pass


@dataclass
class SynthResult:
    """What :func:`run_pipeline` did."""

    out: Path
    summary: dict[str, Any]
    new: int = 0  # units done by this call
    kept: int = 0  # units finished earlier and kept
    accepted: int = 0  # records accepted by this call
    stopped: str | None = None
    interrupted: bool = False
    budget_used: bool = False  # the time budget ended the run before every unit was done
    notes: list[str] = field(default_factory=list)
    contamination: Any = None  # ContaminationReport when the check ran
    seconds: float = 0.0

    @property
    def accepted_path(self) -> Path:
        return self.out / "accepted.jsonl"

    @property
    def hard_cases_path(self) -> Path:
        return self.out / "hard_cases.jsonl"


def _redo(records: list[dict[str, Any]]) -> bool:
    return any(r.get("reason") in RETRIED for r in records)


def _failure(pipeline: Any, unit: Any, exc: BaseException) -> list[dict[str, Any]]:
    from optolab.errors import LLMError

    reason = "llm_error" if isinstance(exc, LLMError) else "exception"
    tb = traceback.format_exception(type(exc), exc, exc.__traceback__)
    error = f"{type(exc).__name__}: {exc}\n{''.join(tb[-4:])}"[:4000]
    return [{"key": unit.key, "verdict": REJECTED, "reason": reason, "family": unit.family,
             "detail": f"{type(exc).__name__}: {exc}"[:500], "error": error, "pipeline": pipeline.name}]


def process_unit(pipeline: Any, unit: Any, worker: Any) -> list[dict[str, Any]]:
    """Records of one unit, with its unit fields and costs; never raises for a failure of the unit."""
    from optolab.llm.usage import track

    t0 = time.perf_counter()
    with track() as usage:
        try:
            records = list(pipeline.process(unit, worker))
            if not records:
                raise SynthError(f"pipeline {pipeline.name!r} returned no record for unit {unit.key!r}")
        except Exception as exc:  # recorded, never stops the run
            records = _failure(pipeline, unit, exc)
    cost = {"seconds": round(time.perf_counter() - t0, 3), "llm_calls": usage.calls,
            "prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens,
            "llm_errors": usage.errors}
    stamp = now()
    out = []
    for rec in records:
        rec.setdefault("key", unit.key)
        rec.setdefault("family", unit.family)
        rec.setdefault("pipeline", pipeline.name)
        if usage.errors and rec.get("reason") == NO_ANSWER:
            rec["reason"] = "llm_error"
        rec.update(unit=unit.key, unit_records=len(records), cost=cost, created=stamp)
        out.append({**{k: rec[k] for k in FIRST if k in rec}, **rec})
    return out


def run_pipeline(
    pipeline: Any,
    units: Sequence[Any],
    out: str | os.PathLike[str],
    *,
    workers: int = 1,
    progress: Any = None,
    time_budget: float | None = None,
    stop_after_failures: int = 10,
    command: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    benchmarks: Sequence[str] | None = None,
    contamination: bool = True,
    contamination_threshold: float | None = None,
    sandbox: Any = None,
) -> SynthResult:
    """Run ``pipeline`` over ``units`` into the run folder ``out`` (resumed when it holds the same kind of run).

    ``time_budget``: seconds after which no new unit is started (those in flight finish).
    ``stop_after_failures``: stop when this many units in a row fail with exceptions or model-server errors.
    At the end, when a data folder is known (``data_dir`` or ``$OPTOLAB_DATA_DIR``) and ``contamination``
    is on, ``accepted.jsonl`` is checked against the evaluation benchmarks (``accepted.clean.jsonl``,
    ``contamination.json``).
    """
    t_start = time.perf_counter()
    if workers < 1:
        raise SynthError(f"workers must be >= 1, got {workers}")
    keys = [u.key for u in units]
    if len(set(keys)) != len(keys):
        raise SynthError("two units of the run have the same key; each unit needs its own key")
    store = RunStore(out, pipeline.name)
    doc = store.read_run() or {"format": RUN_FORMAT, "pipeline": pipeline.name, "created": now(), "invocations": []}
    finished, notes = store.open(_redo)
    pipeline.prepare(finished)
    todo = [u for u in units if u.key not in finished]
    invocation = {"command": command, "started": now(), "finished": None, "planned": len(units),
                  "kept": len(units) - len(todo), "done": 0, "workers": workers, "config": pipeline.config(),
                  "stopped": None}
    doc["invocations"].append(invocation)
    doc["config"] = pipeline.config()
    store.write_run(doc)

    progress = progress or NoProgress()
    new, accepted, stopped, interrupted = 0, 0, None, False
    if todo:
        new, accepted, stopped, interrupted = _run(pipeline, todo, store, min(workers, len(todo)), progress,
                                                   len(units), time_budget, stop_after_failures, sandbox, t_start)
    seconds = time.perf_counter() - t_start
    invocation.update(finished=now(), done=new, accepted=accepted, stopped=stopped, seconds=round(seconds, 3))
    store.write_run(doc)

    result = SynthResult(store.path, {}, new=new, kept=len(units) - len(todo), accepted=accepted, stopped=stopped,
                         interrupted=interrupted, notes=notes,
                         budget_used=time_budget is not None and new < len(todo) and not stopped)
    if result.budget_used:
        notes.append(f"the time budget of {time_budget:g} s ended the run after {new} of {len(todo)} units; "
                     "run again to go on")
    this_run = {"units": new, "accepted": accepted, "seconds": round(seconds, 3), "workers": workers,
                "stopped": stopped}
    if contamination and not interrupted:
        result.contamination = _contamination(store, data_dir, benchmarks, contamination_threshold, notes)
    result.seconds = time.perf_counter() - t_start
    this_run["seconds"] = round(result.seconds, 3)
    result.summary = summarize(store.all_records(), pipeline=pipeline.name, this_run=this_run)
    result.summary["config"] = pipeline.config()
    if result.contamination is not None:
        result.summary["contamination"] = result.contamination.brief()
    from optolab.synth.store import write_json_atomic

    write_json_atomic(store.summary_json, result.summary)
    return result


def _contamination(store: RunStore, data_dir: Any, benchmarks: Sequence[str] | None, threshold: float | None,
                   notes: list[str]) -> Any:
    from optolab.datasets import DATA_DIR_ENV
    from optolab.synth.contamination import DEFAULT_THRESHOLD, check_file

    if data_dir is None and not os.environ.get(DATA_DIR_ENV) and not benchmarks:
        return None
    if not store.files[ACCEPTED].exists():
        return None
    try:
        return check_file(store.files[ACCEPTED], benchmarks=benchmarks, data_dir=data_dir,
                          threshold=threshold or DEFAULT_THRESHOLD)
    except Exception as exc:  # the data is kept; the check can be run again with 'optolab synth contamination'
        notes.append(f"contamination check skipped: {exc}")
        return None


def _run(pipeline: Any, todo: list[Any], store: RunStore, workers: int, progress: Any, total: int,
         time_budget: float | None, stop_after_failures: int, sandbox: Any, t_start: float
         ) -> tuple[int, int, str | None, bool]:
    """Process ``todo`` on ``workers`` threads; the calling thread writes records as they arrive."""
    own_pool = sandbox is None
    if own_pool:
        from optolab.solvers.sandbox import SandboxPool

        sandbox = SandboxPool(size=workers)
    jobs: queue.Queue[Any] = queue.Queue()
    for unit in todo:
        jobs.put(unit)
    results: queue.Queue[list[dict[str, Any]]] = queue.Queue()
    halt = threading.Event()
    deadline = None if time_budget is None else t_start + float(time_budget)

    def work() -> None:
        worker = None
        try:
            worker = pipeline.make_worker(sandbox)
            while not halt.is_set() and (deadline is None or time.perf_counter() < deadline):
                try:
                    unit = jobs.get_nowait()
                except queue.Empty:
                    return
                results.put(process_unit(pipeline, unit, worker))
        except Exception as exc:  # the worker could not be built: every unit left says why
            while True:
                try:
                    unit = jobs.get_nowait()
                except queue.Empty:
                    return
                results.put(process_unit(_Broken(pipeline, exc), unit, None))
        finally:
            close = getattr(worker, "close", None)
            if callable(close):
                close()

    threads = [threading.Thread(target=contextvars.copy_context().run, args=(work,), name=f"optolab-synth-{i}",
                                daemon=True) for i in range(workers)]
    progress.start(total, total - len(todo), f"synth {pipeline.name}")
    new, accepted, streak, stopped, interrupted = 0, 0, 0, None, False

    def take(records: list[dict[str, Any]]) -> bool:
        nonlocal new, accepted, streak
        store.write_unit(records)
        new += 1
        accepted += sum(1 for r in records if r.get("verdict") == ACCEPTED)
        failed = _redo(records)
        progress.advance(records, failed)
        streak = streak + 1 if failed else 0
        return failed

    try:
        for t in threads:
            t.start()
        while new < len(todo):
            try:
                records = results.get(timeout=0.25)
            except queue.Empty:
                if not any(t.is_alive() for t in threads) and results.empty():
                    break
                continue
            take(records)
            if stop_after_failures and streak >= stop_after_failures and not halt.is_set():
                last = str(records[0].get("detail") or records[0].get("reason")).splitlines()[0][:300]
                stopped = (f"stopped after {streak} units in a row failed with {records[0].get('reason')} "
                           f"(last: {last}); the finished units are kept: fix the cause and run the same command "
                           "to resume")
                halt.set()
        if halt.is_set():  # let the units in flight finish and keep them
            for t in threads:
                t.join()
            while not results.empty():
                take(results.get())
    except KeyboardInterrupt:  # units in flight are dropped; everything written is kept
        halt.set()
        interrupted = True
        stopped = "interrupted; the finished units are kept: run the same command to resume"
    finally:
        progress.stop()
        if own_pool:
            sandbox.close()
    return new, accepted, stopped, interrupted


class _Broken:
    """Stands in for a pipeline whose worker could not be built: every unit fails with that error."""

    def __init__(self, pipeline: Any, exc: Exception):
        self.name = pipeline.name
        self._exc = exc

    def process(self, unit: Any, worker: Any) -> list[dict[str, Any]]:
        raise SynthError(f"the worker could not be built: {type(self._exc).__name__}: {self._exc}") from self._exc
