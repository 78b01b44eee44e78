"""The program strategy: the LLM writes the Pyomo model code itself, the library tidies it before it runs.

A small coder model often writes a correct model for a short problem directly, but wraps it in
things the sandbox must not run or does not need: a solver call, prints, a ``__main__`` block, a
function that is never called. :func:`clean_program` removes those mechanically (it reads the
syntax tree, nothing runs) and makes sure the model ends up in the variable ``model``, where the
sandbox looks for it. The runner, not the code, solves the model.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

_FENCE = re.compile(r"```[ \t]*(?:python|py)?[ \t]*\n(.*?)(?:```|\Z)", re.S | re.I)
# calls whose statements are dropped: solving, printing, writing files
_DROP_CALLS = frozenset({"print", "display", "pprint", "solve", "write", "SolverFactory", "SolverManagerFactory",
                         "log_infeasible_constraints"})


@dataclass
class Program:
    """Model code ready for the sandbox, and what cleaning it changed."""

    code: str
    changes: list[str] = field(default_factory=list)


class ProgramError(ValueError):
    """The reply holds no usable Python code; the message says what to fix."""


def extract_code(reply: str) -> str:
    """The Python code of a reply: the fenced block that builds a model, or the whole reply."""
    blocks = [b.strip() for b in _FENCE.findall(reply or "")]
    blocks = [b for b in blocks if b]
    if blocks:
        with_model = [b for b in blocks if "ConcreteModel" in b]
        return max(with_model or blocks, key=len)
    return (reply or "").strip()


def _call_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        f = node.func
        if isinstance(f, ast.Name):
            return f.id
        if isinstance(f, ast.Attribute):
            return f.attr
    return None


def _calls(node: ast.AST) -> set[str]:
    return {n for n in (_call_name(x) for x in ast.walk(node)) if n}


def _names(node: ast.AST) -> set[str]:
    return {x.id for x in ast.walk(node) if isinstance(x, ast.Name)}


def _targets(stmt: ast.stmt) -> set[str]:
    out: set[str] = set()
    targets = stmt.targets if isinstance(stmt, ast.Assign) else \
        [stmt.target] if isinstance(stmt, (ast.AnnAssign, ast.AugAssign, ast.For)) else []
    for t in targets:
        out |= {x.id for x in ast.walk(t) if isinstance(x, ast.Name)}
    return out


def _is_main_guard(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.If) and "__name__" in _names(stmt.test)


def _clean_body(body: list[ast.stmt], dropped: set[str], changes: list[str]) -> list[ast.stmt]:
    """Statements of ``body`` without solver calls, output, and anything that reads their results."""
    out: list[ast.stmt] = []
    for stmt in body:
        if _is_main_guard(stmt):
            changes.append("ran the body of the __main__ block at top level")
            out.extend(_clean_body(stmt.body, dropped, changes))
            continue
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            stmt.body = _clean_body(stmt.body, set(dropped), changes) or [ast.Pass()]
            out.append(stmt)
            continue
        if isinstance(stmt, (ast.For, ast.While, ast.If, ast.With, ast.Try)) and not (_names(
                getattr(stmt, "test", None) or getattr(stmt, "iter", None) or ast.Pass()) & dropped):
            inner = _clean_body(stmt.body, dropped, changes)
            if not inner:  # a loop or branch that only printed
                continue
            stmt.body = inner
            if getattr(stmt, "orelse", None):
                stmt.orelse = _clean_body(stmt.orelse, dropped, changes)
            out.append(stmt)
            continue
        calls = _calls(stmt)
        if calls & _DROP_CALLS or _names(stmt) & dropped:
            dropped |= _targets(stmt)
            what = sorted(calls & _DROP_CALLS) or sorted(_names(stmt) & dropped)
            changes.append(f"removed line {stmt.lineno} ({', '.join(what)}): solving and output are the runner's job")
            continue
        out.append(stmt)
    return out


def _model_variable(tree: ast.Module) -> str | None:
    """The top-level name bound to ``ConcreteModel()`` (or to a call of a function that returns one)."""
    builders = {f.name for f in tree.body if isinstance(f, ast.FunctionDef) and "ConcreteModel" in _calls(f)}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            if _call_name(stmt.value) in ({"ConcreteModel"} | builders):
                return stmt.targets[0].id
    return None


def _bound_names(tree: ast.Module) -> set[str]:
    """Names the code binds anywhere (assignments, loops, comprehensions, functions, arguments, imports)."""
    import builtins

    bound = set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    bound |= _star_names(getattr(node, "module", None) or "")
                else:
                    bound.add((alias.asname or alias.name).split(".")[0])
    return bound


def _star_names(module: str) -> set[str]:
    if module.split(".")[0] != "pyomo":
        return set()
    import importlib

    try:
        return {n for n in dir(importlib.import_module(module)) if not n.startswith("_")}
    except ImportError:
        return set()


# mathematical names small models use without importing them (the pyomo functions work on variables)
_MATH_NAMES = {"pi": "from math import pi", "sqrt": "from pyomo.environ import sqrt",
               "exp": "from pyomo.environ import exp", "log": "from pyomo.environ import log",
               "log10": "from pyomo.environ import log10", "sin": "from pyomo.environ import sin",
               "cos": "from pyomo.environ import cos", "tan": "from pyomo.environ import tan"}


def _fix_undefined_names(tree: ast.Module, changes: list[str]) -> None:
    """Two slips of small models, fixed before the code runs:

    - ``model.trucks = pyo.Var(...)`` and later a bare ``trucks``: bind ``trucks = model.trucks``
      right after the component is made;
    - ``cost[canoe]`` where ``'canoe'`` is an element of a list or a key of a dict: quote it;
    - ``pi``, ``sqrt``, ``exp`` ... used without an import: import them.
    """
    bound = _bound_names(tree)
    undefined = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - bound
    maths = sorted(undefined & set(_MATH_NAMES))
    if maths:
        tree.body[:0] = [ast.parse(_MATH_NAMES[n]).body[0] for n in maths]
        undefined -= set(maths)
        changes.append(f"imported {', '.join(maths)}, which the code uses without importing")
    if not undefined:
        return
    components: dict[str, int] = {}  # name -> index of the top-level statement that makes model.<name>
    for i, stmt in enumerate(tree.body):
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            t = stmt.targets[0]
            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.attr in undefined:
                components.setdefault(t.attr, i)
    for name, i in sorted(components.items(), key=lambda kv: -kv[1]):
        model_name = tree.body[i].targets[0].value.id
        tree.body.insert(i + 1, ast.parse(f"{name} = {model_name}.{name}").body[0])
        changes.append(f"bound the name {name} to {model_name}.{name}, which the code uses without defining it")
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    quoted = sorted((undefined - set(components)) & strings)
    if quoted:
        class Quote(ast.NodeTransformer):
            def visit_Name(self, node: ast.Name) -> ast.AST:
                if node.id in quoted and isinstance(node.ctx, ast.Load):
                    return ast.copy_location(ast.Constant(node.id), node)
                return node

        Quote().visit(tree)
        changes.append(f"quoted {', '.join(quoted)}: element names are strings")


class _UnrollAdds(ast.NodeTransformer):
    """``c.add(expr for i in I)`` hands a generator to ``add``, which wants one relation: make it a loop."""

    def __init__(self, changes: list[str]) -> None:
        self.changes = changes

    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        call = node.value
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "add"
                and len(call.args) == 1 and not call.keywords
                and isinstance(call.args[0], (ast.GeneratorExp, ast.ListComp))
                and isinstance(call.args[0].elt, ast.Compare)):
            return node
        comp = call.args[0]
        body: ast.stmt = ast.Expr(ast.Call(func=call.func, args=[comp.elt], keywords=[]))
        for gen in reversed(comp.generators):
            for cond in reversed(gen.ifs):
                body = ast.If(test=cond, body=[body], orelse=[])
            body = ast.For(target=gen.target, iter=gen.iter, body=[body], orelse=[])
        self.changes.append(f"line {node.lineno}: added one constraint per element instead of passing a "
                            f"generator to {ast.unparse(call.func)}()")
        return ast.copy_location(body, node)


class _SumOfOne(ast.NodeTransformer):
    """``sum(hours[l])`` sums one variable entry, which Pyomo cannot iterate: it means ``hours[l]``."""

    def __init__(self, variables: set[str], changes: list[str]) -> None:
        self.variables = variables
        self.changes = changes

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if not (isinstance(node.func, ast.Name) and node.func.id == "sum" and len(node.args) == 1
                and not node.keywords and isinstance(node.args[0], ast.Subscript)):
            return node
        target = node.args[0].value
        base = target.attr if isinstance(target, ast.Attribute) else target.id if isinstance(target, ast.Name) \
            else None
        if base not in self.variables:  # sum(costs[i]) of a list of numbers is fine
            return node
        self.changes.append(f"line {node.lineno}: {ast.unparse(node)} sums a single variable entry; "
                            f"used {ast.unparse(node.args[0])}")
        return node.args[0]


def _variable_names(tree: ast.Module) -> set[str]:
    """Names bound to ``Var(...)``: ``model.x = pyo.Var(...)`` gives x, ``y = Var(...)`` gives y."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _call_name(node.value) == "Var":
            for t in node.targets:
                if isinstance(t, ast.Attribute):
                    out.add(t.attr)
                elif isinstance(t, ast.Name):
                    out.add(t.id)
    return out


