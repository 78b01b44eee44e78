"""Forward (bidirectional) synthesis: solved instances -> word problems -> verified by modeling them again.

In the style of OptMATH: an instance generator samples a problem with a known optimum and states it
plainly (``facts``); an LLM rewrites the facts as a realistic word problem; a check without a model
(every number of the data is in the text) and a critic call (numbers, goal and limits are right)
send it back for rewriting up to ``max_refine`` times; then the modeling agent models the word
problem *forward* and the pair is accepted only when the agent's optimum matches the generator's
(``|agent - optimum| <= tolerance * max(1, |optimum|)``). Everything rejected is kept in the run's
``hard_cases.jsonl`` with its reason: a word problem that passed the checks but that the agent
models wrongly is a hard case for training, and its reference formulation comes with it.

>>> from optolab.synth.forward import ForwardPipeline
>>> pipe = ForwardPipeline(LLM("local"), ["knapsack", "transportation"])           # doctest: +SKIP
>>> result = pipe.run("runs/synth-fwd", pipe.units(per_class=5, complexities=[1, 2, 3]), workers=2)  # doctest: +SKIP
>>> result.summary["per_family"]["knapsack"]["yield"]                                # doctest: +SKIP
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from pydantic import BaseModel, Field, field_validator

from optolab.synth.errors import SynthError
from optolab.synth.numbercheck import missing_numbers, missing_values
from optolab.synth.prompts import FORWARD_PROMPTS, PromptSet, sha256
from optolab.synth.store import ACCEPTED, REJECTED
from optolab.synth.tables import data_tables, place_tables, strip_tables, tables_markdown

DEFAULT_TOLERANCE = 1e-4
TABLE_MODES = ("auto", "always", "never")
TABLE_MIN_NUMBERS = 6  # "auto" shows an instance's data in tables when they would hold at least this many numbers


@dataclass(frozen=True)
class ForwardUnit:
    """One instance to verbalize: generator name, seed and complexity."""

    generator: str
    seed: int
    complexity: int

    @property
    def key(self) -> str:
        return f"{self.generator}/c{self.complexity}/s{self.seed}"

    @property
    def family(self) -> str:
        return self.generator


def parse_complexity(spec: str | int | Sequence[int]) -> list[int]:
    """``"1-3"`` -> [1, 2, 3]; ``"2"`` -> [2]; ``"1,4"`` -> [1, 4]; a list is taken as it is."""
    if isinstance(spec, bool):
        raise SynthError(f"complexity must be a number, a range like 1-3 or a list, got {spec!r}")
    if isinstance(spec, int):
        return [spec]
    if not isinstance(spec, str):
        return [int(x) for x in spec]
    out: list[int] = []
    for part in spec.split(","):
        part = part.strip()
        m = re.fullmatch(r"(\d+)\s*-\s*(\d+)", part)
        if m:
            lo, hi = int(m.group(1)), int(m.group(2))
            if lo > hi:
                raise SynthError(f"complexity range {part!r} runs backwards; write it low-high, e.g. 1-3")
            out.extend(range(lo, hi + 1))
        elif part.isdigit():
            out.append(int(part))
        else:
            raise SynthError(f"complexity {spec!r}: write a number (2), a range (1-3) or a list (1,3)")
    if not out:
        raise SynthError("complexity: give at least one level, e.g. 1-3")
    return list(dict.fromkeys(out))


def close_enough(value: float, optimum: float, tolerance: float = DEFAULT_TOLERANCE) -> bool:
    """``|value - optimum| <= tolerance * max(1, |optimum|)``."""
    return abs(float(value) - float(optimum)) <= tolerance * max(1.0, abs(float(optimum)))


class Critique(BaseModel):
    """The critic's verdict on a word problem."""

    ok: bool = Field(description="true only when nothing is wrong")
    problems: list[str] = Field(default_factory=list, description="one short sentence per problem found")

    @field_validator("problems", mode="before")
    @classmethod
    def _problems(cls, v: Any) -> list[str]:
        if v is None or v == "":
            return []
        if isinstance(v, str):
            return [v]
        return [str(x) if not isinstance(x, str) else x for x in v]


