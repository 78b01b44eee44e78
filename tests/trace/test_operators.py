import asyncio

import pytest

from optolab import trace
from optolab.errors import CodeCompileError, TracedExecutionError


def test_decorator_forms_and_alias():
    @trace.node
    def a(x):
        """Double it."""
        return 2 * x

    @trace.node(description="triple it")
    def b(x):
        return 3 * x

    @trace.bundle()
    def c(x):
        return x

    assert isinstance(a, trace.Operator) and a.description == "Double it." and a.name == "a"
    assert b.description == "triple it" and not b.trainable
    assert c(1).data == 1
    assert a.__doc__ == "Double it." and a.__name__ == "a"


def test_plain_inputs_become_constant_nodes_named_after_arguments():
    @trace.node
    def ask(prompt, question, *, style="short"):
        return f"{prompt}|{question}|{style}"

    p = trace.node("P", trainable=True)
    out = ask(p, "Q", style="long")
    assert out.data == "P|Q|long"
    assert out.arg_names == ("prompt", "question", "style")
    assert out.parents[0] is p
    assert [n.data for n in out.parents[1:]] == ["Q", "long"]
    assert all(not n.trainable for n in out.parents[1:])
    assert out.inputs["question"].data == "Q"
    assert "def ask" in ask.source and "@trace.node" not in ask.source


def test_varargs_names_and_nodes_inside_lists():
    @trace.node
    def total(*values):
        return sum(values)

    x = trace.node(1, trainable=True)
    out = total(x, 2, 3)
    assert out.data == 6 and out.arg_names == ("values[0]", "values[1]", "values[2]")

    @trace.node
    def join(parts, sep=" "):
        return sep.join(parts)

    a, b = trace.node("a", trainable=True), trace.node("b", trainable=True)
    out = join([a, "-", b])
    assert out.data == "a - b"
    assert out.parents[0] is a and out.parents[1] is b and out.arg_names[:2] == ("parts[0]", "parts[2]")

    @trace.node
    def render(mapping):
        return ",".join(f"{k}={v}" for k, v in sorted(mapping.items()))

    out = render({"x": a, "y": 1})
    assert out.data == "x=a,y=1" and out.parents[0] is a


def test_nodes_read_inside_the_body_become_parents():
    prompt = trace.node("be brief", trainable=True, name="prompt")

    @trace.node
    def ask(question):
        return f"{prompt} :: {question}"  # prompt reached through the closure

    out = ask("why?")
    assert prompt in out.parents
    out.backward("shorter")
    assert prompt.feedback and prompt.feedback[0].content == "shorter"


def test_result_that_is_a_node_is_unwrapped():
    @trace.node
    def inner(x):
        return x + 1

    @trace.node
    def outer(x):
        return inner(x)  # tracing is off inside an operator body

    out = outer(trace.node(1, trainable=True))
    assert out.data == 2 and not isinstance(out.data, trace.Node)
    assert all(not isinstance(p, trace.OpNode) for p in out.parents)


def test_exceptions_become_error_nodes_with_context():
    @trace.node
    def parse(text):
        return int(text)

    bad = parse("seven")
    assert isinstance(bad, trace.ErrorNode) and bad.is_error and not bad
    assert bad.error.type == "ValueError" and "seven" in bad.error.inputs["text"]
    assert "int(text)" in bad.error.traceback
    assert isinstance(bad.exception, ValueError)
    text = bad.feedback_text()
    assert "parse(text='seven') raised ValueError" in text


def test_error_nodes_propagate_without_running_downstream():
    calls = []

    @trace.node
    def fail(x):
        raise RuntimeError("broken")

    @trace.node
    def after(x):
        calls.append(x)
        return x

    p = trace.node(1, trainable=True)
    out = after(fail(p)) + 1
    assert out.is_error and out.error.message == "broken" and calls == []
    out.backward(out.feedback_text())
    assert "broken" in p.feedback[0].content


def test_raise_mode_per_operator_and_per_context():
    @trace.node(on_error="raise")
    def strict(x):
        raise KeyError("k")

    with pytest.raises(TracedExecutionError, match="strict") as info:
        strict(1)
    assert isinstance(info.value.node, trace.ErrorNode)
    assert isinstance(info.value.__cause__, KeyError)

    @trace.node
    def loose(x):
        return 1 / x

    with trace.on_error("raise"):
        with pytest.raises(TracedExecutionError):
            loose(0)
    assert loose(0).is_error
    with pytest.raises(ValueError):
        with trace.on_error("sometimes"):
            pass


@trace.node(trainable=True, description="score a number")
def score(x):
    return x + 1


def test_trainable_code_is_a_parameter_that_can_be_replaced():
    op = trace.Operator(score.fn, trainable=True)  # a fresh copy so tests do not interfere
    assert op.trainable and op.code.kind == "code" and op.code.name == "score.__code__"
    assert op.code.data.startswith("def score(x):")
    out = op(1)
    assert out.data == 2 and op.code in out.parents and out.arg_names[-1] == "__code__"
    out.backward("make it larger")
    assert op.code.feedback[0].content == "make it larger"
    op.code.set("import math\n\ndef score(x):\n    return math.floor(x * 100)\n")
    assert op(1.5).data == 150
    assert "math.floor" in op.source


