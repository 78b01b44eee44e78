"""The modeling agent: plain-English problem in, solved Pyomo model out.

The agent is a traced workflow (:class:`optolab.trace.Module`): retrieve worked examples,
formulate (an LLM fills a structured :class:`Formulation`), write the Pyomo code (the library
does that), run it in the sandbox, check the result, and repair within a budget of attempts.
Its instructions, the number of examples and the code of its check step are trainable
parameters, so the project's optimizers can improve it from feedback.
"""

from __future__ import annotations

import json
import re
import time
from contextlib import contextmanager
from importlib import resources
from string import Template
from typing import Any, Callable, Iterable, Iterator

from optolab import trace
from optolab.agents.autofix import autofix, count_goal, focus_goal
from optolab.agents.checks import RunOutcome, numbers_in_text, program_findings, run_findings, static_findings
from optolab.agents.codegen import generate_code
from optolab.agents.formulation import Formulation
from optolab.agents.program import (
    Program,
    ProgramError,
    clean_program,
    constant_objective_findings,
    define_stated_data,
    extract_code,
    add_missing_sense,
    focus_objective,
    make_objective,
    model_parts,
    numbers_in_code,
    relax_measures,
)
from optolab.agents.bounds import drop_bogus_bounds, open_active_bounds, open_invented_bounds
from optolab.agents.goal import (bound_objective_findings, fix_count_objective, fix_goal_objective, goal_number_findings,
                                 ratio_goal_findings)
from optolab.agents.relations import fix_relations, relation_findings
from optolab.agents.assignment import add_assignment_rows
from optolab.agents.budget_rows import add_budget_row
from optolab.agents.element_limits import limit_named_element
from optolab.agents.element_rows import add_element_rows
from optolab.agents.fences import fix_fenced_area_goal, fix_priced_sides, fix_three_sided_fence
from optolab.agents.missing import add_missing_limits
from optolab.agents.cost_sign import drop_amount_costs, subtract_costs, subtract_unit_costs
from optolab.agents.network import add_end_rows, complete_network, network_findings
from optolab.agents.period_limits import add_period_limits
from optolab.agents.shifts import cover_consecutive_shifts
from optolab.agents.percents import fix_percent_scale
from optolab.agents.single_use import fix_single_use
from optolab.agents.units import fix_time_units, fix_total_units
from optolab.agents.transport import fix_supply_equalities
from optolab.agents.solids import fix_solid
from optolab.agents.tables import define_table_data, restore_table_data, with_table_data
from optolab.agents.weighted import fix_weighted_goal_row
from optolab.agents.datagoal import fix_objective_data
from optolab.agents.capacity import drop_one_items_limit_on_all, fix_per_item_limits
from optolab.agents.linking import link_open_decisions
from optolab.agents.averages import fix_weighted_averages
from optolab.agents.objectives import merge_objectives
from optolab.agents.shares import fix_measured_shares
from optolab.agents.unbound import bind_lone_number
from optolab.agents.rows import fix_rows
from optolab.agents.demos import check_demos, demo_examples
from optolab.agents.retrieval import Example, ExampleBank
from optolab.llm.schema import FIELD_ORDERS
from optolab.agents.solution import Attempt, Solution

_OPT_WORDS = re.compile(
    r"\b(maximi[sz]\w*|minimi[sz]\w*|optimi[sz]\w*|maximum|minimum|most|least|fewest|lowest|highest|largest|"
    r"smallest|shortest|longest|cheapest|optimal|best|profit\w*|costs?|revenues?|how many|how much|allocat\w*|"
    r"schedul\w*|assign\w*|plan\w*|budget)\b", re.I)
# "at least two math courses": some problems spell every number
_NUMBER_WORDS = re.compile(r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|fifty|"
                           r"hundred|thousand|million|dozen|half|twice|double|triple)\b", re.I)
SOFT_PREFIXES = ("Variables ", "These numbers from the problem")
STRATEGIES = ("formulation", "program")
RETRIES = ("auto", "repair", "resample")


def _repair_turns(template: str, findings: list[str], previous: str | None) -> list[dict]:
    """The turns of a repair request: the previous answer (when there is one) and what is wrong with it."""
    turns = [] if previous is None else [{"role": "assistant", "content": previous}]
    text = Template(template).safe_substitute(findings="\n".join(f"- {f}" for f in findings))
    return turns + [{"role": "user", "content": text}]


def strategies_of(choice: str) -> tuple[str, ...]:
    """The strategies a command-line choice names: one of STRATEGIES, or "both"."""
    return STRATEGIES if choice == "both" else (choice,)


