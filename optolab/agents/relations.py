"""Relations the text states between decisions, read against the model code.

Slips of small models that the NL4OPT and OptiBench trails show again and again, each producing a
model that solves to a wrong optimum (or none), so no solver status reveals them:

- a share of a total ("at most 60% of the vehicles can be vans") written against one other
  decision (``vans <= 0.6 * cars``) instead of the total (``vans <= 0.6 * (vans + cars)``);
- "at least twice as many cars as vans" flipped into ``vans >= 2 * cars``;
- "a total of at least 60,000 square feet" written as ``hardwood + vinyl <= 60000``.

The checks fire only when the phrase is in the text and a constraint of the code has exactly
the wrong shape, so a model that is right in another form (``0.4 * vans <= 0.6 * cars``, an
auxiliary ``total`` variable) is left alone.

The checks live by kind: shares and fractions (:mod:`optolab.agents.share_relations`), multiples and orders
(:mod:`optolab.agents.multiple_relations`), stated limits (:mod:`optolab.agents.bound_relations`), over the
comparisons :mod:`optolab.agents.relation_core` reads off the code; this module runs them and applies the fixes.
"""

from __future__ import annotations

import ast

from optolab.agents.bound_relations import bound_findings, bound_issues, fix_var_bounds
from optolab.agents.multiple_relations import multiple_findings, multiple_issues
from optolab.agents.share_relations import (
    fraction_issues, rewrite_share, share_direction_issues, share_findings, share_issues,
)


_FLIP = {ast.LtE: ast.GtE, ast.GtE: ast.LtE, ast.Lt: ast.Gt, ast.Gt: ast.Lt}


def fix_relations(code: str, question: str):
    """:func:`_fix_relations_once`, and once more on its result: a share rewritten against the total
    (``bikes >= 0.3 * scooters`` -> ``bikes >= 0.3 * (bikes + scooters)``) keeps the code's direction, which
    the second pass checks against the text ("at most 30% ... can be bikes")."""
    from optolab.agents.program import Program

    first = _fix_relations_once(code, question)
    if first is None:
        return None
    second = _fix_relations_once(first.code, question)
    if second is None:
        return first
    return Program(second.code, first.changes + second.changes)


def _fix_relations_once(code: str, question: str):
    """The code with the inequalities turned round that :func:`bound_findings` and :func:`multiple_findings`
    show to point the wrong way, and shares of a total written against one other decision rewritten
    against the sum (:func:`share_findings`): a :class:`optolab.agents.program.Program` saying what
    changed, or None when there is nothing to fix. Small models rarely make these changes when asked;
    the text says what the relation is, so the fix needs no model."""
    from optolab.agents.codeast import variable_names
    from optolab.agents.program import Program

    try:
        tree = ast.parse(code)
        variables = variable_names(tree)
        multiples = multiple_issues(question, tree, variables)
        rewrites = [(n, new, t) for n, t, new in multiples if n is not None and new is not None]
        flips = [(n, t) for n, t, new in multiples if new is None]
        issues = [(n, t) for n, t in bound_issues(question, tree, variables) + flips if n]
        shares = share_issues(question, tree, variables)
        rewrites += share_direction_issues(question, tree, variables)
        rewrites += fraction_issues(question, tree, variables)
    except Exception:  # noqa: BLE001 - a heuristic fix that trips leaves the code as it was
        return None
    changes, done = [], set()
    for node, new, text in rewrites:
        if id(node) in done:
            continue
        before = ast.unparse(node)
        node.left, node.ops, node.comparators = new.left, new.ops, new.comparators
        done.add(id(node))
        changes.append(f"`{before}` turned into `{ast.unparse(node)}`: the text says \"{text.split(chr(34))[1]}\"")
    for node, text in issues:
        if id(node) in done or type(node.ops[0]) not in _FLIP and not isinstance(node.ops[0], ast.Eq):
            continue
        before = ast.unparse(node)
        if isinstance(node.ops[0], ast.Eq):  # the text's bound, in the direction the message names
            node.ops = [ast.GtE() if text.rstrip(".").endswith(">=") else ast.LtE()]
        else:
            node.ops = [_FLIP[type(node.ops[0])]()]
        done.add(id(node))
        changes.append(f"`{before}` turned into `{ast.unparse(node)}`: {text.split(' but ')[0].rstrip(',')}")
    changes += fix_var_bounds(tree, question)
    for issue in shares:
        node = issue.rel.node
        if id(node) in done:
            continue
        before = ast.unparse(node)
        if rewrite_share(issue):
            done.add(id(node))
            changes.append(f"`{before}` turned into `{ast.unparse(node)}`: {issue.text.split(', but ')[0]}")
    return Program.changed(tree, changes)


def relation_findings(question: str, code: str | ast.AST, variables: list[str], solved: bool = True) -> list[str]:
    """All three checks for a solved model; for one without a solution (infeasible, unbounded), only the
    bound directions, a common cause of both. A check that trips over unusual code says nothing rather
    than stop the agent."""
    try:
        if not solved:
            return bound_findings(question, code, variables)
        return (share_findings(question, code, variables) + multiple_findings(question, code, variables)
                + bound_findings(question, code, variables))
    except Exception:  # noqa: BLE001 - heuristics must never turn into a finding about themselves
        return []
