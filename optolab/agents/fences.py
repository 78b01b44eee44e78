"""Rectangles fenced or edged: three textbook shapes a small model gets wrong while its model still solves.

- "A rock wall is one side of the garden and wire fencing the other three; 100 ft of fencing": the fencing
  is ``length + 2 * width``. Small models write the four-sided perimeter ``2 * length + 2 * width`` or a
  garbled ``2 * length + 3 * width``, and the area comes out a half or a third of the right one
  (:func:`fix_three_sided_fence`).
- "Shrubs at $25 per foot along three sides and fencing at $10 per foot along the fourth": the cost is
  ``35 * length + 50 * width``; models price all four sides alike or drop one (:func:`fix_priced_sides`).
- "A pen of 1600 square feet with the least fencing": models minimize the area the row fixes, which asks
  nothing; the fencing is the perimeter (:func:`fix_fenced_area_goal`).

Each needs the code to have exactly one product of two decisions (the area) and rewrites one expression in
those two. Where it matters which side is which, the side along the border (or the one that carries the fourth
side) is the decision named for the length, otherwise the one not named for the width or depth, otherwise the
first declared; the best area or cost is the same either way. A text that names no border is never read as
fenced on three sides, and a text about a box, a can or a cylinder never as a fenced rectangle.
"""

from __future__ import annotations

import ast
import re

from optolab.agents.codeast import base_name, variable_names
from optolab.agents.datakeys import parent_map
from optolab.agents.goal import linear_terms, sum_terms, term_weights
from optolab.agents.relation_core import constant_values, number_of, parsed

_BORDER = re.compile(r"\b(wall|walls|house|river|riverbank|barn|building|cliff|shed|garage|stream|canal)\b", re.I)
_ONE_SIDE_FREE = re.compile(
    r"\b(three sides|3 sides|other three|fourth side|one side\b|"
    r"as a border|as the fourth|do not need to fence|does not need (?:a )?fenc|no fenc)", re.I)
_MATERIAL = re.compile(r"fenc|netting|\bwire\b|railing|enclos", re.I)
_ALONG = ("length", "long")
_ACROSS = ("width", "wide", "depth", "deep", "breadth")


def three_sided(question: str) -> bool:
    return bool(_MATERIAL.search(question) and _BORDER.search(question) and _ONE_SIDE_FREE.search(question))


def _decision(node: ast.AST, decisions: set[str]) -> str | None:
    name = base_name(node)
    return name if name in decisions and isinstance(node, (ast.Name, ast.Attribute)) else None


def _is_mult(node: ast.AST | None) -> bool:
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult)


def _factors(node: ast.AST) -> list[ast.AST]:
    return _factors(node.left) + _factors(node.right) if _is_mult(node) else [node]


def _fencing(node: ast.AST, pair: set[str], named: dict[str, float]) -> dict[str, float] | None:
    """The weights of an expression that is a positive linear form in exactly the two decisions of ``pair``."""
    if len(sum_terms(node)) != 2:
        return None
    refs, weights = linear_terms(node, pair), term_weights(node, pair, named)
    if refs is None or weights is None:
        return None
    found = dict(zip((base_name(r) for r in refs), weights))
    if set(found) != pair or any(w <= 0 for w in weights):
        return None
    return found


def _along(pair: list[str]) -> str:
    """The side along the border: the one named for the length, else the one not named for the width, else
    the first."""
    along = [d for d in pair if any(w in d.lower() for w in _ALONG)]
    if len(along) == 1:
        return along[0]
    across = [d for d in pair if any(w in d.lower() for w in _ACROSS)]
    if len(across) == 1:
        return next(d for d in pair if d != across[0])
    return pair[0]


def _sides(node: ast.AST, order: list[str], pair: set[str]) -> tuple[ast.AST, ast.AST]:
    """The first references in ``node`` to the side along the border and to the other side (see :func:`_along`)."""
    refs: dict[str, ast.AST] = {}
    for n in ast.walk(node):
        d = _decision(n, set(order))
        if d:
            refs.setdefault(d, n)
    along = _along([d for d in order if d in pair])
    return refs[along], refs[next(d for d in pair if d != along)]


