"""Prompt-level training of the modeling agent with the project's own optimizers.

Each step solves a minibatch of training questions with the agent, judges every answer against the
record's optimum under the strict rule (``rel_1e-4_all_answers``), turns the outcome into feedback
(wrong optimum: expected against found, with the agent's own findings and, optionally, a reference
model; no model: what failed; right: a short confirmation) and sends it back through the traced
steps of the solve to the agent's trainable parts. The optimizer then proposes new values:

- ``optoprime``: one proposal per step; the new state is scored on the dev split and kept only when
  it scores at least as well as the best state so far (otherwise the agent goes back to the best);
- ``search``: :class:`~optolab.trace.optimizers.SearchOptimizer` proposes several candidates per
  step and keeps the best by dev score itself.

Dev scores are cached per agent state, so a state is never scored twice. After every step the
trainer writes the best state (:meth:`trace.Module.save`, loadable with ``optolab solve --agent``),
a history file and a checkpoint; a new run with the same data and settings resumes from the
checkpoint (more ``steps`` continue a finished run).

>>> trainer = PromptTrainer(agent, split, optimizer_llm=llm, config=PromptTrainConfig(steps=4),
...                         out="agent_state.json")      # doctest: +SKIP
>>> result = trainer.run()                               # doctest: +SKIP
>>> result.initial_dev_score, result.best_dev_score      # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import time
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Sequence

from optolab import trace
from optolab.errors import ParameterUpdateError, RealLLMCallForbidden
from optolab.files import write_text_atomic
from optolab.train.bootstrap import BootstrapState, Screen, Tried, bootstrap_order, demo_from
from optolab.train.data import Split, TrainRecord
from optolab.train.errors import TrainError
from optolab.train.tape import record_steps

CHECKPOINT_FORMAT = "optolab.prompt-train-checkpoint"
CHECKPOINT_VERSION = 1
OPTIMIZERS = ("optoprime", "search")
DEFAULT_PARAMS = ("instructions", "repair_instructions", "shots")


def load_prompt(name: str) -> str:
    return resources.files("optolab.train").joinpath("templates", name).read_text(encoding="utf-8")


@dataclass
class PromptTrainConfig:
    """Settings of a prompt-level training run (all but ``steps`` and ``bootstrap_tries`` must match to resume)."""

    steps: int = 4
    batch_size: int = 3
    optimizer: str = "optoprime"
    params: tuple[str, ...] = DEFAULT_PARAMS
    seed: int = 0
    rule: str = "rel_1e-4_all_answers"
    show_reference: bool = True  # feedback on a wrong answer quotes the record's reference model
    feedback_on_correct: bool = True  # right answers send a short confirmation too
    bootstrap: int = 0  # demos to bootstrap before the optimizer steps (0: none; see optolab.train.bootstrap)
    bootstrap_tries: int | None = None  # training questions tried for them at most (None: until enough)
    candidates: int = 2  # search: proposals per step
    beam_width: int = 2  # search: states kept
    memory_size: int = 0  # optoprime: earlier (variables, feedback) pairs shown
    optimizer_max_tokens: int = 2048  # the instructions are rewritten whole: leave room for them
    limits: dict[str, int] = field(default_factory=lambda: {"inputs": 300, "others": 200, "outputs": 400,
                                                             "feedback": 1500})

    def __post_init__(self) -> None:
        self.params = tuple(self.params)
        if self.optimizer not in OPTIMIZERS:
            raise TrainError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {self.optimizer!r}")
        for name in ("steps", "batch_size", "candidates", "beam_width", "bootstrap"):
            low = 0 if name in ("steps", "bootstrap") else 1
            if getattr(self, name) < low:
                raise TrainError(f"{name} must be at least {low}, got {getattr(self, name)}")
        if self.bootstrap_tries is not None and self.bootstrap_tries < 1:
            raise TrainError(f"bootstrap_tries must be at least 1 (or None: until enough demos), got "
                             f"{self.bootstrap_tries}")
        if not self.params:
            raise TrainError("params is empty: name the agent parameters to train, e.g. instructions")
        from optolab.evals.scoring import get_rule

        get_rule(self.rule)  # a clear error for an unknown rule

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["params"] = list(self.params)
        return d

    def identity(self) -> dict[str, Any]:
        """What must match for a checkpoint to be resumed (everything but the numbers of steps and of bootstrap
        tries)."""
        d = self.to_dict()
        d.pop("steps")
        d.pop("bootstrap_tries")  # fewer tries end an unfinished bootstrap early, more let it go on
        if not d["bootstrap"]:  # runs without a bootstrap resume checkpoints written before it existed
            d.pop("bootstrap")
        return d


@dataclass
class ItemOutcome:
    """How the agent did on one record."""

    id: str
    expected: float
    objective: float | None
    status: str
    correct: bool
    error_type: str
    findings: list[str] = field(default_factory=list)
    explanation: str = ""
    seconds: float = 0.0
    llm_calls: int = 0
    error: str | None = None  # an exception raised by the agent

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def judge(record: TrainRecord, solution: Any, rule: Any, *, seconds: float = 0.0, llm_calls: int = 0,
          error: str | None = None) -> ItemOutcome:
    """Score one solution against the record's optimum and classify what went wrong."""
    from optolab.evals.outcomes import classify
    from optolab.evals.scoring import Prediction

    if solution is None:
        return ItemOutcome(record.id, record.optimum, None, "exception", False, "exception", seconds=seconds,
                           llm_calls=llm_calls, error=error)
    objective = getattr(solution, "objective", None)
    status = str(getattr(solution, "status", "no_answer"))
    ok = getattr(solution, "ok", False)
    pred = Prediction(objective=objective if ok else None, status=status)
    verdict = bool(rule(record.benchmark_item(), pred))
    attempts = list(getattr(solution, "attempts", []) or [])
    last = attempts[-1] if attempts else None
    kept = _kept_attempt(solution) or last
    return ItemOutcome(
        id=record.id, expected=record.optimum, objective=objective if ok else None, status=status, correct=verdict,
        error_type=classify(has_ground_truth=True, verdict=verdict, status=status,
                            last_attempt_status=getattr(last, "status", None)),
        findings=list(getattr(kept, "findings", []) or []), explanation=str(getattr(solution, "explanation", ""))[:600],
        seconds=seconds, llm_calls=llm_calls)


