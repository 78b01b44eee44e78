"""Few-shot retrieval: pick worked examples similar to the question (BM25 over words).

The default bank is ``optolab/agents/examples/bank.jsonl``: problems written for optolab with a
formulation whose optimum the test suite checks with the solver. Synthesized data can be added
with :meth:`ExampleBank.extend` or loaded from any JSONL file in the same format.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from optolab.errors import OptolabError

_WORD = re.compile(r"[a-z]+")
_STOP = frozenset("a an and are as at be by can each for from has have how if in is it its of on or per so "
                  "that the their there this to what which with will".split())


_NUM = re.compile(r"\d+(?:[.,]\d+)*")


_LISTED = r"\$?\d{1,3}(?:,\d{3})*(?:\.\d+)?(?:\s?[a-z%]+)?"
# five or more numbers listed in a row ("weighing 40 kg, 55 kg, 25 kg, 70 kg and 35 kg"): one per item of a list
_NUMBER_LIST = re.compile(rf"{_LISTED}(?:,\s+{_LISTED}){{3,}},?\s+(?:and|or)\s+{_LISTED}", re.I)


def looks_indexed(question: str) -> bool:
    """Whether a question reads like data over lists of things (a table, many numbers, or five or more
    numbers listed in a row) rather than a few decisions with a handful of numbers."""
    from optolab.agents.checks import label_numbers

    lines = question.splitlines()
    table = sum(1 for ln in lines if ln.count("|") >= 2 or ln.count("\t") >= 2) >= 2
    # the numbers of names ("process 1", "experiment 2") are not data: a two-process problem that names its
    # processes eight times is still a problem of two plain decisions
    labels = label_numbers(question)
    data = [n for n in _NUM.findall(question) if _value(n) not in labels]
    return table or len(data) > 14 or _NUMBER_LIST.search(question) is not None


def _value(number: str) -> float | None:
    try:
        return float(number.replace(",", ""))
    except ValueError:  # "1.2.3"
        return None


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 1]


@dataclass(frozen=True)
class Example:
    id: str
    question: str
    formulation: dict[str, Any]
    objective: float | None = None
    tags: tuple[str, ...] = ()
    problem_class: str | None = None  # one of :data:`optolab.agents.classes.CLASSES`; guessed from the words if None
    code: str | None = None  # verified Pyomo code (a bootstrapped demo); None: written from the formulation

    @property
    def indexed(self) -> bool:
        """Whether the example models data over sets (its formulation has sets; a code-only example:
        its question reads like indexed data, :func:`looks_indexed`)."""
        if self.formulation:
            return bool(self.formulation.get("sets"))
        return looks_indexed(self.question)


@dataclass
class ExampleBank:
    examples: list[Example] = field(default_factory=list)
    k1: float = 1.5
    b: float = 0.75

    def __post_init__(self) -> None:
        self._index()

    def _index(self) -> None:
        from optolab.agents.classes import problem_class

        self._classes = [e.problem_class or problem_class(e.question) for e in self.examples]
        self._indexed = [e.indexed for e in self.examples]
        self._docs = [Counter(words(e.question)) for e in self.examples]
        self._lens = [sum(d.values()) for d in self._docs]
        self._avg = (sum(self._lens) / len(self._lens)) if self._lens else 0.0
        df: Counter = Counter()
        for d in self._docs:
            df.update(d.keys())
        n = len(self._docs)
        self._idf = {w: math.log(1 + (n - c + 0.5) / (c + 0.5)) for w, c in df.items()}

    @classmethod
    def from_jsonl(cls, path: str | Path) -> "ExampleBank":
        path = Path(path)
        return cls(_read(path.read_text(encoding="utf-8").splitlines(), str(path)))

    @classmethod
    def default(cls) -> "ExampleBank":
        text = resources.files("optolab.agents").joinpath("examples", "bank.jsonl").read_text(encoding="utf-8")
        return cls(_read(text.splitlines(), "optolab/agents/examples/bank.jsonl"))

    def extend(self, examples: Iterable[Example]) -> None:
        self.examples.extend(examples)
        self._index()

    def __len__(self) -> int:
        return len(self.examples)

    def search(self, question: str, k: int = 2, *, exclude: Iterable[str] = (),
               max_overlap: float | None = None, match_shape: bool = True,
               match_class: bool | None = None, need_formulation: bool = False) -> list[Example]:
        """The ``k`` examples most similar to ``question`` (BM25), best first.

        ``max_overlap`` leaves out examples whose word sets overlap the question's by more than
        that Jaccard share: evaluations use it so a near-copy of the test question is never shown.
        ``match_shape`` ranks examples of the question's shape first (indexed over sets for a
        table or many numbers, plain variables otherwise): a small model copies the shape of
        what it is shown, and a two-variable problem modeled with sets invites indexing slips.
        Before that, examples tagged ``ratio`` (an objective that divides one total by another) go first for a
        question whose goal is a ratio and last for any other, whatever the options.
        ``match_class`` ranks examples of the question's class (:func:`~optolab.agents.classes.problem_class`:
        transportation, blending, lot sizing...) first within a shape, where the question's words make its
        class clear; by default (None) only for a question over sets, whose indexed examples differ most by
        class (a shipping table shown a facility-location example copies its open/close decisions).
        ``need_formulation`` leaves out code-only examples (bootstrapped demos), which the formulation
        strategy cannot show.
        """
        if k <= 0 or not self.examples:
            return []
        from optolab.agents.classes import problem_class
        from optolab.agents.goal import ratio_goal

        skip = set(exclude)
        q = set(words(question))
        indexed = looks_indexed(question)
        ratio = ratio_goal(question) is not None
        wanted = problem_class(question) if (indexed if match_class is None else match_class) else None
        scored = []
        for i, (doc, length) in enumerate(zip(self._docs, self._lens)):
            if self.examples[i].id in skip or (need_formulation and not self.examples[i].formulation):
                continue
            if max_overlap is not None and _jaccard(q, set(doc)) > max_overlap:
                continue
            s = 0.0
            for w in q:
                tf = doc.get(w)
                if tf:
                    s += self._idf[w] * tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * length / (self._avg or 1)))
            same = not match_shape or self._indexed[i] == indexed
            goal = ("ratio" in self.examples[i].tags) == ratio
            kind = wanted is not None and self._classes[i] == wanted
            scored.append((goal, same, kind, s, -i, self.examples[i]))
        scored.sort(key=lambda t: t[:5], reverse=True)
        return [t[5] for t in scored[:k]]


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def example_from_dict(d: dict[str, Any]) -> Example:
    """An :class:`Example` from its JSON form: ``id``, ``question``, and ``formulation`` or ``code`` (or both),
    optionally ``objective``, ``tags`` and ``problem_class``. Raises KeyError, TypeError or ValueError."""
    formulation, code = d.get("formulation"), d.get("code")
    if formulation is None and code is None:
        raise KeyError("formulation")
    if formulation is not None and not isinstance(formulation, dict):
        raise TypeError(f"formulation must be an object, got {type(formulation).__name__}")
    if code is not None and (not isinstance(code, str) or not code.strip()):
        raise ValueError("code must be non-empty Python text")
    if not isinstance(d["question"], str) or not d["question"].strip():
        raise ValueError("question must be non-empty text")
    return Example(id=str(d["id"]), question=d["question"], formulation=formulation or {},
                   objective=d.get("objective"), tags=tuple(d.get("tags", ())), problem_class=d.get("problem_class"),
                   code=code)


def _read(lines: list[str], where: str) -> list[Example]:
    from optolab.agents.classes import CLASSES

    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            out.append(example_from_dict(d))
        except (ValueError, KeyError, TypeError) as exc:
            raise OptolabError(f"{where}, line {n}: not a worked example ({exc}); each line needs "
                               "'id', 'question' and 'formulation' or 'code'") from None
        if out[-1].problem_class not in (None, *CLASSES):
            raise OptolabError(f"{where}, line {n}: problem_class {out[-1].problem_class!r} is none of "
                               f"{', '.join(CLASSES)}; use one of them or leave it out to have it guessed")
    return out