def test_bad_code_is_rejected_with_the_function_name_and_old_code_kept():
    op = trace.Operator(score.fn, trainable=True)
    old = op.code.data
    with pytest.raises(CodeCompileError, match="'score' does not compile: line 1"):
        op.code.set("def score(x) return x")
    with pytest.raises(CodeCompileError, match="does not define 'def score"):
        op.code.set("def other(x):\n    return x\n")
    with pytest.raises(CodeCompileError, match="top level"):
        op.code.set("print('side effect')\ndef score(x):\n    return x\n")
    with pytest.raises(CodeCompileError, match="must be text"):
        op.code.set(42)
    assert op.code.data == old and op(1).data == 2


def test_example_calls_after_the_definition_are_dropped_not_run(capsys):
    op = trace.Operator(score.fn, trainable=True)
    op.code.set("def score(x):\n    return x * 3\n\nscore(2)\nprint(score(5))\n")
    assert op(2).data == 6 and capsys.readouterr().out == ""


def test_new_code_that_raises_names_the_function():
    op = trace.Operator(score.fn, trainable=True)
    op.code.set("def score(x):\n    return x / 0\n")
    out = op(3)
    assert out.is_error and out.error.operator == "score" and out.error.type == "ZeroDivisionError"
    assert "return x / 0" in out.error.traceback  # the new code's lines show in the traceback
    with trace.on_error("raise"):
        with pytest.raises(TracedExecutionError, match="'score' raised ZeroDivisionError"):
            op(3)


def test_decorators_in_proposed_code_are_dropped():
    op = trace.Operator(score.fn, trainable=True)
    op.code.set("@trace.node(trainable=True)\ndef score(x):\n    return -x\n")
    assert op(5).data == -5


def test_async_operators():
    @trace.node
    async def fetch(x):
        await asyncio.sleep(0)
        return x * 2

    @trace.node
    async def fails(x):
        raise ValueError("nope")

    async def main():
        p = trace.node(4, trainable=True)
        a, b = await asyncio.gather(fetch(p), fetch(p))
        e = await fails(p)
        return p, a, b, e

    p, a, b, e = asyncio.run(main())
    assert a.data == 8 and b.parents[0] is p and e.is_error


def test_methods_are_bound_without_tracing_self():
    class Tool:
        factor = 3

        @trace.node
        def apply(self, x):
            return x * self.factor

    t = Tool()
    out = t.apply(trace.node(2, trainable=True))
    assert out.data == 6 and out.arg_names == ("x",)


def test_sync_and_async_paths_record_the_same_graph():
    def body(a, b, *rest, scale=1, **extra):
        """Combine everything."""
        if b == "fail":
            raise ValueError(f"bad b for {a}")
        return (a + sum(rest)) * scale

    async def abody(a, b, *rest, scale=1, **extra):
        return body(a, b, *rest, scale=scale, **extra)

    sync_op, async_op = trace.Operator(body), trace.Operator(abody)

    def shape(node):
        return (node.data if not node.is_error else type(node.exception).__name__,
                node.arg_names, [p.data for p in node.parents])

    x = trace.node(2, trainable=True)
    cases = [
        ((x, "ok", trace.node(3), 4), {"scale": x, "tag": "t"}),
        ((1, "fail"), {"scale": [x, 5]}),
    ]
    for args, kwargs in cases:
        s = sync_op(*args, **kwargs)
        a = asyncio.run(async_op(*args, **kwargs))
        assert shape(s) == shape(a)
    s = sync_op(x, "ok", 1, scale=x, tag="t")
    assert s.data == 6 and s.arg_names == ("a", "b", "rest[0]", "scale", "tag")
    assert s.parents[0] is x and s.parents[3] is x
    failed = sync_op(1, "fail", scale=[x, 5])
    assert failed.arg_names == ("a", "b", "scale[0]") and failed.parents[2] is x
    assert failed.error.inputs == {"a": "1", "b": "'fail'", "scale": "[2, 5]"}
    # an error node given as a keyword argument settles the call without running the body
    passed = asyncio.run(async_op(1, "ok", scale=failed))
    assert passed.is_error and passed.error is failed.error and passed.parents[2] is failed


def test_tracing_context_is_restored_whatever_the_body_does():
    @trace.node
    def interrupted(x):
        raise KeyboardInterrupt

    @trace.node(on_error="raise")
    def strict(x):
        raise KeyError("k")

    @trace.node
    async def cancelled(x):
        raise asyncio.CancelledError

    with pytest.raises(KeyboardInterrupt):
        interrupted(1)
    assert trace.is_tracing()
    with pytest.raises(TracedExecutionError):
        strict(1)
    assert trace.is_tracing()
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(cancelled(1))
    assert trace.is_tracing()

    @trace.node
    def inc(v):
        return v + 1

    p = trace.node(1, trainable=True)
    assert inc(p).parents == (p,)
