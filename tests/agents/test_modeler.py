"""The modeling agent's loop with scripted model replies and the real sandbox and solvers."""

import json

import pytest

from optolab.agents import Modeler
from optolab.errors import RealLLMCallForbidden
from optolab.testing import ScriptedLLM

QUESTION = ("A workshop makes desks and shelves. A desk needs 4 hours of work and earns $70; a shelf needs 2 hours "
            "and earns $30. There are 40 hours of work, and at most 8 desks can be sold. How many of each should be "
            "made to maximize profit?")
GOOD = {
    "variables": [{"name": "desks", "type": "integer", "description": "desks made"},
                  {"name": "shelves", "type": "integer", "description": "shelves made"}],
    "objective": {"sense": "maximize", "expression": "70*desks + 30*shelves"},
    "constraints": [{"name": "hours", "expression": "4*desks + 2*shelves <= 40"},
                    {"name": "desk_sales", "expression": "desks <= 8"}],
}  # optimum: 8 desks (32 h), 4 shelves (8 h) -> 560 + 120 = 680


def agent(replies, pool, **kw):
    kw.setdefault("strategies", ("formulation",))  # the replies here are formulations
    return Modeler(ScriptedLLM(replies), sandbox=pool, **kw)


def test_straight_solve_reports_objective_values_formulation_and_code(pool):
    m = agent([GOOD], pool)
    s = m.solve(QUESTION)
    assert s.ok and s.status == "optimal" and s.objective == pytest.approx(680)
    assert s.values == {"desks": 8.0, "shelves": 4.0} and s.sense == "maximize"
    assert "maximize 70*desks + 30*shelves" in s.math and "model.hours = pyo.Constraint" in s.code
    assert len(s.attempts) == 1 and s.llm_calls == 1 and s.prompt_tokens > 0
    assert "680" in s.explanation and 0 <= s.outside_llm_share <= 1
    doc = json.loads(json.dumps(s.to_dict(), default=str))
    assert doc["objective"] == 680


def test_prompt_has_instructions_examples_and_question(pool):
    m = agent([GOOD], pool, shots=2)
    m.solve(QUESTION)
    msgs = m.llm.calls[0]["messages"]
    assert msgs[0]["role"] == "system" and "operations research" in msgs[0]["content"]
    assert [x["role"] for x in msgs[1:5]] == ["user", "assistant", "user", "assistant"]
    assert msgs[-1]["content"].endswith(QUESTION)
    assert m.llm.calls[0]["params"]["response_format"] is None if "response_format" in m.llm.calls[0]["params"] else True


def test_static_problem_is_repaired(pool):
    bad = json.loads(json.dumps(GOOD))
    bad["constraints"][0]["expression"] = "4*lamps + 2*shelves <= 40"  # unknown name 'lamps'
    m = agent([bad, GOOD], pool)  # the formulation strategy repairs static findings under retry="auto" too
    s = m.solve(QUESTION)
    assert s.objective == pytest.approx(680) and [a.status for a in s.attempts] == ["not_run", "optimal"]
    repair = m.llm.calls[1]["messages"]
    assert repair[-2]["role"] == "assistant" and "not defined: ['lamps']" in repair[-1]["content"]


def test_runtime_error_is_traced_to_its_constraint(pool):
    bad = json.loads(json.dumps(GOOD))
    bad["constraints"][1]["expression"] = "desks <= 8 / 0"  # fails only when the code runs
    m = agent([bad, GOOD], pool)
    s = m.solve(QUESTION)
    assert s.ok and s.attempts[0].status == "error"
    assert "constraint desk_sales" in s.attempts[0].findings[0]


def test_infeasible_problem_gets_a_clear_answer(pool):
    text = QUESTION + " At least 12 desks must be made."
    infeasible = json.loads(json.dumps(GOOD))
    infeasible["constraints"].append({"name": "min_desks", "expression": "desks >= 12"})
    m = agent([infeasible], pool, max_attempts=2)
    m.llm.repeat_last = True
    s = m.solve(text)
    assert s.status == "infeasible" and not s.ok
    assert "no feasible solution" in s.explanation and "min_desks" in s.explanation


def test_invalid_replies_are_survived(pool):
    m = agent(["not json at all"] * 3 + [GOOD], pool)
    s = m.solve(QUESTION)
    assert s.ok and s.attempts[0].status == "invalid_reply"


