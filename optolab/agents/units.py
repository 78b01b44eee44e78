"""Times in minutes and hours mixed in one constraint.

Word problems often give what one item takes in minutes and what is available in hours ("a phone takes 45
minutes of assembly ... 300 hours of assembly time"). Small models copy the numbers as written, so a row adds
minutes to hours (``45 * phones + 1.5 * tablets <= 300``). The model solves, so no solver status reveals it.

:func:`fix_time_units` takes each constraint ``... (<=|>=|==) N`` whose limit ``N`` the text gives in hours or
in minutes (the same unit at every mention), and converts every other number of the row that the text gives
in the other unit to the limit's unit. A row that already converts (a division, or a 60 the text does not
give as a time) and numbers whose unit is unclear are left alone.
"""

from __future__ import annotations

import ast
import re

from optolab.agents.checks import mentions_of
from optolab.agents.codeast import call_name, data_dicts
from optolab.agents.relation_core import constant_values, number_of

# the word after a number that gives its unit, and what one of it is in the family's base unit
_UNIT_AFTER = re.compile(r"\s*-?\s*(?:(?:labou?r|machine|man|person|worker|work|production|processing)[\s-]?)?"
                         r"(minutes?|mins?|hours?|hrs?|h|grams?|g|kilograms?|kgs?|kilos?|tonnes?|tons?|t)\b", re.I)
_SCALE = {"minute": ("time", 1 / 60), "hour": ("time", 1.0),
          "gram": ("mass", 0.001), "kilogram": ("mass", 1.0), "tonne": ("mass", 1000.0)}
_PLURAL = {"minute": "minutes", "hour": "hours", "gram": "grams", "kilogram": "kilograms", "tonne": "tonnes"}


def _unit_name(word: str) -> str:
    w = word.lower()
    if w.startswith("min"):
        return "minute"
    if w.startswith("h"):
        return "hour"
    if w.startswith("k"):
        return "kilogram"
    if w.startswith("g"):
        return "gram"
    return "tonne"


def time_unit(question: str, value: float) -> str | None:
    """The unit the text writes ``value`` with at every mention ('minute', 'hour', 'gram', 'kilogram',
    'tonne'), or None when it names none, or different ones."""
    units = set()
    for m in mentions_of(question, value):
        after = _UNIT_AFTER.match(question, m.end(1))
        if not after:
            return None
        units.add(_unit_name(after.group(1)))
    return units.pop() if len(units) == 1 else None


def _mixed_families(question: str) -> set[str]:
    """The unit families ('time', 'mass') of which the text uses two different units."""
    seen: dict[str, set[str]] = {}
    for m in re.finditer(r"(?<![\w.])\d[\d,]*(?:\.\d+)?", question):
        after = _UNIT_AFTER.match(question, m.end())
        if after:
            unit = _unit_name(after.group(1))
            seen.setdefault(_SCALE[unit][0], set()).add(unit)
    return {family for family, units in seen.items() if len(units) > 1}


def _data_dicts(tree: ast.Module) -> dict[str, ast.Dict]:
    """The code's data dicts whose values are all plain numbers (``weight = {'A': 800, ...}``)."""
    return {k: d for k, d in data_dicts(tree).items() if all(
        isinstance(v, ast.Constant) and isinstance(v.value, (int, float)) and not isinstance(v.value, bool)
        for v in d.values)}


def _numbers(node: ast.AST, named: dict[str, float], dicts: dict[str, ast.Dict] = {}) -> list[tuple[ast.AST, float]]:
    """The number literals of an expression (names set to numbers, and the values of a data dict it
    indexes, included), outside subscripts."""
    out: list[tuple[ast.AST, float]] = []

    def visit(n: ast.AST) -> None:
        if isinstance(n, ast.Subscript):
            if isinstance(n.value, ast.Name) and n.value.id in dicts:
                out.extend((v, float(v.value)) for v in dicts[n.value.id].values)
                return
            visit(n.value)
            return
        value = number_of(n, named)
        if value is not None:
            out.append((n, value))
            return
        for child in ast.iter_child_nodes(n):
            visit(child)

    visit(node)
    return out


class _Replace(ast.NodeTransformer):
    def __init__(self, new: dict[int, float]):
        self.new = new

    def visit(self, node: ast.AST) -> ast.AST:
        if id(node) in self.new:
            return ast.copy_location(ast.Constant(_round(self.new[id(node)])), node)
        return super().visit(node)


def _round(x: float) -> float | int:
    r = round(x, 12)
    return int(r) if r == int(r) else r


def _fix_row(node: ast.Compare, question: str, named: dict[str, float], dicts: dict[str, ast.Dict],
             families: set[str]) -> tuple[dict[int, float], str] | None:
    """The new values (by node id) that put every number of the row in the unit of its limit, and what the
    text gives in which unit (for the note), or None."""
    for side, limit in ((node.left, node.comparators[0]), (node.comparators[0], node.left)):
        value = number_of(limit, named)
        if value is None:
            continue
        unit = time_unit(question, value)
        if unit is None or _SCALE[unit][0] not in families:
            return None
        if any(isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Div, ast.FloorDiv)) for n in ast.walk(side)):
            return None  # the code converts already (45 / 60)
        numbers = _numbers(side, named, dicts)
        factors = (60, 1000, 0.001, 1 / 60)
        if any(v in factors and time_unit(question, v) is None for _, v in numbers):
            return None
        family, scale = _SCALE[unit]
        new, given = {}, {}
        for n, v in numbers:
            other = time_unit(question, v)
            if other is not None and other != unit and _SCALE[other][0] == family:
                new[id(n)] = v * _SCALE[other][1] / scale
                given.setdefault(other, []).append(f"{v:g}")
        words = "; ".join(f"{', '.join(dict.fromkeys(vs))} in {_PLURAL[u]}" for u, vs in given.items())
        return (new, f"the text gives the limit {value:g} in {_PLURAL[unit]} and {words}") if new else None
    return None


