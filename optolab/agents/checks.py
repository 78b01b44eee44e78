"""The check step: what is wrong with a formulation, its code or its solution, in words a model can act on.

Each finding names the part of the model it concerns and suggests what to look at. The checks
target the failures a small model makes most often: code that does not run, infeasible
models from unit slips or flipped inequalities, unbounded models from a missing constraint or
sense, continuous variables that count whole things, and numbers of the text left unused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from optolab.agents.codegen import check_formulation
from optolab.agents.formulation import Formulation

COUNT_WORDS = re.compile(
    r"\b(how many|number of|people|persons|workers|employees|staff|nurses|drivers|trucks|vans|vehicles|buses|cars|"
    r"planes|ships|boats|machines|items|pieces|batches|boxes|crates|packages|bags|bottles|tables|chairs|"
    r"houses|rooms|students|teachers|servings|pills|trips|shifts|units produced)\b", re.I)
MEASURE_WORDS = re.compile(
    r"\b(grams?|kg|kilograms?|tons?|tonnes?|pounds?|lbs?|ounces?|oz|liters?|litres?|ml|gallons?|hours?|minutes?|"
    r"dollars?|euros?|acres?|hectares?|meters?|metres?|km|miles?|percent|fraction|share|proportion|amount|volume|"
    r"weight|quantity of|money|budget|invest\w*|spend\w*|area|length|distance)\b|\$", re.I)
# a number as the text writes it: 60,000 or 2.5, not part of a word or of a longer number
NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?!\w|\.\d)")


def mentions_of(question: str, value: float) -> list[re.Match]:
    """Every place the text writes ``value`` as a number ("1,200" for 1200)."""
    return [m for m in NUMBER.finditer(question) if float(m.group(1).replace(",", "")) == value]


def clause_span(text: str, start: int, end: int, marks: str = ".;:!?,") -> tuple[int, int]:
    """Where the clause around ``text[start:end]`` begins and ends: after the last of ``marks`` before
    ``start``, and at the first one from ``end`` on (the text's ends where there is none)."""
    begin = max(text.rfind(c, 0, start) for c in marks) + 1
    ends = [e for e in (text.find(c, end) for c in marks) if e >= 0]
    return begin, min(ends) if ends else len(text)

# "job 2", "Plant 3", "week 4", "product #1": numbers that name things rather than quantify them
_LABEL = re.compile(
    r"\b(?:jobs?|machines?|products?|plants?|types?|shops?|stores?|warehouses?|sites?|periods?|weeks?|months?|"
    r"days?|years?|quarters?|lines?|routes?|zones?|regions?|factor(?:y|ies)|projects?|items?|options?|models?|"
    r"grades?|shifts?|teams?|trucks?|stages?|phases?|levels?|cent(?:er|re)s?|cit(?:y|ies)|locations?|"
    r"customers?|suppliers?|mines?|farms?|fields?|plots?|rooms?|workers?|steps?|nodes?|depots?|facilit(?:y|ies)|"
    r"ports?|tasks?|process(?:es)?|reactors?|units?|crops?|ingredients?|foods?|assets?|stocks?|bonds?|funds?|"
    r"investments?|classes|class|courses?|destinations?|sources?|origins?|markets?|mills?|ovens?|vehicles?|"
    r"components?|parts?|resources?|materials?|blends?|mixtures?|alloys?|tanks?|wells?|generators?|experiments?)"
    r"\s*(?:no\.?\s*|#\s*)?(\d+)(?!\w|\.\d)", re.I)


# "minimize the total number of bikes needed": the goal names one kind of decision
_GOAL = re.compile(r"\b(minimi[sz]e|maximi[sz]e)\s+(?:the\s+)?(?:total\s+)?(?:number|amount)\s+of\s+([a-z][a-z-]*)"
                   r"(?![a-z-])(?!\s*(?:,|and\b|or\b|&|\+|plus\b))", re.I)  # "tractors and cars" names two decisions
# "Find the minimum number of vans that can be used": the same goal, asked as a question
_FIND_COUNT = re.compile(r"\b(?:find|determine|compute|calculate|what\s+is)\s+the\s+(minimum|maximum|smallest|largest|"
                         r"fewest|least|greatest)\s+(?:total\s+)?number\s+of\s+([a-z][a-z-]*)(?![a-z-])"
                         r"(?!\s*(?:,|and\b|or\b|&|\+|plus\b))", re.I)
_IDENT = re.compile(r"[A-Za-z_]\w*")

@dataclass
class RunOutcome:
    """What running the generated code gave, independent of how it was run."""

    status: str  # optimal, feasible, infeasible, unbounded, infeasible_or_unbounded, time_limit, error, ...
    objective: float | None = None
    values: dict[str, float] | None = None
    error: str | None = None
    error_line: int | None = None
    diagnosis: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status in ("optimal", "feasible") and self.objective is not None


def numbers_in_text(text: str) -> list[float]:
    out = []
    for m in NUMBER.finditer(text):
        try:
            out.append(float(m.group(1).replace(",", "")))
        except ValueError:
            pass
    return out


_SPELLED_VALUES = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                   "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
                   "fifty": 50, "hundred": 100, "dozen": 12, "twice": 2, "thrice": 3, "half": 0.5, "third": 1 / 3,
                   "quarter": 0.25}
