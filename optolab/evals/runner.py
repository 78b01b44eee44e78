"""Run the modeling agent over a benchmark: one JSON line per problem as soon as it finishes, resumable.

>>> from optolab.evals.runner import AgentSettings, evaluate
>>> from optolab.evals.sources import load_eval_benchmark, select
>>> bench = select(load_eval_benchmark("embedded"), tags=["difficulty:easy"], limit=3)   # doctest: +SKIP
>>> result = evaluate(bench, "runs/easy", llm=LLM("local"), workers=2)                    # doctest: +SKIP
>>> result.summary.overall["rel_1e-6_objective"].accuracy                              # doctest: +SKIP

``workers`` threads each drive their own :class:`~optolab.agents.Modeler` (an agent keeps per-problem
state) against the one LLM client (thread-safe, with its own concurrency limit) and one warm
:class:`~optolab.solvers.sandbox.SandboxPool` of ``workers`` processes. An exception while solving one
problem becomes an ``exception`` record; the run goes on. Records of model-server failures and
exceptions are computed again when the run resumes; every other finished problem is kept.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import platform
import queue
import re
import subprocess
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

from optolab.datasets import Benchmark, BenchmarkItem
from optolab.evals.errors import EvalError, RunMismatchError
from optolab.evals.outcomes import RETRIED, classify
from optolab.evals.records import EvalRecord, clean_answers, expected_fields, finite_or_none
from optolab.evals.rundir import RunDir, check_resume, new_run_doc, now
from optolab.evals.scoring import DEFAULT_RULES, Prediction, get_rule, score
from optolab.evals.sources import question_sha
from optolab.files import write_text_atomic

DEFAULT_RULE = "rel_1e-6_objective"
VERSIONED_PACKAGES = ("optolab", "pyomo", "highspy", "pyscipopt", "pyomo-ripopt", "litellm", "pydantic")


@dataclass(frozen=True)
class AgentSettings:
    """How the agent is built for an evaluation (all of these change results)."""

    samples: int = 1
    strategies: tuple[str, ...] = ("program",)  # see Modeler: "program" and/or "formulation"
    max_attempts: int = 3
    shots: int = 2
    max_tokens: int = 1500
    time_limit: float = 30.0
    solver: str = "auto"
    max_example_overlap: float | None = 0.4  # worked examples that nearly copy a question are never shown
    agent_path: str | None = None  # a saved agent state (trace.Module.save) loaded into every agent
    retry: str = "auto"  # see Modeler: "auto", "repair" or "resample"
    field_order: str = "any"  # see Modeler: "any" or "declared" (formulation strategy, grammar-constrained servers)
    table_data: bool = True  # see Modeler: tables of the question shown as Python data (program strategy)

    def __post_init__(self) -> None:
        for name in ("samples", "max_attempts"):
            if getattr(self, name) < 1:
                raise EvalError(f"{name} must be >= 1, got {getattr(self, name)}")
        from optolab.agents.modeler import STRATEGIES

        if not self.strategies or any(s not in STRATEGIES for s in self.strategies):
            raise EvalError(f"strategies {list(self.strategies)}: choose one or more of {list(STRATEGIES)}")
        if self.time_limit <= 0:
            raise EvalError(f"time_limit must be > 0 seconds, got {self.time_limit}")
        from optolab.agents.modeler import RETRIES

        if self.retry not in RETRIES:
            raise EvalError(f"retry {self.retry!r}: choose one of {list(RETRIES)}")
        from optolab.llm.schema import FIELD_ORDERS

        if self.field_order not in FIELD_ORDERS:
            raise EvalError(f"field_order {self.field_order!r}: choose one of {list(FIELD_ORDERS)}")


class Agent(Protocol):
    def solve(self, text: str, answer_keys: list[str] | None = None) -> Any: ...


AgentFactory = Callable[[Any, Any], Agent]  # (sandbox pool, example bank) -> agent with .solve(text)


class Progress(Protocol):
    def start(self, total: int, done: int, title: str) -> None: ...

    def advance(self, record: EvalRecord, correct: int, scored: int) -> None: ...

    def stop(self) -> None: ...


class NoProgress:
    def start(self, total: int, done: int, title: str) -> None:
        pass

    def advance(self, record: EvalRecord, correct: int, scored: int) -> None:
        pass

    def stop(self) -> None:
        pass


@dataclass
class EvalResult:
    """What :func:`evaluate` did: the run folder, the records of the planned problems, the summary."""

    run_dir: RunDir
    records: list[EvalRecord]
    summary: Any  # optolab.evals.analysis.RunSummary
    new: int = 0  # problems evaluated by this call
    skipped: int = 0  # finished earlier and kept
    stopped: str | None = None  # why the run stopped early (None when it finished)
    interrupted: bool = False  # Ctrl-C: the finished problems are kept, the run resumes later
    reports: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


# --- the agent ------------------------------------------------------------------------------

def _sha(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode("utf-8")).hexdigest()[:16]


def agent_state(settings: AgentSettings) -> dict[str, Any]:
    """The state every agent of the run gets: the defaults, with ``settings.agent_path`` loaded over them."""
    from optolab.agents import Modeler

    probe = Modeler(None, shots=settings.shots)
    if settings.agent_path:
        path = Path(settings.agent_path)
        if not path.is_file():
            raise EvalError(f"--agent {path}: no such file; give a state saved with Modeler.save(path)")
        probe.load(path, strict=False)
    return probe.state_dict()


def modeler_factory(llm: Any, settings: AgentSettings, state: dict[str, Any]) -> AgentFactory:
    """Agents for the worker threads: one :class:`Modeler` each, sharing the LLM, sandbox pool and examples."""

    def make(sandbox: Any, bank: Any) -> Agent:
        from optolab.agents import Modeler

        agent = Modeler(llm, bank=bank, shots=settings.shots, max_attempts=settings.max_attempts,
                        samples=settings.samples, strategies=settings.strategies, max_tokens=settings.max_tokens, time_limit=settings.time_limit,
                        solver=settings.solver, sandbox=sandbox, max_example_overlap=settings.max_example_overlap,
                        retry=settings.retry, field_order=settings.field_order, table_data=settings.table_data)
        agent.load_state_dict(state, strict=False)
        return agent

    return make


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    commit = source_commit()
    if commit:
        out["optolab_commit"] = commit
    return out


def source_commit(root: Path | None = None) -> str | None:
    """The git commit optolab runs from (with "+changes" when the checkout differs from it), or None
    when it is not run from a git checkout: with it a run can be repeated with the same code."""
    root = Path(root) if root is not None else Path(__file__).resolve().parents[2]
    if not (root / ".git").exists():
        return None
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no", "--",
                                "optolab"], capture_output=True, text=True, timeout=10)
        return head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


# --- one problem ----------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def code_file_name(item_id: str) -> str:
    """A file name for an item id; ids that are not already safe get a hash so two never collide."""
    safe = _UNSAFE.sub("_", item_id).strip("._") or "item"
    if safe != item_id:
        safe = f"{safe[:80]}-{hashlib.sha1(item_id.encode('utf-8')).hexdigest()[:8]}"
    return f"{safe}.py"


def write_trail(run_dir: RunDir, item_id: str, solution: Any) -> str | None:
    """Save what the agent tried (formulations, statuses, findings, votes) as ``trails/<id>.json``."""
    to_dict = getattr(solution, "to_dict", None)
    if to_dict is None:
        return None
    try:
        doc = to_dict()
        doc.pop("question", None)  # the benchmark holds it; the record has its hash
        text = json.dumps(doc, indent=1, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return None
    name = code_file_name(item_id)[:-3] + ".json"
    write_text_atomic(run_dir.trail_dir / name, text)
    return f"trails/{name}"


def solve_one(agent: Agent, item: BenchmarkItem, position: int, run_dir: RunDir, rule: str) -> EvalRecord:
    """Solve one item and turn the outcome into a record; never raises for the agent's failures."""
    from optolab.llm.usage import track

    t0 = time.perf_counter()
    solution, error = None, None
    with track() as usage:
        try:
            keys = [k for k in (item.answers or {})]
            # the agent reports the asked quantities under the benchmark's own names
            solution = agent.solve(item.question, answer_keys=keys) if keys else agent.solve(item.question)
        except Exception as exc:  # recorded, never stops the run
            tb = traceback.format_exception(type(exc), exc, exc.__traceback__)
            error = f"{type(exc).__name__}: {exc}\n{''.join(tb[-4:])}"[:4000]
    seconds = time.perf_counter() - t0
    rec = EvalRecord(id=item.id, position=position, question_sha=question_sha(item), rule=rule, seconds=seconds,
                     llm_calls=usage.calls, llm_errors=usage.errors, prompt_tokens=usage.prompt_tokens,
                     completion_tokens=usage.completion_tokens, finished_at=now(), **expected_fields(item))
    if solution is None:
        rec.status = "exception"
        rec.error = error
        prediction: Prediction | None = None
    else:
        rec.status = str(getattr(solution, "status", "no_answer"))
        rec.objective = finite_or_none(getattr(solution, "objective", None))
        answers = getattr(solution, "answers", None) or getattr(solution, "values", None)
        rec.answers = clean_answers(answers)
        attempts = list(getattr(solution, "attempts", []) or [])
        rec.attempts = len(attempts)
        rec.attempt_statuses = [str(getattr(a, "status", "")) for a in attempts]
        rec.llm_seconds = float(getattr(solution, "llm_seconds", 0.0) or 0.0)
        rec.explanation = str(getattr(solution, "explanation", "") or "")[:2000]
        if not getattr(solution, "ok", False) and attempts:
            last = attempts[-1]
            rec.error = (getattr(last, "error", None) or "; ".join(getattr(last, "findings", []) or []) or None)
            rec.error = rec.error[:2000] if rec.error else None
        code = getattr(solution, "code", None)
        if code:
            name = code_file_name(item.id)
            run_dir.code_dir.mkdir(parents=True, exist_ok=True)
            (run_dir.code_dir / name).write_text(code, encoding="utf-8")
            rec.code_path = f"code/{name}"
        rec.trail_path = write_trail(run_dir, item.id, solution)
        prediction = Prediction(objective=rec.objective, answers=rec.answers or None, status=rec.status)
    rec.correct = score(item, prediction, DEFAULT_RULES)
    rec.error_type = classify(has_ground_truth=item.has_ground_truth, verdict=rec.correct.get(rule),
                              status=rec.status, last_attempt_status=(rec.attempt_statuses or [None])[-1],
                              llm_errors=rec.llm_errors, exception=solution is None)
    return rec


