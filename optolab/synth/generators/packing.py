"""Packing and cutting: 0-1 knapsack, bin packing, cutting stock (all MILP)."""

from __future__ import annotations

import math
import random

from optolab.synth.generators.base import Generator
from optolab.synth.generators.formulate import constraint, formulation, pairs, variable
from optolab.synth.generators.render import bullets, labels, model_source

GEAR = ("tent", "stove", "lantern", "camera", "rope", "filter", "medkit", "blanket", "binoculars", "tripod",
        "jacket", "compass", "hammock", "grill", "kettle")


class Knapsack(Generator):
    name = "knapsack"
    problem_class = "MILP"
    description = "0-1 knapsack: pack items of given weight and value into a bag with a weight limit"
    sense = "maximize"
    SIZES = {1: 5, 2: 8, 3: 15, 4: 30, 5: 50}

    def sample(self, rng: random.Random, complexity: int) -> dict:
        items = labels(rng, GEAR, self.SIZES[complexity], "item")
        weight = {i: rng.randint(1, 20) for i in items}
        value = {i: max(1, round(weight[i] * rng.uniform(1.0, 3.0) + rng.randint(0, 10))) for i in items}
        capacity = max(max(weight.values()), round(sum(weight.values()) * rng.uniform(0.3, 0.5)))
        return {"items": items, "weight_kg": weight, "value": value, "capacity_kg": capacity}

    def facts(self, d: dict) -> str:
        rows = [f"{i}: weight {d['weight_kg'][i]} kg, value {d['value'][i]} points" for i in d["items"]]
        return (f"A hiker packs a knapsack that can carry at most {d['capacity_kg']} kg. There are "
                f"{len(d['items'])} items; each is either packed once or left behind.\n{bullets(rows)}\n"
                f"Goal: choose the items to pack so that their total weight is at most {d['capacity_kg']} kg "
                "and their total value is as large as possible.")

    def code(self, d: dict) -> str:
        return model_source(
            "0-1 knapsack: choose items to pack within the weight limit, maximizing their total value.",
            [("items", d["items"], None), ("weight_kg", d["weight_kg"], "kg per item"),
             ("value", d["value"], "points per item"), ("capacity_kg", d["capacity_kg"], "weight limit")],
            """
model = pyo.ConcreteModel(name="knapsack")
model.ITEMS = pyo.Set(initialize=items, doc="items that can be packed")
model.weight = pyo.Param(model.ITEMS, initialize=weight_kg, doc="kg")
model.worth = pyo.Param(model.ITEMS, initialize=value, doc="points")
model.pack = pyo.Var(model.ITEMS, domain=pyo.Binary, doc="1 if the item is packed")

model.total_value = pyo.Objective(expr=sum(model.worth[i] * model.pack[i] for i in model.ITEMS),
                                  sense=pyo.maximize)
model.weight_limit = pyo.Constraint(
    expr=sum(model.weight[i] * model.pack[i] for i in model.ITEMS) <= capacity_kg)
""")

    def formulation(self, d: dict) -> dict:
        return formulation(
            [f"total value of the packed items (maximize): {pairs(d['value'], 'points', name='value')}",
             f"total weight of the packed items <= {d['capacity_kg']} kg: "
             f"{pairs(d['weight_kg'], 'kg', name='weight_kg')}",
             "each item is packed once or left behind (yes/no)"],
            {"items": d["items"]},
            {"weight_kg": d["weight_kg"], "value": d["value"], "capacity_kg": d["capacity_kg"]},
            [variable("pack", "1 if the item is packed", index=["items"], type="binary")],
            "maximize", "sum(value[i] * pack[i] for i in items)", "total value of the packed items",
            [constraint("weight_limit", "sum(weight_kg[i] * pack[i] for i in items) <= capacity_kg",
                        f"the knapsack carries at most {d['capacity_kg']} kg")])


