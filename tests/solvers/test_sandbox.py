import threading

import pytest

from optolab.solvers.policy import check_code
from optolab.solvers.sandbox import SandboxPool, run_model_code, worker_env

MODEL = """
import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.x = pyo.Var(bounds=(0, None))
model.y = pyo.Var(bounds=(0, None))
model.o = pyo.Objective(expr=3*model.x + 2*model.y, sense=pyo.maximize)
model.c = pyo.Constraint(expr=model.x + model.y <= 4)
print("built the model")
"""


@pytest.fixture(scope="module")
def pool():
    with SandboxPool(size=2) as p:
        yield p


def test_a_normal_model_solves_and_prints_are_captured(pool):
    r = pool.run(MODEL)
    assert r.ok and r.solve.objective == pytest.approx(12) and r.stdout.strip() == "built the model"
    assert r.solve.variables["x"] == pytest.approx(4)


def test_build_model_function_is_accepted(pool):
    code = "import pyomo.environ as pyo\ndef build_model():\n    m = pyo.ConcreteModel()\n    m.x = pyo.Var(bounds=(1, 2))\n" \
           "    m.o = pyo.Objective(expr=m.x)\n    return m\n"
    assert pool.run(code).solve.objective == pytest.approx(1)


def test_infinite_loop_times_out_and_the_pool_keeps_working(pool):
    r = pool.run("while True:\n    pass\n", time_limit=1)
    assert r.status == "timeout" and "did not finish" in r.error
    assert pool.run(MODEL).ok


def test_huge_allocation_is_a_memory_error(pool):
    r = pool.run("blob = [0] * (10 ** 10)\n", memory_mb=512)
    assert r.status == "memory_error"


@pytest.mark.parametrize("code, fragment", [
    ("import os\nos.system('echo hi')", "import of 'os'"),
    ("import subprocess", "import of 'subprocess'"),
    ("open('/etc/passwd').read()", "'open'"),
    ("x = ().__class__.__bases__", "__class__"),
    ("__import__('socket')", "'__import__'"),
    ("import pyomo.environ as pyo\npyo.common.fileutils.os.remove('x')", "'os'"),
])
def test_forbidden_code_is_rejected_before_running(pool, code, fragment):
    r = pool.run(code)
    assert r.status == "forbidden_import" and fragment in r.error and r.line >= 1


def test_syntax_and_runtime_errors_report_the_line(pool):
    r = pool.run("x = (1,\n")
    assert r.status == "syntax_error" and r.line == 1
    r = pool.run("import pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\ny = {}['missing']\n")
    assert r.status == "runtime_error" and r.line == 3 and "KeyError" in r.error and "line 3" in r.traceback


def test_a_component_read_with_a_key_it_lacks_names_the_keys_it_has(pool):
    code = ("import pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\n"
            "model.area = pyo.Var(['A1', 'A2', 'A3'], domain=pyo.NonNegativeReals)\n"
            "model.o = pyo.Objective(expr=model.area['C1'])\n")
    r = pool.run(code)
    assert r.status == "runtime_error" and r.line == 4
    assert "(area is indexed by 'A1', 'A2', 'A3')" in r.error
    many = code.replace("['A1', 'A2', 'A3']", "range(20)")
    assert "(area is indexed by 0, 1, 2, 3, 4, 5, 6, 7, ... (20 in all))" in pool.run(many).error


def test_code_without_a_model(pool):
    r = pool.run("a = 1 + 1\n")
    assert r.status == "no_model" and "variable named 'model'" in r.error


def test_infeasible_model_comes_back_as_data_with_a_diagnosis(pool):
    code = MODEL + "model.c2 = pyo.Constraint(expr=model.x >= 10)\n"
    r = pool.run(code)
    assert r.ok and r.solve.termination.value == "infeasible" and "c2" in r.solve.diagnosis


def test_worker_environment_has_no_secrets(monkeypatch, tmp_path):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    monkeypatch.setenv("HF_TOKEN", "hf-secret")
    env = worker_env(str(tmp_path))
    assert "OPENAI_API_KEY" not in env and "HF_TOKEN" not in env and env["HOME"] == str(tmp_path)
    with SandboxPool(size=1) as p:
        code = ("import pyomo.environ as pyo\nimport json\nmodel = pyo.ConcreteModel()\nmodel.x = pyo.Var(bounds=(0,1))\n"
                "model.o = pyo.Objective(expr=model.x)\n")
        assert p.run(code).ok  # the worker started with the reduced environment


def test_concurrent_runs_from_threads(pool):
    results = []

    def go(i):
        results.append(pool.run(MODEL.replace("<= 4", f"<= {i + 1}")).solve.objective)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == pytest.approx([3, 6, 9, 12, 15, 18])


def test_one_off_run_and_policy_check():
    assert run_model_code(MODEL).solve.objective == pytest.approx(12)
    assert check_code("import math\nx = math.sqrt(4)") == []
    with pytest.raises(SyntaxError):
        check_code("def (")
