"""Mechanical repairs of a formulation, applied before any check or run.

A small model often writes ``station[1]`` for a variable it declared without an index,
``sum(station)`` for the sum over an indexed variable (which in Pyomo would add up the *index
values*), ``gen[G1]`` for the set element ``'G1'``, a chained range ``3 <= p <= 10`` or
``p >= 3 and p <= 10`` as one constraint, ``"for_each": "pipes"`` for ``"p in pipes"``, names a
decision ``open`` (a Python builtin the sandbox refuses to see called), declares an empty set it
never uses, or looks up a parameter by a scalar decision's name (``time[boats] * boats`` with
``time = [20, 40]`` over ``['boat', 'canoe']``). Each has one sensible reading, so it is fixed here
instead of costing a repair round-trip to the model (which, asked, mostly repeats itself).
Every fix is recorded so the agent can report it.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Callable

from optolab.agents.formulation import Constraint, Formulation
from optolab.solvers.policy import FORBIDDEN_NAMES


def _expressions(f: Formulation) -> list[str]:
    return [f.objective.expression] + [c.expression for c in f.constraints]


def _subscripts(expr: str, name: str) -> list[ast.expr]:
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError:
        return []
    return [n.slice for n in ast.walk(tree)
            if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name) and n.value.id == name]


def _constants(nodes: list[ast.expr]) -> list | None:
    """The constant subscripts, or None if any subscript is not a single constant."""
    out = []
    for n in nodes:
        if isinstance(n, ast.Constant):
            out.append(n.value)
        else:
            return None
    return out


def autofix(f: Formulation) -> tuple[Formulation, list[str]]:
    notes: list[str] = []
    f = f.model_copy(deep=True)
    for v in f.variables:
        if v.index:
            continue
        subs = [s for e in _expressions(f) for s in _subscripts(e, v.name)]
        if not subs:
            continue
        consts = _constants(subs)
        candidates = []
        for set_name, elements in f.sets.items():
            if consts is not None and all(c in elements for c in consts):
                candidates.append(set_name)
        if consts is None and len(f.sets) == 1:
            candidates = list(f.sets)
        if len(candidates) == 1:
            v.index = [candidates[0]]
            notes.append(f"variable {v.name} is used with an index, so it was declared over {candidates[0]}")
        elif consts is not None and not candidates:  # station[1], station[2] and no set holds 1 and 2
            elements = sorted(set(consts), key=str)
            set_name = f"{v.name}_index"
            f.sets[set_name] = elements
            v.index = [set_name]
            notes.append(f"variable {v.name} is used as {v.name}[...], so it was declared over {elements}")
    _drop_unused_indexes(f, notes)
    _drop_unused_empty_sets(f, notes)
    _rename_reserved(f, notes)
    _fix_misspelled_names(f, notes)
    _look_up_by_element(f, notes)
    _quote_set_elements(f, notes)
    _split_ranges(f, notes)
    _complete_for_each(f, notes)
    indexed = {v.name for v in f.variables if v.index}
    for item in [f.objective, *f.constraints]:
        fixed = _sum_of_indexed(item.expression, indexed)
        if fixed != item.expression:
            notes.append(f"sum over an indexed variable rewritten: {item.expression!r} -> {fixed!r}")
            item.expression = fixed
    _total_of_a_bare_objective(f, indexed, notes)
    return f, notes


def _used_names(f: Formulation) -> set[str]:
    """Every name the expressions, loops and variable indexes mention."""
    used = {i for v in f.variables for i in v.index}
    for _, tree, _ in _parsed(f):
        used |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    for c in f.constraints:
        used |= set(re.findall(r"\w+", c.for_each or ""))
    return used


def _bare_uses_only(f: Formulation, name: str) -> bool:
    """Whether ``name`` is used, and only bare: never subscripted, summed (``sum(x)``) or asked for
    its ``.values()``."""
    bare = False
    for _, tree, bound in _parsed(f):
        if name in bound:
            return False
        for n in ast.walk(tree):
            if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name) and n.value.id == name:
                return False
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == name:
                return False
            if (isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "sum"
                    and any(isinstance(a, ast.Name) and a.id == name for a in n.args)):
                return False
            bare = bare or (isinstance(n, ast.Name) and n.id == name)
    return bare


def _drop_unused_indexes(f: Formulation, notes: list[str]) -> None:
    """A variable declared over a set but only ever used bare (``5*elephants`` with ``elephants``
    over ``elephants_set``) is one number: its index goes (and the set, if nothing else uses it)."""
    if any(c.for_each for c in f.constraints):
        return
    freed: set[str] = set()
    for v in f.variables:
        if v.index and _bare_uses_only(f, v.name):
            notes.append(f"variable {v.name} is only used without an index, so it is one number "
                         f"(it was declared over {v.index})")
            freed |= set(v.index)
            v.index = []
    _remove_sets(f, freed & set(f.sets) - _used_names(f), "sets that only those indexes used", notes)


def _drop_unused_empty_sets(f: Formulation, notes: list[str]) -> None:
    """A set with no elements that nothing uses (``"pigeons_set": []`` beside a scalar ``pigeons``) goes."""
    empty = {name for name, elements in f.sets.items() if isinstance(elements, list) and not elements}
    if empty:
        _remove_sets(f, empty - _used_names(f), "empty sets that nothing uses", notes)


def _remove_sets(f: Formulation, names: set[str], what: str, notes: list[str]) -> None:
    if names:
        f.sets = {k: v for k, v in f.sets.items() if k not in names}
        notes.append(f"{what} removed: {sorted(names)}")


def _forms(word: str) -> set[str]:
    """A word and its possible singulars: "canoes" -> {"canoes", "canoe", "cano"}, "boxes" -> {..., "box"}."""
    w = re.sub(r"\W+", "_", word.strip().lower()).strip("_")
    out = {w}
    for tail, repl in (("ies", "y"), ("es", ""), ("s", "")):
        if w.endswith(tail) and len(w) > len(tail) + 2:
            out.add(w[:-len(tail)] + repl)
    return out


def _element_named(name: str, elements: list) -> int | None:
    """The position of the one element that names the same thing as ``name`` ("boats" and "boat",
    "water_softener" and "water softener", "type_ii" and "Type II"), or None."""
    forms = _forms(name)
    hits = [i for i, e in enumerate(elements) if isinstance(e, str) and _forms(e) & forms]
    return hits[0] if len(hits) == 1 else None


class _ElementLookup(ast.NodeTransformer):
    """``param[scalar_variable]`` becomes the number the parameter holds for the element the variable is named after."""

    def __init__(self, f: Formulation, bound: set[str]):
        self.f, self.bound = f, bound
        self.scalars = {v.name for v in f.variables if not v.index}
        self.changed: list[str] = []

    def _value(self, param: str, var: str) -> float | None:
        data = self.f.parameters.get(param)
        if isinstance(data, dict):
            keys = list(data)
            at = _element_named(var, [str(k) for k in keys])
            value = data[keys[at]] if at is not None else None
        elif isinstance(data, list):
            sets = [els for els in self.f.sets.values() if isinstance(els, list) and len(els) == len(data)]
            spots = {_element_named(var, els) for els in sets} - {None}
            value = data[spots.pop()] if len(spots) == 1 else None
        else:
            value = None
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        self.generic_visit(node)
        if (isinstance(node.value, ast.Name) and node.value.id in self.f.parameters and isinstance(node.slice, ast.Name)
                and node.slice.id in self.scalars and node.slice.id not in self.bound):
            value = self._value(node.value.id, node.slice.id)
            if value is not None:
                self.changed.append(f"{node.value.id}[{node.slice.id}] = {value}")
                return ast.copy_location(ast.Constant(value), node)
        return node


def _look_up_by_element(f: Formulation, notes: list[str]) -> None:
    def fix(tree: ast.AST, bound: set[str]) -> tuple[ast.AST, str]:
        fixer = _ElementLookup(f, bound)
        tree = fixer.visit(tree)
        changed = ", ".join(fixer.changed)
        return tree, f"parameters looked up by the element a variable is named after ({changed})" if changed else ""

    _rewrite_each(f, fix, notes)


def _total_of_a_bare_objective(f: Formulation, indexed: set[str], notes: list[str]) -> None:
    """An objective that is just an indexed variable's name ("minimize machines") is its total."""
    name = f.objective.expression.strip()
    if name in indexed:
        f.objective.expression = f"sum({name}.values())"
        notes.append(f"objective {name!r} over an indexed variable is its total: sum({name}.values())")