_FENCE = re.compile(r"^```[\w-]*\s*\n?|\n?```\s*$")
_LEAD = re.compile(r"^(?:(?:sure|certainly|okay|here(?:'s| is| are)?)\b[^\n]*:\s*\n+|"
                   r"(?:\*\*)?(?:word problem|problem|question|rewritten (?:word )?problem)(?:\*\*)?\s*:"
                   r"\s*(?:\*\*)?\s*)", re.I)


def clean_text(text: str) -> str:
    """A model's reply without code fences and without a leading "Here is the word problem:" line."""
    s = (text or "").strip()
    for _ in range(2):
        s = _FENCE.sub("", s).strip()
        s = _LEAD.sub("", s, count=1).strip()
    return s


_ECHO = re.compile(r"\n\s*(?:\*\*)?(?:problems found|statement|word problem|reviewer'?s? problems)(?:\*\*)?\s*:",
                   re.I)
_CORRECTED = re.compile(r"(?:\*\*)?corrected (?:word )?problem(?:\*\*)?\s*:(?:\*\*)?\s*", re.I)


def strip_echo(text: str) -> str:
    """A rewrite without the parts of the request a small model copies into its reply: the text after the last
    "Corrected word problem:", up to an echoed "Problems found:" (or "Statement:") section."""
    parts = _CORRECTED.split(text)
    s = parts[-1] if len(parts) > 1 and parts[-1].strip() else text
    m = _ECHO.search(s)
    return (s[:m.start()] if m else s).strip()


def lines_with(facts: str, numbers: Sequence[str], limit: int = 6) -> list[str]:
    """The lines of ``facts`` that state any of ``numbers`` (at most ``limit``), to show where they come from."""
    out = []
    for line in facts.splitlines():
        if line.strip() and len(missing_values([float(n) for n in numbers], line, words=False)) < len(numbers):
            out.append(line.strip())
            if len(out) == limit:
                break
    return out


@dataclass
class Draft:
    """A word problem and how it got through the checks. ``rounds`` holds every version with its findings."""

    question: str | None
    passed: bool
    reason: str | None = None  # why it did not pass: numbers_missing, critic_rejected, critic_error, empty_question
    rounds: list[dict[str, Any]] = field(default_factory=list)

    @property
    def refinements(self) -> int:
        return max(0, len(self.rounds) - 1)


def _rel_close(solution: Any, optimum: float, tolerance: float) -> bool:
    obj = getattr(solution, "objective", None)
    return obj is not None and close_enough(obj, optimum, tolerance)


def recordable_options(options: dict[str, Any]) -> dict[str, Any]:
    """The agent options a run records: plain values, tuples (the strategies) as lists."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in options.items()
            if isinstance(v, (int, float, str, bool, tuple))}


def agent_prompt_versions(agent: Any) -> dict[str, str]:
    """sha256 of the agent's own prompts (its current instructions), where it has them."""
    out = {}
    for attr, name in (("instructions", "agent.formulate"), ("repair_instructions", "agent.repair"),
                       ("program_instructions", "agent.program"),
                       ("program_repair_instructions", "agent.program_repair")):
        node = getattr(agent, attr, None)
        text = getattr(node, "data", None)
        if isinstance(text, str):
            out[name] = sha256(text)
    return out


