"""Design questions about a solid, read from the text and checked against the code's formulas.

Textbook optimization asks for the dimensions of a container: a can of 1000 cubic centimetres made with the
least metal, a box with a square base and no top that holds 100 cubic inches, the largest box folded from a
24 by 36 inch sheet with squares cut from its corners. The modelling is a matter of area and volume formulas,
and it is where small models slip: a closed box's area for an open one, the top and bottom of a can priced
like its side, a hemisphere's volume as a sphere's, a height variable left out.

:func:`~optolab.agents.solid_text.read_solid` reads such a question: the solid (a cylinder, a box with a square base, a box whose base
length is a multiple of its width, a box folded from a sheet, a box with a square end under a length-plus-girth
limit, a cylinder inside a sphere), which faces it has and what each costs per unit area, the volume it must
hold or the material it may use, and what is optimized. :func:`fix_solid` compares the code's objective and
rows with the solid's formulas, evaluated at sample points under every matching of the code's variables to the
solid's dimensions, and writes the model from the formulas when they disagree (or the code lacks a dimension),
with every difference named. A question that is not clearly one of these solids leaves the code alone.
"""

from __future__ import annotations

import ast
import itertools
import math
import random
import re

from optolab.agents.arith import arith
from optolab.agents.codeast import call_name, literal_values, objective_call, objective_expr, quiet_fix, variable_names
from optolab.agents.solid_text import Solid, read_solid

__all__ = ["Solid", "fix_solid", "formulas", "program", "read_solid"]


# --- the solid's formulas, in the names of its dimensions -----------------------------------------------------

def formulas(solid: Solid) -> tuple[str, str, list[tuple[str, str, float, str | None]]]:
    """(objective expression, sense, rows) in the dimensions' names; a row is (expression, relation, number, the
    inequality code may state instead of an equality row, which binds at the optimum: a volume at least, a
    material at most; None where only the equality will do)."""
    w = solid.weights
    if solid.kind == "folded box":
        a, b = solid.sheet
        return ("length * width * height", "maximize",
                [("length + 2 * height", "==", a, "<="), ("width + 2 * height", "==", b, "<=")])
    if solid.kind == "girth box":
        return "side ** 2 * length", "maximize", [("length + 4 * side", "<=", solid.limit, None)]
    if solid.kind == "cylinder in sphere":
        return ("math.pi * radius ** 2 * height", "maximize",
                [("radius ** 2 + (height / 2) ** 2", "<=", solid.limit ** 2, None)])
    if solid.kind == "cylinder":
        end = {"flat": "math.pi * radius ** 2", "square": "4 * radius ** 2", "hemisphere": "2 * math.pi * radius ** 2"}
        faces = {"sides": "2 * math.pi * radius * height", "bottom": end[solid.bottom], "top": end[solid.top]}
        volume = "math.pi * radius ** 2 * height"
        if solid.top == "hemisphere":
            volume += " + 2 / 3 * math.pi * radius ** 3"
    elif solid.kind == "square box":
        faces = {"sides": "4 * side * height", "bottom": "side ** 2", "top": "side ** 2"}
        volume = "side ** 2 * height"
    else:  # long box
        faces = {"sides": "2 * length * height + 2 * width * height", "bottom": "length * width",
                 "top": "length * width"}
        volume = "length * width * height"
    terms = []
    for face in ("bottom", "top", "sides"):
        if w[face]:
            terms.append(faces[face] if w[face] == 1 else f"{w[face]:g} * ({faces[face]})")
    material = " + ".join(terms)
    rows = [(f"length - {solid.ratio:g} * width", "==", 0.0, None)] if solid.kind == "long box" else []
    if solid.goal == "material":
        rows.append((volume, solid.volume[0], solid.volume[1], ">="))
        obj, sense = material, "minimize"
    else:
        rows.append((material, solid.material[0], solid.material[1], "<="))
        obj, sense = volume, "maximize"
    return obj, sense, rows


