"""Planning: production mix with resources (MILP), multi-period lot sizing (MILP), feed blending (LP)."""

from __future__ import annotations

import math
import random

from optolab.synth.generators.base import Generator
from optolab.synth.generators.formulate import constraint, formulation, pairs, variable
from optolab.synth.generators.render import bullets, join_and, model_source, num, plural

FURNITURE = ("chair", "table", "desk", "shelf", "cabinet", "bench", "stool", "bed", "dresser", "wardrobe",
             "bookcase", "nightstand")
DEPARTMENTS = ("cutting", "assembly", "sanding", "painting", "packing", "inspection")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
PARTS = ("widget", "gadget", "sprocket", "bracket")

# feed ingredients: percent protein, fat, fiber, calcium, phosphorus, lysine; dollars per tonne
NUTRIENTS = ("protein", "fat", "fiber", "calcium", "phosphorus", "lysine")
INGREDIENTS = {
    "corn": ((8.5, 3.8, 2.2, 0.03, 0.28, 0.26), 180),
    "soybean_meal": ((44.0, 1.5, 7.0, 0.30, 0.65, 2.80), 420),
    "wheat": ((12.5, 1.8, 2.8, 0.05, 0.35, 0.35), 230),
    "barley": ((11.5, 1.9, 5.0, 0.06, 0.36, 0.40), 200),
    "oats": ((11.0, 4.5, 10.5, 0.09, 0.33, 0.45), 210),
    "fishmeal": ((62.0, 9.0, 1.0, 5.00, 3.00, 4.80), 1300),
    "alfalfa_meal": ((17.0, 2.5, 24.0, 1.40, 0.25, 0.75), 250),
    "sorghum": ((9.5, 3.0, 2.5, 0.04, 0.30, 0.22), 170),
    "canola_meal": ((36.0, 3.5, 12.0, 0.65, 1.10, 2.00), 330),
    "rice_bran": ((13.0, 14.0, 12.0, 0.07, 1.60, 0.60), 190),
    "field_peas": ((22.5, 1.2, 6.0, 0.10, 0.40, 1.60), 280),
    "limestone": ((0.0, 0.0, 0.0, 38.0, 0.0, 0.0), 60),
}