def _weighted_sides(a: float, b: float, along: ast.AST, across: ast.AST) -> ast.expr:
    """``a * along + b * across``, a weight of 1 left out."""
    def term(w: float, ref: ast.AST) -> ast.expr:
        return ref if w == 1 else ast.BinOp(ast.Constant(int(w) if float(w).is_integer() else w), ast.Mult(), ref)
    return ast.BinOp(term(a, along), ast.Add(), term(b, across))


def _rectangle(code: str) -> tuple[ast.Module, list[str], set[str]] | None:
    """The parsed code, its decisions in order and the two whose product is its one product of decisions
    (the area); None for code of another shape."""
    tree = parsed(code)
    if tree is None:
        return None
    order = variable_names(tree)
    decisions = set(order)
    products = set()  # the decisions of each product of decisions (a whole chain a * b * c)
    parents = parent_map(tree)
    for node in ast.walk(tree):
        if _is_mult(node) and not _is_mult(parents.get(id(node))):
            factors = {_decision(f, decisions) for f in _factors(node)} - {None}
            if len(factors) >= 2:
                products.add(frozenset(factors))
    if len(products) != 1 or len(next(iter(products))) != 2:
        return None
    return tree, order, set(next(iter(products)))


def fix_three_sided_fence(code: str, question: str):
    """Code whose fencing of a rectangle against a wall counts four sides (or any other weights): the fencing
    rewritten as the side along the wall plus twice the other; None when the text or the code is not of that
    shape, or the fencing is already so."""
    from optolab.agents.program import Program

    if not three_sided(question):
        return None
    found = _rectangle(code)
    if found is None:
        return None
    tree, order, pair = found
    decisions = set(order)
    named = constant_values(tree)
    sides = []  # (holder node, attribute, weights)
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and len(node.comparators) == 1:
            left, right = node.left, node.comparators[0]
            for attr, side, other in (("left", left, right), (None, right, left)):
                weights = _fencing(side, pair, named)
                if weights is not None and number_of(other, named) is not None:
                    sides.append((node, attr, weights))
        elif isinstance(node, ast.keyword) and node.arg == "expr":
            weights = _fencing(node.value, pair, named)
            if weights is not None:
                sides.append((node, "value", weights))
    if len(sides) != 1:
        return None
    holder, attr, weights = sides[0]
    old = holder.left if attr == "left" else holder.value if attr == "value" else holder.comparators[0]
    along, across = _sides(old, order, pair)
    if weights == {base_name(along): 1.0, base_name(across): 2.0}:
        return None
    new = _weighted_sides(1, 2, along, across)
    if attr == "left":
        holder.left = new
    elif attr == "value":
        holder.value = new
    else:
        holder.comparators[0] = new
    note = (f"the fencing `{ast.unparse(old)}` counted four sides (or other weights), but the text fences three, "
            f"a border taking the fourth: it is `{ast.unparse(new)}` now ({base_name(along)} along the border)")
    return Program.changed(tree, [note])


_PER_LENGTH = r"\$\s?(\d+(?:\.\d+)?)\s*(?:per|a|each|/)\s*(?:linear\s+)?(?:foot|feet|ft|meter|metre|m|yard|yd)\b"
_PRICED_SIDES = re.compile(_PER_LENGTH + r"[^.$]{0,40}?\b(?:three|3) sides\b[^.$]{0,60}?" + _PER_LENGTH
                           + r"[^.$]{0,40}?\b(?:fourth|remaining|other) side\b", re.I)


def _linear_in(node: ast.AST, pair: set[str], decisions: set[str]) -> bool:
    """Whether ``node`` reads both decisions of ``pair``, no other decision, and none of them in a product,
    quotient, power or call with another decision."""
    def reads(n: ast.AST) -> bool:
        return any(_decision(x, decisions) for x in ast.walk(n))

    seen = {_decision(x, decisions) for x in ast.walk(node)} - {None}
    if seen != pair:
        return False
    for n in ast.walk(node):
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mult) and reads(n.left) and reads(n.right):
            return False
        if isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Div, ast.FloorDiv, ast.Pow, ast.Mod)) and reads(n.right):
            return False
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow) and reads(n.left):
            return False
        if isinstance(n, ast.Call) and reads(n):
            return False
    return True