class ForwardPipeline:
    """The forward pipeline. ``llm`` writes, critiques and rewrites word problems; ``agent_llm`` (default
    ``llm``) drives the modeling agent that verifies them.

    ``generators``: registry names (a unique prefix is enough: ``transport``) or
    :class:`~optolab.synth.generators.Generator` objects; None means every registered generator.
    ``agent_factory(sandbox) -> agent`` replaces the default :class:`~optolab.agents.Modeler` (an agent
    has ``solve(text) -> Solution``). ``prompts`` overrides prompt texts by name (``backtranslate``,
    ``critic``, ``refine``). ``critic=False`` skips the critic call (the numbers check still runs).
    """

    name = "forward"

    def __init__(
        self,
        llm: Any,
        generators: Sequence[Any] | None = None,
        *,
        agent_llm: Any = None,
        agent_factory: Callable[[Any], Any] | None = None,
        prompts: Mapping[str, str] | None = None,
        max_refine: int = 2,
        critic: bool = True,
        tolerance: float = DEFAULT_TOLERANCE,
        temperature: float = 0.7,
        max_tokens: int = 1500,
        modeler_options: Mapping[str, Any] | None = None,
        model: str | None = None,
        agent_model: str | None = None,
        solver: str = "auto",
        time_limit: float = 30.0,
        tables: str = "auto",
    ):
        if llm is None:
            raise SynthError("ForwardPipeline needs an LLM client (optolab.llm.LLM(...) or a test double)")
        if max_refine < 0:
            raise SynthError(f"max_refine must be >= 0, got {max_refine}")
        if tolerance <= 0:
            raise SynthError(f"tolerance must be > 0, got {tolerance}")
        if tables not in TABLE_MODES:
            raise SynthError(f"tables must be one of {', '.join(TABLE_MODES)}, got {tables!r}")
        self.llm = llm
        self.tables = tables
        self.agent_llm = agent_llm if agent_llm is not None else llm
        self.agent_factory = agent_factory
        self.prompts = PromptSet(FORWARD_PROMPTS, prompts)
        self.max_refine = max_refine
        self.critic = critic
        self.tolerance = tolerance
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.modeler_options = {"max_example_overlap": 0.4, **dict(modeler_options or {})}
        self.model = model or str(getattr(llm, "model", None) or type(llm).__name__)
        self.agent_model = agent_model or str(getattr(self.agent_llm, "model", None) or type(self.agent_llm).__name__)
        self.solver = solver
        self.time_limit = time_limit
        self.generators = resolve_generators(generators)
        self._solve_lock = threading.Lock()
        self._bank: Any = None

    # --- units ------------------------------------------------------------------------------
    def units(self, per_class: int, complexities: Sequence[int] | str = (2,), seed: int = 0) -> list[ForwardUnit]:
        """``per_class`` units for every generator: seeds ``seed``, ``seed+1``, ..., complexities taken in turn."""
        if per_class < 1:
            raise SynthError(f"per_class must be >= 1, got {per_class}")
        levels = parse_complexity(complexities) if isinstance(complexities, str) else list(complexities)
        if not levels:
            raise SynthError("give at least one complexity level")
        out = []
        for name, gen in self.generators.items():
            lo, hi = getattr(gen, "complexity_range", (1, 5))
            bad = [c for c in levels if not lo <= c <= hi]
            if bad:
                raise SynthError(f"generator {name!r} takes complexity {lo} to {hi}, not {bad}")
            for i in range(per_class):
                out.append(ForwardUnit(name, seed + i, levels[i % len(levels)]))
        return out

    # --- the steps --------------------------------------------------------------------------
    def instance(self, unit: ForwardUnit) -> Any:
        """The solved instance of a unit (solves run one at a time: Pyomo is not made for threads)."""
        from optolab.synth.generators.base import solve_instance

        gen = self.generators.get(unit.generator)
        if gen is None:
            raise SynthError(f"unit {unit.key}: this pipeline has no generator {unit.generator!r}")
        with self._solve_lock:
            return solve_instance(gen.draft(unit.seed, unit.complexity), time_limit=self.time_limit)

    def _chat(self, prompt: str, seed: int, temperature: float) -> str:
        reply = self.llm.chat([{"role": "user", "content": prompt}], temperature=temperature,
                              max_tokens=self.max_tokens, seed=seed)
        return clean_text(reply.text)

    def data_tables(self, instance: Any) -> str:
        """The Markdown tables a word problem of ``instance`` shows (``""`` for a text-only one): under
        ``tables="auto"`` when they hold at least :data:`TABLE_MIN_NUMBERS` numbers, under ``"always"`` when
        the data has any table."""
        if self.tables == "never":
            return ""
        tables = data_tables(instance.data)
        if self.tables == "auto" and sum(t.numbers for t in tables) < TABLE_MIN_NUMBERS:
            return ""
        return tables_markdown(tables)

    def backtranslate(self, instance: Any, seed: int = 0, tables: str = "") -> str:
        """A word problem for ``instance``; with ``tables``, the writer writes the text around them and they are
        set in before its closing question."""
        if not tables:
            return self._chat(self.prompts.render("backtranslate", facts=instance.facts), seed, self.temperature)
        text = self._chat(self.prompts.render("backtranslate_table", facts=instance.facts, tables=tables), seed,
                          self.temperature)
        return place_tables(text, tables)

    def refine(self, instance: Any, question: str, problems: Sequence[str], seed: int = 0, tables: str = "") -> str:
        listed = "\n".join(f"- {p}" for p in problems)
        if not tables:
            text = self._chat(self.prompts.render("refine", facts=instance.facts, question=question,
                                                  problems=listed), seed, self.temperature)
            return strip_echo(text)
        text = self._chat(self.prompts.render("refine_table", facts=instance.facts, tables=tables,
                                              question=strip_tables(question), problems=listed),
                          seed, self.temperature)
        return place_tables(strip_echo(text), tables)

    def critique(self, instance: Any, question: str) -> Critique:
        prompt = self.prompts.render("critic", data=json.dumps(instance.data, ensure_ascii=False),
                                     facts=instance.facts, question=question)
        return self.llm.structured([{"role": "user", "content": prompt}], Critique, temperature=0.0,
                                   max_tokens=min(self.max_tokens, 800))

    def write_question(self, instance: Any, seed: int = 0, tables: str | None = None) -> Draft:
        """Back-translate, then check (numbers, critic) and rewrite up to ``max_refine`` times. ``tables``: the
        Markdown tables the word problem shows (default: :meth:`data_tables`; ``""`` for text only)."""
        from optolab.errors import StructuredOutputError

        if tables is None:
            tables = self.data_tables(instance)
        question = self.backtranslate(instance, seed, tables)
        rounds: list[dict[str, Any]] = []
        for n in range(self.max_refine + 1):
            entry: dict[str, Any] = {"question": question}
            rounds.append(entry)
            if not question.strip():
                problems, reason = ["the reply was empty: write the whole word problem"], "empty_question"
            else:
                missing = missing_numbers(instance.data, question)
                entry["missing_numbers"] = missing
                if missing:
                    problems = [f"these numbers of the statement are missing from the word problem: "
                                f"{', '.join(missing[:40])}"]
                    problems += [f"state this with every number: {line}"
                                 for line in lines_with(instance.facts, missing[:40])]
                    reason = "numbers_missing"
                elif self.critic:
                    try:
                        verdict = self.critique(instance, question)
                    except StructuredOutputError as exc:
                        entry["critic_error"] = str(exc)[:300]
                        return Draft(question, False, "critic_error", rounds)
                    entry["critic"] = verdict.model_dump()
                    if verdict.ok:
                        return Draft(question, True, None, rounds)
                    problems = verdict.problems or ["the reviewer found the problem wrong without saying why: "
                                                    "check every number, the goal and every limit"]
                    reason = "critic_rejected"
                else:
                    return Draft(question, True, None, rounds)
            entry["problems"] = problems
            if n == self.max_refine:
                return Draft(question or None, False, reason, rounds)
            question = self.refine(instance, question, problems, seed=seed * 100 + n + 1, tables=tables)
        raise AssertionError("unreachable")  # pragma: no cover

    # --- workers ----------------------------------------------------------------------------
    def make_worker(self, sandbox: Any) -> Any:
        """The agent of one worker thread (a :class:`Modeler` sharing the sandbox pool and the examples)."""
        if self.agent_factory is not None:
            return self.agent_factory(sandbox)
        from optolab.agents import ExampleBank, Modeler

        if self._bank is None:
            self._bank = ExampleBank.default()
        options = dict(self.modeler_options)
        options.setdefault("solver", self.solver)
        options.setdefault("time_limit", self.time_limit)
        return Modeler(self.agent_llm, bank=self._bank, sandbox=sandbox, **options)

    def config(self) -> dict[str, Any]:
        return {"pipeline": self.name, "model": self.model, "agent_model": self.agent_model,
                "generators": sorted(self.generators), "max_refine": self.max_refine, "critic": self.critic,
                "tolerance": self.tolerance, "tables": self.tables, "temperature": self.temperature, "max_tokens": self.max_tokens,
                "modeler": recordable_options(self.modeler_options),
                "prompts": self.prompts.versions()}

    def prepare(self, finished: dict[str, list[dict[str, Any]]]) -> None:
        """Nothing to restore: forward units do not depend on each other."""

    # --- one unit ---------------------------------------------------------------------------
    def process(self, unit: ForwardUnit, agent: Any) -> list[dict[str, Any]]:
        inst = self.instance(unit)
        base: dict[str, Any] = {
            "key": unit.key, "pipeline": self.name, "family": unit.generator, "class": inst.problem_class,
            "complexity": unit.complexity, "table": False, "sense": inst.sense, "optimum": inst.optimum,
            "provenance": {"generator": unit.generator, "seed": unit.seed, "complexity": unit.complexity,
                           "model": self.model, "agent_model": self.agent_model,
                           "prompts": {**self.prompts.versions(), **agent_prompt_versions(agent)}},
            "reference": {"facts": inst.facts, "data": inst.data, "formulation": getattr(inst, "formulation", None),
                          "code": inst.code, "solution": inst.solution},
        }
        if not inst.solved:
            return [{**base, "verdict": REJECTED, "reason": "instance_unsolved", "question": None,
                     "detail": f"the generator's own model ended {inst.status}"}]
        seed = _unit_seed(unit.key)
        tables = self.data_tables(inst)
        base["table"] = bool(tables)
        draft = self.write_question(inst, seed, tables)
        base["refinements"] = draft.refinements
        base["checks"] = draft.rounds
        if not draft.passed:
            last = draft.rounds[-1] if draft.rounds else {}
            detail = "; ".join(last.get("problems") or []) or last.get("critic_error") or draft.reason
            return [{**base, "verdict": REJECTED, "reason": draft.reason, "question": draft.question,
                     "detail": str(detail)[:1000]}]
        solution = agent.solve(draft.question)
        agent_info = {"status": getattr(solution, "status", None), "objective": getattr(solution, "objective", None),
                      "sense": getattr(solution, "sense", None),
                      "attempts": len(getattr(solution, "attempts", []) or []),
                      "explanation": str(getattr(solution, "explanation", "") or "")[:1000]}
        record = {**base, "question": draft.question, "agent": agent_info,
                  "formulation": getattr(solution, "formulation", None), "math": getattr(solution, "math", None),
                  "code": getattr(solution, "code", None), "solution": dict(getattr(solution, "values", {}) or {})}
        if not getattr(solution, "ok", False):
            return [{**record, "verdict": REJECTED, "reason": "agent_no_answer",
                     "detail": f"the agent ended {agent_info['status']}: {agent_info['explanation'][:300]}"}]
        if not _rel_close(solution, inst.optimum, self.tolerance):
            return [{**record, "verdict": REJECTED, "reason": "optimum_mismatch",
                     "detail": f"the agent found {solution.objective!r}, the generator's optimum is {inst.optimum!r}"}]
        if agent_info["sense"] and agent_info["sense"] != inst.sense:
            return [{**record, "verdict": REJECTED, "reason": "sense_mismatch",
                     "detail": f"the agent's model {agent_info['sense']}s, the instance {inst.sense}s"}]
        return [{**record, "verdict": ACCEPTED, "reason": None}]

    # --- a run ------------------------------------------------------------------------------
    def run(self, out: Any, units: Sequence[ForwardUnit], **options: Any) -> Any:
        """Process ``units`` into the run folder ``out``; see :func:`optolab.synth.runner.run_pipeline`."""
        from optolab.synth.runner import run_pipeline

        return run_pipeline(self, units, out, **options)