class ProductionPlanning(Generator):
    name = "production_planning"
    problem_class = "MILP"
    description = "production planning: how many of each product to make with limited department hours"
    sense = "maximize"
    SIZES = {1: (2, 2), 2: (3, 3), 3: (5, 4), 4: (8, 5), 5: (12, 6)}  # products, departments

    def sample(self, rng: random.Random, complexity: int) -> dict:
        n_products, n_departments = self.SIZES[complexity]
        products = rng.sample(FURNITURE, n_products)
        departments = rng.sample(DEPARTMENTS, n_departments)
        hours = {}
        for p in products:
            uses = [r for r in departments if rng.random() < 0.8] or [rng.choice(departments)]
            hours[p] = {r: rng.randint(1, 6) for r in uses}  # departments it does not pass are left out
        available = {r: max(6, round(sum(hours[p].get(r, 0) for p in products) * rng.uniform(3, 8)))
                     for r in departments}
        profit = {p: round(sum(hours[p].values()) * rng.uniform(8, 20) + rng.randint(5, 20))
                  for p in products}
        return {"products": products, "departments": departments, "profit": profit,
                "hours_per_unit": hours, "hours_available": available,
                "max_sales": {p: rng.randint(5, 30) for p in products}}

    def facts(self, d: dict) -> str:
        rows = []
        for p in d["products"]:
            needs = [f"{h} h of {r}" for r, h in d["hours_per_unit"][p].items()]
            rows.append(f"a {p} earns ${d['profit'][p]} profit, needs {join_and(needs)}, and at most "
                        f"{d['max_sales'][p]} can be sold")
        hours = [f"{r}: {d['hours_available'][r]} hours" for r in d["departments"]]
        return (f"A furniture workshop makes {len(d['products'])} products in {len(d['departments'])} "
                "departments. This week each department has a limited number of hours:\n"
                f"{bullets(hours)}\nProducts:\n{bullets(rows)}\nOnly whole products can be made. Goal: "
                "decide how many of each product to make this week so that no department works more than "
                "its available hours, no product exceeds its sales limit, and the total profit is as large "
                "as possible.")

    def code(self, d: dict) -> str:
        return model_source(
            "Production planning: whole numbers of products within department hours and sales limits, max "
            "profit.",
            [("products", d["products"], None), ("departments", d["departments"], None),
             ("profit", d["profit"], "dollars per unit"),
             ("hours_per_unit", d["hours_per_unit"], "hours_per_unit[product][department], 0 if not listed"),
             ("hours_available", d["hours_available"], "hours per department this week"),
             ("max_sales", d["max_sales"], "units that can be sold")],
            """
model = pyo.ConcreteModel(name="production_planning")
model.PRODUCTS = pyo.Set(initialize=products)
model.DEPARTMENTS = pyo.Set(initialize=departments)
model.hours = pyo.Param(model.PRODUCTS, model.DEPARTMENTS,
                        initialize=lambda m, p, r: hours_per_unit[p].get(r, 0))
model.make = pyo.Var(model.PRODUCTS, domain=pyo.NonNegativeIntegers, bounds=lambda m, p: (0, max_sales[p]),
                     doc="units made this week")

model.total_profit = pyo.Objective(expr=sum(profit[p] * model.make[p] for p in model.PRODUCTS),
                                   sense=pyo.maximize)
model.department_hours = pyo.Constraint(
    model.DEPARTMENTS,
    rule=lambda m, r: sum(m.hours[p, r] * m.make[p] for p in m.PRODUCTS) <= hours_available[r])
""")

    def formulation(self, d: dict) -> dict:
        """A department a product does not pass through takes 0 of its hours (a full table)."""
        hours = {p: {r: d["hours_per_unit"][p].get(r, 0) for r in d["departments"]} for p in d["products"]}
        return formulation(
            [f"profit per unit (maximize): {pairs(d['profit'], prefix='$', name='profit')}",
             "hours used in each department <= hours available: "
             f"{pairs(d['hours_available'], 'hours', name='hours_available')}; hours per unit from "
             "hours_per_unit (0 where a product does not use the department)",
             f"sales limits: {pairs(d['max_sales'], name='max_sales')}",
             "only whole products are made"],
            {"products": d["products"], "departments": d["departments"]},
            {"profit": d["profit"], "hours_per_unit": hours, "hours_available": d["hours_available"],
             "max_sales": d["max_sales"]},
            [variable("make", "units made this week", index=["products"], type="integer")],
            "maximize", "sum(profit[p] * make[p] for p in products)", "total profit, dollars",
            [constraint("department_hours",
                        "sum(hours_per_unit[p][r] * make[p] for p in products) <= hours_available[r]",
                        "no department works more than its available hours", "r in departments"),
             constraint("sales_limit", "make[p] <= max_sales[p]", "no product exceeds its sales limit",
                        "p in products")])


