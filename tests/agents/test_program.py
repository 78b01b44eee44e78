"""The program strategy: LLM-written Pyomo code, tidied by the library, run in the real sandbox."""

import pytest

from optolab.agents import Modeler
from optolab.agents.checks import RunOutcome, program_findings
from optolab.agents.modeler import strategies_of
from optolab.agents.program import ProgramError, clean_program, constant_objective_findings, extract_code, numbers_in_code
from optolab.testing import ScriptedLLM

QUESTION = ("A workshop makes desks and shelves. A desk needs 4 hours of work and earns $70; a shelf needs 2 hours "
            "and earns $30. There are 40 hours of work, and at most 8 desks can be sold. How many of each should be "
            "made to maximize profit?")  # optimum 680: 8 desks, 4 shelves
GOOD_CODE = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
hours, desk_profit, shelf_profit = 40, 70, 30
model.desks = pyo.Var(domain=pyo.NonNegativeIntegers)
model.shelves = pyo.Var(domain=pyo.NonNegativeIntegers)
model.objective = pyo.Objective(expr=desk_profit * model.desks + shelf_profit * model.shelves, sense=pyo.maximize)
model.hours = pyo.Constraint(expr=4 * model.desks + 2 * model.shelves <= hours)
model.sales = pyo.Constraint(expr=model.desks <= 8)
"""
CHATTY = """Here is the model:

```python
from pyomo.environ import *
def build():
    m = ConcreteModel()
    m.desks = Var(within=NonNegativeIntegers)
    m.shelves = Var(within=NonNegativeIntegers)
    m.profit = Objective(expr=70 * m.desks + 30 * m.shelves, sense=maximize)
    m.hours = Constraint(expr=4 * m.desks + 2 * m.shelves <= 40)
    m.sales = Constraint(expr=m.desks <= 8)
    return m

if __name__ == "__main__":
    m = build()
    solver = SolverFactory("glpk")
    results = solver.solve(m)
    if results.solver.termination_condition == TerminationCondition.optimal:
        print("profit", value(m.profit))
    for v in m.component_objects(Var):
        print(v, value(v))
```
It makes 8 desks."""


def fence(code: str) -> str:
    return f"```python\n{code}```"


def test_extract_code_prefers_the_fenced_block_that_builds_a_model():
    reply = "Data:\n```python\nx = 1\n```\nModel:\n```python\nimport pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\n```"
    assert extract_code(reply) == "import pyomo.environ as pyo\nmodel = pyo.ConcreteModel()"
    assert extract_code("model = 1") == "model = 1"
    assert "ConcreteModel" in extract_code("```python\nimport pyomo.environ as pyo\nm = pyo.ConcreteModel()\n")


def test_clean_program_drops_solving_and_output_and_names_the_model():
    program = clean_program(extract_code(CHATTY))
    assert "SolverFactory" not in program.code and "print" not in program.code and "__name__" not in program.code
    assert program.code.rstrip().endswith("model = m") and "m = build()" in program.code
    assert any("__main__" in c for c in program.changes) and any("SolverFactory" in c for c in program.changes)
    misspelt = clean_program(GOOD_CODE + "model.solvesolver('glpk')\nresults = model.solve_it()\n")
    assert "solvesolver" not in misspelt.code and "solve_it" not in misspelt.code


def test_clean_program_calls_an_uncalled_builder_and_rejects_what_it_cannot_use():
    code = "import pyomo.environ as pyo\ndef make():\n    model = pyo.ConcreteModel()\n    return model\n"
    assert clean_program(code).code.rstrip().endswith("model = make()")
    with pytest.raises(ProgramError, match="never creates a model"):
        clean_program("x = 3")
    with pytest.raises(ProgramError, match="does not parse"):
        clean_program("model = pyo.ConcreteModel(\nmodel x = 1")
    with pytest.raises(ProgramError, match="needs arguments"):
        clean_program("import pyomo.environ as pyo\ndef make(n):\n    return pyo.ConcreteModel()\n")
    with pytest.raises(ProgramError, match="no code"):
        clean_program("  ")


def test_one_constraint_given_several_comparisons_becomes_one_per_comparison():
    code = GOOD_CODE + "model.least = pyo.Constraint(expr=model.desks >= 2, model.shelves >= min(2, 3))\n"
    program = clean_program(code)
    assert "model.least = pyo.Constraint(expr=model.desks >= 2)" in program.code
    assert "model.least_2 = pyo.Constraint(expr=model.shelves >= min(2, 3))" in program.code
    assert program.changes == ["line 9: one Constraint given 2 comparisons became model.least, model.least_2, one "
                               "comparison each"]
    # another keyword after the comparison, or any other line that does not parse, is still reported
    for bad in ("model.least = pyo.Constraint(expr=model.desks >= 2, name='x', 3)\n",
                "model.least = pyo.Constraint(model.desks >= 2, model.shelves >= 2\n"):
        with pytest.raises(ProgramError, match="does not parse"):
            clean_program(GOOD_CODE + bad)


def test_numbers_in_code_and_unused_numbers_finding():
    assert numbers_in_code(GOOD_CODE) == {40.0, 70.0, 30.0, 4.0, 2.0, 8.0}
    out = RunOutcome(status="optimal", objective=600, values={"desks": 6.0, "shelves": 8.0})
    findings = program_findings(QUESTION, GOOD_CODE, out, numbers_in_code(GOOD_CODE.replace("<= 8", "<= 9")))
    assert findings and "8 (" in findings[0] and "not used" in findings[0]
    assert program_findings(QUESTION, GOOD_CODE, out, numbers_in_code(GOOD_CODE)) == []


def test_program_findings_quote_the_failing_line_and_fractional_counts():
    err = RunOutcome(status="error", error="runtime_error: NameError: name 'hour' is not defined", error_line=7)
    found = program_findings(QUESTION, GOOD_CODE, err, set())
    assert "line 7: `model.hours = pyo.Constraint" in found[0] and "NameError" in found[0]
    frac = RunOutcome(status="optimal", objective=1, values={"trucks": 2.5, "flour_kg": 0.5})
    found = program_findings("Use 2 trucks.", "", frac, {2.0})
    assert found == [found[0]] and "trucks" in found[0] and "flour_kg" not in found[0] and "Integers" in found[0]


def test_program_strategy_solves_from_chatty_code(pool):
    with Modeler(ScriptedLLM([CHATTY]), sandbox=pool, strategies=("program",)) as m:
        s = m.solve(QUESTION)
    assert s.ok and s.objective == pytest.approx(680) and s.strategy == "program" and s.sense == "maximize"
    assert s.values == {"desks": 8.0, "shelves": 4.0} and s.formulation is None and "print" not in s.code
    # what the tidy step changed in the reply is kept with the attempt (and so in an evaluation's trail)
    changes = s.attempts[0].changes
    assert any("SolverFactory" in c or "solving" in c for c in changes), changes
    assert s.to_dict()["attempts"][0]["changes"] == changes
    msgs = m.llm.calls[0]["messages"]
    assert "Pyomo" in msgs[0]["content"] and msgs[-1]["content"].endswith(QUESTION)
    # worked examples are shown as the library's own code for them
    assert any(x["role"] == "assistant" and "pyo.ConcreteModel()" in x["content"] for x in msgs[1:-1])


def test_program_strategy_repairs_a_failing_program_with_the_error(pool):
    broken = fence(GOOD_CODE.replace("<= hours", "<= hour"))
    with Modeler(ScriptedLLM([broken, fence(GOOD_CODE)]), sandbox=pool, strategies=("program",),
                 retry="repair") as m:
        s = m.solve(QUESTION)
    assert s.ok and s.objective == pytest.approx(680)
    assert [a.status for a in s.attempts] == ["error", "optimal"]
    repair = m.llm.calls[1]["messages"]
    assert repair[-2]["role"] == "assistant" and "<= hour" in repair[-2]["content"]
    assert "NameError" in repair[-1]["content"] and "corrected code" in repair[-1]["content"]
    first_problems = [x for x in m.llm.calls[0]["messages"] if x["content"].startswith("Problem:")]
    assert len(first_problems) == 1 + m.shots.data  # the worked examples, then the question
    assert [x["content"] for x in repair if x["content"].startswith("Problem:")] == [f"Problem:\n{QUESTION}"]


def test_program_strategy_reports_when_no_attempt_gives_code(pool):
    with Modeler(ScriptedLLM(["I cannot help."], repeat_last=True), sandbox=pool, strategies=("program",),
                 max_attempts=2) as m:
        s = m.solve(QUESTION)
    assert not s.ok and s.status == "no_model" and "holds no model code" in s.explanation
    assert len(s.attempts) == 2 and s.strategy == "program"


def test_both_strategies_vote_and_record_which_chain_said_what(pool):
    formulation = {
        "requirements": ["maximize profit", "40 hours", "at most 8 desks"],
        "variables": [{"name": "desks", "type": "integer"}, {"name": "shelves", "type": "integer"}],
        "objective": {"sense": "maximize", "expression": "70*desks + 30*shelves"},
        "constraints": [{"name": "hours", "expression": "4*desks + 2*shelves <= 40"},
                        {"name": "sales", "expression": "desks <= 8"}]}
    with Modeler(ScriptedLLM([formulation, fence(GOOD_CODE)]), sandbox=pool, strategies=strategies_of("both")) as m:
        s = m.solve(QUESTION)
    assert s.ok and s.objective == pytest.approx(680)
    assert s.votes == [{"objective": pytest.approx(680), "count": 2, "strategies": ["formulation", "program"]}]


def test_unknown_strategy_is_a_clear_error():
    with pytest.raises(ValueError, match="choose one or more of"):
        Modeler(ScriptedLLM([]), strategies=("guess",))


def test_a_tie_between_strategies_goes_to_the_answer_with_fewer_open_findings(pool):
    no_sales_limit = {  # leaves out "at most 8 desks": 10 desks, 700, and the 8 of the text unused
        "requirements": ["maximize profit", "40 hours"],
        "variables": [{"name": "desks", "type": "integer"}, {"name": "shelves", "type": "integer"}],
        "objective": {"sense": "maximize", "expression": "70*desks + 30*shelves"},
        "constraints": [{"name": "hours", "expression": "4*desks + 2*shelves <= 40"}]}
    # the formulation chain: first reply, a repair that repeats it, the repair asked again with sampling
    llm = ScriptedLLM([no_sales_limit, no_sales_limit, no_sales_limit, fence(GOOD_CODE)])
    with Modeler(llm, sandbox=pool, strategies=("formulation", "program")) as m:
        s = m.solve(QUESTION)
    assert s.objective == pytest.approx(680) and s.strategy == "program" and s.findings == []
    assert sorted(v["objective"] for v in s.votes) == [pytest.approx(680), pytest.approx(700)]


def test_model_parts_reads_variables_and_objective_names():
    from optolab.agents.program import model_parts

    variables, used = model_parts(GOOD_CODE)
    assert variables == ["desks", "shelves"] and {"desks", "shelves", "desk_profit"} <= used
    assert model_parts("model = (") == ([], set())


def test_a_goal_naming_one_decision_becomes_the_objective(pool):
    from optolab.agents.program import focus_objective

    question = ("A bike carries 3 people and a car 5. At most 40% of the vehicles can be cars. At least 500 people "
                "must be moved. How many of each minimize the total number of bikes needed?")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.bikes = pyo.Var(domain=pyo.NonNegativeIntegers)
model.cars = pyo.Var(domain=pyo.NonNegativeIntegers)
model.objective = pyo.Objective(expr=model.bikes + model.cars, sense=pyo.minimize)
model.share = pyo.Constraint(expr=model.cars <= 0.4 * (model.bikes + model.cars))
model.people = pyo.Constraint(expr=3 * model.bikes + 5 * model.cars >= 500)
"""
    fixed = focus_objective(code, question)
    assert "Objective(expr=model.bikes, sense=pyo.minimize)" in fixed.code
    assert "minimize the total number of bikes" in fixed.changes[0]
    assert focus_objective(fixed.code, question) is None and focus_objective(code, "Minimize cost.") is None
    with Modeler(ScriptedLLM([fence(code)]), sandbox=pool, strategies=("program",)) as m:
        s = m.solve(question)
    assert s.ok and s.objective == pytest.approx(80)  # 80 bikes and 52 cars; the count of both would be 132