_SENSE = re.compile(r"sense\s*=\s*(?:pyo\.|pe\.|pyomo\.environ\.)?(maximize|minimize)")


def load_prompt(name: str) -> str:
    return resources.files("optolab.agents").joinpath("prompts", name).read_text(encoding="utf-8")


def looks_like_optimization(text: str) -> bool:
    """A cheap screen: an optimization problem has numbers and talks about a goal or a decision."""
    return bool(re.search(r"\d", text) or _NUMBER_WORDS.search(text)) and bool(_OPT_WORDS.search(text))


def _rank(findings: list[str]) -> tuple[int, int]:
    """Lower is better: hard findings weigh more than soft ones."""
    soft = sum(1 for f in findings if f.startswith(SOFT_PREFIXES))
    return (len(findings) - soft, soft)


def _settled(attempts: list[Attempt], outcome: RunOutcome) -> bool:
    """Whether a chain stops after its last attempt: a solution and nothing found, or only soft findings
    (numbers not used, fractional counts), which may be false alarms, left as they were by a repair."""
    findings = attempts[-1].findings
    soft_only = bool(findings) and all(f.startswith(SOFT_PREFIXES) for f in findings)
    repeated = len(attempts) >= 2 and attempts[-2].findings == findings
    return outcome.ok and (not findings or (soft_only and repeated))


def tidy_program(raw: str, question: str) -> dict[str, Any]:
    """What the program strategy runs for LLM-written code ``raw``: the code cleaned and mechanically
    fixed (:func:`optolab.agents.program.clean_program`), then the fixes that read the question (the table data
    shown, defined where the code reads it undefined or put back where the code copied it with slips, a lone
    undefined limit bound to the one number the code leaves unused, percentages under ten written a decimal place
    off, items allowed at most once counted, a goal written as a bare expression, a ratio written as two
    objectives, the goal's decision, the goal's table column, a count goal, LP wording, a total limit written per
    item, one item's limit written on all items, a yes/no decision tied to nothing, the rows of an assignment,
    limits stated item by item, relations, a rectangle's area minimized where the text asks for its least
    fencing, a rectangle fenced on three sides counted as four, its sides priced unlike the text, a share of a
    measured total, an average quality written as a total, rows weighted by another resource's numbers, the
    goal's numbers, limits the text states that the code leaves out (per period too), a budget over costs the
    code defines and never uses, a network's balance rows, shifts that span several periods covered as one, a
    cost added to a maximized profit, a profit that leaves out the unit costs, a capacity priced as dollars,
    minutes added to hours, a total in tonnes of decisions in kilograms, supply rows written as equalities where
    the supplies exceed the demands, and last a container's area or volume formulas that disagree with the solid
    the text describes, which rewrite the model from the solid's formulas),
    with every change listed; or the issues that leave no code to run."""
    try:
        program = clean_program(raw)
    except ProgramError as exc:
        return {"code": None, "issues": [str(exc)], "origins": {}, "raw": raw, "changes": []}
    for fix in (define_stated_data, define_table_data, restore_table_data, bind_lone_number, fix_percent_scale,
                fix_single_use, make_objective, merge_objectives, add_missing_sense, focus_objective,
                fix_objective_data, fix_count_objective, fix_weighted_goal_row, relax_measures, drop_bogus_bounds,
                fix_per_item_limits, drop_one_items_limit_on_all, limit_named_element, link_open_decisions,
                add_assignment_rows, add_element_rows, fix_relations, fix_fenced_area_goal, fix_three_sided_fence,
                fix_priced_sides, fix_measured_shares, fix_weighted_averages, fix_rows, fix_goal_objective,
                add_missing_limits, add_period_limits, add_budget_row, complete_network, add_end_rows,
                cover_consecutive_shifts, subtract_costs, subtract_unit_costs, drop_amount_costs, fix_time_units,
                fix_total_units, fix_supply_equalities, fix_solid):
        fixed = fix(program.code, question)
        if fixed is not None:
            program = Program(fixed.code, program.changes + fixed.changes, program.from_text or fixed.from_text)
    return {"code": program.code, "issues": [], "origins": {}, "raw": raw, "changes": program.changes,
            "from_text": program.from_text}


def _relation_findings(question: str, code: str | None, variables: list[str], outcome: RunOutcome) -> list[str]:
    """Relations the text states and the numbers of its goal, checked against the code of a solved model,
    or of one that the solver found infeasible or unbounded (bound directions only); nothing for code that
    did not run."""
    if code is None:
        return []
    if outcome.ok:
        return (relation_findings(question, code, variables) + goal_number_findings(question, code)
                + ratio_goal_findings(question, code))
    if outcome.status in ("infeasible", "infeasible_or_unbounded", "unbounded"):
        return relation_findings(question, code, variables, solved=False)
    return []


