import pytest

from optolab import trace
from optolab.errors import ParameterUpdateError
from optolab.trace.constraints import compile_constraint


@pytest.mark.parametrize(
    "text, good, bad",
    [
        ("0 <= x <= 1", 0.5, 1.5),
        ("len(value) <= 5", "abc", "abcdef"),
        ("rate > 0 and rate < 2", 1.0, 3.0),
        ("x in ('a', 'b')", "a", "c"),
        ("x.startswith('You')", "You are", "Hi"),
        ("min(x) >= 0", [1, 2], [-1, 2]),
    ],
)
def test_checkable_constraints(text, good, bad):
    check = compile_constraint(text, "rate")
    assert check is not None
    assert check(good) is True and check(bad) is False


@pytest.mark.parametrize(
    "text",
    ["must be polite", "x.__class__ == int", "__import__('os')", "open('f') and x", "y > 0", "x = 3", "", None],
)
def test_text_only_constraints_are_never_evaluated(text):
    assert compile_constraint(text, "rate") is None


def test_parameters_check_their_constraints():
    p = trace.node(0.5, trainable=True, name="rate", constraint="0 <= rate <= 1")
    p.set(0.9)
    with pytest.raises(ParameterUpdateError, match="violates the constraint '0 <= rate <= 1'"):
        p.set(1.1)
    assert p.data == 0.9
    q = trace.node("Hello", trainable=True, constraint="be friendly")  # text only: anything goes
    q.set("Go away")
    assert q.data == "Go away"
    r = trace.node("abc", trainable=True, constraint="len(x) > 10")  # a failing check that raises is False
    with pytest.raises(ParameterUpdateError):
        r.set("short")