def test_code_copied_from_an_example_is_flagged():
    copied = GOOD_CODE.replace("desks", "capsules").replace("shelves", "tablets").replace("40", "900")
    variables, _ = model_parts_of(copied)
    found = program_findings(QUESTION, copied, RunOutcome(status="optimal", objective=1.0,
                                                          values={"capsules": 1.0, "tablets": 2.0}),
                             numbers_in_code(copied), variables)
    assert any("copied from an example" in f and "capsules" in f for f in found)
    variables, _ = model_parts_of(GOOD_CODE)
    clean = program_findings(QUESTION, GOOD_CODE, RunOutcome(status="optimal", objective=680,
                                                             values={"desks": 8.0, "shelves": 4.0}),
                             numbers_in_code(GOOD_CODE), variables)
    assert clean == []


def model_parts_of(code):
    from optolab.agents.program import model_parts

    return model_parts(code)


def test_a_goal_over_two_decisions_is_left_alone():
    from optolab.agents.checks import goal_variable

    assert goal_variable("minimize the total number of tractors and cars needed", ["tractors", "cars"],
                         {"tractors", "cars"}) is None
    assert goal_variable("minimize the number of tractors, cars and vans", ["tractors", "cars"], {"cars"}) is None
    assert goal_variable("minimize the total number of tractors needed", ["tractors", "cars"],
                         {"tractors", "cars"}) == ("tractors", "minimize the total number of tractors")


def test_a_generator_handed_to_add_becomes_one_constraint_per_element():
    code = """
import pyomo.environ as pyo
model = pyo.ConcreteModel()
lines = ['a', 'b']
need = {'a': 2, 'b': 3}
model.x = pyo.Var(lines, domain=pyo.NonNegativeReals)
model.cover = pyo.ConstraintList()
model.cover.add(model.x[l] >= need[l] for l in lines if need[l] > 0)
model.obj = pyo.Objective(expr=sum(model.x[l] for l in lines))
"""
    program = clean_program(code)
    assert any("one constraint per element" in c for c in program.changes)
    scope: dict = {}
    exec(program.code, scope)
    assert len(scope["model"].cover) == 2


def test_a_share_of_the_total_against_one_decision_is_sent_back_and_repaired(pool):
    question = ("A courier buys vans and cars. A van carries 50 parcels and costs $400 a day; a car carries 20 "
                "parcels and costs $120 a day. At least 400 parcels must be carried each day, and at most 60% of "
                "the vehicles can be vans. How many of each minimize the daily cost?")
    head = ("import pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\n"
            "model.vans = pyo.Var(domain=pyo.NonNegativeIntegers)\nmodel.cars = pyo.Var(domain=pyo.NonNegativeIntegers)\n"
            "model.objective = pyo.Objective(expr=400 * model.vans + 120 * model.cars, sense=pyo.minimize)\n"
            "model.parcels = pyo.Constraint(expr=50 * model.vans + 20 * model.cars >= 400)\n")
    right = head + "model.share = pyo.Constraint(expr=model.vans <= 0.6 * (model.vans + model.cars))\n"
    # the usual shape is rewritten against the sum before the run, no repair needed
    wrong = head + "model.share = pyo.Constraint(expr=model.vans <= 0.6 * model.cars)\n"
    with Modeler(ScriptedLLM([fence(wrong)]), sandbox=pool, strategies=("program",)) as m:
        s = m.solve(question)
    assert len(s.attempts) == 1 and s.attempts[0].findings == [] and "0.6 * (model.vans + model.cars)" in s.code
    # a shape the rewrite does not take is sent back with the finding
    odd = head + "model.share = pyo.Constraint(expr=model.vans <= 0.6 * model.cars + 0)\n"
    with Modeler(ScriptedLLM([fence(odd), fence(right)]), sandbox=pool, strategies=("program",)) as m:
        s = m.solve(question)
    assert "share of a total" in " ".join(s.attempts[0].findings)
    assert s.attempts[1].findings == [] and s.code.count("model.vans + model.cars") == 1
    assert "share of a total" in m.llm.calls[1]["messages"][-1]["content"]


def test_a_repair_that_repeats_the_code_is_asked_again_with_sampling_at_once(pool):
    broken = fence(GOOD_CODE.replace("<= hours", "<= hour"))
    with Modeler(ScriptedLLM([broken, broken, fence(GOOD_CODE)]), sandbox=pool, strategies=("program",),
                 max_attempts=2, retry="repair") as m:
        s = m.solve(QUESTION)
    assert s.ok and s.objective == pytest.approx(680)
    assert [a.status for a in s.attempts] == ["error", "optimal"]  # the repeat used up no attempt
    assert [c["params"].get("temperature") for c in m.llm.calls] == [0.0, 0.0, 0.7]