def test_missing_data_is_reported(pool):
    missing = json.loads(json.dumps(GOOD))
    missing["parameters"] = {"hours_available": None}
    missing["constraints"][0]["expression"] = "4*desks + 2*shelves <= hours_available"
    m = agent([missing], pool, max_attempts=2)
    m.llm.repeat_last = True
    s = m.solve("A workshop makes desks ($70 profit) and shelves ($30). Desks take 4 hours, shelves 2. "
                "How many of each maximize profit?")
    assert s.status == "missing_data" and "hours_available" in s.explanation


@pytest.mark.parametrize("text, status", [("", "empty_input"), ("   ", "empty_input"),
                                          ("What a lovely day it is.", "not_a_problem")])
def test_bad_input(pool, text, status):
    m = agent([], pool)
    s = m.solve(text)
    assert s.status == status and s.explanation and m.llm.calls == []


def test_numbers_spelled_as_words_still_make_a_problem():
    from optolab.agents.modeler import looks_like_optimization

    assert looks_like_optimization("A student must take at least two math courses and at least two OR courses. "
                                   "Minimize the number of courses.")
    assert not looks_like_optimization("Two friends had a lovely day.")
    assert not looks_like_optimization("Minimize the number of courses.")


def test_self_consistency_votes_on_the_objective(pool):
    from optolab.testing import FunctionLLM

    wrong = json.loads(json.dumps(GOOD))
    wrong["constraints"][1]["expression"] = "desks <= 5"  # 5 desks, 10 shelves -> 650

    count = []

    def reply(messages, params):
        count.append(1)
        # the first chain stays wrong: its formulation, the repair, and the repair asked again with sampling
        # because it repeated the formulation
        return wrong if len(count) <= 3 else GOOD

    m = Modeler(FunctionLLM(reply), sandbox=pool, samples=3, max_attempts=2, strategies=("formulation",))
    s = m.solve(QUESTION)
    assert s.objective == pytest.approx(680)
    assert sorted((v["objective"], v["count"]) for v in s.votes) == [(650, 1), (680, 2)]
    temps = [c["params"]["temperature"] for c in m.llm.calls]
    assert temps[0] == 0.0 and max(temps) > 0


def test_agent_is_a_trainable_module(tmp_path, pool):
    m = agent([GOOD], pool)
    names = [n for n, _ in m.named_parameters()]
    assert names == ["instructions", "repair_instructions", "program_instructions", "program_repair_instructions",
                     "shots", "check_program.__code__", "check.__code__"]
    m.instructions.set("Model the problem as JSON.")
    m.save(tmp_path / "agent.json")
    fresh = agent([GOOD], pool).load(tmp_path / "agent.json")
    assert fresh.instructions.data == "Model the problem as JSON."
    fresh.solve(QUESTION)
    assert fresh.llm.calls[0]["messages"][0]["content"].startswith("Model the problem as JSON.")


def test_real_model_calls_are_never_made_by_accident(pool):
    from optolab.llm import LLM

    m = Modeler(LLM("openai/gpt-4o-mini"), sandbox=pool)
    with pytest.raises(RealLLMCallForbidden):
        m.solve(QUESTION)


def test_infeasible_between_failed_runs_is_still_infeasible(pool):
    text = QUESTION + " At least 12 desks must be made."
    infeasible = json.loads(json.dumps(GOOD))
    infeasible["constraints"].append({"name": "min_desks", "expression": "desks >= 12"})
    broken = json.loads(json.dumps(GOOD))
    broken["constraints"][0]["expression"] = "4*lamps + 2*shelves <= 40"  # cannot run
    s = agent([infeasible, broken, infeasible], pool, max_attempts=3).solve(text)
    assert [a.status for a in s.attempts] == ["infeasible", "not_run", "infeasible"]
    assert s.status == "infeasible"
    one = agent([infeasible, broken, broken], pool, max_attempts=3).solve(text)
    assert one.status == "no_model"  # said once only: not enough to call the problem infeasible


class _OrderSpy(ScriptedLLM):
    """Records the field order each structured request asked its backend for."""

    def __init__(self, replies):
        super().__init__(replies)
        self.orders = []

    def _response_format(self, schema, field_order="any"):
        self.orders.append((schema.__name__, field_order))
        return None


@pytest.mark.parametrize("order", ["any", "declared"])
def test_the_formulation_is_asked_for_in_the_chosen_field_order(pool, order):
    llm = _OrderSpy([GOOD])
    s = Modeler(llm, sandbox=pool, field_order=order, strategies=("formulation",)).solve(QUESTION)
    assert s.objective == pytest.approx(680)
    assert llm.orders == [("Formulation", order)]


def test_an_unknown_field_order_is_refused():
    with pytest.raises(ValueError, match="field_order 'sorted'"):
        Modeler(ScriptedLLM([GOOD]), field_order="sorted")