class _SumValues(ast.NodeTransformer):
    def __init__(self, names: set[str]):
        self.names = names

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if (isinstance(node.func, ast.Name) and node.func.id == "sum" and len(node.args) == 1
                and isinstance(node.args[0], ast.Name) and node.args[0].id in self.names):
            node.args[0] = ast.Call(func=ast.Attribute(value=node.args[0], attr="values", ctx=ast.Load()),
                                    args=[], keywords=[])
        return node


def _sum_of_indexed(expr: str, names: set[str]) -> str:
    if "sum(" not in expr or not names:
        return expr
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError:
        return expr
    before = ast.dump(tree)
    tree = _SumValues(names).visit(tree)
    return expr if ast.dump(tree) == before else ast.unparse(tree)


def _rewrite_each(f: Formulation, fix: Callable[[ast.AST, set[str]], tuple[ast.AST, str]], notes: list[str]) -> None:
    """Runs ``fix(tree, bound names)`` on the objective and every constraint that parses; where it says
    what it changed, the expression becomes the rewritten tree and the note gives the before and after."""
    for item, tree, bound in _parsed(f):
        tree, what = fix(tree, bound)
        if what:
            new = ast.unparse(tree)
            notes.append(f"{what}: {item.expression!r} -> {new!r}")
            item.expression = new