def _rename_reserved(tree: ast.Module, changes: list[str]) -> None:
    """A decision named like a builtin the sandbox forbids (``model.open``, then ``open[l]``): the
    bare name becomes ``open_`` (bound to ``model.open`` when the code never binds it itself)."""
    from optolab.solvers.policy import FORBIDDEN_NAMES

    stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    made: dict[str, int] = {}  # component name -> index of the top-level statement that makes it
    for i, stmt in enumerate(tree.body):
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Attribute) \
                and isinstance(stmt.targets[0].value, ast.Name):
            made.setdefault(stmt.targets[0].attr, i)
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} & FORBIDDEN_NAMES
    names = sorted(n for n in used if n in stored or n in made)
    if not names:
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in names:
            node.id = node.id + "_"
    for name in sorted((n for n in names if n not in stored), key=lambda n: -made[n]):
        i = made[name]
        owner = tree.body[i].targets[0].value.id
        tree.body.insert(i + 1, ast.parse(f"{name}_ = {owner}.{name}").body[0])
    changes.append(f"renamed {', '.join(names)} to {', '.join(n + '_' for n in names)}: "
                   "the names of Python builtins are not allowed in model code")


def _key_lists_by_names(tree: ast.Module, changes: list[str]) -> None:
    """``price = [3, 5]`` read as ``price[c] for c in crops`` with ``crops = ['wheat', 'corn']``: a
    list indexed by names. It becomes ``{'wheat': 3, 'corn': 5}`` when every use indexes it that way
    and the two lists have the same length."""
    literals: dict[str, tuple[int, ast.List]] = {}
    for i, stmt in enumerate(tree.body):
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
                and isinstance(stmt.value, ast.List):
            literals[stmt.targets[0].id] = (i, stmt.value)
    names = {k: [e.value for e in v.elts] for k, (_, v) in literals.items()
             if v.elts and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in v.elts)}
    loops: dict[str, set[str]] = {}  # loop variable -> the names of the lists it runs over
    for node in ast.walk(tree):
        if isinstance(node, (ast.For, ast.comprehension)) and isinstance(node.target, ast.Name):
            it = node.iter.id if isinstance(node.iter, ast.Name) else "?"
            loops.setdefault(node.target.id, set()).add(it)
    uses: dict[str, list[ast.AST]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in literals:
            uses.setdefault(node.value.id, []).append(node.slice)
    for name, (i, value) in literals.items():
        if name in names or name not in uses:
            continue
        over = set()
        for idx in uses[name]:
            over |= loops.get(idx.id, {"?"}) if isinstance(idx, ast.Name) else {"?"}
        if len(over) != 1:
            continue
        keys_name = over.pop()
        keys = names.get(keys_name)
        if keys is None or len(keys) != len(value.elts) or len(set(keys)) != len(keys):
            continue
        tree.body[i].value = ast.Dict(keys=[ast.Constant(k) for k in keys], values=list(value.elts))
        changes.append(f"{name} is read by the names in {keys_name}: made it a dict keyed by them")


_NONNEGATIVE = {"NonNegativeReals", "NonNegativeIntegers", "Binary", "PositiveReals", "PositiveIntegers",
                "Boolean", "UnitInterval", "PercentFraction"}


def _nonnegative_variables(tree: ast.Module) -> set[str]:
    """Variables declared nonnegative (by domain or by a lower bound >= 0)."""
    out = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Assign) and _call_name(node.value) == "Var"):
            continue
        ok = False
        for kw in node.value.keywords:
            if kw.arg in ("domain", "within") and (_call_name(kw.value) or ast.unparse(kw.value).split(".")[-1]) \
                    in _NONNEGATIVE:
                ok = True
            if kw.arg == "bounds" and isinstance(kw.value, ast.Tuple) and kw.value.elts:
                low = kw.value.elts[0]
                ok |= isinstance(low, ast.Constant) and isinstance(low.value, (int, float)) and low.value >= 0
        if ok:
            for t in node.targets:
                out.add(t.attr if isinstance(t, ast.Attribute) else getattr(t, "id", ""))
    return out


