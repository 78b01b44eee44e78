"""What the code says about how its decisions relate: the comparisons between them, read off the syntax tree.

A :class:`Relation` is one comparison of the model code with the decisions on each side (:class:`Ref`: a
name and its factor) and the constants; the checks of :mod:`optolab.agents.relations` read them against the
text's phrases (:func:`phrase_refs` finds the decisions a phrase names).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from optolab.agents.checks import name_words, stem
from optolab.agents.codeast import base_name, top_level_assignments


_SKIP = {"the", "of", "a", "an", "number", "amount", "total", "many", "much", "as", "than", "be", "is", "are",
         "must", "should", "can", "at", "least", "most"}
_OPS = (ast.LtE, ast.GtE, ast.Eq, ast.Lt, ast.Gt)
MIRROR = {"<=": ">=", ">=": "<=", "<": ">", ">": "<", "==": "=="}


@dataclass(frozen=True)
class Ref:
    """One mention of a decision variable: ``vans``, ``x['vans']`` (index ``vans``) or ``x[i]`` (index ``*``)."""

    base: str
    index: str | None = None

    def words(self) -> set[str]:
        return name_words(self.base) | (name_words(self.index) if self.index else set())

    def overlaps(self, other: "Ref") -> bool:
        return self.base == other.base and (self.index is None or other.index is None or "*" in (self.index, other.index)
                                            or self.index == other.index)

    def __str__(self) -> str:
        return self.base if self.index is None else f"{self.base}[{self.index}]"


def refs_in(node: ast.AST, variables: set[str]) -> list[Ref]:
    out: list[Ref] = []
    seen_inner: set[int] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Subscript) and base_name(n.value) in variables:
            idx = n.slice
            index = str(idx.value) if isinstance(idx, ast.Constant) else "*"
            out.append(Ref(base_name(n.value), index))
            seen_inner.add(id(n.value))
        elif isinstance(n, (ast.Name, ast.Attribute)) and id(n) not in seen_inner and base_name(n) in variables:
            if isinstance(n, ast.Attribute) or isinstance(n.ctx, ast.Load):
                out.append(Ref(base_name(n)))
    return out


def constants_in(node: ast.AST) -> set[float]:
    """The numbers of an expression, with ``60 / 100`` and ``60 * 0.01`` also read as 0.6."""
    out: set[float] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Constant) and isinstance(n.value, (int, float)) and not isinstance(n.value, bool):
            out.add(round(float(n.value), 9))
        elif isinstance(n, ast.BinOp) and isinstance(n.left, ast.Constant) and isinstance(n.right, ast.Constant):
            a, b = n.left.value, n.right.value
            if isinstance(a, (int, float)) and isinstance(b, (int, float)):
                if isinstance(n.op, ast.Div) and b:
                    out.add(round(a / b, 9))
                elif isinstance(n.op, ast.Mult):
                    out.add(round(a * b, 9))
    return out


@dataclass
class Relation:
    """A two-sided comparison of the code whose both sides mention decisions."""

    left: ast.AST
    right: ast.AST
    left_refs: list[Ref]
    right_refs: list[Ref]
    op: str  # "<=", ">=", "==", "<", ">"
    source: str
    node: ast.Compare | None = None


def parsed(code: str | ast.AST) -> ast.AST | None:
    if isinstance(code, ast.AST):
        return code
    try:
        return ast.parse(code)
    except SyntaxError:
        return None


def relations(code: str | ast.AST, variables: list[str]) -> list[Relation]:
    tree = parsed(code)
    if tree is None:
        return []
    names = set(variables)
    out = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Compare) and len(n.ops) == 1 and isinstance(n.ops[0], _OPS):
            left, right = refs_in(n.left, names), refs_in(n.comparators[0], names)
            if left and right:
                op = ast.unparse(ast.Compare(ast.Name("a"), n.ops, [ast.Name("b")])).split()[1]
                out.append(Relation(n.left, n.comparators[0], left, right, op, ast.unparse(n), n))
    return out


def disjoint_refs(a: list[Ref], b: list[Ref]) -> bool:
    return not any(x.overlaps(y) for x in a for y in b)


def phrase_refs(phrase: str, refs: list[Ref]) -> list[Ref]:
    """The refs that a noun phrase ("large trucks") names best, by shared word stems."""
    words = {stem(w) for w in re.split(r"[^a-z0-9]+", phrase.lower()) if w and w not in _SKIP}  # "full-time"
    scored = [(len(words & r.words()), r) for r in refs]
    best = max((s for s, _ in scored), default=0)
    return [r for s, r in scored if s == best and best > 0]


QUALIFIER_START = re.compile(r"\b(?:at\s+(?:least|most)|no\s+(?:more|less|fewer)\s+than|not\s+(?:more|less|fewer)"
                              r"\s+than|a\s+(?:minimum|maximum)\s+of|up\s+to)\b", re.I)


def qualifier_of(text: str) -> str | None:
    """"lower" for the last "at least" / "no less than" in ``text``, "upper" for "at most" / "no more than"."""
    last = None
    for m in QUALIFIER_START.finditer(text):
        last = m.group(0).lower()
    if last is None:
        return None
    return "lower" if re.search(r"least|less|fewer|minimum", last) else "upper"


def number_of(node: ast.AST, named: dict[str, float]) -> float | None:
    """The number a side of a comparison is: a literal (``2200``) or a name the code sets to one (``demand``,
    with ``named`` from :func:`constant_values`); None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.Name) and node.id in named:
        return named[node.id]
    return None


def constant_values(tree: ast.AST) -> dict[str, float]:
    """Names the code sets once, at the top level, to a plain number (``demand = 60000``, or ``demand, cost = 2400,
    50``)."""
    values: dict[str, float] = {}
    counts: dict[str, int] = {}
    for name, value in top_level_assignments(tree):
        counts[name] = counts.get(name, 0) + 1
        if isinstance(value, ast.Constant) and isinstance(value.value, (int, float)) \
                and not isinstance(value.value, bool):
            values[name] = float(value.value)
    return {k: v for k, v in values.items() if counts[k] == 1}
