"""Search beyond greedy updates: several candidate updates per step, scored, the best kept.

``SearchOptimizer`` asks the model for ``candidates`` proposals per step (sampled with
different seeds), evaluates each with a user-supplied ``score()`` (higher is better; it runs
the workflow with the parameters as they are set when it is called) and keeps either

- ``strategy="beam"``: the ``beam_width`` best states seen so far, each scored once; or
- ``strategy="ucb"``: the same pool treated as bandit arms, with ``evals_per_step``
  evaluations spread by the UCB1 rule (Auer et al., 2002), for noisy scores such as accuracy
  on a random minibatch; the state with the best mean wins.

The parameters are left at the best state after each step. ``max_llm_calls`` bounds the
proposals over the optimizer's life; once spent, ``step()`` only re-evaluates.

Every proposal prompt also lists the best states scored so far, worst first, with their scores
(``show_scored``; 0 turns it off), as in OPRO (Yang et al., "Large Language Models as
Optimizers", 2023): a small model that sees which earlier values scored how well can move
towards the better ones instead of guessing afresh each step.

``fit_constants=N`` spends up to N more score evaluations per step moving the numbers in the code of the
best state not fitted yet that has numbers (:mod:`optolab.trace.optimizers.constants`): the model proposes the shape of a
formula, a pattern search fits its numbers, as in LLM-SR (Shojaee et al., 2024). The fitted state joins the
pool as an arm of its own, so it is kept only if it scores higher.
"""

from __future__ import annotations

import ast
import json
import math
import textwrap
from dataclasses import dataclass
from typing import Any, Callable

from optolab.errors import TraceError
from optolab.trace.optimizers.base import StepRecord, UsageMeter
from optolab.trace.optimizers.optoprime import OptoPrime


@dataclass
class Arm:
    """A full parameter state and what is known of its score."""

    state: dict[str, Any]
    total: float = 0.0
    count: int = 0
    origin: str = "initial"

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else float("-inf")