SPELLED_WORDS = "|".join(_SPELLED_VALUES)
SPELLED = re.compile(rf"\b({SPELLED_WORDS})\b", re.I)


def spelled_numbers(text: str) -> list[float]:
    """Numbers the text writes as words ("five times an hour", "a third of", "twice as many")."""
    return [float(_SPELLED_VALUES[m.group(1).lower()]) for m in SPELLED.finditer(text)]


def _numbers_in_formulation(f: Formulation) -> set[float]:
    found: set[float] = set()

    def walk(v: Any) -> None:
        if isinstance(v, bool):
            return
        if isinstance(v, (int, float)):
            found.add(float(v))
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)

    walk(f.parameters)
    texts = [f.objective.expression] + [c.expression for c in f.constraints]
    for t in texts:
        found.update(numbers_in_text(t))
    for v in f.variables:
        for b in (v.lower, v.upper):
            if b is not None:
                found.add(float(b))
    # the text's numbers are read without their sign ("-0.02" is 0.02 there), so compare magnitudes
    return {abs(x) for x in found}


def label_numbers(text: str) -> set[float]:
    """Numbers that name things ("job 2", "Plant 3") rather than quantify them."""
    return {float(m.group(1)) for m in _LABEL.finditer(text)}


def unused_numbers(question: str, f: Formulation) -> list[float]:
    """Numbers of the text that appear nowhere in the model (also not as a percentage or a unit conversion).

    Numbers that only name things ("job 2") and numbers inside set elements do not count."""
    used = _numbers_in_formulation(f)
    for elements in f.sets.values():
        for e in elements if isinstance(elements, list) else []:
            used.update(numbers_in_text(str(e)) if isinstance(e, str) else
                        ([float(e)] if isinstance(e, (int, float)) and not isinstance(e, bool) else []))
    return numbers_missing_from(question, used, {float(len(v)) for v in f.sets.values()})


_TIME_UNITS = {60: (r"\b(?:minutes?|mins?)\b", r"\b(?:hours?|hrs?|seconds?|secs?)\b"),
               24: (r"\bhours?\b", r"\bdays?\b")}


def _conversions(question: str) -> tuple[float, ...]:
    """The factors a number of the text may be another's in other units: percentages and thousands always;
    60 only where the text speaks of minutes and hours (or seconds), 24 of hours and days ("$2 a unit" is not
    "120 units a month" in minutes)."""
    factors = [100, 0.01, 1000, 0.001]
    for k, (a, b) in _TIME_UNITS.items():
        if re.search(a, question, re.I) and re.search(b, question, re.I):
            factors += [k, 1 / k]
    return tuple(factors)


def numbers_missing_from(question: str, used: set[float], set_sizes: set[float] = frozenset()) -> list[float]:
    """Numbers of ``question`` that are not in ``used``, directly, as a percentage or a unit conversion."""
    labels = label_numbers(question)
    used = {abs(u) for u in used}
    scaled = used | {u * k for u in used for k in _conversions(question)}
    missing: list[float] = []
    for x in numbers_in_text(question):
        if any(abs(x - u) <= 1e-9 * max(1.0, abs(x)) for u in scaled):
            continue
        if x in set_sizes or (x.is_integer() and x <= 1) or x in labels:
            continue
        if x not in missing:
            missing.append(x)
    return missing


_COMMON = {0.0, 1.0, 2.0, 3.0, 0.5, 0.25, 100.0, 1000.0, 60.0, 24.0, 12.0, 7.0}


