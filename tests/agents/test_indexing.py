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
