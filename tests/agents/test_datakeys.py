"""Table data read with its keys in the wrong order or shape (optolab.agents.datakeys)."""

from __future__ import annotations

import ast

from optolab.agents.datakeys import fix_data_keys

HEAD = """warehouses = ['A', 'B', 'C']
shops = [1, 2, 3, 4]
cost = {(1, 'A'): 20, (1, 'B'): 40, (1, 'C'): 50, (2, 'A'): 30, (2, 'B'): 15, (2, 'C'): 45,
        (3, 'A'): 40, (3, 'B'): 35, (3, 'C'): 10, (4, 'A'): 25, (4, 'B'): 30, (4, 'C'): 20}
nested = {1: {'A': 20, 'B': 40}, 2: {'A': 30, 'B': 15}}
"""


def _fixed(line: str) -> tuple[str, list[str]]:
    tree = ast.parse(HEAD + line)
    changes: list[str] = []
    fix_data_keys(tree, changes)
    return ast.unparse(tree.body[-1]), changes


def _total(line: str) -> float:
    code, _ = _fixed(line)
    scope: dict = {}
    exec(HEAD + code, scope)
    return scope["total"]


def test_pair_keys_read_one_at_a_time_or_turned_round():
    for line in ("total = sum(cost[s][w] for w in warehouses for s in shops)",
                 "total = sum(cost[w, s] for w in warehouses for s in shops)",
                 "total = sum(cost[w][s] for s in shops for w in warehouses)"):
        code, changes = _fixed(line)
        assert "cost[s, w]" in code and len(changes) == 1 and "keyed by pairs" in changes[0]
        assert _total(line) == 360


def test_right_readings_and_unknown_keys_are_left_alone():
    for line in ("total = sum(cost[s, w] for w in warehouses for s in shops)",
                 "total = sum(cost[k] for k in cost)",
                 "total = sum(nested[s][w] for s in [1, 2] for w in ['A', 'B'])"):
        assert _fixed(line)[1] == []


def test_nested_dicts_and_literal_keys():
    code, changes = _fixed("total = nested['B'][2] + nested[1, 'A']")
    assert code == "total = nested[2]['B'] + nested[1]['A']" and len(changes) == 2
    code, changes = _fixed("total = sum(cost['C', s] for s in range(1, 5))")
    assert code == "total = sum((cost[s, 'C'] for s in range(1, 5)))" and len(changes) == 1


def test_loops_written_as_statements():
    code, changes = _fixed("for w in warehouses:\n    for s in shops:\n        total = cost[w][s]")
    assert "cost[s, w]" in code and len(changes) == 1