def test_auto_retry_asks_afresh_after_a_failed_run_and_repairs_a_solved_one(pool):
    broken = fence(GOOD_CODE.replace("<= hours", "<= hour"))
    # a run-time error: the next attempt is the first request again (worked examples, no repair turn), sampled
    with Modeler(ScriptedLLM([broken, broken, fence(GOOD_CODE)]), sandbox=pool, strategies=("program",)) as m:
        s = m.solve(QUESTION)
    assert s.ok and [a.status for a in s.attempts] == ["error", "optimal"]
    first, again, third = (c["messages"] for c in m.llm.calls)
    assert again == first == third  # the same request; the repeated reply was asked once more at once
    temps_seeds = [(c["params"].get("temperature"), c["params"].get("seed")) for c in m.llm.calls]
    assert temps_seeds == [(0.0, 1), (0.7, 2), (0.7, 3)]  # a new seed each time, or sampling repeats itself
    # a solved attempt whose check found something is repaired with the finding
    # ("at most 8 desks can be sold" would be added without asking: see agents.missing; "limited to" is not)
    unused = GOOD_CODE.replace("model.sales = pyo.Constraint(expr=model.desks <= 8)\n", "")
    limited = QUESTION.replace("at most 8 desks can be sold", "desk sales are limited to 8")
    with Modeler(ScriptedLLM([fence(unused), fence(GOOD_CODE)]), sandbox=pool, strategies=("program",)) as m:
        s = m.solve(limited)
    assert s.objective == pytest.approx(680)
    assert "not used in the model" in m.llm.calls[1]["messages"][-1]["content"]
    with Modeler(ScriptedLLM([fence(unused)]), sandbox=pool, strategies=("program",)) as m:
        s = m.solve(QUESTION)
    assert s.objective == pytest.approx(680) and len(m.llm.calls) == 1
    assert any(c.startswith("added `model.desks <= 8`") for c in s.attempts[0].changes)
    with pytest.raises(ValueError, match="retry 'sometimes'"):
        Modeler(ScriptedLLM([]), retry="sometimes")


def test_the_answer_step_continues_the_conversation_that_wrote_the_code(pool):
    keys = ["How many pieces of the cheaper furniture", "The best profit"]
    llm = ScriptedLLM([fence(GOOD_CODE), {"k0": "shelves"}])
    with Modeler(llm, sandbox=pool, strategies=("program",)) as m:
        s = m.solve(QUESTION, answer_keys=keys)
    assert s.answers == {"The best profit": pytest.approx(680), "How many pieces of the cheaper furniture": 4}
    asked = llm.calls[1]["messages"]
    # the same turns (the structured request may add its schema to the system prompt)
    assert asked[1:-1] == llm.calls[0]["messages"][1:] + [{"role": "assistant", "content": fence(GOOD_CODE)}]
    assert asked[0]["content"].startswith(llm.calls[0]["messages"][0]["content"])
    assert "That model was solved" in asked[-1]["content"] and "shelves = 4" in asked[-1]["content"]


def test_a_sum_of_one_variable_entry_becomes_the_entry_but_sums_of_data_stay():
    code = """
import pyomo.environ as pyo
model = pyo.ConcreteModel()
lines = ['a', 'b']
rates = {'a': [1, 2], 'b': [3, 4]}
model.hours = pyo.Var(lines, domain=pyo.NonNegativeReals)
hours = model.hours
model.cover = pyo.ConstraintList()
for l in lines:
    model.cover.add(sum(hours[l]) * sum(rates[l]) >= 6)
model.obj = pyo.Objective(expr=sum(hours[l] for l in lines))
"""
    program = clean_program(code)
    assert "hours[l] * sum(rates[l])" in program.code
    assert any("sums a single variable entry" in c for c in program.changes)
    scope: dict = {}
    exec(program.code, scope)
    assert len(scope["model"].cover) == 2


def test_a_sum_of_one_term_and_a_constraint_given_as_its_index_are_repaired(pool):
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
items = ['a', 'b']
cost = {'a': 3, 'b': 5}
lists = [[1, 2], [3]]
model.x = pyo.Var(items, domain=pyo.NonNegativeReals)
model.obj = pyo.Objective(expr=sum(cost[i] * model.x[i] for i in items))
model.need = pyo.ConstraintList()
for i in items:
    model.need.add(sum(model.x[i] * 2) >= 4)
model.total = pyo.Constraint(sum(model.x[i] for i in items) <= 10)
model.spare = pyo.Constraint(expr=model.x['a'] <= sum(lists[0] + lists[1]))
"""
    program = clean_program(code)
    assert "model.need.add(model.x[i] * 2 >= 4)" in program.code
    assert "pyo.Constraint(expr=sum((model.x[i] for i in items)) <= 10)" in program.code
    assert "sum(lists[0] + lists[1])" in program.code  # lists added up: a real iterable, left alone
    from optolab.agents.runner import run_code

    outcome = run_code(pool, program.code, time_limit=30, memory_mb=1024)
    assert outcome.ok and outcome.objective == pytest.approx(16)


def test_math_and_numpy_functions_of_variables_become_pyomo_functions():
    code = """
import math
import numpy as np
from pyomo.environ import ConcreteModel, Var, Objective, Constraint, maximize
model = ConcreteModel()
model.r = Var(bounds=(0, 2))
h = Var(bounds=(1, 3))
model.h = h
scale = math.sqrt(4)
model.obj = Objective(expr=math.pi * math.pow(model.r, 2) * h + scale * math.log(h) - np.exp(model.r), sense=maximize)
model.c = Constraint(expr=math.sqrt(model.r + h) <= 2)
"""
    program = clean_program(code)
    assert "math.sqrt(4)" in program.code  # numbers stay with math
    for made in ("pyo.log(h)", "pyo.exp(model.r)", "pyo.sqrt(model.r + h)", "model.r ** 2"):
        assert made in program.code, program.code
    assert sum("cannot take a Pyomo variable" in c for c in program.changes) == 4
    scope: dict = {}
    exec(program.code, scope)
    assert "obj" in dict(scope["model"].component_map())


def test_maths_names_used_without_import_are_imported():
    code = """
import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.r = pyo.Var(bounds=(0, 2))
model.obj = pyo.Objective(expr=pi * model.r ** 2 + sqrt(model.r + 1), sense=pyo.maximize)
"""
    program = clean_program(code)
    assert any("imported pi, sqrt" in c for c in program.changes)
    scope: dict = {}
    exec(program.code, scope)
    assert "obj" in dict(scope["model"].component_map())
    # the module itself, used without its import
    program = clean_program(code.replace("pi * model.r ** 2 + sqrt(model.r + 1)", "math.pi * model.r ** 2"))
    assert any("imported math" in c for c in program.changes)
    scope = {}
    exec(program.code, scope)
    assert "obj" in dict(scope["model"].component_map())


def test_a_component_named_like_a_block_attribute_is_renamed():
    code = """
import pyomo.environ as pyo
model = pyo.ConcreteModel()
kinds = {'a': 3, 'b': 5}
model.items = pyo.Var(list(kinds), domain=pyo.NonNegativeIntegers, bounds=(0, 4))
model.obj = pyo.Objective(expr=sum(kinds[k] * model.items[k] for k, _ in kinds.items()), sense=pyo.maximize)
model.cap = pyo.Constraint(rule=lambda m: sum(m.items[k] for k in kinds) <= 5)
"""
    program = clean_program(code)
    assert "model.items_ = pyo.Var" in program.code and "m.items_[k]" in program.code
    assert "kinds.items()" in program.code  # a dict's method is not the model's component
    assert any("model.items to model.items_" in c for c in program.changes)
    scope: dict = {}
    exec(program.code, scope)
    assert len(scope["model"].items_) == 2
    # a name the solver writes its results under (the dual values) is renamed too
    dual = clean_program(code.replace("model.items", "model.dual").replace("m.items", "m.dual"))
    assert "model.dual_ = pyo.Var" in dual.code and "m.dual_[k]" in dual.code


def test_a_decision_named_like_a_forbidden_builtin_is_renamed():
    from optolab.solvers.policy import check_code

    code = """
import pyomo.environ as pyo
model = pyo.ConcreteModel()
lines = ['a', 'b']
model.open = pyo.Var(lines, domain=pyo.Binary)
model.obj = pyo.Objective(expr=sum(open[l] for l in lines))
model.c = pyo.Constraint(expr=open['a'] + open['b'] >= 1)
"""
    program = clean_program(code)
    assert check_code(program.code) == [] and "open_ = model.open" in program.code
    scope: dict = {}
    exec(program.code, scope)
    assert len(scope["model"].open) == 2
    assert check_code(clean_program("import pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\n"
                                    "data = open('x.csv')\n").code)  # a real call to open stays forbidden


def test_a_list_read_by_names_becomes_a_dict_but_a_list_read_by_position_stays():
    code = """
