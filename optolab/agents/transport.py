"""Supply rows written as equalities where the supplies exceed the demands.

A transportation text gives what each source holds ("Warehouse W1 holds 70 units") and what each destination
needs ("Store demands are S1: 40, S2: 45 and S3: 30"). Small models often write both as equalities,
``sum(flow[s, d] for d in stores) == supply[s]``: when the supplies add up to more than the demands, no
shipment plan meets both, and the solver answers infeasible (or, beside demand rows written ``>=``, the model
ships the surplus and pays for it). :func:`fix_supply_equalities` makes such supply rows ``<=``, unless the
text asks for every unit of supply to be shipped or used.
"""

from __future__ import annotations

import ast
import re

from optolab.agents.codeast import base_name, literal_values, quiet_fix, variable_names

# words of a data name that say it is what a source has, or what a destination needs
_SUPPLY = {"supply", "supplies", "capacity", "capacities", "cap", "available", "availability", "stock", "stocks",
           "holds", "hold", "inventory", "production", "output", "limit", "limits", "max", "maximum"}
_DEMAND = {"demand", "demands", "need", "needs", "requirement", "requirements", "required", "require", "order",
           "orders", "min", "minimum"}
# the text asks for the whole supply to go out: then the rows stay equalities
_ALL_SHIPPED = re.compile(r"\b(?:all|entire|every\s+unit\s+of|whole|full)\s+(?:the\s+|of\s+the\s+)?(?:\w+\s+){0,3}?"
                          r"(?:supply|supplies|stock|production|output|capacity)\b"
                          r"|\b(?:must|should|has\s+to|have\s+to|needs?\s+to)\s+(?:all\s+)?be\s+"
                          r"(?:shipped|sent|used|moved|delivered|transported)\s+(?:out|in\s+full)?"
                          r"|\bship(?:s|ped)?\s+(?:out\s+)?(?:all|everything)\b", re.I)


def _name_words(name: str) -> set[str]:
    return set(re.findall(r"[a-z]+", name.lower()))


def _numbers(value) -> list[float] | None:
    """The numbers of a data literal (a dict or list of numbers), or None."""
    items = list(value.values()) if isinstance(value, dict) else list(value) if isinstance(value, (list, tuple)) \
        else None
    if not items or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in items):
        return None
    return [float(v) for v in items]


def _data_side(node: ast.Compare, data: dict[str, list[float]], variables: set[str]) -> tuple[str, bool] | None:
    """For a row ``<variables> == name[key]`` (either way round): the data name and whether it stands on the
    right; None for any other row."""
    if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.Eq, ast.GtE, ast.LtE)):
        return None
    sides = (node.left, node.comparators[0])
    for at_right, (data_side, other) in ((True, (sides[1], sides[0])), (False, sides)):
        if isinstance(data_side, ast.Subscript) and isinstance(data_side.value, ast.Name) \
                and data_side.value.id in data \
                and any(base_name(n) in variables for n in ast.walk(other) if isinstance(n, (ast.Name, ast.Attribute))):
            return data_side.value.id, at_right
    return None


@quiet_fix
def fix_supply_equalities(code: str, question: str):
    """``sum(flow[s, d] for d in stores) == supply[s]`` beside rows over the demands, where the supplies add up to
    more than the demands: the supply rows become ``<=`` (a source ships at most what it holds). None when the
    text asks for all the supply to be shipped, the totals are not that way round, or the rows are not so."""
    from optolab.agents.program import Program

    if _ALL_SHIPPED.search(question):
        return None
    tree = ast.parse(code)
    variables = set(variable_names(tree))
    data = {name: nums for name, value in literal_values(tree).items() if (nums := _numbers(value)) is not None}
    rows: dict[str, list[tuple[ast.Compare, bool]]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            found = _data_side(node, data, variables)
            if found is not None:
                rows.setdefault(found[0], []).append((node, found[1]))
    supplies = [n for n in rows if _name_words(n) & _SUPPLY and not _name_words(n) & _DEMAND
                and any(isinstance(c.ops[0], ast.Eq) for c, _ in rows[n])]
    demands = [n for n in rows if _name_words(n) & _DEMAND and not _name_words(n) & _SUPPLY
               and all(isinstance(c.ops[0], ast.Eq) or isinstance(c.ops[0], ast.GtE) == right for c, right in rows[n])]
    if len(supplies) != 1 or len(demands) != 1:
        return None
    supply, demand = supplies[0], demands[0]
    have, need = sum(data[supply]), sum(data[demand])
    if have <= need * (1 + 1e-9):
        return None
    changed = []
    for node, right in rows[supply]:
        if isinstance(node.ops[0], ast.Eq):
            node.ops = [ast.LtE() if right else ast.GtE()]
            changed.append(ast.unparse(node))
    note = (f"the supplies ({supply}) add up to {have:g}, more than the demands ({demand}) need, {need:g}: a source "
            f"ships at most what it has, so {'the row' if len(changed) == 1 else 'the rows'} "
            f"{', '.join(f'`{c}`' for c in changed[:3])} {'is' if len(changed) == 1 else 'are'} `<=`, not `==`")
    return Program.changed(tree, [note])
