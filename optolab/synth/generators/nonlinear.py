"""Quadratic and nonlinear: Markowitz portfolio (convex QP), multi-item EOQ with storage space (QCP),
pricing with exponential demand and a capacity limit (NLP, concave in the quantities sold).

HiGHS solves the portfolio; SCIP (global) solves the other two. The EOQ model keeps its ordering
cost linear (orders per year times cost per order, linked by ``quantity * orders >= demand``)
instead of dividing by the order quantity: Pyomo's SCIP interface does not return on models that
divide by a variable.
"""

from __future__ import annotations

import math
import random

from optolab.synth.generators.base import Generator
from optolab.synth.generators.formulate import constraint, formulation, pairs, variable
from optolab.synth.generators.render import bullets, model_source, num, plural

ASSETS = ("bonds", "us_stocks", "eu_stocks", "emerging", "real_estate", "gold", "commodities", "tech",
          "health", "energy", "utilities", "small_caps", "treasuries", "corporates", "high_yield",
          "infrastructure", "japan", "china", "india", "cash_plus")
SUPPLIES = ("paper", "toner", "gloves", "bolts", "filters", "labels", "tape", "cups")
MENU = ("espresso", "latte", "tea", "muffin", "bagel", "smoothie", "cookie", "sandwich")


class Portfolio(Generator):
    name = "portfolio"
    problem_class = "QP"
    description = "Markowitz portfolio: the least-variance mix of assets that reaches a target return"
    sense = "minimize"
    SIZES = {1: 3, 2: 5, 3: 8, 4: 12, 5: 20}

    def sample(self, rng: random.Random, complexity: int) -> dict:
        n = self.SIZES[complexity]
        assets = rng.sample(ASSETS, n)
        # covariance of a two-factor model, B B' + D in percent squared: symmetric, positive definite, integer
        market = {a: rng.randint(0, 15) for a in assets}
        style = {a: rng.randint(-8, 8) for a in assets}
        own = {a: rng.randint(20, 300) for a in assets}
        cov = {a: {b: market[a] * market[b] + style[a] * style[b] + (own[a] if a == b else 0) for b in assets}
               for a in assets}
        ret = {a: round(max(0.5, 1.5 + 0.3 * math.sqrt(cov[a][a]) + rng.uniform(-1.5, 1.5)), 1)
               for a in assets}  # riskier assets earn more
        cap = min(100, max(math.ceil(150 / n), rng.choice([25, 30, 40, 50])))
        best, room = 0.0, 100.0  # the highest return reachable under the cap: fill the best assets first
        for a in sorted(assets, key=lambda a: -ret[a]):
            take = min(cap, room)
            best += ret[a] * take / 100
            room -= take
        mean = sum(ret.values()) / n  # reachable with equal weights, which respect the cap
        target = math.floor((mean + rng.uniform(0.3, 0.7) * (best - mean)) * 10) / 10
        return {"assets": assets, "expected_return_pct": ret, "covariance": cov, "min_return_pct": target,
                "max_weight_pct": cap}

    def facts(self, d: dict) -> str:
        assets = d["assets"]
        rets = [f"{a}: {num(d['expected_return_pct'][a])}% expected annual return" for a in assets]
        covs = []
        for k, a in enumerate(assets):
            parts = [f"variance {d['covariance'][a][a]}"]
            parts += [f"covariance {d['covariance'][a][b]} with {b}" for b in assets[k + 1:]]
            covs.append(f"{a}: " + ", ".join(parts))
        return (f"An investor splits a budget among {len(assets)} assets; the fractions are not negative "
                f"and add up to the whole budget.\n{bullets(rets)}\nAnnual returns have these variances and "
                "covariances (in percent squared; covariance is symmetric):\n"
                f"{bullets(covs)}\nNo asset may get more than {d['max_weight_pct']}% of the budget, and the "
                f"portfolio's expected return must be at least {num(d['min_return_pct'])}%. Goal: choose "
                "the fractions so that the variance of the portfolio's return is as small as possible.")

    def code(self, d: dict) -> str:
        return model_source(
            "Markowitz portfolio: minimum variance subject to a minimum expected return and a cap per asset.",
            [("assets", d["assets"], None),
             ("expected_return_pct", d["expected_return_pct"], "percent per year"),
             ("covariance", d["covariance"], "percent squared, covariance[asset][asset]"),
             ("min_return_pct", d["min_return_pct"], "required expected return, percent"),
             ("max_weight_pct", d["max_weight_pct"], "largest share of one asset, percent")],
            """
model = pyo.ConcreteModel(name="portfolio")
model.ASSETS = pyo.Set(initialize=assets)
model.cov = pyo.Param(model.ASSETS, model.ASSETS, initialize=lambda m, a, b: covariance[a][b])
model.weight = pyo.Var(model.ASSETS, bounds=(0, max_weight_pct / 100), doc="fraction of the budget")

model.variance = pyo.Objective(
    expr=sum(model.cov[a, b] * model.weight[a] * model.weight[b] for a in model.ASSETS for b in model.ASSETS),
    sense=pyo.minimize)
model.budget = pyo.Constraint(expr=sum(model.weight[a] for a in model.ASSETS) == 1)
model.expected_return = pyo.Var(bounds=(min_return_pct, None), doc="of the portfolio, percent")
model.portfolio_return = pyo.Constraint(
    expr=sum(expected_return_pct[a] * model.weight[a] for a in model.ASSETS) == model.expected_return)
""")

    def formulation(self, d: dict) -> dict:
        return formulation(
            ["variance of the portfolio's return from the covariance table, in percent squared (minimize)",
             "the fractions of the budget are not negative and add up to 1",
             f"no asset gets more than {d['max_weight_pct']}% of the budget",
             f"expected return >= {num(d['min_return_pct'])}%: "
             f"{pairs(d['expected_return_pct'], '%', name='expected_return_pct')}"],
            {"assets": d["assets"]},
            {"expected_return_pct": d["expected_return_pct"], "covariance": d["covariance"],
             "min_return_pct": d["min_return_pct"], "max_weight_pct": d["max_weight_pct"]},
            [variable("weight", "fraction of the budget in the asset", index=["assets"], upper=1)],
            "minimize", "sum(covariance[a][b] * weight[a] * weight[b] for a in assets for b in assets)",
            "variance of the portfolio's return, percent squared",
            [constraint("budget", "sum(weight[a] for a in assets) == 1", "the whole budget is invested"),
             constraint("max_weight", "weight[a] <= max_weight_pct / 100", "no asset above the cap",
                        "a in assets"),
             constraint("min_return",
                        "sum(expected_return_pct[a] * weight[a] for a in assets) >= min_return_pct",
                        "the expected return reaches the target")])


