"""Loaders on small invented files in each supported format."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest

from optolab.datasets import LabelKind, load_benchmark, parse_label, resolve_data_dir
from optolab.datasets.optibench import choose_objective_key
from optolab.errors import (
    DataDirError,
    DatasetError,
    DatasetFormatError,
    DatasetNotFoundError,
    OptolabError,
    UnknownBenchmarkError,
)


def write_jsonl(path: Path, rows: list[object]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8"
    )
    return path


OPTIBENCH_ENTRIES = [
    {
        "question": "A bakery sells loaves and rolls to maximize its profit ...",
        "index": 0,
        "type": "linear-notable",
        "results": {"Number of loaves": "12.0", "Number of rolls": "30.0", "The maximum profit": "456.5"},
    },
    {
        "question": "| shop | demand |\n| A | 3 |\nChoose trucks to minimize cost ...",
        "index": 1,
        "type": "linear-table",
        "results": {"Trucks to shop A": "3.0", "Trucks to shop B": "0.0", "Total Cost": "0.35355339"},
    },
    {
        "question": "Design a box of largest volume ...",
        "index": 2,
        "type": "nonlinear-notable",
        "results": {"The height of the box": "2.0", "The volume": "oops"},
    },
]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    (root / "optibench").mkdir(parents=True)
    (root / "optibench" / "OptiBench.json").write_text(json.dumps(OPTIBENCH_ENTRIES), encoding="utf-8")
    write_jsonl(
        root / "nl4opt" / "NL4OPT.jsonl",
        [
            {"en_question": "Ducks are carried by boat or canoe ...", "en_answer": "1160.0"},
            {"en_question": "A farmer plants two crops ...", "en_answer": "No Best Solution"},
            {"en_question": "A shop sells pens ...", "en_answer": ""},
            {"en_question": "A mine ships ore ...", "en_answer": "$1,200"},
            {"en_question": "A plant makes widgets ...", "en_answer": "1,200"},
        ],
    )
    write_jsonl(
        root / "mamo_easylp" / "MAMO_EasyLP_fixed.jsonl",
        [
            {"en_question": "Allocate budget between X and Y ...", "en_answer": "10000", "is_checked": 0},
            {"en_question": "Contradictory demand ...", "en_answer": "-9999", "is_checked": 1},
            {"en_question": "Ship goods ...", "en_answer": "nan", "is_checked": 0, "original_answer": "12"},
        ],
    )
    return root


def test_optibench_keyed_answers_tags_and_objective_by_name(data_dir: Path) -> None:
    bench = load_benchmark("optibench", data_dir=data_dir)
    assert bench.name == "optibench" and len(bench) == 3
    first, table, broken = bench.items
    assert first.id == "optibench-0" and first.orig_id == "0"
    assert first.answers == {"Number of loaves": 12.0, "Number of rolls": 30.0, "The maximum profit": 456.5}
    assert first.objective == 456.5 and first.objective_key == "The maximum profit"
    assert first.tags == ("linear", "notable") and first.problem_type == "linear-notable"
    assert first.label is LabelKind.VALUE and first.raw_label == "456.5" and first.has_ground_truth
    assert table.tags == ("linear", "table") and table.objective_key == "Total Cost"
    assert broken.label is LabelKind.MALFORMED and broken.objective is None and not broken.has_ground_truth
    assert [(i.item_id, i.label) for i in bench.issues] == [("optibench-2", LabelKind.MALFORMED)]
    assert "'The volume'" in bench.issues[0].reason
    assert "chosen by its description" in bench.description
    assert set(bench.by_tag()) == {"linear", "nonlinear", "notable", "table"}
    assert [i.id for i in bench.by_tag()["table"]] == ["optibench-1"]


def test_optibench_objective_follows_sirl_copy_when_present(data_dir: Path) -> None:
    write_jsonl(
        data_dir / "optibench" / "OptiBench_SIRL_objective_only.jsonl",
        [
            {"en_question": OPTIBENCH_ENTRIES[0]["question"], "en_answer": 30},  # a variable, not the profit
            {"en_question": OPTIBENCH_ENTRIES[1]["question"], "en_answer": 0.35},  # rounded to 2 decimals
            {"en_question": OPTIBENCH_ENTRIES[2]["question"], "en_answer": 2},
        ],
    )
    bench = load_benchmark("optibench", data_dir=data_dir)
    first, table, _ = bench.items
    assert first.objective_key == "Number of rolls" and first.objective == 30.0
    assert table.objective_key == "Total Cost" and table.objective == pytest.approx(0.35355339)
    assert "SIRL" in bench.description and "matched" in bench.description


def test_choose_objective_key_rules() -> None:
    results = {"x": 0.0, "y": 0.0, "Total production time": 0.0}
    assert choose_objective_key(results, reference=0.0) == "Total production time"
    assert choose_objective_key({"a": 1.0, "b": 2.0}) == "b"  # no objective word: the last key
    assert choose_objective_key({"Minimum cost": 5.0, "Workers needed": 2.0}) == "Minimum cost"
    assert (
        choose_objective_key({"Minutes used": 5.0, "Units": 2.0}) == "Units"
    )  # "minutes" is no objective word
    assert choose_objective_key({"a": 1.0, "Total": 9.0}, reference=1.0) == "a"
    assert choose_objective_key({}) is None


def test_nl4opt_labels(data_dir: Path) -> None:
    bench = load_benchmark("nl4opt", data_dir=data_dir)
    kinds = [item.label for item in bench]
    assert kinds == [
        LabelKind.VALUE,
        LabelKind.NO_OPTIMUM,
        LabelKind.MISSING,
        LabelKind.MALFORMED,
        LabelKind.VALUE,
    ]
    assert bench.items[0].objective == 1160.0 and bench.items[0].answers is None
    assert bench.items[1].objective is None and bench.items[1].has_ground_truth
    assert bench.items[1].raw_label == "No Best Solution"
    assert bench.items[4].objective == 1200.0
    assert [(i.item_id, i.label) for i in bench.issues] == [
        ("nl4opt-2", LabelKind.MISSING),
        ("nl4opt-3", LabelKind.MALFORMED),
    ]
    assert "$1,200" in bench.issues[1].reason
    assert bench.label_counts() == {"value": 2, "no_optimum": 1, "missing": 1, "malformed": 1}


def test_mamo_sentinel_and_limit(data_dir: Path) -> None:
    bench = load_benchmark("mamo_easylp", data_dir=data_dir)
    assert [i.label for i in bench] == [LabelKind.VALUE, LabelKind.NO_OPTIMUM, LabelKind.MALFORMED]
    assert bench.items[1].raw_label == "-9999"
    assert load_benchmark("MAMO-EasyLP", data_dir=data_dir, limit=1).items == bench.items[:1]
    with pytest.raises(DatasetError, match="limit"):
        load_benchmark("mamo_easylp", data_dir=data_dir, limit=-1)


@pytest.mark.parametrize(
    ("raw", "kind", "value"),
    [
        ("12", LabelKind.VALUE, 12.0),
        (" -3.5e2 ", LabelKind.VALUE, -350.0),
        ("1,234,567.5", LabelKind.VALUE, 1234567.5),
        ("1 200", LabelKind.VALUE, 1200.0),
        (7, LabelKind.VALUE, 7.0),
        (0.0, LabelKind.VALUE, 0.0),
        ("1,20", LabelKind.MALFORMED, None),
        ("$1,200", LabelKind.MALFORMED, None),
        ("1200 dollars", LabelKind.MALFORMED, None),
        ("inf", LabelKind.MALFORMED, None),
        ("NaN", LabelKind.MALFORMED, None),
        (float("inf"), LabelKind.MALFORMED, None),
        (True, LabelKind.MALFORMED, None),
        ([1], LabelKind.MALFORMED, None),
        ("", LabelKind.MISSING, None),
        ("   ", LabelKind.MISSING, None),
        (None, LabelKind.MISSING, None),
        ("no best solution", LabelKind.NO_OPTIMUM, None),
        ("Infeasible", LabelKind.NO_OPTIMUM, None),
        ("unbounded", LabelKind.NO_OPTIMUM, None),
    ],
)
def test_parse_label(raw: object, kind: LabelKind, value: float | None) -> None:
    parsed = parse_label(raw)
    assert parsed.kind is kind and parsed.value == value
    assert (parsed.reason is None) == (kind is LabelKind.VALUE)


def test_parse_label_sentinels_only_when_named() -> None:
    assert parse_label("-9999").kind is LabelKind.VALUE
    assert parse_label("-9999", sentinels=(-9999.0,)).kind is LabelKind.NO_OPTIMUM
    assert parse_label(-9999, sentinels=(-9999.0,)).kind is LabelKind.NO_OPTIMUM


def test_generic_jsonl(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "mine.jsonl",
        [
            {"id": "p1", "question": "Minimize cost ...", "objective": 12.5, "tags": ["linear", "easy"]},
            "",
            {
                "id": "p2",
                "question": "Choose x, y ...",
                "objective": 3,
                "answers": {"x": 1, "y": 2, "obj": 3},
            },
            {"id": "p3", "question": "An infeasible one", "objective": None, "status": "infeasible"},
            {"id": "p4", "question": "Unlabelled", "objective": None},
        ],
    )
    bench = load_benchmark(path)
    assert bench.name == "mine" and [i.id for i in bench] == ["p1", "p2", "p3", "p4"]
    assert bench.items[0].tags == ("linear", "easy") and bench.items[0].source == "mine"
    assert (
        bench.items[1].answers == {"x": 1.0, "y": 2.0, "obj": 3.0} and bench.items[1].objective_key == "obj"
    )
    assert bench.items[2].label is LabelKind.NO_OPTIMUM
    assert [(i.item_id, i.label) for i in bench.issues] == [("p4", LabelKind.MISSING)]
    # a relative path is also looked up under data_dir
    assert [i.id for i in load_benchmark("mine.jsonl", data_dir=tmp_path)] == ["p1", "p2", "p3", "p4"]


def test_generic_jsonl_with_optibench_style_results(tmp_path: Path) -> None:
    entry = dict(OPTIBENCH_ENTRIES[1], id="tab-1")
    bench = load_benchmark(write_jsonl(tmp_path / "keyed.jsonl", [entry]))
    (only,) = bench.items
    assert only.id == "tab-1" and only.tags == ("linear", "table") and only.objective_key == "Total Cost"
    assert only.answers == {"Trucks to shop A": 3.0, "Trucks to shop B": 0.0, "Total Cost": 0.35355339}


def test_generic_jsonl_errors_name_file_and_line(tmp_path: Path) -> None:
    bad_json = write_jsonl(tmp_path / "bad.jsonl", [{"question": "ok", "objective": 1}, "{not json", "[1, 2"])
    with pytest.raises(DatasetFormatError) as info:
        load_benchmark(bad_json)
    message = str(info.value)
    assert "bad.jsonl" in message and "line 2" in message and "line 3" in message and "2 malformed" in message

    no_question = write_jsonl(
        tmp_path / "noq.jsonl", [{"question": "ok", "objective": 1}, {"objective": 2}, {"question": "  "}]
    )
    with pytest.raises(DatasetFormatError) as info:
        load_benchmark(no_question)
    assert "noq.jsonl:2" in str(info.value) and "noq.jsonl:3" in str(info.value)
    assert "no question text" in str(info.value)

    dup = write_jsonl(tmp_path / "dup.jsonl", [{"id": "a", "question": "q"}, {"id": "a", "question": "r"}])
    with pytest.raises(DatasetFormatError, match="id 'a' appears 2 times"):
        load_benchmark(dup)

    bad_tags = write_jsonl(tmp_path / "tags.jsonl", [{"question": "q", "objective": 1, "tags": "linear"}])
    with pytest.raises(DatasetFormatError, match="tags"):
        load_benchmark(bad_tags)


def test_question_answer_keys_and_json_list(tmp_path: Path) -> None:
    root = tmp_path / "data"
    write_jsonl(root / "industryor" / "IndustryOR.json", [{"question": "Plan shifts ...", "answer": "48"}])
    bench = load_benchmark("industryor", data_dir=root)
    assert bench.items[0].objective == 48.0 and bench.items[0].id == "industryor-0"
    (root / "optmath_bench").mkdir()
    (root / "optmath_bench" / "OptMATH_Bench.json").write_text(
        json.dumps(
            [{"en_question": "Route vans ...", "en_answer": "-9999"}, {"question": "q", "answer": 2.5}]
        )
    )
    bench = load_benchmark("optmath_bench", data_dir=root)
    assert [i.label for i in bench] == [LabelKind.NO_OPTIMUM, LabelKind.VALUE]
    assert bench.items[1].objective == 2.5 and bench.issues == []


def test_nlp4lp_folders(tmp_path: Path) -> None:
    root = tmp_path / "data" / "nlp4lp"
    for name, objective in (("2", 7.5), ("10", None), ("1", "x")):
        (root / name).mkdir(parents=True)
        (root / name / "description.txt").write_text(f"Problem {name} ...")
        (root / name / "solution.json").write_text(json.dumps({"objective": objective}))
    (root / "3").mkdir()
    (root / "3" / "description.txt").write_text("Problem 3 without solution")
    bench = load_benchmark("nlp4lp", data_dir=tmp_path / "data")
    assert [i.orig_id for i in bench] == ["1", "2", "3", "10"]
    assert [i.label for i in bench] == [
        LabelKind.MALFORMED,
        LabelKind.VALUE,
        LabelKind.MISSING,
        LabelKind.MISSING,
    ]
    assert bench.items[1].question == "Problem 2 ..." and bench.items[1].objective == 7.5
    assert "no solution.json" in bench.issues[1].reason
    (root / "11").mkdir()
    with pytest.raises(DatasetFormatError, match="no description.txt"):
        load_benchmark("nlp4lp", data_dir=tmp_path / "data")


@pytest.mark.parametrize("name", ["mamo_complexlp", "industryor", "optmath_bench", "nlp4lp"])
def test_absent_benchmarks_name_expected_path_and_hub(data_dir: Path, name: str) -> None:
    with pytest.raises(DatasetNotFoundError) as info:
        load_benchmark(name, data_dir=data_dir)
    message = str(info.value)
    assert str(data_dir) in message and "hub_id" in message
    if name == "mamo_complexlp":
        assert "mamo_complexlp/MAMO_ComplexLP_fixed.jsonl" in message


def test_unknown_name_and_missing_file(data_dir: Path) -> None:
    with pytest.raises(UnknownBenchmarkError, match="nl4opt"):
        load_benchmark("no_such_bench", data_dir=data_dir)
    with pytest.raises(DatasetNotFoundError, match="nowhere.jsonl"):
        load_benchmark(data_dir / "nowhere.jsonl")


def test_resolve_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPTOLAB_DATA_DIR", raising=False)
    with pytest.raises(DataDirError) as info:
        resolve_data_dir()
    assert "OPTOLAB_DATA_DIR" in str(info.value) and "--data-dir" in str(info.value)
    assert isinstance(info.value, OptolabError)
    env_dir, arg_dir = tmp_path / "env", tmp_path / "arg"
    env_dir.mkdir()
    arg_dir.mkdir()
    monkeypatch.setenv("OPTOLAB_DATA_DIR", str(env_dir))
    assert resolve_data_dir() == env_dir
    assert resolve_data_dir(arg_dir) == arg_dir  # the argument wins over the variable
    with pytest.raises(DataDirError, match="does not exist"):
        resolve_data_dir(tmp_path / "missing")
    monkeypatch.setenv("OPTOLAB_DATA_DIR", str(tmp_path / "gone"))
    with pytest.raises(DataDirError, match="OPTOLAB_DATA_DIR"):
        resolve_data_dir()


def test_known_benchmark_via_env_var(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPTOLAB_DATA_DIR", str(data_dir))
    assert len(load_benchmark("nl4opt")) == 5


def _fake_datasets(monkeypatch: pytest.MonkeyPatch, rows: list[dict], calls: list[tuple]) -> None:
    module = types.ModuleType("datasets")

    def load_dataset(hub_id: str, split: str | None = None):
        calls.append((hub_id, split))
        return rows

    module.load_dataset = load_dataset  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "datasets", module)


def test_hub_path_maps_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple] = []
    rows = [
        {"en_question": "Staff a call centre ...", "en_answer": "No Best Solution"},
        {"question": "Blend oils ...", "answer": "2,400"},
        {"en_question": "Marked infeasible ...", "en_answer": "-9999"},
    ]
    _fake_datasets(monkeypatch, rows, calls)
    bench = load_benchmark("mamo_easylp", hub_id="someone/mamo-sirl")
    assert calls == [("someone/mamo-sirl", "test")]
    assert bench.name == "mamo_easylp" and "someone/mamo-sirl" in bench.description
    assert [i.label for i in bench] == [LabelKind.NO_OPTIMUM, LabelKind.VALUE, LabelKind.NO_OPTIMUM]
    assert bench.items[1].objective == 2400.0 and bench.items[1].source == "mamo_easylp"
    bench = load_benchmark("my-set", hub_id="someone/other", split="train", limit=1)
    assert calls[-1] == ("someone/other", "train") and len(bench) == 1 and bench.name == "my-set"


def test_hub_path_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "datasets", None)  # import fails as if not installed
    with pytest.raises(DatasetError, match="pip install datasets"):
        load_benchmark("nl4opt", hub_id="someone/nl4opt")
    calls: list[tuple] = []
    _fake_datasets(monkeypatch, [{"en_answer": "3"}], calls)
    with pytest.raises(DatasetFormatError, match="no question text"):
        load_benchmark("nl4opt", hub_id="someone/nl4opt")
