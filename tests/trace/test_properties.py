"""Property-based tests: traced operators agree with Python, backward agrees with graph theory."""

import operator

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from optolab import trace

numbers = st.integers(min_value=-1000, max_value=1000)
BINARY = [operator.add, operator.sub, operator.mul, operator.floordiv, operator.mod, operator.lt,
          operator.ge, operator.and_, operator.or_, operator.xor]


@given(a=numbers, b=numbers, op=st.sampled_from(BINARY), left_node=st.booleans())
def test_binary_operators_match_python(a, b, op, left_node):
    try:
        expected = op(a, b)
    except ZeroDivisionError:
        out = op(trace.node(a), b) if left_node else op(a, trace.node(b))
        assert out.is_error and out.error.type == "ZeroDivisionError"
        return
    out = op(trace.node(a), b) if left_node else op(a, trace.node(b))
    assert out.data == expected and len(out.parents) == 2


@given(items=st.lists(st.text(max_size=5), max_size=8), index=st.integers(min_value=0, max_value=7))
def test_indexing_and_iteration_match_python(items, index):
    n = trace.node(items, trainable=True)
    assert [i.data for i in n] == items
    out = n[index]
    if index < len(items):
        assert out.data == items[index]
    else:
        assert out.is_error and out.error.type == "IndexError"


@st.composite
def random_dag(draw):
    """A random DAG of traced calls: node i may read any earlier nodes."""
    n_leaves = draw(st.integers(min_value=1, max_value=5))
    trainable = draw(st.lists(st.booleans(), min_size=n_leaves, max_size=n_leaves))
    n_ops = draw(st.integers(min_value=1, max_value=12))
    edges = []
    for i in range(n_ops):
        k = n_leaves + i
        parents = draw(st.lists(st.integers(min_value=0, max_value=k - 1), min_size=1, max_size=3, unique=True))
        edges.append(parents)
    return trainable, edges


@trace.node
def combine(*values):
    return sum(values)


@settings(max_examples=60, deadline=None)
@given(dag=random_dag(), feedback=st.one_of(st.text(max_size=10), st.floats(allow_nan=False, allow_infinity=False)))
def test_backward_reaches_exactly_the_trainable_ancestors(dag, feedback):
    trainable, edges = dag
    nodes = [trace.node(i, trainable=t, name=f"leaf{i}") for i, t in enumerate(trainable)]
    for parents in edges:
        nodes.append(combine(*[nodes[p] for p in parents]))
    out = nodes[-1]
    g = trace.to_networkx(out)
    ancestors = [p for p in nodes[: len(trainable)] if p.trainable and p.label in g and nx.has_path(g, p.label, out.label)]
    if not ancestors:
        try:
            out.backward(feedback)
        except trace_errors.BackwardError:
            return
        raise AssertionError("backward without trainable ancestors must raise")
    reached = out.backward(feedback)
    assert {id(p) for p in reached} == {id(p) for p in ancestors}
    for p in ancestors:
        (entry,) = p.feedback
        assert entry.content == feedback
        assert entry.n_paths == len(list(nx.all_simple_paths(g, p.label, out.label)))
        assert entry.path[0] == out.label and entry.path[-1] == p.label
        for child, parent in zip(entry.path, entry.path[1:]):
            assert g.has_edge(parent, child)
    ancestor_ids = {id(p) for p in ancestors}
    for p in nodes[: len(trainable)]:
        if id(p) not in ancestor_ids and p.trainable:
            assert p.feedback == []


from optolab import errors as trace_errors  # noqa: E402
