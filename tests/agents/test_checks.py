"""The check step's number bookkeeping and the formulation schema sent to the model."""

from optolab.agents.checks import label_numbers, unused_numbers
from optolab.agents.formulation import Formulation


def test_numbers_that_name_things_are_labels():
    text = "Ana takes 5 h for job 1, 8 h for job 2 and 6 h for Plant #4 in week 12."
    assert label_numbers(text) == {1.0, 2.0, 4.0, 12.0}


def test_label_numbers_are_not_reported_unused_but_quantities_are():
    question = "Job 1 takes 5 hours and job 2 takes 7 hours; at most 40 hours are available."
    f = Formulation.model_validate({
        "sets": {"jobs": ["job 1", "job 2"]},
        "parameters": {"hours": {"job 1": 5, "job 2": 7}},
        "variables": [{"name": "x", "index": ["jobs"]}],
        "objective": {"sense": "max", "expression": "sum(x[j] for j in jobs)"},
        "constraints": [{"expression": "sum(hours[j]*x[j] for j in jobs) <= 30"}],
    })
    assert unused_numbers(question, f) == [40.0]


def test_request_schema_asks_for_a_plan_first_and_at_least_one_constraint():
    schema = Formulation.model_json_schema()
    assert list(schema["properties"])[0] == "requirements"
    assert {"requirements", "constraints", "objective", "variables"} <= set(schema["required"])
    assert schema["properties"]["constraints"]["minItems"] == 1


def test_requirements_accept_loose_shapes():
    base = {"variables": [{"name": "x"}], "objective": {"sense": "min", "expression": "x"}}
    f = Formulation.model_validate(base | {"requirements": "- cost (minimize)\n- x >= 3"})
    assert f.requirements == ["cost (minimize)", "x >= 3"]
    f = Formulation.model_validate(base | {"requirements": [{"limit": "x >= 3"}]})
    assert f.requirements == ['{"limit": "x >= 3"}']


def test_a_loop_name_that_hides_a_variable_is_reported():
    from optolab.agents.codegen import check_formulation

    f = Formulation.model_validate({
        "variables": [{"name": "q", "type": "integer"}],
        "objective": {"sense": "min", "expression": "sum(50 + 6*q/2 for q in range(1, 10))"},
        "constraints": [{"expression": "q >= 1"}],
    })
    issues = [str(i) for i in check_formulation(f)]
    assert any("hide the decision variable" in i and "objective" in i for i in issues)


def test_comparisons_inside_filters_keep_their_meaning():
    from optolab.agents.codegen import _nonstrict

    assert _nonstrict("sum(x[h] for h in hours if s <= h < s + 3) >= 2") == "sum(x[h] for h in hours if s <= h < s + 3) >= 2"
    assert _nonstrict("x + y < 4") == "x + y <= 4"
    f = Formulation.model_validate({
        "variables": [{"name": "flow", "index": ["arcs"]}], "sets": {"arcs": ["a", "b"]},
        "parameters": {"to": {"a": "t", "b": "u"}},
        "objective": {"sense": "max", "expression": "sum(flow[p] for p in arcs if to[p] == 't')"},
        "constraints": [{"expression": "flow['a'] <= 3"}]})
    assert f.objective.expression == "sum(flow[p] for p in arcs if to[p] == 't')"
    g = Formulation.model_validate({"variables": [{"name": "x"}], "constraints": [{"expression": "x <= 3"}],
                                    "objective": {"sense": "max", "expression": "profit = 3*x"}})
    assert g.objective.expression == "3 * x"


def test_negative_coefficients_count_as_used():
    question = "Returns covary by -0.02 and each asset returns 0.05; invest at most 1."
    f = Formulation.model_validate({
        "variables": [{"name": "a"}, {"name": "b"}],
        "objective": {"sense": "min", "expression": "a*a + b*b - 0.02*a*b - 0.05*a"},
        "constraints": [{"expression": "a + b <= 1"}]})
    assert unused_numbers(question, f) == []


def test_a_goal_naming_one_decision_must_be_the_objective():
    from optolab.agents.checks import objective_focus_findings

    q = "A bike carries 3 people and a car 5. How many of each minimize the total number of bikes needed?"
    found = objective_focus_findings(q, ["bikes", "cars"], {"bikes", "cars"})
    assert found and "minimize the total number of bikes" in found[0] and "also counts cars" in found[0]
    assert objective_focus_findings(q, ["bikes", "cars"], {"bikes"}) == []
    assert "counts cars instead" in objective_focus_findings(q, ["bikes", "cars"], {"cars"})[0]
    assert "does not use bikes" in objective_focus_findings(q, ["bikes", "cars"], {"n"})[0]
    # a goal over every decision, or one that matches several variables, is left alone
    assert objective_focus_findings("minimize the total number of vehicles", ["bikes", "cars"], {"bikes"}) == []
    assert objective_focus_findings("minimize the number of machines", ["machine_a", "machine_b"],
                                    {"machine_a"}) == []
    assert objective_focus_findings("maximize profit", ["bikes"], {"cars"}) == []
    # plural forms match singular names
    assert objective_focus_findings("minimize the number of batteries", ["battery", "panel"], {"battery", "panel"})


