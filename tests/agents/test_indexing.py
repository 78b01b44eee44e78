import ast

from optolab.agents.indexing import join_chained_indexes, sum_stray_loop_names
from optolab.agents.program import clean_program

TEAMS = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
products = ['AppX', 'AppY']
teams = range(3)
gain = {'AppX': 5, 'AppY': 4}
model.allocate = pyo.Var(products, teams, domain=pyo.Binary)
allocate = model.allocate
model.objective = pyo.Objective(expr=sum(gain[p] * allocate[p][t] for p in products for t in teams), sense=pyo.maximize)
model.total = pyo.Constraint(expr=sum(model.allocate[p][t] for p in products for t in teams) <= 2)
"""


def test_chained_keys_of_a_two_set_variable_are_joined_and_the_model_runs(solve_objective):
    program = clean_program(TEAMS)
    assert "allocate[p, t]" in program.code and "model.allocate[p, t]" in program.code
    assert "][" not in program.code
    assert any("one key at a time" in c for c in program.changes)
    assert solve_objective(program.code) == 10


def test_chained_keys_are_left_alone_where_they_are_meant():
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
rate = {'a': {'x': 1}}
model.y = pyo.Var(['a'], domain=pyo.NonNegativeReals)
model.z = pyo.Var(['a'], ['x'], ['u'])
w = rate['a']['x'] * model.y['a'][0] if False else model.z['a']['x']
"""
    changes: list[str] = []
    tree = join_chained_indexes(ast.parse(code), changes)
    text = ast.unparse(tree)
    assert "rate['a']['x']" in text  # a dict of dicts, not a component
    assert "model.y['a'][0]" in text  # declared over one set
    assert "model.z['a']['x']" in text  # two keys for three sets: not guessed
    assert changes == []


RATIO = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
crops = ['C1', 'C2']
profit = {'C1': 100, 'C2': 120}
water = {'C1': 500, 'C2': 800}
model.area = pyo.Var(crops, domain=pyo.NonNegativeReals, bounds=(1, 10))
area = model.area
model.objective = pyo.Objective(expr=sum(profit[c] * area[c] for c in crops) / (water[c] * area[c]), sense=pyo.maximize)
"""


def test_a_loop_variable_used_beside_its_sum_is_summed_over_the_same_loop():
    program = clean_program(RATIO)
    assert "/ sum((water[c] * area[c] for c in crops))" in program.code.replace("\n", " ") \
        or "/ sum(water[c] * area[c] for c in crops)" in program.code
    assert any("outside the sum that runs over it" in c for c in program.changes)
    scope: dict = {}
    exec(program.code, scope)  # no NameError


def test_a_loop_variable_bound_elsewhere_or_inside_its_loop_is_left_alone():
    code = """total = sum(a[c] for c in crops) / (b[c] * 2)
for c in crops:
    pass
inner = [sum(a[c] for c in crops) * w[c] for c in crops]
"""
    changes: list[str] = []
    sum_stray_loop_names(ast.parse(code), changes)
    assert changes == []  # c is a loop variable of a for-loop too: the stray use may be meant
    code = "inner = [sum(a[c] for c in crops) * w[c] for c in crops]\n"
    sum_stray_loop_names(ast.parse(code), changes)
    assert changes == []  # w[c] is bound by the outer comprehension


SPOTS = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.spots = pyo.Var(domain=pyo.Binary)
spots = model.spots
model.objective = pyo.Objective(expr=500 * spots[3] + 700 * spots[4] + 1000 * spots[5] + 300 * spots[6] + 260 * spots[7],
                                sense=pyo.maximize)
model.time = pyo.Constraint(expr=30 * spots[0] + 45 * spots[1] + 60 * spots[2] + 20 * spots[3] + 15 * spots[4] <= 120)
"""


def test_two_runs_of_made_up_keys_for_the_same_items_are_read_as_one(solve_objective):
    # the objective numbers the five spots 3..7 and the time row 0..4: unaligned, spots 5..7 are free
    program = clean_program(SPOTS)
    assert "500 * spots[0] + 700 * spots[1]" in program.code and "spots[7]" not in program.code
    assert "pyo.Var([0, 1, 2, 3, 4]" in program.code
    assert any("the same items" in c for c in program.changes)
    assert solve_objective(program.code) == 1960  # the 60, 45 and 15-second spots


def test_runs_of_keys_that_differ_in_length_or_repeat_are_left_alone():
    for objective, row in (("spots[3] + spots[4] + spots[5]", "spots[0] + spots[1]"),      # 3 and 2 keys
                           ("spots[0] + spots[1]", "spots[1] + spots[1]"),                  # a key twice
                           ("spots[1] + spots[0]", "spots[0] + spots[1]")):                 # the same keys
        code = SPOTS.split("model.objective")[0] + (
            f"model.objective = pyo.Objective(expr={objective}, sense=pyo.maximize)\n"
            f"model.time = pyo.Constraint(expr={row} <= 1)\n")
        program = clean_program(code)
        assert not any("the same items" in c for c in program.changes), (objective, row)
        assert objective in program.code and row in program.code


def test_loops_joined_with_and_become_separate_loops(solve_objective):
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
sources = ['W1', 'W2']
stores = ['S1', 'S2']
cost = {('W1', 'S1'): 4, ('W1', 'S2'): 6, ('W2', 'S1'): 5, ('W2', 'S2'): 3}
model.ship = pyo.Var(sources, stores, domain=pyo.NonNegativeReals)
model.objective = pyo.Objective(expr=sum(cost[r, c] * model.ship[r, c] for r in sources and c in stores),
                                sense=pyo.minimize)
model.need = pyo.ConstraintList()
for c in stores:
    model.need.add(sum(model.ship[s, c] for s in sources) >= 10)
"""
    program = clean_program(code)
    assert "for r in sources for c in stores" in program.code
    assert any("joins its loops with `and`" in c for c in program.changes)
    assert solve_objective(program.code) == 70  # S1 from W1 (4), S2 from W2 (3)
    kept = "total = sum(1 for r in sources if r and r in stores)\n"  # `and` in a condition is meant
    assert clean_program(code + kept).code.count("if r and r in stores") == 1


def test_a_call_of_a_method_no_pyomo_variable_has_is_removed_with_the_loop_it_empties():
    from optolab.agents.program import clean_program

    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
arcs = [('S', 'A'), ('A', 'T')]
model.time = pyo.Var(arcs, domain=pyo.NonNegativeReals)
time = model.time
model.objective = pyo.Objective(expr=sum(time[a] for a in arcs))
for arc in arcs:
    if arc[0] != 'S':
        model.time[arc].add_constraint(time[arc] >= 1)
model.time['S', 'A'].setlb(1)
"""
    program = clean_program(code)
    assert "add_constraint" not in program.code and "for arc in arcs" not in program.code
    assert "model.time['S', 'A'].setlb(1)" in program.code  # a real method stays
    assert any("has no .add_constraint()" in c for c in program.changes)