class EconomicOrderQuantity(Generator):
    name = "eoq"
    problem_class = "QCP"
    description = "multi-item economic order quantity with a shared storage limit"
    sense = "minimize"
    SIZES = {1: 1, 2: 2, 3: 3, 4: 5, 5: 8}

    def sample(self, rng: random.Random, complexity: int) -> dict:
        items = rng.sample(SUPPLIES, self.SIZES[complexity])
        demand = {i: rng.randint(5, 100) * 100 for i in items}
        order_cost = {i: rng.randint(4, 40) * 5 for i in items}
        holding = {i: rng.randint(2, 20) for i in items}
        space = {i: rng.choice([0.5, 1.0, 1.5, 2.0, 2.5, 3.0]) for i in items}
        # without the limit each item would order sqrt(2 K D / h); the limit is set below that so it binds
        unconstrained = sum(space[i] * math.sqrt(2 * order_cost[i] * demand[i] / holding[i]) for i in items)
        limit = max(math.ceil(sum(space.values())), math.floor(unconstrained * rng.uniform(0.5, 0.8)))
        return {"items": items, "annual_demand": demand, "order_cost": order_cost, "holding_cost": holding,
                "space_per_unit": space, "storage_space": limit}

    def facts(self, d: dict) -> str:
        rows = [f"{i}: {d['annual_demand'][i]} units per year, ${d['order_cost'][i]} per order, "
                f"${d['holding_cost'][i]} per unit per year to hold, {num(d['space_per_unit'][i])} m2 per "
                "unit"
                for i in d["items"]]
        return (f"A store restocks {plural(len(d['items']), 'supply item')}, each used at a steady rate "
                f"through the year:\n{bullets(rows)}\nEach order of an item costs the same fixed amount "
                "whatever its size, and arrives at once when the stock of that item runs out, so the "
                "item's stock falls from the order quantity to zero and averages half the order quantity; "
                "holding cost is charged on that average. Right after a delivery an item takes its whole "
                f"order quantity of space, and the storeroom has {d['storage_space']} m2, which must hold a "
                "full order of every item at once. The number of orders per year need not be a whole "
                "number. Goal: choose each item's order quantity so that the total yearly ordering plus "
                "holding cost is as small as possible.")

    def code(self, d: dict) -> str:
        return model_source(
            "Multi-item economic order quantity with a storage limit (orders per year x quantity = yearly "
            "demand).",
            [("items", d["items"], None), ("annual_demand", d["annual_demand"], "units per year"),
             ("order_cost", d["order_cost"], "dollars per order"),
             ("holding_cost", d["holding_cost"], "dollars per unit per year, on the average stock"),
             ("space_per_unit", d["space_per_unit"], "m2"), ("storage_space", d["storage_space"], "m2")],
            """
model = pyo.ConcreteModel(name="eoq")
model.ITEMS = pyo.Set(initialize=items)
model.quantity = pyo.Var(model.ITEMS, bounds=lambda m, i: (1, annual_demand[i]), initialize=100,
                         doc="units per order")
model.orders = pyo.Var(model.ITEMS, bounds=lambda m, i: (1, annual_demand[i]), initialize=10,
                       doc="orders per year")

model.yearly_cost = pyo.Objective(
    expr=sum(order_cost[i] * model.orders[i] + holding_cost[i] * model.quantity[i] / 2 for i in model.ITEMS),
    sense=pyo.minimize)
# enough orders of this size to cover the year's demand (orders = demand / quantity at the optimum)
model.cover_demand = pyo.Constraint(
    model.ITEMS, rule=lambda m, i: m.quantity[i] * m.orders[i] >= annual_demand[i])
model.storage = pyo.Constraint(
    expr=sum(space_per_unit[i] * model.quantity[i] for i in model.ITEMS) <= storage_space)
""")

    def formulation(self, d: dict) -> dict:
        """Ordering cost is linear in the orders per year, linked to the quantity by
        ``quantity * orders >= demand``, rather than ``demand / quantity`` (see the module docstring)."""
        return formulation(
            ["yearly ordering cost (cost per order times orders per year) plus holding cost (cost per unit "
             "per year times the average stock, half the order quantity) (minimize)",
             f"annual demand: {pairs(d['annual_demand'], 'units', name='annual_demand')}",
             f"cost per order: {pairs(d['order_cost'], prefix='$', name='order_cost')}",
             f"holding cost per unit per year: {pairs(d['holding_cost'], prefix='$', name='holding_cost')}",
             "orders per year times the order quantity covers the annual demand",
             f"a full order of every item fits in the {d['storage_space']} m2 storeroom: "
             f"{pairs(d['space_per_unit'], 'm2 per unit', name='space_per_unit')}",
             "at least one order a year of at least one unit, at most the annual demand of each; orders per "
             "year need not be whole"],
            {"items": d["items"]},
            {"annual_demand": d["annual_demand"], "order_cost": d["order_cost"],
             "holding_cost": d["holding_cost"], "space_per_unit": d["space_per_unit"],
             "storage_space": d["storage_space"]},
            [variable("quantity", "units per order", index=["items"], lower=1),
             variable("orders", "orders per year", index=["items"], lower=1)],
            "minimize", "sum(order_cost[i] * orders[i] + holding_cost[i] * quantity[i] / 2 for i in items)",
            "yearly ordering plus holding cost, dollars",
            [constraint("cover_demand", "quantity[i] * orders[i] >= annual_demand[i]",
                        "enough orders of this size for the year's demand", "i in items"),
             constraint("storage", "sum(space_per_unit[i] * quantity[i] for i in items) <= storage_space",
                        f"a full order of every item fits in {d['storage_space']} m2"),
             constraint("quantity_limit", "quantity[i] <= annual_demand[i]",
                        "no order is larger than the year's demand", "i in items"),
             constraint("orders_limit", "orders[i] <= annual_demand[i]",
                        "at most one order per unit demanded", "i in items")])