import pyomo.environ as pyo
model = pyo.ConcreteModel()
crops = ['wheat', 'corn']
price = [3, 5]
hours = [1, 2]
model.acres = pyo.Var(crops, domain=pyo.NonNegativeReals)
model.obj = pyo.Objective(expr=sum(price[c] * model.acres[c] for c in crops), sense=pyo.maximize)
model.c = pyo.Constraint(expr=sum(hours[i] * model.acres[crops[i]] for i in range(2)) <= 10)
"""
    program = clean_program(code)
    assert "price = {'wheat': 3, 'corn': 5}" in program.code and "hours = [1, 2]" in program.code
    scope: dict = {}
    exec(program.code, scope)
    assert scope["model"].obj.expr is not None


def test_a_ratio_constraint_with_a_nonnegative_denominator_is_multiplied_out(pool):
    code = """
import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.b = pyo.Var(domain=pyo.Reals, bounds=(0, None))
model.h = pyo.Var(domain=pyo.NonNegativeReals)
b, h = model.b, model.h
model.objective = pyo.Objective(expr=1.2 * b + 0.5 * h, sense=pyo.maximize)
model.budget = pyo.Constraint(expr=b + h <= 100)
model.loss = pyo.Constraint(expr=(0.5 * b + 0.25 * h) / (b + h) <= 0.3)
"""
    program = clean_program(code)
    assert "0.5 * b + 0.25 * h <= 0.3 * (b + h)" in program.code
    free = clean_program(code.replace("domain=pyo.Reals, bounds=(0, None)", "domain=pyo.Reals"))
    assert "/ (b + h) <= 0.3" in free.code  # a denominator that may be negative is left alone
    with Modeler(ScriptedLLM([fence(code)]), sandbox=pool, strategies=("program",)) as m:
        s = m.solve("Bet up to $100 on b (pays 1.2) and h (pays 0.5); the average loss rate must stay at most 0.3 "
                    "where b loses 0.5 and h 0.25. Maximize the payout.")
    assert s.status == "optimal" and s.objective == pytest.approx(64)  # b = 20, h = 80


def test_a_repair_that_left_out_the_model_line_and_a_constraint_filled_with_add_are_mended():
    code = """
import pyomo.environ as pyo
items = ['a', 'b']
model.x = pyo.Var(items, domain=pyo.NonNegativeReals)
model.cap = pyo.Constraint()
for i in items:
    model.cap.add(model.x[i] <= 3)
model.obj = pyo.Objective(expr=sum(model.x[i] for i in items), sense=pyo.maximize)
"""
    program = clean_program(code)
    assert any("created model" in c for c in program.changes)
    assert any("ConstraintList" in c for c in program.changes)
    scope: dict = {}
    exec(program.code, scope)
    assert len(scope["model"].cap) == 2
    with pytest.raises(ProgramError, match="never creates a model"):
        clean_program("import pyomo.environ as pyo\nx = 3\n")


def test_a_single_constraint_given_an_index_loses_the_index():
    code = """
import pyomo.environ as pyo
model = pyo.ConcreteModel()
sites = ['a', 'b', 'c']
model.open_depot = pyo.Var(sites, domain=pyo.Binary)
model.at_most_two = pyo.Constraint(model.open_depot, rule=lambda m: sum(m.open_depot[i] for i in sites) <= 2)
model.each = pyo.Constraint(sites, rule=lambda m, i: m.open_depot[i] <= 1)
model.obj = pyo.Objective(expr=sum(model.open_depot[i] for i in sites), sense=pyo.maximize)
"""
    program = clean_program(code)
    assert any("dropped the index model.open_depot" in c for c in program.changes)
    scope: dict = {}
    exec(program.code, scope)
    assert len(scope["model"].at_most_two) == 1 and len(scope["model"].each) == 3


def test_inequalities_the_text_points_the_other_way_are_turned_round_without_a_model(pool):
    from optolab.agents.relations import fix_relations

    question = ("A flooring company makes hardwood and vinyl. A total of at least 60,000 square feet must be "
                "shipped each week, and no more than 50,000 square feet of hardwood and 30,000 square feet of vinyl "
                "can be made. The company makes at least twice as much hardwood as vinyl. Hardwood "
                "earns $2.5 and vinyl $3 per square foot. How much of each maximizes profit?")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.hardwood = pyo.Var(domain=pyo.NonNegativeReals)
model.vinyl = pyo.Var(domain=pyo.NonNegativeReals)
model.objective = pyo.Objective(expr=2.5 * model.hardwood + 3 * model.vinyl, sense=pyo.maximize)
model.ship = pyo.Constraint(expr=model.hardwood + model.vinyl <= 60000)
model.hard_cap = pyo.Constraint(expr=model.hardwood <= 50000)
model.vinyl_cap = pyo.Constraint(expr=model.vinyl <= 30000)
model.ratio = pyo.Constraint(expr=model.hardwood <= 2 * model.vinyl)
"""
    fixed = fix_relations(code, question)
    assert "model.hardwood + model.vinyl >= 60000" in fixed.code and "model.hardwood >= 2 * model.vinyl" in fixed.code
    assert "model.hardwood <= 50000" in fixed.code and len(fixed.changes) == 2
    assert fixed.changes[0].startswith("`model.hardwood + model.vinyl <= 60000` turned into `model.hardwood + "
                                       "model.vinyl >= 60000`: \"")
    assert fix_relations(fixed.code, question) is None and fix_relations("model = (", question) is None
    with Modeler(ScriptedLLM([fence(code)]), sandbox=pool, strategies=("program",)) as m:
        s = m.solve(question)
    # 50,000 hardwood and 25,000 vinyl: the ratio binds; as written the model gave 40,000 and 20,000
    assert s.ok and s.objective == pytest.approx(2.5 * 50000 + 3 * 25000) and len(s.attempts) == 1


def test_a_goal_written_as_a_bare_expression_becomes_the_objective(pool):
    from optolab.agents.program import goal_sense, make_objective

    question = ("A company moves people with small and large boats. A small boat takes 2 people and costs $30, a "
                "large one 4 people and costs $50. At least 30 people must be moved and at least 3 large boats "
                "used. How many of each boat minimize the cost?")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.small = pyo.Var(domain=pyo.NonNegativeIntegers)
model.large = pyo.Var(domain=pyo.NonNegativeIntegers)
model.objective = 30 * model.small + 50 * model.large
model.people = pyo.Constraint(expr=2 * model.small + 4 * model.large >= 30)
model.large_min = pyo.Constraint(expr=model.large >= 3)
"""
    fixed = make_objective(code, question)
    assert "model.objective = pyo.Objective(expr=30 * model.small + 50 * model.large, sense=pyo.minimize)" in fixed.code
    assert "to minimize as the question asks" in fixed.changes[0]
    assert make_objective(fixed.code, question) is None  # it has an objective now
    assert goal_sense("At least 3 boats. Maximize the profit?") == "maximize"
    assert goal_sense("Maximize profit and minimize waste.") is None and goal_sense("Plan the week.") is None
    assert make_objective(code, "Plan the boats for at least 30 people.") is None  # no sense to take
    with Modeler(ScriptedLLM([fence(code)]), sandbox=pool, strategies=("program",)) as m:
        s = m.solve(question)
    assert s.ok and s.objective == pytest.approx(7 * 50 + 1 * 30) and len(s.attempts) == 1


def test_components_outside_the_model_are_added_and_variables_are_not_indices():
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.length = pyo.Var(domain=pyo.NonNegativeReals, bounds=(0, 10))
width = pyo.Var(domain=pyo.NonNegativeReals, bounds=(0, 10))
model.obj = pyo.Objective(expr=model.length + 2 * width, sense=pyo.maximize)
cap = pyo.Constraint(expr=model.length + width <= 12)
kinds = ['a', 'b']
model.x = pyo.Var(kinds, domain=pyo.NonNegativeReals)
model.each = pyo.Constraint(model.x, rule=lambda m, k: m.x[k] <= 3)
"""
    program = clean_program(code)
    assert "model.width = pyo.Var(" in program.code and "width = model.width" in program.code
    assert "model.cap = pyo.Constraint(" in program.code  # a constraint left outside would be silently ignored
    assert "pyo.Constraint(model.x.index_set(), rule=" in program.code
    assert any("added cap, width to the model" in c for c in program.changes)
    scope: dict = {}
    exec(program.code, scope)
    model = scope["model"]
    assert len(model.each) == 2 and model.cap.upper == 12


