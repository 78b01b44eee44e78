"""Scheduling: makespan on parallel machines, staff shift covering, unit commitment (all MILP)."""

from __future__ import annotations

import math
import random

from optolab.synth.generators.base import Generator
from optolab.synth.generators.formulate import constraint, formulation, keyed, pairs, variable
from optolab.synth.generators.render import bullets, join_and, model_source, plural


def _clock(hour: int) -> str:
    return f"{hour}:00"


class MachineScheduling(Generator):
    name = "machine_scheduling"
    problem_class = "MILP"
    description = "parallel machine scheduling: assign jobs to unlike machines, minimizing the makespan"
    sense = "minimize"
    SIZES = {1: (4, 2), 2: (6, 2), 3: (8, 3), 4: (10, 3), 5: (12, 4)}  # jobs, machines

    def sample(self, rng: random.Random, complexity: int) -> dict:
        n_jobs, n_machines = self.SIZES[complexity]
        jobs = [f"job{i}" for i in range(1, n_jobs + 1)]
        machines = [f"M{k}" for k in range(1, n_machines + 1)]
        speed = {m: rng.uniform(0.8, 1.3) for m in machines}
        work = {j: rng.randint(2, 12) for j in jobs}
        hours = {j: {m: max(1, round(work[j] * speed[m] * rng.uniform(0.85, 1.15))) for m in machines}
                 for j in jobs}
        return {"jobs": jobs, "machines": machines, "hours": hours}

    def facts(self, d: dict) -> str:
        rows = [f"{j}: " + ", ".join(f"{h} h on {m}" for m, h in d["hours"][j].items()) for j in d["jobs"]]
        return (f"A workshop has {len(d['jobs'])} jobs to run on {len(d['machines'])} machines "
                f"({join_and(d['machines'])}) that work in parallel. Each job runs on exactly one machine, "
                "without interruption, and a machine runs one job at a time; all jobs are ready now. The "
                "machines differ, so a job's processing time depends on the machine:\n"
                f"{bullets(rows)}\nGoal: assign the jobs to machines so that the time until the last "
                "machine finishes (the makespan) is as short as possible.")

    def code(self, d: dict) -> str:
        return model_source(
            "Unrelated parallel machines: assign every job to one machine, minimizing the makespan.",
            [("jobs", d["jobs"], None), ("machines", d["machines"], None),
             ("hours", d["hours"], "processing hours, hours[job][machine]")],
            """
model = pyo.ConcreteModel(name="machine_scheduling")
model.JOBS = pyo.Set(initialize=jobs)
model.MACHINES = pyo.Set(initialize=machines)
model.hours = pyo.Param(model.JOBS, model.MACHINES, initialize=lambda m, j, k: hours[j][k])
model.assign = pyo.Var(model.JOBS, model.MACHINES, domain=pyo.Binary, doc="1 if the job runs on the machine")
model.makespan = pyo.Var(domain=pyo.NonNegativeReals, doc="hours until the last machine finishes")

model.finish_time = pyo.Objective(expr=model.makespan, sense=pyo.minimize)
model.one_machine_each = pyo.Constraint(
    model.JOBS, rule=lambda m, j: sum(m.assign[j, k] for k in m.MACHINES) == 1)
model.machine_busy_time = pyo.Constraint(
    model.MACHINES, rule=lambda m, k: sum(m.hours[j, k] * m.assign[j, k] for j in m.JOBS) <= m.makespan)
""")

    def formulation(self, d: dict) -> dict:
        return formulation(
            ["the makespan, the time until the last machine finishes (minimize)",
             "each job runs on exactly one machine",
             "each machine's total processing hours (from the table hours) <= the makespan",
             "assigning a job to a machine is a yes/no choice"],
            {"jobs": d["jobs"], "machines": d["machines"]},
            {"hours": d["hours"]},
            [variable("assign", "1 if the job runs on the machine", index=["jobs", "machines"],
                      type="binary"),
             variable("makespan", "hours until the last machine finishes")],
            "minimize", "makespan", "hours until the last machine finishes",
            [constraint("one_machine_each", "sum(assign[j, k] for k in machines) == 1",
                        "every job runs on exactly one machine", "j in jobs"),
             constraint("machine_busy_time", "sum(hours[j][k] * assign[j, k] for j in jobs) <= makespan",
                        "a machine finishes its jobs by the makespan", "k in machines")])