def _kept_attempt(solution: Any) -> Any:
    """The attempt whose model the solution reports (same objective, solved), if any."""
    obj = getattr(solution, "objective", None)
    for a in reversed(list(getattr(solution, "attempts", []) or [])):
        if obj is not None and a.objective is not None and a.status in ("optimal", "feasible") \
                and abs(a.objective - obj) <= 1e-9 * max(1.0, abs(obj)):
            return a
    return None


def _num(x: float | None) -> str:
    return "none" if x is None else f"{x:.10g}"


def reference_text(record: TrainRecord, limit: int = 900, prefer_code: bool = False) -> str:
    """A compact reference model of the record: its formulation JSON, else (or, with ``prefer_code``, for
    an agent that writes code itself, first) its Pyomo code; "" when the record has neither."""
    if not record.formulation and not record.code.strip():
        return ""
    if record.formulation and not (prefer_code and record.code.strip()):
        text = json.dumps(record.formulation, ensure_ascii=False, separators=(",", ":"))
        kind = "formulation (JSON)"
    else:
        text = record.code.strip()
        kind = "Pyomo code"
    if len(text) > limit:
        text = text[: limit - 15] + " ...[cut]"
    return f"A correct {kind} of this problem, for comparison: {text}"


def feedback_text(record: TrainRecord, outcome: ItemOutcome, *, show_reference: bool = True,
                  prefer_code: bool = False) -> str:
    """The feedback sent back through the agent's steps for one training question."""
    head = f"Problem {record.id} ({record.problem_class}): "
    if outcome.correct:
        return head + f"correct. The optimum is {_num(record.optimum)} and the agent's model found it."
    notes = ""
    if outcome.findings:
        notes = " The agent's own checks said: " + " | ".join(f[:300] for f in outcome.findings[:4])
    if outcome.status in ("optimal", "feasible") and outcome.objective is not None:
        text = (f"wrong answer. The optimal objective is {_num(record.optimum)}; the agent's model gave "
                f"{_num(outcome.objective)} ({outcome.status}). The model misses, adds or misreads a requirement, "
                f"a number, a unit or a variable type of the problem.{notes}")
    elif outcome.error_type == "exception":
        text = f"the agent failed with an error: {outcome.error or 'unknown'}. The optimum is {_num(record.optimum)}."
    else:
        text = (f"no correct model ({outcome.error_type}, status {outcome.status}). "
                f"{outcome.explanation[:400]} The optimum is {_num(record.optimum)}.{notes}")
    reference = reference_text(record, prefer_code=prefer_code) if show_reference else ""
    return head + text + (" " + reference if reference else "")


