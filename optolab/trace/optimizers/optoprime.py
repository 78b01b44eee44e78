"""OptoPrime: one LLM call turns the traced subgraph and its feedback into new parameter values.

Following Cheng et al., "Trace is the New AutoDiff" (2024): the prompt shows the code that ran,
its documentation, the variables, constraints, inputs, intermediate values, outputs and the
feedback, and the model answers with JSON ``{reasoning, answer, suggestion}``. This version is
written for small local models too: replies are validated and repaired by the LLM layer,
suggestions are matched to variable names leniently, each value is converted and validated on
its own (good ones apply even when others are rejected), rejected values are sent back once
for correction, and no failure of the model stops a training loop.
"""

from __future__ import annotations

import json
import time
from collections import deque
from importlib import resources
from string import Template
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from optolab import errors
from optolab.errors import ParameterUpdateError
from optolab.trace.optimizers.base import Optimizer, StepRecord, UsageMeter, coerce, match_names
from optolab.trace.optimizers.summary import Limits, render_sections, summarize

DEFAULT_INSTRUCTION = (
    "Change the values in #Variables so that the output improves according to #Feedback."
)


class Proposal(BaseModel):
    """The JSON reply an optimizer asks the model for."""

    model_config = ConfigDict(extra="ignore")

    reasoning: str = ""
    answer: str | None = ""
    suggestion: dict[str, Any] = Field(default_factory=dict)


def load_prompt(name: str) -> str:
    return resources.files("optolab.trace.optimizers").joinpath("prompts", name).read_text(encoding="utf-8")


class OptoPrime(Optimizer):
    """Update parameters from their feedback with one structured LLM call per step.

    ``parameters``: a :class:`~optolab.trace.Module`, parameters, or trainable operators.
    ``llm``: any :class:`optolab.llm.BaseLLM` (a real client or a test double).
    ``memory_size``: how many earlier (variables, feedback) pairs to show the model.
    ``repair_rounds``: how many times rejected values are sent back for correction.
    """

    def __init__(
        self,
        parameters: Any,
        llm: Any,
        *,
        instruction: str | None = None,
        memory_size: int = 0,
        max_tokens: int = 1024,
        temperature: float = 0.0,
        repair_rounds: int = 1,
        limits: Limits | None = None,
        system_prompt: str | None = None,
        user_template: str | None = None,
    ):
        super().__init__(parameters)
        if llm is None:
            raise errors.TraceError("OptoPrime needs an llm, e.g. optolab.llm.LLM('local') or a test double")
        self.llm = llm
        self.instruction = instruction or DEFAULT_INSTRUCTION
        self.memory: deque[tuple[str, str]] = deque(maxlen=max(0, memory_size))
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.repair_rounds = repair_rounds
        self.limits = limits or Limits()
        self.system_prompt = system_prompt or load_prompt("optoprime_system.txt")
        self.user_template = Template(user_template or load_prompt("optoprime_user.txt"))
        self._repair_template = Template(load_prompt("repair.txt"))

    # --- prompt ---------------------------------------------------------------------------
    def build_prompt(self) -> tuple[str, str, dict]:
        """The system and user prompts for the current feedback, and the name -> parameter map."""
        summary, names = summarize(self.parameters, self.limits)
        sections = render_sections(summary)
        memory = ""
        if self.memory:
            lines = [f"[{i}] variables: {v}\n    feedback: {f}" for i, (v, f) in enumerate(self.memory, 1)]
            memory = "\n#Memory (earlier variables and the feedback they got)\n" + "\n".join(lines)
        user = self.user_template.safe_substitute(instruction=self.instruction, memory=memory, **sections)
        return self.system_prompt, user.rstrip() + "\n", names

    # --- one step -------------------------------------------------------------------------
    def step(self) -> StepRecord:
        """Ask for new values and apply the accepted ones. Never raises for model failures."""
        record, _ = self._propose(apply=True, temperature=self.temperature)
        self.history.append(record)
        return record

    def _propose(self, *, apply: bool, temperature: float, seed: int | None = None):
        """One proposal: returns the record and the accepted (parameter, new value) pairs."""
        meter = UsageMeter(self.llm)
        record = StepRecord(step=len(self.history) + 1)
        if not any(p.feedback for p in self.parameters):
            record.error = "no feedback: call backward(...) on an output before step()"
            meter.fill(record)
            return record, []
        system, user, names = self.build_prompt()
        record.system_prompt, record.user_prompt = system, user
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        accepted: dict[str, Any] = {}
        for round_ in range(self.repair_rounds + 1):
            proposal = self._ask(messages, record, temperature, seed)
            if proposal is None:
                break
            if round_ == 0:
                record.reasoning = proposal.reasoning
                record.answer = proposal.answer or ""
            record.suggestion.update(proposal.suggestion)
            matched, unknown = match_names(proposal.suggestion, names)
            record.unknown.extend(u for u in unknown if u not in record.unknown)
            problems = {}
            for name, value in matched.items():
                try:
                    accepted[name] = coerce(names[name], value)
                    record.rejected.pop(name, None)
                except ParameterUpdateError as exc:
                    record.rejected[name] = str(exc)
                    problems[name] = str(exc)
            if not matched and unknown:  # a small model often "suggests" new outputs instead of variables
                problems["suggestion"] = (f"{', '.join(unknown[:8])} are not variables and cannot be changed; "
                                          f"suggest new values only for {', '.join(names)} (the #Variables)")
            if not problems or round_ == self.repair_rounds:
                break
            text = "\n".join(f"- {n}: {why}" for n, why in problems.items())
            messages = messages + [
                {"role": "assistant", "content": json.dumps(proposal.model_dump(), ensure_ascii=False)},
                {"role": "user", "content": self._repair_template.safe_substitute(problems=text)},
            ]
        changes = []
        for name, value in accepted.items():
            param = names[name]
            old = param._data
            if value == old and type(value) is type(old):
                continue
            record.updates[name] = {"old": old, "new": value}
            changes.append((param, value))
            if apply:
                param.set(value)
        if self.memory.maxlen:
            variables = json.dumps({n: p._data for n, p in names.items()}, ensure_ascii=False, default=repr)
            self.memory.append((variables[:1500], " | ".join(str(e.content) for p in self.parameters
                                                             for e in p.feedback)[:1500]))
        meter.fill(record)
        return record, changes

    def _ask(self, messages: list[dict], record: StepRecord, temperature: float, seed: int | None) -> Proposal | None:
        params: dict[str, Any] = {"max_tokens": self.max_tokens, "temperature": temperature}
        if seed is not None:
            params["seed"] = seed
        t0 = time.perf_counter()
        try:
            proposal = self.llm.structured(messages, Proposal, **params)
        except Exception as exc:  # the model failing must not stop the loop
            if _must_propagate(exc):
                raise
            record.error = f"{type(exc).__name__}: {exc}"
            raws = getattr(exc, "raw_replies", None) or getattr(exc, "replies", None)
            if raws:
                record.replies.extend(str(r) for r in raws)
            return None
        finally:
            record.llm_seconds += time.perf_counter() - t0
        record.replies.append(json.dumps(proposal.model_dump(), ensure_ascii=False, default=repr))
        return proposal


def _must_propagate(exc: BaseException) -> bool:
    """Errors that signal misuse rather than a bad reply (e.g. a real model call inside tests)."""
    forbidden = getattr(errors, "RealLLMCallForbidden", None)
    return (forbidden is not None and isinstance(exc, forbidden)) or isinstance(exc, (TypeError, NameError))
