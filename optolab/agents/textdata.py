"""Keyed lists of numbers in a question's prose, read into Python dicts for the code writer.

Beside its tables, a question often gives per-item data in a sentence: "Capacities are P1: 300, P2: 250,
P3: 200 pallets", "A depot costs $50,000 (D1), $40,000 (D2) or $45,000 (D3) per year", "Profit per unit is
$12 for A, $10 for B and $14 for C". A small model that has the table as a ready dict often reads such a
list from the wrong dict (``cost[p][d]`` for a capacity) or leaves it out. :func:`keyed_lists` finds such
lists whose keys are short labels (A, D1, P2: the names of items in the tables or lists of the text) and
names each after the words in front of it, so the prompt can show them beside the tables' data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from optolab.agents.tables import cell_number, identifier

_LABEL = r"[A-Z][A-Za-z]?\d{0,2}"
_NUMBER = r"-?\$?\d(?:[\d,]*\d)?(?:\.\d+)?%?"  # never ending in the comma after it
_JOIN = r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*;\s*)"
_UNIT = r"(?:\s*(?!and\b|or\b)[a-z]{1,8}\b\.?)?"  # "300 t, R2: ..." "45 units and"
# the three forms: "P1: 300", "$50,000 (D1)", "$12 for A"
_FORMS = (
    rf"(?P<k>{_LABEL})\s*:\s*(?P<v>{_NUMBER}){_UNIT}",
    rf"(?P<v>{_NUMBER})\s*\((?P<k>{_LABEL})\)",
    rf"(?P<v>{_NUMBER})\s+for\s+(?P<k>{_LABEL})\b",
)
_VERBS = {"are", "is", "were", "was", "be", "of", "equal", "equals", "as", "follows", "at", "to", "hold", "holds",
          "get", "gets", "gives", "give", "has", "have", "like", "amount", "amounts", "by", "with"}
_DEMAND_VERBS = {"need", "needs", "require", "requires", "demand", "demands", "want", "wants", "order", "orders"}
_DROP = {"a", "an", "the", "each", "every", "its", "their", "these", "those", "this", "that", "and", "while",
         "whereas", "but", "also", "then", "which", "respectively"}


@dataclass(frozen=True)
class KeyedList:
    """One list of the text: its name, its entries (label -> number, in the order written) and the words as
    written."""

    name: str
    values: dict[str, float | int]
    source: str

    @property
    def definition(self) -> str:
        return f"{self.name} = {self.values!r}"


def _runs(text: str, item: str) -> list[re.Match]:
    """The runs of two or more items joined by commas, "and" or "or"."""
    run = re.compile(rf"{item}(?:{_JOIN}{item.replace('?P<k>', '').replace('?P<v>', '')})+")
    return list(run.finditer(text))


def _name(before: str) -> str:
    """A name for the list from the words in front of it in its clause ("Opening costs per year are" ->
    "opening_costs", "Regions need" -> "demand"); "" when they give none."""
    clause = re.split(r"[.;:!?()]|,\s", before)[-1]
    words = re.findall(r"[A-Za-z]+", clause.lower())
    if words and words[-1] in _DEMAND_VERBS:  # "Regions need R1: 300" (but "depot demands are ..." is a name)
        return "demand"
    while words and words[-1] in _VERBS:
        words.pop()
    for cut in ("per", "in", "for", "at"):
        if cut in words:
            words = words[:words.index(cut)]
    words = [w for w in words if w not in _DROP]
    return "_".join(words[-3:])


def keyed_lists(text: str, taken: set[str] = frozenset()) -> list[KeyedList]:
    """The keyed lists of numbers in ``text`` (tables left out), each named after the words in front of it
    and not one of ``taken``; a list whose labels repeat or whose words give no name is left out."""
    prose = "\n".join(ln for ln in (text or "").splitlines() if ln.count("|") < 2)
    found: list[tuple[int, KeyedList]] = []
    used: set[str] = set(taken)
    spans: list[tuple[int, int]] = []
    for pattern in _FORMS:
        item = re.compile(pattern)
        for run in _runs(prose, pattern):
            if any(a < run.end() and run.start() < b for a, b in spans):
                continue
            items = [(m.group("k"), cell_number(m.group("v"))) for m in item.finditer(run.group(0))]
            labels = [k for k, _ in items]
            if len(items) < 2 or len(set(labels)) != len(labels) or any(v is None for _, v in items):
                continue
            base = _name(prose[:run.start()])
            if not base:
                continue
            name = identifier(base, used)
            used.add(name)
            spans.append((run.start(), run.end()))
            found.append((run.start(), KeyedList(name, dict(items), run.group(0))))
    return [k for _, k in sorted(found, key=lambda t: t[0])]