class LotSizing(Generator):
    name = "lot_sizing"
    problem_class = "MILP"
    description = "capacitated lot sizing: monthly production with setup and holding costs, machine hours"
    sense = "minimize"
    SIZES = {1: (1, 4), 2: (1, 6), 3: (2, 6), 4: (3, 8), 5: (4, 12)}  # products, months

    def sample(self, rng: random.Random, complexity: int) -> dict:
        n_products, n_months = self.SIZES[complexity]
        products = rng.sample(PARTS, n_products)
        start = rng.randrange(12 - n_months + 1)
        months = list(MONTHS[start:start + n_months])
        demand = {p: [rng.randint(2, 12) * 10 for _ in months] for p in products}
        hours_per_unit = {p: rng.randint(1, 3) for p in products}
        # making each month's demand in that month always fits, so the plan is feasible by construction
        peak = max(sum(hours_per_unit[p] * demand[p][t] for p in products) for t in range(n_months))
        capacity = math.ceil(peak * rng.uniform(1.1, 1.5))
        return {"products": products, "months": months, "demand": demand, "hours_per_unit": hours_per_unit,
                "capacity_hours": capacity,
                "setup_cost": {p: rng.randint(4, 24) * 25 for p in products},
                "holding_cost": {p: rng.randint(1, 5) for p in products}}

    def facts(self, d: dict) -> str:
        months = d["months"]
        rows = [f"{p}: " + ", ".join(f"{q} in {m}" for m, q in zip(months, d["demand"][p]))
                for p in d["products"]]
        costs = [f"{p}: {plural(d['hours_per_unit'][p], 'machine hour')} per unit, ${d['setup_cost'][p]} "
                 f"per month in which it is made, ${d['holding_cost'][p]} per unit held in stock at the end "
                 "of a month" for p in d["products"]]
        return (f"A factory plans production of {plural(len(d['products']), 'product')} on one machine for "
                f"{len(months)} months ({months[0]} to {months[-1]}). Monthly demand in units:\n"
                f"{bullets(rows)}\nThe machine has {d['capacity_hours']} hours per month. Making a product "
                "in a month requires a setup for that product that month, which has a fixed cost.\n"
                f"{bullets(costs)}\nStock is zero at the start, demand must be met on time from production "
                "and stock (no backorders), and amounts may be fractional. Goal: decide how much of each "
                "product to make in each month so that the total setup plus holding cost is as small as "
                "possible.")

    def code(self, d: dict) -> str:
        return model_source(
            "Capacitated lot sizing: monthly production, stock and setups meeting demand at least cost.",
            [("products", d["products"], None), ("months", d["months"], None),
             ("demand", d["demand"], "units per month, in the order of months"),
             ("hours_per_unit", d["hours_per_unit"], "machine hours"),
             ("capacity_hours", d["capacity_hours"], "machine hours per month"),
             ("setup_cost", d["setup_cost"], "dollars per month with production"),
             ("holding_cost", d["holding_cost"], "dollars per unit in stock at the end of a month")],
            """
model = pyo.ConcreteModel(name="lot_sizing")
model.PRODUCTS = pyo.Set(initialize=products)
model.MONTHS = pyo.Set(initialize=months, ordered=True)
model.demand = pyo.Param(model.PRODUCTS, model.MONTHS, initialize=lambda m, p, t: demand[p][months.index(t)])
model.make = pyo.Var(model.PRODUCTS, model.MONTHS, domain=pyo.NonNegativeReals, doc="units made")
model.stock = pyo.Var(model.PRODUCTS, model.MONTHS, domain=pyo.NonNegativeReals,
                      doc="units in stock at the end of the month")
model.setup = pyo.Var(model.PRODUCTS, model.MONTHS, domain=pyo.Binary,
                      doc="1 if the product is made that month")

model.total_cost = pyo.Objective(
    expr=sum(setup_cost[p] * model.setup[p, t] + holding_cost[p] * model.stock[p, t]
             for p in model.PRODUCTS for t in model.MONTHS),
    sense=pyo.minimize)
model.stock_balance = pyo.Constraint(
    model.PRODUCTS, model.MONTHS,
    rule=lambda m, p, t: m.stock[p, t] == (m.stock[p, m.MONTHS.prev(t)] if t != m.MONTHS.first() else 0)
    + m.make[p, t] - m.demand[p, t])
model.machine_hours = pyo.Constraint(
    model.MONTHS,
    rule=lambda m, t: sum(hours_per_unit[p] * m.make[p, t] for p in m.PRODUCTS) <= capacity_hours)


def largest_lot(m, p, t):
    \"\"\"No lot exceeds what the machine can make in a month or what is still to be sold.\"\"\"
    return min(capacity_hours / hours_per_unit[p], sum(demand[p][months.index(t):]))


model.make_only_after_setup = pyo.Constraint(
    model.PRODUCTS, model.MONTHS, rule=lambda m, p, t: m.make[p, t] <= largest_lot(m, p, t) * m.setup[p, t])
""")

    def formulation(self, d: dict) -> dict:
        months = d["months"]
        demand = {p: dict(zip(months, d["demand"][p])) for p in d["products"]}
        previous = "(stock[p, months[months.index(t) - 1]] if t != months[0] else 0)"
        return formulation(
            ["setup costs plus holding costs (minimize)",
             "setup cost per month a product is made: "
             f"{pairs(d['setup_cost'], prefix='$', name='setup_cost')}",
             "holding cost per unit in stock at the end of a month: "
             f"{pairs(d['holding_cost'], prefix='$', name='holding_cost')}",
             f"stock at the end of a month = stock at the end of the month before + production - demand; "
             f"no stock before {months[0]}; demand from the table demand",
             "demand is met on time (stock never negative, no backorders)",
             f"machine hours used in a month <= {d['capacity_hours']}: "
             f"{pairs(d['hours_per_unit'], 'h per unit', name='hours_per_unit')}",
             "a product is made in a month only with a setup that month; a setup is a yes/no choice",
             "amounts may be fractional"],
            {"products": d["products"], "months": months},
            {"demand": demand, "hours_per_unit": d["hours_per_unit"], "capacity_hours": d["capacity_hours"],
             "setup_cost": d["setup_cost"], "holding_cost": d["holding_cost"]},
            [variable("make", "units made in the month", index=["products", "months"]),
             variable("stock", "units in stock at the end of the month", index=["products", "months"]),
             variable("setup", "1 if the product is made that month", index=["products", "months"],
                      type="binary")],
            "minimize",
            "sum(setup_cost[p] * setup[p, t] + holding_cost[p] * stock[p, t] "
            "for p in products for t in months)",
            "setup plus holding cost, dollars",
            [constraint("stock_balance", f"stock[p, t] == {previous} + make[p, t] - demand[p][t]",
                        f"stock carried over (none before {months[0]}) plus production minus demand",
                        "p in products, t in months"),
             constraint("machine_hours",
                        "sum(hours_per_unit[p] * make[p, t] for p in products) <= capacity_hours",
                        f"the machine has {d['capacity_hours']} hours a month", "t in months"),
             constraint("make_only_after_setup",
                        "hours_per_unit[p] * make[p, t] <= capacity_hours * setup[p, t]",
                        "no production of a product in a month without its setup",
                        "p in products, t in months")])