def test_decisions_that_measure_things_are_made_continuous():
    from optolab.agents.program import relax_measures

    question = "Find the width and height of a poster of area 100 that minimize the paper used."
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.width = pyo.Var(domain=pyo.NonNegativeIntegers, bounds=(1, 50))
model.poster_height = pyo.Var(within=pyo.PositiveIntegers, bounds=(1, 50))
model.full_time = pyo.Var(domain=pyo.NonNegativeIntegers)
model.trucks = pyo.Var(domain=pyo.NonNegativeIntegers)
"""
    fixed = relax_measures(code, question)
    assert "model.width = pyo.Var(domain=pyo.NonNegativeReals" in fixed.code
    assert "model.poster_height = pyo.Var(within=pyo.PositiveReals" in fixed.code
    assert "model.full_time = pyo.Var(domain=pyo.NonNegativeIntegers)" in fixed.code  # people, not a time
    assert "model.trucks = pyo.Var(domain=pyo.NonNegativeIntegers)" in fixed.code
    assert fixed.changes == ["width, poster_height made continuous: they measure a quantity that is not counted in "
                             "whole units"]
    assert relax_measures(code, question + " Both must be integers.") is None
    assert relax_measures(fixed.code, question) is None
    # a question for amounts in a unit of measure makes every decision an amount
    blends = "How many kilograms of each blend should the roaster make to maximize profit?"
    both = relax_measures(code, blends)
    assert "model.trucks = pyo.Var(domain=pyo.NonNegativeReals)" in both.code and "trucks" in both.changes[0]
    assert relax_measures(code, "How many of each blend should the roaster make?").code.count("Integers") == 2
    assert "trucks" in relax_measures(code, "How many minutes should each machine run?").changes[0]
    assert "trucks" in relax_measures(code, "Tea costs $4 per kilogram. How much of each blend?").changes[0]
    assert relax_measures(code, "Coal costs $20 per ton. How many trucks?").code.count("Integers") == 2


def test_strict_inequalities_become_ones_a_solver_takes():
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.vans = pyo.Var(domain=pyo.Integers, bounds=(0, None))
model.buses = pyo.Var(domain=pyo.NonNegativeIntegers)
model.fuel = pyo.Var(domain=pyo.NonNegativeReals)
model.more = pyo.Constraint(expr=model.vans > model.buses)
model.less = pyo.Constraint(expr=2 * model.buses < 3 * model.vans)
model.tank = pyo.Constraint(expr=model.fuel < 0.5 * model.vans)
limit = 3
ok = limit > 2
"""
    program = clean_program(code)
    assert "model.vans >= model.buses + 1" in program.code
    assert "2 * model.buses <= 3 * model.vans - 1" in program.code
    assert "model.fuel <= 0.5 * model.vans" in program.code  # continuous: the closed form
    assert "ok = limit > 2" in program.code  # Python logic on data stays
    assert sum("strict" in c for c in program.changes) == 3
    scope: dict = {}
    exec(program.code, scope)


def test_the_tidy_step_leaves_every_reference_model_of_the_problem_set_as_it_is():
    """The mechanical fixes mend slips; on the 49 hand-written reference models they must change nothing."""
    from optolab.agents.modeler import tidy_program
    from optolab.problems import load_problems

    changed = {p.id: tidy_program(p.code, p.text)["changes"] for p in load_problems()}
    assert len(changed) >= 40
    assert {k: v for k, v in changed.items() if v} == {}


def test_sum_of_several_terms_adds_them_and_a_doubly_named_domain_keeps_one_set():
    code = """
import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.a = pyo.Var(domain=pyo.Binary)
model.b = pyo.Var(domain=pyo.Binary)
model.c = pyo.Var(domain=pyo.Binary)
model.n = pyo.Var([1, 2], domain=pyo.Integers, bounds=(0, 5), within=pyo.NonNegativeReals)
model.r = pyo.Var(domain=pyo.Reals, within=pyo.NonNegativeReals)
model.obj = pyo.Objective(expr=sum(model.a, model.b, model.c) + sum(model.n[i] for i in [1, 2]))
model.need = pyo.Constraint(expr=sum(model.a, model.b, (model.n[i] for i in [1, 2])) >= 2)
model.pair = pyo.Constraint(expr=sum([model.a, model.b], 0) <= 1)
"""
    program = clean_program(code)
    assert "model.a + model.b + model.c" in program.code
    assert "model.a + model.b + sum((model.n[i] for i in [1, 2]))" in program.code
    assert "sum([model.a, model.b], 0)" in program.code  # sum(iterable, start) is Python's own
    assert sum("sum() takes one iterable" in c for c in program.changes) == 2
    assert "domain=pyo.NonNegativeIntegers" in program.code and "within=pyo.NonNegativeReals)" in program.code
    assert sum("one of domain= and within=" in c for c in program.changes) == 2
    scope: dict = {}
    exec(program.code, scope)
    model = scope["model"]
    assert model.n[1].is_integer() and model.n[1].lb == 0 and model.r.lb == 0


def test_lists_in_a_dict_read_by_names_become_dicts_keyed_by_them():
    code = """
import pyomo.environ as pyo
model = pyo.ConcreteModel()
lines = ['L1', 'L2']
glues = ['G1', 'G2', 'G3']
rate = {'L1': [20, 30, 40], 'L2': [50, 35, 45]}
whole = {'L1': [1, 2, 3], 'L2': [4, 5, 6]}
price = [3, 5, 7]
model.w = pyo.Var(lines, domain=pyo.NonNegativeReals)
model.obj = pyo.Objective(expr=sum(model.w[p] * rate[p][g] * price[g] for p in lines for g in glues))
model.cap = pyo.Constraint(expr=sum(model.w[p] * sum(whole[p]) for p in lines) <= 10)
model.use = pyo.Constraint(expr=sum(model.w[p] * whole[p][g] for p in lines for g in glues) <= 99)
"""
    program = clean_program(code)
    assert "rate = {'L1': {'G1': 20, 'G2': 30, 'G3': 40}, 'L2': {'G1': 50, 'G2': 35, 'G3': 45}}" in program.code
    assert "price = {'G1': 3, 'G2': 5, 'G3': 7}" in program.code
    assert "whole = {'L1': [1, 2, 3], 'L2': [4, 5, 6]}" in program.code  # also read whole: not touched
    assert any("the lists in rate are read by the names in glues" in c for c in program.changes)
    scope: dict = {}
    exec(program.code.replace("model.use", "# model.use"), scope)


def test_an_objective_without_a_sense_is_maximized_when_the_question_asks_to_maximize():
    from optolab.agents.program import add_missing_sense

    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.x = pyo.Var(domain=pyo.NonNegativeReals, bounds=(0, 4))
model.obj = pyo.Objective(expr=3 * model.x)
"""
    fixed = add_missing_sense(code, "How much should be made to maximize the profit?")
    assert "pyo.Objective(expr=3 * model.x, sense=pyo.maximize)" in fixed.code
    assert add_missing_sense(code, "How much should be made to minimize the cost?") is None
    assert add_missing_sense(fixed.code, "Maximize the profit.") is None  # a sense is there already
    bare = code.replace("import pyomo.environ as pyo", "from pyomo.environ import *").replace("pyo.", "")
    assert "Objective(expr=3 * model.x, sense=maximize)" in add_missing_sense(bare, "Maximize the profit.").code


def test_a_bound_naming_a_decision_becomes_a_constraint_and_a_space_for_the_dot_is_mended(pool):
    from optolab.agents.runner import run_code

    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.toys = pyo.Var(domain=pyo.NonNegativeIntegers, bounds=(0, 3))
model.dolls = pyo.Var(domain=pyo.NonNegativeIntegers, bounds=(0, 2 * model.toys))
model cap = pyo.Constraint(expr=model.toys + model.dolls <= 10)
model.obj = pyo.Objective(expr=model.toys + 3 * model.dolls, sense=pyo.maximize)
"""
    program = clean_program(code)
    assert "model.dolls_high = pyo.Constraint(expr=model.dolls <= 2 * model.toys)" in program.code
    assert "model.cap = pyo.Constraint" in program.code and len(program.changes) == 2
    outcome = run_code(pool, program.code, time_limit=30, memory_mb=1024)
    assert outcome.ok and outcome.objective == pytest.approx(21)  # 3 toys, 6 dolls


def test_a_stray_name_in_the_place_of_the_one_decision_its_rows_leave_out_becomes_that_decision():
    from optolab.agents.modeler import tidy_program

    text = ("Mail goes by van or by bike. A van carries 100 letters and costs $30 a trip; a bike carries 20 letters "
            "and costs $5 a trip. At least 1000 letters must go. Minimize the cost.")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.van = pyo.Var(domain=pyo.NonNegativeIntegers)
