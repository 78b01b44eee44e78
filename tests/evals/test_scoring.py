"""Scoring rules on edge cases, and summaries per tag."""

from __future__ import annotations

import pytest

from optolab.datasets import BenchmarkItem, LabelKind
from optolab.errors import ScoringError
from optolab.evals import (
    RULE_NAMES,
    Prediction,
    RelativeAllAnswers,
    RelativeObjective,
    RoundedRelativeObjective,
    get_rule,
    score,
    summarize,
)
from optolab.evals.scoring import lookup_answer

STRICT, REL6, ROUND5 = "rel_1e-4_all_answers", "rel_1e-6_objective", "rounded_5pct_objective"


def item(
    objective: float | None,
    label: LabelKind = LabelKind.VALUE,
    answers: dict[str, float] | None = None,
    objective_key: str | None = None,
    tags: tuple[str, ...] = (),
    item_id: str = "i",
) -> BenchmarkItem:
    return BenchmarkItem(
        id=item_id,
        question="q",
        objective=objective,
        answers=answers,
        label=label,
        raw_label="" if objective is None else str(objective),
        source="test",
        tags=tags,
        objective_key=objective_key,
    )


def verdicts(it: BenchmarkItem, pred: Prediction | None) -> tuple[bool | None, bool | None, bool | None]:
    result = score(it, pred)
    assert list(result) == [STRICT, REL6, ROUND5]
    return result[STRICT], result[REL6], result[ROUND5]


def test_rule_names_and_lookup() -> None:
    assert RULE_NAMES == (STRICT, REL6, ROUND5)
    assert isinstance(get_rule(REL6), RelativeObjective)
    with pytest.raises(ScoringError, match="rel_1e-6_objective"):
        get_rule("exact")
    for rule in (RelativeAllAnswers, RelativeObjective, RoundedRelativeObjective):
        assert rule.__doc__ and len(rule.__doc__) > 80  # each names where the literature uses it


@pytest.mark.parametrize(
    ("expected", "predicted", "want"),
    [
        (100.0, 100.0, (True, True, True)),
        (100.0, 100.00005, (True, True, True)),  # 5e-7 relative to 101
        (100.0, 100.0002, (True, False, True)),  # within 1e-4*100, not within 1e-6*101
        (100.0, 100.02, (False, False, True)),
        (100.0, 104.6, (False, False, True)),  # rounded: 105 vs 100 -> 5 %
        (100.0, 105.6, (False, False, False)),  # rounded: 106 vs 100 -> 6 %
        (0.0, 0.0, (True, True, True)),
        (0.0, 5e-5, (True, False, True)),  # within 1e-4 * max(1, 0), not within 1e-6 * (0 + 1)
        (0.0, 0.4, (False, False, True)),  # rounds to 0
        (0.0, 0.6, (False, False, False)),  # rounds to 1, and |1| > 0.05
        (-250.0, -250.0001, (True, True, True)),
        (-250.0, 250.0, (False, False, False)),  # sign matters
        (1.5e9, 1.5e9 + 1000, (True, True, True)),  # 6.7e-7 relative
        (1.5e9, 1.5e9 + 10_000, (True, False, True)),
        (2.4, 2.6, (False, False, False)),  # rounds to 2 vs 3
    ],
)
def test_objective_rules(expected: float, predicted: float, want: tuple[bool, bool, bool]) -> None:
    assert verdicts(item(expected), Prediction(objective=predicted)) == want


def test_failed_predictions_are_wrong_for_value_labels() -> None:
    it = item(10.0)
    assert verdicts(it, None) == (False, False, False)
    assert verdicts(it, Prediction(objective=None)) == (False, False, False)
    assert verdicts(it, Prediction(objective=float("nan"))) == (False, False, False)
    assert verdicts(it, Prediction(objective=float("inf"))) == (False, False, False)
    assert verdicts(it, Prediction(objective=10.0, status="error")) == (False, False, False)
    assert verdicts(it, Prediction(objective=10.0, status="infeasible")) == (False, False, False)
    assert verdicts(it, Prediction(status="no_answer")) == (False, False, False)
    assert verdicts(it, Prediction(objective=10.0, status="feasible")) == (True, True, True)


@pytest.mark.parametrize(
    "status", ["infeasible", "unbounded", "Infeasible or unbounded", "no_optimum", "NO-OPTIMUM"]
)
def test_no_optimum_label_needs_no_optimum_status(status: str) -> None:
    it = item(None, LabelKind.NO_OPTIMUM)
    assert verdicts(it, Prediction(status=status)) == (True, True, True)
    assert verdicts(it, Prediction(objective=0.0, status=status)) == (True, True, True)


def test_no_optimum_label_rejects_answers() -> None:
    it = item(None, LabelKind.NO_OPTIMUM)
    assert verdicts(it, Prediction(objective=0.0)) == (False, False, False)
    assert verdicts(it, Prediction(status="error")) == (False, False, False)
    assert verdicts(it, None) == (False, False, False)


@pytest.mark.parametrize("label", [LabelKind.MISSING, LabelKind.MALFORMED])
def test_unlabelled_items_are_not_scorable(label: LabelKind) -> None:
    it = item(None, label)
    assert verdicts(it, Prediction(objective=1.0)) == (None, None, None)
    assert verdicts(it, None) == (None, None, None)
    assert verdicts(it, Prediction(status="infeasible")) == (None, None, None)


ANSWERS = {"Number of loaves": 12.0, "Number of rolls": 30.0, "The maximum profit": 456.5}
KEYED = item(456.5, answers=ANSWERS, objective_key="The maximum profit")


