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


SHIP = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
sources = ['W1', 'W2']
stores = ['S1', 'S2', 'S3']
supply = {'W1': 70, 'W2': 50}
demand = {'S1': 40, 'S2': 45, 'S3': 30}
cost = {('W1', 'S1'): 4, ('W1', 'S2'): 6, ('W1', 'S3'): 9, ('W2', 'S1'): 5, ('W2', 'S2'): 3, ('W2', 'S3'): 7}
model.flow = pyo.Var(sources, stores, domain=pyo.NonNegativeReals)
flow = model.flow
model.objective = pyo.Objective(expr=sum(cost[w, s] * flow[w, s] for w in sources for s in stores))
model.meet = pyo.ConstraintList()
for s in demand:
    model.meet.add(sum(flow[s, d] for d in stores) == demand[s])
model.hold = pyo.ConstraintList()
for w in sources:
    model.hold.add(sum(flow[w, w] for w in stores) <= supply[w])
"""


def test_a_sum_over_the_list_its_outer_key_already_takes_runs_over_the_other(solve_objective):
    program = clean_program(SHIP)
    assert "sum((flow[d, s] for d in sources)) == demand[s]" in program.code
    assert "sum((flow[w, w_1] for w_1 in stores)) <= supply[w]" in program.code
    assert any("so the sum runs over the other" in c for c in program.changes)
    assert any("the sum's variable hid the loop's w" in c for c in program.changes)
    assert solve_objective(program.code) == 555
    # a sum whose variable is read twice, or with no list of exactly the other place's elements, is left alone
    twice = SHIP.replace("sum(flow[s, d] for d in stores)", "sum(flow[s, d] + flow[s, d] for d in stores)")
    assert "flow[s, d] + flow[s, d] for d in stores" in clean_program(twice).code
    unnamed = SHIP.replace("sources = ['W1', 'W2']\n", "").replace("Var(sources,", "Var(['W1', 'W2'],") \
        .replace("for w in sources", "for w in ['W1', 'W2']")
    assert "flow[s, d] for d in stores" in clean_program(unnamed).code


def test_a_variable_made_over_one_list_and_read_with_two_loop_keys_is_made_over_both(solve_objective):
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
parcels = [1, 2, 3, 4]
weight = {1: 60, 2: 50, 3: 40, 4: 30}
model.put = pyo.Var(parcels, domain=pyo.Binary)
model.used = pyo.Var(parcels, domain=pyo.Binary)
model.objective = pyo.Objective(expr=sum(model.used[v] for v in parcels), sense=pyo.minimize)
model.once = pyo.ConstraintList()
for p in parcels:
    model.once.add(sum(model.put[p, v] for v in parcels) == 1)
model.cap = pyo.ConstraintList()
for v in parcels:
    model.cap.add(sum(weight[p] * model.put[p, v] for p in parcels) <= 100 * model.used[v])
"""
    program = clean_program(code)
    assert "model.put = pyo.Var(parcels, parcels, domain=pyo.Binary)" in program.code
    assert any("read with two keys" in c for c in program.changes)
    assert solve_objective(program.code) == 2  # 60 + 40 and 50 + 30
    # read once with one key, or with the same key twice: left as made
    mixed = code.replace("model.objective = pyo.Objective(expr=sum(model.used[v] for v in parcels)",
                         "model.objective = pyo.Objective(expr=sum(model.used[v] + model.put[v] for v in parcels)")
    assert "pyo.Var(parcels, domain=pyo.Binary)\nmodel.used" in clean_program(mixed).code


def test_a_sum_over_a_variable_made_over_links_takes_every_link_into_the_node(solve_objective):
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
links = [('F1', 'H'), ('F2', 'H'), ('F1', 'C1'), ('H', 'C1'), ('H', 'C2'), ('F2', 'C2')]
cost = {('F1', 'H'): 2, ('F2', 'H'): 3, ('F1', 'C1'): 7, ('H', 'C1'): 4, ('H', 'C2'): 3, ('F2', 'C2'): 6}
demand = {'C1': 45, 'C2': 55}
model.flow = pyo.Var(links, domain=pyo.NonNegativeReals)
flow = model.flow
model.objective = pyo.Objective(expr=sum(cost[a] * flow[a] for a in links), sense=pyo.minimize)
model.meet = pyo.ConstraintList()
for s in ['C1', 'C2']:
    model.meet.add(sum(flow[w, s] for w in ['F1', 'F2']) >= demand[s])
model.hub = pyo.Constraint(expr=flow['F1', 'H'] + flow['F2', 'H'] == flow['H', 'C1'] + flow['H', 'C2'])
"""
    program = clean_program(code)
    assert "for w in ['F1', 'F2', 'H'] if (w, s) in links" in program.code
    assert any("made over the pairs of links only" in c for c in program.changes)
    assert solve_objective(program.code) == 45 * 6 + 55 * 5  # C1 via H (2 + 4), C2 via H (2 + 3)
    # a sum whose pairs are all links is left as written
    full = code.replace("for w in ['F1', 'F2'])", "for w in ['H'])")
    assert "for w in ['H'])" in clean_program(full).code