van = model.van
model.bike = pyo.Var(domain=pyo.NonNegativeIntegers)
model.objective = pyo.Objective(expr=30 * van + 5 * scooter, sense=pyo.minimize)
model.letters = pyo.Constraint(expr=100 * van + 20 * scooter >= 1000)
"""
    out = tidy_program(code, text)
    assert "scooter" not in out["code"] and "5 * model.bike" in out["code"]
    assert any("scooter, which the code never defines, as model.bike" in c for c in out["changes"])
    # a row that names both decisions besides the stray name: nothing says which decision it is
    both = code.replace("100 * van + 20 * scooter >= 1000", "100 * van + 20 * model.bike + scooter >= 1000")
    assert "scooter" in tidy_program(both, text)["code"]


def test_names_the_text_states_as_data_lines_are_defined_when_the_code_reads_them_undefined():
    from optolab.agents.program import define_stated_data

    text = "A shop sells tea and coffee.\nData:\nTeaProfit = 3\nCoffeeProfit = 5\nMaxCups = 1,200\nMaximize profit."
    code = ("import pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\nmodel.tea = pyo.Var(domain=pyo.NonNegativeReals)\n"
            "model.coffee = pyo.Var(domain=pyo.NonNegativeReals)\nTeaProfit = 4\n"
            "model.obj = pyo.Objective(expr=TeaProfit * model.tea + CoffeeProfit * model.coffee, sense=pyo.maximize)\n"
            "model.cups = pyo.Constraint(expr=model.tea + model.coffee <= MaxCups)\n")
    fixed = define_stated_data(code, text)
    assert "CoffeeProfit = 5" in fixed.code and "MaxCups = 1200" in fixed.code
    assert "TeaProfit = 3" not in fixed.code  # the code defines it itself: left as written
    assert define_stated_data(fixed.code, text) is None and define_stated_data(code, "No data lines.") is None


def test_amounts_copied_with_their_currency_letters_are_defined():
    from optolab.agents.program import define_stated_data

    text = ("A press maker earns a profit of DM24,000 on each large press and DM10,000 on each small one. It has "
            "160 hours of cutting time.")
    code = ("import pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\nmodel.large = pyo.Var(domain=pyo.NonNegativeIntegers)\n"
            "model.small = pyo.Var(domain=pyo.NonNegativeIntegers)\n"
            "model.obj = pyo.Objective(expr=DM24_000 * model.large + DM10 * model.small, sense=pyo.maximize)\n"
            "model.cut = pyo.Constraint(expr=30 * model.large + 12 * model.small <= h160)\n")
    fixed = define_stated_data(code, text)
    # the whole amount, also where the name stops at the comma; a name the text does not write stays undefined
    assert "DM24_000 = 24000" in fixed.code and "DM10 = 10000" in fixed.code and "h160 =" not in fixed.code
    # two amounts a cut name could stand for: nothing is guessed
    both = text.replace("DM10,000 on each small one", "DM10,000 or DM10,500 on each small one")
    assert "DM10 =" not in define_stated_data(code, both).code


def test_clean_program_corrects_domain_names_and_labels_with_stray_spaces():
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
foods = [' rice', 'beans ']
cost = {'rice': 2, 'beans': 3}
model.eat = pyo.Var(foods, domain=pyo.NonNegativeReal)
model.open = pyo.Var(domain=pyo.Bool)
model.shut = pyo.Var(domain=pyo.BINARY)
model.obj = pyo.Objective(expr=sum(cost[f] * model.eat[f] for f in foods) + model.shut)
model.need = pyo.Constraint(expr=sum(model.eat[f] for f in foods) >= 4 * model.open)
"""
    program = clean_program(code)
    assert "foods = ['rice', 'beans']" in program.code
    assert "domain=pyo.NonNegativeReals" in program.code and "domain=pyo.Binary" in program.code
    assert any("NonNegativeReal -> NonNegativeReals" in c and "Bool -> Binary" in c and "BINARY -> Binary" in c
               for c in program.changes)
    assert "model.shut = pyo.Var(domain=pyo.Binary)" in program.code
    assert any("stray spaces" in c for c in program.changes)
    padded_only = "import pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\nnote = ' kept as written '\n"
    assert "' kept as written '" in clean_program(padded_only).code  # no other mention: left alone


def test_clean_program_makes_binaries_that_a_row_needs_many_of_integer():
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
depots = ['D1', 'D2']
shops = ['S1', 'S2']
need = {'S1': 25, 'S2': 40}
model.send = pyo.Var(depots, shops, domain=pyo.Binary)
model.crew = pyo.Var(domain=pyo.Binary, bounds=(0, 1))
model.open = pyo.Var(depots, domain=pyo.Binary)
model.obj = pyo.Objective(expr=sum(model.send[d, s] for d in depots for s in shops) + model.crew)
model.rows = pyo.ConstraintList()
for s in shops:
    model.rows.add(sum(model.send[d, s] for d in depots) == need[s])
model.staff = pyo.Constraint(expr=12 <= model.crew)
model.pick = pyo.Constraint(expr=sum(model.open[d] for d in depots) >= 1)
"""
    program = clean_program(code)
    assert "model.send = pyo.Var(depots, shops, domain=pyo.NonNegativeIntegers)" in program.code
    assert "model.crew = pyo.Var(domain=pyo.NonNegativeIntegers)" in program.code
    assert "model.open = pyo.Var(depots, domain=pyo.Binary)" in program.code  # needs one of two: a choice
    assert sum("was Binary" in c for c in program.changes) == 2


def test_decisions_the_text_measures_in_acres_are_made_continuous():
    from optolab.agents.program import relax_measures

    question = ("Ana farms 40 acres. She must plant at least 6 acres of beans and at least 8 acres of corn. Beans "
                "earn $90 and corn $70 per acre. How should she split the land?")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.beans = pyo.Var(domain=pyo.NonNegativeIntegers)
model.corn = pyo.Var(domain=pyo.NonNegativeIntegers)
model.obj = pyo.Objective(expr=90 * model.beans + 70 * model.corn, sense=pyo.maximize)
"""
    fixed = relax_measures(code, question)
    assert fixed is not None and "NonNegativeIntegers" not in fixed.code
    one = question.replace("at least 8 acres of corn", "at least 8 corn fields").replace(" per acre", "")
    assert relax_measures(code, one) is None  # only beans is measured: left alone


def test_clean_program_moves_names_bound_to_components_made_later():
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
a, b = (model.a, model.b)
model.a = pyo.Var(domain=pyo.NonNegativeReals)
model.b = pyo.Var(domain=pyo.NonNegativeReals)
model.obj = pyo.Objective(expr=a + 2 * b, sense=pyo.maximize)
model.cap = pyo.Constraint(expr=a + b <= 4)
"""
    program = clean_program(code)
    lines = program.code.splitlines()
    assert lines.index("a, b = (model.a, model.b)") > lines.index("model.b = pyo.Var(domain=pyo.NonNegativeReals)")
    assert any("after the components it reads are made" in c for c in program.changes)


def test_clean_program_drops_keywords_that_constraint_list_add_does_not_take():
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.x = pyo.Var(domain=pyo.NonNegativeReals)
model.obj = pyo.Objective(expr=model.x, sense=pyo.maximize)
model.rows = pyo.ConstraintList()
model.rows.add(model.x <= 4, name="cap")
"""
    program = clean_program(code)
    assert "model.rows.add(model.x <= 4)" in program.code and any("dropped name=" in c for c in program.changes)
    sensed = clean_program(code + "model.ratio = pyo.Constraint(expr=model.x >= 1, sense=pyo.minimize)\n")
    assert "model.ratio = pyo.Constraint(expr=model.x >= 1)\n" in sensed.code
    assert any(c.startswith("dropped sense= from the constraint") for c in sensed.changes)


def test_clean_program_writes_sum_method_of_an_indexed_variable_as_a_sum_of_its_values(pool):
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
months = ['Jan', 'Feb']
model.make = pyo.Var(months, domain=pyo.NonNegativeReals)
make = model.make
model.obj = pyo.Objective(expr=model.make.sum(), sense=pyo.minimize)
model.need = pyo.Constraint(expr=make.sum() >= 7)
"""
    program = clean_program(code)
    assert "sum(model.make.values())" in program.code and "sum(make.values()) >= 7" in program.code
    assert any("has no .sum()" in c for c in program.changes)
    from optolab.agents.runner import run_code

    assert run_code(pool, program.code, time_limit=30, memory_mb=1024).objective == pytest.approx(7)

def test_clean_program_spells_keys_as_the_elements_they_name(pool):
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
instruments = ['CDs', 't-bills', 'growth stock']
rate = {'CDs': 0.05, 't-bills': 0.065, 'growth stock': 0.13}
model.invest = pyo.Var(instruments, domain=pyo.NonNegativeReals)
model.obj = pyo.Objective(expr=sum(rate[i] * model.invest[i] for i in instruments), sense=pyo.maximize)
model.all = pyo.Constraint(expr=sum(model.invest[i] for i in instruments) == 1000)
model.safe = pyo.Constraint(expr=model.invest['cds'] + model.invest['T_Bills'] >= 0.3 * 1000)
model.cap = pyo.Constraint(expr=model.invest['Growth Stock'] <= rate['growth_stock'] * 1000)
"""
    program = clean_program(code)
    assert "model.invest['CDs'] + model.invest['t-bills'] >= 0.3 * 1000" in program.code
    assert "model.invest['growth stock'] <= rate['growth stock'] * 1000" in program.code
    assert any("'cds' -> 'CDs'" in c for c in program.changes)
    from optolab.agents.runner import run_code

    # 130 in growth stock at 13%, the 300 the rule asks for in t-bills, the rest in t-bills too
    assert run_code(pool, program.code, time_limit=30, memory_mb=1024).objective == pytest.approx(0.13 * 130 + 0.065 * 870)

