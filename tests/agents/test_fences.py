from optolab.agents.fences import fix_three_sided_fence, three_sided
from optolab.agents.modeler import tidy_program

WALL = ("A gardener has 60 m of netting to enclose a rectangular vegetable bed against the back wall of a shed; "
        "the wall is one side and the netting covers the other three sides. What is the largest area of the bed?")
FOUR = "A gardener has 60 m of netting and fences a rectangular bed on all four sides. What is the largest area?"
PRICED = ("A rectangular yard of 500 square feet is fenced with hedge costing $8 per foot along three sides and "
          "fencing costing $3 per foot along the fourth side. What is the cheapest enclosure?")

HEAD = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.length = pyo.Var(domain=pyo.NonNegativeReals)
model.width = pyo.Var(domain=pyo.NonNegativeReals)
"""


def solved(code):
    from optolab.solvers import solve

    scope = {}
    exec(code, scope)  # test code written here
    return solve(scope["model"]).objective


def test_the_text_names_a_border_and_three_fenced_sides():
    assert three_sided(WALL)
    assert three_sided("There is a river on one side of the field, and you do not need to fence that side. "
                       "You have 400 ft of fencing.")
    assert not three_sided(FOUR)
    assert not three_sided(PRICED)  # no border: the sides are priced differently


def test_four_sides_against_a_wall_become_the_side_along_it_plus_twice_the_other():
    code = HEAD + ("model.objective = pyo.Objective(expr=model.length * model.width, sense=pyo.maximize)\n"
                   "model.netting = pyo.Constraint(expr=2 * model.length + 2 * model.width <= 60)\n")
    fixed = fix_three_sided_fence(code, WALL)
    assert "model.length + 2 * model.width <= 60" in fixed.code
    assert "three" in fixed.changes[0]
    assert abs(solved(fixed.code) - 450) < 1e-3  # 30 along the wall, 15 deep
    assert fix_three_sided_fence(fixed.code, WALL) is None  # already right
    assert fix_three_sided_fence(code, FOUR) is None


def test_garbled_weights_a_named_limit_and_a_minimized_fencing_are_mended_too():
    named = HEAD.replace("model = ", "net = 60\nmodel = ") + (
        "length, width = model.length, model.width\n"
        "model.objective = pyo.Objective(expr=length * width, sense=pyo.maximize)\n"
        "model.netting = pyo.Constraint(expr=net >= 3 * width + 2 * length)\n")
    fixed = fix_three_sided_fence(named, WALL)
    assert "net >= length + 2 * width" in fixed.code
    material = HEAD + ("model.objective = pyo.Objective(expr=2 * model.length + 2 * model.width, sense=pyo.minimize)\n"
                       "model.area = pyo.Constraint(expr=model.length * model.width >= 800)\n")
    text = ("A rectangular pen of 800 square feet is built along a river, which forms one side; the other three "
            "sides need fencing. What is the least fencing needed?")
    fixed = fix_three_sided_fence(material, text)
    assert "expr=model.length + 2 * model.width, sense=pyo.minimize" in fixed.code
    assert abs(solved(fixed.code) - 80) < 1e-3


def test_code_of_another_shape_is_left_alone():
    three = HEAD + ("model.depth = pyo.Var(domain=pyo.NonNegativeReals)\n"
                    "model.objective = pyo.Objective(expr=model.length * model.width * model.depth, sense=pyo.maximize)\n"
                    "model.netting = pyo.Constraint(expr=2 * model.length + 2 * model.width <= 60)\n")
    assert fix_three_sided_fence(three, WALL) is None  # two products: not one rectangle
    assert fix_three_sided_fence("not python (", WALL) is None


def test_tidy_program_applies_it():
    code = HEAD + ("model.objective = pyo.Objective(expr=model.length * model.width, sense=pyo.maximize)\n"
                   "model.netting = pyo.Constraint(expr=2 * model.length + 2 * model.width <= 60)\n")
    out = tidy_program(code, WALL)
    assert "model.length + 2 * model.width <= 60" in out["code"]


PRICES = ("A rectangular lawn of at least 800 square metres is edged with a hedge costing $12 per metre along "
          "three sides and with a low wall costing $6 per metre along the fourth side. What dimensions give the "
          "least cost?")


def test_sides_priced_three_and_one_get_the_cost_the_text_gives():
    from optolab.agents.fences import fix_priced_sides

    code = HEAD + ("model.objective = pyo.Objective(expr=12 * 3 * (model.length + model.width) + 6 * model.width, "
                   "sense=pyo.minimize)\n"
                   "model.area = pyo.Constraint(expr=model.length * model.width >= 800)\n")
    fixed = fix_priced_sides(code, PRICES)
    assert "expr=18 * model.length + 24 * model.width" in fixed.code
    # 18 L = 24 W at the optimum: L = sqrt(800 * 24 / 18), cost 2 * sqrt(800 * 18 * 24)
    assert abs(solved(fixed.code) - 2 * (800 * 18 * 24) ** 0.5) < 1e-3
    assert fix_priced_sides(fixed.code, PRICES) is None
    assert fix_priced_sides(code, WALL) is None  # no prices per side
    nonlinear = code.replace("6 * model.width,", "6 * model.width ** 2,")
    assert fix_priced_sides(nonlinear, PRICES) is None  # not a linear cost of the sides


def test_made_up_bounds_of_an_infeasible_model_are_opened():
    from optolab.agents.bounds import open_invented_bounds

    code = HEAD.replace("domain=pyo.NonNegativeReals)", "domain=pyo.NonNegativeReals, bounds=(12, 25))") + (
        "model.objective = pyo.Objective(expr=18 * model.length + 24 * model.width, sense=pyo.minimize)\n"
        "model.area = pyo.Constraint(expr=model.length * model.width >= 800)\n")
    opened = open_invented_bounds(code, PRICES)
    assert "bounds=(12, None)" in opened.code  # 12 is a number of the text, 25 is not
    assert "infeasible" in opened.changes[0] and "25" in opened.changes[0]
    assert abs(solved(opened.code) - 2 * (800 * 18 * 24) ** 0.5) < 1e-3
    assert open_invented_bounds(opened.code, PRICES) is None


def test_the_agent_solves_again_without_the_made_up_bounds(pool):
    from optolab.agents import Modeler
    from optolab.testing import ScriptedLLM

    code = HEAD.replace("domain=pyo.NonNegativeReals)", "domain=pyo.NonNegativeReals, bounds=(12, 25))") + (
        "model.objective = pyo.Objective(expr=18 * model.length + 24 * model.width, sense=pyo.minimize)\n"
        "model.area = pyo.Constraint(expr=model.length * model.width >= 800)\n")
    with Modeler(ScriptedLLM([f"```python\n{code}```"]), sandbox=pool, max_attempts=1) as agent:
        solution = agent.solve(PRICES)
    assert solution.status == "optimal"
    assert abs(solution.objective - 2 * (800 * 18 * 24) ** 0.5) < 1e-3


def test_an_area_minimized_where_the_text_asks_for_the_least_fencing_becomes_the_perimeter():
    from optolab.agents.fences import fix_fenced_area_goal

    text = "A rectangular paddock must hold 900 square metres. What dimensions need the least fencing?"
    code = HEAD + ("model.objective = pyo.Objective(expr=model.length * model.width, sense=pyo.minimize)\n"
                   "model.area = pyo.Constraint(expr=model.length * model.width == 900)\n")
    fixed = fix_fenced_area_goal(code, text)
    assert "expr=2 * model.length + 2 * model.width" in fixed.code
    assert abs(solved(fixed.code) - 120) < 1e-3  # a 30 by 30 square
    walled = text.replace("paddock must", "paddock against a barn wall, which is one side, must")
    fixed = fix_fenced_area_goal(code, walled)
    assert "expr=model.length + 2 * model.width" in fixed.code
    assert abs(solved(fixed.code) - 2 * (2 * 900) ** 0.5) < 1e-3
    assert fix_fenced_area_goal(code, "A rectangular box of 900 cubic cm with the least material?") is None
    asks_area = code.replace("model.length * model.width == 900", "2 * model.length + 2 * model.width == 900")
    assert fix_fenced_area_goal(asks_area, text) is None  # the area is not fixed: a real goal