class Pricing(Generator):
    name = "pricing"
    problem_class = "NLP"
    description = "pricing: set prices under exponential demand and a shared production capacity"
    sense = "maximize"
    SIZES = {1: 1, 2: 2, 3: 3, 4: 5, 5: 8}

    def sample(self, rng: random.Random, complexity: int) -> dict:
        products = rng.sample(MENU, self.SIZES[complexity])
        cost = {p: rng.randint(1, 6) for p in products}
        sensitivity = {p: rng.choice([0.1, 0.15, 0.2, 0.25, 0.3]) for p in products}
        scale = {p: rng.randint(10, 60) * 100 for p in products}
        # without the capacity limit the best price is cost + 1 / sensitivity; the limit is set to bind
        free = sum(scale[p] * math.exp(-sensitivity[p] * (cost[p] + 1 / sensitivity[p])) for p in products)
        max_price = {p: math.ceil(cost[p] + 3 / sensitivity[p]) for p in products}
        return {"products": products, "unit_cost": cost, "demand_scale": scale,
                "price_sensitivity": sensitivity, "max_price": max_price,
                "daily_capacity": math.floor(free * rng.uniform(0.6, 0.85))}

    def facts(self, d: dict) -> str:
        rows = [f"{p}: costs ${d['unit_cost'][p]} to make; at a price of x dollars it sells "
                f"{d['demand_scale'][p]} * exp(-{num(d['price_sensitivity'][p])} * x) units a day; its "
                "price must be "
                f"between ${d['unit_cost'][p]} and ${d['max_price'][p]}" for p in d["products"]]
        return (f"A cafe sets prices for {plural(len(d['products']), 'product')}:\n"
                f"{bullets(rows)}\nThe kitchen can make at most {d['daily_capacity']} units a day in total, "
                "and everything that is demanded must be made (sales equal demand). Prices may be any "
                "amounts. Goal: choose the prices so that the daily profit (price minus cost, times units "
                "sold, over all products) is as large as possible.")

    def code(self, d: dict) -> str:
        return model_source(
            "Pricing with exponential demand and a shared capacity: maximize daily profit.",
            [("products", d["products"], None), ("unit_cost", d["unit_cost"], "dollars per unit"),
             ("demand_scale", d["demand_scale"], "units a day as the price approaches 0"),
             ("price_sensitivity", d["price_sensitivity"], "per dollar"),
             ("max_price", d["max_price"], "dollars"),
             ("daily_capacity", d["daily_capacity"], "units a day")],
            """
# Modelled in the quantities sold: price = (log(demand_scale) - log(sales)) / price_sensitivity inverts the
# demand curve, and profit is then concave in sales, which a solver handles far better than in prices.
model = pyo.ConcreteModel(name="pricing")
model.PRODUCTS = pyo.Set(initialize=products)
model.sales = pyo.Var(
    model.PRODUCTS, doc="units sold a day",
    bounds=lambda m, p: (demand_scale[p] * math.exp(-price_sensitivity[p] * max_price[p]),  # highest price
                         demand_scale[p] * math.exp(-price_sensitivity[p] * unit_cost[p])))  # lowest price
model.price = pyo.Expression(
    model.PRODUCTS,
    rule=lambda m, p: (math.log(demand_scale[p]) - pyo.log(m.sales[p])) / price_sensitivity[p])

model.profit = pyo.Objective(
    expr=sum((model.price[p] - unit_cost[p]) * model.sales[p] for p in model.PRODUCTS), sense=pyo.maximize)
model.capacity = pyo.Constraint(expr=sum(model.sales[p] for p in model.PRODUCTS) <= daily_capacity)
""", imports=["math"])

    def formulation(self, d: dict) -> dict:
        """In the quantities sold, as the reference code: the price that sells ``sales`` units is
        ``(log(demand_scale) - log(sales)) / price_sensitivity``, and the price range becomes a range of
        sales (a higher price sells less)."""
        price = "(log(demand_scale[p]) - log(sales[p])) / price_sensitivity[p]"
        return formulation(
            ["daily profit, (price - unit cost) times units sold, over all products (maximize)",
             f"unit costs: {pairs(d['unit_cost'], prefix='$', name='unit_cost')}",
             "at a price of x dollars a product sells demand_scale * exp(-price_sensitivity * x) units a "
             "day, so the price that sells s units is (log(demand_scale) - log(s)) / price_sensitivity",
             "price between the unit cost and the maximum price: "
             f"{pairs(d['max_price'], prefix='$', name='max_price')}; a higher price sells less",
             f"at most {d['daily_capacity']} units a day in total (everything demanded is made)"],
            {"products": d["products"]},
            {"unit_cost": d["unit_cost"], "demand_scale": d["demand_scale"],
             "price_sensitivity": d["price_sensitivity"], "max_price": d["max_price"],
             "daily_capacity": d["daily_capacity"]},
            [variable("sales", "units sold a day", index=["products"])],
            "maximize", f"sum(({price} - unit_cost[p]) * sales[p] for p in products)",
            "daily profit, dollars",
            [constraint("capacity", "sum(sales[p] for p in products) <= daily_capacity",
                        f"the kitchen makes at most {d['daily_capacity']} units a day"),
             constraint("price_at_least_cost",
                        "sales[p] <= demand_scale[p] * exp(-price_sensitivity[p] * unit_cost[p])",
                        "the sales at the lowest price, the unit cost", "p in products"),
             constraint("price_at_most_max",
                        "sales[p] >= demand_scale[p] * exp(-price_sensitivity[p] * max_price[p])",
                        "the sales at the highest price", "p in products")])

