from optolab.agents.units import fix_time_units, time_unit

TEXT = ("A workshop builds chairs and benches. A chair needs 40 minutes of sanding and 2 hours of joinery; a bench "
        "needs 1.5 hours of sanding and 3 hours of joinery. There are 120 hours of sanding and 200 hours of "
        "joinery each week. Chairs earn $30 and benches $55.")

CODE = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.chairs = pyo.Var(domain=pyo.NonNegativeIntegers)
model.benches = pyo.Var(domain=pyo.NonNegativeIntegers)
model.profit = pyo.Objective(expr=30 * model.chairs + 55 * model.benches, sense=pyo.maximize)
model.sanding = pyo.Constraint(expr=40 * model.chairs + 1.5 * model.benches <= 120)
model.joinery = pyo.Constraint(expr=2 * model.chairs + 3 * model.benches <= 200)
"""


def test_time_unit_reads_the_word_after_every_mention():
    assert time_unit(TEXT, 40) == "minute"
    assert time_unit(TEXT, 120) == "hour"
    assert time_unit(TEXT, 30) is None  # money
    assert time_unit("It takes 30 minutes, and 30 hours are free.", 30) is None  # two units: unclear
    assert time_unit("Each job needs 3 machine-hours.", 3) == "hour"


def test_minutes_in_a_row_limited_in_hours_become_hours():
    fixed = fix_time_units(CODE, TEXT)
    assert fixed is not None
    assert "expr=40 / 60" not in fixed.code
    assert "model.sanding = pyo.Constraint(expr=0.666666666667 * model.chairs + 1.5 * model.benches <= 120)" \
        in fixed.code
    assert "2 * model.chairs + 3 * model.benches <= 200" in fixed.code  # hours only: unchanged
    assert len(fixed.changes) == 1 and "40 in minutes" in fixed.changes[0]


def test_a_limit_in_minutes_turns_hours_into_minutes():
    text = "A drill press runs 90 minutes a day. A bracket takes 0.5 hours on it and a hinge 20 minutes."
    code = "m.c = pyo.Constraint(expr=0.5 * m.bracket + 20 * m.hinge <= 90)\n"
    fixed = fix_time_units(code, text)
    assert fixed is not None and "30 * m.bracket + 20 * m.hinge <= 90" in fixed.code


def test_rows_that_convert_already_or_have_no_timed_limit_are_left_alone():
    converted = CODE.replace("40 * model.chairs", "40 / 60 * model.chairs")
    assert fix_time_units(converted, TEXT) is None
    with_sixty = CODE.replace("40 * model.chairs + 1.5 * model.benches <= 120",
                              "40 * model.chairs + 60 * 1.5 * model.benches <= 60 * 120")
    assert fix_time_units(with_sixty, TEXT) is None
    only_minutes = "A mixer runs 45 minutes per batch and has 600 minutes a day."
    assert fix_time_units("m.c = pyo.Constraint(expr=45 * m.x <= 600)\n", only_minutes) is None
    assert fix_time_units(CODE, TEXT.replace("40 minutes", "0.5 hours")) is None


def test_named_numbers_are_converted_too():
    code = CODE.replace("model = pyo.ConcreteModel()", "chair_sanding = 40\nmodel = pyo.ConcreteModel()").replace(
        "40 * model.chairs + 1.5", "chair_sanding * model.chairs + 1.5")
    fixed = fix_time_units(code, TEXT)
    assert fixed is not None and "0.666666666667 * model.chairs + 1.5 * model.benches <= 120" in fixed.code


def test_a_data_dict_read_by_one_row_is_converted_to_tonnes():
    text = ("A barge carries at most 20 tonnes. Pallets of type X weigh 900 kg, type Y 2.5 t and type Z 600 kg; "
            "each earns $300, $700 and $250.")
    code = """import pyomo.environ as pyo
kinds = ['X', 'Y', 'Z']
mass = {'X': 900, 'Y': 2.5, 'Z': 600}
earn = {'X': 300, 'Y': 700, 'Z': 250}
m = pyo.ConcreteModel()
m.n = pyo.Var(kinds, domain=pyo.NonNegativeIntegers)
m.obj = pyo.Objective(expr=sum(earn[k] * m.n[k] for k in kinds), sense=pyo.maximize)
m.cap = pyo.Constraint(expr=sum(mass[k] * m.n[k] for k in kinds) <= 20)
"""
    fixed = fix_time_units(code, text)
    assert fixed is not None and "mass = {'X': 0.9, 'Y': 2.5, 'Z': 0.6}" in fixed.code
    assert "earn = {'X': 300, 'Y': 700, 'Z': 250}" in fixed.code
    assert "900, 600 in kilograms" in fixed.changes[0]
    # the same dict read by a second row: which unit it should have is unclear, so nothing changes
    shared = code + "m.heavy = pyo.Constraint(expr=mass['Y'] * m.n['Y'] <= 10)\n"
    assert fix_time_units(shared, text) is None


def test_a_total_in_tonnes_of_decisions_in_kilograms_is_converted():
    from optolab.agents.units import fix_total_units

    text = ("Feed A costs $0.40 per kg and feed B $0.25 per kg. The ration must weigh exactly 1 tonne and contain at "
            "least 140 kg of protein. How many kg of each feed should be used?")
    code = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.a = pyo.Var(domain=pyo.NonNegativeReals)
model.b = pyo.Var(domain=pyo.NonNegativeReals)
model.objective = pyo.Objective(expr=0.4 * model.a + 0.25 * model.b, sense=pyo.minimize)
model.weight = pyo.Constraint(expr=model.a + model.b == 1)
model.protein = pyo.Constraint(expr=0.2 * model.a + 0.1 * model.b >= 140)
"""
    fixed = fix_total_units(code, text)
    assert fixed is not None and "model.a + model.b == 1000" in fixed.code
    assert "0.2 * model.a + 0.1 * model.b >= 140" in fixed.code  # kilograms already
    assert "1 in tonnes and the decisions in kilograms" in fixed.changes[0]
    assert fix_total_units(code, text.replace("per kg", "per tonne").replace("How many kg", "How much")) is None
    assert fix_total_units(code.replace("== 1)", "== 1000)"), text) is None  # converted already
