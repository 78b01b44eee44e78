"""Fitting the numbers in proposed code, with the score alone.

A language model is good at the shape of a formula and poor at its numbers: a small model asked for a line
through measurements proposes ``2 * x + 4`` or ``2 * x + 3`` step after step and rarely the slope the
numbers imply. LLM-SR (Shojaee et al., "LLM-SR: Scientific Equation Discovery via Programming with Large
Language Models", 2024) splits the work the same way: the model proposes a skeleton and the constants are
fitted numerically. :func:`fit_constants` does the fitting with Hooke and Jeeves' pattern search ("Direct
search solution of numerical and statistical problems", 1961) over the numeric literals of the code, each move
scored by the user's score function, so it needs no gradient and no knowledge of what the code computes:

- every literal takes a step of half its size (at least 0.5) up, then down; a move that raises the score is
  kept at once; after moves that raised it, the search jumps as far again in the same direction and explores
  there (a valley along two numbers at once is followed, not only along each); where no single number's move
  helps, moves of two numbers at once are tried before the steps shrink (an error that sums absolute values
  has its way down between the axes);
- when no literal improves, every step halves; the search stops at the evaluation budget or when the steps
  fall below ``min_step``;
- last, the numbers are tried rounded to 0-4 decimals, all together and then each alone, and kept so where
  they score no worse (a few evaluations over the budget).

Literals that are indexes (``xs[0]``), ``range`` arguments, defaults of arguments and booleans are left alone.
"""

from __future__ import annotations

import ast
import textwrap
from typing import Callable


def _tunable(tree: ast.AST) -> list[ast.Constant]:
    """The numeric literals of the code a fit may move, in source order."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            skip |= {id(n) for n in ast.walk(node.slice)}
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range":
            skip |= {id(n) for a in node.args for n in ast.walk(a)}
        elif isinstance(node, ast.arguments):
            skip |= {id(n) for d in node.defaults + [d for d in node.kw_defaults if d] for n in ast.walk(d)}
    found = [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, (int, float))
             and not isinstance(n.value, bool) and id(n) not in skip]
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))


class _Signs(ast.NodeTransformer):
    """``--3.0 * x - -4.0`` (a negative number under a minus) written ``3.0 * x + 4.0``."""

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
                and isinstance(node.operand.value, (int, float)) and not isinstance(node.operand.value, bool):
            return ast.Constant(-node.operand.value)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        right = node.right
        if isinstance(node.op, (ast.Add, ast.Sub)) and isinstance(right, ast.Constant) \
                and isinstance(right.value, (int, float)) and not isinstance(right.value, bool) and right.value < 0:
            node.op = ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()
            node.right = ast.Constant(-right.value)
        return node


def _tidy(source: str) -> str:
    """The source with the signs of its numbers folded (the fit moves numbers across zero)."""
    return ast.unparse(ast.fix_missing_locations(_Signs().visit(ast.parse(source))))


def numeric_literals(source: str) -> list[float]:
    """The numbers :func:`fit_constants` would move in ``source``, in order."""
    return [n.value for n in _tunable(ast.parse(textwrap.dedent(source)))]


def _clean(value: float, was_int: bool) -> int | float:
    value = float(f"{value:.10g}")
    return int(value) if was_int and value.is_integer() else value


def fit_constants(source: str, evaluate: Callable[[str], float], score: float, *, budget: int = 40,
                  max_literals: int = 8, min_step: float = 1e-7) -> tuple[str, float, int]:
    """Move the numeric literals of ``source`` to raise ``evaluate(source)`` (higher is better) from ``score``
    (the score of ``source`` as it is). Returns the best source, its score and the evaluations spent; the
    source comes back unchanged when nothing scored higher or it has no literal to move."""
    tree = ast.parse(textwrap.dedent(source))
    nodes = _tunable(tree)[:max_literals]
    if not nodes or budget <= 0:
        return source, score, 0
    values = [n.value for n in nodes]
    kinds = [isinstance(v, int) for v in values]
    steps = [max(abs(v), 1.0) * 0.5 for v in values]
    best_source, used = source, 0

    def render(trial: list) -> str:
        for node, value in zip(nodes, trial):
            node.value = value
        return _tidy(ast.unparse(tree)) + "\n"

    def scored(trial: list) -> float:
        nonlocal used
        used += 1
        try:
            return float(evaluate(render(trial)))
        except Exception:  # noqa: BLE001 - a trial that breaks the code is just a bad move
            return float("-inf")

    def explore(base: list, base_score: float) -> tuple[list, float]:
        """One move per number from ``base``, up or down by its step, each kept if it scores higher."""
        point, best = list(base), base_score
        for i in range(len(point)):
            for sign in (1, -1):
                if used >= budget:
                    return point, best
                trial = list(point)
                trial[i] = _clean(point[i] + sign * steps[i], kinds[i] and float(steps[i]).is_integer())
                if trial[i] == point[i]:
                    continue
                value = scored(trial)
                if value > best:
                    point, best = trial, value
                    break
        return point, best

    def diagonal(base: list, base_score: float) -> tuple[list, float]:
        """Moves of two numbers at once (both up, both down, one up and one down): where an error is a sum of
        absolute values, the way down can run between the axes, and no single number's move finds it."""
        n = len(base)
        pairs = [(i, j) for i in range(n) for j in range(i + 1, n)] if n <= 4 else [(i, i + 1) for i in range(n - 1)]
        for i, j in pairs:
            for si, sj in ((1, -1), (-1, 1), (1, 1), (-1, -1)):
                if used >= budget:
                    return base, base_score
                trial = list(base)
                trial[i] = _clean(base[i] + si * steps[i], False)
                trial[j] = _clean(base[j] + sj * steps[j], False)
                value = scored(trial)
                if value > base_score:
                    return trial, value
        return base, base_score

    # Hooke and Jeeves' pattern search: explore around the base; after a success, jump as far again in the
    # direction it moved and explore there, which follows a valley that no single number's move climbs
    while used < budget:
        point, value = explore(values, score)
        if value <= score and len(values) > 1:
            point, value = diagonal(values, score)
        if value > score:
            while used < budget:
                jump = [_clean(2 * p - v, False) for p, v in zip(point, values)]
                values, score = point, value
                jumped, jumped_value = explore(jump, scored(jump))
                if jumped_value <= score:
                    break
                point, value = jumped, jumped_value
            best_source = render(values)
            continue
        steps = [s / 2 for s in steps]
        if max(steps) < min_step:
            break
    # measured quantities are often round: a fitted 3.99998 that scores no worse as 4 is written 4 (all the
    # numbers rounded together first, then each alone)
    for digits in range(5):
        if used >= budget + 2 * len(values):
            break
        together = [_clean(round(v, digits), k) for v, k in zip(values, kinds)]
        if together == values:
            continue
        value = scored(together)
        if value >= score:
            score, values, best_source = value, together, render(together)
            break
    for i, value in enumerate(values):
        for digits in range(4):
            if used >= budget + 2 * len(values):
                break
            rounded = _clean(round(value, digits), kinds[i])
            if rounded == value:
                break
            trial = list(values)
            trial[i] = rounded
            trial_score = scored(trial)
            if trial_score >= score:
                score, values, best_source = trial_score, trial, render(trial)
                break
    render(values)
    return best_source, score, used
