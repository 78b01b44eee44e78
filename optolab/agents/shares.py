"""A share of a measured total written as a share of the count of decisions.

"At least 30% of the tons of candles must go by air", where a freight trip carries 5 tons and an air trip 3, is a
share of the tons moved: ``3 * air >= 0.3 * (5 * freight + 3 * air)``. Small models write the share of the trips
instead (``air >= 0.3 * (freight + air)``). The model solves, so no solver status reveals it.

:func:`fix_measured_shares` weighs such a row by the numbers the text gives each decision for the measured thing,
when the share's word ("tons") names no decision, the text gives every decision exactly one number for it, and
the code's row compares one decision (weight 1) with the share times the plain sum of all decisions.
"""

from __future__ import annotations

import ast
import re

from optolab.agents.checks import mentions_of
from optolab.agents.codeast import base_name, variable_names
from optolab.agents.goal import name_roots, numbers_by_decision, root, sum_terms
from optolab.agents.share_relations import SHARE


def _measures(question: str, value: float, word: str) -> bool:
    """Whether the text writes ``value`` right before the measured word ("5 tons", "3 tons of")."""
    return any(re.match(rf"\s*(?:[a-z]+\s+)?{re.escape(word[:4])}", question[m.end(1):], re.I)
               for m in mentions_of(question, value))


def _plain_sum(node: ast.AST, decisions: list[str]) -> bool:
    """Whether ``node`` is ``a + b + ...`` over every decision once, each with weight 1."""
    terms = sum_terms(node)
    names = [base_name(t) for t in terms]
    return all(isinstance(t, (ast.Name, ast.Attribute)) for t in terms) and sorted(names) == sorted(decisions)


def _share_row(node: ast.Compare, share: float, decisions: list[str]) -> tuple[ast.AST, ast.BinOp] | None:
    """``x (>=|<=) share * (sum)``: the lone decision and the product, or None."""
    if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.GtE, ast.LtE)):
        return None
    for lone, other in ((node.left, node.comparators[0]), (node.comparators[0], node.left)):
        if not (isinstance(lone, (ast.Name, ast.Attribute)) and base_name(lone) in decisions):
            continue
        if isinstance(other, ast.BinOp) and isinstance(other.op, ast.Mult):
            for factor, total in ((other.left, other.right), (other.right, other.left)):
                if isinstance(factor, ast.Constant) and isinstance(factor.value, (int, float)) \
                        and abs(factor.value - share) < 1e-9 and _plain_sum(total, decisions):
                    return lone, other
    return None


def fix_measured_shares(code: str, question: str):
    """Model code with a share of a measured total written over the count of decisions: the row weighed by
    the text's numbers (a :class:`optolab.agents.program.Program` saying what changed), or None."""
    from optolab.agents.program import Program

    try:
        tree = ast.parse(code)
        decisions = list(variable_names(tree))
        if len(decisions) < 2:
            return None
        own = {r for d in decisions for r in name_roots(d)}
        changes = []
        for m in SHARE.finditer(question):
            word = m.group(2).lower()
            if root(word) in own or word in ("them", "it", "all", "each", "these", "those"):
                continue
            if re.search(rf"\b(?:per|each|every|a)\s+{re.escape(word[:4])}", question, re.I):
                continue  # "2 hours per trip": the share counts what the decisions count
            weights = numbers_by_decision(question, decisions, frozenset({root(word)}), keep_one=True)
            if weights is None or len(set(weights.values())) == 1 or not all(
                    _measures(question, x, word) for x in weights.values()):
                continue
            share = float(m.group(1)) / 100
            for node in ast.walk(tree):
                if not isinstance(node, ast.Compare):
                    continue
                row = _share_row(node, share, decisions)
                if row is None:
                    continue
                lone, product = row
                before = ast.unparse(node)
                owner = ast.unparse(lone).rsplit(".", 1)[0] + "." if isinstance(lone, ast.Attribute) else ""
                total = " + ".join(f"{weights[d]:g} * {owner}{d}" for d in decisions)
                weighted = ast.parse(f"{weights[base_name(lone)]:g} * {ast.unparse(lone)}", mode="eval").body
                product_new = ast.parse(f"{share:g} * ({total})", mode="eval").body
                if node.left is lone:
                    node.left, node.comparators = weighted, [product_new]
                else:
                    node.left, node.comparators = product_new, [weighted]
                changes.append(f"`{before}` became `{ast.unparse(node)}`: the text says \"{m.group(0)}\", a share of "
                               f"the {word}, and gives each decision its {word}")
    except Exception:  # noqa: BLE001 - a heuristic fix that trips leaves the code as it was
        return None
    return Program.changed(tree, changes)
