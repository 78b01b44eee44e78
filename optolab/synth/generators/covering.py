"""Covering: choose ambulance stations so that every district is within reach of one (set cover, MILP)."""

from __future__ import annotations

import random

from optolab.synth.generators.base import Generator
from optolab.synth.generators.formulate import constraint, formulation, pairs, variable
from optolab.synth.generators.render import bullets, distance, join_and, model_source, points


class SetCover(Generator):
    name = "set_cover"
    problem_class = "MILP"
    description = "set cover: build the cheapest set of stations that covers every district"
    sense = "minimize"
    SIZES = {1: (4, 6), 2: (5, 9), 3: (8, 15), 4: (12, 24), 5: (18, 36)}  # candidate sites, districts

    def sample(self, rng: random.Random, complexity: int) -> dict:
        n_sites, n_districts = self.SIZES[complexity]
        sites = [f"site{i}" for i in range(1, n_sites + 1)]
        districts = [f"D{i}" for i in range(1, n_districts + 1)]
        where = dict(zip(sites + districts, points(rng, n_sites + n_districts)))
        reach = rng.uniform(25, 35)
        covers = {s: [d for d in districts if distance(where[s], where[d]) <= reach] for s in sites}
        for d in districts:  # every district can be covered by at least its nearest site
            if not any(d in covered for covered in covers.values()):
                covers[min(sites, key=lambda s: distance(where[s], where[d]))].append(d)
        for s in sites:  # and every site covers something
            if not covers[s]:
                covers[s].append(min(districts, key=lambda d: distance(where[s], where[d])))
        covers = {s: sorted(c, key=districts.index) for s, c in covers.items()}
        cost = {s: rng.randint(10, 40) * 10 for s in sites}
        return {"sites": sites, "districts": districts, "build_cost": cost, "covers": covers}

    def facts(self, d: dict) -> str:
        rows = [f"{s}: costs ${d['build_cost'][s]} thousand and would cover {join_and(d['covers'][s])}"
                for s in d["sites"]]
        return (f"A county wants ambulance stations so that each of its {len(d['districts'])} districts "
                f"({', '.join(d['districts'])}) can be reached quickly from at least one station. There are "
                f"{len(d['sites'])} candidate sites; for each, the building cost and the districts it would "
                f"cover are:\n{bullets(rows)}\n"
                "Goal: choose the sites to build on so that every district is covered and the total building "
                "cost is as small as possible.")

    def code(self, d: dict) -> str:
        return model_source(
            "Set cover: choose station sites covering every district at least building cost.",
            [("sites", d["sites"], None), ("districts", d["districts"], None),
             ("build_cost", d["build_cost"], "thousand dollars"),
             ("covers", d["covers"], "districts within reach of each site")],
            """
model = pyo.ConcreteModel(name="set_cover")
model.SITES = pyo.Set(initialize=sites)
model.DISTRICTS = pyo.Set(initialize=districts)
model.build = pyo.Var(model.SITES, domain=pyo.Binary, doc="1 if a station is built on the site")

model.total_cost = pyo.Objective(expr=sum(build_cost[s] * model.build[s] for s in model.SITES),
                                 sense=pyo.minimize)
model.covered = pyo.Constraint(
    model.DISTRICTS, rule=lambda m, d: sum(m.build[s] for s in m.SITES if d in covers[s]) >= 1)
""")

    def formulation(self, d: dict) -> dict:
        return formulation(
            [f"total building cost in thousand dollars (minimize): "
             f"{pairs(d['build_cost'], prefix='$', name='build_cost')}",
             "every district is covered by at least one station built on a site that covers it",
             "building a station on a site is a yes/no choice"],
            {"sites": d["sites"], "districts": d["districts"]},
            {"build_cost": d["build_cost"], "covers": d["covers"]},
            [variable("build", "1 if a station is built on the site", index=["sites"], type="binary")],
            "minimize", "sum(build_cost[s] * build[s] for s in sites)", "building cost, thousand dollars",
            [constraint("covered", "sum(build[s] for s in sites if d in covers[s]) >= 1",
                        "some built station reaches the district", "d in districts")])