def program(solid: Solid) -> str:
    """Pyomo code for the solid from its formulas."""
    obj, sense, rows = formulas(solid)
    lines = ["import math", "import pyomo.environ as pyo", "", "model = pyo.ConcreteModel()",
             f"# {solid.described}"]
    if solid.kind == "folded box":
        a, b = solid.sheet
        upper = {"height": b / 2, "length": a, "width": b}
    else:
        # SCIP's spatial search needs finite bounds to finish in a fraction of a second on these models; no
        # answer lies a thousand times beyond the solid's own scale
        scale = solid.limit or (solid.volume[1] ** (1 / 3) if solid.volume else math.sqrt(solid.material[1]))
        upper = dict.fromkeys(solid.dimensions, float(f"{1000 * max(scale, 1e-6):.3g}"))
    for d in solid.dimensions:
        lines.append(f"model.{d} = pyo.Var(domain=pyo.NonNegativeReals, bounds=(0, {upper[d]:g}))")
        lines.append(f"{d} = model.{d}")
    if solid.kind == "folded box":  # the square cut from each corner is as wide as the box is high
        lines += [f"model.cut_side = pyo.Var(domain=pyo.NonNegativeReals, bounds=(0, {upper['height']:g}))",
                  "cut_side = model.cut_side", "model.cut_is_height = pyo.Constraint(expr=cut_side == height)"]
    lines.append(f"model.objective = pyo.Objective(expr={obj}, sense=pyo.{sense})")
    for i, (expr, rel, value, _) in enumerate(rows):
        name = _row_name(solid, i)
        lines.append(f"model.{name} = pyo.Constraint(expr={expr} {rel} {value:g})")
    return "\n".join(lines) + "\n"


def _row_name(solid: Solid, i: int) -> str:
    if solid.kind == "folded box":
        return ("length_left", "width_left")[i]
    if solid.kind == "long box" and i == 0:
        return "base_ratio"
    if solid.kind == "girth box":
        return "length_and_girth"
    if solid.kind == "cylinder in sphere":
        return "inside_sphere"
    return "volume" if solid.goal == "material" else "material"


# --- comparing the code with the formulas ------------------------------------------------------------------

def _code_rows(tree: ast.Module) -> list[ast.Compare]:
    """The comparisons the code states as constraints (``Constraint(expr=...)``, ``.add(...)``)."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (call_name(node) == "Constraint" or
                                           isinstance(node.func, ast.Attribute) and node.func.attr == "add"):
            exprs = [kw.value for kw in node.keywords if kw.arg == "expr"] + list(node.args)
            out += [e for e in exprs if isinstance(e, ast.Compare) and len(e.ops) == 1]
    return out


def _evaluate(expr: str | ast.AST, values: dict[str, float]) -> float | None:
    node = ast.parse(expr, mode="eval") if isinstance(expr, str) else expr
    return arith(node, {**values, "pi": math.pi})


def _points(solid: Solid, count: int = 3) -> list[dict[str, float]]:
    rng = random.Random(7)
    return [{d: rng.uniform(0.5, 3.0) for d in solid.dimensions} for _ in range(count)]


def _same(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _row_matches(row: tuple[str, str, float, str | None], code_rows: list[ast.Compare],
                 env: list[dict[str, float]]) -> bool:
    """Whether some code row states the formula row: a positive multiple of it in its direction (an equality
    row also as the inequality that binds at the optimum), or a multiple of it as an equality."""
    expr, rel, value, binding = row
    want = [(_evaluate(expr, p) or 0.0) - value for p in env]
    for c in code_rows:
        diffs = []
        for p in env:
            left, right = _evaluate(c.left, p), _evaluate(c.comparators[0], p)
            diffs.append(None if left is None or right is None else left - right)
        if None in diffs or any(abs(w) <= 1e-12 for w in want):
            continue
        ratios = [d / w for d, w in zip(diffs, want)]
        if not all(_same(r, ratios[0]) for r in ratios) or abs(ratios[0]) < 1e-12:
            continue
        op = c.ops[0]
        if isinstance(op, ast.Eq):
            return True
        if not isinstance(op, (ast.GtE, ast.Gt, ast.LtE, ast.Lt)):
            continue
        direction = ">=" if isinstance(op, (ast.GtE, ast.Gt)) == (ratios[0] > 0) else "<="
        if direction == (binding if rel == "==" else rel):
            return True
    return False


_ALIASES = {"radius": {"r", "rad", "radius"}, "height": {"h", "height", "ht", "hgt"},
            "side": {"s", "side", "x", "a", "base", "edge", "sidelength", "baseside", "sidelen"},
            "length": {"l", "length", "len"}, "width": {"w", "width", "wid"}}


def _named_as(name: str, dimension: str) -> bool:
    """Whether a variable's name says which dimension it is: ``r`` or ``can_radius`` for the radius."""
    plain = re.sub(r"[^a-z]", "", name.lower())
    return plain in _ALIASES[dimension] or dimension in name.lower()


