from optolab.agents.network import links, network_findings

PIPES = """Water flows from reservoir R to town T through pumping stations A, B and C. Pipe capacities (one-way):

| pipe | capacity |
|---|---|
| R to A | 10 |
| R to B | 8 |
| A to C | 7 |
| B to C | 6 |
| C to T | 12 |

What is the maximum flow from R to T?"""

NO_BALANCE = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
pipes = ['R to A', 'R to B', 'A to C', 'B to C', 'C to T']
capacity = {'R to A': 10, 'R to B': 8, 'A to C': 7, 'B to C': 6, 'C to T': 12}
model.flow = pyo.Var(pipes, domain=pyo.NonNegativeReals, bounds=lambda m, p: (0, capacity[p]))
model.objective = pyo.Objective(expr=sum(model.flow[p] for p in pipes), sense=pyo.maximize)
"""


def test_links_from_words_and_from_an_edge_table_without_the_question_s_ends():
    assert links(PIPES) == [("R", "A"), ("R", "B"), ("A", "C"), ("B", "C"), ("C", "T")]  # not "from R to T"
    table = "Roads:\n\n| from | to | minutes |\n|---|---|---|\n| S | A | 7 |\n| A | T | 9 |\n| S | T | 20 |\n"
    assert links(table) == [("S", "A"), ("A", "T"), ("S", "T")]


def test_a_network_model_with_no_balance_row_is_told_which_nodes_to_balance():
    found = network_findings(PIPES, NO_BALANCE)
    assert len(found) == 1 and "through A, B, C" in found[0] and "from R to T" in found[0]
    balanced = NO_BALANCE + ("model.a = pyo.Constraint(expr=model.flow['R to A'] == model.flow['A to C'])\n"
                             "model.c = pyo.Constraint(expr=model.flow['A to C'] + model.flow['B to C'] == "
                             "model.flow['C to T'])\n")
    assert network_findings(PIPES, balanced) == []


def test_no_finding_without_inner_nodes_or_for_a_test_that_is_not_a_row():
    direct = "Plant P ships to shops: P to S1 costs 3, P to S2 costs 4, P to S3 costs 5. Minimize cost."
    assert network_findings(direct, NO_BALANCE) == []  # no node is passed through
    with_test = NO_BALANCE + "model.x = pyo.Constraint(expr=model.flow['R to A'] <= (5 if len(pipes) == 5 else 6))\n"
    assert network_findings(PIPES, with_test)  # len(pipes) == 5 is a test, not a balance
    assert network_findings(PIPES, "not python (") == [] and network_findings(PIPES, None) == []


def test_the_agent_repairs_a_network_model_that_balances_no_node(pool):
    from optolab.agents import Modeler
    from optolab.testing import ScriptedLLM

    balanced = NO_BALANCE.replace("model.objective = pyo.Objective(expr=sum(model.flow[p] for p in pipes)",
                                  "model.objective = pyo.Objective(expr=model.flow['C to T']") + (
        "model.a = pyo.Constraint(expr=model.flow['R to A'] == model.flow['A to C'])\n"
        "model.b = pyo.Constraint(expr=model.flow['R to B'] == model.flow['B to C'])\n"
        "model.c = pyo.Constraint(expr=model.flow['A to C'] + model.flow['B to C'] == model.flow['C to T'])\n")
    # one variable per pipe written out by hand: the balance rows cannot be added for it, so the finding asks
    scalars = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.ra = pyo.Var(bounds=(0, 10))
model.rb = pyo.Var(bounds=(0, 8))
model.ac = pyo.Var(bounds=(0, 7))
model.bc = pyo.Var(bounds=(0, 6))
model.ct = pyo.Var(bounds=(0, 12))
model.objective = pyo.Objective(expr=model.ra + model.rb + model.ac + model.bc + model.ct, sense=pyo.maximize)
"""
    replies = [f"```python\n{scalars}```", f"```python\n{balanced}```"]
    with Modeler(ScriptedLLM(replies), sandbox=pool, strategies=("program",), max_attempts=2) as m:
        s = m.solve(PIPES)
    assert "network through A, B, C" in " ".join(s.attempts[0].findings)
    assert s.ok and s.objective == 12  # R->A->C 7 and R->B->C 5, capped by C to T at 12
    # the same model over the list of pipes is mended before it runs
    with Modeler(ScriptedLLM([f"```python\n{NO_BALANCE}```"]), sandbox=pool, strategies=("program",),
                 max_attempts=1) as m:
        s = m.solve(PIPES)
    assert s.ok and s.objective == 12 and any("node_balance" in c for c in s.attempts[0].changes)


