"""The worked examples shown to the model are right: each formulation solves to the optimum it states."""

import pytest

from optolab.agents.codegen import generate_code
from optolab.agents.formulation import Formulation
from optolab.agents.retrieval import ExampleBank
from optolab.solvers.sandbox import run_model_code

BANK = ExampleBank.default()


@pytest.mark.parametrize("example", BANK.examples, ids=[e.id for e in BANK.examples])
def test_worked_example_solves_to_its_stated_optimum(example, pool):
    assert example.objective is not None, f"{example.id} states no optimum"
    code = generate_code(Formulation.model_validate(example.formulation)).code
    result = run_model_code(code, pool=pool)
    assert result.ok, result.error
    assert result.solve.objective == pytest.approx(example.objective, rel=1e-6, abs=1e-6)


def test_bank_ids_are_unique_and_small_problems_are_covered():
    ids = [e.id for e in BANK.examples]
    assert len(ids) == len(set(ids))
    # short problems with a few plain variables (the NL4OPT kind) need examples of their own shape
    assert sum(1 for e in BANK.examples if not e.formulation.get("sets")) >= 10
