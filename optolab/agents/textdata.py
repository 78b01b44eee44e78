"""Keyed lists of numbers in a question's prose, read into Python dicts for the code writer.

Beside its tables, a question often gives per-item data in a sentence: "Capacities are P1: 300, P2: 250,
P3: 200 pallets", "A depot costs $50,000 (D1), $40,000 (D2) or $45,000 (D3) per year", "Profit per unit is
$12 for A, $10 for B and $14 for C". A small model that has the table as a ready dict often reads such a
list from the wrong dict (``cost[p][d]`` for a capacity) or leaves it out. :func:`keyed_lists` finds such
lists whose keys are short labels (A, D1, P2: the names of items in the tables or lists of the text) and
names each after the words in front of it, so the prompt can show them beside the tables' data. Labels that
each take a verb ("Factory F1 supplies 60 units and factory F2 supplies 40", "W1 holds 70 units and W2 holds 50")
make a list named ``supply`` or ``demand`` after the verb. The row labels of the text's tables count as labels
in any case ("$1.00 for corn, $1.60 for soybeans" of a table with rows Corn, Soybeans), spelled as the table does.

:func:`numbered_lists` reads lists of four or more numbers without labels ("Seven parcels weighing 40 kg, 55 kg,
25 kg, ... and 15 kg", "five weeks with demands of 40, 60, 30, 70 and 50 hectolitres") as dicts keyed 1, 2, ...,
with the list of those keys named after the counted things ("parcels") where the text counts as many.
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
    values: dict[str, float | int] | dict[int, float | int] | list[int]
    source: str

    @property
    def definition(self) -> str:
        return f"{self.name} = {self.values!r}"


def _runs(text: str, item: str) -> list[re.Match]:
    """The runs of two or more items joined by commas, "and" or "or"."""
    run = re.compile(rf"{item}(?:{_JOIN}{re.sub(r'[?]P<[a-z]+>', '', item)})+")  # the repeats name no groups
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
    from optolab.agents.tables import read_tables

    # the row labels of the text's tables are labels too, in any case ("$1.60 for soybeans" of a "Soybeans" row)
    rows = {r[0].strip().lower(): r[0].strip() for t in read_tables(text or "") for r in t.rows
            if r and len(r[0].strip()) > 1 and not any(ch.isdigit() for ch in r[0])}
    forms = list(_FORMS)
    if rows:
        names = "|".join(re.escape(k) for k in sorted(rows, key=len, reverse=True))
        forms.append(rf"(?P<v>{_NUMBER})\s+(?:per\s+[a-z]+\s+)?for\s+(?i:(?P<k>{names}))\b")
    for pattern in forms:
        item = re.compile(pattern)
        for run in _runs(prose, pattern):
            if any(a < run.end() and run.start() < b for a, b in spans):
                continue
            items = [(rows.get(m.group("k").lower(), m.group("k")), cell_number(m.group("v")))
                     for m in item.finditer(run.group(0))]
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
    for start, end, keyed in _verb_lists(prose, set(used)):
        if any(a < end and start < b for a, b in spans):
            continue
        used.add(keyed.name)
        spans.append((start, end))
        found.append((start, keyed))
    return [k for _, k in sorted(found, key=lambda t: t[0])]


_NEED_VERBS = r"needs|requires|demands|wants|orders"
_HAVE_VERBS = r"supplies|holds|has|produces|stocks|can\s+supply|can\s+hold|can\s+produce|can\s+store|can\s+ship"
_VERB_ITEM = (rf"(?:\b[A-Za-z]+\s+)?(?P<k>[A-Z][A-Za-z]?\d{{1,2}})\s+(?P<verb>{_NEED_VERBS}|{_HAVE_VERBS})\s+"
              rf"(?P<v>{_NUMBER}){_UNIT}")


def _verb_lists(prose: str, used: set[str]) -> list[tuple[int, int, KeyedList]]:
    """"Factory F1 supplies 60 units and factory F2 supplies 40 units", "Customer C1 needs 45 units and customer
    C2 needs 55 units": labels that each take a verb of having or needing and a number, named ``supply`` or
    ``demand`` after the verb (one verb kind per list)."""
    item = re.compile(_VERB_ITEM)
    out = []
    for run in _runs(prose, _VERB_ITEM):
        items = [(m.group("k"), m.group("verb"), cell_number(m.group("v"))) for m in item.finditer(run.group(0))]
        labels = [k for k, _, _ in items]
        kinds = {bool(re.fullmatch(_NEED_VERBS, verb)) for _, verb, _ in items}
        if len(items) < 2 or len(set(labels)) != len(labels) or len(kinds) != 1 \
                or any(v is None for _, _, v in items):
            continue
        name = identifier("demand" if kinds.pop() else "supply", used)
        used.add(name)
        out.append((run.start(), run.end(), KeyedList(name, {k: v for k, _, v in items}, run.group(0))))
    return out


_PLAIN = r"\$?\d{1,3}(?:,\d{3})*(?:\.\d+)?"
_NUMBERED = re.compile(rf"(?P<first>{_PLAIN})(?P<unit>\s?[a-z%]{{1,12}})?(?:,\s+{_PLAIN}(?P=unit)?){{2,}},?\s+(?:and|or)\s+"
                       rf"{_PLAIN}(?P=unit)?(?P<tail>\s?[a-z]{{1,12}})?", re.I)
_NOT_UNITS = {"must", "are", "is", "were", "was", "can", "could", "will", "each", "per", "a", "an", "the", "to", "in",
              "on", "for", "of", "at", "by", "respectively", "should", "need", "needs"}
_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
           "eleven": 11, "twelve": 12}
_ING_NAMES = {"weighing": "weight", "costing": "cost", "taking": "time", "lasting": "duration", "needing": "demand",
              "requiring": "demand", "earning": "profit", "holding": "capacity", "measuring": "size",
              "paying": "pay", "yielding": "yield_", "using": "use"}


def _list_name(before: str) -> str:
    """A name for a numbered list from the words in front of it: "parcels weighing" -> "weight", "weeks with
    demands of" -> "demands"; "" when they give none."""
    clause = re.split(r"[.;:!?()]|,\s", before)[-1]
    words = re.findall(r"[A-Za-z]+", clause.lower())
    if words and words[-1] in _ING_NAMES:
        return _ING_NAMES[words[-1]]
    if words and words[-1] in _DEMAND_VERBS:
        return "demand"
    while words and words[-1] in _VERBS:
        words.pop()
    if "with" in words:
        words = words[len(words) - words[::-1].index("with"):]
    words = [w for w in words if w not in _DROP and w not in _COUNTS and not w.endswith("ing")]
    return "_".join(words[-2:])