# --- the run --------------------------------------------------------------------------------

def _config(bench: Benchmark, model: str, settings: AgentSettings, state: dict[str, Any]) -> dict[str, Any]:
    return {"benchmark": bench.name, "model": model, "samples": settings.samples,
            "strategies": list(settings.strategies),
            "max_attempts": settings.max_attempts, "shots": state.get("shots", settings.shots),
            "max_tokens": settings.max_tokens, "time_limit": settings.time_limit, "solver": settings.solver,
            "max_example_overlap": settings.max_example_overlap, "agent_sha": _sha(state), "retry": settings.retry,
            "field_order": settings.field_order, "table_data": settings.table_data}


def _check_items(run_dir: RunDir, items: Sequence[BenchmarkItem], records: dict[str, EvalRecord]) -> None:
    changed = [item.id for item in items
               if item.id in records and records[item.id].question_sha not in ("", question_sha(item))]
    if changed:
        raise RunMismatchError(
            f"{run_dir.path} has results for {len(changed)} problem(s) whose question or label has changed since "
            f"(e.g. {changed[:5]}): the benchmark data differs. Evaluate into another --out folder.")


def evaluate(
    bench: Benchmark,
    out: str | Path,
    *,
    llm: Any = None,
    settings: AgentSettings = AgentSettings(),
    agent_factory: AgentFactory | None = None,
    model: str | None = None,
    workers: int = 1,
    rule: str = DEFAULT_RULE,
    command: str | None = None,
    details: dict[str, Any] | None = None,
    progress: Progress | None = None,
    report: bool = True,
    stop_after_failures: int = 10,
) -> EvalResult:
    """Evaluate the agent on ``bench``, writing into the run folder ``out`` (resumed when it exists).

    ``llm``: the client the agents use (or pass ``agent_factory(sandbox, bank) -> agent``). ``model``:
    the name recorded for the model (default: ``llm.model``). ``rule``: the scoring rule the error
    types and the running accuracy use (every rule is recorded). ``details``: extra facts for
    ``run.json`` (api base, sampling options). ``stop_after_failures``: stop early when this many
    problems in a row end in a model-server failure or an exception (a server that is down).
    """
    t_start = time.perf_counter()
    get_rule(rule)
    if workers < 1:
        raise EvalError(f"workers must be >= 1, got {workers}")
    if llm is None and agent_factory is None:
        raise EvalError("evaluate needs llm=... (an optolab.llm client) or agent_factory=...")
    run_dir = RunDir(out)
    state = agent_state(settings)
    model = model or str(getattr(llm, "model", None) or type(llm).__name__)
    config = _config(bench, model, settings, state)
    doc = run_dir.read_run()
    if doc is not None:
        check_resume(run_dir.path, doc.get("config", {}), config)
    else:
        doc = new_run_doc(config, {"benchmark_path": bench.path, "benchmark_description": bench.description})
    notes: list[str] = []
    moved = run_dir.results.repair()
    if moved is not None:
        notes.append(f"an interrupted last line of results.jsonl was moved to {moved.name}; its problem runs again")
    read = run_dir.results.read()
    notes.extend(f"results.jsonl {s}; that problem runs again" for s in read.skipped)
    records = read.records
    _check_items(run_dir, bench.items, records)

    planned_ids = [item.id for item in bench.items]
    doc["ids"] = list(dict.fromkeys([*doc.get("ids", []), *planned_ids]))
    doc["rule"] = rule
    doc["prompts"] = {name: _sha(value) for name, value in state.items()}
    doc["agent_path"] = settings.agent_path
    doc["versions"] = versions()
    doc.update(details or {})
    done = {i for i, r in records.items() if r.error_type_for(rule) not in RETRIED}
    todo = [(pos, item) for pos, item in enumerate(bench.items) if item.id not in done]
    invocation = {"command": command, "started": now(), "finished": None, "planned": len(planned_ids),
                  "kept": len(planned_ids) - len(todo), "evaluated": 0, "workers": workers, "stopped": None,
                  **(details or {}), "ids": planned_ids}
    doc.setdefault("invocations", []).append(invocation)
    run_dir.path.mkdir(parents=True, exist_ok=True)
    run_dir.write_run(doc)

    progress = progress or NoProgress()
    stopped: str | None = None
    new, interrupted = 0, False
    if todo:
        factory = agent_factory or modeler_factory(llm, settings, state)
        new, stopped, interrupted = _run(todo, factory, run_dir, records, planned_ids, rule, min(workers, len(todo)),
                                         progress, stop_after_failures, bench.name)
    invocation.update(finished=now(), evaluated=new, stopped=stopped)
    run_dir.write_run(doc)

    from optolab.evals.analysis import summarize_records

    planned = [records[i] for i in planned_ids if i in records]
    summary = summarize_records(list(records.values()), rule=rule, planned_ids=doc["ids"], name=bench.name)
    result = EvalResult(run_dir, planned, summary, new=new, skipped=len(planned_ids) - len(todo), stopped=stopped,
                        interrupted=interrupted, notes=notes)
    if report:
        from optolab.evals.report import write_reports

        result.reports = write_reports(run_dir, summary, doc)
    result.seconds = time.perf_counter() - t_start
    return result