def _unit_seed(key: str) -> int:
    """A sampling seed for a unit's model calls, the same in every process."""
    return int(sha256(key)[:8], 16) % 1_000_000


def resolve_generators(generators: Sequence[Any] | None) -> dict[str, Any]:
    """Registry names (exact, or a unique prefix) and Generator objects -> ``{name: generator}``."""
    from optolab.synth.generators.base import Generator

    if generators is not None and isinstance(generators, str):
        generators = [g for g in generators.split(",") if g.strip()]
    wanted = list(generators) if generators is not None else None
    registry: dict[str, Any] | None = None
    out: dict[str, Any] = {}
    if wanted is None:
        from optolab.synth.generators import generators as registered

        return dict(sorted(registered().items()))
    for item in wanted:
        if isinstance(item, Generator):
            out[item.name] = item
            continue
        if not isinstance(item, str):
            raise SynthError(f"a generator is a registry name or a Generator object, got {type(item).__name__}")
        name = item.strip()
        if registry is None:
            from optolab.synth.generators import generators as registered

            registry = registered()
        if name in registry:
            out[name] = registry[name]
            continue
        starts = [n for n in registry if n.startswith(name)]
        if len(starts) == 1:
            out[starts[0]] = registry[starts[0]]
            continue
        from optolab.synth.generators import get_generator

        if starts:
            raise SynthError(f"generator {name!r} is ambiguous: {', '.join(sorted(starts))}")
        get_generator(name)  # raises with the known names and close matches
    if not out:
        raise SynthError("give at least one generator")
    return out
