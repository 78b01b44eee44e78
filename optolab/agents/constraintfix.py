"""Mechanical fixes of how LLM-written Pyomo code writes its constraints, made before it runs.

A generator handed to ``ConstraintList.add``, chained or joined comparisons, one name given to several
constraints, a ``Constraint()`` filled with ``add()``, a single constraint given an index, an expression passed
as a positional argument, bounds written as constraints on a variable, strict inequalities, a ratio
constraint that can be multiplied out, a constraint indexed by a variable.
"""

from __future__ import annotations

import ast

from optolab.agents.codeast import base_name, call_name, free_name, integer_variables, variable_names


def add_keywords(tree: ast.Module, changes: list[str]) -> None:
    """``model.c.add(x <= 4, name="cap")``: ``ConstraintList.add`` takes the constraint alone; the keywords go.
    So does a ``sense=`` given to a ``Constraint``."""
    lists = {ast.unparse(n.targets[0]) for n in tree.body if isinstance(n, ast.Assign) and len(n.targets) == 1
             and call_name(n.value) == "ConstraintList"}
    dropped = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "add" \
                and ast.unparse(n.func.value) in lists and n.keywords and len(n.args) == 1:
            dropped += [kw.arg for kw in n.keywords if kw.arg]
            n.keywords = []
    if dropped:
        changes.append(f"ConstraintList.add takes the constraint alone: dropped {', '.join(sorted(set(dropped)))}=")
    # ``pyo.Constraint(expr=x >= 4 * y, sense=pyo.minimize)``: a constraint has no sense (a TypeError when built)
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and call_name(n) == "Constraint" and any(kw.arg == "sense" for kw in n.keywords):
            n.keywords = [kw for kw in n.keywords if kw.arg != "sense"]
            changes.append(f"dropped sense= from the constraint `{ast.unparse(n)}`: only an objective has a sense")


class UnrollAdds(ast.NodeTransformer):
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


def _relation_slots(tree: ast.Module):
    """Where a constraint's relation is written: ``Constraint(expr=...)``, the body of a ``rule=lambda``, the one
    argument of ``.add(...)``, and what a rule function returns; each as (holder, field, index or None)."""
    rule_names = {kw.value.id for n in ast.walk(tree) if isinstance(n, ast.Call) and call_name(n) == "Constraint"
                  for kw in n.keywords if kw.arg == "rule" and isinstance(kw.value, ast.Name)}
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and call_name(n) == "Constraint":
            for kw in n.keywords:
                if kw.arg == "expr":
                    yield kw, "value", None
                elif kw.arg == "rule" and isinstance(kw.value, ast.Lambda):
                    yield kw.value, "body", None
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "add" \
                and len(n.args) == 1:
            yield n, "args", 0
        elif isinstance(n, ast.FunctionDef) and n.name in rule_names:
            for r in ast.walk(n):
                if isinstance(r, ast.Return) and r.value is not None:
                    yield r, "value", None


def chained_relations(tree: ast.Module, changes: list[str]) -> None:
    """``20 <= x <= 100`` in a constraint: Python reads it as ``(20 <= x) and (x <= 100)`` and Pyomo refuses to
    turn the first half into a truth value. Written ``(20, x, 100)``, the ranged form Pyomo takes, when the outer
    sides are data (a decision there has no ranged form)."""
    variables = set(variable_names(tree))

    def reads_decision(node: ast.AST) -> bool:
        return any(isinstance(x, (ast.Name, ast.Attribute)) and base_name(x) in variables for x in ast.walk(node))

    for holder, field, index in list(_relation_slots(tree)):
        node = getattr(holder, field) if index is None else getattr(holder, field)[index]
        if not (isinstance(node, ast.Compare) and len(node.ops) == 2):
            continue
        up = all(isinstance(op, (ast.LtE, ast.Lt)) for op in node.ops)
        down = all(isinstance(op, (ast.GtE, ast.Gt)) for op in node.ops)
        low, mid, high = node.left, node.comparators[0], node.comparators[1]
        if not (up or down) or not reads_decision(mid) or reads_decision(low) or reads_decision(high):
            continue
        if down:
            low, high = high, low
        ranged = ast.copy_location(ast.Tuple([low, mid, high], ast.Load()), node)
        if index is None:
            setattr(holder, field, ranged)
        else:
            getattr(holder, field)[index] = ranged
        ast.fix_missing_locations(ranged)
        changes.append(f"line {node.lineno}: `{ast.unparse(node)}` became the ranged `{ast.unparse(ranged)}` (Python "
                       "cannot chain comparisons of an expression with decisions)")


def joined_relations(tree: ast.Module, changes: list[str]) -> None:
    """``Constraint(expr=price >= 3 and price <= 10)`` (or ``.add(a and b)``): ``and`` asks Python for a truth value
    that Pyomo cannot give. Each relation becomes a constraint of its own."""
    for holder in [n for n in ast.walk(tree) if hasattr(n, "body") and isinstance(n.body, list)]:
        out: list[ast.stmt] = []
        for stmt in holder.body:
            split = _split_joined(stmt)
            if split:
                changes.append(f"line {stmt.lineno}: `{ast.unparse(stmt)}` joined relations with `and`; each is "
                               "a constraint of its own now")
            out += split or [stmt]
        holder.body = out