def _run(todo: list[tuple[int, BenchmarkItem]], factory: AgentFactory, run_dir: RunDir,
         records: dict[str, EvalRecord], planned_ids: list[str], rule: str, workers: int, progress: Progress,
         stop_after_failures: int, title: str) -> tuple[int, str | None, bool]:
    """Solve ``todo`` on ``workers`` threads; the calling thread writes records as they arrive.

    Returns (records written, why the run stopped early or None, interrupted by Ctrl-C).
    """
    from optolab.agents import ExampleBank
    from optolab.solvers.sandbox import SandboxPool

    planned = set(planned_ids)
    jobs: queue.Queue[tuple[int, BenchmarkItem]] = queue.Queue()
    for job in todo:
        jobs.put(job)
    results: queue.Queue[EvalRecord] = queue.Queue()
    halt = threading.Event()
    # a worker takes a new problem only when its last record has been written: a stop decided on the records
    # written so far then leaves at most one problem per worker in flight
    slots = threading.Semaphore(workers)
    bank = ExampleBank.default()
    pool = SandboxPool(size=workers)

    def work() -> None:
        agent = None
        try:
            agent = factory(pool, bank)
            while not halt.is_set():
                if not slots.acquire(timeout=0.1):
                    continue
                if halt.is_set():
                    return
                try:
                    pos, item = jobs.get_nowait()
                except queue.Empty:
                    return
                results.put(solve_one(agent, item, pos, run_dir, rule))
        except Exception as exc:  # the agent could not be built: every problem left says why
            while True:
                try:
                    pos, item = jobs.get_nowait()
                except queue.Empty:
                    return
                results.put(_failed(item, pos, exc, rule))
        finally:
            close = getattr(agent, "close", None)
            if callable(close):
                close()

    # each thread runs in a copy of this context: switches such as the real-call guard and tracing apply there too
    threads = [threading.Thread(target=contextvars.copy_context().run, args=(work,), name=f"optolab-eval-{i}",
                                daemon=True) for i in range(workers)]
    correct = sum(1 for i, r in records.items() if i in planned and r.correct.get(rule))
    scored = sum(1 for i, r in records.items() if i in planned and r.correct.get(rule) is not None)
    progress.start(len(planned_ids), len(planned_ids) - len(todo), title)
    new, streak, stopped, interrupted = 0, 0, None, False
    try:
        for t in threads:
            t.start()
        while new < len(todo):
            try:
                rec = results.get(timeout=0.25)
            except queue.Empty:
                if not any(t.is_alive() for t in threads) and results.empty():
                    break
                continue
            run_dir.results.append(rec)
            slots.release()
            old = records.pop(rec.id, None)
            if old is not None and old.correct.get(rule) is not None:
                correct -= bool(old.correct.get(rule))
                scored -= 1
            records[rec.id] = rec
            new += 1
            verdict = rec.correct.get(rule)
            if verdict is not None:
                correct += bool(verdict)
                scored += 1
            progress.advance(rec, correct, scored)
            streak = streak + 1 if rec.error_type in RETRIED else 0
            if stop_after_failures and streak >= stop_after_failures and not halt.is_set():
                last = (rec.error or rec.explanation or rec.error_type).splitlines()[0][:300]
                what = "problem" if streak == 1 else f"{streak} problems in a row"
                stopped = (f"stopped after {what} failed with {rec.error_type} (last: {last}); "
                           "the finished problems are kept: fix the cause and run the same command to resume")
                halt.set()
        if halt.is_set():  # let the problems in flight finish and keep them
            for t in threads:
                t.join()
            while not results.empty():
                rec = results.get()
                run_dir.results.append(rec)
                records[rec.id] = rec
                new += 1
    except KeyboardInterrupt:  # problems in flight are dropped; everything written is kept
        halt.set()
        interrupted = True
        stopped = "interrupted; the finished problems are kept: run the same command to resume"
    finally:
        progress.stop()
        pool.close()
    return new, stopped, interrupted


def _failed(item: BenchmarkItem, position: int, exc: Exception, rule: str) -> EvalRecord:
    rec = EvalRecord(id=item.id, position=position, question_sha=question_sha(item), rule=rule, status="exception",
                     error=f"the agent could not be built: {type(exc).__name__}: {exc}"[:2000], finished_at=now(),
                     **expected_fields(item))
    rec.correct = score(item, None, DEFAULT_RULES)
    rec.error_type = rec.error_type_for(rule)
    return rec