def test_clean_program_unwraps_a_sum_of_one_indexed_expression_and_counts_joined_lists():
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
a_list = ['p', 'q']
b_list = ['r']
kinds = ['x', 'y']
model.t = pyo.Var(kinds, ['u', 'v'], domain=pyo.NonNegativeReals)
model.b = pyo.Var(a_list + b_list, domain=pyo.Binary)
model.obj = pyo.Objective(expr=sum(model.t[k, 'u'] for k in kinds), sense=pyo.minimize)
model.rows = pyo.ConstraintList()
for k in kinds:
    model.rows.add(sum(model.t[k, 'u'] + model.t[k, 'v']) >= 1)
model.need = pyo.Constraint(expr=sum(model.b[i] for i in a_list + b_list) >= 5)
"""
    program = clean_program(code)
    assert "model.rows.add(model.t[k, 'u'] + model.t[k, 'v'] >= 1)" in program.code
    assert "model.b = pyo.Var(a_list + b_list, domain=pyo.NonNegativeIntegers)" in program.code


def test_an_objective_of_data_alone_is_reported_and_one_with_decisions_is_not():
    head = ("import pyomo.environ as pyo\nrent = {'north': 300, 'south': 200}\nyield_kg = {'north': 2, 'south': 4}\n"
            "model = pyo.ConcreteModel()\nmodel.days = pyo.Var(['north', 'south'], domain=pyo.NonNegativeReals)\n"
            "days = model.days\n")
    constant = head + ("model.obj = pyo.Objective(expr=sum(rent[s] * yield_kg[s] for s in ['north', 'south']), "
                       "sense=pyo.minimize)\n")
    found = constant_objective_findings(constant)
    assert len(found) == 1 and "uses no decision variable" in found[0]
    for expr in ("sum(rent[s] * days[s] for s in ['north', 'south'])", "sum(rent[s] * model.days[s] for s in rent)"):
        assert constant_objective_findings(head + f"model.obj = pyo.Objective(expr={expr})\n") == [], expr
    aliased = head.replace("days = model.days", "d = model.days") + "model.obj = pyo.Objective(expr=rent['north'] * d['north'])\n"
    assert constant_objective_findings(aliased) == []


def test_lp_wording_keeps_counted_decisions_whole_and_acres_become_continuous():
    from optolab.agents.modeler import tidy_program

    # benchmark labels count desks, pills and servings in whole units even where the text says "LP"
    tidy = tidy_program(GOOD_CODE, "A shop makes desks and shelves with 40 hours. Formulate an LP to maximize profit.")
    assert tidy["code"].count("NonNegativeIntegers") == 2
    acres = GOOD_CODE.replace("desks", "wheat").replace("shelves", "corn")
    tidy = tidy_program(acres, "Each acre of wheat earns $70 and each acre of corn $30. Formulate an LP.")
    assert "NonNegativeIntegers" not in tidy["code"] and "made continuous" in " ".join(tidy["changes"])


def test_chained_and_joined_relations_and_a_repeated_name_become_separate_constraints(pool):
    from optolab.agents.runner import run_code

    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
span = (2, 6)
model.tea = pyo.Var(domain=pyo.NonNegativeReals)
model.cake = pyo.Var(domain=pyo.NonNegativeReals)
model.take = pyo.Objective(expr=5 * model.tea + 4 * model.cake, sense=pyo.maximize)
model.tea_range = pyo.Constraint(expr=span[0] <= model.tea <= span[1])
model.tea_range = pyo.Constraint(expr=model.cake >= 1 and model.cake <= 3)
model.rows = pyo.ConstraintList()
model.rows.add(9 >= model.tea + model.cake >= 4)
"""
    program = clean_program(code)
    assert "model.tea_range = pyo.Constraint(expr=(span[0], model.tea, span[1]))" in program.code
    assert "model.tea_range_2 = pyo.Constraint(expr=model.cake >= 1)" in program.code
    assert "model.tea_range_2_2 = pyo.Constraint(expr=model.cake <= 3)" in program.code
    assert "model.rows.add((4, model.tea + model.cake, 9))" in program.code
    out = run_code(pool, program.code, time_limit=30, memory_mb=1024)
    assert out.ok and out.objective == pytest.approx(5 * 6 + 4 * 3)  # tea <= 6, cake <= 3, sum <= 9


def test_a_plain_variable_read_with_literal_keys_is_indexed_by_them(pool):
    from optolab.agents.runner import run_code

    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.slots = pyo.Var(domain=pyo.NonNegativeIntegers, bounds=(0, 3))
slots = model.slots
model.gain = pyo.Objective(expr=40 * slots[0] + 25 * slots[2], sense=pyo.maximize)
model.hours = pyo.Constraint(expr=5 * slots[0] + 2 * model.slots[2] <= 16)
"""
    program = clean_program(code)
    assert "model.slots = pyo.Var([0, 2], domain=pyo.NonNegativeIntegers, bounds=(0, 3))" in program.code
    out = run_code(pool, program.code, time_limit=30, memory_mb=1024)
    assert out.ok and out.objective == pytest.approx(40 * 2 + 25 * 3)
    plain = code.replace("slots[2]", "slots[i]")  # a key the code computes: left to the checks that run it
    assert "pyo.Var([" not in clean_program(plain).code


def test_decisions_weighed_by_prices_per_hour_are_hours_and_continuous():
    from optolab.agents.program import relax_measures

    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.north = pyo.Var(domain=pyo.NonNegativeIntegers)
model.south = pyo.Var(domain=pyo.NonNegativeIntegers)
model.cost = pyo.Objective(expr=90 * model.north + 65 * model.south, sense=pyo.minimize)
model.boxes = pyo.Constraint(expr=50 * model.north + 35 * model.south >= 7000)
"""
    q = ("Two depots pack boxes: the north depot packs 50 boxes an hour and charges $90 per hour, the south depot "
         "packs 35 boxes an hour and charges $65 per hour. At least 7000 boxes must be packed. Minimize the cost.")
    fixed = relax_measures(code, q)
    assert fixed is not None and "NonNegativeIntegers" not in fixed.code
    counted = q.replace("charges $90 per hour", "charges $90 per truck").replace("$65 per hour", "$65 per truck")
    assert relax_measures(code, counted) is None


def test_a_free_variable_whose_name_a_constraint_takes_is_added_under_a_name_of_its_own():
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.price = pyo.Var(domain=pyo.NonNegativeReals, bounds=(1, 5))
sold = pyo.Var(domain=pyo.NonNegativeReals)
model.obj = pyo.Objective(expr=model.price * 10 - sold, sense=pyo.maximize)
model.sold = pyo.Constraint(expr=sold >= 100 - 10 * model.price)
"""
    program = clean_program(code)
    assert "model.sold_2 = pyo.Var(domain=pyo.NonNegativeReals)\nsold = model.sold_2" in program.code
    scope: dict = {}
    exec(program.code, scope)
    assert scope["model"].sold.ctype.__name__ == "Constraint" and scope["model"].sold_2.is_variable_type()


def test_a_decision_used_but_never_declared_is_declared_over_the_keys_it_is_read_with(pool):
    text = ("A ship carries crates of tea, rice and salt. A crate earns $5, $6 and $3 and weighs 2, 3 and 1 tonnes. "
            "The ship holds 12 tonnes. How many crates of each should it carry to maximize earnings?")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
crates = ['tea', 'rice', 'salt']
earnings = {'tea': 5, 'rice': 6, 'salt': 3}
weights = {'tea': 2, 'rice': 3, 'salt': 1}
model.objective = pyo.Objective(expr=sum(earnings[c] * load[c] for c in crates), sense=pyo.maximize)
model.weight_limit = pyo.Constraint(expr=sum(weights[c] * load[c] for c in crates) <= 12)
model.some = pyo.Var(domain=pyo.NonNegativeIntegers)
"""
    program = clean_program(code)
    # load is an attribute every Pyomo block has: the component takes another name
    assert "model.load_ = pyo.Var(crates, domain=pyo.NonNegativeIntegers)\nload = model.load_" in program.code
    assert any("declared load over crates" in c for c in program.changes)
    with Modeler(ScriptedLLM([fence(code)]), sandbox=pool, strategies=("program",), max_attempts=1) as m:
        s = m.solve(text)
    assert s.ok and s.objective == pytest.approx(36)  # 12 crates of salt (3 * 12) beats 4 of rice (24)