class _ClearRatios(ast.NodeTransformer):
    """``(a + b) / (x + y) <= 0.3`` with nonnegative x, y is ``a + b <= 0.3 * (x + y)``: linear, so
    an LP/MILP solver proves the optimum instead of a local NLP solver approximating it."""

    def __init__(self, variables: set[str], nonnegative: set[str], changes: list[str]) -> None:
        self.variables, self.nonnegative, self.changes = variables, nonnegative, changes

    def _vars(self, node: ast.AST) -> set[str]:
        out = set()
        for n in ast.walk(node):
            base = n.attr if isinstance(n, ast.Attribute) else n.id if isinstance(n, ast.Name) else None
            if base in self.variables:
                out.add(base)
        return out

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.LtE, ast.GtE, ast.Eq)):
            return node
        left, right = node.left, node.comparators[0]
        for ratio, other, ratio_left in ((left, right, True), (right, left, False)):
            if not (isinstance(ratio, ast.BinOp) and isinstance(ratio.op, ast.Div)) or self._vars(other):
                continue
            denominator = self._vars(ratio.right)
            if not denominator or not denominator <= self.nonnegative:
                continue
            scaled = ast.BinOp(left=other, op=ast.Mult(), right=ratio.right)
            new = ast.Compare(left=ratio.left if ratio_left else scaled, ops=node.ops,
                              comparators=[scaled if ratio_left else ratio.left])
            self.changes.append(f"line {node.lineno}: multiplied out the ratio in {ast.unparse(node)} "
                                f"(its denominator is nonnegative), which keeps the model linear")
            return ast.copy_location(new, node)
        return node