def _parsed(f: Formulation):
    """(item, expression tree, names bound by its loops and for_each) for the objective and each constraint
    whose expression parses."""
    for item in [f.objective, *f.constraints]:
        try:
            tree = ast.parse(item.expression, mode="eval")
        except SyntaxError:
            continue
        loop = set(re.findall(r"(\w+)\s+in\b", getattr(item, "for_each", None) or ""))
        bound = {t.id for n in ast.walk(tree) if isinstance(n, ast.comprehension)
                 for t in ast.walk(n.target) if isinstance(t, ast.Name)} | loop
        yield item, tree, bound


def _defined(f: Formulation) -> set[str]:
    return set(f.sets) | set(f.parameters) | {v.name for v in f.variables}


class _QuoteElements(ast.NodeTransformer):
    """Bare names that are set elements (and nothing else) become string constants."""

    def __init__(self, elements: set[str], bound: set[str]):
        self.elements, self.bound = elements, bound
        self.changed: set[str] = set()

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if isinstance(node.ctx, ast.Load) and node.id in self.elements and node.id not in self.bound:
            self.changed.add(node.id)
            return ast.copy_location(ast.Constant(node.id), node)
        return node


def _quote_set_elements(f: Formulation, notes: list[str]) -> None:
    defined = _defined(f)
    elements = {e for v in f.sets.values() if isinstance(v, list) for e in v
                if isinstance(e, str) and e.isidentifier() and e not in defined}
    if not elements:
        return

    def fix(tree: ast.AST, bound: set[str]) -> tuple[ast.AST, str]:
        fixer = _QuoteElements(elements, bound)
        tree = fixer.visit(tree)
        return tree, f"set elements {sorted(fixer.changed)} quoted" if fixer.changed else ""

    _rewrite_each(f, fix, notes)


def _split_ranges(f: Formulation, notes: list[str]) -> None:
    """``a <= x <= b`` and ``x >= a and x <= b`` become two constraints."""
    out: list[Constraint] = []
    for c in f.constraints:
        try:
            tree = ast.parse(c.expression, mode="eval").body
        except SyntaxError:
            out.append(c)
            continue
        parts: list[str] = []
        if isinstance(tree, ast.BoolOp) and isinstance(tree.op, ast.And):
            parts = [ast.unparse(v) for v in tree.values]
        elif isinstance(tree, ast.Compare) and len(tree.ops) > 1:
            sides = [tree.left, *tree.comparators]
            parts = [ast.unparse(ast.Compare(left=sides[i], ops=[op], comparators=[sides[i + 1]]))
                     for i, op in enumerate(tree.ops)]
        if len(parts) < 2:
            out.append(c)
            continue
        notes.append(f"constraint {c.name} split into {len(parts)}: {parts}")
        for i, part in enumerate(parts, 1):
            out.append(c.model_copy(update={"name": f"{c.name}_{i}", "expression": part}))
    f.constraints = out


def _complete_for_each(f: Formulation, notes: list[str]) -> None:
    """A ``for_each`` naming only sets ("pipes", "['pipes']") gets the loop names the expression uses."""
    defined = _defined(f)
    for c in f.constraints:
        if not c.for_each or " in " in f" {c.for_each} ":
            continue
        sets = [s for s in re.findall(r"\w+", c.for_each) if s in f.sets]
        if not sets:
            continue
        try:
            tree = ast.parse(c.expression, mode="eval")
        except SyntaxError:
            continue
        bound = {t.id for n in ast.walk(tree) if isinstance(n, ast.comprehension)
                 for t in ast.walk(n.target) if isinstance(t, ast.Name)}
        free = []
        for n in ast.walk(tree):
            if (isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in defined
                    and n.id not in bound and n.id not in free and n.id not in ("sum", "min", "max", "abs")):
                free.append(n.id)
        if len(free) != len(sets):
            continue
        new = ", ".join(f"{name} in {s}" for name, s in zip(free, sets))
        notes.append(f"constraint {c.name}: for_each {c.for_each!r} -> {new!r}")
        c.for_each = new