def foreign_numbers(question: str, f: Formulation | set[float]) -> list[float]:
    """Numbers of the model (a formulation, or the numbers of model code) that the text does not contain
    (directly, as a percentage or a unit conversion)."""
    text_numbers = set(numbers_in_text(question)) | set(spelled_numbers(question))
    variants = text_numbers | {t * k for t in text_numbers for k in (0.01, 100, 60, 1 / 60, 1000, 0.001, 24)}
    used = f if isinstance(f, set) else _numbers_in_formulation(f)
    foreign = []
    for x in sorted(used):
        if x in _COMMON or any(abs(x - t) <= 1e-9 * max(1.0, abs(x)) for t in variants):
            continue
        foreign.append(x)
    return foreign


# words of a decision's name that fit any problem ("quantity", "amount_to_make"): they say nothing either way
_GENERIC_NAMES = {"quantity", "quantities", "qty", "amount", "amounts", "number", "num", "count", "units", "unit",
                  "production", "produce", "produced", "make", "made", "buy", "bought", "level", "levels", "value",
                  "values", "allocation", "allocate", "decision", "decisions", "var", "vars", "total", "volume",
                  "selected", "select", "choose", "chosen", "use", "used", "how", "many", "much", "assign", "assigned",
                  "assignment", "flow", "ship", "shipped", "shipment", "send", "sent", "open", "opened", "pick",
                  "picked", "route", "routed", "include", "included", "is", "has"}


# the measures of a shape: "length" and "width" are this problem's own words when it fences a rectangle
_SHAPE_TEXT = re.compile(r"\b(?:rectangl\w*|square|box|cylind\w*|circl\w*|circular|triangl\w*|cone|sphere|garden|"
                         r"fenc\w*|pen|field|plot|enclos\w*|dimensions?|tank|container|can|window|poster|page)\b", re.I)
_MEASURES = {"length", "width", "height", "depth", "side", "sides", "radius", "diameter", "base", "area", "dim",
             "dimension", "dimensions", "size", "perimeter", "volume", "breadth"}


def copied_findings(question: str, f: Formulation | set[float], names: list[str] = ()) -> list[str]:
    """A model full of numbers the problem never mentions, or whose decisions all have names the problem
    never uses, was copied from an example."""
    used = f if isinstance(f, set) else _numbers_in_formulation(f)
    foreign = foreign_numbers(question, used)
    total = len(used - _COMMON)
    text_words = {stem(w) for w in re.findall(r"[a-z]+", question.lower())}

    def named_in_text(token: str) -> bool:  # "invest" is named by "investment", "prod" by "production"
        return token in text_words or any(w.startswith(token) or token.startswith(w) for w in text_words
                                          if min(len(w), len(token)) >= 4)

    generic = _GENERIC_NAMES | (_MEASURES if _SHAPE_TEXT.search(question) else set())
    strange = []
    for n in names:
        tokens = {stem(t) for t in re.split(r"[_\W\d]+", n.lower()) if len(t) > 2 and t not in generic}
        if tokens and not any(named_in_text(t) for t in tokens):  # "x" or "y1" say nothing either way
            strange.append(n)
    if len(foreign) >= 2 and len(foreign) >= 0.3 * max(total, 1):
        shown = ", ".join(f"{x:g}" for x in foreign[:8])
        return [f"Your model uses numbers that are not in this problem ({shown}); it looks copied from an example. "
                "Model THIS problem, using only its own numbers and names."]
    own_data = total >= 3 and not foreign  # every number of the model is one of this problem's
    if names and len(strange) == len(names) and not own_data:
        return [f"Your decisions ({', '.join(strange[:6])}) are not things this problem talks about; the model looks "
                "copied from an example. Model THIS problem, using only its own numbers and names."]
    return []


def static_findings(f: Formulation) -> list[str]:
    return [str(i) for i in check_formulation(f)]


def run_findings(question: str, f: Formulation, outcome: RunOutcome, origin: str | None = None,
                 attempt: int = 1, written: Formulation | None = None) -> list[str]:
    """Findings after the code ran. An empty list means the answer is accepted. ``written``: the formulation
    as the model wrote it, before the library's fixes; a number it used counts as used (a fix that drops
    costs from a count objective does not make them a finding)."""
    failed = outcome_findings(outcome, origin)
    if failed:
        return failed
    findings: list[str] = copied_findings(question, f)
    findings += nothing_decided(outcome)
    findings += objective_focus_findings(question, [v.name for v in f.variables],
                                         expression_names(f.objective.expression))
    frac = _fractional_counts(question, f, outcome)
    if frac:
        findings.append(fractional_finding(frac))
    missing = unused_numbers(question, f)
    if written is not None:
        missing = [m for m in missing if m not in _numbers_in_formulation(written)]
    listed = _listed_but_unmodeled(f, missing)
    findings += listed
    findings += unused_findings(question, [m for m in missing if not any(f"{m:g}" in x for x in listed)])
    return findings