def test_a_maximum_flow_without_balance_gets_the_rows_and_the_flow_out_of_the_source(solve_objective):
    from optolab.agents.network import complete_network

    fixed = complete_network(NO_BALANCE, PIPES)
    assert fixed is not None
    assert "model.node_balance.add(model.flow['R to A'] == model.flow['A to C'])" in fixed.code
    assert "model.node_balance.add(model.flow['A to C'] + model.flow['B to C'] == model.flow['C to T'])" in fixed.code
    assert "expr=model.flow['R to A'] + model.flow['R to B']" in fixed.code
    assert any("became the flow that leaves R" in c for c in fixed.changes)
    assert solve_objective(fixed.code) == 12  # C to T carries at most 12
    # a model with its own equality rows, or a question of supplies and demands, is left alone
    assert complete_network(NO_BALANCE + "model.b = pyo.Constraint(expr=model.flow['R to A'] == "
                                          "model.flow['A to C'])\n", PIPES) is None
    assert complete_network(NO_BALANCE, PIPES.replace("| C to T | 12 |", "| C to T | 12 |\n| D to C | 3 |")) is None


def test_a_shortest_path_over_a_from_to_table_gets_one_unit_from_start_to_end(solve_objective):
    from optolab.agents.network import complete_network

    question = ("A courier drives from depot S to customer T. Road links and minutes:\n\n| from | to | minutes |\n"
                "|---|---|---|\n| S | A | 7 |\n| S | B | 9 |\n| A | B | 1 |\n| A | T | 15 |\n| B | T | 6 |\n\n"
                "What is the shortest driving time from S to T?")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
arcs = [('S', 'A'), ('S', 'B'), ('A', 'B'), ('A', 'T'), ('B', 'T')]
minutes = {('S', 'A'): 7, ('S', 'B'): 9, ('A', 'B'): 1, ('A', 'T'): 15, ('B', 'T'): 6}
model.route = pyo.Var(arcs, domain=pyo.NonNegativeIntegers)
model.objective = pyo.Objective(expr=sum(minutes[a] * model.route[a] for a in arcs), sense=pyo.minimize)
"""
    fixed = complete_network(code, question)
    assert fixed is not None and "model.node_balance.add(model.route['S', 'A'] + model.route['S', 'B'] == 1)" \
        in fixed.code
    assert solve_objective(fixed.code) == 14  # S-A-B-T
    assert "objective" not in " ".join(fixed.changes)  # a path's objective is the code's own
    # a goal of another kind (the most profit) is no path and no flow
    assert complete_network(code.replace("minimize", "maximize"), question.replace("shortest driving time",
                                                                                   "largest profit")) is None


def test_a_cheapest_shipment_through_a_hub_balances_only_the_hub(solve_objective):
    from optolab.agents.network import complete_network

    question = ("Plant P1 supplies 60 units and plant P2 supplies 40. Customer C1 needs 45 and C2 needs 55. One-way "
                "links, cost per unit and capacity:\n\n| link | cost | capacity |\n|---|---|---|\n"
                "| P1 to H | 2 | 70 |\n| P2 to H | 3 | 50 |\n| P1 to C1 | 7 | 30 |\n| H to C1 | 4 | 40 |\n"
                "| H to C2 | 3 | 60 |\n| P2 to C2 | 6 | 20 |\n\nWhat is the minimum total transport cost?")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
links = [('P1', 'H'), ('P2', 'H'), ('P1', 'C1'), ('H', 'C1'), ('H', 'C2'), ('P2', 'C2')]
cost = {('P1', 'H'): 2, ('P2', 'H'): 3, ('P1', 'C1'): 7, ('H', 'C1'): 4, ('H', 'C2'): 3, ('P2', 'C2'): 6}
capacity = {('P1', 'H'): 70, ('P2', 'H'): 50, ('P1', 'C1'): 30, ('H', 'C1'): 40, ('H', 'C2'): 60, ('P2', 'C2'): 20}
model.ship = pyo.Var(links, domain=pyo.NonNegativeReals, bounds=lambda m, a, b: (0, capacity[a, b]))
model.objective = pyo.Objective(expr=sum(cost[l] * model.ship[l] for l in links), sense=pyo.minimize)
model.supply = pyo.ConstraintList()
model.supply.add(model.ship['P1', 'H'] + model.ship['P1', 'C1'] <= 60)
model.supply.add(model.ship['P2', 'H'] + model.ship['P2', 'C2'] <= 40)
model.demand = pyo.ConstraintList()
model.demand.add(model.ship['P1', 'C1'] + model.ship['H', 'C1'] >= 45)
model.demand.add(model.ship['H', 'C2'] + model.ship['P2', 'C2'] >= 55)
"""
    assert solve_objective(code) < 590  # without a balance at H, goods appear there for free
    fixed = complete_network(code, question)
    assert fixed is not None
    assert "model.node_balance.add(model.ship['P1', 'H'] + model.ship['P2', 'H'] == model.ship['H', 'C1'] + " \
           "model.ship['H', 'C2'])" in fixed.code
    assert solve_objective(fixed.code) == 590
    assert "objective" not in " ".join(fixed.changes)
    # a hub the text gives its own demand is not balanced by the fix
    assert complete_network(code, question.replace("C2 needs 55.", "C2 needs 55 and H keeps 5.")) is None


