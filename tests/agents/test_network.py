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
    replies = [f"```python\n{NO_BALANCE}```", f"```python\n{balanced}```"]
    with Modeler(ScriptedLLM(replies), sandbox=pool, strategies=("program",), max_attempts=2) as m:
        s = m.solve(PIPES)
    assert "network through A, B, C" in " ".join(s.attempts[0].findings)
    assert s.ok and s.objective == 12  # R->A->C 7 and R->B->C 5, capped by C to T at 12