def _listed_but_unmodeled(f: Formulation, missing: list[float]) -> list[str]:
    """Requirements the model wrote down itself whose number never made it into the model: a hard finding,
    since the model's own plan says the limit exists."""
    out = []
    for req in getattr(f, "requirements", None) or []:
        numbers = set(numbers_in_text(str(req)))
        lost = [m for m in missing if m in numbers]
        if lost:
            out.append(f"Your requirement \"{req}\" is not in the model: {', '.join(f'{m:g}' for m in lost)} "
                       "appears in no constraint. Add a constraint for it and keep the others.")
    return out


def stem(word: str) -> str:
    """A plural reduced to its singular, lower case ("bikes" -> "bike", "batches" -> "batch")."""
    w = word.lower()
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("ches", "shes", "xes", "sses")):
        return w[:-2]
    return w[:-1] if w.endswith("s") and not w.endswith("ss") else w


def name_words(name: str) -> set[str]:
    """The words of a name, each reduced to its singular: ``large_trucks`` -> {"large", "truck"}."""
    return {stem(t) for t in re.split(r"[_\W]+", name) if t}


def expression_names(expression: str) -> set[str]:
    """The identifiers of an expression written as text."""
    return set(_IDENT.findall(expression))


def goal_variable(question: str, variables: list[str], objective_names: set[str]) -> tuple[str, str] | None:
    """``(variable, goal phrase)`` when the question's goal is "the number of bikes", exactly one
    variable is about bikes, and the objective counts other variables too (or not that one)."""
    m = _GOAL.search(question) or _FIND_COUNT.search(question)
    if not m:
        return None
    noun = stem(m.group(2))
    matches = [v for v in variables if noun in name_words(v)]
    if len(matches) != 1:
        return None
    target = matches[0]
    others = [n for n in objective_names if n in variables and n != target]
    if target in objective_names and not others:
        return None
    if m.re is _FIND_COUNT:
        return target, " ".join(m.group(0).split()).lower()
    return target, f"{m.group(1).lower()} {m.group(0).split(' ', 1)[1]}"


def objective_focus_findings(question: str, variables: list[str], objective_names: set[str]) -> list[str]:
    """A misread goal, common in small models: see :func:`goal_variable`."""
    found = goal_variable(question, variables, objective_names)
    if found is None:
        return []
    target, goal = found
    others = sorted(n for n in objective_names if n in variables and n != target)
    if target not in objective_names:
        what = f"counts {', '.join(others)} instead" if others else f"does not use {target}"
    else:
        what = f"also counts {', '.join(others)}"
    return [f"The question asks to {goal}: the objective is {target} alone, but yours {what}. "
            "Keep every constraint; change only the objective."]


# what to do about the run-time errors small models cause most often
_ERROR_HINTS = [
    (re.compile(r"Index '?([^']*?)'? is not valid for indexed component '(\w+)'"),
     "{1} is not indexed by {0}: use the same elements it was declared over (loop over that set or list, not "
     "over positions 0, 1, ...)."),
    (re.compile(r"'ConcreteModel' object has no attribute '(\w+)'"),
     "model.{0} is used before it is created: create it (model.{0} = pyo.Var(...) for a decision) above the "
     "first line that uses it."),
    (re.compile(r"KeyError: (.+)"), "The key {0} is missing from a data dict: give every dict an entry for each "
                                    "index the model uses (take the numbers from the problem), or loop only over "
                                    "the keys it has."),
    (re.compile(r"NameError: name '(\w+)' is not defined"), "Define {0} before it is used: a number of the problem "
                                                            "as a named Python variable, or the model component "
                                                            "model.{0}."),
    (re.compile(r"Cannot convert non-constant Pyomo expression|non-constant .*to bool|InvalidValueError.*bool",
                re.S),
     "A Python if, min(), max() or comparison was applied to a variable: the value of a variable is not known "
     "while the model is built. Write that logic as constraints (with binary variables where needed)."),
]


def error_hint(error: str | None) -> str:
    """One sentence on how to fix a run-time error, or "" when there is nothing specific to say."""
    for pattern, hint in _ERROR_HINTS:
        m = pattern.search(error or "")
        if m:
            return hint.format(*(g.strip() for g in m.groups()))
    return ""