def state_key(state: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode("utf-8")).hexdigest()[:16]


def batch_indices(n: int, batch_size: int, step: int, seed: int) -> list[int]:
    """Indices of the training records of ``step`` (1-based): epochs of a seeded shuffle, cycled."""
    if n <= 0:
        return []
    out = []
    start = (step - 1) * batch_size
    for pos in range(start, start + min(batch_size, n)):
        epoch, k = divmod(pos, n)
        order = list(range(n))
        random.Random(f"{seed}/{epoch}").shuffle(order)
        out.append(order[k])
    return out


@dataclass
class TrainResult:
    """What :meth:`PromptTrainer.run` did."""

    state_path: Path
    history_path: Path
    initial_dev_score: float | None
    best_dev_score: float | None
    best_state: dict[str, Any]
    steps_done: int
    resumed_from: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)


def _write_json(path: Path, doc: Any) -> None:
    write_text_atomic(path, json.dumps(doc, indent=2, ensure_ascii=False, default=str))


def _guard_instructions(value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        raise ParameterUpdateError("the formulate instructions must be a non-empty system prompt")
    if len(value) > 20000:
        raise ParameterUpdateError(f"the formulate instructions are {len(value)} characters long; keep them under "
                                   "20000 (the prompt of every question carries them)")
    return value


def _guard_repair(value: Any) -> Any:
    if not isinstance(value, str) or "$findings" not in value:
        raise ParameterUpdateError("the repair template must keep the placeholder $findings (the check results)")
    return value


GUARDS: dict[str, Callable[[Any], Any]] = {"instructions": _guard_instructions, "repair_instructions": _guard_repair}


class PromptTrainer:
    """Train the trainable parts of a :class:`~optolab.agents.Modeler` on solved records.

    ``agent``: the agent to train (its LLM answers the questions). ``split``: a
    :class:`~optolab.train.data.Split` (its test part is not used). ``optimizer_llm``: the model that
    proposes new values (default: the agent's own). ``out``: where the best state goes; the history
    and checkpoint are written next to it (``<out>.history.json``, ``<out>.checkpoint.json``) unless
    given. ``log``: a function that receives one line of progress at a time. ``screen``: with
    ``config.bootstrap``, a function that says why a training question may not become a demo (a near-copy
    of an evaluation problem, :mod:`optolab.synth.contamination`) or returns None.
    """

    def __init__(self, agent: Any, split: Split, *, optimizer_llm: Any = None,
                 config: PromptTrainConfig | None = None, out: str | Path = "agent_state.json",
                 history_path: str | Path | None = None, checkpoint_path: str | Path | None = None,
                 resume: bool = True, log: Callable[[str], None] | None = None, screen: Screen | None = None):
        from optolab.evals.scoring import get_rule

        self.agent = agent
        self.split = split
        self.config = config or PromptTrainConfig()
        self.rule = get_rule(self.config.rule)
        self.out = Path(out)
        stem = self.out.with_suffix("") if self.out.suffix == ".json" else self.out
        self.history_path = Path(history_path) if history_path else Path(f"{stem}.history.json")
        self.checkpoint_path = Path(checkpoint_path) if checkpoint_path else Path(f"{stem}.checkpoint.json")
        self.resume = resume
        self.log = log or (lambda line: None)
        named = dict(agent.named_parameters())
        unknown = [p for p in self.config.params if p not in named]
        if unknown:
            raise TrainError(f"the agent has no trainable parameters {unknown}; its parameters are "
                             f"{sorted(named)}")
        self.params = {name: named[name] for name in self.config.params}
        llm = optimizer_llm if optimizer_llm is not None else getattr(agent, "llm", None)
        if llm is None and hasattr(agent, "_get_llm"):
            llm = agent._get_llm()
        self.optimizer_llm = llm
        self.optimizer = self._make_optimizer()
        self.dev_cache: dict[str, float] = {}
        self.dev_right: dict[str, list[str]] = {}  # state key -> ids of the dev problems it solved
        self.history: list[dict[str, Any]] = []
        self.best_state: dict[str, Any] = agent.state_dict()
        self.best_score: float | None = None
        self.initial_score: float | None = None
        self.step_done = 0
        self.resumed_from = 0
        self.screen = screen
        self.boot = BootstrapState()
        self.last_solution: Any = None  # the agent's last answer (solve)
        if self.config.bootstrap and not hasattr(agent, "demos"):
            raise TrainError(f"bootstrap needs an agent with a 'demos' parameter; {type(agent).__name__} has none")

    # --- optimizer --------------------------------------------------------------------------
    def _make_optimizer(self) -> Any:
        from optolab.trace.optimizers import Limits, OptoPrime, SearchOptimizer

        cfg = self.config
        common = dict(instruction=load_prompt("optimizer_instruction.txt"), max_tokens=cfg.optimizer_max_tokens,
                      memory_size=cfg.memory_size, limits=Limits(**cfg.limits))
        params = list(self.params.values())
        if cfg.optimizer == "search":
            return SearchOptimizer(params, self.optimizer_llm, self.dev_score, candidates=cfg.candidates,
                                   beam_width=cfg.beam_width, **common)
        return OptoPrime(params, self.optimizer_llm, **common)

    # --- scoring ----------------------------------------------------------------------------
    def solve(self, record: TrainRecord, *, record_graph: bool) -> tuple[ItemOutcome, list[Any]]:
        """Solve one record; with ``record_graph`` also return the nodes feedback should go to."""
        from optolab.llm.usage import track

        t0 = time.perf_counter()
        solution, error, targets = None, None, []
        with track() as usage:
            try:
                if record_graph:
                    with record_steps(self.agent) as tape:
                        solution = self.agent.solve(record.question)
                    targets = tape.targets()
                else:
                    with trace.no_trace():
                        solution = self.agent.solve(record.question)
            except RealLLMCallForbidden:
                raise
            except Exception as exc:  # one failing problem never stops training
                error = f"{type(exc).__name__}: {exc}"[:1000]
        outcome = judge(record, solution, self.rule, seconds=time.perf_counter() - t0, llm_calls=usage.calls,
                        error=error)
        self.last_solution = solution
        return outcome, targets

    def evaluate(self, records: Sequence[TrainRecord]) -> tuple[float, list[ItemOutcome]]:
        """Accuracy (0..1) under the rule and the outcome of each record, with the agent as it is now."""
        outcomes = [self.solve(r, record_graph=False)[0] for r in records]
        return (sum(o.correct for o in outcomes) / len(outcomes) if outcomes else 0.0), outcomes

    def dev_score(self) -> float:
        """Dev accuracy of the agent's current state (cached per state)."""
        key = state_key(self.agent.state_dict())
        if key not in self.dev_cache:
            t0 = time.perf_counter()
            score, outcomes = self.evaluate(self.split.dev)
            self.dev_cache[key] = score
            self.dev_right[key] = [o.id for o in outcomes if o.correct]
            wrong = [o.id for o in outcomes if not o.correct]
            self.log(f"  dev {score:.1%} ({len(outcomes) - len(wrong)}/{len(outcomes)}) in "
                     f"{time.perf_counter() - t0:.0f}s; state {key}; wrong: {', '.join(wrong) or 'none'}")
        return self.dev_cache[key]

    # --- checkpoints ------------------------------------------------------------------------
    def _optimizer_state(self) -> dict[str, Any]:
        opt = self.optimizer
        doc: dict[str, Any] = {"steps": len(opt.history), "memory": [list(m) for m in opt.memory]}
        if hasattr(opt, "arms"):
            doc["arms"] = [asdict(a) for a in opt.arms]
            doc["llm_calls_used"] = opt.llm_calls_used
        return doc

    def _restore_optimizer(self, doc: dict[str, Any]) -> None:
        from optolab.trace.optimizers.base import StepRecord
        from optolab.trace.optimizers.search import Arm

        opt = self.optimizer
        opt.history = [StepRecord(step=i + 1) for i in range(int(doc.get("steps", 0)))]
        opt.memory.clear()
        opt.memory.extend(tuple(m) for m in doc.get("memory", []))
        if hasattr(opt, "arms"):
            opt.arms = [Arm(**a) for a in doc.get("arms", [])]
            opt.llm_calls_used = int(doc.get("llm_calls_used", 0))

    def _identity(self) -> dict[str, Any]:
        return {"config": self.config.identity(), "data": self.split.fingerprint(),
                "agent": type(self.agent).__name__}

    def save_checkpoint(self) -> None:
        doc = {"format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION, **self._identity(),
               "step_done": self.step_done, "current_state": self.agent.state_dict(), "best_state": self.best_state,
               "best_score": self.best_score, "initial_score": self.initial_score, "dev_cache": self.dev_cache,
               "dev_right": self.dev_right,
               "optimizer_state": self._optimizer_state(), "history": self.history,
               "bootstrap": self.boot.to_dict()}
        _write_json(self.checkpoint_path, doc)

    def load_checkpoint(self) -> bool:
        """Continue from the checkpoint if there is one; a checkpoint of another run is refused."""
        if not self.resume or not self.checkpoint_path.is_file():
            return False
        try:
            doc = json.loads(self.checkpoint_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise TrainError(f"{self.checkpoint_path} is not a readable checkpoint ({exc}); delete it or start "
                             "fresh (--fresh)") from None
        if doc.get("format") != CHECKPOINT_FORMAT or doc.get("version") != CHECKPOINT_VERSION:
            raise TrainError(f"{self.checkpoint_path} is not a prompt-training checkpoint of this version")
        mine = self._identity()
        diffs = []
        for key in ("data", "agent"):
            if doc.get(key) != mine[key]:
                diffs.append(f"{key}: checkpoint {doc.get(key)!r}, now {mine[key]!r}")
        old_cfg = doc.get("config") or {}
        for key, value in mine["config"].items():
            if json.loads(json.dumps(old_cfg.get(key))) != json.loads(json.dumps(value)):
                diffs.append(f"{key}: checkpoint {old_cfg.get(key)!r}, now {value!r}")
        if diffs:
            raise TrainError(f"{self.checkpoint_path} belongs to another run ({'; '.join(diffs)}); use the same "
                             "data and settings to resume, another --out, or --fresh to start over")
        self.agent.load_state_dict(doc["current_state"], strict=False)
        self.best_state = doc["best_state"]
        self.best_score = doc.get("best_score")
        self.initial_score = doc.get("initial_score")
        self.dev_cache = {str(k): float(v) for k, v in (doc.get("dev_cache") or {}).items()}
        self.dev_right = {str(k): list(v) for k, v in (doc.get("dev_right") or {}).items()}
        self.history = list(doc.get("history") or [])
        self.boot = BootstrapState.from_dict(doc.get("bootstrap"))
        self.step_done = self.resumed_from = int(doc.get("step_done", 0))
        self._restore_optimizer(doc.get("optimizer_state") or {})
        return True

    def _write_outputs(self) -> None:
        current = self.agent.state_dict()
        self.agent.load_state_dict(self.best_state, strict=False)
        try:
            self.agent.save(self.out)
        finally:
            self.agent.load_state_dict(current, strict=False)
        _write_json(self.history_path, {
            "config": self.config.to_dict(), "data": {**self.split.sizes(), "fingerprint": self.split.fingerprint(),
                                                      "dev_ids": [r.id for r in self.split.dev]},
            "initial_dev_score": self.initial_score, "best_dev_score": self.best_score, "steps": self.history,
            "state": str(self.out)})
        self.save_checkpoint()

    # --- training ---------------------------------------------------------------------------
    def _optimizer_step(self) -> Any:
        """Step the optimizer with the guards of :data:`GUARDS` on the parameters they fit."""
        installed = []
        for name, guard in GUARDS.items():
            p = self.params.get(name)
            if p is None or p.validator is not None:
                continue
            try:
                guard(p._data)
            except ParameterUpdateError:
                continue  # the current value does not pass: leave this parameter unguarded
            p.validator = guard
            installed.append(p)
        try:
            return self.optimizer.step()
        finally:
            for p in installed:
                p.validator = None

    def run(self) -> TrainResult:
        """Train for ``config.steps`` steps (continuing a checkpoint) and write the outputs."""
        if self.load_checkpoint():
            self.log(f"resuming {self.checkpoint_path} after step {self.step_done}")
        if self.initial_score is None:
            self.log(f"scoring the initial agent on {len(self.split.dev)} dev problems")
            self.initial_score = self.dev_score() if self.split.dev else None
            self.best_score = self.initial_score
            self.best_state = self.agent.state_dict()
            self._write_outputs()
        if self.config.bootstrap and not self.boot.done:
            self.bootstrap()
        while self.step_done < self.config.steps:
            self.history.append(self.step(self.step_done + 1))
            self.step_done += 1
            self._write_outputs()
        return TrainResult(state_path=self.out, history_path=self.history_path, initial_dev_score=self.initial_score,
                           best_dev_score=self.best_score, best_state=self.best_state, steps_done=self.step_done,
                           resumed_from=self.resumed_from, history=self.history)

    def bootstrap(self) -> None:
        """Earn up to ``config.bootstrap`` demos on the training questions (:mod:`optolab.train.bootstrap`), add
        them to the agent's demos and keep them if the dev score does not drop. Saves a checkpoint after
        every question, so an interrupted bootstrap resumes where it stopped."""
        cfg, boot = self.config, self.boot
        order = bootstrap_order(self.split.train, cfg.seed)[: cfg.bootstrap_tries or None]
        done_ids = {t.id for t in boot.tried}
        self.log(f"bootstrap: up to {cfg.bootstrap} demos from {len(order)} training questions"
                 + (f" ({len(done_ids)} tried before)" if done_ids else ""))
        t_start = time.perf_counter()
        for record in order:
            if len(boot.demos) >= cfg.bootstrap:
                break
            if record.id in done_ids:
                continue
            reason = self.screen(record.question) if self.screen is not None else None
            if reason:
                boot.tried.append(Tried(record.id, False, False, f"screened: {reason}"))
            else:
                outcome, _ = self.solve(record, record_graph=False)
                demo = demo_from(record, self.last_solution) if outcome.correct else None
                if demo is not None:
                    boot.demos.append(demo)
                why = "demo" if demo is not None else ("no code" if outcome.correct else outcome.error_type)
                boot.tried.append(Tried(record.id, outcome.correct, demo is not None, why, round(outcome.seconds, 2)))
            self.log(f"  bootstrap {len(boot.tried)}: {record.id} {boot.tried[-1].reason} "
                     f"({len(boot.demos)}/{cfg.bootstrap} demos)")
            self.save_checkpoint()
        before = self.agent.state_dict()
        current = list(before.get("demos") or [])
        known = {d["id"] for d in current}
        merged = current + [d for d in boot.demos if d["id"] not in known]
        if merged == current:
            boot.decision = "no demo earned: the agent is unchanged"
        else:
            self.agent.load_state_dict({"demos": merged}, strict=False)
            if not self.split.dev:
                self.best_state = self.agent.state_dict()
                boot.decision = f"{len(merged) - len(current)} demos added (no dev split: kept without selection)"
            else:
                without = self.dev_right.get(state_key(self.best_state))
                boot.dev_score = score = self.dev_score()
                best = -math.inf if self.best_score is None else self.best_score
                with_demos = self.dev_right.get(state_key(self.agent.state_dict()))
                if without is not None and with_demos is not None:
                    boot.dev_changes = {"gained": sorted(set(with_demos) - set(without)),
                                        "lost": sorted(set(without) - set(with_demos))}
                if score >= best:
                    self.best_state, self.best_score = self.agent.state_dict(), score
                    boot.decision = f"{len(merged) - len(current)} demos kept: dev {score:.1%} (before {best:.1%})"
                else:
                    self.agent.load_state_dict(self.best_state, strict=False)
                    boot.decision = f"demos dropped: dev {score:.1%} below {best:.1%}"
        boot.done = True
        right = sum(t.correct for t in boot.tried)
        self.history.append({"step": "bootstrap", "tried": len(boot.tried), "correct": right,
                             "screened": sum(t.reason.startswith("screened") for t in boot.tried),
                             "demos": [d["id"] for d in boot.demos], "dev_score": boot.dev_score,
                             "dev_changes": boot.dev_changes,
                             "best_dev_score": self.best_score, "decision": boot.decision,
                             "solve_seconds": round(sum(t.seconds for t in boot.tried), 2),  # every try, resumed too
                             "seconds": round(time.perf_counter() - t_start, 3)})  # this call (after a resume: its part)
        self.log(f"bootstrap: {right}/{len(boot.tried)} right, {len(boot.demos)} demos; {boot.decision}")
        self._write_outputs()

    def step(self, k: int) -> dict[str, Any]:
        """One training step: solve a minibatch, send feedback back, step the optimizer, select on dev."""
        from optolab.llm.usage import track

        t0 = time.perf_counter()
        cfg = self.config
        idx = batch_indices(len(self.split.train), cfg.batch_size, k, cfg.seed)
        batch = [self.split.train[i] for i in idx]
        self.agent.zero_feedback()
        self.optimizer.zero_feedback()
        entry: dict[str, Any] = {"step": k, "batch": [], "feedback": {}}
        before = self.agent.state_dict()
        with track() as usage:
            mistakes, unreachable = 0, []
            for record in batch:
                outcome, targets = self.solve(record, record_graph=True)
                entry["batch"].append(outcome.to_dict())
                mistakes += not outcome.correct
                if outcome.correct and not cfg.feedback_on_correct:
                    continue
                text = feedback_text(record, outcome, show_reference=cfg.show_reference,
                                     prefer_code="formulation" not in getattr(self.agent, "strategies", ()))
                entry["feedback"][record.id] = text
                if not targets:
                    unreachable.append(record.id)
                for node in targets:
                    node.backward(text)
            entry["train_correct"] = len(batch) - mistakes
            entry["unreachable"] = unreachable
            self.log(f"step {k}/{cfg.steps}: {len(batch) - mistakes}/{len(batch)} right on the batch "
                     f"{[r.id for r in batch]}")
            if not mistakes:
                entry["decision"] = "all correct: no update"
            elif not any(p.feedback for p in self.params.values()):
                entry["decision"] = "no feedback reached the trained parameters"
            else:
                record = self._optimizer_step()
                entry["optimizer"] = record.to_dict()
                self._select(entry, before, record)
        self.agent.zero_feedback()
        entry["changed"] = sorted(n for n, v in self.agent.state_dict().items() if before.get(n) != v)
        entry["dev_score"] = self.dev_cache.get(state_key(self.agent.state_dict()))
        entry["best_dev_score"] = self.best_score
        entry["llm_calls"] = usage.calls
        entry["prompt_tokens"] = usage.prompt_tokens
        entry["completion_tokens"] = usage.completion_tokens
        entry["seconds"] = round(time.perf_counter() - t0, 3)
        self.log(f"  {entry['decision']}; changed {entry['changed'] or 'nothing'}; best dev "
                 f"{'-' if self.best_score is None else f'{self.best_score:.1%}'}")
        return entry

    def _select(self, entry: dict[str, Any], before: dict[str, Any], record: Any) -> None:
        """Keep the new state if the dev split says it is at least as good as the best; else go back."""
        now = self.agent.state_dict()
        if now == before:
            entry["decision"] = f"no update ({record.error or 'the optimizer proposed no change'})"
            return
        if not self.split.dev:
            self.best_state = now
            entry["decision"] = "updated (no dev split: kept without selection)"
            return
        score = self.dev_score()
        best = -math.inf if self.best_score is None else self.best_score
        if score > best:
            self.best_state, self.best_score = now, score
            entry["decision"] = f"new best on dev ({score:.1%})"
        elif score == best:
            entry["decision"] = f"kept: ties the best on dev ({score:.1%})"
        else:
            self.agent.load_state_dict(self.best_state, strict=False)
            entry["decision"] = f"reverted: dev {score:.1%} below the best {best:.1%}"