def fix_time_units(code: str, question: str):
    """Model code whose constraints add minutes to hours (or kilograms to tonnes): the same code with those
    numbers converted to the unit of each row's limit (a :class:`optolab.agents.program.Program` saying what
    changed), or None. A data dict is converted only where it serves that one row."""
    from optolab.agents.program import Program

    families = _mixed_families(question)
    if not families:
        return None
    try:
        tree = ast.parse(code)
        named = constant_values(tree)
        dicts = _data_dicts(tree)
        uses: dict[str, int] = {}
        for n in ast.walk(tree):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in dicts:
                uses[n.id] = uses.get(n.id, 0) + 1
        changes, new = [], {}
        for call in [n for n in ast.walk(tree) if isinstance(n, ast.Call) and call_name(n) == "Constraint"]:
            expr = [kw.value for kw in call.keywords if kw.arg == "expr"]
            if len(expr) != 1 or not isinstance(expr[0], ast.Compare) or len(expr[0].ops) != 1:
                continue
            used_here = {n.id for n in ast.walk(expr[0]) if isinstance(n, ast.Name) and n.id in dicts}
            here = {k: dicts[k] for k in used_here if uses[k] == sum(
                1 for n in ast.walk(expr[0]) if isinstance(n, ast.Name) and n.id == k)}
            if used_here - set(here):
                continue  # a data dict that other rows read too
            row = _fix_row(expr[0], question, named, here, families)
            if row:
                before = ast.unparse(expr[0])
                new.update(row[0])
                changes.append((before, expr[0], [d for d in here if any(id(v) in row[0] for v in here[d].values)],
                                row[1]))
        if not changes:
            return None
        tree = _Replace(new).visit(tree)
        ast.fix_missing_locations(tree)
        assigned = {n.targets[0].id: n for n in tree.body if isinstance(n, ast.Assign) and len(n.targets) == 1
                    and isinstance(n.targets[0], ast.Name)}
        notes = [f"`{before}` became `{ast.unparse(node)}`"
                 + "".join(f" with `{ast.unparse(assigned[d])}`" for d in data if d in assigned) + f": {why}"
                 for before, node, data, why in changes]
    except Exception:  # noqa: BLE001 - a heuristic fix that trips leaves the code as it was
        return None
    return Program.changed(tree, notes)


_DECISION_UNIT = re.compile(r"\b(?:per|a|each|every|how\s+many|how\s+much\s+in)\s+"
                            r"(minutes?|mins?|hours?|hrs?|grams?|kilograms?|kgs?|kilos?|tonnes?|tons?)\b", re.I)


def _decision_unit(question: str) -> str | None:
    """The one unit the text prices or asks the decisions in ("$0.40 per kg", "how many kg"), or None."""
    units = {_unit_name(m.group(1)) for m in _DECISION_UNIT.finditer(question)}
    return units.pop() if len(units) == 1 else None


def _plain_sum(node: ast.AST) -> bool:
    """Whether ``node`` adds references only (``a + b``, ``x['A'] + x['B']``, ``sum(x[i] for i in S)``)."""
    if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _plain_sum(node.left) and _plain_sum(node.right)
    if isinstance(node, ast.Call) and call_name(node) == "sum" and len(node.args) == 1 \
            and isinstance(node.args[0], ast.GeneratorExp):
        return _plain_sum(node.args[0].elt)
    return False


def fix_total_units(code: str, question: str):
    """Model code with a row ``a + b == 1`` where the text gives 1 in tonnes ("must weigh exactly 1 tonne") and
    prices or asks the decisions in kilograms ("$0.40 per kg"): the limit converted to the decisions' unit
    (1000), as a :class:`optolab.agents.program.Program` saying what changed, or None. Only rows that add the
    decisions with no number of their own, and only within one family (time, mass)."""
    from optolab.agents.program import Program

    unit = _decision_unit(question)
    if unit is None:
        return None
    try:
        tree = ast.parse(code)
        named = constant_values(tree)
        changes = []
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Compare) and len(node.ops) == 1):
                continue
            for side, attr in ((node.left, "comparators"), (node.comparators[0], "left")):
                limit = node.comparators[0] if attr == "comparators" else node.left
                value = number_of(limit, named)
                given = time_unit(question, value) if value is not None else None
                if given is None or given == unit or _SCALE[given][0] != _SCALE[unit][0] or not _plain_sum(side):
                    continue
                new = ast.Constant(_round(value * _SCALE[given][1] / _SCALE[unit][1]))
                before = ast.unparse(node)
                if attr == "comparators":
                    node.comparators = [new]
                else:
                    node.left = new
                changes.append(f"`{before}` became `{ast.unparse(node)}`: the text gives {value:g} in "
                               f"{_PLURAL[given]} and the decisions in {_PLURAL[unit]}")
                break
    except Exception:  # noqa: BLE001 - a heuristic fix that trips leaves the code as it was
        return None
    return Program.changed(tree, changes)
