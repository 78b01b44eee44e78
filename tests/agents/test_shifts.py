"""Shifts that span consecutive periods (optolab.agents.shifts)."""

from __future__ import annotations

from optolab.agents.shifts import cover_consecutive_shifts

QUESTION = ("A help desk works in four 6-hour periods. Staff start at the beginning of a period and work 12 hours (two "
            "consecutive periods); the last period wraps around to the first. Staff needed: 00-06: 3, 06-12: 9, "
            "12-18: 7, 18-24: 5. What is the smallest number of staff to hire?")

CODE = """import pyomo.environ as pyo
model = pyo.ConcreteModel()
periods = ['00-06', '06-12', '12-18', '18-24']
need = {'00-06': 3, '06-12': 9, '12-18': 7, '18-24': 5}
model.start = pyo.Var(periods, domain=pyo.NonNegativeIntegers)
start = model.start
model.objective = pyo.Objective(expr=sum(start[p] for p in periods), sense=pyo.minimize)
model.cover = pyo.ConstraintList()
for p in periods:
    model.cover.add(start[p] >= need[p])
"""


def test_one_period_cover_rows_become_sums_over_the_starts_on_duty(solve_objective):
    assert solve_objective(CODE) == 24  # each period staffed on its own
    fixed = cover_consecutive_shifts(CODE, QUESTION)
    assert fixed is not None and "(periods.index(p) - k) % len(periods)" in fixed.code
    assert "2 consecutive periods" in fixed.changes[0] and "wrap around" in fixed.changes[0]
    # starts 1 (00-06), 8 (06-12), 0 (12-18), 5 (18-24) cover 6, 9, 8, 5 on duty: 14 people
    assert solve_objective(fixed.code) == 14
    # without the wrap, nobody who started in the last period is on duty in the first
    straight = cover_consecutive_shifts(CODE, QUESTION.replace("; the last period wraps around to the first", ""))
    assert "if periods.index(p) - k >= 0" in straight.code and solve_objective(straight.code) == 14  # 3, 6, 1, 4


def test_rows_that_already_sum_or_a_text_without_consecutive_periods_are_left_alone():
    summed = CODE.replace("start[p] >= need[p]", "start[p] + start[periods[periods.index(p) - 1]] >= need[p]")
    assert cover_consecutive_shifts(summed, QUESTION) is None  # the row reads two starts already
    looped = CODE.replace("model.cover.add(start[p] >= need[p])",
                          "model.cover.add(sum(start[q] for q in periods if q <= p) >= need[p])")
    assert cover_consecutive_shifts(looped, QUESTION) is None
    assert cover_consecutive_shifts(CODE, QUESTION.replace("(two consecutive periods)", "(two periods)")) is None
