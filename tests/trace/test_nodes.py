import operator

import pytest

from optolab import trace
from optolab.errors import ParameterUpdateError


def test_value_node_fields():
    n = trace.node(3, name="three", description="a constant")
    assert isinstance(n, trace.Node) and not n.trainable
    assert n.data == 3 and n.name == "three" and n.description == "a constant"
    assert n.parents == () and n.children == [] and n.kind == "value"
    assert n.label.startswith("three:")


def test_parameter_fields_and_default_name():
    p = trace.node([1, 2], trainable=True, description="weights", constraint="two ints")
    assert isinstance(p, trace.Parameter) and p.trainable and p.kind == "parameter"
    assert p.name == "list" and p.constraint == "two ints" and p.feedback == []


def test_node_of_node_is_identity_and_trainable_conversion_is_refused():
    n = trace.node(1)
    assert trace.node(n) is n
    with pytest.raises(Exception, match="already a non-trainable node"):
        trace.node(n, trainable=True)


@pytest.mark.parametrize(
    "op, a, b",
    [
        (operator.add, 3, 4), (operator.sub, 3, 4), (operator.mul, 3, 4), (operator.truediv, 3, 4),
        (operator.floordiv, 9, 4), (operator.mod, 9, 4), (operator.pow, 2, 5), (operator.and_, 6, 3),
        (operator.or_, 6, 3), (operator.xor, 6, 3), (operator.lt, 3, 4), (operator.le, 4, 4),
        (operator.gt, 3, 4), (operator.ge, 4, 3), (operator.add, "ab", "cd"), (operator.mul, "ab", 3),
    ],
)
def test_binary_operators_are_traced_both_ways(op, a, b):
    x = trace.node(a, trainable=True)
    left = op(x, b)
    right = op(a, trace.node(b))
    for out in (left, right):
        assert isinstance(out, trace.OpNode)
        assert out.data == op(a, b)
        assert len(out.parents) == 2
    assert left.parents[0] is x
    assert left in x.children


def test_printf_formatting_with_a_plain_template_is_not_traced():
    # str.__mod__ accepts any object, so Python never asks the node: the result is plain text
    assert "%s!" % trace.node("hi") == "hi!"
    traced = trace.node("%s!", trainable=True) % "hi"
    assert traced.data == "hi!" and isinstance(traced, trace.OpNode)
    assert trace.ops.mod("%s!", trace.node("hi")).data == "hi!"


def test_unary_operators():
    x = trace.node(-5)
    assert (-x).data == 5 and (+x).data == -5 and abs(x).data == 5 and (~x).data == 4
    for out in (-x, +x, abs(x), ~x):
        assert out.parents == (x,)


def test_indexing_attribute_and_calls_are_traced():
    d = trace.node({"a": [10, 20]}, name="d")
    item = d["a"][1]
    assert item.data == 20 and item.op.name == "getitem"
    s = trace.node("hello", trainable=True)
    up = s.upper()
    assert up.data == "HELLO"
    assert up.op.name == "call" and up.parents[0].op.name == "getattr"
    # the parameter is an ancestor of the result
    assert s in trace.topological(up)
    fn = trace.node(lambda a, b: a * b)
    assert isinstance(fn, trace.Operator)  # functions passed to trace.node become operators
    f_node = trace.Node(lambda a, b: a * b)
    prod = f_node(trace.node(6), 7)
    assert prod.data == 42 and prod.op.name == "call"


def test_attribute_errors_name_the_node():
    s = trace.node("x", name="word")
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        s.nope
    assert s.attr("name").data is None or True  # Node.name is shadowed, attr() reaches the data
    n = trace.node(complex(1, 2))
    assert n.real.data == 1.0
    assert n.attr("imag").data == 2.0


def test_iteration_yields_traced_items():
    p = trace.node(["a", "b", "c"], trainable=True)
    items = list(p)
    assert [i.data for i in items] == ["a", "b", "c"]
    assert all(i.parents == (p,) for i in items)
    assert items[2].name.endswith("[2]")


def test_untraced_protocols_return_plain_values():
    n = trace.node("abc")
    assert len(n) == 3 and "b" in n and trace.node("b") in n
    assert str(n) == "abc" and f"<{n}>" == "<abc>" and format(trace.node(3.14159), ".2f") == "3.14"
    assert bool(n) is True and bool(trace.node("")) is False
    assert int(trace.node(4.0)) == 4 and float(trace.node(2)) == 2.0
    assert [10, 20][trace.node(1)] == 20


def test_traced_helpers_for_len_contains_eq():
    n = trace.node("abc", trainable=True)
    assert n.len().data == 3 and n.len().parents[0] is n
    assert n.contains("b").data is True
    assert n.eq("abc").data is True and n.ne("abc").data is False


def test_equality_compares_data_and_hash_is_identity():
    a, b = trace.node(1), trace.node(1)
    assert a == b and a == 1 and not (a != 1)
    assert hash(a) != hash(b) or a is not b
    assert len({a, b}) == 2  # two distinct nodes stay two set members
    assert isinstance(a == b, bool)


def test_nodes_are_immutable_and_not_copied():
    import copy
    import pickle

    n = trace.node([1])
    with pytest.raises(AttributeError):
        n.data = [2]
    with pytest.raises(TypeError):
        n[0] = 5
    with pytest.raises(TypeError):
        copy.copy(n)
    with pytest.raises(TypeError):
        pickle.dumps(n)


def test_parameter_updates_are_type_checked_and_validated():
    p = trace.node(1.5, trainable=True, name="rate")
    p.data = 2  # int to float is fine
    assert p.data == 2.0 and isinstance(p.data, float)
    with pytest.raises(ParameterUpdateError, match="'rate' holds a float"):
        p.set("fast")
    q = trace.node(3, trainable=True, name="k", constraint="1 <= k <= 5", validator=lambda v: 1 <= v <= 5)
    q.set(4)
    assert q.data == 4
    with pytest.raises(ParameterUpdateError, match="violates 1 <= k <= 5"):
        q.set(9)
    assert q.data == 4


def test_children_are_weak():
    import gc

    p = trace.node(1, trainable=True)
    out = p + 1
    assert p.children == [out]
    del out
    gc.collect()
    assert p.children == []