_CALLS = {"sum", "min", "max", "abs", "len", "range", "exp", "log", "sqrt", "sin", "cos", "tan", "log10", "pi",
          "math", "pyo", "True", "False", "None", "e"}


class _Rename(ast.NodeTransformer):
    """Renames uses of names: loads only, or with ``every_use`` loop targets too."""

    def __init__(self, mapping: dict[str, str], every_use: bool = False):
        self.mapping = mapping
        self.every_use = every_use

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.mapping and (self.every_use or isinstance(node.ctx, ast.Load)):
            return ast.copy_location(ast.Name(self.mapping[node.id], node.ctx), node)
        return node


def _rename_reserved(f: Formulation, notes: list[str]) -> None:
    """Names the sandbox refuses in model code (``open``, ``input``, ``vars``...) get a trailing underscore,
    wherever they are defined or used: a decision "open" of a facility-location model is a variable, not a call."""
    used = _defined(f) | _used_names(f)
    mapping = {}
    for name in sorted(used & FORBIDDEN_NAMES):
        new = name + "_"
        while new in used:
            new += "_"
        mapping[name] = new
    if not mapping:
        return
    f.sets = {mapping.get(k, k): v for k, v in f.sets.items()}
    f.parameters = {mapping.get(k, k): v for k, v in f.parameters.items()}
    for v in f.variables:
        v.name = mapping.get(v.name, v.name)
        v.index = [mapping.get(i, i) for i in v.index]
    for item, tree, _ in _parsed(f):
        item.expression = ast.unparse(_Rename(mapping, every_use=True).visit(tree))
    for item in f.constraints:
        if item.for_each:
            item.for_each = re.sub(r"\w+", lambda m: mapping.get(m.group(0), m.group(0)), item.for_each)
    notes.append(f"names that Python reserves for builtins renamed: {mapping}")


def _fix_misspelled_names(f: Formulation, notes: list[str]) -> None:
    """An undefined name one or two letters away from exactly one defined name ("clorine" for
    "chlorine") is that name."""
    defined = sorted(_defined(f))
    elements = {str(e) for v in f.sets.values() if isinstance(v, list) for e in v}

    def fix(tree: ast.AST, bound: set[str]) -> tuple[ast.AST, str]:
        mapping = {}
        for n in ast.walk(tree):
            if (isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in defined
                    and n.id not in bound and n.id not in _CALLS and n.id not in elements and len(n.id) >= 4):
                close = difflib.get_close_matches(n.id, defined, n=2, cutoff=0.85)
                if len(close) == 1:
                    mapping[n.id] = close[0]
        return (_Rename(mapping).visit(tree), f"misspelled names {mapping} corrected") if mapping else (tree, "")

    _rewrite_each(f, fix, notes)


def focus_goal(f: Formulation, question: str) -> tuple[Formulation, list[str]]:
    """The objective becomes the one plain variable the question's goal names ("minimize the total
    number of bikes") when the model's objective counts other variables; see
    :func:`optolab.agents.checks.goal_variable`."""
    from optolab.agents.checks import expression_names, goal_variable

    found = goal_variable(question, [v.name for v in f.variables if not v.index],
                          expression_names(f.objective.expression))
    if found is None:
        return f, []
    target, goal = found
    f = f.model_copy(deep=True)
    f.objective.expression = target
    return f, [f"the objective is {target}: the question asks to {goal}"]


def count_goal(f: Formulation, question: str) -> tuple[Formulation, list[str]]:
    """The objective becomes the plain count of its decisions when the question's goal counts things and the
    objective weighs them by numbers the text gives for something else; see
    :func:`optolab.agents.goal.plain_count`."""
    from optolab.agents.goal import count_note, plain_count

    try:
        expr = ast.parse(f.objective.expression, mode="eval").body
        new = plain_count(question, expr, {v.name for v in f.variables},
                          {v.name for v in f.variables if v.type == "integer" and not v.index})
    except Exception:  # noqa: BLE001 - a heuristic that trips leaves the formulation as it was
        return f, []
    if new is None:
        return f, []
    before = f.objective.expression
    f = f.model_copy(deep=True)
    f.objective.expression = new
    return f, [count_note(before, new, question)]
