"""The program strategy: the LLM writes the Pyomo model code itself, the library tidies it before it runs.

A small coder model often writes a correct model for a short problem directly, but wraps it in
things the sandbox must not run or does not need: a solver call, prints, a ``__main__`` block, a
function that is never called. :func:`clean_program` removes those mechanically (it reads the
syntax tree, nothing runs) and makes sure the model ends up in the variable ``model``, where the
sandbox looks for it; the fixes of slips inside the model code are in :mod:`optolab.agents.codefix`.
The runner, not the code, solves the model.
"""

from __future__ import annotations

import ast
import contextlib
import re
from dataclasses import dataclass, field

from optolab.agents.codeast import INTEGER_DOMAINS as _INTEGER_DOMAINS
from optolab.agents.codeast import base_name, call_name, calls, names, objective_expr, variable_names
from optolab.agents.codefix import fix_tree

_FENCE = re.compile(r"```[ \t]*(?:python|py)?[ \t]*\n(.*?)(?:```|\Z)", re.S | re.I)
# calls whose statements are dropped: solving, printing, writing files
_DROP_CALLS = frozenset({"print", "display", "pprint", "solve", "write", "SolverFactory", "SolverManagerFactory",
                         "log_infeasible_constraints"})


@dataclass
class Program:
    """Model code ready for the sandbox, and what cleaning it changed."""

    code: str
    changes: list[str] = field(default_factory=list)
    # written by the library from the question (a container's formulas), not mended LLM code: the LLM's numbers
    # and names no longer stand in it
    from_text: bool = False

    @classmethod
    def changed(cls, tree: ast.AST, changes: list[str]) -> "Program | None":
        """The code of an edited ``tree`` with what changed, or None when nothing did."""
        if not changes:
            return None
        ast.fix_missing_locations(tree)
        return cls(ast.unparse(tree) + "\n", changes)


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


def _targets(stmt: ast.stmt) -> set[str]:
    out: set[str] = set()
    targets = stmt.targets if isinstance(stmt, ast.Assign) else \
        [stmt.target] if isinstance(stmt, (ast.AnnAssign, ast.AugAssign, ast.For)) else []
    for t in targets:
        out |= {x.id for x in ast.walk(t) if isinstance(x, ast.Name)}
    return out


def _is_main_guard(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.If) and "__name__" in names(stmt.test)


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
        if isinstance(stmt, (ast.For, ast.While, ast.If, ast.With, ast.Try)) and not (names(
                getattr(stmt, "test", None) or getattr(stmt, "iter", None) or ast.Pass()) & dropped):
            inner = _clean_body(stmt.body, dropped, changes)
            if not inner:  # a loop or branch that only printed
                continue
            stmt.body = inner
            if getattr(stmt, "orelse", None):
                stmt.orelse = _clean_body(stmt.orelse, dropped, changes)
            out.append(stmt)
            continue
        called = calls(stmt)
        if any("solve" in c.lower() for c in called):
            called.add("solve")  # misspelt solve calls too (``model.solvesolver('glpk')``)
        if called & _DROP_CALLS or names(stmt) & dropped or _reads_result(stmt):
            what = sorted(called & _DROP_CALLS) or sorted(names(stmt) & dropped) or \
                [f"{', '.join(sorted(_targets(stmt)))} read a solved value"]
            dropped |= _targets(stmt)
            changes.append(f"removed line {stmt.lineno} ({', '.join(what)}): solving and output are the runner's job")
            continue
        out.append(stmt)
    return out


def _reads_result(stmt: ast.stmt) -> bool:
    """``best = model.objective.value`` or ``total = pyo.value(model.profit)``: a name bound to a solved value,
    which does not exist while the model is built."""
    if not (isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets)):
        return False
    return any(isinstance(n, ast.Attribute) and n.attr == "value" and isinstance(n.ctx, ast.Load)
               or isinstance(n, ast.Call) and call_name(n) == "value" for n in ast.walk(stmt.value))


def model_variable(tree: ast.Module) -> str | None:
    """The top-level name bound to ``ConcreteModel()`` (or to a call of a function that returns one)."""
    builders = {f.name for f in tree.body if isinstance(f, ast.FunctionDef) and "ConcreteModel" in calls(f)}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            if call_name(stmt.value) in ({"ConcreteModel"} | builders):
                return stmt.targets[0].id
    return None