def outcome_findings(outcome: RunOutcome, origin: str | None = None, line: str | None = None) -> list[str]:
    """What is wrong when the run gave no solution; [] when it gave one. ``origin`` names the part of
    the formulation the failing code came from, ``line`` quotes the failing line."""
    if outcome.status == "error" or (outcome.error and not outcome.ok):
        where = f"{origin}: " if origin else ""
        quoted = f" (line {outcome.error_line}: `{line}`)" if line else ""
        hint = error_hint(outcome.error)
        return [f"{where}running the model failed: {outcome.error}{quoted}" + (f" {hint}" if hint else "")]
    if outcome.status == "infeasible" or outcome.status == "infeasible_or_unbounded" and outcome.objective is None:
        why = f" {outcome.diagnosis}" if outcome.diagnosis else ""
        return [f"The model has no feasible solution.{why} Check the units of each constraint, the direction of "
                "each inequality (<= versus >=), and that right-hand sides are the numbers of the problem."]
    if outcome.status == "unbounded":
        return ["The objective is unbounded: a limiting constraint is missing, or the sense (maximize/minimize) is "
                "wrong. Add the limits the problem states."]
    if outcome.status == "time_limit" and outcome.objective is None:
        return ["The solver found no solution within the time limit; simplify the model (fewer variables, "
                "no unnecessary integer variables)."]
    if not outcome.ok:
        return [f"The solver stopped with status {outcome.status!r} and no solution."]
    return []


def nothing_decided(outcome: RunOutcome) -> list[str]:
    if outcome.values and all(abs(v) < 1e-9 for v in outcome.values.values()):
        return ["Every decision variable is 0 at the optimum, so the model asks for nothing: a requirement "
                "is missing (a demand to meet, items that must all be packed or assigned, a minimum to "
                "reach). Add the constraints that force the decisions the problem needs."]
    return []


def fractional_finding(names: list[str], how: str = 'make them "integer"') -> str:
    return (f"Variables {', '.join(names)} have fractional values, but the problem counts whole things; if they "
            f"count people, vehicles or items, {how}.")


def unused_findings(question: str, missing: list[float]) -> list[str]:
    if not missing:
        return []
    shown = "; ".join(f"{m:g} (\"{number_context(question, m)}\")" for m in missing[:5])
    return [f"These numbers from the problem are not used in the model: {shown}. Each is probably a "
            "limit or a coefficient: add the constraint or term it belongs to."]


def counts_whole_things(words: str) -> bool:
    return bool(COUNT_WORDS.search(words)) and not MEASURE_WORDS.search(words)


def program_findings(question: str, code: str, outcome: RunOutcome, numbers_used: set[float],
                     variables: list[str] = (), objective_names: set[str] = frozenset()) -> list[str]:
    """Findings for model code the LLM wrote itself (the program strategy)."""
    lines = code.splitlines()
    line = lines[outcome.error_line - 1].strip() if outcome.error_line and 0 < outcome.error_line <= len(lines) \
        else None
    failed = outcome_findings(outcome, line=line)
    if failed:
        return failed
    findings = copied_findings(question, numbers_used, list(variables))
    findings += nothing_decided(outcome) + objective_focus_findings(question, list(variables), set(objective_names))
    frac = fractional_names(outcome.values, lambda base: counts_whole_things(base.replace("_", " ")))
    if frac:
        findings.append(fractional_finding(frac, "give them the domain pyo.NonNegativeIntegers"))
    findings += unused_findings(question, numbers_missing_from(question, numbers_used))
    return findings


def number_context(text: str, value: float, width: int = 5) -> str:
    """The words around the first mention of ``value`` in ``text``."""
    for m in NUMBER.finditer(text):
        try:
            if float(m.group(1).replace(",", "")) != value:
                continue
        except ValueError:
            continue
        before = text[: m.start()].split()[-width:]
        after = text[m.end():].split()[:width]
        return " ".join(before + [m.group(1)] + after).strip(" ,.;")
    return f"{value:g}"


def _fractional_counts(question: str, f: Formulation, outcome: RunOutcome) -> list[str]:
    """Continuous variables with fractional values whose own name or description says they count things."""
    if not outcome.values:
        return []
    counting = set()
    for v in f.variables:
        if v.type != "continuous":
            continue
        if counts_whole_things(f"{v.name.replace('_', ' ')} {v.description}"):
            counting.add(v.name)
    return fractional_names(outcome.values, lambda base: base in counting)


def fractional_names(values: dict[str, float] | None, counts: Callable[[str], bool]) -> list[str]:
    """Variables (by base name, ``x[1]`` -> ``x``) that ``counts`` says count things and have a fractional value."""
    names: list[str] = []
    for key, value in (values or {}).items():
        base = key.split("[", 1)[0]
        if base not in names and abs(value - round(value)) > 1e-6 and counts(base):
            names.append(base)
    return names
