import math

import pytest

from optolab.agents.modeler import tidy_program
from optolab.agents.solids import fix_solid, formulas, program, read_solid

OPEN_BOX = ("A planter is a box with a square base and no top that must hold 32 cubic feet of soil. Find the "
            "dimensions that use the least sheet metal.")
CAN = ("A closed cylindrical tin must hold 16π cubic inches. The ends cost 3 times as much per square inch as the "
       "side. Find the radius and height that minimize the cost of the tin.")
DOME = ("A silo is a cylinder with a hemispherical top and no bottom. It must hold at least 500 cubic metres. The "
        "cost per unit area of the top is twice the cost per unit area of the side. Which radius and height minimize "
        "the cost?")
SHEET = ("A tray is folded from a 12 inch by 12 inch sheet of tin by cutting a square from each corner and turning "
         "up the flaps. What size of square gives the tray of maximum volume?")
GIRTH = ("A courier takes a parcel only if its length plus girth is at most 72 inches. Find the largest volume of a "
         "parcel with square ends.")
SPHERE = "Find the largest volume of a cylinder that fits inside a sphere of radius 3."
LITRE = ("A cylindrical can with a top and a bottom must hold 2 litres. Sheet steel costs $0.01 per square "
         "centimetre. What radius minimizes the cost of the can?")
MATERIAL = ("We have 48 square feet of plywood to build a box with a square base and no top. What dimensions give "
            "the box of greatest volume?")
LAYERS = ("A carton with a square base must hold 4 cubic feet. Its top and bottom are made of two layers of "
          "board and its sides of one layer. Find the dimensions that need the least board.")
PRICED = ("A crate has a square base and an open top and must hold 2 cubic metres. The base costs $20 per square "
          "metre and the sides cost $10 per square metre. Find the cheapest crate.")


def solve_code(code):
    from optolab.solvers import solve

    scope = {}
    exec(code, scope)  # code written here or by the library
    return solve(scope["model"], time_limit=20)


@pytest.mark.parametrize("text, kind, optimum, values", [
    (OPEN_BOX, "square box", 48.0, {"side": 4.0, "height": 2.0}),  # s^2 + 4 s h, s^2 h = 32
    (CAN, "cylinder", 2 * 3 * math.pi * 4 / 3 ** (2 / 3) + 2 * math.pi * 2 / 3 ** (1 / 3) * 4 * 3 ** (2 / 3), {}),
    (SHEET, "folded box", 128.0, {"height": 2.0, "cut_side": 2.0, "length": 8.0, "width": 8.0}),
    (GIRTH, "girth box", 3456.0, {"side": 12.0, "length": 24.0}),
    (SPHERE, "cylinder in sphere", 4 * math.pi * 27 / (3 * math.sqrt(3)),
     {"radius": 3 * math.sqrt(2 / 3), "height": 6 / math.sqrt(3)}),
    (MATERIAL, "square box", 32.0, {"side": 4.0, "height": 2.0}),  # s^2 + 4 s h = 48
    (PRICED, "square box", None, {}),
])
def test_each_solid_is_read_and_its_formulas_solve_to_the_known_optimum(text, kind, optimum, values):
    solid = read_solid(text)
    assert solid is not None and solid.kind == kind
    result = solve_code(program(solid))
    assert result.termination.value == "optimal"
    if optimum is not None:
        assert result.objective == pytest.approx(optimum, rel=1e-6)
    for name, value in values.items():
        assert result.variables[name] == pytest.approx(value, rel=1e-5)


def test_can_with_dearer_ends_balances_them_against_the_side():
    solid = read_solid(CAN)
    assert solid.weights == {"bottom": 3.0, "top": 3.0, "sides": 1.0} and solid.volume == ("==", 16 * math.pi)
    # cost 6 pi r^2 + 2 pi r h with pi r^2 h = 16 pi: r^3 = 16 / 6, h = 6 r
    r = solve_code(program(solid)).variables
    assert r["radius"] == pytest.approx((16 / 6) ** (1 / 3), rel=1e-6)
    assert r["height"] == pytest.approx(6 * r["radius"], rel=1e-6)


def test_faces_prices_layers_units_and_domes():
    dome = read_solid(DOME)
    assert dome.top == "hemisphere" and dome.weights == {"bottom": 0.0, "top": 2.0, "sides": 1.0}
    assert dome.volume == (">=", 500.0)
    objective, sense, rows = formulas(dome)
    assert sense == "minimize" and "2 / 3 * math.pi * radius ** 3" in rows[0][0]
    litre = read_solid(LITRE)
    assert litre.volume == ("==", 2000.0) and litre.weights == {"bottom": 0.01, "top": 0.01, "sides": 0.01}
    layers = read_solid(LAYERS)
    assert layers.weights == {"bottom": 2.0, "top": 2.0, "sides": 1.0}
    priced = read_solid(PRICED)
    assert priced.weights == {"bottom": 20.0, "top": 0.0, "sides": 10.0}
    # 20 s^2 + 40 s h with s^2 h = 2: s^3 = 2, h = s
    r = solve_code(program(priced)).variables
    assert r["side"] == pytest.approx(2 ** (1 / 3), rel=1e-6) and r["height"] == pytest.approx(2 ** (1 / 3), rel=1e-6)
    material = read_solid(MATERIAL)
    assert material.goal == "volume" and material.material == ("<=", 48.0)


