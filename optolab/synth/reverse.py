"""Reverse synthesis: new scenarios from seed scenarios, turned into questions, kept when the agent solves them.

In the style of ReSocratic: the LLM is shown a few seed scenarios (problems written step by step,
each step with a plain description and formal ``//`` lines, see :mod:`optolab.synth.scenarios`) and
writes a new one in another field. A scenario must pass rules (complete steps, formal lines, an
objective, its numbers stated, a sensible length) and must not nearly repeat a seed or a scenario
accepted before (word n-gram Jaccard, MinHash candidates). Each surviving scenario becomes a word
problem without a table and one with a Markdown table; the modeling agent writes and solves a Pyomo
model for each, and only questions solved to optimality are kept. When both questions of a scenario
solve, their optima must agree (they state the same problem), otherwise both are rejected.

>>> from optolab.synth.reverse import ReversePipeline
>>> from optolab.synth.scenarios import load_seeds
>>> seeds = load_seeds(["builtin", "data/resocratic/prompt/synthesis/pool"])               # doctest: +SKIP
>>> pipe = ReversePipeline(LLM("local"), seeds)                                             # doctest: +SKIP
>>> result = pipe.run("runs/synth-rev", pipe.units(100), workers=2)                        # doctest: +SKIP
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from optolab.synth.errors import SynthError
from optolab.synth.forward import (DEFAULT_TOLERANCE, agent_prompt_versions, clean_text, close_enough,
                                   recordable_options)
from optolab.synth.ngrams import NearDuplicateIndex
from optolab.synth.numbercheck import missing_values, text_numbers
from optolab.synth.prompts import REVERSE_PROMPTS, PromptSet, sha256
from optolab.synth.scenarios import Scenario, ScenarioRules, check_scenario, load_seeds, natural_text, parse_steps
from optolab.synth.store import ACCEPTED, REJECTED

DOMAINS = ("a hospital", "a farm", "a school district", "an airline", "a power utility", "a shipping port",
           "a restaurant chain", "a textile mill", "a software company", "a city's public transport",
           "a mining company", "a charity's food bank", "a film studio", "a chemical plant", "a bicycle maker",
           "a hotel", "a water utility", "a construction firm", "a pharmacy chain", "a sports club", "a bank",
           "a recycling center", "a greenhouse", "a call center", "a furniture workshop", "a dairy",
           "a logistics warehouse", "a solar installer", "a fishing fleet", "a university library")
KINDS = {"linear": "linear (the objective and every constraint are linear in the variables)",
         "nonlinear": "nonlinear (the objective or a constraint has products, powers or ratios of variables)"}
VARIANTS = {"plain": False, "table": True}
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$", re.M)
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$", re.M)


@dataclass(frozen=True)
class ReverseUnit:
    """One scenario to invent: its position, the run's seed and the kind of problem."""

    index: int
    seed: int
    kind: str

    @property
    def key(self) -> str:
        return f"s{self.seed}/{self.index:05d}"

    @property
    def family(self) -> str:
        return self.kind


def has_table(text: str) -> bool:
    """True when ``text`` holds a Markdown table (a separator row and at least two table rows)."""
    return bool(_TABLE_RULE.search(text)) and len(_TABLE_ROW.findall(text)) >= 3


def parse_tables(spec: str | Sequence[str]) -> tuple[str, ...]:
    """``both`` -> (plain, table); ``plain``; ``table``; or a list of those."""
    items = [spec] if isinstance(spec, str) else list(spec)
    out: list[str] = []
    for item in items:
        for part in str(item).split(","):
            part = part.strip().lower()
            if part == "both":
                out += ["plain", "table"]
            elif part in VARIANTS:
                out.append(part)
            else:
                raise SynthError(f"question form {part!r}: use plain, table or both")
    return tuple(dict.fromkeys(out))


class _Worker:
    def __init__(self, agent: Any, sandbox: Any):
        self.agent = agent
        self.sandbox = sandbox

    def close(self) -> None:
        close = getattr(self.agent, "close", None)
        if callable(close):
            close()


