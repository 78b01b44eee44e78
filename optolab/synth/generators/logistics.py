"""Logistics: transportation (LP), assignment (MILP), capacitated facility location (MILP)."""

from __future__ import annotations

import math
import random

from optolab.synth.generators.base import Generator
from optolab.synth.generators.formulate import constraint, formulation, pairs, variable
from optolab.synth.generators.render import bullets, distance, labels, model_source, plural, points

CITIES = ("Austin", "Boston", "Chicago", "Dallas", "Denver", "Detroit", "Fresno", "Houston", "Memphis",
          "Miami", "Omaha", "Phoenix", "Portland", "Raleigh", "Seattle", "Tampa", "Tulsa", "Reno", "Boise",
          "Atlanta")
TOWNS = ("Ames", "Bend", "Cary", "Dover", "Elgin", "Flint", "Gary", "Hilo", "Irvine", "Joliet", "Kent",
         "Lodi", "Mesa", "Napa", "Ogden", "Provo", "Quincy", "Rome", "Salem", "Troy", "Utica", "Vail", "Waco",
         "Yuma")
PEOPLE = ("Ana", "Ben", "Cai", "Dana", "Eli", "Fay", "Gus", "Hana", "Ivan", "Jia", "Kofi", "Lena", "Milo",
          "Nora", "Omar", "Pia", "Raj", "Sara", "Tom", "Uma")
TASKS = ("report", "survey", "audit", "design", "training", "inventory", "billing", "hiring", "testing",
         "packing", "budget", "cleanup", "delivery", "repair", "setup", "review")


def _unit_costs(rng: random.Random, sources: list[str], sinks: list[str], base: int = 2) -> dict:
    """Per-unit shipping costs that grow with distance on a random map (whole dollars)."""
    where = dict(zip(sources + sinks, points(rng, len(sources) + len(sinks))))
    return {s: {t: base + round(distance(where[s], where[t]) / 8 * rng.uniform(0.9, 1.1)) for t in sinks}
            for s in sources}


def _split(rng: random.Random, total: int, names: list[str]) -> dict[str, int]:
    """Whole numbers, one per name, that add up to at least ``total``."""
    shares = [rng.uniform(0.5, 1.5) for _ in names]
    return {n: math.ceil(total * s / sum(shares)) for n, s in zip(names, shares)}


def _cost_rows(cost: dict, unit: str) -> list[str]:
    return [f"from {s}: " + ", ".join(f"${c} to {t}" for t, c in row.items()) + f" {unit}"
            for s, row in cost.items()]