def _has_missing_data(f: Formulation) -> list[str]:
    def has_none(v: Any) -> bool:
        if v is None:
            return True
        if isinstance(v, dict):
            return any(has_none(x) for x in v.values())
        if isinstance(v, list):
            return any(has_none(x) for x in v)
        return False

    return [name for name, value in f.parameters.items() if has_none(value)]


class Modeler(trace.Module):
    """Formulate, code, run, check and repair optimization models from text.

    ``llm``: an :class:`optolab.llm.BaseLLM` (default: the managed local model, started on
    first use). ``shots``: worked examples shown to the model. ``max_attempts``: formulate
    plus repairs per chain. ``strategies``: how a chain models the problem, ``"program"`` (default:
    the LLM writes the Pyomo code, the library tidies and runs it) and/or ``"formulation"`` (the LLM
    fills a structured formulation, the library writes the code). With the 1.5B default model the
    program strategy solved 16 of 30 NL4OPT problems where the formulation strategy solved 10, in
    less time and fewer tokens. ``samples``: rounds of
    chains, one chain per strategy each, whose objective values vote (self-consistency); the
    first round runs at temperature 0, the others at ``sample_temperature``. ``retry``: what a later
    attempt of a chain does: ``"repair"`` sends the findings back with the previous answer;
    ``"resample"`` asks afresh (worked examples included) at ``sample_temperature``; ``"auto"``
    (default) resamples, in the program strategy, after an attempt that gave no solution (code that
    failed, an infeasible or unbounded model, no usable reply) and repairs otherwise. With the
    1.5B default model, repairs of failed runs almost never ran (OptiBench: 1 of 43 repairs after a
    run-time error solved; NL4OPT: 5 of 32), while a first attempt solves about 55-65% of the time.
    ``table_data`` (program strategy): the question's Markdown tables are shown below it already written as
    Python data (:mod:`optolab.agents.tables`); with it or without, code that reads those names undefined gets
    them defined.
    ``field_order`` (formulation strategy): ``"declared"`` holds a grammar-constrained reply (llama.cpp)
    to the formulation's declared order, requirements, sets and parameters before the variables;
    ``"any"`` lets the server's converter put the optional sets and parameters after the required
    fields (see :mod:`optolab.llm.schema`).
    The ``demos`` parameter holds worked examples the agent earned itself (:mod:`optolab.agents.demos`,
    filled by ``optolab train prompts --bootstrap``); empty by default, saved and loaded with the state.
    """

    def __init__(
        self,
        llm: Any = None,
        *,
        bank: ExampleBank | None = None,
        shots: int = 2,
        max_attempts: int = 3,
        samples: int = 1,
        strategies: Iterable[str] = ("program",),
        sample_temperature: float = 0.7,
        max_tokens: int = 1500,
        time_limit: float = 30.0,
        memory_mb: int = 2048,
        solver: str = "auto",
        sandbox: Any = None,
        exclude_examples: tuple[str, ...] = (),
        max_example_overlap: float | None = None,
        retry: str = "auto",
        field_order: str = "any",
        table_data: bool = True,
    ):
        self.llm = llm
        self.bank = bank if bank is not None else ExampleBank.default()
        self.instructions = trace.node(load_prompt("formulate.txt"), trainable=True, name="formulate_instructions",
                                       description="system prompt of the formulate step")
        self.repair_instructions = trace.node(load_prompt("repair.txt"), trainable=True, name="repair_instructions",
                                              description="template of the repair request; $findings is filled in")
        self.program_instructions = trace.node(load_prompt("program.txt"), trainable=True,
                                               name="program_instructions",
                                               description="system prompt of the write_program step")
        self.program_repair_instructions = trace.node(load_prompt("program_repair.txt"), trainable=True,
                                                      name="program_repair_instructions",
                                                      description="template of the program repair request")
        self.shots = trace.node(shots, trainable=True, name="shots", description="worked examples shown",
                                constraint="0 <= shots <= 4")
        # worked examples the agent earned (optolab.train.bootstrap): saved with the state, searched with the
        # bank; frozen, so an optimizer never rewrites them as text
        self.demos = trace.node([], trainable=True, name="demos", validator=check_demos,
                                description="bootstrapped worked examples: question, verified code, optimum")
        self.demos.frozen = True
        self._banks: dict[tuple[str, ...], ExampleBank] = {}
        self.max_attempts = max_attempts
        self.samples = samples
        self.strategies = tuple(strategies)
        unknown = [x for x in self.strategies if x not in STRATEGIES]
        if unknown or not self.strategies:
            raise ValueError(f"strategies {list(self.strategies)}: choose one or more of {list(STRATEGIES)}")
        self._example_code: dict[str, str] = {}
        # per solve: the conversation that wrote each chain's answer (for the answer step)
        self._contexts: dict[int, list[dict]] = {}
        self._last_context: list[dict] = []
        self.sample_temperature = sample_temperature
        self.max_tokens = max_tokens
        self.time_limit = time_limit
        self.memory_mb = memory_mb
        self.solver = solver
        self._sandbox = sandbox
        self._owns_sandbox = sandbox is None
        self.exclude_examples = tuple(exclude_examples)
        self.max_example_overlap = max_example_overlap
        if retry not in RETRIES:
            raise ValueError(f"retry {retry!r}: choose one of {list(RETRIES)}")
        self.retry = retry
        if field_order not in FIELD_ORDERS:
            raise ValueError(f"field_order {field_order!r}: choose one of {list(FIELD_ORDERS)}")
        self.field_order = field_order
        self.table_data = table_data

    # --- resources --------------------------------------------------------------------------
    def _get_llm(self) -> Any:
        if self.llm is None:
            from optolab.llm import LLM

            self.llm = LLM("local")
        return self.llm

    def _get_sandbox(self) -> Any:
        if self._sandbox is None:
            from optolab.solvers.sandbox import SandboxPool

            self._sandbox = SandboxPool(size=1)
        return self._sandbox

    def close(self) -> None:
        """Stop the sandbox workers this agent started."""
        if self._owns_sandbox and self._sandbox is not None:
            self._sandbox.close()
            self._sandbox = None

    def __enter__(self) -> "Modeler":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # --- traced steps -----------------------------------------------------------------------
    @trace.node(description="Pick worked examples similar to the question.")
    def retrieve(self, question: str, shots: int, demos: list[dict] | None = None,
                 strategy: str = "program") -> list[Example]:
        return self._bank_with(demos or []).search(question, int(shots), exclude=self.exclude_examples,
                                                   max_overlap=self.max_example_overlap,
                                                   need_formulation=strategy == "formulation")

    def _bank_with(self, demos: list[dict]) -> ExampleBank:
        """The bank with the demos added (the bank built for the last set of demos is kept for the next call)."""
        if not demos:
            return self.bank
        key = tuple(f"{d.get('id')}:{hash(d.get('code'))}" for d in demos)
        if key not in self._banks:
            self._banks = {key: ExampleBank(list(self.bank.examples) + demo_examples(demos),
                                            k1=self.bank.k1, b=self.bank.b)}
        return self._banks[key]

    @trace.node(description="Ask the LLM for a structured formulation (JSON) of the question.")
    def formulate(self, instructions: str, question: str, examples: list[Example], temperature: float,
                  seed: int) -> Formulation:
        messages = self._messages(instructions, question, examples)
        return self._ask(messages, temperature, seed)

    @trace.node(description="Ask the LLM to fix its formulation, given the findings of the check step.")
    def repair(self, instructions: str, repair_template: str, question: str, examples: list[Example],
               previous: Formulation | None, findings: list[str], temperature: float, seed: int) -> Formulation:
        previous_text = None if previous is None else previous.model_dump_json(exclude_defaults=True)
        history = _repair_turns(repair_template, findings, previous_text)
        # the worked examples are left out here: shown again, a small model tends to copy one
        return self._ask(self._messages(instructions, question, [], history), temperature, seed)

    @trace.node(description="Ask the LLM to write the Pyomo model code itself (the program strategy).")
    def write_program(self, instructions: str, repair_template: str, question: str, examples: list[Example],
                      previous: str | None, findings: list[str], temperature: float, seed: int) -> dict[str, Any]:
        # a repair: the previous code and what is wrong with it
        history = (_repair_turns(repair_template, findings, f"```python\n{previous}\n```" if previous else None)
                   if findings else [])
        # a repair leaves the worked examples out, as the formulation repair does: shown them again with a
        # failure to fix, a small model tends to paste one in (seen on NL4OPT and OptiBench)
        shown = with_table_data(question) if self.table_data else question
        msgs = self._messages(instructions, shown, [] if history else examples, history,
                              show=lambda ex: f"```python\n{self._code_of(ex)}```")
        with self._llm_clock():
            reply = self._get_llm().chat(msgs, max_tokens=self.max_tokens, temperature=temperature, seed=seed)
        self._last_context = msgs + [{"role": "assistant", "content": reply.text}]
        return tidy_program(extract_code(reply.text), question)

    @trace.node(description="Open made-up variable bounds that the solution sits at, or that make the model "
                            "infeasible (code to run again).")
    def reopen_bounds(self, question: str, program: dict, outcome: RunOutcome) -> dict[str, Any]:
        """The program with the made-up bounds its solution touches opened (:func:`open_active_bounds`), or all
        of them when the model was infeasible (:func:`open_invented_bounds`); the same program when there are
        none. The caller keeps the new program only if it solves."""
        if program["code"] is None:
            return program
        if outcome.ok:
            opened = open_active_bounds(program["code"], question, dict(outcome.values or {}))
        elif outcome.status in ("infeasible", "infeasible_or_unbounded"):
            opened = open_invented_bounds(program["code"], question)
        else:
            return program
        if opened is None:
            return program
        return {**program, "code": opened.code, "changes": list(program["changes"]) + opened.changes}

    @trace.node(trainable=True, description="Find what is wrong with LLM-written model code or its solution.")
    def check_program(self, question: str, program: dict, outcome: RunOutcome) -> list[str]:
        if program["issues"]:
            return list(program["issues"])
        variables, objective_names = model_parts(program["code"])
        if program.get("from_text"):
            # the library wrote the model from the text's own numbers (a solid's formulas): nothing of the
            # LLM's code is left to be copied or to leave a number out
            used = set(numbers_in_text(question))
        else:
            used = numbers_in_code(program["raw"]) | numbers_in_code(program["code"])  # the code as fixed, too
        findings = program_findings(question, program["code"], outcome, used, variables, objective_names)
        findings = constant_objective_findings(program["code"]) + findings
        if outcome.ok:
            findings += bound_objective_findings(question, program["code"], outcome.objective)
            findings += network_findings(question, program["code"])
        return findings + _relation_findings(question, program["code"], variables, outcome)

    @trace.node(description="Write Pyomo code for the formulation (the library writes it, not the LLM).")
    def write_code(self, formulation: Formulation, question: str = "") -> dict[str, Any]:
        formulation, fixes = autofix(formulation)
        for fix in (focus_goal, count_goal):  # fixes that read the question
            formulation, notes = fix(formulation, question)
            fixes += notes
        issues = static_findings(formulation)
        missing = _has_missing_data(formulation)
        if missing:
            issues.append(f"parameters {missing} have no value; take the numbers from the problem text")
        if issues:
            return {"code": None, "issues": issues, "origins": {}, "formulation": formulation, "fixes": fixes}
        gen = generate_code(formulation)
        return {"code": gen.code, "issues": [], "origins": gen.origins, "formulation": formulation, "fixes": fixes}

    @trace.node(description="Run the code in the sandbox and solve the model.")
    def run(self, program: dict[str, Any]) -> RunOutcome:
        if program["code"] is None:
            return RunOutcome(status="not_run", error="; ".join(program["issues"]))
        from optolab.agents.runner import run_code

        return run_code(self._get_sandbox(), program["code"], time_limit=self.time_limit,
                        memory_mb=self.memory_mb, solver=self.solver)

    @trace.node(trainable=True, description="Find what is wrong with the model or its solution; [] accepts it.")
    def check(self, question: str, formulation: Formulation, program: dict, outcome: RunOutcome,
              attempt: int) -> list[str]:
        if program["issues"]:
            return list(program["issues"])
        written, formulation = formulation, program.get("formulation", formulation)
        origin = program["origins"].get(outcome.error_line) if outcome.error_line else None
        findings = run_findings(question, formulation, outcome, origin=origin, attempt=attempt, written=written)
        return findings + _relation_findings(question, program["code"], [v.name for v in formulation.variables],
                                             outcome)

    def _answer(self, text: str, solution: Solution, keys: list[str]) -> dict[str, float]:
        from optolab.agents.answers import answer_keys

        f = solution.formulation or {}
        descriptions = {v.get("name", ""): v.get("description", "") for v in f.get("variables", [])}
        obj = f.get("objective") or {}
        with self._llm_clock():
            return answer_keys(keys, solution.values, solution.objective, question=text, descriptions=descriptions,
                               objective_text=f"{obj.get('sense', '')} {obj.get('expression', '')}".strip(),
                               llm=self._get_llm(), context=self._contexts.get(id(solution)))

    # --- helpers ----------------------------------------------------------------------------
    def _code_of(self, example: Example) -> str:
        """The code a program reply should look like for a worked example: a demo's own verified code, else
        the library's code for the example's formulation."""
        if example.code is not None:
            return example.code.rstrip() + "\n"
        if example.id not in self._example_code:
            gen = generate_code(Formulation.model_validate(example.formulation))
            self._example_code[example.id] = gen.code
        return self._example_code[example.id]

    def _messages(self, instructions: str, question: str, examples: list[Example],
                  history: list[dict] | None = None, show: Callable[[Example], str] | None = None) -> list[dict]:
        """System prompt, each worked example as a question and its answer (``show``; default the
        formulation as JSON), the question, then ``history`` (a repair's turns)."""
        show = show or (lambda ex: json.dumps(ex.formulation, ensure_ascii=False))
        msgs = [{"role": "system", "content": instructions}]
        for ex in examples:
            msgs.append({"role": "user", "content": f"Problem:\n{ex.question}"})
            msgs.append({"role": "assistant", "content": show(ex)})
        msgs.append({"role": "user", "content": f"Problem:\n{question}"})
        msgs.extend(history or [])
        return msgs

    def _ask(self, messages: list[dict], temperature: float, seed: int) -> Formulation:
        with self._llm_clock():
            order = {"field_order": self.field_order} if self.field_order != "any" else {}  # duck-typed LLMs
            return self._get_llm().structured(messages, Formulation, max_tokens=self.max_tokens,
                                              temperature=temperature, seed=seed, **order)

    @contextmanager
    def _llm_clock(self) -> Iterator[None]:
        """Adds the time spent inside the block to the seconds this solve spent waiting for the LLM."""
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self._llm_seconds += time.perf_counter() - t0

    # --- the workflow -----------------------------------------------------------------------
    def forward(self, question: str) -> Solution:
        return self.solve(question)

    def solve(self, text: str, answer_keys: Iterable[str] | None = None) -> Solution:
        """Model and solve one problem; never raises for a bad problem or a bad model reply.

        ``answer_keys``: names of the quantities the question asks for ("Number of trucks to A",
        "The minimum cost"); the solution's ``answers`` then holds their values under those names.
        """
        t0 = time.perf_counter()
        self._llm_seconds = 0.0
        self._contexts = {}
        text = (text or "").strip()
        if not text:
            return Solution(question=text, status="empty_input",
                            explanation="The problem text is empty. Describe the decisions to make, the goal "
                                        "(what to maximize or minimize) and the limits, with their numbers.")
        if not looks_like_optimization(text):
            return Solution(question=text, status="not_a_problem",
                            explanation="This does not read like an optimization problem: it needs numbers and a "
                                        "goal such as maximizing profit or minimizing cost, and the decisions to make.")
        llm = self._get_llm()
        usage = getattr(llm, "usage", None)
        snap = usage.snapshot() if usage is not None and hasattr(usage, "snapshot") else None
        chains = []
        for i in range(self.samples):
            temperature = 0.0 if i == 0 else self.sample_temperature
            for strategy in self.strategies:
                chain = self._chain if strategy == "formulation" else self._program_chain
                chains.append(chain(text, temperature, seed=i))
        solution = self._vote(text, chains)
        if answer_keys and solution.ok:
            solution.answers = self._answer(text, solution, list(answer_keys))
        solution.seconds = time.perf_counter() - t0
        solution.llm_seconds = self._llm_seconds
        if snap is not None:
            delta = usage.since(snap)
            solution.llm_calls = int(getattr(delta, "calls", 0))
            solution.prompt_tokens = int(getattr(delta, "prompt_tokens", 0))
            solution.completion_tokens = int(getattr(delta, "completion_tokens", 0))
        return solution

    def _attempts(self, step: Callable[[int, float], tuple[Attempt, Any, RunOutcome | None]],
                  same: Callable[[Attempt], Any], temperature: float) -> tuple[list[Attempt], Any]:
        """The attempt loop both strategies share.

        ``step(n, temperature)`` makes attempt ``n`` (the first or a repair of the one before) and
        returns it with what to keep if it is the best so far, and its run outcome (None when
        nothing ran). A repair that changed nothing (``same`` equal to the attempt before) is asked
        again at once with sampling, so that it can differ instead of using up an attempt on what
        already failed; after two equal attempts in a row every later one samples. The loop stops
        when :func:`_settled` says so; the best is the solved attempt with the fewest open
        findings, the later on ties.
        """
        attempts: list[Attempt] = []
        best: tuple[Any, list[str]] | None = None
        sampled = max(temperature, self.sample_temperature)
        for n in range(1, self.max_attempts + 1):
            stuck = len(attempts) >= 2 and same(attempts[-1]) == same(attempts[-2])
            temp = sampled if stuck else temperature
            attempt, keep, outcome = step(n, temp)
            if attempts and temp < sampled and same(attempt) == same(attempts[-1]):
                repeated = attempt.seconds
                attempt, keep, outcome = step(n, sampled)
                attempt.seconds += repeated
            attempts.append(attempt)
            if outcome is None:
                continue
            if outcome.ok and (best is None or _rank(attempt.findings) <= _rank(best[1])):
                best = (keep, attempt.findings)
            if _settled(attempts, outcome):
                break
        return attempts, (None if best is None else best[0])

    def _resample(self, outcome: RunOutcome | None, strategy: str) -> bool:
        """Whether the next attempt asks afresh instead of repairing (see ``retry``); ``outcome`` is the
        previous attempt's run, None when it gave nothing to run. ``auto`` resamples only in the program
        strategy: a formulation that failed usually fails a static check (an undefined name) whose finding
        says exactly what to change, and those repairs work."""
        if self.retry != "auto":
            return self.retry == "resample"
        return strategy == "program" and (outcome is None or not outcome.ok)

    def _chain(self, text: str, temperature: float, seed: int) -> Solution:
        """The formulation strategy: the LLM fills a formulation, the library writes and runs the code."""
        question = trace.node(text, name="question")
        examples = self.retrieve(question, self.shots, self.demos, "formulation")
        state: dict[str, Any] = {"previous": None, "findings": [], "missing": [], "outcome": None, "calls": 0}

        def step(n: int, temp: float) -> tuple[Attempt, Any, RunOutcome | None]:
            t0 = time.perf_counter()
            state["calls"] += 1
            if n == 1:
                form = self.formulate(self.instructions, question, examples, temperature, seed)
            elif self._resample(state["outcome"], "formulation"):
                form = self.formulate(self.instructions, question, examples, max(temp, self.sample_temperature),
                                      seed * 100 + state["calls"])
            else:
                form = self.repair(self.instructions, self.repair_instructions, question, examples,
                                   state["previous"], state["findings"], temp, seed * 100 + state["calls"])
            if form.is_error:
                state["findings"] = [f"Your reply was not a valid model: {form.error.message[:400]}"]
                state.update(previous=None, outcome=None)
                return Attempt(None, None, "invalid_reply", findings=state["findings"],
                               error=form.error.message), None, None
            program = self.write_code(form, question)
            outcome = self.run(program)
            findings_node = self.check(question, form, program, outcome, n)
            findings = list(findings_node.data) if not findings_node.is_error else [findings_node.error.message]
            prog = program.data
            out = outcome.data if not outcome.is_error else RunOutcome(status="error", error=outcome.error.message)
            f_data = prog.get("formulation", form.data)  # with the mechanical fixes applied
            state.update(previous=f_data, findings=findings, missing=_has_missing_data(f_data), outcome=out)
            attempt = Attempt(f_data.model_dump(), prog["code"], out.status, out.objective, findings, out.error,
                              time.perf_counter() - t0, changes=list(prog.get("fixes") or []))
            return attempt, (f_data, prog, out, findings), out

        attempts, best = self._attempts(step, lambda a: a.formulation, temperature)
        return self._finish(text, attempts, best, state["missing"])

    def _program_chain(self, text: str, temperature: float, seed: int) -> Solution:
        """The program strategy: the LLM writes the Pyomo code, the library tidies and runs it."""
        question = trace.node(text, name="question")
        examples = self.retrieve(question, self.shots, self.demos, "program")
        state: dict[str, Any] = {"previous": None, "findings": [], "outcome": None, "calls": 0}

        def step(n: int, temp: float) -> tuple[Attempt, Any, RunOutcome | None]:
            t0 = time.perf_counter()
            state["calls"] += 1
            fresh = n > 1 and self._resample(state["outcome"], "program")
            previous, findings = (None, []) if fresh else (state["previous"], state["findings"])
            program = self.write_program(self.program_instructions, self.program_repair_instructions, question,
                                         examples, previous, findings,
                                         max(temp, self.sample_temperature) if fresh else temp,
                                         seed * 100 + state["calls"])
            if program.is_error:
                state["findings"] = [f"No code: {program.error.message[:400]}"]
                state["outcome"] = None
                return Attempt(None, None, "invalid_reply", findings=state["findings"],
                               error=program.error.message), None, None
            outcome = self.run(program)
            if not outcome.is_error:
                reopened = self.reopen_bounds(question, program, outcome)
                if not reopened.is_error and reopened.data is not program.data:
                    rerun = self.run(reopened)
                    if not rerun.is_error and rerun.data.ok:  # kept only when it solves
                        program, outcome = reopened, rerun
            findings_node = self.check_program(question, program, outcome)
            findings = list(findings_node.data) if not findings_node.is_error else [findings_node.error.message]
            prog = program.data
            out = outcome.data if not outcome.is_error else RunOutcome(status="error", error=outcome.error.message)
            state.update(previous=prog["raw"], findings=findings, outcome=out if prog["code"] is not None else None)
            attempt = Attempt(None, prog["code"] or prog["raw"], out.status, out.objective, findings, out.error,
                              time.perf_counter() - t0, changes=list(prog.get("changes") or []))
            return attempt, (prog, out, findings, self._last_context), out

        attempts, best = self._attempts(step, lambda a: a.code, temperature)
        if best is not None:
            prog, out, findings, context = best
            m = _SENSE.search(prog["code"])
            sense = m.group(1) if m else None
            note = "" if not findings else " Remaining notes: " + " ".join(findings)
            word = {"maximize": "maximum", "minimize": "minimum"}.get(sense or "", "optimum")
            solution = Solution(question=text, status=out.status, objective=out.objective, sense=sense,
                                values=dict(out.values or {}), code=prog["code"], strategy="program",
                                findings=list(findings),
                                explanation=f"Solved to {out.status}: the {word} is {out.objective:.6g}.{note}",
                                attempts=attempts)
            self._contexts[id(solution)] = context
            return solution
        return self._finish(text, attempts, None, [], strategy="program")

    def _finish(self, text: str, attempts: list[Attempt], best, last_missing: list[str],
                strategy: str = "formulation") -> Solution:
        solution = self._finish_chain(text, attempts, best, last_missing)
        solution.strategy = strategy
        return solution

    def _finish_chain(self, text: str, attempts: list[Attempt], best, last_missing: list[str]) -> Solution:
        if best is not None:
            f, prog, out, findings = best
            values = {k: v for k, v in (out.values or {}).items()}
            note = "" if not findings else " Remaining notes: " + " ".join(findings)
            return Solution(question=text, status=out.status, objective=out.objective, sense=f.objective.sense,
                            findings=list(findings),
                            values=values, formulation=f.model_dump(), math=f.to_math(), code=prog["code"],
                            explanation=f"Solved to {out.status}: the "
                                        f"{'maximum' if f.objective.sense == 'maximize' else 'minimum'} is "
                                        f"{out.objective:.6g}.{note}", attempts=attempts)
        last = attempts[-1] if attempts else None
        statuses = [a.status for a in attempts]
        if last_missing:
            return Solution(question=text, status="missing_data", attempts=attempts,
                            formulation=last.formulation if last else None, code=last.code if last else None,
                            explanation=f"The problem does not give values for {', '.join(last_missing)}; add "
                                        "those numbers to the text.")
        # infeasible when every attempt that ran said so, at least twice (attempts whose code failed say nothing)
        ran = [s for s in statuses if s not in ("error", "not_run", "invalid_reply")]
        if len(ran) >= 2 and all(s in ("infeasible", "infeasible_or_unbounded") for s in ran):
            return Solution(question=text, status="infeasible", attempts=attempts, formulation=last.formulation,
                            code=last.code, explanation="The problem as stated has no feasible solution. "
                            + (last.findings[0] if last.findings else ""))
        if statuses and statuses[-1] == "unbounded":
            return Solution(question=text, status="unbounded", attempts=attempts, formulation=last.formulation,
                            code=last.code, explanation="The objective can grow without limit: the problem "
                            "states no limit that bounds it.")
        reason = last.findings[0] if last and last.findings else "no attempt produced a model"
        return Solution(question=text, status="no_model", attempts=attempts,
                        formulation=last.formulation if last else None, code=last.code if last else None,
                        explanation=f"No working model after {len(attempts)} attempts. Last problem: {reason}")

    @staticmethod
    def _vote(text: str, chains: list[Solution]) -> Solution:
        solved = [c for c in chains if c.ok]
        if len(chains) == 1 or not solved:
            best = chains[0] if not solved else solved[0]
            best.votes = ([{"objective": c.objective, "status": c.status, "strategy": c.strategy} for c in chains]
                          if len(chains) > 1 else [])
            return best
        groups: list[list[Solution]] = []
        for c in solved:
            for g in groups:
                ref = g[0].objective
                if abs(c.objective - ref) <= 1e-6 * max(1.0, abs(ref)):
                    g.append(c)
                    break
            else:
                groups.append([c])
        # most votes first; between equally large groups, the one whose best chain has the fewest open
        # findings (hard ones weigh more); then the earlier chain
        groups.sort(key=lambda g: (-len(g), min(_rank(c.findings) for c in g)))
        winner = min(groups[0], key=lambda c: _rank(c.findings))
        winner.votes = [{"objective": g[0].objective, "count": len(g), "strategies": [c.strategy for c in g]}
                        for g in groups]
        return winner