def test_supplies_and_demands_of_a_shipment_over_links_get_their_rows(solve_objective):
    from optolab.agents.network import add_end_rows

    question = ("Plant P1 supplies 60 units and plant P2 supplies 40 units. Customer C1 needs 45 units and customer C2 "
                "needs 55 units. One-way links:\n\n| link | cost |\n|---|---|\n| P1 to H | 2 |\n| P2 to H | 3 |\n"
                "| P1 to C1 | 7 |\n| H to C1 | 4 |\n| H to C2 | 3 |\n| P2 to C2 | 6 |\n\nWhat is the minimum total cost?")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
links = [('P1', 'H'), ('P2', 'H'), ('P1', 'C1'), ('H', 'C1'), ('H', 'C2'), ('P2', 'C2')]
cost = {('P1', 'H'): 2, ('P2', 'H'): 3, ('P1', 'C1'): 7, ('H', 'C1'): 4, ('H', 'C2'): 3, ('P2', 'C2'): 6}
demand = {'C1': 45, 'C2': 55}
model.flow = pyo.Var(links, domain=pyo.NonNegativeReals)
model.objective = pyo.Objective(expr=sum(cost[a] * model.flow[a] for a in links), sense=pyo.minimize)
model.hub = pyo.Constraint(expr=model.flow['P1', 'H'] + model.flow['P2', 'H'] == model.flow['H', 'C1'] + model.flow['H', 'C2'])
"""
    fixed = add_end_rows(code, question)
    assert fixed is not None
    assert "model.flow['P1', 'H'] + model.flow['P1', 'C1'] <= supply['P1']" in fixed.code  # the shown supply
    assert "model.flow['P1', 'C1'] + model.flow['H', 'C1'] >= demand['C1']" in fixed.code  # made, never read
    assert "supply = {'P1': 60, 'P2': 40}" in fixed.code
    # P1: 60 via H (2 + 4 to C1 for 45, 2 + 3 to C2 for 15); P2: 40 via H to C2 (3 + 3)
    assert solve_objective(fixed.code) == 45 * 6 + 15 * 5 + 40 * 6
    # rows the code already has are not added again
    assert add_end_rows(fixed.code, question) is None
    # a dict keyed by the sources that is no supply (a fee) gets no rows
    fee = code.replace("demand = {'C1': 45, 'C2': 55}", "fee = {'P1': 5, 'P2': 7}\ndemand = {'C1': 45, 'C2': 55}")
    assert "fee_rows" not in add_end_rows(fee, question).code