class Transportation(Generator):
    name = "transportation"
    problem_class = "LP"
    description = "transportation: ship from plants with limited supplies to customers' demands at least cost"
    sense = "minimize"
    SIZES = {1: (2, 3), 2: (3, 4), 3: (4, 6), 4: (6, 10), 5: (8, 15)}

    def sample(self, rng: random.Random, complexity: int) -> dict:
        n_plants, n_customers = self.SIZES[complexity]
        plants = labels(rng, CITIES, n_plants, "plant")
        customers = labels(rng, TOWNS, n_customers, "customer")
        demand = {c: rng.randint(20, 90) for c in customers}
        supply = _split(rng, math.ceil(sum(demand.values()) * rng.uniform(1.1, 1.4)), plants)
        return {"plants": plants, "customers": customers, "supply": supply, "demand": demand,
                "unit_cost": _unit_costs(rng, plants, customers)}

    def facts(self, d: dict) -> str:
        supply = [f"{p} can ship at most {d['supply'][p]} units" for p in d["plants"]]
        demand = [f"{c} needs at least {d['demand'][c]} units" for c in d["customers"]]
        return (f"A company makes one product at {plural(len(d['plants']), 'plant')} and sells it to "
                f"{len(d['customers'])} customers.\nPlant supplies:\n{bullets(supply)}\n"
                f"Customer demands:\n{bullets(demand)}\nShipping cost per unit:\n"
                f"{bullets(_cost_rows(d['unit_cost'], 'per unit'))}\nAny plant can ship any amount "
                "(fractions allowed) to any customer. Goal: decide how much to ship from each plant to "
                "each customer so that every customer's demand is met, no plant ships more than its "
                "supply, and the total shipping cost is as small as possible.")

    def code(self, d: dict) -> str:
        return model_source(
            "Transportation: ship from plants to customers, within supplies and meeting demands, at least "
            "cost.",
            [("plants", d["plants"], None), ("customers", d["customers"], None),
             ("supply", d["supply"], "units each plant can ship"),
             ("demand", d["demand"], "units each customer needs"),
             ("unit_cost", d["unit_cost"], "dollars per unit shipped, unit_cost[plant][customer]")],
            """
model = pyo.ConcreteModel(name="transportation")
model.PLANTS = pyo.Set(initialize=plants)
model.CUSTOMERS = pyo.Set(initialize=customers)
model.cost = pyo.Param(model.PLANTS, model.CUSTOMERS, initialize=lambda m, p, c: unit_cost[p][c])
model.ship = pyo.Var(model.PLANTS, model.CUSTOMERS, domain=pyo.NonNegativeReals, doc="units shipped")

model.total_cost = pyo.Objective(
    expr=sum(model.cost[p, c] * model.ship[p, c] for p in model.PLANTS for c in model.CUSTOMERS),
    sense=pyo.minimize)
model.supply_limit = pyo.Constraint(
    model.PLANTS, rule=lambda m, p: sum(m.ship[p, c] for c in m.CUSTOMERS) <= supply[p])
model.meet_demand = pyo.Constraint(
    model.CUSTOMERS, rule=lambda m, c: sum(m.ship[p, c] for p in m.PLANTS) >= demand[c])
""")

    def formulation(self, d: dict) -> dict:
        return formulation(
            ["shipping cost per unit from the table unit_cost (minimize)",
             f"each plant ships at most its supply: {pairs(d['supply'], name='supply')}",
             f"each customer receives at least its demand: {pairs(d['demand'], name='demand')}",
             "amounts shipped may be fractional"],
            {"plants": d["plants"], "customers": d["customers"]},
            {"supply": d["supply"], "demand": d["demand"], "unit_cost": d["unit_cost"]},
            [variable("ship", "units shipped from the plant to the customer", index=["plants", "customers"])],
            "minimize", "sum(unit_cost[p][c] * ship[p, c] for p in plants for c in customers)",
            "total shipping cost, dollars",
            [constraint("supply_limit", "sum(ship[p, c] for c in customers) <= supply[p]",
                        "a plant ships no more than its supply", "p in plants"),
             constraint("meet_demand", "sum(ship[p, c] for p in plants) >= demand[c]",
                        "every customer gets its demand", "c in customers")])