class BinPacking(Generator):
    name = "bin_packing"
    problem_class = "MILP"
    description = "bin packing: load crates onto as few identical trucks as possible"
    sense = "minimize"
    SIZES = {1: (4, 3), 2: (6, 4), 3: (9, 5), 4: (12, 6), 5: (16, 8)}  # (crates, trucks available)

    def sample(self, rng: random.Random, complexity: int) -> dict:
        n, trucks = self.SIZES[complexity]
        capacity = rng.choice([100, 120, 150, 200])
        lightest = capacity // 10
        # feasible by construction: the crates are cut from the loads of all trucks but one
        groups = [1] * (trucks - 1)
        for _ in range(n - len(groups)):
            groups[rng.randrange(len(groups))] += 1
        weights: list[int] = []
        for k in groups:
            total = max(k * lightest, round(capacity * rng.uniform(0.4, 0.95)))
            cuts = sorted(rng.randint(0, total - k * lightest) for _ in range(k - 1))
            spare = [b - a for a, b in zip([0] + cuts, cuts + [total - k * lightest])]
            weights += [lightest + x for x in spare]
        rng.shuffle(weights)
        crates = [f"crate{i}" for i in range(1, n + 1)]
        return {"crates": crates, "weight_kg": dict(zip(crates, weights)), "truck_capacity_kg": capacity,
                "trucks_available": trucks}

    def facts(self, d: dict) -> str:
        rows = [f"{c}: {d['weight_kg'][c]} kg" for c in d["crates"]]
        return (f"A warehouse must ship {len(d['crates'])} crates today using identical trucks. Each truck "
                f"carries at most {d['truck_capacity_kg']} kg, and {d['trucks_available']} trucks are "
                f"available. A crate cannot be split between trucks. Crate weights:\n{bullets(rows)}\n"
                "Goal: put every crate on exactly one truck, without overloading any truck, so that as few "
                "trucks as possible are used.")

    def code(self, d: dict) -> str:
        return model_source(
            "Bin packing: load every crate onto one truck, within the truck capacity, using as few trucks as "
            "possible.",
            [("crates", d["crates"], None), ("weight_kg", d["weight_kg"], "kg per crate"),
             ("truck_capacity_kg", d["truck_capacity_kg"], None),
             ("trucks_available", d["trucks_available"], None)],
            """
model = pyo.ConcreteModel(name="bin_packing")
model.CRATES = pyo.Set(initialize=crates)
model.TRUCKS = pyo.RangeSet(trucks_available)
model.weight = pyo.Param(model.CRATES, initialize=weight_kg, doc="kg")
model.use = pyo.Var(model.TRUCKS, domain=pyo.Binary, doc="1 if the truck is used")
model.put = pyo.Var(model.CRATES, model.TRUCKS, domain=pyo.Binary, doc="1 if the crate goes on the truck")

model.trucks_used = pyo.Objective(expr=sum(model.use[t] for t in model.TRUCKS), sense=pyo.minimize)
model.each_crate_once = pyo.Constraint(
    model.CRATES, rule=lambda m, c: sum(m.put[c, t] for t in m.TRUCKS) == 1)
model.truck_capacity = pyo.Constraint(
    model.TRUCKS,
    rule=lambda m, t: sum(m.weight[c] * m.put[c, t] for c in m.CRATES) <= truck_capacity_kg * m.use[t])
# trucks are identical: use them in order, which removes equivalent solutions
model.use_in_order = pyo.Constraint(
    model.TRUCKS, rule=lambda m, t: m.use[t] <= m.use[t - 1] if t > 1 else pyo.Constraint.Skip)
""")

    def formulation(self, d: dict) -> dict:
        cap = d["truck_capacity_kg"]
        return formulation(
            ["number of trucks used (minimize)",
             "every crate goes on exactly one truck (a crate is not split)",
             f"the crates on a truck weigh at most {cap} kg: {pairs(d['weight_kg'], 'kg', name='weight_kg')}",
             f"{d['trucks_available']} identical trucks are available; only a used truck carries crates",
             "using a truck and putting a crate on a truck are yes/no choices"],
            {"crates": d["crates"], "trucks": list(range(1, d["trucks_available"] + 1))},
            {"weight_kg": d["weight_kg"], "truck_capacity_kg": cap},
            [variable("use", "1 if the truck is used", index=["trucks"], type="binary"),
             variable("put", "1 if the crate goes on the truck", index=["crates", "trucks"], type="binary")],
            "minimize", "sum(use[t] for t in trucks)", "trucks used",
            [constraint("each_crate_once", "sum(put[c, t] for t in trucks) == 1",
                        "every crate is loaded on exactly one truck", "c in crates"),
             constraint("truck_capacity",
                        "sum(weight_kg[c] * put[c, t] for c in crates) <= truck_capacity_kg * use[t]",
                        f"at most {cap} kg on a truck, and nothing on an unused truck", "t in trucks"),
             constraint("use_in_order", "use[t] <= use[t - 1]",
                        "the trucks are identical: use them in order (removes equivalent solutions)",
                        "t in trucks[1:]")])