class SearchOptimizer(OptoPrime):
    def __init__(
        self,
        parameters: Any,
        llm: Any,
        score: Callable[[], float],
        *,
        candidates: int = 4,
        beam_width: int = 2,
        strategy: str = "beam",
        evals_per_step: int | None = None,
        exploration: float = 1.0,
        max_llm_calls: int | None = None,
        temperature: float = 0.7,
        show_scored: int = 6,
        fit_constants: int = 0,
        **kwargs: Any,
    ):
        super().__init__(parameters, llm, temperature=temperature, **kwargs)
        if strategy not in ("beam", "ucb"):
            raise TraceError(f"strategy must be 'beam' or 'ucb', got {strategy!r}")
        if candidates < 1 or beam_width < 1:
            raise TraceError("candidates and beam_width must be at least 1")
        if not callable(score):
            raise TraceError("score must be a function of no arguments returning a number (higher is better)")
        self.score = score
        self.candidates = candidates
        self.beam_width = beam_width
        self.strategy = strategy
        self.evals_per_step = evals_per_step or 2 * candidates
        self.exploration = exploration
        self.max_llm_calls = max_llm_calls
        self.llm_calls_used = 0
        self.arms: list[Arm] = []
        self.show_scored = max(0, show_scored)
        self.scored: list[Arm] = []  # every state scored so far, the dropped ones too
        if fit_constants < 0:
            raise TraceError("fit_constants is a number of score evaluations per step: 0 (off) or more")
        self.fit_constants = fit_constants
        self._fitted: set[tuple] = set()  # states whose numbers were fitted already

    # --- prompt -----------------------------------------------------------------------------
    def build_prompt(self) -> tuple[str, str, dict]:
        system, user, names = super().build_prompt()
        shown = self._scored_text()
        if shown:
            user = user.rstrip() + "\n" + shown + "\n"
        return system, user, names

    def _scored_text(self, width: int = 600) -> str:
        """The best states scored so far, worst first (the best sits next to the reply)."""
        if not self.show_scored:
            return ""
        seen: dict[tuple, tuple[str, float]] = {}
        for arm in self.scored:
            text = json.dumps(arm.state, ensure_ascii=False, default=repr)
            if len(text) > width:
                text = text[: width - 3] + "..."
            key = self._key(arm.state)
            first_text, best = seen.get(key, (text, float("-inf")))  # one line per state, at its best score
            seen[key] = (first_text, max(best, arm.mean))
        if len(seen) < 2:
            return ""  # one state says nothing about which direction is better
        best = sorted(seen.values(), key=lambda kv: kv[1])[-self.show_scored:]
        lines = [f"[{i}] score {score:.6g}: {text}" for i, (text, score) in enumerate(best, 1)]
        return ("\n#Scored (values tried so far and their score, higher is better, best last; "
                "propose values that score higher than all of them)\n" + "\n".join(lines))

    # --- state handling ---------------------------------------------------------------------
    def _snapshot(self) -> dict[str, Any]:
        return {p.name: p._data for p in self.parameters}

    def _load(self, state: dict[str, Any]) -> None:
        for p in self.parameters:
            value = state[p.name]
            if p._data is not value:
                p.set(value)

    def _key(self, state: dict[str, Any]) -> tuple:
        """What makes two states the same: values, with code compared by its syntax tree (layout aside)."""
        kinds = {p.name: p.kind for p in self.parameters}
        out = []
        for name in sorted(state):
            value = state[name]
            if kinds.get(name) == "code" and isinstance(value, str):
                try:
                    value = ast.dump(ast.parse(textwrap.dedent(value)))
                except SyntaxError:
                    pass
            out.append((name, value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)))
        return tuple(out)

    def _evaluate(self, arm: Arm) -> float:
        self._load(arm.state)
        value = self.score()
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise TraceError(f"score() must return a number, got {type(value).__name__}") from None
        arm.total += value
        arm.count += 1
        if not any(a is arm for a in self.scored):
            self.scored.append(arm)
            if len(self.scored) > 4 * max(self.show_scored, 1) + self.beam_width:
                keep = sorted(self.scored, key=lambda a: a.mean, reverse=True)[: 2 * max(self.show_scored, 1)]
                self.scored = [a for a in self.scored if any(a is k for k in keep)]
        return value

    @property
    def best(self) -> Arm | None:
        return max(self.arms, key=lambda a: a.mean, default=None)

    # --- one step ---------------------------------------------------------------------------
    def step(self) -> StepRecord:
        meter = UsageMeter(self.llm)
        record = StepRecord(step=len(self.history) + 1)
        current = self._snapshot()
        if not self.arms:
            self.arms.append(Arm(current, origin="initial"))
        new_arms: list[Arm] = []
        pool = {self._key(a.state) for a in self.arms}  # what the pool holds, to skip duplicate proposals
        proposals: list[StepRecord] = []
        for i in range(self.candidates):
            if self.max_llm_calls is not None and self.llm_calls_used >= self.max_llm_calls:
                record.extra["budget_exhausted"] = True
                break
            self._load(current)  # propose from the state whose feedback the parameters hold
            sub, changes = self._propose(apply=False, temperature=self.temperature,
                                         seed=len(self.history) * 1000 + i)
            self.llm_calls_used += max(1, sub.llm_calls)
            proposals.append(sub)
            record.llm_seconds += sub.llm_seconds
            if not changes:
                continue
            state = dict(current)
            for param, value in changes:
                state[param.name] = value
            key = self._key(state)
            if key in pool:
                continue  # a duplicate of a state already in the pool (code compared by its syntax tree)
            pool.add(key)
            new_arms.append(Arm(state, origin=f"step {record.step} candidate {i + 1}"))
        if proposals:
            record.system_prompt, record.user_prompt = proposals[0].system_prompt, proposals[0].user_prompt
            record.reasoning = proposals[0].reasoning
        record.replies = [r for p in proposals for r in p.replies]
        record.rejected = {k: v for p in proposals for k, v in p.rejected.items()}
        errs = [p.error for p in proposals if p.error]
        record.error = errs[0] if errs and not new_arms else None
        self.arms.extend(new_arms)
        scores = self._beam_round() if self.strategy == "beam" else self._ucb_round()
        self.arms.sort(key=lambda a: a.mean, reverse=True)
        if self.fit_constants:
            fitted = self._fit_best(record.step)
            if fitted is not None:
                record.extra["constants_fitted"] = fitted
                self.arms.sort(key=lambda a: a.mean, reverse=True)
        del self.arms[self.beam_width:]
        best = self.arms[0]
        self._load(best.state)
        for name, value in best.state.items():
            if value != current[name]:
                record.updates[name] = {"old": current[name], "new": value}
        record.extra.update({
            "candidates": len(new_arms),
            "scores": scores,
            "best_score": best.mean,
            "best_origin": best.origin,
            "llm_calls_used": self.llm_calls_used,
        })
        meter.fill(record)
        self.history.append(record)
        return record

    def _fit_best(self, step: int) -> dict[str, Any] | None:
        """Fit the numbers of the code parameters of the best state not fitted yet
        (:func:`~optolab.trace.optimizers.constants.fit_constants`, ``fit_constants`` evaluations); the fitted
        state joins the pool as an arm of its own. What was done, or None when there was nothing to fit."""
        from optolab.trace.optimizers.constants import fit_constants, numeric_literals

        code = [p.name for p in self.parameters if p.kind == "code"]

        def has_numbers(state: dict[str, Any]) -> bool:
            try:
                return any(isinstance(state[n], str) and numeric_literals(state[n]) for n in code)
            except SyntaxError:
                return False

        # the best scored state with numbers to move (``return x`` has none: the next one is fitted)
        arm = next((a for a in self.arms if a.count and self._key(a.state) not in self._fitted
                    and has_numbers(a.state)), None)
        if arm is None:
            return None
        self._fitted.add(self._key(arm.state))
        state, score, spent = dict(arm.state), arm.mean, 0
        for name in code:
            def evaluate(source: str, name: str = name) -> float:
                self._load({**state, name: source})
                return float(self.score())

            if not isinstance(state[name], str):
                continue
            source, score, used = fit_constants(state[name], evaluate, score,
                                                budget=self.fit_constants - spent)
            spent += used
            state[name] = source
        self._load(arm.state)
        if score <= arm.mean or self._key(state) in {self._key(a.state) for a in self.arms}:
            return {"evals": spent, "from": arm.mean, "to": arm.mean, "origin": arm.origin}
        again = " fitted" in arm.origin  # a fitted state fitted further: say so once
        fitted = Arm(state, origin=f"{arm.origin}, again at step {step}" if again else
                     f"step {step}: numbers of {arm.origin} fitted")
        self._evaluate(fitted)
        self.arms.append(fitted)  # not marked fitted: the next step goes on from here if it is still the best
        return {"evals": spent + 1, "from": arm.mean, "to": fitted.mean, "origin": arm.origin}

    def _beam_round(self) -> list[dict[str, Any]]:
        scores = []
        for arm in self.arms:
            if arm.count == 0:
                self._evaluate(arm)
            scores.append({"origin": arm.origin, "mean": arm.mean, "evals": arm.count})
        return scores

    def _ucb_round(self) -> list[dict[str, Any]]:
        budget = self.evals_per_step
        for arm in self.arms:  # every arm is scored at least once
            if arm.count == 0 and budget > 0:
                self._evaluate(arm)
                budget -= 1
        while budget > 0:
            total = sum(a.count for a in self.arms)
            arm = max(self.arms, key=lambda a: a.mean + self.exploration * math.sqrt(math.log(max(total, 1)) / a.count)
                      if a.count else float("inf"))
            self._evaluate(arm)
            budget -= 1
        return [{"origin": a.origin, "mean": a.mean, "evals": a.count} for a in self.arms]