class ShiftScheduling(Generator):
    name = "shift_scheduling"
    problem_class = "MILP"
    description = "shift scheduling: whole numbers of staff on shifts covering every hour's requirement"
    sense = "minimize"
    # (opening hours, {shift type: length in hours})
    SIZES = {1: (6, {"standard": 3}), 2: (8, {"standard": 4}), 3: (12, {"short": 4, "long": 6}),
             4: (16, {"part_time": 4, "full_time": 8}), 5: (20, {"part_time": 4, "full_time": 8})}

    def sample(self, rng: random.Random, complexity: int) -> dict:
        n_hours, lengths = self.SIZES[complexity]
        open_hour = rng.randint(max(0, min(6, 24 - n_hours) - 2), min(10, 24 - n_hours))
        base = rng.randint(2, 4)
        peaks = rng.sample(range(n_hours), min(2, n_hours))
        required = []
        for h in range(n_hours):
            rush = max(0.0, 1 - min(abs(h - p) for p in peaks) / 2.5)  # busy around the peak hours
            required.append(base + round(rush * rng.randint(3, 8)) + rng.randint(0, 1))
        wage = rng.randint(15, 25)
        shifts = {k: {"length_hours": n, "cost": n * wage + (rng.randint(5, 20) if n <= 4 else 0)}
                  for k, n in lengths.items()}
        return {"open_hour": open_hour, "required_staff": required, "shifts": shifts}

    def facts(self, d: dict) -> str:
        start, req = d["open_hour"], d["required_staff"]
        close = start + len(req)
        rows = [f"{_clock(start + h)} to {_clock(start + h + 1)}: at least {n} staff"
                for h, n in enumerate(req)]
        kinds = [f"a {k.replace('_', '-')} shift lasts {s['length_hours']} consecutive hours and costs "
                 f"${s['cost']}" for k, s in d["shifts"].items()]
        return (f"A call center is open from {_clock(start)} to {_clock(close)}. The number of staff that "
                f"must be on duty in each hour is:\n{bullets(rows)}\nShift types:\n"
                f"{bullets(kinds)}\nA shift may start at the beginning of any hour as long as it ends by "
                "closing time. Any number of people (a whole number) can be hired for each shift type and "
                "start time. Goal: choose how many people work each shift so that every hour is covered "
                "and the total cost is as small as possible.")

    def code(self, d: dict) -> str:
        return model_source(
            "Shift scheduling: whole numbers of staff per shift type and start hour, covering every hour "
            "at least cost.",
            [("open_hour", d["open_hour"], "opening time, hour of the day"),
             ("required_staff", d["required_staff"], "staff needed in each hour after opening"),
             ("shifts", d["shifts"], "shift types: length in hours, cost in dollars")],
            """
close_hour = open_hour + len(required_staff)
starts = [(k, s) for k, shift in shifts.items()
          for s in range(open_hour, close_hour - shift["length_hours"] + 1)]

model = pyo.ConcreteModel(name="shift_scheduling")
model.HOURS = pyo.RangeSet(open_hour, close_hour - 1, doc="each hour starts at this time of day")
model.SHIFTS = pyo.Set(initialize=starts, dimen=2, doc="(shift type, start hour)")
model.staff = pyo.Var(model.SHIFTS, domain=pyo.NonNegativeIntegers, doc="people working this shift")

model.total_cost = pyo.Objective(expr=sum(shifts[k]["cost"] * model.staff[k, s] for k, s in model.SHIFTS),
                                 sense=pyo.minimize)
model.cover_hour = pyo.Constraint(
    model.HOURS,
    rule=lambda m, h: sum(m.staff[k, s] for k, s in m.SHIFTS if s <= h < s + shifts[k]["length_hours"])
    >= required_staff[h - open_hour])
""")

    def formulation(self, d: dict) -> dict:
        """Hours are named by the time of day they start (``8`` is 8:00 to 9:00); a shift that would run
        past closing time (stated in the facts) gets no staff."""
        start, req = d["open_hour"], d["required_staff"]
        hours = list(range(start, start + len(req)))
        kinds = list(d["shifts"])
        return formulation(
            ["total shift cost (minimize): " + ", ".join(f"{k} ${s['cost']}" for k, s in d["shifts"].items()),
             f"staff on duty in each hour from {_clock(start)} to {_clock(start + len(req))} >= "
             f"required: {', '.join(str(n) for n in req)}",
             "a shift lasts " + ", ".join(f"{s['length_hours']} hours ({k})" for k, s in d["shifts"].items())
             + " and covers the hours from its start on",
             "a shift starts at the beginning of an hour and ends by closing time",
             "staff are whole people"],
            {"hours": hours, "shift_types": kinds},
            {"required_staff": keyed(req, hours),
             "length_hours": {k: s["length_hours"] for k, s in d["shifts"].items()},
             "shift_cost": {k: s["cost"] for k, s in d["shifts"].items()},
             "close_hour": start + len(req)},
            [variable("staff", "people working the shift type starting at the hour",
                      index=["shift_types", "hours"], type="integer")],
            "minimize", "sum(shift_cost[k] * staff[k, s] for k in shift_types for s in hours)",
            "total cost of the shifts, dollars",
            [constraint("cover_hour",
                        "sum(staff[k, s] for k in shift_types for s in hours "
                        "if s <= h <= s + length_hours[k] - 1) >= required_staff[h]",
                        "shifts that started within the last length_hours hours are on duty", "h in hours"),
             constraint("end_by_closing", "staff[k, s] == 0",
                        "no shift starts so late that it would run past closing time",
                        "k in shift_types, s in range(close_hour - length_hours[k] + 1, close_hour)")])