_SPACED_ATTRIBUTE = re.compile(r"^(\s*)(model|m) ([A-Za-z_]\w*)\s*=(?!=)", re.M)
# "model.wire fencing = pyo.Constraint(...)": a component named with words and spaces
_SPACED_NAME = re.compile(r"^(\s*(?:model|m)\.)([A-Za-z_]\w*(?: [A-Za-z_]\w*){1,4})(\s*=(?!=))", re.M)


_ONE_CONSTRAINT = re.compile(r"^(\s*)(model\.\w+)\s*=\s*((?:pyo\.|pe\.)?Constraint)\(\s*expr\s*=(.*)\)\s*$")


def _top_level_parts(text: str) -> list[str]:
    """``text`` split at the commas outside brackets and strings."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return parts + [text[start:]]


def _split_constraint(code: str, lineno: int) -> tuple[str, list[str]]:
    """``model.c = pyo.Constraint(expr=a >= 2, b >= 2)`` (line ``lineno``; it does not parse) as one constraint a
    comparison: ``model.c`` and ``model.c_2``. The code unchanged, and no note, when the line has another shape."""
    lines = code.split("\n")
    m = _ONE_CONSTRAINT.match(lines[lineno - 1]) if 0 < lineno <= len(lines) else None
    if not m:
        return code, []
    indent, name, call, inside = m.groups()
    parts = [p.strip() for p in _top_level_parts(inside)]
    if len(parts) < 2 or not all(re.search(r"<=|>=|==", p) and not re.match(r"\w+\s*=[^=]", p) for p in parts):
        return code, []
    names = [name] + [f"{name}_{k}" for k in range(2, len(parts) + 1)]
    lines[lineno - 1] = "\n".join(f"{indent}{n} = {call}(expr={p})" for n, p in zip(names, parts))
    return "\n".join(lines), [f"line {lineno}: one Constraint given {len(parts)} comparisons became "
                              f"{', '.join(names)}, one comparison each"]


def _no_parse(code: str, exc: SyntaxError) -> None:
    if "ConcreteModel" not in code and "import" not in code:
        raise ProgramError("the reply holds no model code; reply with one ```python block that builds the "
                           "Pyomo model") from None
    raise ProgramError(f"the code does not parse: {exc.msg} at line {exc.lineno}: "
                       f"{(exc.text or '').strip()!r}") from None


def clean_program(code: str) -> Program:
    """Make LLM-written model code fit for the sandbox; raises :class:`ProgramError` when it cannot."""
    code = (code or "").strip()
    if not code:
        raise ProgramError("the reply has no code; reply with one ```python block that builds the Pyomo model")
    code, spaced = _SPACED_ATTRIBUTE.subn(r"\1\2.\3 =", code)  # "model pesticide = ..." for model.pesticide
    code, named = _SPACED_NAME.subn(lambda m: m.group(1) + m.group(2).replace(" ", "_") + m.group(3), code)
    split: list[str] = []
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        tree = None
        if exc.msg.startswith("positional argument follows keyword argument"):
            code, split = _split_constraint(code, exc.lineno or 0)
            with contextlib.suppress(SyntaxError):
                tree = ast.parse(code) if split else None
        if tree is None:
            _no_parse(code, exc)
    changes: list[str] = ["wrote `model.<name> =` where the code had a space for the dot"] if spaced else []
    if named:
        changes.append("joined the words of a component's name with underscores (`model.wire fencing =` became "
                       "`model.wire_fencing =`)")
    changes += split
    tree.body = _clean_body(tree.body, set(), changes)
    tree = fix_tree(tree, changes)
    name = model_variable(tree)
    if name is None:
        builders = [f for f in tree.body if isinstance(f, ast.FunctionDef) and "ConcreteModel" in calls(f)]
        callable_ = [f for f in builders if not f.args.args or len(f.args.defaults) == len(f.args.args)]
        if callable_:
            tree.body.append(ast.parse(f"model = {callable_[0].name}()").body[0])
            changes.append(f"called {callable_[0].name}() to build the model")
        elif "ConcreteModel" not in calls(tree):
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
    """Every numeric literal of the code (magnitudes), for the unused-numbers check; not those of a name the
    code sets and never reads (``budget = 3000`` with no constraint on the budget)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    unread = set(map(id, unread_literals(tree)))
    return {abs(float(n.value)) for n in ast.walk(tree) if id(n) not in unread
            and isinstance(n, ast.Constant) and isinstance(n.value, (int, float)) and not isinstance(n.value, bool)}


