"""Every reference model solves to its recorded optimum and answers, and carries the right class label."""

from __future__ import annotations

import pytest

from optolab.errors import ProblemBankError
from optolab.problems import load_problems
from optolab.problems.catalog import Problem
from optolab.problems.reference import build_reference_model, has_division, model_class, solve_reference
from optolab.problems.verify import check_problem, close, main

PROBLEMS = load_problems()


@pytest.mark.parametrize("problem", PROBLEMS, ids=[p.id for p in PROBLEMS])
def test_reference_model_matches_record(problem):
    model = build_reference_model(problem)
    assert model_class(model) == problem.problem_class
    objective, values = solve_reference(problem)
    assert close(objective, problem.objective), (objective, problem.objective)
    for name, expected in problem.answers.items():
        assert name in values, name
        assert close(values[name], expected, 1e-5), (name, values[name], expected)


def _problem(code: str, problem_class: str = "LP", objective: float = 2.0) -> Problem:
    return Problem(id="t-001", title="t", category="test", problem_class=problem_class, sense="min",
                   objective=objective, difficulty="easy", text="What?", code=code, source="t.toml")


HEADER = "import pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\nmodel.x = pyo.Var(bounds=(1, 5))\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("model.o = pyo.Objective(expr=2 * model.x)", "LP"),
        ("model.y = pyo.Var(domain=pyo.Binary)\nmodel.o = pyo.Objective(expr=model.x + model.y)", "MILP"),
        ("model.o = pyo.Objective(expr=model.x ** 2)", "QP"),
        ("model.y = pyo.Var(domain=pyo.Integers, bounds=(0, 3))\nmodel.o = pyo.Objective(expr=model.x * model.y)",
         "MIQP"),
        ("model.o = pyo.Objective(expr=pyo.exp(model.x))", "NLP"),
        ("model.o = pyo.Objective(expr=model.x)\nmodel.c = pyo.Constraint(expr=model.x ** 2 >= 2)", "NLP"),
        ("model.y = pyo.Var(domain=pyo.Integers, bounds=(0, 3))\nmodel.o = pyo.Objective(expr=model.x)\n"
         "model.c = pyo.Constraint(expr=model.x * model.y >= 2)", "MINLP"),
    ],
)
def test_model_class(body, expected):
    assert model_class(build_reference_model(_problem(HEADER + body))) == expected


def test_division_goes_to_ripopt():
    problem = _problem(HEADER + "model.o = pyo.Objective(expr=4 / model.x + model.x)", "NLP", 4.0)
    assert has_division(build_reference_model(problem))
    objective, values = solve_reference(problem)
    assert close(objective, 4.0) and abs(values["x"] - 2.0) < 1e-5


def test_check_problem_reports_wrong_records():
    problem = _problem(HEADER + "model.o = pyo.Objective(expr=2 * model.x)", "MILP", 3.0)
    issues = check_problem(problem)
    assert any("problem_class" in i for i in issues) and any("objective" in i for i in issues)


@pytest.mark.parametrize(
    "code",
    ["model = 3", "raise RuntimeError('boom')",
     HEADER + "model.o = pyo.Objective(expr=model.x)\nmodel.p = pyo.Objective(expr=-model.x)"],
)
def test_bad_reference_code(code):
    with pytest.raises(ProblemBankError, match="t.toml: field 'code'"):
        build_reference_model(_problem(code))


def test_verify_cli_on_directory(tmp_path, capsys):
    good = PROBLEMS[0]
    source = (tmp_path / "bank")
    source.mkdir()
    from importlib import resources

    text = resources.files("optolab.problems").joinpath("bank", good.source).read_text(encoding="utf-8")
    wrong = text.replace(f"objective = {good.objective!r}", "objective = 1.5", 1)
    assert wrong != text
    (source / good.source).write_text(wrong, encoding="utf-8")
    assert main(["--dir", str(source)]) == 1
    assert main(["--dir", str(source), "--write"]) == 0
    assert main(["--dir", str(source)]) == 0
    assert f"objective = {good.objective!r}" in (source / good.source).read_text(encoding="utf-8")
    assert "0 with issues" in capsys.readouterr().out
