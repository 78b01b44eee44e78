"""Seed scenarios for reverse synthesis: step-by-step problems with formal lines, and the rules they must pass.

A scenario (the format of ReSocratic's seed pool) is a problem written in steps: ``## Define
Variables:``, ``## Define Objective Function:``, then ``## Generate Constraint-N:`` steps. Each step
has a plain-language description with its numbers, followed by formal lines starting with ``//``::

    ## Define Variables:
    A bakery decides how many loaves and cakes to bake.
    // {"number of loaves": "x", "range": "x >= 0", "type": "integer"}
    ## Define Objective Function:
    A loaf earns $3 and a cake $5. Maximize profit.
    // Maximize 3x + 5y

Seed files are read in two shapes: a JSON list of ``{"scenario", "type", ...}`` objects (ReSocratic's
``pool/linear.json``; ids become ``<file stem>-<position>``) and JSON lines of ``{"id", "type",
"scenario"}`` (optolab's own seeds, :func:`builtin_seeds`). A folder is read file by file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Sequence

from optolab.synth.errors import SynthError
from optolab.synth.numbercheck import missing_values

_HEADER = re.compile(r"^\s*#{2,}\s*(.+?)\s*:?\s*$")
_FORMAL_NUMBER = re.compile(r"(?<![\w.^*,])(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?")
_COMPARISON = re.compile(r"<=|>=|==|=|<|>|≤|≥")
TYPES = ("linear", "nonlinear")


@dataclass
class Step:
    """One step of a scenario: its title, its plain-language text and its formal (``//``) lines."""

    title: str
    text: str
    formal: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """``variables``, ``objective``, ``constraint`` or ``other``, from the title."""
        t = self.title.lower()
        if "variable" in t:
            return "variables"
        if "objective" in t:
            return "objective"
        if "constraint" in t:
            return "constraint"
        return "other"


def parse_steps(text: str) -> list[Step]:
    """The steps of a scenario, in order (text before the first header is ignored)."""
    steps: list[Step] = []
    for line in (text or "").splitlines():
        m = _HEADER.match(line)
        if m:
            steps.append(Step(title=m.group(1).strip(), text=""))
            continue
        if not steps:
            continue
        stripped = line.strip()
        if stripped.startswith("//"):
            steps[-1].formal.append(stripped[2:].strip())
        elif stripped:
            steps[-1].text = f"{steps[-1].text}\n{stripped}".strip()
    return steps


def natural_text(text: str) -> str:
    """The plain-language part of a scenario: its step texts without headers and formal lines."""
    return "\n".join(s.text for s in parse_steps(text) if s.text)


@dataclass
class Scenario:
    """A seed or generated scenario: its id, type (``linear`` / ``nonlinear``), text and where it came from."""

    id: str
    text: str
    type: str = "linear"
    source: str = ""

    @property
    def steps(self) -> list[Step]:
        return parse_steps(self.text)

    @property
    def natural(self) -> str:
        return natural_text(self.text)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "scenario": self.text, "source": self.source}


def _scenario_from(obj: Any, default_id: str, source: str) -> Scenario:
    if not isinstance(obj, dict) or not isinstance(obj.get("scenario"), str) or not obj["scenario"].strip():
        raise SynthError(f"{source}: entry {default_id} is not a seed scenario: it needs a non-empty 'scenario' text "
                         "(and optionally 'id' and 'type')")
    kind = str(obj.get("type") or "linear").strip().lower()
    if kind not in TYPES:
        raise SynthError(f"{source}: entry {default_id} has type {kind!r}; use one of {', '.join(TYPES)}")
    return Scenario(id=str(obj.get("id") or default_id), text=obj["scenario"].strip(), type=kind, source=source)


def read_seed_file(path: str | Path) -> list[Scenario]:
    """Scenarios of one seed file: a JSON list (ReSocratic's pool files) or JSON lines."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SynthError(f"cannot read seed file {path}: {exc.strerror}") from None
    stem = path.name.split(".")[0]
    text = raw.strip()
    if not text:
        raise SynthError(f"seed file {path} is empty")
    if text.startswith("["):
        try:
            items = json.loads(text)
        except ValueError as exc:
            raise SynthError(f"seed file {path} is not valid JSON: {exc}") from None
        return [_scenario_from(obj, f"{stem}-{i}", str(path)) for i, obj in enumerate(items)]
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise SynthError(f"seed file {path}, line {n}: not JSON ({exc}); write one JSON object per line or a "
                             "JSON list") from None
        out.append(_scenario_from(obj, f"{stem}-{n - 1}", str(path)))
    return out


def builtin_seeds() -> list[Scenario]:
    """optolab's own seed scenarios (``optolab/synth/seeds/scenarios.jsonl``)."""
    path = resources.files("optolab.synth").joinpath("seeds", "scenarios.jsonl")
    return [_scenario_from(json.loads(line), f"optolab-{i}", "builtin")
            for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()) if line.strip()]


