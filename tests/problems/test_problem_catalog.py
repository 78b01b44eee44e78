"""The embedded problem bank loads, validates and covers the promised categories."""

from __future__ import annotations

from pathlib import Path

import pytest

from optolab.errors import OptolabError, ProblemBankError, ProblemNotFoundError
from optolab.problems import Problem, get_problem, load_problems, load_problems_from
from optolab.problems.catalog import PROBLEM_CLASSES

GOOD = '''id = "tiny-001"
title = "Tiny"
category = "production planning"
problem_class = "LP"
sense = "max"
objective = 4.0
difficulty = "easy"
tags = []
text = "Maximize x with x at most 4. What is the largest x?"
code = """
import pyomo.environ as pyo
model = pyo.ConcreteModel()
model.x = pyo.Var(bounds=(0, 4))
model.obj = pyo.Objective(expr=model.x, sense=pyo.maximize)
"""
[answers]
x = 4.0
'''


def test_bank_has_enough_valid_problems():
    problems = load_problems()
    assert len(problems) >= 48
    assert all(isinstance(p, Problem) for p in problems)
    assert [p.id for p in problems] == sorted(p.id for p in problems)
    assert len({p.id for p in problems}) == len(problems)
    for p in problems:
        assert p.problem_class in PROBLEM_CLASSES
        assert p.text.strip().endswith("?"), p.id
        assert "model" in p.code and "SolverFactory" not in p.code and "print(" not in p.code, p.id


def test_category_and_class_coverage():
    problems = load_problems()
    categories = {p.category for p in problems}
    for needed in ("production planning", "blending/diet", "transportation", "assignment", "knapsack",
                   "scheduling/staffing", "facility location", "network flow", "cutting/bin packing",
                   "lot sizing/inventory", "portfolio/quadratic", "nonlinear"):
        assert needed in categories, needed
    classes = {p.problem_class for p in problems}
    assert {"LP", "MILP", "QP", "NLP", "MINLP"} <= classes
    difficulties = [p.difficulty for p in problems]
    assert difficulties.count("easy") >= difficulties.count("hard") > 0
    tags = [t for p in problems for t in p.tags]
    assert tags.count("table") >= 5 and tags.count("units") >= 5 and tags.count("implicit-integer") >= 3


def test_filters_and_lookup():
    lp = load_problems(problem_class="LP")
    assert lp and all(p.problem_class == "LP" for p in lp)
    flows = load_problems(category="network flow")
    assert {p.id for p in flows} >= {"shortest-path-001", "max-flow-001", "min-cost-flow-001"}
    picked = load_problems(ids=["knapsack-001", "production-001"])
    assert [p.id for p in picked] == ["knapsack-001", "production-001"]
    assert get_problem("production-001").title == "Two-product workshop"


def test_unknown_id_lists_close_matches():
    with pytest.raises(ProblemNotFoundError) as info:
        get_problem("production-01")
    assert "production-001" in str(info.value)
    assert isinstance(info.value, OptolabError)
    with pytest.raises(ProblemNotFoundError):
        load_problems(ids=["no-such-problem"])


def _write(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_load_from_directory(tmp_path):
    problems = load_problems_from(_write(tmp_path, "tiny.toml", GOOD))
    assert len(problems) == 1 and problems[0].answers == {"x": 4.0} and problems[0].source == "tiny.toml"


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda s: s.replace('title = "Tiny"\n', ""), "title"),
        (lambda s: s.replace('problem_class = "LP"', 'problem_class = "SDP"'), "problem_class"),
        (lambda s: s.replace('sense = "max"', 'sense = "maximise"'), "sense"),
        (lambda s: s.replace("objective = 4.0", 'objective = "four"'), "objective"),
        (lambda s: s.replace("tags = []", 'tags = "lp"'), "tags"),
        (lambda s: s.replace("x = 4.0", 'x = "4"'), "answers"),
        (lambda s: s.replace("tags = []", "tags = []\ncolour = 1"), "colour"),
        (lambda s: s.replace('text = "Maximize', 'text = "  "\nignored = "Maximize'), "ignored"),
    ],
)
def test_malformed_file_names_file_and_field(tmp_path, edit, field):
    _write(tmp_path, "broken.toml", edit(GOOD))
    with pytest.raises(ProblemBankError) as info:
        load_problems_from(tmp_path)
    assert "broken.toml" in str(info.value) and field in str(info.value)


def test_duplicate_id_and_bad_toml(tmp_path):
    _write(tmp_path, "a.toml", GOOD)
    _write(tmp_path, "b.toml", GOOD)
    with pytest.raises(ProblemBankError, match=r"b\.toml.*'id'.*a\.toml"):
        load_problems_from(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    _write(other, "c.toml", "id = \n")
    with pytest.raises(ProblemBankError, match=r"c\.toml: not valid TOML"):
        load_problems_from(other)
    with pytest.raises(ProblemBankError, match="not a directory"):
        load_problems_from(tmp_path / "missing")