class ReversePipeline:
    """The reverse pipeline. ``llm`` writes scenarios and questions; ``agent_llm`` (default ``llm``) drives the
    modeling agent.

    ``seeds``: seed scenarios (default :func:`~optolab.synth.scenarios.builtin_seeds`); ``shots``: seeds
    shown per request (of the unit's kind); ``tables``: which questions to write per scenario (``both``,
    ``plain``, ``table``); ``rules``: :class:`ScenarioRules`; ``dedupe_threshold``: n-gram Jaccard at which a
    scenario counts as a repeat; ``prompts`` overrides prompt texts (``scenario``, ``question``,
    ``question_table``); ``agent_factory(sandbox) -> agent`` replaces the default Modeler.
    """

    name = "reverse"

    def __init__(
        self,
        llm: Any,
        seeds: Sequence[Scenario] | None = None,
        *,
        agent_llm: Any = None,
        agent_factory: Callable[[Any], Any] | None = None,
        prompts: Mapping[str, str] | None = None,
        shots: int = 3,
        tables: str | Sequence[str] = "both",
        rules: ScenarioRules = ScenarioRules(),
        dedupe_threshold: float = 0.7,
        ngram: int = 3,
        temperature: float = 0.8,
        max_tokens: int = 1500,
        tolerance: float = DEFAULT_TOLERANCE,
        modeler_options: Mapping[str, Any] | None = None,
        model: str | None = None,
        agent_model: str | None = None,
        solver: str = "auto",
        time_limit: float = 30.0,
    ):
        if llm is None:
            raise SynthError("ReversePipeline needs an LLM client (optolab.llm.LLM(...) or a test double)")
        if shots < 1:
            raise SynthError(f"shots must be >= 1 (the model learns the format from the seeds), got {shots}")
        self.llm = llm
        self.agent_llm = agent_llm if agent_llm is not None else llm
        self.agent_factory = agent_factory
        self.seeds = list(seeds) if seeds is not None else load_seeds()
        if not self.seeds:
            raise SynthError("ReversePipeline needs at least one seed scenario")
        self.prompts = PromptSet(REVERSE_PROMPTS, prompts)
        self.shots = shots
        self.tables = parse_tables(tables)
        if not self.tables:
            raise SynthError("write at least one question form (plain, table or both)")
        self.rules = rules
        self.dedupe_threshold = dedupe_threshold
        self.ngram = ngram
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.tolerance = tolerance
        self.modeler_options = {"max_example_overlap": 0.4, **dict(modeler_options or {})}
        self.model = model or str(getattr(llm, "model", None) or type(llm).__name__)
        self.agent_model = agent_model or str(getattr(self.agent_llm, "model", None) or type(self.agent_llm).__name__)
        self.solver = solver
        self.time_limit = time_limit
        self.kinds = sorted({s.type for s in self.seeds})
        self.index = self._fresh_index()
        self._bank: Any = None

    def _fresh_index(self) -> NearDuplicateIndex:
        index = NearDuplicateIndex(self.dedupe_threshold, n=self.ngram)
        for s in self.seeds:
            index.add(f"seed:{s.id}", s.natural)
        return index

    # --- units ------------------------------------------------------------------------------
    def units(self, n: int, seed: int = 0) -> list[ReverseUnit]:
        """``n`` scenarios to invent; their kinds (linear, nonlinear: those the seeds have) alternate."""
        if n < 1:
            raise SynthError(f"the number of scenarios must be >= 1, got {n}")
        return [ReverseUnit(i, seed, self.kinds[i % len(self.kinds)]) for i in range(n)]

    # --- the steps --------------------------------------------------------------------------
    def examples(self, unit: ReverseUnit) -> tuple[list[Scenario], str]:
        """The seeds shown for a unit (of its kind, where there are such seeds) and the field it is set in."""
        rng = random.Random(f"reverse/{unit.seed}/{unit.index}")
        pool = [s for s in self.seeds if s.type == unit.kind] or self.seeds
        return rng.sample(pool, min(self.shots, len(pool))), rng.choice(DOMAINS)

    def _chat(self, prompt: str, seed: int, temperature: float) -> str:
        reply = self.llm.chat([{"role": "user", "content": prompt}], temperature=temperature,
                              max_tokens=self.max_tokens, seed=seed)
        return clean_text(reply.text)

    def generate_scenario(self, unit: ReverseUnit) -> tuple[str, list[Scenario], str]:
        shown, domain = self.examples(unit)
        examples = "\n\n".join(f"Example {i}:\n{s.text}" for i, s in enumerate(shown, start=1))
        prompt = self.prompts.render("scenario", examples=examples, kind=KINDS.get(unit.kind, unit.kind),
                                     domain=domain)
        text = self._chat(prompt, _seed(unit.key), self.temperature)
        return text, shown, domain

    def write_question(self, scenario: str, table: bool, seed: int = 0) -> str:
        name = "question_table" if table else "question"
        return self._chat(self.prompts.render(name, scenario=scenario), seed, min(self.temperature, 0.5))

    # --- workers ----------------------------------------------------------------------------
    def make_worker(self, sandbox: Any) -> _Worker:
        if self.agent_factory is not None:
            return _Worker(self.agent_factory(sandbox), sandbox)
        from optolab.agents import ExampleBank, Modeler

        if self._bank is None:
            self._bank = ExampleBank.default()
        options = dict(self.modeler_options)
        options.setdefault("solver", self.solver)
        options.setdefault("time_limit", self.time_limit)
        return _Worker(Modeler(self.agent_llm, bank=self._bank, sandbox=sandbox, **options), sandbox)

    def config(self) -> dict[str, Any]:
        return {"pipeline": self.name, "model": self.model, "agent_model": self.agent_model,
                "seeds": [s.id for s in self.seeds], "shots": self.shots, "tables": list(self.tables),
                "rules": dict(vars(self.rules)), "dedupe_threshold": self.dedupe_threshold, "ngram": self.ngram,
                "temperature": self.temperature, "max_tokens": self.max_tokens, "tolerance": self.tolerance,
                "modeler": recordable_options(self.modeler_options),
                "prompts": self.prompts.versions()}

    def prepare(self, finished: dict[str, list[dict[str, Any]]]) -> None:
        """Start the near-duplicate index again from the seeds and every scenario a finished unit kept."""
        self.index = self._fresh_index()
        for unit, records in finished.items():
            rec = records[0]
            if rec.get("scenario") and rec.get("stage") not in ("scenario", "filter", "dedupe"):
                if unit not in self.index:
                    self.index.add(unit, natural_text(rec["scenario"]))

    # --- one unit ---------------------------------------------------------------------------
    def process(self, unit: ReverseUnit, worker: _Worker) -> list[dict[str, Any]]:
        text, shown, domain = self.generate_scenario(unit)
        versions = {**self.prompts.versions(), **agent_prompt_versions(worker.agent)}
        base: dict[str, Any] = {
            "pipeline": self.name, "family": unit.kind, "class": None, "scenario": text, "scenario_id": unit.key,
            "complexity": sum(1 for s in parse_steps(text) if s.kind == "constraint"),
            "provenance": {"seed_scenarios": [s.id for s in shown], "domain": domain, "model": self.model,
                           "agent_model": self.agent_model, "prompts": versions},
        }
        problems = check_scenario(text, self.rules)
        if problems:
            return [{**base, "key": unit.key, "verdict": REJECTED, "reason": f"filter_{problems[0][0]}",
                     "stage": "filter", "question": None, "detail": "; ".join(m for _, m in problems)[:1000]}]
        natural = natural_text(text)
        dup = self.index.add_unless_duplicate(unit.key, natural)
        if dup is not None:
            return [{**base, "key": unit.key, "verdict": REJECTED, "reason": "duplicate", "stage": "dedupe",
                     "question": None, "duplicate_of": dup[0], "similarity": round(dup[1], 4),
                     "detail": f"{self.ngram}-gram Jaccard {dup[1]:.2f} with {dup[0]}"}]
        numbers = [v for v in text_numbers(natural, words=False)]
        records = [self._variant(unit, variant, text, numbers, base, worker) for variant in self.tables]
        solved = [r for r in records if r["verdict"] == ACCEPTED]
        if len(solved) > 1 and not all(close_enough(r["optimum"], solved[0]["optimum"], self.tolerance)
                                       for r in solved[1:]):
            optima = ", ".join(f"{r['key'].rsplit('/', 1)[-1]} {r['optimum']!r}" for r in solved)
            for r in solved:
                r.update(verdict=REJECTED, reason="variants_disagree",
                         detail=f"the questions of one scenario solve to different optima: {optima}")
        for r in records:
            if r["verdict"] == ACCEPTED:
                r["class"] = self._problem_class(worker, r.get("code"))
        return records

    def _variant(self, unit: ReverseUnit, variant: str, scenario: str, numbers: list[float], base: dict[str, Any],
                 worker: _Worker) -> dict[str, Any]:
        table = VARIANTS[variant]
        question = self.write_question(scenario, table, _seed(f"{unit.key}/{variant}"))
        rec: dict[str, Any] = {**base, "key": f"{unit.key}/{variant}", "table": table, "stage": "question",
                               "question": question}
        if not question.strip():
            return {**rec, "verdict": REJECTED, "reason": "empty_question", "detail": "the reply was empty"}
        missing = missing_values(numbers, question)
        if missing:
            return {**rec, "verdict": REJECTED, "reason": "question_numbers",
                    "detail": f"numbers of the scenario missing from the question: {', '.join(missing[:20])}"}
        if table and not has_table(question):
            return {**rec, "verdict": REJECTED, "reason": "no_table",
                    "detail": "the question was to show its data in a Markdown table and has none"}
        solution = worker.agent.solve(question)
        status = getattr(solution, "status", None)
        rec.update(stage="agent", agent={"status": status, "objective": getattr(solution, "objective", None),
                                         "attempts": len(getattr(solution, "attempts", []) or []),
                                         "explanation": str(getattr(solution, "explanation", "") or "")[:1000]},
                   formulation=getattr(solution, "formulation", None), math=getattr(solution, "math", None),
                   code=getattr(solution, "code", None), sense=getattr(solution, "sense", None),
                   solution=dict(getattr(solution, "values", {}) or {}))
        if not getattr(solution, "ok", False):
            return {**rec, "verdict": REJECTED, "reason": "agent_no_answer",
                    "detail": f"the agent ended {status}: {rec['agent']['explanation'][:300]}"}
        if status != "optimal":
            return {**rec, "verdict": REJECTED, "reason": "not_optimal",
                    "detail": f"the agent's model solved to {status}, not to a proven optimum"}
        return {**rec, "verdict": ACCEPTED, "reason": None, "optimum": solution.objective}

    def _problem_class(self, worker: _Worker, code: str | None) -> str | None:
        """LP, MILP, QP, NLP ...: what the solver layer says about the agent's model (run again in the sandbox)."""
        if not code or worker.sandbox is None:
            return None
        try:
            res = worker.sandbox.run(code, time_limit=self.time_limit, solver=self.solver, diagnose=False)
        except Exception:  # the class is a label; the record stands without it
            return None
        solve = getattr(res, "solve", None)
        return getattr(solve, "problem_class", None) or None

    # --- a run ------------------------------------------------------------------------------
    def run(self, out: Any, units: Sequence[ReverseUnit], **options: Any) -> Any:
        """Process ``units`` into the run folder ``out``; see :func:`optolab.synth.runner.run_pipeline`."""
        from optolab.synth.runner import run_pipeline

        return run_pipeline(self, units, out, **options)


def _seed(key: str) -> int:
    return int(sha256(key)[:8], 16) % 1_000_000
