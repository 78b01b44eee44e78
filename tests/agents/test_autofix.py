import pyomo.environ as pyo
import pytest

from optolab.agents.autofix import autofix
from optolab.agents.codegen import check_formulation, generate_code
from optolab.agents.formulation import Formulation


def _solve(f):
    ns: dict = {}
    exec(generate_code(f).code, ns)
    pyo.SolverFactory("appsi_highs").solve(ns["model"])
    return pyo.value(ns["model"].objective)


def test_scalar_variable_used_with_subscripts_gets_the_matching_set():
    f = Formulation.model_validate({
        "sets": {"districts": [1, 2, 3]},
        "variables": [{"name": "station", "type": "binary"}],
        "objective": {"sense": "min", "expression": "sum(station)"},
        "constraints": [{"expression": "station[1] + station[2] >= 1"}, {"expression": "station[2] + station[3] >= 1"},
                        {"expression": "station[3] >= 0"}],
    })
    fixed, notes = autofix(f)
    assert fixed.variables[0].index == ["districts"] and f.variables[0].index == []  # the input is not changed
    assert fixed.objective.expression == "sum(station.values())"
    assert len(notes) == 2 and check_formulation(fixed) == []
    assert _solve(fixed) == pytest.approx(1)  # station 2 covers both


def test_subscripts_without_any_set_create_one():
    f = Formulation.model_validate({
        "variables": [{"name": "x"}],
        "objective": {"sense": "max", "expression": "x[1] + 2*x[2]"},
        "constraints": [{"expression": "x[1] + x[2] <= 4"}],
    })
    fixed, notes = autofix(f)
    assert fixed.sets == {"x_index": [1, 2]} and fixed.variables[0].index == ["x_index"]
    assert _solve(fixed) == pytest.approx(8)


def test_correct_formulations_are_left_alone():
    f = Formulation.model_validate({
        "sets": {"S": ["a", "b"]},
        "variables": [{"name": "y", "index": ["S"]}, {"name": "z"}],
        "objective": {"sense": "min", "expression": "sum(y[s] for s in S) + z"},
    })
    fixed, notes = autofix(f)
    assert notes == [] and fixed == f


def _f(**parts):
    from optolab.agents.formulation import Formulation

    base = {"variables": [{"name": "x"}], "objective": {"sense": "min", "expression": "x"}}
    return Formulation.model_validate(base | parts)


def test_bare_set_elements_are_quoted():
    from optolab.agents.autofix import autofix

    f = _f(sets={"plants": ["G1", "G2"]}, parameters={"cap": {"G1": 600, "G2": 700}},
           variables=[{"name": "gen", "index": ["plants"]}],
           objective={"sense": "min", "expression": "30*gen[G1] + 45*gen[G2]"},
           constraints=[{"name": "cap1", "expression": "gen[G1] <= cap[G1]"},
                        {"name": "caps", "expression": "gen[p] <= cap[p]", "for_each": "p in plants"}])
    fixed, notes = autofix(f)
    assert fixed.objective.expression == "30 * gen['G1'] + 45 * gen['G2']"
    assert fixed.constraints[0].expression == "gen['G1'] <= cap['G1']"
    assert fixed.constraints[1].expression == "gen[p] <= cap[p]"
    assert any("quoted" in n for n in notes)


def test_ranges_and_conjunctions_become_two_constraints():
    from optolab.agents.autofix import autofix

    f = _f(constraints=[{"name": "r", "expression": "3 <= x <= 10"}, {"name": "b", "expression": "x >= 1 and x <= 9"}])
    fixed, _ = autofix(f)
    assert [(c.name, c.expression) for c in fixed.constraints] == [
        ("r_1", "3 <= x"), ("r_2", "x <= 10"), ("b_1", "x >= 1"), ("b_2", "x <= 9")]


def test_for_each_naming_only_a_set_gets_its_loop_name():
    from optolab.agents.autofix import autofix

    f = _f(sets={"pipes": ["a", "b"]}, parameters={"cap": {"a": 1, "b": 2}},
           variables=[{"name": "flow", "index": ["pipes"]}],
           constraints=[{"name": "c", "expression": "flow[p] <= cap[p]", "for_each": "['pipes']"}])
    fixed, _ = autofix(f)
    assert fixed.constraints[0].for_each == "p in pipes"


def test_a_set_named_like_a_variable_is_renamed():
    f = _f(sets={"loaves": ["small", "large"]}, variables=[{"name": "loaves", "index": ["loaves"]}],
           objective={"sense": "max", "expression": "sum(loaves[k] for k in loaves)"})
    assert list(f.sets) == ["loaves_set"]
    assert f.variables[0].index == ["loaves_set"]
    assert f.objective.expression == "sum(loaves[k] for k in loaves_set)"