def fix_priced_sides(code: str, question: str):
    """"$25 per foot along three sides and $10 per foot along the fourth" of a rectangle of a given area: the
    cost is ``(25 + 10) * length + 2 * 25 * width`` (the fourth side and the one across from it run along the
    length). Code whose objective is some other linear cost of the rectangle's two sides gets that one; None
    when the text prices no sides so, the code has no one product of two decisions, or the cost is already
    right."""
    from optolab.agents.codeast import objective_expr
    from optolab.agents.program import Program

    m = _PRICED_SIDES.search(question)
    if m is None:
        return None
    three, fourth = float(m.group(1)), float(m.group(2))
    found = _rectangle(code)
    if found is None:
        return None
    tree, order, pair = found
    goal = objective_expr(tree)
    if goal is None or not _linear_in(goal.value, pair, set(order)):
        return None
    along, across = _sides(goal.value, order, pair)
    new = _weighted_sides(three + fourth, 2 * three, along, across)
    if ast.unparse(new) == ast.unparse(goal.value):
        return None
    old = ast.unparse(goal.value)
    goal.value = new
    note = (f"the cost `{old}` does not price the sides as the text does (${three:g} per unit of length along three "
            f"sides, ${fourth:g} along the fourth): it is `{ast.unparse(new)}` now, the fourth side and the one "
            f"across from it being {base_name(along)}")
    return Program.changed(tree, [note])


_LEAST_FENCE = re.compile(r"\b(minimi[sz]e|least|smallest|cheapest|lowest)\b[^.?]{0,60}\b(material|fenc\w*|perimeter|"
                          r"border|edging)|\b(material|fenc\w*|perimeter)\b[^.?]{0,40}\b(minimi[sz]\w*|least|smallest)",
                          re.I)


_SOLID = re.compile(r"\b(cylind\w*|box|boxes|cube|sphere|cone|volume|cubic|can|tank)\b", re.I)


def fix_fenced_area_goal(code: str, question: str):
    """"A rectangular pen of 1600 square feet: the dimensions that minimize the fencing": code that minimizes
    the area it also fixes (``length * width`` as the objective and in the row ``length * width == 1600``) asks
    nothing; the fencing is the perimeter, ``2 * length + 2 * width`` (``length + 2 * width`` against a
    wall). None when the text asks for no least fencing or material of a rectangle, or the objective is not
    the fixed product."""
    from optolab.agents.codeast import objective_expr
    from optolab.agents.program import Program

    if not (re.search(r"rectang", question, re.I) and _LEAST_FENCE.search(question)) or _SOLID.search(question):
        return None
    found = _rectangle(code)
    if found is None:
        return None
    tree, order, pair = found
    goal = objective_expr(tree)
    decisions = set(order)
    if goal is None or not _is_mult(goal.value) \
            or {_decision(f, decisions) for f in _factors(goal.value)} != pair:
        return None
    product = ast.unparse(goal.value)
    named = constant_values(tree)
    fixed = [n for n in ast.walk(tree) if isinstance(n, ast.Compare) and len(n.ops) == 1
             and isinstance(n.ops[0], (ast.Eq, ast.GtE)) and ast.unparse(n.left) == product
             and number_of(n.comparators[0], named) is not None]
    if not fixed:
        return None
    along, across = _sides(goal.value, order, pair)
    weight = 1 if three_sided(question) else 2
    new = _weighted_sides(weight, 2, along, across)
    goal.value = new
    sides = "three sides, a border taking the fourth" if weight == 1 else "the perimeter"
    note = (f"the objective `{product}` is the area the row `{ast.unparse(fixed[0])}` fixes, so it asks nothing; "
            f"the text asks for the least fencing or material: `{ast.unparse(new)}` ({sides})")
    return Program.changed(tree, [note])
