"""Networks: min-cost flow, shortest path and max flow (all LP; their optimal bases are integral)."""

from __future__ import annotations

import math
import random

from optolab.synth.generators.base import Generator
from optolab.synth.generators.formulate import constraint, formulation, pairs, variable
from optolab.synth.generators.logistics import TOWNS
from optolab.synth.generators.render import bullets, distance, model_source, plural, points


class MinCostFlow(Generator):
    name = "min_cost_flow"
    problem_class = "LP"
    description = "min-cost flow: route goods from plants through hubs to stores over capacitated lanes"
    sense = "minimize"
    SIZES = {1: (1, 2, 2), 2: (2, 2, 3), 3: (2, 3, 5), 4: (3, 4, 7), 5: (4, 5, 10)}  # plants, hubs, stores

    def sample(self, rng: random.Random, complexity: int) -> dict:
        n_p, n_h, n_s = self.SIZES[complexity]
        plants = [f"P{i}" for i in range(1, n_p + 1)]
        hubs = [f"H{i}" for i in range(1, n_h + 1)]
        stores = [f"S{i}" for i in range(1, n_s + 1)]
        demand = {s: rng.randint(10, 50) for s in stores}
        total = math.ceil(sum(demand.values()) * rng.uniform(1.1, 1.3))
        shares = [rng.uniform(0.5, 1.5) for _ in plants]
        supply = {p: math.ceil(total * w / sum(shares)) for p, w in zip(plants, shares)}
        cost: dict[tuple[str, str], int] = {}
        for p in plants:
            for h in hubs:
                cost[p, h] = rng.randint(2, 8)
        store_hubs = {s: rng.sample(hubs, 2) for s in stores}
        for s in stores:
            for h in store_hubs[s]:
                cost[h, s] = rng.randint(1, 6)
        hub_pairs = [(a, b) for a in hubs for b in hubs if a != b]
        for a, b in rng.sample(hub_pairs, n_h - 1):
            cost[a, b] = rng.randint(1, 3)
        for p in plants:  # one expensive direct lane per plant
            cost[p, rng.choice(stores)] = rng.randint(8, 14)
        # a feasible flow by construction: each store is served through one of its hubs, from any plant
        flow = dict.fromkeys(cost, 0)
        left = dict(supply)
        for s in stores:
            h = rng.choice(store_hubs[s])
            flow[h, s] += demand[s]
            need = demand[s]
            for p in rng.sample(plants, len(plants)):
                take = min(need, left[p])
                flow[p, h] += take
                left[p] -= take
                need -= take
        nodes = plants + hubs + stores
        order = sorted(cost, key=lambda ab: (nodes.index(ab[0]), nodes.index(ab[1])))
        arcs = [{"from": a, "to": b,
                 "capacity": flow[a, b] + rng.randint(5, 30) if flow[a, b] else rng.randint(10, 40),
                 "unit_cost": cost[a, b]} for a, b in order]
        return {"plants": plants, "hubs": hubs, "stores": stores, "supply": supply, "demand": demand,
                "arcs": arcs}

    def facts(self, d: dict) -> str:
        supply = [f"plant {p} can send out at most {d['supply'][p]} units" for p in d["plants"]]
        demand = [f"store {s} must receive exactly {d['demand'][s]} units" for s in d["stores"]]
        lanes = [f"{a['from']} to {a['to']}: at most {a['capacity']} units, ${a['unit_cost']} per unit"
                 for a in d["arcs"]]
        return (f"A distributor moves one product from {plural(len(d['plants']), 'plant')} "
                f"({', '.join(d['plants'])}) through {len(d['hubs'])} hubs ({', '.join(d['hubs'])}) to "
                f"{len(d['stores'])} stores ({', '.join(d['stores'])}).\n"
                f"{bullets(supply + demand)}\nHubs hold no stock: everything that enters a hub leaves it. "
                "Goods can only move along these one-way lanes, each with a capacity and a cost per unit:\n"
                f"{bullets(lanes)}\nGoal: decide how many units (fractions allowed) to send along each lane "
                "so that every store receives its demand, no plant sends more than its supply, no lane "
                "carries more than its capacity, and the total transport cost is as small as possible.")

    def code(self, d: dict) -> str:
        return model_source(
            "Min-cost flow: send goods from plants through hubs to stores along capacitated lanes at least "
            "cost.",
            [("plants", d["plants"], None), ("hubs", d["hubs"], None), ("stores", d["stores"], None),
             ("supply", d["supply"], "units each plant can send"),
             ("demand", d["demand"], "units each store needs"),
             ("arcs", d["arcs"], "one-way lanes: capacity in units, unit_cost in dollars per unit")],
            """
lanes = {(a["from"], a["to"]): a for a in arcs}

model = pyo.ConcreteModel(name="min_cost_flow")
model.NODES = pyo.Set(initialize=plants + hubs + stores)
model.LANES = pyo.Set(initialize=list(lanes), dimen=2)
model.flow = pyo.Var(model.LANES, bounds=lambda m, i, j: (0, lanes[i, j]["capacity"]),
                     doc="units sent along the lane")

model.total_cost = pyo.Objective(
    expr=sum(lanes[i, j]["unit_cost"] * model.flow[i, j] for i, j in model.LANES), sense=pyo.minimize)


def flow_balance(m, n):
    sent = sum(m.flow[i, j] for i, j in m.LANES if i == n)
    received = sum(m.flow[i, j] for i, j in m.LANES if j == n)
    if n in supply:
        return sent - received <= supply[n]
    if n in demand:
        return received - sent == demand[n]
    return sent == received  # hubs pass everything on


model.flow_balance = pyo.Constraint(model.NODES, rule=flow_balance)
""")

    def formulation(self, d: dict) -> dict:
        lanes = [f"{a['from']}-{a['to']}" for a in d["arcs"]]
        sent = "sum(flow[l] for l in lanes if lane_from[l] == n)"
        received = "sum(flow[l] for l in lanes if lane_to[l] == n)"
        return formulation(
            ["transport cost per unit on each lane, from unit_cost (minimize)",
             "no lane carries more than its capacity, from capacity",
             f"each plant sends out at most its supply: {pairs(d['supply'], name='supply')}",
             f"each store receives exactly its demand: {pairs(d['demand'], name='demand')}",
             "hubs hold no stock: what enters a hub leaves it",
             "goods move only along the listed one-way lanes, in fractional amounts"],
            {"plants": d["plants"], "hubs": d["hubs"], "stores": d["stores"], "lanes": lanes},
            {"supply": d["supply"], "demand": d["demand"],
             "lane_from": {lane: a["from"] for lane, a in zip(lanes, d["arcs"])},
             "lane_to": {lane: a["to"] for lane, a in zip(lanes, d["arcs"])},
             "capacity": {lane: a["capacity"] for lane, a in zip(lanes, d["arcs"])},
             "unit_cost": {lane: a["unit_cost"] for lane, a in zip(lanes, d["arcs"])}},
            [variable("flow", "units sent along the lane", index=["lanes"])],
            "minimize", "sum(unit_cost[l] * flow[l] for l in lanes)", "total transport cost, dollars",
            [constraint("lane_capacity", "flow[l] <= capacity[l]", "a lane carries at most its capacity",
                        "l in lanes"),
             constraint("plant_supply", f"{sent} - {received} <= supply[n]",
                        "a plant sends out no more than its supply", "n in plants"),
             constraint("store_demand", f"{received} - {sent} == demand[n]",
                        "a store receives exactly its demand", "n in stores"),
             constraint("hub_balance", f"{sent} == {received}", "hubs pass everything on", "n in hubs")])