def _create_missing_model(tree: ast.Module, changes: list[str]) -> None:
    """Code that fills ``model.x = ...`` but never makes ``model`` (a repair that left out the first
    lines): make it after the imports."""
    if "ConcreteModel" in _calls(tree) or any(isinstance(n, ast.Name) and n.id == "model" and
                                               isinstance(n.ctx, ast.Store) for n in ast.walk(tree)):
        return
    if not any(isinstance(st, ast.Assign) and any(isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)
                                                  and t.value.id == "model" for t in st.targets)
               for st in tree.body):
        return
    at = 0
    while at < len(tree.body) and isinstance(tree.body[at], (ast.Import, ast.ImportFrom)):
        at += 1
    pyo_bound = any(isinstance(st, ast.Import) and any(a.asname == "pyo" for a in st.names) for st in tree.body)
    lines = ["model = pyo.ConcreteModel()"] if pyo_bound else ["import pyomo.environ as pyo",
                                                               "model = pyo.ConcreteModel()"]
    tree.body[at:at] = [ast.parse(line).body[0] for line in lines]
    changes.append("created model = pyo.ConcreteModel(), which the code fills but never makes")


def _constraint_lists(tree: ast.Module, changes: list[str]) -> None:
    """``model.c = pyo.Constraint()`` followed by ``model.c.add(...)``: it is a ConstraintList."""
    added = {ast.unparse(n.func.value) for n in ast.walk(tree) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Attribute) and n.func.attr == "add"}
    for st in ast.walk(tree):
        if not (isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.value, ast.Call)
                and not st.value.args and not st.value.keywords and ast.unparse(st.targets[0]) in added):
            continue
        func = st.value.func
        if isinstance(func, ast.Attribute) and func.attr == "Constraint":
            func.attr = "ConstraintList"
            changes.append(f"{ast.unparse(st.targets[0])} gets constraints with add(): made it a ConstraintList")