class UnitCommitment(Generator):
    name = "unit_commitment"
    problem_class = "MILP"
    description = "unit commitment: switch power units on and off and set their output to meet hourly demand"
    sense = "minimize"
    SIZES = {1: (2, 3), 2: (3, 4), 3: (3, 6), 4: (4, 8), 5: (5, 12)}  # units, hours

    def sample(self, rng: random.Random, complexity: int) -> dict:
        n_units, n_hours = self.SIZES[complexity]
        units = [f"U{i}" for i in range(1, n_units + 1)]
        # largest unit first; a minimum of at most 40% of the maximum makes every demand between the largest
        # unit's minimum and the total maximum reachable with some set of units
        max_mw = sorted((rng.randint(10, 60) * 5 for _ in units), reverse=True)
        min_mw = [math.floor(m * rng.uniform(0.2, 0.4)) for m in max_mw]
        total = sum(max_mw)
        low, high = max(min_mw[0], math.ceil(0.3 * total)), math.floor(0.85 * total)
        phase = rng.uniform(0, 2 * math.pi)
        demand = [round(low + (high - low) * (0.5 + 0.45 * math.sin(phase + 2 * math.pi * t / 12)))
                  for t in range(n_hours)]
        cost = {u: rng.randint(15, 30) + round(40 * (1 - m / max(max_mw))) for u, m in zip(units, max_mw)}
        return {"units": units, "demand_mw": demand,
                "min_mw": dict(zip(units, min_mw)), "max_mw": dict(zip(units, max_mw)),
                "cost_per_mwh": cost,
                "no_load_cost": {u: rng.randint(5, 30) * 10 for u in units},
                "startup_cost": {u: rng.randint(2, 20) * 50 for u in units}}

    def facts(self, d: dict) -> str:
        units = [f"unit {u}: when on it produces between {d['min_mw'][u]} and {d['max_mw'][u]} MW at "
                 f"${d['cost_per_mwh'][u]} per MWh, plus ${d['no_load_cost'][u]} for every hour it is on and "
                 f"${d['startup_cost'][u]} each time it is started" for u in d["units"]]
        hours = [f"hour {t}: {mw} MW" for t, mw in enumerate(d["demand_mw"], start=1)]
        return (f"A utility plans the next {plural(len(d['demand_mw']), 'hour')} with {len(d['units'])} "
                "generating units, all of which are off before hour 1.\n"
                f"{bullets(units)}\nA unit that is off produces nothing. In every hour the units that are "
                f"on must together produce exactly the demand:\n{bullets(hours)}\n"
                "Goal: decide in each hour which units are on and how much each produces so that the total "
                "cost (energy, hourly running and start-up costs) is as small as possible.")

    def code(self, d: dict) -> str:
        return model_source(
            "Unit commitment: on/off decisions, outputs and start-ups of power units meeting hourly demand.",
            [("units", d["units"], None), ("demand_mw", d["demand_mw"], "demand in hours 1, 2, ..."),
             ("min_mw", d["min_mw"], "least output when on"), ("max_mw", d["max_mw"], "most output when on"),
             ("cost_per_mwh", d["cost_per_mwh"], "dollars per MWh"),
             ("no_load_cost", d["no_load_cost"], "dollars for each hour a unit is on"),
             ("startup_cost", d["startup_cost"], "dollars each time a unit is started")],
            """
model = pyo.ConcreteModel(name="unit_commitment")
model.UNITS = pyo.Set(initialize=units)
model.HOURS = pyo.RangeSet(len(demand_mw))
model.on = pyo.Var(model.UNITS, model.HOURS, domain=pyo.Binary, doc="1 if the unit is on in the hour")
model.start = pyo.Var(model.UNITS, model.HOURS, domain=pyo.Binary, doc="1 if the unit is started in the hour")
model.power = pyo.Var(model.UNITS, model.HOURS, domain=pyo.NonNegativeReals, doc="MW produced")

model.total_cost = pyo.Objective(
    expr=sum(cost_per_mwh[u] * model.power[u, t] + no_load_cost[u] * model.on[u, t]
             + startup_cost[u] * model.start[u, t] for u in model.UNITS for t in model.HOURS),
    sense=pyo.minimize)
model.meet_demand = pyo.Constraint(
    model.HOURS, rule=lambda m, t: sum(m.power[u, t] for u in m.UNITS) == demand_mw[t - 1])
model.max_output = pyo.Constraint(
    model.UNITS, model.HOURS, rule=lambda m, u, t: m.power[u, t] <= max_mw[u] * m.on[u, t])
model.min_output = pyo.Constraint(
    model.UNITS, model.HOURS, rule=lambda m, u, t: m.power[u, t] >= min_mw[u] * m.on[u, t])
# all units are off before hour 1, so being on in hour 1 means a start
model.startup = pyo.Constraint(
    model.UNITS, model.HOURS,
    rule=lambda m, u, t: m.start[u, t] >= m.on[u, t] - (m.on[u, t - 1] if t > 1 else 0))
""")

    def formulation(self, d: dict) -> dict:
        hours = list(range(1, len(d["demand_mw"]) + 1))
        ranges = {u: f"{d['min_mw'][u]}-{d['max_mw'][u]}" for u in d["units"]}
        return formulation(
            ["energy, running and start-up costs (minimize)",
             f"energy cost per MWh: {pairs(d['cost_per_mwh'], prefix='$', name='cost_per_mwh')}",
             "running cost per hour a unit is on: "
             f"{pairs(d['no_load_cost'], prefix='$', name='no_load_cost')}",
             f"cost per start-up: {pairs(d['startup_cost'], prefix='$', name='startup_cost')}",
             "the units on produce exactly the demand of each hour: "
             f"{', '.join(str(mw) for mw in d['demand_mw'])} MW",
             f"a unit that is on produces within its range ({pairs(ranges, 'MW')}); a unit that is off "
             "produces nothing",
             "all units are off before hour 1; a unit that is on in an hour and was off the hour before is "
             "started",
             "on/off and start-up are yes/no choices"],
            {"units": d["units"], "hours": hours},
            {"demand_mw": keyed(d["demand_mw"], hours), "min_mw": d["min_mw"], "max_mw": d["max_mw"],
             "cost_per_mwh": d["cost_per_mwh"], "no_load_cost": d["no_load_cost"],
             "startup_cost": d["startup_cost"]},
            [variable("on", "1 if the unit is on in the hour", index=["units", "hours"], type="binary"),
             variable("start", "1 if the unit is started in the hour", index=["units", "hours"],
                      type="binary"),
             variable("power", "MW produced", index=["units", "hours"])],
            "minimize",
            "sum(cost_per_mwh[u] * power[u, t] + no_load_cost[u] * on[u, t] + startup_cost[u] * start[u, t] "
            "for u in units for t in hours)",
            "energy, running and start-up costs, dollars",
            [constraint("meet_demand", "sum(power[u, t] for u in units) == demand_mw[t]",
                        "the units produce exactly the hour's demand", "t in hours"),
             constraint("max_output", "power[u, t] <= max_mw[u] * on[u, t]",
                        "at most the unit's maximum when on, nothing when off", "u in units, t in hours"),
             constraint("min_output", "power[u, t] >= min_mw[u] * on[u, t]",
                        "at least the unit's minimum when on", "u in units, t in hours"),
             constraint("startup", "start[u, t] >= on[u, t] - (on[u, t - 1] if t - 1 in hours else 0)",
                        "on now and off the hour before (all off before hour 1) means a start",
                        "u in units, t in hours")])