def test_a_requirement_the_model_listed_but_never_modeled_is_a_hard_finding():
    from optolab.agents.checks import RunOutcome, run_findings
    from optolab.agents.formulation import Formulation

    q = "A farm has 100 acres and 320 hours of labor. Wheat earns $200 and needs 2 hours per acre; corn $300 and 4."
    f = Formulation.model_validate({
        "requirements": ["maximize profit", "land: 100 acres", "labor: 320 hours"],
        "variables": [{"name": "wheat"}, {"name": "corn"}],
        "objective": {"sense": "maximize", "expression": "200*wheat + 300*corn"},
        "constraints": [{"name": "labor", "expression": "2*wheat + 4*corn <= 320"}]})
    found = run_findings(q, f, RunOutcome(status="optimal", objective=32000, values={"wheat": 160.0, "corn": 0.0}))
    assert found[0].startswith('Your requirement "land: 100 acres" is not in the model: 100')
    assert not any("not used in the model: 100" in x for x in found)  # said once, as the hard finding


def test_run_time_errors_come_with_what_to_do():
    from optolab.agents.checks import RunOutcome, error_hint, outcome_findings

    assert "missing from a data dict" in error_hint("runtime_error: KeyError: (6, 1)")
    assert "(6, 1)" in error_hint("runtime_error: KeyError: (6, 1)")
    assert "model.need" in error_hint("runtime_error: NameError: name 'need' is not defined")
    assert "binary variables" in error_hint("PyomoException: Cannot convert non-constant Pyomo expression "
                                            "(x - 5) to bool.")
    assert error_hint("ZeroDivisionError: division by zero") == ""
    found = outcome_findings(RunOutcome(status="error", error="KeyError: 'a'", error_line=3), line="x = d['a']")
    assert found[0].index("(line 3: `x = d['a']`)") < found[0].index("missing from a data dict")


def test_pyomo_index_and_missing_component_errors_get_their_own_hints():
    from optolab.agents.checks import error_hint

    hint = error_hint("runtime_error: KeyError: \"Index '0' is not valid for indexed component 'proportion'\"")
    assert hint.startswith("proportion is not indexed by 0")
    hint = error_hint("runtime_error: AttributeError: 'ConcreteModel' object has no attribute 'leased_trucks'")
    assert "model.leased_trucks is used before it is created" in hint


def test_decision_names_close_to_the_words_of_the_text_or_too_short_to_judge_are_not_copied():
    from optolab.agents.checks import copied_findings

    question = "An investor has $1000 for investment in bonds. Maximize the return."
    assert copied_findings(question, set(), ["invest"]) == []
    assert copied_findings(question, set(), ["x", "y"]) == []
    assert copied_findings(question, set(), ["tomato_beds"])  # a decision the text never mentions
    # names that fit any problem say nothing either way
    assert copied_findings(question, set(), ["quantity", "amount_to_buy"]) == []
    assert copied_findings(question, set(), ["quantity", "tomato_beds"]) == []  # quantity might be the bonds
    # the measures of a shape are the problem's own words when it speaks of one
    garden = "With 30 feet of fencing, fence three sides of a garden by a wall. What dimensions give the most room?"
    assert copied_findings(garden, set(), ["length", "width"]) == []
    assert copied_findings(question, set(), ["length", "width"])  # an investment has no width


def test_a_model_built_from_this_problems_numbers_is_not_called_copied_for_its_names():
    from optolab.agents.checks import copied_findings

    question = ("Four translators and four documents. Each translator takes exactly one document. Costs: Ines 90, "
                "75; Jon 35, 85. What is the minimum total cost?")
    assert copied_findings(question, {90.0, 75.0, 35.0, 85.0}, ["allot"]) == []  # every number is the text's
    assert copied_findings(question, {90.0, 75.0}, ["allot"])  # too few numbers to tell
    assert copied_findings(question, set(), ["assign"]) == []  # "assign" fits any assignment problem


def test_a_goal_asked_as_find_the_minimum_number_of_one_decision_focuses_the_objective():
    from optolab.agents.checks import goal_variable

    q = "Vans carry 50 boxes and trucks 100. At least 2000 boxes must go. Find the minimum number of vans that can be used."
    assert goal_variable(q, ["vans", "trucks"], {"vans", "trucks"}) == ("vans", "find the minimum number of vans")
    assert goal_variable(q, ["vans", "trucks"], {"vans"}) is None
    both = q.replace("number of vans", "number of vans and trucks")
    assert goal_variable(both, ["vans", "trucks"], {"vans", "trucks"}) is None


def test_clause_span_stops_at_the_marks_around_a_mention():
    from optolab.agents.checks import clause_span, mentions_of

    text = "Each van holds 8 boxes. At most 40 vans, in total, can run; trucks cost $2.50 each."
    (m,) = mentions_of(text, 40)
    s, e = clause_span(text, m.start(), m.end())
    assert text[s:e] == " At most 40 vans"
    s, e = clause_span(text, m.start(), m.end(), ".;")
    assert text[s:e] == " At most 40 vans, in total, can run"
    (p,) = mentions_of(text, 2.5)  # a decimal point inside the number does not end the clause
    s, e = clause_span(text, p.start(), p.end(), ".;")
    assert text[s:e] == " trucks cost $2.50 each"