def clean_program(code: str) -> Program:
    """Make LLM-written model code fit for the sandbox; raises :class:`ProgramError` when it cannot."""
    code = (code or "").strip()
    if not code:
        raise ProgramError("the reply has no code; reply with one ```python block that builds the Pyomo model")
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        if "ConcreteModel" not in code and "import" not in code:
            raise ProgramError("the reply holds no model code; reply with one ```python block that builds the "
                               "Pyomo model") from None
        raise ProgramError(f"the code does not parse: {exc.msg} at line {exc.lineno}: "
                           f"{(exc.text or '').strip()!r}") from None
    changes: list[str] = []
    tree.body = _clean_body(tree.body, set(), changes)
    tree = _UnrollAdds(changes).visit(tree)
    tree = _SumOfOne(_variable_names(tree), changes).visit(tree)
    _rename_reserved(tree, changes)
    _key_lists_by_names(tree, changes)
    tree = _ClearRatios(_variable_names(tree), _nonnegative_variables(tree), changes).visit(tree)
    _create_missing_model(tree, changes)
    _constraint_lists(tree, changes)
    _fix_undefined_names(tree, changes)
    name = _model_variable(tree)
    if name is None:
        builders = [f for f in tree.body if isinstance(f, ast.FunctionDef) and "ConcreteModel" in _calls(f)]
        callable_ = [f for f in builders if not f.args.args or len(f.args.defaults) == len(f.args.args)]
        if callable_:
            tree.body.append(ast.parse(f"model = {callable_[0].name}()").body[0])
            changes.append(f"called {callable_[0].name}() to build the model")
        elif "ConcreteModel" not in _calls(tree):
            raise ProgramError("the code never creates a model; start with model = pyo.ConcreteModel() and add "
                               "the variables, the objective and the constraints to it")
        else:
            raise ProgramError("the model is built inside a function that needs arguments; build it at top level "
                               "in a variable named model")
    elif name != "model":
        tree.body.append(ast.parse(f"model = {name}").body[0])
        changes.append(f"the model is the variable {name!r}")
    ast.fix_missing_locations(tree)
    return Program(ast.unparse(tree) + "\n", changes)


def numbers_in_code(code: str) -> set[float]:
    """Every numeric literal of the code (magnitudes), for the unused-numbers check."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    return {abs(float(n.value)) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, (int, float)) and not isinstance(n.value, bool)}


def model_parts(code: str) -> tuple[list[str], set[str]]:
    """Names of the decision variables (``model.x = pyo.Var(...)``) and the names the objective uses."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return [], set()
    variables: list[str] = []
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _call_name(node.value) == "Var":
            for t in node.targets:
                name = t.attr if isinstance(t, ast.Attribute) else t.id if isinstance(t, ast.Name) else None
                if name and name not in variables:
                    variables.append(name)
        elif isinstance(node, ast.Call) and _call_name(node) == "Objective":
            parts = [kw.value for kw in node.keywords if kw.arg in ("expr", "rule")] + list(node.args[:1])
            for part in parts:
                used |= {x.id for x in ast.walk(part) if isinstance(x, ast.Name)}
                used |= {x.attr for x in ast.walk(part) if isinstance(x, ast.Attribute)}
    return variables, used


def focus_objective(code: str, question: str) -> Program | None:
    """When the question's goal is "the number of <one decision>" and the objective says otherwise
    (see :func:`optolab.agents.checks.goal_variable`), the same code with that variable as the
    objective; None when the objective already fits or the goal is not of that kind."""
    from optolab.agents.checks import goal_variable

    variables, used = model_parts(code)
    found = goal_variable(question, variables, used)
    if found is None:
        return None
    target, goal = found
    tree = ast.parse(code)
    model_attrs = {t.attr for n in ast.walk(tree) if isinstance(n, ast.Assign) for t in n.targets
                   if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "model"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _call_name(node) == "Objective":
            for kw in node.keywords:
                if kw.arg == "expr":
                    kw.value = ast.parse(f"model.{target}" if target in model_attrs else target, mode="eval").body
                    ast.fix_missing_locations(tree)
                    return Program(ast.unparse(tree) + "\n", [f"the objective is {target}: the question asks to {goal}"])
    return None


_INTEGER_DOMAINS = {"Integers": "Reals", "NonNegativeIntegers": "NonNegativeReals", "PositiveIntegers": "PositiveReals",
                    "NonPositiveIntegers": "NonPositiveReals", "NegativeIntegers": "NegativeReals"}


def relax_for_lp(code: str, question: str) -> Program | None:
    """A question that asks for an LP ("Formulate an LP problem") wants continuous variables: the same
    code with integer domains made real; None when the question does not say so or nothing changes."""
    from optolab.agents.checks import asks_for_lp

    if not asks_for_lp(question):
        return None
    tree = ast.parse(code)
    if any(isinstance(n, (ast.Attribute, ast.Name)) and (getattr(n, "attr", None) or getattr(n, "id", None))
           in ("Binary", "Boolean") for n in ast.walk(tree)):
        return None  # yes/no decisions (fixed charges, either-or): the "LP" of the text is loose wording
    changed = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in _INTEGER_DOMAINS:
            node.attr = _INTEGER_DOMAINS[node.attr]
            changed = True
        elif isinstance(node, ast.Name) and node.id in _INTEGER_DOMAINS:
            node.id = _INTEGER_DOMAINS[node.id]
            changed = True
    if not changed:
        return None
    return Program(ast.unparse(tree) + "\n", ["the variables are continuous: the question asks for an LP"])
