"""Items the text allows at most once, modelled as counts (optolab.agents.single_use)."""

from __future__ import annotations

from optolab.agents.single_use import fix_single_use

RADIO = ("A radio station has 120 seconds of advertising time left. Advertisers offer: a 30-second spot paying $500, a "
         "45-second spot paying $700, a 60-second spot paying $1,000, a 20-second spot paying $300 and a 15-second "
         "spot paying $260. Each spot can be aired at most once. What is the most income?")

CODE = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.spots = pyo.Var([0, 1, 2, 3, 4], domain=pyo.Integers, bounds=(0, None))
spots = model.spots
model.objective = pyo.Objective(expr=500 * spots[0] + 700 * spots[1] + 1000 * spots[2] + 300 * spots[3] + 260 * spots[4],
                                sense=pyo.maximize)
model.time_left = pyo.Constraint(expr=30 * spots[0] + 45 * spots[1] + 60 * spots[2] + 20 * spots[3] + 15 * spots[4] <= 120)
"""


def test_counts_of_once_only_items_become_yes_no(solve_objective):
    assert solve_objective(CODE) == 2080  # eight 15-second spots
    fixed = fix_single_use(CODE, RADIO)
    assert fixed is not None and "domain=pyo.Binary" in fixed.code and "bounds" not in fixed.code
    assert "spot at most once" in fixed.changes[0]
    assert solve_objective(fixed.code) == 1960  # the 60, 45 and 15-second spots


def test_other_wordings_and_what_is_left_alone():
    assert fix_single_use(CODE, RADIO.replace("Each spot can be aired at most once",
                                              "No spot may be aired more than once")) is not None
    assert fix_single_use(CODE, RADIO.replace("Each spot can be aired at most once",
                                              "At most one of each spot can be aired")) is not None
    assert fix_single_use(CODE, RADIO.replace(" Each spot can be aired at most once.", "")) is None
    assert fix_single_use(CODE, RADIO.replace("Each spot", "Each ad")) is None  # the decisions are not ads
    capped = CODE.replace("bounds=(0, None)", "bounds=(0, 3)")
    assert fix_single_use(capped, RADIO) is None  # a bound of its own: the code says something else on purpose
