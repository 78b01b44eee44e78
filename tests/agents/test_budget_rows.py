from optolab.agents.budget_rows import add_budget_row

QUESTION = """A city can fund some of six projects with a budget of $1.0 million. Project costs (in $ thousand) and benefits (score):

| project | cost ($k) | benefit |
|---|---|---|
| park | 300 | 40 |
| library | 450 | 55 |
| bike lanes | 200 | 30 |
| clinic | 500 | 70 |
| pool | 350 | 42 |
| lighting | 150 | 18 |

The clinic and the pool share a site, so at most one of them can be funded, and the bike lanes can only be funded if
the park is funded. Which projects maximize the total benefit, and what is that benefit?"""

CODE = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
projects = ['park', 'library', 'bike lanes', 'clinic', 'pool', 'lighting']
cost = {'park': 300, 'library': 450, 'bike lanes': 200, 'clinic': 500, 'pool': 350, 'lighting': 150}
benefit = {'park': 40, 'library': 55, 'bike lanes': 30, 'clinic': 70, 'pool': 42, 'lighting': 18}
model.fund = pyo.Var(projects, domain=pyo.Binary)
model.objective = pyo.Objective(expr=sum(benefit[p] * model.fund[p] for p in projects), sense=pyo.maximize)
model.one_site = pyo.Constraint(expr=model.fund['clinic'] + model.fund['pool'] <= 1)
model.bike_needs_park = pyo.Constraint(expr=model.fund['bike lanes'] <= model.fund['park'])
"""


def test_a_budget_left_out_over_unused_costs_is_added_in_the_costs_unit(solve_objective):
    assert solve_objective(CODE) == 213  # every project but the pool: the budget is missing
    fixed = add_budget_row(CODE, QUESTION)
    assert fixed is not None
    assert "sum((cost[k] * model.fund[k] for k in cost)) <= 1000" in fixed.code  # $1.0 million in $ thousand
    assert "budget of 1000" in fixed.changes[0]
    assert solve_objective(fixed.code) == 140


def test_budget_in_plain_dollars_and_a_model_without_pyo_prefix(solve_objective):
    question = ("A lab has $2,000 to spend on three instruments: a scope costs $900 and adds 5 points, a meter "
                "costs $700 and adds 4, a probe costs $600 and adds 3. Which should it buy to maximize the points?")
    code = ("from pyomo.environ import *\nmodel = ConcreteModel()\nitems = ['scope', 'meter', 'probe']\n"
            "price = {'scope': 900, 'meter': 700, 'probe': 600}\npoints = {'scope': 5, 'meter': 4, 'probe': 3}\n"
            "model.buy = Var(items, domain=Binary)\n"
            "model.objective = Objective(expr=sum(points[i] * model.buy[i] for i in items), sense=maximize)\n")
    fixed = add_budget_row(code, question)
    assert fixed is not None and "<= 2000" in fixed.code
    assert solve_objective(fixed.code) == 9  # scope and meter


def test_no_row_where_the_costs_are_used_the_budget_is_written_or_it_cannot_bind():
    used = CODE + "model.spend = pyo.Constraint(expr=sum(cost[p] * model.fund[p] for p in projects) <= 1000)\n"
    assert add_budget_row(used, QUESTION) is None  # the code reads its costs
    assert add_budget_row(CODE, QUESTION.replace("$1.0 million", "$5 million")) is None  # funds everything
    assert add_budget_row(CODE, QUESTION.replace("$1.0 million", "$100,000")) is None  # funds nothing
    assert add_budget_row(CODE, QUESTION.replace("with a budget of $1.0 million", "")) is None  # no budget
    two = QUESTION.replace("$1.0 million.", "$1.0 million. The budget is $900k in a bad year.")
    assert add_budget_row(CODE, two) is None  # two budgets: which one is unclear
    assert add_budget_row("not python (", QUESTION) is None