class CuttingStock(Generator):
    name = "cutting_stock"
    problem_class = "MILP"
    description = "cutting stock: cut steel bars into ordered piece lengths using as few bars as possible"
    sense = "minimize"
    # (piece types, pieces per bar): every piece is longer than 1/(k+1) and at most 1/k of a bar, so each
    # maximal cutting pattern holds exactly k pieces and there are C(n+k-1, k) patterns: 4, 10, 35, 70, 126
    SIZES = {1: (2, 3), 2: (3, 3), 3: (4, 4), 4: (5, 4), 5: (6, 4)}

    def sample(self, rng: random.Random, complexity: int) -> dict:
        stock = rng.choice([300, 400, 500, 600])
        n, per_bar = self.SIZES[complexity]
        lengths = sorted(rng.sample(range(stock // (per_bar + 1) + 1, stock // per_bar + 1), n), reverse=True)
        pieces = list("ABCDEFGH"[:n])
        return {"bar_length_cm": stock, "pieces": pieces,
                "length_cm": dict(zip(pieces, lengths)),
                "demand": {p: rng.randint(5, 50) for p in pieces}}

    def facts(self, d: dict) -> str:
        rows = [f"piece {p}: {d['length_cm'][p]} cm long, {d['demand'][p]} needed" for p in d["pieces"]]
        return (f"A workshop cuts steel bars that are all {d['bar_length_cm']} cm long into shorter pieces "
                f"for an order. Each bar can be cut into any mix of pieces whose lengths add up to at most "
                f"{d['bar_length_cm']} cm; the rest of the bar is scrap. The order asks for "
                f"{len(d['pieces'])} piece types:\n{bullets(rows)}\n"
                "Goal: produce at least the ordered number of every piece type while cutting as few bars as "
                "possible.")

    def code(self, d: dict) -> str:
        return model_source(
            "Cutting stock: choose how many bars to cut with each cutting pattern so that every order is met "
            "with as few bars as possible.",
            [("bar_length_cm", d["bar_length_cm"], None), ("pieces", d["pieces"], None),
             ("length_cm", d["length_cm"], "cm per piece type"), ("demand", d["demand"], "pieces ordered")],
            """
def cutting_patterns(lengths, bar_length):
    \"\"\"Every maximal way to cut one bar: pieces per type so that no further piece fits in the rest.\"\"\"
    names = list(lengths)
    shortest = min(lengths.values())
    found = []

    def extend(k, left, counts):
        if k == len(names):
            if left < shortest:
                found.append(dict(zip(names, counts)))
            return
        for n in range(left // lengths[names[k]], -1, -1):
            extend(k + 1, left - n * lengths[names[k]], counts + [n])

    extend(0, bar_length, [])
    return found


patterns = cutting_patterns(length_cm, bar_length_cm)

model = pyo.ConcreteModel(name="cutting_stock")
model.PIECES = pyo.Set(initialize=pieces)
model.PATTERNS = pyo.RangeSet(len(patterns))
model.per_bar = pyo.Param(model.PATTERNS, model.PIECES, initialize=lambda m, k, p: patterns[k - 1][p],
                          doc="pieces of each type that one bar cut with pattern k gives")
model.bars = pyo.Var(model.PATTERNS, domain=pyo.NonNegativeIntegers, doc="bars cut with pattern k")

model.bars_used = pyo.Objective(expr=sum(model.bars[k] for k in model.PATTERNS), sense=pyo.minimize)
model.meet_order = pyo.Constraint(
    model.PIECES, rule=lambda m, p: sum(m.per_bar[k, p] * m.bars[k] for k in m.PATTERNS) >= demand[p])
""")

    def formulation(self, d: dict) -> dict:
        """Bar by bar (Kantorovich), not pattern by pattern: listing every cutting pattern is a computation,
        while a bound on the bars needed is one line of arithmetic. Cutting each piece type on bars of its
        own never needs more bars than ``sum(ceil(demand / pieces per bar))``, which numbers the bars."""
        stock = d["bar_length_cm"]
        n_bars = sum(math.ceil(d["demand"][p] / (stock // d["length_cm"][p])) for p in d["pieces"])
        return formulation(
            ["number of bars cut (minimize)",
             f"the pieces cut from one bar are at most {stock} cm long in total: "
             f"{pairs(d['length_cm'], 'cm', name='length_cm')}",
             f"at least the ordered number of every piece type: {pairs(d['demand'], name='demand')}",
             f"at most {n_bars} bars are needed (each piece type cut on bars of its own), numbered 1 to "
             f"{n_bars}",
             "bars and pieces are whole; cutting a bar is a yes/no choice"],
            {"pieces": d["pieces"], "bars": list(range(1, n_bars + 1))},
            {"bar_length_cm": stock, "length_cm": d["length_cm"], "demand": d["demand"]},
            [variable("cut", "1 if the bar is cut", index=["bars"], type="binary"),
             variable("pieces_cut", "pieces of the type cut from the bar", index=["bars", "pieces"],
                      type="integer")],
            "minimize", "sum(cut[b] for b in bars)", "bars cut",
            [constraint("bar_length",
                        "sum(length_cm[p] * pieces_cut[b, p] for p in pieces) <= bar_length_cm * cut[b]",
                        f"the pieces of a bar fit in its {stock} cm; an uncut bar gives none", "b in bars"),
             constraint("meet_order", "sum(pieces_cut[b, p] for b in bars) >= demand[p]",
                        "at least the ordered number of each piece type", "p in pieces"),
             constraint("cut_in_order", "cut[b] <= cut[b - 1]",
                        "the bars are identical: cut them in order (removes equivalent solutions)",
                        "b in bars[1:]")])

