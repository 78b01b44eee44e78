"""A blend's average quality written as a weighted sum of the amounts.

"The strength of the paperboard is a weighted average of the strengths of the paper inputs; the order needs a
strength of at least 7", with grades of strength 8, 6, 5 and 3, is ``sum(strength[g] * x[g]) >= 7 * sum(x[g])``
over amounts ``x``. Small models write ``sum(strength[g] * x[g] for g in grades) >= 7``: any 2 tons of the
strongest grade meet it, so the row binds nothing and the model solves to a wrong optimum.

:func:`fix_weighted_averages` scales the limit by the summed amounts when the text speaks of an average or of
a quality that blends linearly in a sentence that names the weighed quality (or, for decisions weighed by plain
numbers, shares a word with the sentence of the limit), and the limit lies strictly between the smallest and the
largest weight: an average always lies between them, a total of amounts above one does not. Amounts that are
shares summing to 1 keep their meaning (``7 * sum(x) == 7``).
"""

from __future__ import annotations

import ast
import copy
import re

from optolab.agents.checks import mentions_of
from optolab.agents.codeast import base_name, call_name, literal_values, variable_names
from optolab.agents.goal import sentences
from optolab.agents.relation_core import constant_values, number_of

_AVERAGE = re.compile(r"\baverages?\b|\b(?:blend|mix)(?:es|s)? linearly\b|\blinearly by\b", re.I)


def _cue_sentences(question: str) -> list[str]:
    """The sentences that speak of an average or of linear blending."""
    return [s for s in sentences(question or "") if _AVERAGE.search(s)]


_COMMON = frozenset({"which", "their", "there", "these", "those", "least", "total", "units", "other", "each",
                     "about", "should", "would", "could", "while", "where", "every", "price", "costs"})


def _shares_word(question: str, cues: list[str], limit: float) -> bool:
    """Whether a sentence that states ``limit`` shares a word with a sentence of the average ("Octane blends
    linearly by volume" and "needs an octane rating of at least 87")."""
    words = {w.lower() for s in cues for w in re.findall(r"[A-Za-z]{5,}", s)} - _COMMON
    for sentence in sentences(question):
        if mentions_of(sentence, limit) and {w.lower() for w in re.findall(r"[A-Za-z]{5,}", sentence)} & words:
            return True
    return False


def _named_in(cues: list[str], name: str) -> bool:
    """Whether a sentence names the weight's data (a word of ``strength_rating``: "strength")."""
    words = [w for w in re.split(r"_+", name.lower()) if len(w) > 3]
    return any(re.search(rf"\b{re.escape(w[:5])}", s, re.I) for s in cues for w in words)


def _numbers(value: object) -> list[float] | None:
    """The numbers of a dict of numbers (any keys), or None."""
    if not isinstance(value, dict) or not value:
        return None
    out = [v for v in value.values() if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return [float(v) for v in out] if len(out) == len(value) else None


def _var_ref(node: ast.AST, variables: set[str]) -> bool:
    """``x``, ``model.x``, ``x[i]`` or ``model.x[i, p]`` of a model variable."""
    if isinstance(node, ast.Subscript):
        node = node.value
    return isinstance(node, (ast.Name, ast.Attribute)) and base_name(node) in variables


def _indexed_sum(node: ast.AST, data: dict[str, object], variables: set[str]):
    """``sum(d[i] * x[i] for i in I)``: the weights of ``d``, the amounts summed the same way and the name ``d``,
    or None."""
    if not (isinstance(node, ast.Call) and call_name(node) == "sum" and len(node.args) == 1
            and isinstance(node.args[0], (ast.GeneratorExp, ast.ListComp))):
        return None
    gen = node.args[0]
    elt = gen.elt
    if not (isinstance(elt, ast.BinOp) and isinstance(elt.op, ast.Mult)):
        return None
    for weight, amount in ((elt.left, elt.right), (elt.right, elt.left)):
        if isinstance(weight, ast.Subscript) and isinstance(weight.value, ast.Name) and _var_ref(amount, variables):
            numbers = _numbers(data.get(weight.value.id))
            if numbers:
                total = ast.Call(ast.Name("sum", ast.Load()),
                                 [ast.GeneratorExp(copy.deepcopy(amount), copy.deepcopy(gen.generators))], [])
                return numbers, total, weight.value.id
    return None


def _scalar_sum(node: ast.AST, variables: set[str]):
    """``80 * a + 90 * b + 98 * c`` over scalar decisions: the weights, ``a + b + c`` and None (no data name),
    or None."""
    terms: list[ast.AST] = []

    def walk(n: ast.AST) -> None:
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add):
            walk(n.left)
            walk(n.right)
        else:
            terms.append(n)

    walk(node)
    if len(terms) < 2:
        return None
    weights, amounts = [], []
    for t in terms:
        if not (isinstance(t, ast.BinOp) and isinstance(t.op, ast.Mult)):
            return None
        for num, amount in ((t.left, t.right), (t.right, t.left)):
            if isinstance(num, ast.Constant) and isinstance(num.value, (int, float)) \
                    and not isinstance(num.value, bool) and _var_ref(amount, variables) \
                    and not isinstance(amount, ast.Subscript):
                weights.append(float(num.value))
                amounts.append(amount)
                break
        else:
            return None
    if len({ast.unparse(a) for a in amounts}) != len(amounts):
        return None
    total = copy.deepcopy(amounts[0])
    for a in amounts[1:]:
        total = ast.BinOp(total, ast.Add(), copy.deepcopy(a))
    return weights, total, None


def fix_weighted_averages(code: str, question: str):
    """Model code whose average-quality rows compare a weighted sum of amounts with the average itself: those
    rows with the limit times the summed amounts (a :class:`optolab.agents.program.Program` saying what
    changed), or None."""
    from optolab.agents.program import Program

    cues = _cue_sentences(question)
    if not cues:
        return None
    m = _AVERAGE.search(cues[0])
    try:
        tree = ast.parse(code)
        variables = set(variable_names(tree))
        if not variables:
            return None
        data = literal_values(tree)
        named = constant_values(tree)
        changes = []
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Compare) and len(node.ops) == 1
                    and isinstance(node.ops[0], (ast.GtE, ast.LtE, ast.Gt, ast.Lt))):
                continue
            for side in ("left", "right"):
                blend = node.left if side == "left" else node.comparators[0]
                bound = node.comparators[0] if side == "left" else node.left
                limit = number_of(bound, named)
                if limit is None or limit <= 0:
                    continue
                found = _indexed_sum(blend, data, variables) or _scalar_sum(blend, variables)
                if found is None:
                    continue
                weights, total, name = found
                if min(weights) <= 0 or not min(weights) < limit < max(weights):
                    continue
                # the sentence of the average names the weighed quality, or, for plain numbers, shares a word
                # with the sentence of the limit
                if not (_named_in(cues, name) if name else _shares_word(question, cues, limit)):
                    continue
                before = ast.unparse(node)
                scaled = ast.BinOp(copy.deepcopy(bound), ast.Mult(), total)
                if side == "left":
                    node.comparators = [scaled]
                else:
                    node.left = scaled
                changes.append(f"`{before}` became `{ast.unparse(node)}`: the text speaks of \"{m.group(0)}\", "
                               f"and {limit:g} lies between the weights {min(weights):g} and {max(weights):g}, so "
                               "it is an average over the amounts, not a total")
                break
    except Exception:  # noqa: BLE001 - a heuristic fix that trips leaves the code as it was
        return None
    return Program.changed(tree, changes)