def test_strict_rule_requires_every_keyed_answer() -> None:
    full = Prediction(objective=456.5, answers=dict(ANSWERS))
    assert verdicts(KEYED, full) == (True, True, True)
    # the objective key may be omitted: it is matched through `objective`
    no_obj_key = Prediction(objective=456.5, answers={"Number of loaves": 12, "Number of rolls": 30})
    assert verdicts(KEYED, no_obj_key) == (True, True, True)
    missing_var = Prediction(objective=456.5, answers={"Number of loaves": 12.0})
    assert verdicts(KEYED, missing_var) == (False, True, True)
    wrong_var = Prediction(objective=456.5, answers={**ANSWERS, "Number of rolls": 31.0})
    assert verdicts(KEYED, wrong_var) == (False, True, True)
    extra = Prediction(objective=456.5, answers={**ANSWERS, "Unasked value": 99.0})
    assert verdicts(KEYED, extra) == (True, True, True)
    no_answers = Prediction(objective=456.5)
    assert verdicts(KEYED, no_answers) == (False, True, True)
    bad_value = Prediction(objective=456.5, answers={**ANSWERS, "Number of rolls": float("nan")})
    assert verdicts(KEYED, bad_value) == (False, True, True)
    wrong_objective = Prediction(objective=400.0, answers=dict(ANSWERS))
    assert verdicts(KEYED, wrong_objective)[0] is False


def test_keys_match_exactly_then_case_and_space_insensitively() -> None:
    loose = Prediction(
        objective=456.5,
        answers={"number of  LOAVES": 12.0, " Number of rolls ": 30.0, "the maximum profit": 456.5},
    )
    assert score(KEYED, loose)[STRICT] is True
    # an exact key wins over a loosely matching one
    both = {"Number of rolls": 30.0, "number of rolls": 1.0}
    assert lookup_answer(both, "Number of rolls") == 30.0
    assert lookup_answer({"NUMBER OF ROLLS": 2.0}, "Number of rolls") == 2.0
    assert lookup_answer({"Number of roll": 2.0}, "Number of rolls") is None
    assert lookup_answer(None, "x") is None


def test_strict_tolerance_is_relative_for_large_values() -> None:
    big = item(2_000_000.0, answers={"x": 1e6, "cost": 2e6}, objective_key="cost")
    pred = Prediction(objective=2_000_150.0, answers={"x": 1_000_050.0})
    assert score(big, pred)[STRICT] is True  # within 1e-4 * |value|
    assert score(big, Prediction(objective=2_000_250.0, answers={"x": 1e6}))[STRICT] is False
    small = item(0.5, answers={"y": 0.25, "obj": 0.5}, objective_key="obj")
    assert score(small, Prediction(objective=0.50009, answers={"y": 0.25009}))[STRICT] is True
    assert score(small, Prediction(objective=0.5, answers={"y": 0.2502}))[STRICT] is False


def test_custom_tolerances_and_rule_subset() -> None:
    it = item(100.0)
    assert score(it, Prediction(objective=100.5), rules=[RelativeObjective(tol=1e-2)]) == {REL6: True}
    assert score(it, Prediction(objective=109.0), rules=[RoundedRelativeObjective(tol=0.1)]) == {ROUND5: True}


def test_summarize_overall_and_per_tag() -> None:
    items = [
        item(10.0, tags=("linear", "table"), item_id="a"),
        item(20.0, tags=("linear", "notable"), item_id="b"),
        item(None, LabelKind.NO_OPTIMUM, tags=("nonlinear", "notable"), item_id="c"),
        item(None, LabelKind.MISSING, tags=("linear", "notable"), item_id="d"),
        item(5.0, item_id="e"),
    ]
    preds = [
        Prediction(objective=10.0),
        Prediction(objective=20.5),  # only the rounded 5 % rule accepts it
        Prediction(status="infeasible"),
        Prediction(objective=3.0),
        None,
    ]
    scores = [score(it, p) for it, p in zip(items, preds)]
    summary = summarize(scores, items)
    overall = summary.overall
    assert (overall[REL6].correct, overall[REL6].scored, overall[REL6].not_scorable) == (2, 4, 1)
    assert overall[REL6].accuracy == 50.0
    assert (overall[ROUND5].correct, overall[ROUND5].accuracy) == (3, 75.0)
    assert summary.not_scorable_ids == ("d",)
    assert list(summary.per_tag) == ["linear", "nonlinear", "notable", "table"]
    linear = summary.per_tag["linear"]
    assert (linear[REL6].correct, linear[REL6].scored, linear[REL6].not_scorable) == (1, 2, 1)
    assert linear[ROUND5].accuracy == 100.0
    assert summary.per_tag["nonlinear"][STRICT].accuracy == 100.0
    assert summary.per_tag["table"][STRICT].to_dict() == {
        "correct": 1,
        "scored": 1,
        "not_scorable": 0,
        "accuracy": 100.0,
    }
    as_dict = summary.to_dict()
    assert as_dict["overall"][STRICT]["scored"] == 4 and as_dict["not_scorable_ids"] == ["d"]
    # the same from scores keyed by item id
    keyed = summarize({it.id: s for it, s in zip(items, scores)}, items)
    assert keyed == summary


def test_summarize_edge_cases() -> None:
    only_missing = [item(None, LabelKind.MALFORMED, item_id="m")]
    summary = summarize([score(only_missing[0], Prediction(objective=1.0))], only_missing)
    assert summary.overall[REL6].accuracy is None and summary.overall[REL6].not_scorable == 1
    assert summarize([], []).overall == {}
    with pytest.raises(ScoringError, match="1 score rows for 2 items"):
        summarize([{REL6: True}], [item(1.0, item_id="x"), item(2.0, item_id="y")])
    with pytest.raises(ScoringError, match="'y'"):
        summarize({"x": {REL6: True}}, [item(1.0, item_id="x"), item(2.0, item_id="y")])