def test_a_misspelled_name_close_to_one_defined_name_is_corrected():
    from optolab.agents.autofix import autofix

    f = _f(variables=[{"name": "chlorine"}, {"name": "softener"}],
           objective={"sense": "min", "expression": "chlorine + 2*softener"},
           constraints=[{"name": "c", "expression": "clorine <= 0.5*softener"},
                        {"name": "d", "expression": "chlorine + softner + unknown_thing >= 500"}])
    fixed, notes = autofix(f)
    assert fixed.constraints[0].expression == "chlorine <= 0.5 * softener"
    assert fixed.constraints[1].expression == "chlorine + softener + unknown_thing >= 500"


def test_the_goal_named_in_the_question_becomes_the_objective():
    from optolab.agents.autofix import focus_goal

    f = Formulation.model_validate({
        "variables": [{"name": "bikes", "type": "integer"}, {"name": "cars", "type": "integer"}],
        "objective": {"sense": "minimize", "expression": "bikes + cars"},
        "constraints": [{"name": "people", "expression": "3*bikes + 5*cars >= 500"}]})
    fixed, notes = focus_goal(f, "How many of each minimize the total number of bikes needed?")
    assert fixed.objective.expression == "bikes" and "minimize the total number of bikes" in notes[0]
    assert f.objective.expression == "bikes + cars"  # the input is not changed
    assert focus_goal(f, "How many of each minimize the total number of vehicles?") == (f, [])


def test_a_decision_named_like_a_forbidden_builtin_is_renamed_everywhere():
    from optolab.solvers.policy import check_code

    f = Formulation.model_validate({
        "sets": {"sites": ["A", "B"], "customers": ["x", "y"]},
        "parameters": {"fixed": {"A": 10, "B": 4}, "cap": {"A": 9, "B": 5}, "demand": {"x": 3, "y": 4},
                       "input": 1},
        "variables": [{"name": "open", "type": "binary", "index": ["sites"]},
                      {"name": "ship", "index": ["sites", "customers"]}],
        "objective": {"sense": "min", "expression": "sum(fixed[s] * open[s] for s in sites) + "
                                                    "input * sum(ship[s, c] for s in sites for c in customers)"},
        "constraints": [{"name": "serve", "expression": "sum(ship[s, c] for s in sites) >= demand[c]",
                         "for_each": "c in customers"},
                        {"name": "only_open", "expression": "sum(ship[s, c] for c in customers) <= cap[s] * open[s]",
                         "for_each": "s in sites"}],
    })
    with pytest.raises(AssertionError):  # as the model wrote it, the sandbox refuses the code
        assert not check_code(generate_code(f).code)
    fixed, notes = autofix(f)
    assert [v.name for v in fixed.variables] == ["open_", "ship"] and "input_" in fixed.parameters
    assert "open_[s]" in fixed.objective.expression and "input_ *" in fixed.objective.expression
    assert any("open" in n and "open_" in n for n in notes)
    assert check_formulation(fixed) == [] and check_code(generate_code(fixed).code) == []
    assert _solve(fixed) == pytest.approx(10 + 7)  # B (cap 5) cannot serve the 7 units alone: open A only


def test_a_loop_over_a_set_named_like_a_builtin_is_renamed_too():
    f = Formulation.model_validate({
        "sets": {"vars": [1, 2]},
        "variables": [{"name": "x", "index": ["vars"]}],
        "objective": {"sense": "max", "expression": "sum(x[i] for i in vars)"},
        "constraints": [{"expression": "x[i] <= i", "for_each": "i in vars"}],
    })
    fixed, _ = autofix(f)
    assert list(fixed.sets) == ["vars_"] and fixed.variables[0].index == ["vars_"]
    assert fixed.constraints[0].for_each == "i in vars_"
    assert _solve(fixed) == pytest.approx(3)