def unread_literals(tree: ast.Module) -> list[ast.AST]:
    """The literals of top-level assignments to names that the code never reads (``budget = 3000`` and no
    ``budget`` anywhere else): numbers the model does not use although they are written down."""
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    out: list[ast.AST] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) and t.id not in read for t in stmt.targets):
            out += [n for n in ast.walk(stmt.value) if isinstance(n, ast.Constant)]
    return out


def model_parts(code: str) -> tuple[list[str], set[str]]:
    """Names of the decision variables (``model.x = pyo.Var(...)``) and the names the objective uses."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return [], set()
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and call_name(node) == "Objective":
            parts = [kw.value for kw in node.keywords if kw.arg in ("expr", "rule")] + list(node.args[:1])
            for part in parts:
                used |= {name for name in map(base_name, ast.walk(part)) if name}
    return variable_names(tree), used


def _literal_data(node: ast.AST) -> bool:
    """Whether ``node`` is a number, or a list, tuple or dict (nested too) of numbers and strings."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float, str)) and not isinstance(node.value, bool)
    if isinstance(node, ast.UnaryOp):
        return _literal_data(node.operand)
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(_literal_data(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _literal_data(k) for k in node.keys) and all(map(_literal_data, node.values))
    return False


def constant_objective_findings(code: str) -> list[str]:
    """A finding when the objective's ``expr`` reads only numbers and data the code sets to literals (``300 *
    farm_cost['old'] + 200 * ...``): the same value whatever the decisions, so any feasible point is "optimal"."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    data = {t.id for n in tree.body if isinstance(n, ast.Assign) and _literal_data(n.value) for t in n.targets
            if isinstance(t, ast.Name)}
    kw = objective_expr(tree)
    if kw is None:
        return []
    expr = kw.value
    local = {n.id for c in ast.walk(expr) if isinstance(c, ast.comprehension) for n in ast.walk(c.target)
             if isinstance(n, ast.Name)}
    used = {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)} - local - {"sum", "len", "abs", "min", "max",
                                                                                "round"}
    if any(isinstance(n, (ast.Attribute, ast.Lambda)) for n in ast.walk(expr)) or not used <= data:
        return []
    return [f"The objective `{ast.unparse(expr)}` uses no decision variable, only numbers, so it has the same "
            "value whatever is decided. Write it from the decision variables: each decision times what one "
            "unit of it adds to the goal."]


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
        if isinstance(node, ast.Call) and call_name(node) == "Objective":
            for kw in node.keywords:
                if kw.arg == "expr":
                    kw.value = ast.parse(f"model.{target}" if target in model_attrs else target, mode="eval").body
                    return Program.changed(tree, [f"the objective is {target}: the question asks to {goal}"])
    return None


_SENSE_WORDS = re.compile(r"\b(minimi[sz]e|maximi[sz]e|minimum|maximum|lowest|highest|least|most|fewest|cheapest|"
                          r"largest|smallest|reduce|increase)\b", re.I)
_MAX_WORDS = {"maximize", "maximise", "maximum", "highest", "most", "largest", "increase"}


def goal_sense(question: str) -> str | None:
    """"maximize" or "minimize" from the goal words of the question's last sentence that has any
    (so "at least 20 cars" earlier on does not count); None when they disagree or there are none."""
    for sentence in reversed(re.split(r"(?<=[.?!])\s+", question)):
        words = {m.group(1).lower() for m in _SENSE_WORDS.finditer(sentence)}
        words -= {"least", "most"} if re.search(r"\bat\s+(?:least|most)\b", sentence, re.I) else set()
        if not words:
            continue
        senses = {"maximize" if w in _MAX_WORDS else "minimize" for w in words}
        return senses.pop() if len(senses) == 1 else None
    return None


def make_objective(code: str, question: str) -> Program | None:
    """Code with no ``Objective`` that assigns the goal as a bare expression (``model.objective = 30 * small
    + 50 * large``): the same code with that expression made the objective, in the sense the question
    asks for. None when there is an objective, no such assignment, or the question's sense is unclear."""
    tree = ast.parse(code)
    if any(isinstance(n, ast.Call) and call_name(n) == "Objective" for n in ast.walk(tree)):
        return None
    variables = set(variable_names(tree))
    candidates = []
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and not isinstance(stmt.value, ast.Call):
            name = base_name(stmt.targets[0]) or ""
            mentions = {base_name(n) for n in ast.walk(stmt.value)} & variables
            if mentions and re.search(r"obj|goal|profit|cost|revenue|total", name, re.I):
                candidates.append(stmt)
    sense = goal_sense(question)
    if not candidates or sense is None:
        return None
    stmt = candidates[-1]
    target = ast.unparse(stmt.targets[0])
    stmt.value = ast.Call(ast.Attribute(ast.Name("pyo", ast.Load()), "Objective", ast.Load()), [],
                          [ast.keyword("expr", stmt.value),
                           ast.keyword("sense", ast.Attribute(ast.Name("pyo", ast.Load()), sense, ast.Load()))])
    return Program.changed(tree, [f"`{target}` was a bare expression and the model had no objective: it "
                                              f"is now the objective, to {sense} as the question asks"])



# "Concrete Data:\nDogCapability = 100": data the text itself gives as named values
_STATED = re.compile(r"^[ \t]*([A-Za-z_]\w*)[ \t]*=[ \t]*(-?\d[\d,]*(?:\.\d+)?)[ \t]*$", re.M)


def define_stated_data(code: str, question: str) -> Program | None:
    """Code that reads names the text defines as data lines (``MaxBudget = 1000``) without defining them: the
    same code with those lines put after the imports; None otherwise."""
    stated = {m.group(1): m.group(2).replace(",", "") for m in _STATED.finditer(question or "")}
    stated = {**_prefixed_amounts(code, question or ""), **stated}
    done = define_unbound(code, {n: f"{n} = {v}" for n, v in stated.items()})
    if done is None:
        return None
    tree, wanted = done
    return Program.changed(tree, [f"defined {', '.join(wanted)} as the text states them (e.g. "
                                              f"{wanted[0]} = {stated[wanted[0]]}); the code used them undefined"])


_PREFIXED_NAME = re.compile(r"^([A-Za-z]{1,3})_?(\d+(?:_\d+)*)$")


def _prefixed_amounts(code: str, question: str) -> dict[str, str]:
    """Names the code reads that copy an amount with its currency letters ("a profit of DM24,000" written as
    ``DM24_000``, or cut at the comma as ``DM24``): the name -> the amount, when the text has exactly one such
    amount."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return {}
    out: dict[str, str] = {}
    for name in {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}:
        m = _PREFIXED_NAME.match(name)
        if not m:
            continue
        digits = m.group(2).replace("_", "")
        amounts = {a.replace(",", "") for a in re.findall(rf"(?<![A-Za-z]){re.escape(m.group(1))}\s?(\d{{1,3}}(?:,\d{{3}})+|\d+)"
                                                          r"(?![\d.])", question)}
        fits = [a for a in amounts if a == digits or a.startswith(digits) and "_" not in m.group(2)
                and re.search(rf"{re.escape(m.group(1))}\s?{digits},\d{{3}}", question)]
        if len(fits) == 1:
            out[name] = fits[0]
    return out


def define_unbound(code: str, definitions: dict[str, str]) -> tuple[ast.Module, list[str]] | None:
    """The tree of ``code`` with the statements of ``definitions`` (name -> ``name = ...``) that it reads
    without binding put after its imports, and those names; None when it reads none of them."""
    from optolab.agents.codeast import bound_names

    if not definitions:
        return None
    tree = ast.parse(code)
    bound = bound_names(tree)
    early = _read_before_bound(tree)
    wanted = [n for n in dict.fromkeys(x.id for x in ast.walk(tree) if isinstance(x, ast.Name)
                                       and isinstance(x.ctx, ast.Load))
              if n in definitions and (n not in bound or n in early)]
    if not wanted:
        return None
    at = next((i for i, stmt in enumerate(tree.body) if not isinstance(stmt, (ast.Import, ast.ImportFrom))),
              len(tree.body))
    tree.body[at:at] = [ast.parse(definitions[n]).body[0] for n in wanted]
    return tree, wanted


def _read_before_bound(tree: ast.Module) -> set[str]:
    """Names a top-level statement reads before any earlier top-level statement binds them: ``energy_output``
    read in a constraint two lines above ``energy_output = model.energy_output`` (a NameError when run).
    Reads inside function bodies and lambdas run later and do not count."""
    seen: set[str] = set()
    early: set[str] = set()

    def reads(node: ast.AST):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            yield node.id
        for child in ast.iter_child_nodes(node):
            yield from reads(child)

    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            seen |= {(a.asname or a.name).split(".")[0] for a in stmt.names}
            continue
        # the right-hand side of an assignment runs before its target is bound; in a loop or an if block, a
        # name bound anywhere in the block (a loop variable, a comprehension's) is taken as bound
        value = stmt.value if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)) else stmt
        if value is not None:
            local = {n.id for n in ast.walk(value) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
            early |= {n for n in reads(value) if n not in seen and n not in local}
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                seen.add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                seen.add(node.name)
    return early


def add_missing_sense(code: str, question: str) -> Program | None:
    """An ``Objective`` written without ``sense`` (Pyomo then minimizes) for a question that asks to maximize:
    the same code with ``sense=maximize``; None otherwise."""
    if goal_sense(question) != "maximize":
        return None
    tree = ast.parse(code)
    objectives = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and call_name(n) == "Objective"]
    if len(objectives) != 1 or any(k.arg == "sense" for k in objectives[0].keywords) or len(objectives[0].args) > 1:
        return None
    func = objectives[0].func
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    sense = f"{ast.unparse(func.value)}.maximize" if isinstance(func, ast.Attribute) else \
        "maximize" if "maximize" in bound or "*" in bound else "-1"
    objectives[0].keywords.append(ast.keyword("sense", ast.parse(sense, mode="eval").body))
    return Program.changed(tree, [f"the objective had no sense, so it was minimized; the question asks "
                                              f"to maximize: sense={sense}"])


def _relax_domain(node: ast.AST) -> bool:
    """``pyo.NonNegativeIntegers`` (or a bare ``Integers``...) turned into its real counterpart, in place;
    False for any other node."""
    if isinstance(node, ast.Attribute) and node.attr in _INTEGER_DOMAINS:
        node.attr = _INTEGER_DOMAINS[node.attr]
        return True
    if isinstance(node, ast.Name) and node.id in _INTEGER_DOMAINS:
        node.id = _INTEGER_DOMAINS[node.id]
        return True
    return False


# decisions named for a measure (a length, an area, a price, a time) take any value in their range
_MEASURE_NAME = re.compile(
    r"(?:^|_)(length|width|height|depth|side|radius|diameter|dimension|dim|area|volume|perimeter|thickness|distance|"
    r"price|rate|speed|(?<!full_)(?<!part_)time|duration|angle|temperature|weight|concentration|fraction|share|proportion|percent(?:age)?)"
    r"s?(?:_|$)", re.I)
# ... unless the question counts whole units of it
_WHOLE = re.compile(r"\b(integer|integers|whole (?:numbers?|units?)|multiples? of)\b", re.I)
# the text allows fractions outright: "Fractional servings are allowed", "Production may be fractional (weekly
# averages)", "the amounts need not be whole numbers"
_FRACTIONAL = re.compile(r"\b(?:fractional|non-?integer)\s+(?:[a-z]+\s+){0,2}(?:are|is)\s+(?:allowed|permitted|acceptable|"
                         r"fine|ok)\b|\b(?:may|can)\s+be\s+(?:fractional|non-?integer)\b|"
                         r"\bneed\s+not\s+be\s+(?:whole(?:\s+numbers?)?|integers?|integral)\b", re.I)
# a question that asks for amounts in a unit of measure: "How many kilograms of each mix should be made?", "how
# many minutes should each machine run?"
_HOW_MANY_UNITS = re.compile(r"\bhow\s+many\s+(?:kilo)?(?:grams|kg|tons|tonnes|pounds|lbs|ounces|(?:milli)?lit(?:er|re)s|"
                             r"ml|gallons|acres|hectares|square\s+(?:feet|meters|metres)|cubic\s+\w+|"
                             r"(?:kilo)?met(?:er|re)s|miles|hours|minutes)\s+(?:of|should|shall|must|can|will|does|do|"
                             r"is|are|each|per)\b", re.I)


# (not tons or gallons: "$20 per ton" is often a rate of trucks or trips that are counted)
_PER_UNIT = re.compile(r"\b(?:per|a|each)\s+(?:kg|kilograms?|kilos?|grams?|litres?|liters?|ml|acres?|hectares?)\b", re.I)


_MEASURED_OF = re.compile(r"\d\s*(?:acres?|hectares?|(?:kilo)?grams?|kg|tons?|tonnes?|pounds?|lbs?|(?:milli)?lit(?:er|re)s?|"
                          r"gallons?|square\s+(?:feet|foot|meters?|metres?|miles?)|cubic\s+\w+)\s+of\s+(?:the\s+)?"
                          r"([a-z]+)", re.I)


def _measured_in_text(question: str, name: str) -> bool:
    """Whether the text measures the decision in a unit: "5 acres of apples" for ``apple`` or ``apples``."""
    words = {w.lower().rstrip("s") for w in re.split(r"[_\W\d]+", name) if len(w) > 2}
    return any(m.group(1).lower().rstrip("s") in words for m in _MEASURED_OF.finditer(question))


# "the specialized company charges $100 per hour": a price of time, so the decision it weighs is hours
_PER_TIME_AFTER = re.compile(r"^\s*(?:dollars?\s+|euros?\s+)?(?:in\s+\w+\s+)?(?:per|an|a|each)\s+(?:hour|minute)\b", re.I)


def _goal_priced_per_time(tree: ast.Module, question: str, variables: set[str]) -> bool:
    """Whether the objective weighs two or more decisions, each by a number the text gives only as a rate per
    hour or minute ("charges $100 per hour"): the decisions are then amounts of time."""
    from optolab.agents.checks import mentions_of
    from optolab.agents.goal import term_weights

    objective = objective_expr(tree)
    weights = term_weights(objective.value, variables) if objective is not None else None
    if not weights or len(weights) < 2:
        return False
    for w in set(weights):
        found = mentions_of(question, w)
        if not found or not all(_PER_TIME_AFTER.match(question[m.end():]) for m in found):
            return False
    return True


def relax_measures(code: str, question: str) -> Program | None:
    """Integer decisions whose names say they measure something (``width``, ``side_length``, ``price``), or
    all of them when the question asks "how many kilograms (acres, hours, ...) of" each or allows fractions
    outright ("Fractional servings are allowed"), made continuous: small models give most decisions an integer domain, and a box's side or a
    poster's height then misses the optimum (OptiBench's geometry problems). None when the question
    asks for whole numbers or no such decision is integer."""
    allowed = _FRACTIONAL.search(question)  # "Fractional servings are allowed": every count may be fractional
    if _WHOLE.search(question) and not allowed:
        return None
    # every decision is an amount of something: "how many kilograms of each", "costs $5 per kilogram"
    amounts = bool(allowed or _HOW_MANY_UNITS.search(question) or _PER_UNIT.search(question))
    tree = ast.parse(code)
    # "a minimum of 5 acres of apples and a minimum of 10 acres of pears": every decision measured in a unit
    names = [base_name(n.targets[0]) or "" for n in ast.walk(tree)
             if isinstance(n, ast.Assign) and call_name(n.value) == "Var"]
    amounts = amounts or (len(names) > 1 and all(_measured_in_text(question, name) for name in names))
    amounts = amounts or _goal_priced_per_time(tree, question, set(names))
    relaxed = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Assign) and call_name(node.value) == "Var"):
            continue
        name = base_name(node.targets[0]) or ""
        if not (_MEASURE_NAME.search(name) or amounts):
            continue
        if any(kw.arg in ("domain", "within") and _relax_domain(kw.value) for kw in node.value.keywords):
            relaxed.append(name)
    if not relaxed:
        return None
    return Program.changed(tree, [f"{', '.join(relaxed)} made continuous: "
                                              f"{'they measure' if len(relaxed) > 1 else 'it measures'} a quantity "
                                              "that is not counted in whole units"])