def _agrees(tree: ast.Module, solid: Solid, names: list[str], eliminated: str | None = None) -> tuple[str, ...] | None:
    """The code's variables matched to the solid's dimensions (in order, less ``eliminated``), under which the
    code's objective and rows are the solid's formulas; None when no matching makes them so.

    ``eliminated``: a dimension the code has no variable for because it wrote it out through the volume (or
    material) row, ``h = V / (pi r^2)``; that row is then solved for it at each sample point and not looked for
    in the code."""
    obj, sense, rows = formulas(solid)
    goal = objective_expr(tree)
    call = objective_call(tree)
    if goal is None or call is None:
        return None
    code_sense = "maximize" if any(kw.arg == "sense" and "max" in ast.unparse(kw.value) for kw in call.keywords) \
        else "minimize"
    if code_sense != sense:
        return None
    named = {k: float(v) for k, v in literal_values(tree).items()
             if isinstance(v, (int, float)) and not isinstance(v, bool)}
    code_rows = _code_rows(tree)
    kept = [d for d in solid.dimensions if d != eliminated]
    env_solid = _points(solid)
    if eliminated is not None:
        *rows, fixing = rows
        for p in env_solid:
            p[eliminated] = _solved_for(fixing, eliminated, p)
            if p[eliminated] is None:
                return None
    for chosen in itertools.permutations(names, len(kept)):
        env_code = [{**named, **{c: p[d] for c, d in zip(chosen, kept)}} for p in env_solid]
        if not all(_same(_evaluate(obj, p), _evaluate(goal.value, q)) for p, q in zip(env_solid, env_code)):
            continue
        renamed = [{**named, **p, **q} for p, q in zip(env_solid, env_code)]
        if all(_row_matches(_in_code_names(r, chosen, kept), code_rows, renamed) for r in rows):
            return chosen
    return None


def _solved_for(row: tuple, dimension: str, point: dict[str, float]) -> float | None:
    """The value of ``dimension`` that makes a row linear in it hold with equality at ``point``."""
    expr, _, value, _ = row
    at0, at1 = _evaluate(expr, {**point, dimension: 0.0}), _evaluate(expr, {**point, dimension: 1.0})
    if at0 is None or at1 is None or abs(at1 - at0) < 1e-12:
        return None
    return (value - at0) / (at1 - at0)


def _in_code_names(row: tuple, chosen: tuple[str, ...], dimensions: list[str]) -> tuple:
    """A formula row with the dimensions written as the code's variables (matched in ``chosen``)."""
    expr, rel, value, binding = row
    mapping = dict(zip(dimensions, chosen))
    node = ast.parse(expr, mode="eval")
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and n.id in mapping:
            n.id = mapping[n.id]
    return ast.unparse(node), rel, value, binding


@quiet_fix
def fix_solid(code: str, question: str):
    """The solid's model from its formulas where the code's objective or rows disagree with them (see the module
    text); None when the question is not such a design question or the code already agrees."""
    from optolab.agents.program import Program

    solid = read_solid(question)
    if solid is None:
        return None
    tree = ast.parse(code)
    names = variable_names(tree)
    if not names:
        return None
    dimensions, chosen = solid.dimensions, None
    if len(names) >= len(dimensions):
        chosen = _agrees(tree, solid, names)
    elif len(names) == len(dimensions) - 1 and "height" in dimensions and solid.kind != "folded box":
        # the height written out through the volume row: ``0.002 * (2 * pi * r ** 2 + 2 * 1000 / r)``
        dimensions = [d for d in dimensions if d != "height"]
        chosen = _agrees(tree, solid, names, eliminated="height")
    obj, sense, rows = formulas(solid)
    stated = f"{sense} `{obj}` subject to " + ", ".join(f"`{e} {r} {v:g}`" for e, r, v, _ in rows)
    if chosen is not None:
        misnamed = [(c, d) for c, d in zip(chosen, dimensions) if not _named_as(c, d)]
        if not misnamed:
            return None
        note = (f"the text describes {solid.described}, and the code states its formulas, but "
                + ", ".join(f"`{c}` is its {d}" for c, d in misnamed)
                + ": the model is written with each dimension under its own name, " + stated)
    else:
        note = (f"the text describes {solid.described}; the code's objective or rows are not its "
                f"{'area' if solid.goal == 'material' else 'volume'} formulas, so the model was written from them: "
                + stated)
    return Program(program(solid), [note], from_text=True)