def numbered_lists(text: str, taken: set[str] = frozenset()) -> list[KeyedList]:
    """Lists of four or more numbers without labels in ``text`` (tables left out), each as a dict keyed 1, 2, ...
    and named after the words in front of it, preceded by the list of keys named after the things the sentence
    counts ("Seven parcels") when it counts as many; lists with no name are left out."""
    prose = "\n".join(ln for ln in (text or "").splitlines() if ln.count("|") < 2)
    used: set[str] = set(taken)
    out: list[KeyedList] = []
    for run in _NUMBERED.finditer(prose):
        values = [cell_number(v) for v in re.findall(_PLAIN, run.group(0))]
        if any(v is None for v in values) or len(values) < 4 or values == list(range(1, len(values) + 1)):
            continue  # "for the item 1, 2, 3 and 4": labels, not data
        before = prose[:run.start()]
        base = _list_name(before)
        if not base:
            continue
        sentence = re.split(r"[.!?]\s", before)[-1]
        counted = [m.group(2) for m in re.finditer(r"\b(\d+|[a-z]+)\s+([a-z]{3,}s)\b", sentence.lower())
                   if _COUNTS.get(m.group(1), int(m.group(1)) if m.group(1).isdigit() else 0) == len(values)]
        keys = list(range(1, len(values) + 1))
        if counted and counted[-1] not in used and counted[-1] != base:
            used.add(counted[-1])
            out.append(KeyedList(counted[-1], keys, f"the {len(keys)} {counted[-1]}"))
        source = run.group(0)
        if run.group("tail") and run.group("tail").strip().lower() in _NOT_UNITS:
            source = source[: run.start("tail") - run.start()]
        name = identifier(base, used)
        used.add(name)
        out.append(KeyedList(name, dict(zip(keys, values)), source))
    return out