class ShortestPath(Generator):
    name = "shortest_path"
    problem_class = "LP"
    description = "shortest path: the fastest drive between two towns on a road network"
    sense = "minimize"
    SIZES = {1: 5, 2: 7, 3: 10, 4: 14, 5: 20}

    def sample(self, rng: random.Random, complexity: int) -> dict:
        n = self.SIZES[complexity]
        towns = rng.sample(TOWNS, n)
        where = dict(zip(towns, points(rng, n, 100, 60)))
        by_x = sorted(towns, key=lambda t: where[t][0])
        chain = [frozenset(p) for p in zip(by_x, by_x[1:])]  # keeps the network connected
        others = sorted((frozenset((a, b)) for i, a in enumerate(towns) for b in towns[i + 1:]
                         if frozenset((a, b)) not in chain),
                        key=lambda e: distance(*(where[t] for t in sorted(e))))
        extra = rng.sample(others[:3 * n], n // 2 + 2)
        roads = []
        for e in chain + extra:
            a, b = sorted(e, key=towns.index)
            minutes = max(1, round(distance(where[a], where[b]) * rng.uniform(1.0, 1.4)))  # roads wind
            roads.append({"from": a, "to": b, "minutes": minutes})
        roads.sort(key=lambda r: (towns.index(r["from"]), towns.index(r["to"])))
        return {"towns": towns, "origin": by_x[0], "destination": by_x[-1], "roads": roads}

    def facts(self, d: dict) -> str:
        roads = [f"{r['from']} - {r['to']}: {r['minutes']} minutes" for r in d["roads"]]
        return (f"A courier drives from {d['origin']} to {d['destination']} on a network of "
                f"{len(d['towns'])} towns ({', '.join(d['towns'])}). Every road can be driven in both "
                f"directions, and the driving times are:\n{bullets(roads)}\n"
                f"Goal: find the route from {d['origin']} to {d['destination']} with the smallest total "
                "driving time.")

    def code(self, d: dict) -> str:
        return model_source(
            "Shortest path as a network flow: one unit of flow leaves the origin and reaches the "
            "destination.",
            [("towns", d["towns"], None), ("origin", d["origin"], None),
             ("destination", d["destination"], None),
             ("roads", d["roads"], "two-way roads with driving times in minutes")],
            """
minutes = {}
for r in roads:  # each road can be driven both ways
    minutes[r["from"], r["to"]] = r["minutes"]
    minutes[r["to"], r["from"]] = r["minutes"]

model = pyo.ConcreteModel(name="shortest_path")
model.TOWNS = pyo.Set(initialize=towns)
model.ARCS = pyo.Set(initialize=list(minutes), dimen=2)
model.drive = pyo.Var(model.ARCS, bounds=(0, 1), doc="1 if the route drives along the road in this direction")

model.total_minutes = pyo.Objective(expr=sum(minutes[i, j] * model.drive[i, j] for i, j in model.ARCS),
                                    sense=pyo.minimize)


def route_balance(m, t):
    leaving = sum(m.drive[i, j] for i, j in m.ARCS if i == t)
    arriving = sum(m.drive[i, j] for i, j in m.ARCS if j == t)
    net = 1 if t == origin else -1 if t == destination else 0
    return leaving - arriving == net


model.route_balance = pyo.Constraint(model.TOWNS, rule=route_balance)
""")

    def formulation(self, d: dict) -> dict:
        """Each two-way road is two arcs, one per direction, named ``from-to``."""
        ends = [(r["from"], r["to"], r["minutes"]) for r in d["roads"]]
        ends += [(b, a, m) for a, b, m in ends]
        arcs = [f"{a}-{b}" for a, b, _ in ends]
        leaving = "sum(drive[a] for a in arcs if arc_from[a] == t)"
        arriving = "sum(drive[a] for a in arcs if arc_to[a] == t)"
        return formulation(
            [f"total driving minutes of the route from {d['origin']} to {d['destination']} (minimize)",
             "every road can be driven in both directions, in the same time (minutes per arc)",
             f"the route leaves {d['origin']} once, arrives at {d['destination']} once, and leaves every "
             "other town as often as it arrives there"],
            {"towns": d["towns"], "arcs": arcs},
            {"origin": d["origin"], "destination": d["destination"],
             "arc_from": {arc: a for arc, (a, _, _) in zip(arcs, ends)},
             "arc_to": {arc: b for arc, (_, b, _) in zip(arcs, ends)},
             "minutes": {arc: m for arc, (_, _, m) in zip(arcs, ends)}},
            [variable("drive", "1 if the route drives along the road in this direction", index=["arcs"],
                      upper=1)],
            "minimize", "sum(minutes[a] * drive[a] for a in arcs)", "total driving minutes",
            [constraint("route_balance",
                        f"{leaving} - {arriving} == (1 if t == origin else (-1 if t == destination else 0))",
                        "one unit of flow leaves the origin and reaches the destination", "t in towns")])


class MaxFlow(Generator):
    name = "max_flow"
    problem_class = "LP"
    description = "max flow: the most water a pipe network can carry from a reservoir to a city"
    sense = "maximize"
    SIZES = {1: (3, 3), 2: (5, 5), 3: (8, 9), 4: (12, 14), 5: (16, 20)}  # junctions, pipes off the main line

    def sample(self, rng: random.Random, complexity: int) -> dict:
        n, n_extra = self.SIZES[complexity]
        junctions = [f"J{i}" for i in range(1, n + 1)]
        order = ["reservoir"] + junctions + ["city"]
        main_line = list(zip(order, order[1:]))  # guarantees a path from the reservoir to the city
        candidates = [(a, b) for i, a in enumerate(order) for b in order[i + 2:]
                      if (a, b) != ("reservoir", "city")]
        candidates += [(b, a) for i, a in enumerate(junctions) for b in junctions[i + 1:]]
        pipes = main_line + rng.sample(candidates, n_extra)
        pipes.sort(key=lambda p: (order.index(p[0]), order.index(p[1])))
        return {"source": "reservoir", "sink": "city", "junctions": junctions,
                "pipes": [{"from": a, "to": b, "capacity": rng.randint(5, 40)} for a, b in pipes]}

    def facts(self, d: dict) -> str:
        pipes = [f"{p['from']} to {p['to']}: at most {p['capacity']} thousand m3 per day" for p in d["pipes"]]
        return (f"Water flows from the {d['source']} to the {d['sink']} through a network of one-way pipes "
                f"that meet at {len(d['junctions'])} junctions ({', '.join(d['junctions'])}). Junctions "
                "store nothing: what flows into a junction flows out of it. Pipe capacities:\n"
                f"{bullets(pipes)}\nGoal: find the largest amount of water per day that can flow from the "
                f"{d['source']} to the {d['sink']}.")

    def code(self, d: dict) -> str:
        return model_source(
            "Max flow: the largest flow from the source to the sink through capacitated one-way pipes.",
            [("source", d["source"], None), ("sink", d["sink"], None), ("junctions", d["junctions"], None),
             ("pipes", d["pipes"], "one-way pipes, capacity in thousand m3 per day")],
            """
capacity = {(p["from"], p["to"]): p["capacity"] for p in pipes}

model = pyo.ConcreteModel(name="max_flow")
model.JUNCTIONS = pyo.Set(initialize=junctions)
model.PIPES = pyo.Set(initialize=list(capacity), dimen=2)
model.flow = pyo.Var(model.PIPES, bounds=lambda m, i, j: (0, capacity[i, j]), doc="thousand m3 per day")

model.delivered = pyo.Objective(
    expr=sum(model.flow[i, j] for i, j in model.PIPES if j == sink)
    - sum(model.flow[i, j] for i, j in model.PIPES if i == sink),
    sense=pyo.maximize)
model.conservation = pyo.Constraint(
    model.JUNCTIONS,
    rule=lambda m, n: sum(m.flow[i, j] for i, j in m.PIPES if j == n)
    == sum(m.flow[i, j] for i, j in m.PIPES if i == n))
""")

    def formulation(self, d: dict) -> dict:
        pipes = [f"{p['from']}-{p['to']}" for p in d["pipes"]]
        inflow = "sum(flow[p] for p in pipes if pipe_to[p] == {})"
        outflow = "sum(flow[p] for p in pipes if pipe_from[p] == {})"
        return formulation(
            [f"water per day arriving at the {d['sink']} from the {d['source']} (maximize)",
             "no pipe carries more than its capacity, from capacity (thousand m3 per day)",
             "junctions store nothing: what flows into a junction flows out of it",
             "water moves only along the listed one-way pipes"],
            {"junctions": d["junctions"], "pipes": pipes},
            {"sink": d["sink"],
             "pipe_from": {name: p["from"] for name, p in zip(pipes, d["pipes"])},
             "pipe_to": {name: p["to"] for name, p in zip(pipes, d["pipes"])},
             "capacity": {name: p["capacity"] for name, p in zip(pipes, d["pipes"])}},
            [variable("flow", "thousand m3 per day through the pipe", index=["pipes"]),
             variable("delivered", f"thousand m3 per day arriving at the {d['sink']}")],
            "maximize", "delivered", f"water per day arriving at the {d['sink']}",
            [constraint("delivered_flow", f"delivered == {inflow.format('sink')} - {outflow.format('sink')}",
                        "what arrives at the sink, net of what leaves it"),
             constraint("pipe_capacity", "flow[p] <= capacity[p]", "a pipe carries at most its capacity",
                        "p in pipes"),
             constraint("conservation", f"{inflow.format('n')} == {outflow.format('n')}",
                        "what flows into a junction flows out of it", "n in junctions")])
