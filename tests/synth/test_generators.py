"""Instance generators: every registered family solves, is deterministic, grows with complexity, states every
number of its data, round-trips, runs in the sandbox; and tiny instances match optima found independently
(enumeration, permutations, graph algorithms, closed forms)."""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import subprocess
import sys

import networkx as nx
import pyomo.environ as pyo
import pytest

from optolab.errors import OptolabError
from optolab.solvers import classify
from optolab.solvers.policy import check_code
from optolab.synth.generators import (
    Generator,
    GeneratorError,
    Instance,
    build_model,
    generate,
    generators,
    get_generator,
)
from optolab.synth.generators.render import literal, num

NAMES = sorted(generators())
SEEDS = (0, 1, 2)


@pytest.fixture(scope="module")
def solved():
    """generate() with a cache, so tests that look at the same instance solve it once."""
    cache: dict[tuple[str, int, int], Instance] = {}

    def get(name: str, seed: int, complexity: int) -> Instance:
        key = (name, seed, complexity)
        if key not in cache:
            cache[key] = generate(name, seed, complexity)
        return cache[key]

    return get


def _var_count(model) -> int:
    return sum(1 for _ in model.component_data_objects(pyo.Var, descend_into=True))


def _check_solution(inst: Instance) -> None:
    """The recorded solution satisfies every constraint and bound of the model and gives the optimum."""
    model = inst.build_model()
    for v in model.component_data_objects(pyo.Var, descend_into=True):
        assert v.name in inst.solution, v.name
        v.set_value(inst.solution[v.name], skip_validation=True)
        value = inst.solution[v.name]
        assert v.lb is None or value >= v.lb - 1e-6, (v.name, value, v.lb)
        assert v.ub is None or value <= v.ub + 1e-6, (v.name, value, v.ub)
        if not v.is_continuous():
            assert abs(value - round(value)) < 1e-6, (v.name, value)
    for c in model.component_data_objects(pyo.Constraint, active=True):
        body = pyo.value(c.body)
        scale = 1e-6 * max(1.0, abs(body))
        assert c.lower is None or body >= pyo.value(c.lower) - scale, c.name
        assert c.upper is None or body <= pyo.value(c.upper) + scale, c.name
    objective = next(model.component_data_objects(pyo.Objective, active=True))
    assert pyo.value(objective) == pytest.approx(inst.optimum, rel=1e-6, abs=1e-6)


