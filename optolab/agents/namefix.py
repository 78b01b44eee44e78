"""Mechanical fixes of the names in LLM-written Pyomo code, made on its syntax tree before it runs.

A bare name for a model component, an element name without quotes, maths functions without import (and
``math.sqrt`` of a variable), a decision used but never declared, a decision named like a builtin or like an
attribute every Pyomo block has, a component made outside the model, a model that is filled but never made.
"""

from __future__ import annotations

import ast
import re

from optolab.agents.codeast import (
    base_name, bind_after_components, bound_names, call_name, calls, free_name, made_components, names,
    objective_expr, var_is_indexed, variable_names,
)
from optolab.agents.datakeys import parent_map
from optolab.solvers.solve import SUFFIX_NAMES


# mathematical names small models use without importing them (the pyomo functions work on variables)
_MATH_NAMES = {"math": "import math", "pi": "from math import pi", "sqrt": "from pyomo.environ import sqrt",
               "exp": "from pyomo.environ import exp", "log": "from pyomo.environ import log",
               "log10": "from pyomo.environ import log10", "sin": "from pyomo.environ import sin",
               "cos": "from pyomo.environ import cos", "tan": "from pyomo.environ import tan"}


# functions of math and numpy that Pyomo has under the same name and that work on variables
_PYOMO_MATH = {"sqrt", "exp", "log", "log10", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh"}
_NUMERIC_MODULES = {"math", "np", "numpy"}


class _MathOnVariables(ast.NodeTransformer):
    """``math.sqrt(x)`` of a variable asks Python for a float of a Pyomo expression and fails: use ``pyo.sqrt``;
    ``math.pow(a, b)`` of a variable becomes ``a ** b``."""

    def __init__(self, variables: set[str], changes: list[str]) -> None:
        self.variables = variables
        self.changes = changes

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        f = node.func
        if not (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in _NUMERIC_MODULES
                and not node.keywords and self._on_variables(node)):
            return node
        if f.attr in _PYOMO_MATH:
            self.changes.append(f"line {node.lineno}: {f.value.id}.{f.attr}() cannot take a Pyomo variable; "
                                f"used pyo.{f.attr}()")
            node.func = ast.Attribute(value=ast.Name("pyo", ast.Load()), attr=f.attr, ctx=ast.Load())
        elif f.attr in ("pow", "power") and len(node.args) == 2:
            self.changes.append(f"line {node.lineno}: {f.value.id}.{f.attr}() cannot take a Pyomo variable; "
                                "used **")
            return ast.copy_location(ast.BinOp(node.args[0], ast.Pow(), node.args[1]), node)
        return node

    def _on_variables(self, node: ast.Call) -> bool:
        return any(base_name(x) in self.variables for a in node.args for x in ast.walk(a)
                   if isinstance(x, (ast.Name, ast.Attribute)))


def math_on_variables(tree: ast.Module, changes: list[str]) -> ast.Module:
    before = len(changes)
    tree = _MathOnVariables(set(variable_names(tree)), changes).visit(tree)
    if len(changes) > before and "pyo" not in bound_names(tree):
        tree.body.insert(0, ast.parse("import pyomo.environ as pyo").body[0])
    return tree


def early_aliases(tree: ast.Module, changes: list[str]) -> None:
    """``x1, x2 = (model.x1, model.x2)`` before ``model.x1 = pyo.Var(...)``: a name bound to a component the
    code makes only later fails at once; the binding moves right after the last component it reads."""
    made = made_components(tree)
    moved = []
    for i, stmt in reversed(list(enumerate(tree.body))):
        if not (isinstance(stmt, ast.Assign) and all(isinstance(t, (ast.Name, ast.Tuple)) for t in stmt.targets)):
            continue
        parts = stmt.value.elts if isinstance(stmt.value, ast.Tuple) else [stmt.value]
        if not parts or not all(isinstance(p, ast.Attribute) and isinstance(p.value, ast.Name) for p in parts):
            continue
        later = [made.get(p.attr) for p in parts]
        if None in later or max(later) <= i:
            continue
        tree.body.insert(max(later) + 1, stmt)
        del tree.body[i]
        moved.append(ast.unparse(stmt))
        made = made_components(tree)
    if moved:
        changes.append(f"moved {', '.join(f'`{m}`' for m in moved)} after the components it reads are made")


def fix_undefined_names(tree: ast.Module, changes: list[str]) -> None:
    """Two slips of small models, fixed before the code runs:

    - ``model.trucks = pyo.Var(...)`` and later a bare ``trucks``: bind ``trucks = model.trucks``
      right after the component is made;
    - ``cost[canoe]`` where ``'canoe'`` is an element of a list or a key of a dict: quote it;
    - ``pi``, ``sqrt``, ``exp`` ... used without an import: import them.
    """
    bound = bound_names(tree)
    undefined = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - bound
    maths = sorted(undefined & set(_MATH_NAMES))
    if maths:
        tree.body[:0] = [ast.parse(_MATH_NAMES[n]).body[0] for n in maths]
        undefined -= set(maths)
        changes.append(f"imported {', '.join(maths)}, which the code uses without importing")
    if not undefined:
        return
    made = made_components(tree)
    components = {name: made[name] for name in undefined
                  if name in made and not _data_named_like_rows(tree, name, made)}
    for name in sorted(components, key=lambda n: -components[n]):
        owner = tree.body[components[name]].targets[0].value.id
        changes.append(f"bound the name {name} to {owner}.{name}, which the code uses without defining it")
    bind_after_components(tree, made, {name: name for name in components})
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
    _stand_ins(tree, undefined - set(components) - set(quoted), made, changes)
    left = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} \
        - bound_names(tree)
    _undeclared_decisions(tree, left & (undefined - set(components) - set(quoted)), changes)


