import json

import pytest

from optolab import trace
from optolab.errors import CodeCompileError, NameClashError, StateError


class Inner(trace.Module):
    def __init__(self):
        self.temperature = trace.node(0.5, trainable=True)


class Agent(trace.Module):
    def __init__(self):
        self.prompt = trace.node("Be brief.", trainable=True, name="prompt")
        self.examples = [trace.node("ex1", trainable=True), "not a node"]
        self.tools = {"search": trace.node("query:{q}", trainable=True), "n": 3}
        self.inner = Inner()
        self.constant = trace.node("fixed")

    @trace.node(trainable=True)
    def respond(self, question):
        return f"{self.prompt} {question}"

    def forward(self, question):
        return self.respond(question)


def test_named_parameters_walk_attributes_containers_submodules_and_methods():
    agent = Agent()
    names = [n for n, _ in agent.named_parameters()]
    assert names == ["prompt", "examples.0", "tools.search", "inner.temperature", "respond.__code__"]
    assert len(agent.parameters()) == 5
    assert [n for n, _ in agent.named_modules()] == ["", "inner"]
    assert "Agent(parameters=" in repr(agent)


def test_trainable_methods_have_per_instance_code():
    a, b = Agent(), Agent()
    a_code = dict(a.named_parameters())["respond.__code__"]
    b_code = dict(b.named_parameters())["respond.__code__"]
    assert a_code is not b_code
    a_code.set("def respond(self, question):\n    return 'A:' + question\n")
    assert a("hi").data == "A:hi"
    assert b("hi").data == "Be brief. hi"


def test_forward_feedback_reaches_prompt_and_code():
    agent = Agent()
    out = agent("what?")
    out.backward("too long")
    params = dict(agent.named_parameters())
    assert params["prompt"].feedback and params["respond.__code__"].feedback
    assert params["inner.temperature"].feedback == []
    agent.zero_feedback()
    assert all(not p.feedback for p in agent.parameters())


def test_shared_parameter_listed_once():
    class Twice(trace.Module):
        def __init__(self):
            self.p = trace.node(1, trainable=True)
            self.again = [self.p]

    assert [n for n, _ in Twice().named_parameters()] == ["p"]


def test_name_clash_is_an_error():
    class Clash(trace.Module):
        def __init__(self):
            self.a = Inner()
            self.d = {}

    m = Clash()
    m.__dict__["a.temperature"] = trace.node(1.0, trainable=True)  # collides with a.temperature
    with pytest.raises(NameClashError, match="a.temperature"):
        list(m.named_parameters())


def test_state_dict_round_trip_and_json_file(tmp_path):
    agent = Agent()
    dict(agent.named_parameters())["respond.__code__"].set(
        "def respond(self, question):\n    return question.upper()\n"
    )
    agent.prompt.set("Be thorough.")
    path = agent.save(tmp_path / "agent.json")
    doc = json.loads(path.read_text())
    assert doc["format"] == "optolab.module-state" and doc["parameters"]["prompt"]["data"] == "Be thorough."
    assert doc["parameters"]["respond.__code__"]["kind"] == "code"
    fresh = Agent().load(path)
    assert fresh.state_dict() == agent.state_dict()
    assert fresh("abc").data == "ABC"  # loaded code runs


def test_load_errors_change_nothing(tmp_path):
    agent = Agent()
    before = agent.state_dict()
    with pytest.raises(StateError, match=r"missing \['inner.temperature'\]"):
        agent.load_state_dict({k: v for k, v in before.items() if k != "inner.temperature"})
    with pytest.raises(StateError, match=r"unexpected \['extra'\]"):
        agent.load_state_dict({**before, "extra": 1})
    with pytest.raises(StateError, match="cannot load parameter 'prompt'"):
        agent.load_state_dict({**before, "prompt": 12})
    with pytest.raises(StateError, match="respond.__code__") as info:
        agent.load_state_dict({**before, "prompt": "new", "respond.__code__": "def respond(:"})
    assert isinstance(info.value.__cause__, CodeCompileError)
    assert agent.state_dict() == before  # nothing applied
    agent.load_state_dict({"prompt": "partial"}, strict=False)
    assert agent.prompt.data == "partial"
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(StateError, match="invalid JSON"):
        agent.load(bad)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"hello": 1}))
    with pytest.raises(StateError, match="not a saved optolab module state"):
        agent.load(other)
    with pytest.raises(StateError, match="no saved state"):
        agent.load(tmp_path / "missing.json")


def test_unserialisable_values_give_a_clear_error(tmp_path):
    class Odd(trace.Module):
        def __init__(self):
            self.p = trace.node(object(), trainable=True)

    with pytest.raises(StateError, match=r"parameters \['p'\]"):
        Odd().save(tmp_path / "odd.json")
    assert not (tmp_path / "odd.json").exists()


def test_freeze_hides_parameters_from_training_but_not_from_state():
    agent = Agent()
    agent.inner.freeze()
    names = [n for n, _ in agent.named_parameters()]
    assert "inner.temperature" not in names
    assert "inner.temperature" in agent.state_dict()
    agent.inner.unfreeze()
    assert "inner.temperature" in [n for n, _ in agent.named_parameters()]


def test_tuple_parameters_survive_json(tmp_path):
    class T(trace.Module):
        def __init__(self):
            self.pair = trace.node((1, 2), trainable=True)

    t = T()
    t.save(tmp_path / "t.json")
    u = T()
    u.pair.set((5, 6))
    u.load(tmp_path / "t.json")
    assert u.pair.data == (1, 2)
