"""Table data read with its keys in the wrong order or shape (optolab.agents.datakeys)."""

from __future__ import annotations

import ast

from optolab.agents.datakeys import fix_data_keys
from optolab.agents.program import clean_program

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


DEPOTS = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
depots = ['D1', 'D2', 'D3']
regions = ['R1', 'R2', 'R3']
columns = ['R1', 'R2', 'R3']
cost = {('D1', 'R1'): 20, ('D1', 'R2'): 40, ('D1', 'R3'): 50, ('D2', 'R1'): 45, ('D2', 'R2'): 15, ('D2', 'R3'): 35,
        ('D3', 'R1'): 55, ('D3', 'R2'): 40, ('D3', 'R3'): 10}
cost = {(d, c): cost[d, c] for d in depots for c in columns}
fixed = {('D1',): 50000, ('D2',): 40000, ('D3',): 45000}
cap = {'D1': 500, 'D2': 400, 'D3': 450}
need = {('R1',): 300, ('R2',): 250, ('R3',): 350}
model.open_depot = pyo.Var(depots, domain=pyo.Binary)
model.flow = pyo.Var(depots, regions, domain=pyo.NonNegativeReals)
flow = model.flow
model.objective = pyo.Objective(expr=sum(fixed[d] * model.open_depot[d] for d in depots)
                                + sum(cost[r, c] * flow[d, r] for d in depots for r in regions), sense=pyo.minimize)
model.supply_if_open = pyo.ConstraintList()
for d in depots:
    model.supply_if_open.add(sum(flow[d, r] for r in regions) <= cap[d] * model.open_depot[d])
model.meet_need = pyo.ConstraintList()
for r in regions:
    model.meet_need.add(sum(flow[d, r] for d in depots) >= need[r])
"""


def test_one_element_tuple_keys_and_a_key_bound_nowhere_are_mended(solve_objective):
    program = clean_program(DEPOTS)
    assert "fixed = {'D1': 50000, 'D2': 40000, 'D3': 45000}" in program.code
    assert "cost[d, r] * flow[d, r] for d in depots for r in regions" in program.code
    assert any("c is bound nowhere" in c for c in program.changes)
    assert solve_objective(program.code) == 114500


def test_a_key_bound_outside_the_reading_or_without_one_fitting_loop_is_left_alone():
    bound = DEPOTS.replace("model.open_depot = ", "c = 'R1'\nmodel.open_depot = ")
    assert "cost[r, c] * flow[d, r]" in clean_program(bound).code  # c means something here
    square = DEPOTS.replace("regions = ['R1', 'R2', 'R3']", "regions = ['D1', 'D2', 'D3']")
    assert "cost[r, c]" in clean_program(square).code  # two loops fit the first place: no guess


def test_a_variable_over_two_lists_is_read_in_its_own_key_order(solve_objective):
    # flow is made over (depots, regions); the code reads it turned round, and once with a key that only a
    # for loop further down binds (its last element there: a slip)
    code = DEPOTS.replace("cost[r, c] * flow[d, r] for d in depots for r in regions",
                          "cost[d, r] * flow[r, d] for d in depots for r in regions")
    program = clean_program(code)
    assert "flow[d, r] for d in depots for r in regions" in program.code
    assert any("flow[r, d] became flow[d, r]: flow is keyed by pairs" in c for c in program.changes)
    assert solve_objective(program.code) == 114500
    later = DEPOTS.replace("cost[r, c] * flow[d, r] for d in depots for r in regions",
                           "cost[c, r] * flow[d, c] for r in regions for c in depots")
    program = clean_program(later)
    assert "flow[c, r]" in program.code and any("d is bound nowhere" in c for c in program.changes)
    assert solve_objective(program.code) == 114500