# components that hold rows or goals, never numbers
_ROW_COMPONENTS = frozenset({"Constraint", "ConstraintList", "Objective"})


def _data_named_like_rows(tree: ast.Module, name: str, made: dict[str, int]) -> bool:
    """``model.supply = pyo.ConstraintList()`` and ``flow[s, 'S1'] + ... <= supply[s]``: the bare name reads a
    number per key, which the code never defined; binding it to the rows would index them by the key and fail.
    True when the component holds rows (or a goal) and every bare use of the name is a key lookup."""
    if call_name(tree.body[made[name]].value) not in _ROW_COMPONENTS:
        return False
    parents = parent_map(tree)
    uses = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)]
    return bool(uses) and all(isinstance(parents.get(id(n)), ast.Subscript) and parents[id(n)].value is n
                              for n in uses)


def _loop_sets(tree: ast.AST) -> dict[str, str]:
    """Loop variable -> the plain name it runs over, for ``for w in warehouses`` and comprehensions."""
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.For, ast.comprehension)) and isinstance(node.target, ast.Name) \
                and isinstance(node.iter, ast.Name):
            out.setdefault(node.target.id, node.iter.id)
    return out


def _on_one_side(tree: ast.Module, a: str, b: str) -> bool:
    """Whether some side of a comparison reads both names ``a`` and ``b`` (``100 * van + bike + scooter``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in [node.left, *node.comparators]:
                if {a, b} <= {base_name(n) for n in ast.walk(side) if isinstance(n, (ast.Name, ast.Attribute))}:
                    return True
    return False


_ANY_KEY = "*"


def _key_set(key: ast.AST, loops: dict[str, str]) -> str | None:
    """The list a key of an undeclared decision runs over: the loop's list for ``stock[m]`` and for
    ``stock[m - 1]``; any list (``_ANY_KEY``) for a literal ``stock[4]``; None for anything else."""
    if isinstance(key, ast.Name):
        return loops.get(key.id)
    if isinstance(key, ast.BinOp) and isinstance(key.op, (ast.Add, ast.Sub)) and isinstance(key.left, ast.Name) \
            and isinstance(key.right, ast.Constant) and isinstance(key.right.value, int):
        return loops.get(key.left.id)
    if isinstance(key, ast.Constant) and isinstance(key.value, (int, str)) and not isinstance(key.value, bool):
        return _ANY_KEY
    return None


def _one_index(signatures: set) -> tuple[str, ...] | None:
    """The one index that every reading of a name fits (literal keys fit any list), or None."""
    if None in signatures:
        return None
    full = {s for s in signatures if _ANY_KEY not in s}
    if len(full) != 1:
        return None
    (index,) = full
    if all(len(s) == len(index) and all(a in (_ANY_KEY, b) for a, b in zip(s, index)) for s in signatures):
        return index
    return None


# the measures of a shape that multiply one another in its area or volume; a per-item coefficient has other names
_SHAPE_MEASURES = frozenset({"length", "width", "height", "depth", "side", "radius", "diameter", "breadth"})


def _undeclared_decisions(tree: ast.Module, names: set[str], changes: list[str]) -> None:
    """``sum(earnings[c] * load[c] for c in crates)`` in the objective and in a constraint, with ``load`` made
    nowhere: a decision the code forgot to declare. Declared as a ``Var`` over the lists its keys run over (or
    a plain one), with the domain of the code's other decisions where they share one (not a yes/no one), before
    the first statement that reads it. Not for a name used as a key, called, read for an attribute, keyed by
    numbers, or multiplied by a decision (a coefficient, not a decision), unless it is named for a measure of a
    shape (``2 * pi * radius * height`` with ``height`` made nowhere: the other side of the can)."""
    objective = objective_expr(tree)
    var_calls = [n for n in ast.walk(tree) if isinstance(n, ast.Assign) and call_name(n.value) == "Var"]
    owners = [st.targets[0].id for st in tree.body if isinstance(st, ast.Assign) and len(st.targets) == 1
              and isinstance(st.targets[0], ast.Name) and call_name(st.value) == "ConcreteModel"]
    if objective is None or not var_calls or len(owners) != 1 or not names:
        return
    decisions = set(variable_names(tree))
    loops = _loop_sets(tree)
    parents = {id(c): p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}

    def reads_decision(node: ast.AST) -> bool:
        return any(base_name(n) in decisions for n in ast.walk(node) if isinstance(n, (ast.Name, ast.Attribute)))

    def signature(occurrence: ast.Name) -> tuple[str, ...] | None:
        use, index = occurrence, ()
        parent = parents.get(id(use))
        if isinstance(parent, ast.Subscript) and parent.value is use:
            keys = parent.slice.elts if isinstance(parent.slice, ast.Tuple) else [parent.slice]
            index = tuple(_key_set(k, loops) for k in keys)
            if None in index:
                return None
            use = parent
            parent = parents.get(id(use))
        if isinstance(parent, ast.BinOp):
            other = parent.right if parent.left is use else parent.left
            if isinstance(parent.op, (ast.Mult, ast.Div)) and reads_decision(other) \
                    and occurrence.id not in _SHAPE_MEASURES:
                return None
            return index
        if isinstance(parent, (ast.UnaryOp, ast.Compare, ast.GeneratorExp, ast.ListComp, ast.IfExp)) or (
                isinstance(parent, ast.Call) and call_name(parent) == "sum" and use in parent.args):
            return index
        return None

    domain_kws = [kw for st in var_calls for kw in st.value.keywords if kw.arg in ("domain", "within")]
    domains = {ast.unparse(kw.value) for kw in domain_kws}
    shared = domain_kws[0] if len(domains) == 1 and not any(w in d for d in domains for w in ("Binary", "Boolean")) \
        else None
    func = ast.unparse(var_calls[0].value.func)
    if shared is None:
        domain = f"{func[:-len('Var')]}NonNegativeReals"
    else:  # the nonnegative counterpart of Integers or Reals: decisions are amounts
        domain = re.sub(r"\b(Integers|Reals)$", r"NonNegative\1", ast.unparse(shared.value))
    owner = owners[0]
    bound = bound_names(tree)
    components = set(made_components(tree)) | set(BLOCK_ATTRIBUTES) | set(SUFFIX_NAMES)
    read = {base_name(n) for n in ast.walk(objective.value) if isinstance(n, (ast.Name, ast.Attribute))}
    declared = []
    for name in sorted(names):
        occurrences = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == name]
        index = _one_index({signature(n) for n in occurrences})
        if index is None:
            continue
        rows = [i for i, st in enumerate(tree.body) if any(n in occurrences for n in ast.walk(st))]
        in_objective = any(n in occurrences for n in ast.walk(objective.value))
        if not in_objective or len(rows) < 2 or not all(s in bound for s in index):
            continue
        # one decision made over the same keys and left out of the objective: the name stands in for it
        unread = [base_name(st.targets[0]) for st in var_calls if isinstance(st.targets[0], ast.Attribute)
                  and base_name(st.targets[0]) not in read
                  and tuple(ast.unparse(a) for a in st.value.args) == index]
        if unread and (len(names) > 1 or len(unread) > 1 or _on_one_side(tree, name, unread[0])):
            continue  # which decision the name stands for is not clear
        if unread:
            for n in occurrences:
                n.id = unread[0]
            changes.append(f"read {name}, which the code never defines, as {unread[0]}: the decision made over the "
                           "same keys that the objective leaves out")
            bind = [st for st in tree.body if isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name)
                    and st.targets[0].id == unread[0]]
            if not bind:
                tree.body[rows[0]:rows[0]] = [ast.parse(f"{unread[0]} = {owner}.{unread[0]}").body[0]]
            return
        attr = name if name not in components else f"{name}_" if f"{name}_" not in components \
            else free_name(name, components)
        components.add(attr)
        args = "".join(f"{s}, " for s in index)
        lines = [f"{owner}.{attr} = {func}({args}domain={domain})", f"{name} = {owner}.{attr}"]
        tree.body[rows[0]:rows[0]] = [ast.parse(line).body[0] for line in lines]
        declared.append(f"{name}" + (f" over {', '.join(index)}" if index else ""))
    if declared:
        changes.append(f"declared {'; '.join(declared)} as decision variables ({domain}): the objective and the "
                       "constraints use them, the code never made them")


def _stand_ins(tree: ast.Module, names: set[str], made: dict[str, int], changes: list[str]) -> None:
    """``30 * submarine + 25 * taxi`` where the decisions are ``submarine`` and ``boat`` and ``taxi`` is defined
    nowhere: one stray name that stands, in every row that uses it, in the place of the one decision that row
    leaves out. It becomes that decision (a plain, made component)."""
    if len(names) != 1:
        return
    name = next(iter(names))
    decisions = [v for v in variable_names(tree) if v in made and not var_is_indexed(tree.body[made[v]])]
    if len(decisions) < 2:
        return
    rows = [stmt for stmt in tree.body if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(stmt))]
    left: set[str] | None = None
    for row in rows:
        named = {base_name(n) for n in ast.walk(row) if isinstance(n, (ast.Name, ast.Attribute))}
        if not named & set(decisions):
            return  # a row of no decision: the name is something else
        out = set(decisions) - named
        left = out if left is None else left & out
    if not left or len(left) != 1:
        return
    decision = left.pop()
    owner = tree.body[made[decision]].targets[0].value.id

    class Rename(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:
            if node.id == name and isinstance(node.ctx, ast.Load):
                return ast.copy_location(ast.Attribute(ast.Name(owner, ast.Load()), decision, ast.Load()), node)
            return node

    Rename().visit(tree)
    changes.append(f"read {name}, which the code never defines, as {owner}.{decision}: the one decision the rows "
                   f"that use {name} leave out")


def rename_reserved(tree: ast.Module, changes: list[str]) -> None:
    """A decision named like a builtin the sandbox forbids (``model.open``, then ``open[l]``): the
    bare name becomes ``open_`` (bound to ``model.open`` when the code never binds it itself)."""
    from optolab.solvers.policy import FORBIDDEN_NAMES

    stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    made = made_components(tree)
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} & FORBIDDEN_NAMES
    names = sorted(n for n in used if n in stored or n in made)
    if not names:
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in names:
            node.id = node.id + "_"
    bind_after_components(tree, made, {n: n + "_" for n in names if n not in stored})
    changes.append(f"renamed {', '.join(names)} to {', '.join(n + '_' for n in names)}: "
                   "the names of Python builtins are not allowed in model code")


# attributes every Pyomo block already has (dir(pyo.ConcreteModel())): a component of that name cannot be
# added ("Attempting to declare a block component using the name of a reserved attribute")
BLOCK_ATTRIBUTES = frozenset("""
Skip activate active active_blocks active_component_data active_components add_component all_blocks
all_component_data all_components block_data_objects clear clear_suffix_value clone cname collect_ctypes component
component_data_iterindex component_data_objects component_map component_objects compute_statistics config construct
contains_component create_instance ctype deactivate del_component dim display doc find_component fix_all_vars
get_suffix_value getname id_index_map index index_set is_component_type is_constructed is_expression_type is_indexed
is_logical_type is_named_expression_type is_numeric_type is_parameter_type is_reference is_variable_type items
iteritems iterkeys itervalues keys load local_name model name nconstraints nobjectives nvariables parent_block
parent_component pprint preprocess private_data reclassify_component_type reconstruct
register_private_data_initializer root_block set_suffix_value set_value solutions statistics to_dense_data
transfer_attributes_from type unfix_all_vars valid_model_component valid_problem_types values write""".split())


def _model_names(tree: ast.Module) -> set[str]:
    """Names that stand for the model: bound to ``ConcreteModel()``, and the first argument of functions and
    lambdas (rules get the model first)."""
    names = {"model"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and call_name(node.value) in ("ConcreteModel", "Block"):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, (ast.FunctionDef, ast.Lambda)) and node.args.args:
            names.add(node.args.args[0].arg)
    return names


def rename_block_attributes(tree: ast.Module, changes: list[str]) -> None:
    """``model.items = pyo.Var(...)``: a component named like an attribute every Pyomo block has (or like a
    result suffix the solver writes, ``model.dual``). It becomes ``model.items_`` wherever the model (or a rule's
    model argument) reads it."""
    models = _model_names(tree)
    declared = {t.attr for n in ast.walk(tree) if isinstance(n, ast.Assign) for t in n.targets
                if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id in models
                and (t.attr in BLOCK_ATTRIBUTES or t.attr in SUFFIX_NAMES)}
    if not declared:
        return
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}  # model.clone() stays a method
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in declared and isinstance(node.value, ast.Name) \
                and node.value.id in models and id(node) not in called:
            node.attr += "_"
    names = sorted(declared)
    changes.append(f"renamed model.{', model.'.join(names)} to model.{'_, model.'.join(names)}_: every Pyomo "
                   "model already has an attribute of that name, or the solver writes its results under it")


_COMPONENTS = ("Var", "Param", "Set", "RangeSet", "Constraint", "ConstraintList", "Objective", "Expression")


def attach_free_components(tree: ast.Module, changes: list[str]) -> None:
    """``width = pyo.Var(...)`` beside ``model.length = pyo.Var(...)``: a component never added to the
    model, which Pyomo then cannot solve ("unrecognized expression type: AbstractScalarVar") or silently
    leaves out (a constraint, an objective). It becomes ``model.width = pyo.Var(...)`` followed by
    ``width = model.width``."""
    models = [t.id for stmt in tree.body if isinstance(stmt, ast.Assign) and call_name(stmt.value) == "ConcreteModel"
              for t in stmt.targets if isinstance(t, ast.Name)]
    if not models:
        return
    owner, taken = models[0], set(made_components(tree))
    attached = {stmt.targets[0].attr for stmt in tree.body if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Attribute) and isinstance(stmt.value, ast.Name)
                and stmt.value.id == stmt.targets[0].attr}  # ``model.h = h``: attached by the code itself
    moved = []
    for i in range(len(tree.body) - 1, -1, -1):
        stmt = tree.body[i]
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
                and call_name(stmt.value) in _COMPONENTS and stmt.targets[0].id not in attached:
            name = stmt.targets[0].id
            # ``model.items_sold`` is also a constraint further down: the variable gets a name of its own
            attr = free_name(name, taken) if name in taken else name
            stmt.targets = [ast.Attribute(ast.Name(owner, ast.Load()), attr, ast.Store())]
            tree.body.insert(i + 1, ast.parse(f"{name} = {owner}.{attr}").body[0])
            moved.append((name, attr))
    if moved:
        ast.fix_missing_locations(tree)
        moved.sort()
        changes.append(f"added {', '.join(n for n, _ in moved)} to the model "
                       f"({', '.join(f'{owner}.{a}' for _, a in moved)}): a component outside the model is not part "
                       "of it")


def create_missing_model(tree: ast.Module, changes: list[str]) -> None:
    """Code that fills ``model.x = ...`` but never makes ``model`` (a repair that left out the first
    lines): make it after the imports."""
    if "ConcreteModel" in calls(tree) or any(isinstance(n, ast.Name) and n.id == "model" and
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