def repeated_constraint_names(tree: ast.Module, changes: list[str]) -> None:
    """``model.limit = Constraint(...)`` written twice: Pyomo replaces the first with the second, and that
    limit is silently gone. The later ones get a name of their own (``limit_2``)."""
    taken = {t.attr for n in ast.walk(tree) if isinstance(n, ast.Assign) for t in n.targets
             if isinstance(t, ast.Attribute)}
    seen: set[str] = set()
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Attribute)
                and isinstance(stmt.targets[0].value, ast.Name) and stmt.targets[0].value.id == "model"):
            continue
        name = stmt.targets[0].attr
        if call_name(stmt.value) != "Constraint":
            seen.add(name)
            continue
        if name in seen:
            stmt.targets[0].attr = free_name(name, taken)
            changes.append(f"line {stmt.lineno}: a second constraint named {name} would replace the first; it is "
                           f"{stmt.targets[0].attr} now")
        seen.add(stmt.targets[0].attr)


def _split_joined(stmt: ast.stmt) -> list[ast.stmt] | None:
    def joined(node: ast.AST) -> list[ast.expr] | None:
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And) \
                and all(isinstance(v, ast.Compare) for v in node.values):
            return list(node.values)
        return None

    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Attribute) \
            and isinstance(stmt.value, ast.Call) and call_name(stmt.value) == "Constraint" and not stmt.value.args:
        kws = [kw for kw in stmt.value.keywords if kw.arg == "expr"]
        parts = joined(kws[0].value) if len(kws) == 1 else None
        if not parts:
            return None
        target = stmt.targets[0]
        out = []
        for i, part in enumerate(parts):
            name = target.attr if i == 0 else f"{target.attr}_{i + 1}"
            new = ast.parse(f"{ast.unparse(target.value)}.{name} = {ast.unparse(stmt.value.func)}(expr=X)").body[0]
            new.value.keywords[0].value = part
            out.append(ast.fix_missing_locations(ast.copy_location(new, stmt)))
        return out
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Attribute) \
            and stmt.value.func.attr == "add" and len(stmt.value.args) == 1:
        parts = joined(stmt.value.args[0])
        if not parts:
            return None
        return [ast.fix_missing_locations(ast.copy_location(
            ast.Expr(ast.Call(func=stmt.value.func, args=[part], keywords=stmt.value.keywords)), stmt))
            for part in parts]
    return None


def constraints_indexed_by_a_variable(tree: ast.Module, changes: list[str]) -> None:
    """``pyo.Constraint(model.x, rule=...)``: a constraint indexed by a variable, which Pyomo refuses
    ("Cannot apply a Set operator to an indexed Var"); it is indexed by the variable's index set."""
    variables = set(variable_names(tree))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and call_name(node) in ("Constraint", "Expression", "Objective"):
            for k, arg in enumerate(node.args):
                if isinstance(arg, (ast.Name, ast.Attribute)) and base_name(arg) in variables:
                    node.args[k] = ast.parse(f"{ast.unparse(arg)}.index_set()", mode="eval").body
                    changes.append(f"line {node.lineno}: a constraint indexed by the variable {ast.unparse(arg)} "
                                   "is indexed by its index set")


def strict_inequalities(tree: ast.Module, changes: list[str]) -> None:
    """``vans > minibuses`` in a constraint, which Pyomo refuses ("strict inequality"): ``vans >= minibuses
    + 1`` when both sides can only take whole values (integer variables, whole coefficients), else
    ``vans >= minibuses`` (the usual reading of "more than" in a continuous model)."""
    variables, integers = set(variable_names(tree)), integer_variables(tree)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.Lt, ast.Gt))):
            continue
        used = {base_name(n) for n in ast.walk(node) if isinstance(n, (ast.Name, ast.Attribute))} & variables
        if not used:
            continue  # Python logic on data, not a constraint
        whole = used <= integers and all(
            not isinstance(n, ast.Constant) or (isinstance(n.value, int) or (isinstance(n.value, float)
                                                                               and n.value.is_integer()))
            for n in ast.walk(node)) and not any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div)
                                                 for n in ast.walk(node))
        before = ast.unparse(node)
        greater = isinstance(node.ops[0], ast.Gt)
        node.ops = [ast.GtE() if greater else ast.LtE()]
        if whole:  # a > b  ->  a >= b + 1;  a < b  ->  a <= b - 1
            node.comparators = [ast.BinOp(node.comparators[0], ast.Add() if greater else ast.Sub(), ast.Constant(1))]
        ast.fix_missing_locations(node)
        changes.append(f"line {node.lineno}: the strict `{before}` became `{ast.unparse(node)}` (solvers take "
                       "only <=, >= and ==)")