class Assignment(Generator):
    name = "assignment"
    problem_class = "MILP"
    description = "assignment: give each worker exactly one task, minimizing the total hours"
    sense = "minimize"
    SIZES = {1: 3, 2: 4, 3: 6, 4: 9, 5: 14}

    def sample(self, rng: random.Random, complexity: int) -> dict:
        n = self.SIZES[complexity]
        workers = labels(rng, PEOPLE, n, "worker")
        tasks = labels(rng, TASKS, n, "task")
        pace = {w: rng.uniform(0.7, 1.4) for w in workers}
        size = {t: rng.randint(3, 12) for t in tasks}
        hours = {w: {t: max(1, round(size[t] * pace[w] * rng.uniform(0.7, 1.3))) for t in tasks}
                 for w in workers}
        return {"workers": workers, "tasks": tasks, "hours": hours}

    def facts(self, d: dict) -> str:
        rows = [f"{w}: " + ", ".join(f"{h} h for {t}" for t, h in d["hours"][w].items())
                for w in d["workers"]]
        return (f"A manager must assign {len(d['workers'])} workers to {len(d['tasks'])} tasks: every "
                "worker gets exactly one task and every task gets exactly one worker. The hours each "
                f"worker would need for each task are:\n{bullets(rows)}\n"
                "Goal: find the assignment with the smallest total number of hours.")

    def code(self, d: dict) -> str:
        return model_source(
            "Assignment: one task per worker and one worker per task, minimizing the total hours.",
            [("workers", d["workers"], None), ("tasks", d["tasks"], None),
             ("hours", d["hours"], "hours[worker][task]")],
            """
model = pyo.ConcreteModel(name="assignment")
model.WORKERS = pyo.Set(initialize=workers)
model.TASKS = pyo.Set(initialize=tasks)
model.hours = pyo.Param(model.WORKERS, model.TASKS, initialize=lambda m, w, t: hours[w][t])
model.assign = pyo.Var(model.WORKERS, model.TASKS, domain=pyo.Binary, doc="1 if the worker does the task")

model.total_hours = pyo.Objective(
    expr=sum(model.hours[w, t] * model.assign[w, t] for w in model.WORKERS for t in model.TASKS),
    sense=pyo.minimize)
model.one_task_each = pyo.Constraint(
    model.WORKERS, rule=lambda m, w: sum(m.assign[w, t] for t in m.TASKS) == 1)
model.one_worker_each = pyo.Constraint(
    model.TASKS, rule=lambda m, t: sum(m.assign[w, t] for w in m.WORKERS) == 1)
""")

    def formulation(self, d: dict) -> dict:
        return formulation(
            ["total hours from the table hours (minimize)",
             f"each of the {len(d['workers'])} workers gets exactly one task",
             f"each of the {len(d['tasks'])} tasks gets exactly one worker",
             "an assignment is a yes/no choice"],
            {"workers": d["workers"], "tasks": d["tasks"]},
            {"hours": d["hours"]},
            [variable("assign", "1 if the worker does the task", index=["workers", "tasks"], type="binary")],
            "minimize", "sum(hours[w][t] * assign[w, t] for w in workers for t in tasks)", "total hours",
            [constraint("one_task_each", "sum(assign[w, t] for t in tasks) == 1",
                        "every worker gets exactly one task", "w in workers"),
             constraint("one_worker_each", "sum(assign[w, t] for w in workers) == 1",
                        "every task gets exactly one worker", "t in tasks")])


