from optolab.agents.modeler import tidy_program
from optolab.agents.transport import fix_supply_equalities

DEPOTS = ("Two depots supply three clinics with boxes of masks. Depot North holds 90 boxes and depot South holds 60 "
          "boxes. Clinic A needs 50 boxes, clinic B needs 40 and clinic C needs 35. Moving a box costs $2 from North "
          "to A, $4 to B and $7 to C, and $5 from South to A, $3 to B and $2 to C. What is the cheapest plan?")

CODE = """import pyomo.environ as pyo
depots = ['North', 'South']
clinics = ['A', 'B', 'C']
supply = {'North': 90, 'South': 60}
demand = {'A': 50, 'B': 40, 'C': 35}
cost = {('North', 'A'): 2, ('North', 'B'): 4, ('North', 'C'): 7, ('South', 'A'): 5, ('South', 'B'): 3,
        ('South', 'C'): 2}
model = pyo.ConcreteModel()
model.ship = pyo.Var(depots, clinics, domain=pyo.NonNegativeReals)
model.cost = pyo.Objective(expr=sum(cost[d, c] * model.ship[d, c] for d in depots for c in clinics))
model.out = pyo.ConstraintList()
for d in depots:
    model.out.add(sum(model.ship[d, c] for c in clinics) == supply[d])
model.need = pyo.ConstraintList()
for c in clinics:
    model.need.add(DEMAND_ROW)
"""


def solve_code(code):
    from optolab.solvers import solve

    scope = {}
    exec(code, scope)  # test code written here
    return solve(scope["model"])


def test_supply_equalities_with_more_supply_than_demand_become_at_most():
    code = CODE.replace("DEMAND_ROW", "sum(model.ship[d, c] for d in depots) == demand[c]")
    assert solve_code(code).termination.value in ("infeasible", "infeasible_or_unbounded")
    fixed = fix_supply_equalities(code, DEPOTS)
    assert "sum((model.ship[d, c] for c in clinics)) <= supply[d]" in fixed.code
    assert "== demand[c]" in fixed.code  # the demand rows stay as written
    assert "150" in fixed.changes[0] and "125" in fixed.changes[0]
    # North: A 50, B 15; South: B 25, C 35 -> 100 + 60 + 75 + 70
    assert abs(solve_code(fixed.code).objective - 305) < 1e-6
    assert fix_supply_equalities(fixed.code, DEPOTS) is None
    # in the agent's pass over written code too
    assert "<= supply[d]" in tidy_program(code, DEPOTS)["code"]


def test_beside_demand_rows_at_least_the_surplus_is_no_longer_shipped():
    code = CODE.replace("DEMAND_ROW", "sum(model.ship[d, c] for d in depots) >= demand[c]")
    assert solve_code(code).objective > 305  # 25 surplus boxes shipped and paid for
    fixed = fix_supply_equalities(code, DEPOTS)
    assert abs(solve_code(fixed.code).objective - 305) < 1e-6


def test_data_on_the_left_flips_the_other_way():
    code = CODE.replace("sum(model.ship[d, c] for c in clinics) == supply[d]",
                        "supply[d] == sum(model.ship[d, c] for c in clinics)")
    code = code.replace("DEMAND_ROW", "sum(model.ship[d, c] for d in depots) == demand[c]")
    assert "supply[d] >= sum(" in fix_supply_equalities(code, DEPOTS).code


def test_left_alone_when_the_totals_match_or_all_supply_must_go_out():
    code = CODE.replace("DEMAND_ROW", "sum(model.ship[d, c] for d in depots) == demand[c]")
    balanced = code.replace("'North': 90", "'North': 65")  # 125 = 125: the equalities can all hold
    assert fix_supply_equalities(balanced, DEPOTS) is None
    assert fix_supply_equalities(code, DEPOTS + " All of the supply must be shipped.") is None
    assert fix_supply_equalities(code, DEPOTS.replace("cheapest plan", "cheapest plan that ships the entire "
                                                      "stock")) is None
    # a demand that exceeds the supplies is another problem (unmet demand), not this fix's
    short = code.replace("'A': 50", "'A': 80")
    assert fix_supply_equalities(short, DEPOTS) is None
