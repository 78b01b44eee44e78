"""Arithmetic on numbers read from model code, without running it."""

import ast

import pytest

from optolab.agents.arith import arith


def expr(text: str) -> ast.AST:
    return ast.parse(text, mode="eval").body


def test_numbers_operations_and_given_names():
    assert arith(expr("40 / 100")) == 0.4
    assert arith(expr("-(2 + 3) * 4 ** 2 % 7")) == float(-(2 + 3) * 4 ** 2 % 7) == 4.0
    assert arith(expr("3 * x + 2 * model.y"), {"x": 1.0, "y": 2.0}) == 7.0
    assert arith(expr("1 / 0")) is None
    assert arith(expr("2 ** 1000")) is None  # no huge powers


def test_nothing_but_arithmetic_is_evaluated():
    for text in ("x + 1", "abs(-3)", "().__class__", "[1, 2][0]", "'a' * 3", "True + 1", "(lambda: 1)()",
                 "__import__('os').getcwd()"):
        assert arith(expr(text)) is None, text


def test_an_objective_naming_a_decision_twice_is_collapsed_and_rebuilt():
    from optolab.agents.goal import collapse_objective, fix_goal_objective

    weights = collapse_objective(expr("300 * s + 200 * e + 80 * s / 15 + 20 * e / 8"), {"s", "e"})
    assert [ast.unparse(t) for t in weights[0]] == ["s", "e"]
    assert weights[1] == pytest.approx([300 + 80 / 15, 200 + 20 / 8])
    assert collapse_objective(expr("s * e + s"), {"s", "e"}) is None  # not linear
    assert collapse_objective(expr("sum(s) + e"), {"s", "e"}) is None
    text = ("Each bowl of soup has 300 calories and 80 mg of sodium. Each bowl of rice has 200 calories and 20 mg "
            "of sodium. He needs at least 2000 calories. How many bowls of each should he eat to minimize his "
            "sodium intake?")
    code = ("import pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\n"
            "model.soup = pyo.Var(domain=pyo.NonNegativeIntegers)\nmodel.rice = pyo.Var(domain=pyo.NonNegativeIntegers)\n"
            "model.obj = pyo.Objective(expr=300 * model.soup + 200 * model.rice + 80 * model.soup / 15 + "
            "20 * model.rice / 8, sense=pyo.minimize)\n")
    fixed = fix_goal_objective(code, text)
    assert fixed is not None and "expr=80 * model.soup + 20 * model.rice" in fixed.code