def test_questions_that_are_not_clearly_such_a_solid_are_left_alone():
    assert read_solid("A bakery makes 40 boxes of cookies a day and sells them for $5 each. Maximize profit.") is None
    assert read_solid("A cone is cut from a circular sheet of radius 2. Find its largest volume.") is None
    assert read_solid(CAN.replace("3 times as much", "times as much")) is None  # a price without its number
    assert read_solid("A cylindrical tank holds water. Pump A fills 3 units per hour. Minimize the time.") is None
    assert read_solid(OPEN_BOX.replace("32 cubic feet", "some soil")) is None  # no volume to hold


WRONG_BOX = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.side = pyo.Var(domain=pyo.NonNegativeReals, bounds=(1, 10))
model.height = pyo.Var(domain=pyo.NonNegativeReals, bounds=(1, 10))
side, height = model.side, model.height
model.objective = pyo.Objective(expr=2 * side ** 2 + 4 * side * height, sense=pyo.minimize)
model.volume = pyo.Constraint(expr=side ** 2 * height == 32)
"""


def test_a_closed_box_area_for_an_open_box_is_rewritten_from_the_formulas():
    fixed = fix_solid(WRONG_BOX, OPEN_BOX)
    assert "no top" in fixed.changes[0] and "side ** 2 + 4 * side * height" in fixed.changes[0]
    assert solve_code(fixed.code).objective == pytest.approx(48.0, rel=1e-6)
    assert fix_solid(fixed.code, OPEN_BOX) is None  # the written model agrees with itself
    assert "side ** 2 + 4 * side * height" in tidy_program(WRONG_BOX, OPEN_BOX)["code"]


def test_right_formulas_stay_and_misnamed_dimensions_get_their_names():
    right = WRONG_BOX.replace("2 * side ** 2 + 4", "side ** 2 + 4").replace("== 32", ">= 32")
    assert fix_solid(right, OPEN_BOX) is None
    short = right.replace("model.side", "model.s").replace("side,", "s,").replace("side **", "s **") \
        .replace("* side *", "* s *")
    assert fix_solid(short, OPEN_BOX) is None  # s names the side
    # the side called length and the height called width: the same model, with the dimensions named
    swapped = (right.replace("side", "SIDE").replace("height", "width").replace("SIDE", "length"))
    fixed = fix_solid(swapped, OPEN_BOX)
    assert "`length` is its side" in fixed.changes[0] and "`width` is its height" in fixed.changes[0]
    assert "model.side" in fixed.code and "model.height" in fixed.code
    # a question about something else is not touched
    assert fix_solid(WRONG_BOX, "Maximize profit from 32 chairs and tables.") is None


def test_an_open_box_has_no_top():
    solid = read_solid("An open box with a square base must hold 500 cubic inches. What side and height use the least "
                       "cardboard?")
    assert solid.weights["top"] == 0.0 and "no top" in solid.described


def test_a_height_written_out_through_the_volume_row_is_checked_as_such():
    text = ("A cylindrical can with a top and a bottom must hold 500 cubic centimetres. Find the radius that uses the "
            "least metal.")
    code = """import math
import pyomo.environ as pyo
volume = 500
model = pyo.ConcreteModel()
model.r = pyo.Var(bounds=(1, 20))
model.metal = pyo.Objective(expr=2 * math.pi * model.r ** 2 + 2 * volume / model.r)
"""
    assert fix_solid(code, text) is None  # h = V / (pi r^2): the side is 2 pi r h = 2 V / r
    open_can = text.replace("with a top and a bottom", "with a bottom but no top")
    fixed = fix_solid(code, open_can)  # the same code counts a top the open can does not have
    assert "no top" in fixed.changes[0] and "model.height" in fixed.code
    r = (500 / math.pi) ** (1 / 3)  # open can: r = h = (V / pi)^(1/3)
    assert solve_code(fixed.code).objective == pytest.approx(math.pi * r ** 2 + 2 * 500 / r, rel=1e-6)


def test_the_agent_solves_a_container_from_its_formulas_in_one_attempt(pool):
    from optolab.agents import Modeler
    from optolab.testing import ScriptedLLM

    with Modeler(ScriptedLLM([f"```python\n{WRONG_BOX}```"], repeat_last=True), sandbox=pool,
                 strategies=("program",), max_attempts=3) as m:
        s = m.solve(OPEN_BOX)
    assert s.ok and s.objective == pytest.approx(48.0, rel=1e-6)
    assert s.values["side"] == pytest.approx(4.0, rel=1e-5) and s.values["height"] == pytest.approx(2.0, rel=1e-5)
    # the library wrote the model from the text: its bounds and formula numbers are not "copied from an example"
    assert len(s.attempts) == 1 and s.attempts[0].findings == []
    assert any("no top" in c for c in s.attempts[0].changes)