def test_a_parameter_looked_up_by_a_scalar_decisions_name_becomes_its_number():
    # seen with the 1.5B model: a list over a set, indexed by the variable named after an element
    f = Formulation.model_validate({
        "sets": {"methods": ["boat", "canoe"]},
        "parameters": {"ducks_per_trip": [10, 8], "time": {"boat": 20, "canoe": 40}},
        "variables": [{"name": "boats", "type": "integer"}, {"name": "canoes", "type": "integer"}],
        "objective": {"sense": "min", "expression": "time[boats]*boats + time[canoes]*canoes"},
        "constraints": [{"name": "ducks", "expression": "ducks_per_trip[boats]*boats + ducks_per_trip[canoes]*canoes >= 300"},
                        {"name": "boat_limit", "expression": "boats <= 12"},
                        {"name": "share", "expression": "canoes >= boats"}],
    })
    fixed, notes = autofix(f)
    assert fixed.objective.expression == "20*boats + 40*canoes".replace("*", " * ")
    assert fixed.constraints[0].expression == "10 * boats + 8 * canoes >= 300"
    assert len(notes) == 2 and check_formulation(fixed) == []
    assert _solve(fixed) == pytest.approx(20 * 12 + 40 * 23)  # 12 boats (120 ducks), 23 canoes (184)


def test_an_ambiguous_or_unknown_element_is_left_for_the_model():
    f = Formulation.model_validate({
        "sets": {"a": ["boat", "canoe"], "b": ["canoe", "boat"]},
        "parameters": {"time": [20, 40]},
        "variables": [{"name": "boats"}, {"name": "kayaks"}],
        "objective": {"sense": "min", "expression": "time[boats]*boats + time[kayaks]*kayaks"},
        "constraints": [{"expression": "boats + kayaks >= 3"}],
    })
    fixed, notes = autofix(f)
    assert fixed.objective.expression == f.objective.expression and notes == []


def test_empty_sets_nothing_uses_are_dropped_and_used_ones_kept():
    f = Formulation.model_validate({
        "sets": {"pigeons_set": [], "owls_set": [], "spots": []},
        "variables": [{"name": "pigeons"}, {"name": "owls"}, {"name": "perch", "index": ["spots"]}],
        "objective": {"sense": "max", "expression": "2*pigeons + 5*owls"},
        "constraints": [{"expression": "3*pigeons + 5*owls <= 1000"}],
    })
    fixed, notes = autofix(f)
    assert list(fixed.sets) == ["spots"] and notes == ["empty sets that nothing uses removed: ['owls_set', 'pigeons_set']"]


def test_integer_subscripts_no_set_holds_make_an_index_and_a_bare_objective_is_the_total():
    f = Formulation.model_validate({
        "sets": {"machines_set": ["counter-top", "fridge"]},
        "variables": [{"name": "machines", "type": "integer"}],
        "objective": {"sense": "min", "expression": "machines"},
        "constraints": [{"name": "heat", "expression": "50*machines[0] + 70*machines[1] <= 500"},
                        {"name": "cones", "expression": "80*machines[0] + 150*machines[1] >= 1000"}],
    })
    fixed, notes = autofix(f)
    assert fixed.variables[0].index == ["machines_index"] and fixed.sets["machines_index"] == [0, 1]
    assert fixed.objective.expression == "sum(machines.values())" and check_formulation(fixed) == []
    assert _solve(fixed) == pytest.approx(7)  # 7 fridges: 490 heat, 1050 cones


def test_a_variable_declared_over_a_set_but_used_bare_becomes_one_number():
    f = Formulation.model_validate({
        "sets": {"elephants_set": [f"e{i}" for i in range(20)], "tigers_set": []},
        "variables": [{"name": "elephants", "type": "integer", "index": ["elephants_set"]},
                      {"name": "tigers", "type": "integer", "index": ["tigers_set"]}],
        "objective": {"sense": "max", "expression": "5*elephants + 4*tigers"},
        "constraints": [{"name": "wood", "expression": "50*elephants + 40*tigers <= 5000"},
                        {"name": "plastic", "expression": "20*elephants + 30*tigers <= 4000"}],
    })
    fixed, notes = autofix(f)
    assert [v.index for v in fixed.variables] == [[], []] and fixed.sets == {}
    assert len(notes) == 3 and check_formulation(fixed) == []
    assert _solve(fixed) == pytest.approx(500)  # 100 elephants: 5000 wood, 2000 plastic


def test_an_index_used_anywhere_is_kept():
    f = Formulation.model_validate({
        "sets": {"crops": ["wheat", "corn"]},
        "parameters": {"profit": {"wheat": 2, "corn": 3}},
        "variables": [{"name": "acres", "index": ["crops"]}],
        "objective": {"sense": "max", "expression": "sum(profit[c]*acres[c] for c in crops)"},
        "constraints": [{"name": "land", "expression": "sum(acres) <= 100"}],
    })
    fixed, _ = autofix(f)
    assert fixed.variables[0].index == ["crops"] and _solve(fixed) == pytest.approx(300)
