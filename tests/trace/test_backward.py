import gc
import weakref

import pytest

from optolab import trace
from optolab.errors import BackwardError, FeedbackTypeError, NotANodeError


@trace.node
def ask(prompt, question):
    return f"{prompt}\n{question}"


@trace.node
def join(a, b):
    return f"{a}{b}"


def test_feedback_reaches_every_trainable_ancestor_with_its_path():
    prompt = trace.node("Answer briefly.", trainable=True, name="prompt")
    style = trace.node("formal", trainable=True, name="style")
    frozen = trace.node("not me", name="const")
    out = join(ask(prompt, "2+2?"), join(style, frozen))
    reached = trace.backward(out, "too verbose")
    assert set(map(id, reached)) == {id(prompt), id(style)}
    (entry,) = prompt.feedback
    assert entry.content == "too verbose" and entry.output is out
    assert entry.path[0] == out.label and entry.path[-1] == prompt.label and len(entry.path) == 3
    assert "too verbose" in str(entry) and "prompt" in str(entry)
    assert style.feedback[0].path[-1] == style.label
    assert frozen.feedback == []


def test_several_outputs_accumulate_until_zero_feedback():
    p = trace.node(2, trainable=True)
    a, b = p * 3, p + 1
    a.backward("too small")
    b.backward(0.25)
    assert [e.content for e in p.feedback] == ["too small", 0.25]
    p.zero_feedback()
    assert p.feedback == []


def test_number_feedback_and_bad_feedback_types():
    p = trace.node(1.0, trainable=True)
    out = p * 2
    out.backward(-3.5)
    assert p.feedback[0].content == -3.5
    for bad in (None, ["a"], {"score": 1}, True):
        with pytest.raises(FeedbackTypeError, match="text or a number"):
            out.backward(bad)


def test_backward_on_non_node_and_without_parameters():
    with pytest.raises(NotANodeError, match="got int"):
        trace.backward(5, "x")
    const = trace.node(1) + 2
    with pytest.raises(BackwardError, match="no trainable node leads to"):
        const.backward("x")


def test_minimal_subgraph_and_path_counts_on_a_diamond():
    p = trace.node(1, trainable=True, name="p")
    left, right = p + 1, p * 2
    side = trace.node(100) + 1  # not on any path to p
    out = trace.ops.add(left + right, side)
    sub = trace.subgraph(out)
    labels = {n.label for n in sub}
    assert side.label not in labels and p.label in labels and out.label in labels
    out.backward("fb")
    assert p.feedback[0].n_paths == 2 and len(p.feedback) == 1


def test_long_chain_without_recursion_limit():
    p = trace.node(0, trainable=True, name="start")
    cur = p
    for _ in range(10_000):
        cur = cur + 1
    assert cur.data == 10_000
    cur.backward("fine")
    assert len(p.feedback[0].path) == 10_001
    assert len(trace.topological(cur)) == 20_001  # each step adds its constant
    p.zero_feedback()
    ref = weakref.ref(cur)
    del cur
    gc.collect()
    assert ref() is None  # dropping the output frees the chain


def test_parameters_keep_their_graph_alive_until_zero_feedback():
    p = trace.node(1, trainable=True)
    out = p + 1
    ref = weakref.ref(out)
    out.backward("x")
    del out
    gc.collect()
    assert ref() is not None  # the optimizer still needs that graph
    p.zero_feedback()
    gc.collect()
    assert ref() is None


def test_custom_backward_rule_routes_feedback_by_argument():
    def rule(node, feedback):
        return {"a": f"{feedback} (left)", "b": f"{feedback} (right)"}

    @trace.node(backward=rule)
    def pair(a, b):
        return (a, b)

    x = trace.node("x", trainable=True)
    y = trace.node("y", trainable=True)
    out = pair(x, y)
    out.backward("wrong")
    assert x.feedback[0].content == "wrong (left)" and y.feedback[0].content == "wrong (right)"

    def only_a(node, feedback):
        return {"a": feedback}

    @trace.node(backward=only_a)
    def first(a, b):
        return a

    z = trace.node("z", trainable=True)
    first(x, z).backward("fb")
    assert z.feedback == []

    def bad(node, feedback):
        return {"nope": 1}

    @trace.node(backward=bad)
    def broken(a):
        return a

    with pytest.raises(BackwardError, match="unknown arguments"):
        broken(x).backward("fb")


def test_messages_from_several_children_are_combined():
    def scale(factor):
        return lambda node, feedback: feedback * factor

    p = trace.node(1.0, trainable=True)
    quarter = trace.node(lambda a: a, backward=scale(0.25))
    rest = trace.node(lambda a: a, backward=scale(0.75))
    out = trace.ops.add(quarter(p), rest(p))
    out.backward(4.0)
    assert p.feedback[0].content == pytest.approx(4.0)  # different numbers are added: 1 + 3
    same = trace.node(1.0, trainable=True)
    out = trace.ops.add(quarter(same), quarter(same))
    out.backward(4.0)
    assert same.feedback[0].content == pytest.approx(1.0)  # identical messages count once
    q = trace.node("q", trainable=True)

    def tag(tagname):
        return lambda node, fb: f"{fb} [{tagname}]"

    left = trace.node(lambda a: a, backward=tag("L"))(q)
    right = trace.node(lambda a: a, backward=tag("R"))(q)
    join(left, right).backward("fb")
    assert q.feedback[0].content == "fb [L]\nfb [R]"


def test_no_trace_records_nothing():
    p = trace.node(1, trainable=True)
    with trace.no_trace():
        assert not trace.is_tracing()
        out = ask(p, "q")
        more = p + 1
    assert trace.is_tracing()
    assert out.parents == () and more.parents == () and p.children == []
    with pytest.raises(BackwardError):
        out.backward("x")