def load_seeds(paths: Iterable[str | Path] | None = None) -> list[Scenario]:
    """Seed scenarios from files or folders (``*.json`` and ``*.jsonl`` inside, recursively); ``builtin`` (or no
    paths) means optolab's own seeds. Ids must be unique."""
    out: list[Scenario] = []
    for p in list(paths or ["builtin"]):
        if str(p) == "builtin":
            out.extend(builtin_seeds())
            continue
        path = Path(p)
        if path.is_dir():
            files = sorted(f for f in path.rglob("*") if f.suffix in (".json", ".jsonl") and f.is_file())
            if not files:
                raise SynthError(f"seed folder {path} holds no .json or .jsonl file")
            for f in files:
                out.extend(read_seed_file(f))
        elif path.is_file():
            out.extend(read_seed_file(path))
        else:
            raise SynthError(f"seed path {path} does not exist; give seed files (JSON list or JSON lines), folders "
                             "of them, or 'builtin'")
    seen: dict[str, str] = {}
    for s in out:
        if s.id in seen:
            raise SynthError(f"two seed scenarios have the id {s.id!r} ({seen[s.id]} and {s.source}); ids must be "
                             "unique")
        seen[s.id] = s.source
    if not out:
        raise SynthError("no seed scenarios were found")
    return out


@dataclass(frozen=True)
class ScenarioRules:
    """What a generated scenario must satisfy before it is used.

    ``min_chars``/``max_chars``: length of the plain-language text; ``max_constraints``: constraint steps;
    ``min_numbers``: numbers stated in the text; ``small``: formal-line numbers up to this value may be
    missing from the text (factors such as the 2 of ``2*pi*r``); ``max_unstated``: how many larger ones may.
    """

    min_chars: int = 120
    max_chars: int = 5000
    max_constraints: int = 15
    min_numbers: int = 2
    small: float = 4.0
    max_unstated: int = 0


def formal_numbers(lines: Sequence[str]) -> list[float]:
    """Numbers of formal lines, without exponents and factors written after ``*`` or ``^``."""
    out = []
    for line in lines:
        for m in _FORMAL_NUMBER.finditer(line):
            out.append(float(m.group(0).replace(",", "")))
    return out


def check_scenario(text: str, rules: ScenarioRules = ScenarioRules()) -> list[tuple[str, str]]:
    """Rule violations of a scenario as ``(rule, message)`` pairs; [] when it passes.

    Rules: ``steps`` (variables, objective and constraint steps present), ``formal`` (each of them has formal
    lines: variables, an objective, comparisons), ``objective`` (the objective says maximize or minimize),
    ``text`` (every step has a description), ``numbers`` (the text states numbers, and the numbers of the
    formal lines), ``length``.
    """
    from optolab.synth.numbercheck import text_numbers

    problems: list[tuple[str, str]] = []
    steps = parse_steps(text)
    kinds = [s.kind for s in steps]
    for need in ("variables", "objective", "constraint"):
        if need not in kinds:
            problems.append(("steps", f"no {need} step"))
    if problems:
        return problems
    for s in steps:
        if len(s.text) < 10:
            problems.append(("text", f"step {s.title!r} has no description"))
        if s.kind in ("variables", "objective", "constraint") and not s.formal:
            problems.append(("formal", f"step {s.title!r} has no formal line"))
        if s.kind == "constraint" and s.formal and not any(_COMPARISON.search(f) for f in s.formal):
            problems.append(("formal", f"step {s.title!r} has no comparison in its formal lines"))
    objective = [f for s in steps if s.kind == "objective" for f in s.formal]
    if not any(re.search(r"\b(maximi[sz]e|minimi[sz]e)\b", f, re.I) for f in objective):
        problems.append(("objective", "the objective step does not say Maximize or Minimize"))
    natural = natural_text(text)
    if len(natural) < rules.min_chars:
        problems.append(("length", f"the description is {len(natural)} characters; at least {rules.min_chars}"))
    if len(natural) > rules.max_chars:
        problems.append(("length", f"the description is {len(natural)} characters; at most {rules.max_chars}"))
    n_constraints = kinds.count("constraint")
    if n_constraints > rules.max_constraints:
        problems.append(("length", f"{n_constraints} constraint steps; at most {rules.max_constraints}"))
    stated = text_numbers(natural)
    if len(stated) < rules.min_numbers:
        problems.append(("numbers", f"the description states {len(stated)} numbers; at least {rules.min_numbers}"))
    formal = [f for s in steps if s.kind in ("objective", "constraint") for f in s.formal]
    unstated = [v for v in missing_values([x for x in formal_numbers(formal) if x > rules.small], natural)]
    if len(unstated) > rules.max_unstated:
        problems.append(("numbers", f"numbers of the formal lines missing from the description: "
                                    f"{', '.join(unstated[:12])}"))
    return problems