def _leaves(obj):
    """Numbers and strings among the values of nested data (dict keys are names or field names)."""
    if isinstance(obj, dict):
        for v in obj.values():
            yield from _leaves(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _leaves(v)
    else:
        yield obj


def _mentions(text: str, token: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(token)}(?!\w|\.\d)", text) is not None


# --- the registry --------------------------------------------------------------------------------


def test_registry_has_fifteen_plus_distinct_families():
    registry = generators()
    assert len(registry) >= 15
    assert len({type(g) for g in registry.values()}) == len(registry)
    for name, gen in registry.items():
        assert isinstance(gen, Generator) and gen.name == name and gen.description
        assert gen.sense in ("minimize", "maximize") and gen.complexity_range == (1, 5)
    classes = {g.problem_class for g in registry.values()}
    assert {"LP", "MILP", "QP", "NLP"} <= classes
    registry.clear()  # a fresh dict each call: clearing it does not touch the registry
    assert len(generators()) >= 15


def test_lazy_package_exports():
    import optolab.synth as synth

    assert synth.generate is generate and synth.Instance is Instance and synth.get_generator is get_generator
    with pytest.raises(AttributeError):
        synth.no_such_name  # noqa: B018


def test_wrong_use_gives_clear_errors():
    with pytest.raises(GeneratorError, match="knapsack") as info:
        generate("knapsak", 0)
    assert isinstance(info.value, OptolabError) and isinstance(info.value, ValueError)
    for bad in (0, 6, 2.0, "2", True):
        with pytest.raises(GeneratorError, match="complexity must be an integer from 1 to 5"):
            get_generator("knapsack").draft(0, bad)
    with pytest.raises(GeneratorError, match="seed must be an integer"):
        get_generator("knapsack").draft("7", 1)
    with pytest.raises(GeneratorError, match="missing keys"):
        Instance.from_dict({"generator": "knapsack"})
    with pytest.raises(GeneratorError, match="unknown keys"):
        Instance.from_dict({**get_generator("knapsack").draft(0, 1).to_dict(), "extra": 1})
    with pytest.raises(GeneratorError, match="fails to run"):
        build_model("model = undefined_name")
    with pytest.raises(GeneratorError, match="ConcreteModel"):
        build_model("model = 3")


# --- every family --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_solves_to_optimal_with_a_feasible_solution(name, solved):
    gen = get_generator(name)
    for seed, complexity in [(s, 1) for s in SEEDS] + [(0, 3)]:
        inst = solved(name, seed, complexity)
        assert inst.status == "optimal" and inst.solved and math.isfinite(inst.optimum), (seed, complexity)
        assert inst.generator == name and inst.sense == gen.sense and inst.problem_class == gen.problem_class
        model = inst.build_model()
        assert classify(model) == gen.problem_class
        sense = next(model.component_data_objects(pyo.Objective, active=True)).sense
        assert sense == (pyo.maximize if gen.sense == "maximize" else pyo.minimize)
        _check_solution(inst)


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_instance_other_seeds_differ(name, solved):
    gen = get_generator(name)
    first, again = gen.draft(1, 1), gen.draft(1, 1)
    assert (first.data, first.facts, first.code) == (again.data, again.facts, again.code)
    assert generate(name, 1, 1).optimum == pytest.approx(solved(name, 1, 1).optimum, rel=1e-9, abs=1e-9)
    datas = [json.dumps(gen.draft(seed, 2).data, sort_keys=True) for seed in range(4)]
    assert len(set(datas)) == len(datas)
    assert gen.draft(0, 1).code != gen.draft(0, 2).code


@pytest.mark.parametrize("name", NAMES)
def test_higher_complexity_gives_more_variables(name):
    gen = get_generator(name)
    for seed in (0, 5):
        counts = [_var_count(gen.draft(seed, c).build_model()) for c in range(1, 6)]
        assert counts == sorted(set(counts)), counts


@pytest.mark.parametrize("name", NAMES)
def test_every_number_and_name_of_the_data_is_in_the_facts(name):
    gen = get_generator(name)
    for complexity in range(1, 6):
        inst = gen.draft(11, complexity)
        leaves = list(_leaves(inst.data))
        assert any(isinstance(x, (int, float)) for x in leaves)
        for x in leaves:
            token = num(x) if isinstance(x, (int, float)) else x
            assert _mentions(inst.facts, token), (complexity, token)
        assert "Goal:" in inst.facts and "\n\n" not in inst.facts
        for key, value in inst.data.items():  # the code carries exactly the same data, under the same names
            assert f"{key} = {literal(value)}" in inst.code, key


@pytest.mark.parametrize("name", NAMES)
def test_code_is_standalone_readable_and_passes_the_sandbox_policy(name):
    inst = get_generator(name).draft(3, 2)
    assert check_code(inst.code) == []
    assert inst.code.startswith('"""') and "import pyomo.environ as pyo" in inst.code
    assert "solve(" not in inst.code and "SolverFactory" not in inst.code and "print(" not in inst.code
    model = inst.build_model()
    assert isinstance(model, pyo.ConcreteModel) and model.name == name
    assert all(len(line) <= 110 for line in inst.code.splitlines())


@pytest.mark.parametrize("name", NAMES)
def test_instance_round_trips_through_json(name, solved):
    inst = solved(name, 0, 1)
    back = Instance.from_dict(json.loads(json.dumps(inst.to_dict())))
    assert back == inst
    assert back.build_model() is not None and back.to_dict() == inst.to_dict()


def test_a_solver_error_is_retried_with_scip(monkeypatch):
    """HiGHS 1.15 calls a few convex QPs non-convex; the reference solve then falls back to SCIP."""
    import optolab.solvers as solvers
    from optolab.solvers import SolveResult, Termination

    real_solve, calls = solvers.solve, []

    def flaky(model, solver="auto", **kwargs):
        calls.append(solver)
        if solver == "auto":
            return SolveResult(Termination.ERROR, solver="highs", message="QP solver model status: Non-convex")
        return real_solve(model, solver=solver, **kwargs)

    monkeypatch.setattr(solvers, "solve", flaky)
    inst = generate("portfolio", 0, 1)
    assert calls == ["auto", "scip"] and inst.status == "optimal"
    monkeypatch.setattr(solvers, "solve", real_solve)
    assert inst.optimum == pytest.approx(generate("portfolio", 0, 1).optimum, rel=1e-5)


def test_largest_instances_solve_to_optimal():
    for name in NAMES:
        inst = generate(name, 0, 5)
        assert inst.status == "optimal", name


DIGEST = """
import hashlib, json
from optolab.synth.generators import generators

drafts = [g.draft(4, 2) for _, g in sorted(generators().items())]
digest = hashlib.sha256(json.dumps([[d.data, d.facts, d.code] for d in drafts]).encode()).hexdigest()
"""


def test_draws_do_not_depend_on_the_hash_seed():
    """Same (seed, complexity) gives the same instance in another process with another PYTHONHASHSEED."""
    here: dict = {}
    exec(DIGEST, here)  # noqa: S102 - the test's own snippet
    script = DIGEST + "print(digest)\n"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == here["digest"]


@pytest.fixture(scope="module")
def pool():
    from optolab.solvers.sandbox import SandboxPool

    with SandboxPool(size=2) as p:
        yield p


def test_instance_code_gives_the_same_optimum_in_the_sandbox(pool, solved):
    from concurrent.futures import ThreadPoolExecutor

    instances = [solved(name, 0, 1) for name in NAMES]
    with ThreadPoolExecutor(2) as ex:
        results = list(ex.map(lambda inst: pool.run(inst.code, time_limit=30), instances))
    for inst, r in zip(instances, results):
        assert r.ok, (inst.generator, r.status, r.error)
        assert r.solve.termination.value == "optimal", inst.generator
        assert r.solve.objective == pytest.approx(inst.optimum, rel=1e-6), inst.generator


# --- optima checked independently ----------------------------------------------------------------


def test_knapsack_by_enumeration(solved):
    for seed in range(4):
        inst = solved("knapsack", seed, 1) if seed in SEEDS else generate("knapsack", seed, 1)
        d = inst.data
        best = max(sum(d["value"][i] for i in chosen)
                   for r in range(len(d["items"]) + 1) for chosen in itertools.combinations(d["items"], r)
                   if sum(d["weight_kg"][i] for i in chosen) <= d["capacity_kg"])
        assert inst.optimum == pytest.approx(best)


def test_knapsack_worked_by_hand():
    data = {"items": ["map", "lamp", "cup"], "weight_kg": {"map": 5, "lamp": 4, "cup": 3},
            "value": {"map": 10, "lamp": 40, "cup": 30}, "capacity_kg": 8}
    from optolab.solvers import solve

    result = solve(build_model(get_generator("knapsack").code(data)))
    assert result.objective == pytest.approx(70)  # lamp + cup: 7 kg, 70 points; map + anything > 8 kg or less
    assert result.variables["pack[lamp]"] == 1 and result.variables["pack[map]"] == 0


def test_transportation_worked_by_hand():
    # A ships at $1 to X and $4 to Y, B at $3 to X and $2 to Y; A has 30, B has 40; X needs 20, Y needs 35:
    # X from A (20 * 1) and Y from B (35 * 2) = 90, and no cheaper split exists since each customer uses its
    # cheapest plant within supply
    data = {"plants": ["A", "B"], "customers": ["X", "Y"], "supply": {"A": 30, "B": 40},
            "demand": {"X": 20, "Y": 35}, "unit_cost": {"A": {"X": 1, "Y": 4}, "B": {"X": 3, "Y": 2}}}
    from optolab.solvers import solve

    result = solve(build_model(get_generator("transportation").code(data)))
    assert result.objective == pytest.approx(90)
    assert get_generator("transportation").facts(data).count("$") == 4


def test_assignment_by_permutations(solved):
    for seed, complexity in [(0, 1), (1, 1), (2, 1), (0, 2)]:
        inst = solved("assignment", seed, complexity) if complexity == 1 else generate("assignment", seed, 2)
        d = inst.data
        best = min(sum(d["hours"][w][t] for w, t in zip(d["workers"], perm))
                   for perm in itertools.permutations(d["tasks"]))
        assert inst.optimum == pytest.approx(best)


def test_bin_packing_by_enumeration(solved):
    for seed in SEEDS:
        inst = solved("bin_packing", seed, 1)
        d = inst.data
        weights = [d["weight_kg"][c] for c in d["crates"]]
        choices = itertools.product(range(d["trucks_available"]), repeat=len(weights))
        best = min(len(set(trucks)) for trucks in choices
                   if all(sum(w for w, t in zip(weights, trucks) if t == k) <= d["truck_capacity_kg"]
                          for k in set(trucks)))
        assert inst.optimum == pytest.approx(best)


def test_machine_scheduling_by_enumeration(solved):
    for seed, complexity in [(0, 1), (1, 1), (0, 2)]:
        inst = solved("machine_scheduling", seed, complexity) if complexity == 1 else generate(
            "machine_scheduling", seed, 2)
        d = inst.data
        best = min(max(sum(d["hours"][j][m] for j, k in zip(d["jobs"], choice) if k == m)
                       for m in d["machines"])
                   for choice in itertools.product(d["machines"], repeat=len(d["jobs"])))
        assert inst.optimum == pytest.approx(best)


def test_set_cover_by_enumeration(solved):
    for seed in SEEDS:
        inst = solved("set_cover", seed, 1)
        d = inst.data
        best = min(sum(d["build_cost"][s] for s in chosen)
                   for r in range(1, len(d["sites"]) + 1) for chosen in itertools.combinations(d["sites"], r)
                   if set(d["districts"]) <= {x for s in chosen for x in d["covers"][s]})
        assert inst.optimum == pytest.approx(best)


def test_shortest_path_and_max_flow_match_networkx(solved):
    for seed, complexity in [(0, 1), (1, 1), (0, 3)]:
        sp = solved("shortest_path", seed, complexity)
        graph = nx.Graph()
        graph.add_weighted_edges_from((r["from"], r["to"], r["minutes"]) for r in sp.data["roads"])
        expected = nx.shortest_path_length(graph, sp.data["origin"], sp.data["destination"], weight="weight")
        assert sp.optimum == pytest.approx(expected)
        mf = solved("max_flow", seed, complexity)
        net = nx.DiGraph()
        for p in mf.data["pipes"]:
            net.add_edge(p["from"], p["to"], capacity=p["capacity"])
        assert mf.optimum == pytest.approx(nx.maximum_flow_value(net, mf.data["source"], mf.data["sink"]))


def test_min_cost_flow_matches_networkx(solved):
    for seed in SEEDS:
        inst = solved("min_cost_flow", seed, 1)
        d = inst.data
        net = nx.DiGraph()
        for a in d["arcs"]:
            net.add_edge(a["from"], a["to"], capacity=a["capacity"], weight=a["unit_cost"])
        # plants may send less than their supply: a super source with arcs of capacity = supply
        net.add_node("source", demand=-sum(d["demand"].values()))
        for p, s in d["supply"].items():
            net.add_edge("source", p, capacity=s, weight=0)
        for s, q in d["demand"].items():
            net.nodes[s]["demand"] = q
        assert inst.optimum == pytest.approx(nx.min_cost_flow_cost(net))


def test_eoq_matches_the_lagrangian_solution(solved):
    """Minimize sum(K D / q + h q / 2) subject to sum(s q) <= W: q(l) = sqrt(2 K D / (h + 2 l s)), l >= 0."""
    for seed, complexity in [(0, 1), (1, 1), (0, 3)]:
        inst = solved("eoq", seed, complexity)
        d = inst.data
        items = d["items"]

        def quantities(lam):
            return {i: math.sqrt(2 * d["order_cost"][i] * d["annual_demand"][i]
                                 / (d["holding_cost"][i] + 2 * lam * d["space_per_unit"][i])) for i in items}

        lo, hi = 0.0, 1.0
        while sum(d["space_per_unit"][i] * q for i, q in quantities(hi).items()) > d["storage_space"]:
            hi *= 2
        for _ in range(200):
            mid = (lo + hi) / 2
            used = sum(d["space_per_unit"][i] * q for i, q in quantities(mid).items())
            lo, hi = (mid, hi) if used > d["storage_space"] else (lo, mid)
        q = quantities(hi)
        cost = sum(d["order_cost"][i] * d["annual_demand"][i] / q[i] + d["holding_cost"][i] * q[i] / 2
                   for i in items)
        assert inst.optimum == pytest.approx(cost, rel=1e-5)


def test_single_product_pricing_matches_the_closed_form(solved):
    """Profit (p - c) a exp(-b p) peaks at p = c + 1/b; a binding capacity raises p to log(a / cap) / b."""
    for seed in SEEDS:
        inst = solved("pricing", seed, 1)
        d = inst.data
        (p,) = d["products"]
        a, b, c = d["demand_scale"][p], d["price_sensitivity"][p], d["unit_cost"][p]
        price = min(max(c + 1 / b, math.log(a / d["daily_capacity"]) / b, c), d["max_price"][p])
        assert inst.optimum == pytest.approx((price - c) * a * math.exp(-b * price), rel=1e-6)


def test_portfolio_optimum_matches_a_grid_search(solved):
    """Three assets: no point of a fine grid of feasible weights beats the optimum, and some come close."""
    import numpy as np

    for seed in SEEDS:
        inst = solved("portfolio", seed, 1)
        d = inst.data
        assets = d["assets"]
        cov = np.array([[d["covariance"][a][b] for b in assets] for a in assets], dtype=float)
        ret = np.array([d["expected_return_pct"][a] for a in assets])
        step = np.linspace(0, 1, 801)
        w1, w2 = (g.ravel() for g in np.meshgrid(step, step))
        w = np.stack([w1, w2, 1 - w1 - w2], axis=1)
        cap = d["max_weight_pct"] / 100
        w = w[(w >= -1e-12).all(axis=1) & (w <= cap + 1e-12).all(axis=1) & (w @ ret >= d["min_return_pct"])]
        variance = np.einsum("ij,jk,ik->i", w, cov, w)
        assert len(w) > 0
        assert variance.min() >= inst.optimum - 1e-6
        assert variance.min() <= inst.optimum * 1.01 + 1e-6