class Blending(Generator):
    name = "blending"
    problem_class = "LP"
    description = "feed blending: the cheapest mix of ingredients that meets nutrient ranges"
    sense = "minimize"
    SIZES = {1: (3, 2), 2: (4, 3), 3: (6, 4), 4: (8, 5), 5: (12, 6)}  # ingredients, nutrients

    def sample(self, rng: random.Random, complexity: int) -> dict:
        n_ingredients, n_nutrients = self.SIZES[complexity]
        ingredients = rng.sample(list(INGREDIENTS), n_ingredients)
        chosen = rng.sample(NUTRIENTS, n_nutrients)
        nutrients = [n for n in NUTRIENTS if n in chosen]
        content = {i: {n: round(INGREDIENTS[i][0][NUTRIENTS.index(n)] * rng.uniform(0.9, 1.1), 2)
                       for n in nutrients} for i in ingredients}
        cost = {i: round(INGREDIENTS[i][1] * rng.uniform(0.85, 1.15)) for i in ingredients}
        batch = rng.randint(2, 10) * 5
        # a reference mix that the ranges and stocks are built around, so the problem is feasible
        gammas = [rng.gammavariate(1.0, 1.0) for _ in ingredients]
        share = {i: g / sum(gammas) for i, g in zip(ingredients, gammas)}
        level = {n: sum(share[i] * content[i][n] for i in ingredients) for n in nutrients}
        low = {n: math.floor(level[n] * (1 - rng.uniform(0.05, 0.25)) * 100) / 100 for n in nutrients}
        high = {n: math.ceil(level[n] * (1 + rng.uniform(0.05, 0.25)) * 100) / 100 for n in nutrients}
        stock = {i: math.ceil(share[i] * batch * rng.uniform(1.2, 2.5)) + 1 for i in ingredients}
        return {"batch_tonnes": batch, "ingredients": ingredients, "nutrients": nutrients,
                "cost_per_tonne": cost, "stock_tonnes": stock, "content_pct": content, "min_pct": low,
                "max_pct": high}

    def facts(self, d: dict) -> str:
        rows = [f"{i}: ${d['cost_per_tonne'][i]} per tonne, {d['stock_tonnes'][i]} tonnes in stock, contains "
                + join_and([f"{num(d['content_pct'][i][n])}% {n}" for n in d["nutrients"]])
                for i in d["ingredients"]]
        ranges = [f"{n}: between {num(d['min_pct'][n])}% and {num(d['max_pct'][n])}%" for n in d["nutrients"]]
        return (f"A feed mill mixes a batch of exactly {d['batch_tonnes']} tonnes of cattle feed from "
                f"{len(d['ingredients'])} ingredients (percentages are by weight):\n"
                f"{bullets(rows)}\nThe nutrient content of the finished feed, by weight, must lie in these "
                f"ranges:\n{bullets(ranges)}\nGoal: decide how many tonnes of each ingredient (fractions "
                "allowed, no more than in stock) to put in the batch so that all ranges hold and the total "
                "ingredient cost is as small as possible.")

    def code(self, d: dict) -> str:
        return model_source(
            "Blending: the cheapest mix of ingredients for one batch that meets every nutrient range.",
            [("batch_tonnes", d["batch_tonnes"], None), ("ingredients", d["ingredients"], None),
             ("nutrients", d["nutrients"], None), ("cost_per_tonne", d["cost_per_tonne"], "dollars"),
             ("stock_tonnes", d["stock_tonnes"], "tonnes available"),
             ("content_pct", d["content_pct"], "percent by weight, content_pct[ingredient][nutrient]"),
             ("min_pct", d["min_pct"], "least percent in the feed"),
             ("max_pct", d["max_pct"], "most percent in the feed")],
            """
model = pyo.ConcreteModel(name="blending")
model.INGREDIENTS = pyo.Set(initialize=ingredients)
model.NUTRIENTS = pyo.Set(initialize=nutrients)
model.content = pyo.Param(model.INGREDIENTS, model.NUTRIENTS, initialize=lambda m, i, n: content_pct[i][n])
model.use = pyo.Var(model.INGREDIENTS, bounds=lambda m, i: (0, stock_tonnes[i]), doc="tonnes in the batch")

model.total_cost = pyo.Objective(expr=sum(cost_per_tonne[i] * model.use[i] for i in model.INGREDIENTS),
                                 sense=pyo.minimize)
model.batch_size = pyo.Constraint(expr=sum(model.use[i] for i in model.INGREDIENTS) == batch_tonnes)
# percent of the batch: sum(content * tonnes) / batch_tonnes, multiplied out
model.nutrient_min = pyo.Constraint(
    model.NUTRIENTS,
    rule=lambda m, n: sum(m.content[i, n] * m.use[i] for i in m.INGREDIENTS) >= min_pct[n] * batch_tonnes)
model.nutrient_max = pyo.Constraint(
    model.NUTRIENTS,
    rule=lambda m, n: sum(m.content[i, n] * m.use[i] for i in m.INGREDIENTS) <= max_pct[n] * batch_tonnes)
""")

    def formulation(self, d: dict) -> dict:
        """Nutrient ranges are left out of an instance that has none (drawn before sampling was fixed)."""
        ranges = {n: f"{num(d['min_pct'][n])}-{num(d['max_pct'][n])}%" for n in d["nutrients"]}
        sets = {"ingredients": d["ingredients"]}
        parameters = {"batch_tonnes": d["batch_tonnes"], "cost_per_tonne": d["cost_per_tonne"],
                      "stock_tonnes": d["stock_tonnes"]}
        constraints = [constraint("batch_size", "sum(use[i] for i in ingredients) == batch_tonnes",
                                  f"the batch is exactly {d['batch_tonnes']} tonnes"),
                       constraint("in_stock", "use[i] <= stock_tonnes[i]",
                                  "no more than the stock of the ingredient", "i in ingredients")]
        if d["nutrients"]:
            sets["nutrients"] = d["nutrients"]
            parameters.update(content_pct=d["content_pct"], min_pct=d["min_pct"], max_pct=d["max_pct"])
            supplied = "sum(content_pct[i][n] * use[i] for i in ingredients)"
            constraints += [
                constraint("nutrient_min", f"{supplied} >= min_pct[n] * batch_tonnes",
                           "percent of the batch (content times tonnes over the batch), multiplied out",
                           "n in nutrients"),
                constraint("nutrient_max", f"{supplied} <= max_pct[n] * batch_tonnes",
                           "percent of the batch, multiplied out", "n in nutrients")]
        return formulation(
            ["ingredient cost (minimize)",
             f"cost per tonne: {pairs(d['cost_per_tonne'], prefix='$', name='cost_per_tonne')}",
             f"the batch weighs exactly {d['batch_tonnes']} tonnes",
             f"no more than in stock: {pairs(d['stock_tonnes'], 'tonnes', name='stock_tonnes')}",
             *([f"nutrient percent of the batch by weight within its range: {pairs(ranges)}; content of "
                "each ingredient from content_pct"] if ranges else []),
             "tonnes may be fractional"],
            sets, parameters,
            [variable("use", "tonnes of the ingredient in the batch", index=["ingredients"])],
            "minimize", "sum(cost_per_tonne[i] * use[i] for i in ingredients)",
            "total ingredient cost, dollars", constraints)