class FacilityLocation(Generator):
    name = "facility_location"
    problem_class = "MILP"
    description = "capacitated facility location: open warehouses (fixed cost, capacity) and serve customers"
    sense = "minimize"
    SIZES = {1: (2, 4), 2: (3, 6), 3: (5, 10), 4: (7, 15), 5: (10, 22)}

    def sample(self, rng: random.Random, complexity: int) -> dict:
        n_sites, n_customers = self.SIZES[complexity]
        sites = labels(rng, CITIES, n_sites, "site")
        customers = labels(rng, TOWNS, n_customers, "customer")
        demand = {c: rng.randint(10, 60) for c in customers}
        total = sum(demand.values())
        capacity = {s: round(total * rng.uniform(0.35, 0.7)) for s in sites}
        if sum(capacity.values()) < 1.25 * total:  # all sites together can always serve everyone
            scale = 1.25 * total / sum(capacity.values())
            capacity = {s: math.ceil(c * scale) for s, c in capacity.items()}
        fixed = {s: int(round(capacity[s] * rng.uniform(5, 12), -1)) for s in sites}
        return {"sites": sites, "customers": customers, "fixed_cost": fixed, "capacity": capacity,
                "demand": demand, "unit_cost": _unit_costs(rng, sites, customers, base=1)}

    def facts(self, d: dict) -> str:
        sites = [f"{s}: opening costs ${d['fixed_cost'][s]}, it can ship at most {d['capacity'][s]} units"
                 for s in d["sites"]]
        demand = [f"{c} needs {d['demand'][c]} units" for c in d["customers"]]
        return (f"A retailer can open warehouses in {len(d['sites'])} candidate cities to serve "
                f"{len(d['customers'])} customers. A warehouse that is not opened ships nothing.\n"
                f"Candidate warehouses:\n{bullets(sites)}\nCustomer demands:\n"
                f"{bullets(demand)}\nShipping cost per unit:\n"
                f"{bullets(_cost_rows(d['unit_cost'], 'per unit'))}\nA customer may be served by several "
                "warehouses, in any (fractional) amounts. Goal: choose which warehouses to open and how "
                "much each ships to each customer so that every demand is met exactly, no warehouse ships "
                "more than its capacity, and the opening costs plus shipping costs are as small as "
                "possible.")

    def code(self, d: dict) -> str:
        return model_source(
            "Capacitated facility location: open warehouses and ship to customers at least fixed plus "
            "shipping cost.",
            [("sites", d["sites"], None), ("customers", d["customers"], None),
             ("fixed_cost", d["fixed_cost"], "dollars to open each warehouse"),
             ("capacity", d["capacity"], "units each warehouse can ship"),
             ("demand", d["demand"], "units each customer needs"),
             ("unit_cost", d["unit_cost"], "dollars per unit shipped, unit_cost[site][customer]")],
            """
model = pyo.ConcreteModel(name="facility_location")
model.SITES = pyo.Set(initialize=sites)
model.CUSTOMERS = pyo.Set(initialize=customers)
model.cost = pyo.Param(model.SITES, model.CUSTOMERS, initialize=lambda m, s, c: unit_cost[s][c])
model.opened = pyo.Var(model.SITES, domain=pyo.Binary, doc="1 if the warehouse is opened")
model.ship = pyo.Var(model.SITES, model.CUSTOMERS, domain=pyo.NonNegativeReals, doc="units shipped")

model.total_cost = pyo.Objective(
    expr=sum(fixed_cost[s] * model.opened[s] for s in model.SITES)
    + sum(model.cost[s, c] * model.ship[s, c] for s in model.SITES for c in model.CUSTOMERS),
    sense=pyo.minimize)
model.meet_demand = pyo.Constraint(
    model.CUSTOMERS, rule=lambda m, c: sum(m.ship[s, c] for s in m.SITES) == demand[c])
model.capacity_if_open = pyo.Constraint(
    model.SITES, rule=lambda m, s: sum(m.ship[s, c] for c in m.CUSTOMERS) <= capacity[s] * m.opened[s])
# implied by the two above, but it makes the model much tighter for the solver
model.serve_only_if_open = pyo.Constraint(
    model.SITES, model.CUSTOMERS, rule=lambda m, s, c: m.ship[s, c] <= demand[c] * m.opened[s])
""")

    def formulation(self, d: dict) -> dict:
        return formulation(
            ["opening costs plus shipping cost per unit from the table unit_cost (minimize)",
             f"opening costs: {pairs(d['fixed_cost'], prefix='$', name='fixed_cost')}",
             f"every customer receives exactly its demand: {pairs(d['demand'], name='demand')}",
             f"a warehouse ships at most its capacity ({pairs(d['capacity'], name='capacity')}), and nothing "
             "if it is not opened",
             "a customer may be served by several warehouses, in fractional amounts",
             "opening a warehouse is a yes/no choice"],
            {"sites": d["sites"], "customers": d["customers"]},
            {"fixed_cost": d["fixed_cost"], "capacity": d["capacity"], "demand": d["demand"],
             "unit_cost": d["unit_cost"]},
            [variable("opened", "1 if the warehouse is opened", index=["sites"], type="binary"),
             variable("ship", "units shipped from the warehouse to the customer",
                      index=["sites", "customers"])],
            "minimize",
            "sum(fixed_cost[s] * opened[s] for s in sites) "
            "+ sum(unit_cost[s][c] * ship[s, c] for s in sites for c in customers)",
            "opening plus shipping cost, dollars",
            [constraint("meet_demand", "sum(ship[s, c] for s in sites) == demand[c]",
                        "every customer gets exactly its demand", "c in customers"),
             constraint("capacity_if_open", "sum(ship[s, c] for c in customers) <= capacity[s] * opened[s]",
                        "a warehouse ships within its capacity, and only if opened", "s in sites"),
             constraint("serve_only_if_open", "ship[s, c] <= demand[c] * opened[s]",
                        "implied by the two above, but it makes the model much tighter for the solver",
                        "s in sites, c in customers")])