def test_a_stock_read_one_period_back_and_at_a_literal_period_is_declared_over_the_periods(solve_objective):
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
months = [1, 2, 3, 4]
demand = {1: 80, 2: 100, 3: 130, 4: 90}
cost = {1: 10, 2: 12, 3: 11, 4: 14}
model.make = pyo.Var(months, domain=pyo.NonNegativeReals, bounds=(0, 120))
make = model.make
model.objective = pyo.Objective(expr=sum(cost[m] * make[m] + 2 * stock[m] for m in months), sense=pyo.minimize)
model.balance = pyo.ConstraintList()
for m in months:
    model.balance.add(stock[m] == (0 if m == 1 else stock[m - 1]) + make[m] - demand[m])
model.end_empty = pyo.Constraint(expr=stock[4] == 0)
"""
    program = clean_program(code)
    assert "model.stock = pyo.Var(months, domain=pyo.NonNegativeReals)\nstock = model.stock" in program.code
    assert any("declared stock over months" in c for c in program.changes)
    assert solve_objective(program.code) == 4720
    # read only at literal periods, stock has no list of its own to be declared over
    literal = code.replace("2 * stock[m] for m", "2 * stock[1] for m").replace(
        "stock[m] == (0 if m == 1 else stock[m - 1])", "stock[2] == stock[1]")
    assert "declared stock" not in " ".join(clean_program(literal).changes)


def test_a_shape_measure_multiplied_by_a_decision_and_made_nowhere_is_declared(pool):
    from optolab.solvers.sandbox import run_model_code

    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
pi = 3.141592653589793
model.radius = pyo.Var(domain=pyo.Reals, bounds=(0.1, 10))
radius = model.radius
model.objective = pyo.Objective(expr=2 * pi * radius ** 2 + 2 * pi * radius * height, sense=pyo.minimize)
model.holds_volume = pyo.Constraint(expr=pi * radius ** 2 * height == 1000)
"""
    program = clean_program(code)
    assert "model.height = pyo.Var(domain=pyo.NonNegativeReals)\nheight = model.height" in program.code
    result = run_model_code(program.code, pool=pool)  # nonlinear: the sandbox picks a solver that takes it
    assert result.ok and result.solve.objective == pytest.approx(553.58104, rel=1e-5)  # the can of least area
    # a name for something else, multiplied by a decision, is a coefficient the code left out, not a decision
    other = code.replace("height", "price")
    assert "declared price" not in " ".join(clean_program(other).changes)


def test_a_stray_name_stands_for_the_one_decision_of_its_keys_that_the_objective_leaves_out():
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.submarine = pyo.Var(domain=pyo.Integers, bounds=(0, None))
model.boat = pyo.Var(domain=pyo.Integers, bounds=(0, None))
model.objective = pyo.Objective(expr=30 * model.submarine + 25 * taxi, sense=pyo.minimize)
model.mail = pyo.Constraint(expr=100 * model.submarine + 80 * taxi >= 1000)
model.share = pyo.Constraint(expr=taxi >= 0.5 * (model.submarine + model.boat))
"""
    program = clean_program(code)
    assert "taxi" not in program.code.replace("read taxi", "") and "25 * boat" in program.code
    assert any("read taxi" in c and "as boat" in c for c in program.changes)


def test_names_that_are_not_decisions_are_not_declared():
    base = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
items = ['a', 'b']
model.x = pyo.Var(items, domain=pyo.NonNegativeReals)
"""
    cases = [  # a coefficient of a decision, a name used as a key, keys that are numbers, only in the objective
        "model.objective = pyo.Objective(expr=sum(price * model.x[i] for i in items))\n"
        "model.c = pyo.Constraint(expr=sum(price * model.x[i] for i in items) <= 5)\n",
        "model.objective = pyo.Objective(expr=sum(model.x[line] for i in items))\n"
        "model.c = pyo.Constraint(expr=model.x[line] <= 5)\n",
        "model.objective = pyo.Objective(expr=spots[0] + spots[1])\nmodel.c = pyo.Constraint(expr=spots[0] <= 5)\n",
        "model.objective = pyo.Objective(expr=sum(model.x[i] for i in items) + extra)\n"
        "model.c = pyo.Constraint(expr=model.x['a'] <= 5)\n",
    ]
    for rows in cases:
        assert "declared" not in " ".join(clean_program(base + rows).changes), rows


def test_counts_are_made_continuous_where_the_text_allows_fractions():
    from optolab.agents.program import relax_measures

    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
foods = ['oats', 'milk']
model.serve_food = pyo.Var(foods, domain=pyo.NonNegativeIntegers)
model.use = pyo.Var(foods, domain=pyo.Binary)
"""
    for allowed in ("Fractional servings are allowed.", "Production may be fractional (weekly averages).",
                    "The amounts need not be whole numbers.", "Non-integer amounts are fine."):
        fixed = relax_measures(code, "A student picks a breakfast. " + allowed)
        assert "model.serve_food = pyo.Var(foods, domain=pyo.NonNegativeReals)" in fixed.code, allowed
        assert "domain=pyo.Binary" in fixed.code  # yes/no decisions stay
    for other in ("A student picks servings of foods.", "Servings must be whole numbers.",
                  "What fraction of the budget goes to oats?"):
        assert relax_measures(code, other) is None, other


def test_a_component_name_written_with_spaces_is_joined():
    code = ("import pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\nmodel.x = pyo.Var(bounds=(0, 10))\n"
            "model.wire fencing = pyo.Constraint(expr=2 * model.x <= 100)\n"
            "model.objective = pyo.Objective(expr=model.x, sense=pyo.maximize)\n")
    program = clean_program(code)
    assert "model.wire_fencing = pyo.Constraint" in program.code
    assert any("model.wire_fencing =" in c for c in program.changes)


def test_terms_multiplied_by_the_limit_they_are_compared_with_lose_it():
    code = ("import pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\ncrops = ['corn', 'wheat']\ntotal_land = 200\n"
            "model.area = pyo.Var(crops, domain=pyo.NonNegativeReals)\n"
            "model.objective = pyo.Objective(expr=3 * model.area['corn'] + 2 * model.area['wheat'], sense=pyo.maximize)\n"
            "model.land = pyo.Constraint(expr=sum(model.area[c] * total_land for c in crops) <= total_land)\n")
    program = clean_program(code)
    assert "sum((model.area[c] for c in crops)) <= total_land" in program.code
    assert any("multiplied by the limit" in c for c in program.changes)
    # a weight that is another number stays
    other = code.replace("model.area[c] * total_land for c", "model.area[c] * 2 for c")
    assert "model.area[c] * 2" in clean_program(other).code


def test_a_data_name_that_is_also_a_row_list_is_defined_from_the_text_not_bound_to_the_rows():
    from optolab.agents.modeler import tidy_program

    question = ("Two mills feed three bakeries. Mill M1 holds 80 tonnes and M2 holds 60 tonnes. Bakery needs are "
                "B1: 30, B2: 50 and B3: 40 tonnes. Hauling costs per tonne are:\n\n"
                "| from / to | B1 | B2 | B3 |\n|---|---|---|---|\n| M1 | 2 | 4 | 5 |\n| M2 | 3 | 1 | 6 |\n\n"
                "What is the lowest total hauling cost?")
    code = """
import pyomo.environ as pyo
model = pyo.ConcreteModel()
mills = ['M1', 'M2']
bakeries = ['B1', 'B2', 'B3']
cost = {('M1', 'B1'): 2, ('M1', 'B2'): 4, ('M1', 'B3'): 5, ('M2', 'B1'): 3, ('M2', 'B2'): 1, ('M2', 'B3'): 6}
model.haul = pyo.Var(mills, bakeries, domain=pyo.NonNegativeReals)
model.obj = pyo.Objective(expr=sum(cost[m, b] * model.haul[m, b] for m in mills for b in bakeries))
model.supply = pyo.ConstraintList()
for m in mills:
    model.supply.add(sum(model.haul[m, b] for b in bakeries) <= supply[m])
"""
    tidied = tidy_program(code, question)
    assert not any("bound the name supply" in c for c in tidied["changes"])
    assert "supply = {'M1': 80, 'M2': 60}" in tidied["code"]
    exec(tidied["code"], scope := {})
    assert len(scope["model"].supply) == 2
    # a bare name used for the rows themselves is still bound to them
    rows = clean_program(code.replace("model.supply.add(", "supply.add(").replace("<= supply[m]", "<= 80"))
    assert any("bound the name supply to model.supply" in c for c in rows.changes)