class ClearRatios(ast.NodeTransformer):
    """``(a + b) / (x + y) <= 0.3`` with nonnegative x, y is ``a + b <= 0.3 * (x + y)``: linear, so
    an LP/MILP solver proves the optimum instead of a local NLP solver approximating it."""

    def __init__(self, variables: set[str], nonnegative: set[str], changes: list[str]) -> None:
        self.variables, self.nonnegative, self.changes = variables, nonnegative, changes

    def _vars(self, node: ast.AST) -> set[str]:
        return {name for name in map(base_name, ast.walk(node)) if name in self.variables}

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


def constraint_lists(tree: ast.Module, changes: list[str]) -> None:
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


def bounds_on_variables(tree: ast.Module, changes: list[str]) -> None:
    """``model.dolls = pyo.Var(bounds=(0, 2 * model.toys))``: Pyomo takes only numbers as bounds. The bound on
    another decision becomes a constraint of its own."""
    variables = set(variable_names(tree))
    added: list[ast.stmt] = []
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Attribute)
                and call_name(stmt.value) == "Var" and not stmt.value.args):
            continue
        target = stmt.targets[0]
        for kw in stmt.value.keywords:
            if kw.arg != "bounds" or not isinstance(kw.value, ast.Tuple) or len(kw.value.elts) != 2:
                continue
            for i, op in ((0, ">="), (1, "<=")):
                bound = kw.value.elts[i]
                if any(isinstance(n, (ast.Name, ast.Attribute)) and base_name(n) in variables for n in ast.walk(bound)):
                    kw.value.elts[i] = ast.Constant(None)
                    prefix = ast.unparse(stmt.value.func.value) + "." if isinstance(stmt.value.func, ast.Attribute) else ""
                    text = (f"{ast.unparse(target.value)}.{target.attr}_{'low' if i == 0 else 'high'} = "
                            f"{prefix}Constraint(expr={ast.unparse(target)} {op} {ast.unparse(bound)})")
                    added.append(ast.parse(text).body[0])
                    changes.append(f"line {stmt.lineno}: the bound {ast.unparse(bound)} of {target.attr} names a "
                                   "decision; it is a constraint now")
    tree.body += added


def positional_expressions(tree: ast.Module, changes: list[str]) -> None:
    """``pyo.Constraint(x + y <= 5)``: Pyomo reads a positional argument as an index set; the comparison is the
    constraint's ``expr``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and call_name(node) in ("Constraint", "Objective") and len(node.args) == 1 \
                and isinstance(node.args[0], (ast.Compare if call_name(node) == "Constraint" else ast.BinOp)) \
                and not any(k.arg in ("expr", "rule") for k in node.keywords):
            node.keywords.insert(0, ast.keyword(arg="expr", value=node.args[0]))
            node.args = []
            changes.append(f"line {node.lineno}: the expression of a {call_name(node)} given as its index; passed "
                           "it as expr=")


def unindex_single_constraints(tree: ast.Module, changes: list[str]) -> None:
    """``pyo.Constraint(model.x, rule=lambda m: ...)``: a rule of the model alone (or an ``expr=``)
    makes one constraint, so the index arguments given with it are dropped."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and call_name(node) == "Constraint" and node.args):
            continue
        kw = {k.arg: k.value for k in node.keywords}
        rule = kw.get("rule")
        single = "expr" in kw or (isinstance(rule, ast.Lambda) and len(rule.args.args) == 1)
        if single:
            dropped = ", ".join(ast.unparse(a) for a in node.args)
            node.args = []
            changes.append(f"line {node.lineno}: dropped the index {dropped} of a constraint whose rule makes one "
                           "constraint")


def limit_times_each_term(tree: ast.Module, changes: list[str]) -> None:
    """``sum(area[c] * total_land for c in crops) <= total_land``: every decision multiplied by the very limit it
    is compared with, which lets the decisions sum to 1 instead of to the limit. The limit comes off the terms:
    ``sum(area[c] for c in crops) <= total_land``."""
    variables = set(variable_names(tree))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Compare) and len(node.ops) == 1
                and isinstance(node.ops[0], (ast.LtE, ast.GtE, ast.Eq))):
            continue
        limit = node.comparators[0]
        if not isinstance(limit, (ast.Name, ast.Constant)) or isinstance(limit, ast.Constant) \
                and not (isinstance(limit.value, (int, float)) and not isinstance(limit.value, bool) and limit.value > 1):
            continue
        left = node.left
        if not (isinstance(left, ast.Call) and call_name(left) == "sum" and left.args
                and isinstance(left.args[0], (ast.GeneratorExp, ast.ListComp))):
            continue
        elt = left.args[0].elt
        if not (isinstance(elt, ast.BinOp) and isinstance(elt.op, ast.Mult)):
            continue
        same = [side for side in ("left", "right") if ast.dump(getattr(elt, side)) == ast.dump(limit)]
        if len(same) != 1:
            continue
        rest = getattr(elt, "right" if same[0] == "left" else "left")
        if not any(base_name(n.value if isinstance(n, ast.Subscript) else n) in variables
                   for n in ast.walk(rest) if isinstance(n, (ast.Name, ast.Attribute, ast.Subscript))):
            continue
        before = ast.unparse(node)
        left.args[0].elt = rest
        changes.append(f"`{before}` became `{ast.unparse(node)}`: each term was multiplied by the limit it is "
                       "compared with")
