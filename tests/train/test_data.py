"""Training records: reading, line-by-line checks with clear errors, stable splits."""

import json

import pytest

from optolab.train.data import TrainDataError, TrainRecord, bucket, read_records, read_records_report, split_records

CODE = "import pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\nmodel.x = pyo.Var(bounds=(0, 4))\n" \
       "model.obj = pyo.Objective(expr=model.x, sense=pyo.maximize)\n"


def rec(i, **over):
    d = {"id": f"p{i}", "question": f"Maximize x where x is at most 4 (problem {i}).", "optimum": 4.0, "code": CODE,
         "formulation": None, "class": "LP", "complexity": 1, "provenance": {"generator": "test", "seed": i}}
    d.update(over)
    return d


def write(tmp_path, lines):
    path = tmp_path / "synth.jsonl"
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return path


def test_good_records_are_read_with_extra_keys_kept(tmp_path):
    path = write(tmp_path, [rec(1, formulation={"variables": []}, sense="maximize"), "", rec(2, optimum=3)])
    records = read_records(path)
    assert [r.id for r in records] == ["p1", "p2"] and [r.line for r in records] == [1, 3]
    assert records[0].extra == {"sense": "maximize"} and records[0].problem_class == "LP"
    assert records[1].optimum == 3.0 and isinstance(records[1].optimum, float)
    assert records[0].to_dict()["class"] == "LP" and records[0].to_dict()["sense"] == "maximize"
    item = records[0].benchmark_item()
    assert item.objective == 4.0 and item.has_ground_truth


def test_every_bad_line_is_named_with_what_is_wrong(tmp_path):
    path = write(tmp_path, [
        rec(1),
        "{not json",
        rec(3, optimum="12"),
        rec(4, optimum=float("inf")) | {"optimum": None},
        {k: v for k, v in rec(5).items() if k != "code"},
        rec(6, code="x = 1\n"),
        rec(7, formulation=[1, 2]),
        rec(1),
        [1, 2, 3],
        rec(10, question="  "),
        rec(11, provenance=""),
    ])
    with pytest.raises(TrainDataError) as err:
        read_records(path)
    msg = str(err.value)
    assert "10 bad line(s)" in msg
    for expected in ("line 2: not valid JSON", "line 3 (id 'p3'): 'optimum' must be a number, got str '12'",
                     "line 4 (id 'p4'): 'optimum' must be a number, got NoneType",
                     "line 5 (id 'p5'): missing keys ['code']", "line 6 (id 'p6'): 'code' never assigns 'model'",
                     "line 7 (id 'p7'): 'formulation' must be a JSON object or null",
                     "line 8 (id 'p1'): id 'p1' already used on line 1", "line 9: a record must be a JSON object",
                     "line 10 (id 'p10'): 'question' must be non-empty text",
                     "line 11 (id 'p11'): 'provenance' is empty",
                     "--skip-bad"):
        assert expected in msg, expected


def test_bad_lines_can_be_skipped_and_are_listed(tmp_path):
    path = write(tmp_path, [rec(1), "{oops", rec(3, optimum=float("nan"))])
    records, problems = read_records_report(path, skip_bad=True)
    assert [r.id for r in records] == ["p1"] and len(problems) == 2
    assert "line 3 (id 'p3'): 'optimum' must be finite" in problems[1]


def test_missing_empty_and_all_bad_files(tmp_path):
    with pytest.raises(TrainDataError, match="no training data at .*nothing.jsonl"):
        read_records(tmp_path / "nothing.jsonl")
    with pytest.raises(TrainDataError, match="holds no usable records"):
        read_records(write(tmp_path, [""]))
    with pytest.raises(TrainDataError, match=r"holds no usable records \(1 bad lines skipped\)"):
        read_records(write(tmp_path, ["[]"]), skip_bad=True)


def records(n):
    return [TrainRecord(id=f"r{i}", question="q", optimum=1.0, code=CODE, formulation=None, problem_class="LP",
                        complexity=1, provenance="test") for i in range(n)]


def test_split_depends_on_ids_only():
    rs = records(200)
    a = split_records(rs)
    b = split_records(list(reversed(rs)))
    for side in ("train", "dev", "test"):
        assert sorted(r.id for r in getattr(a, side)) == sorted(r.id for r in getattr(b, side))
    sizes = a.sizes()
    assert sum(sizes.values()) == 200 and 8 <= sizes["dev"] <= 35 and 8 <= sizes["test"] <= 35
    # adding records never moves the old ones (fraction split)
    more = split_records(rs + records(300)[200:])
    assert {r.id for r in a.dev} <= {r.id for r in more.dev} and {r.id for r in a.test} <= {r.id for r in more.test}
    assert a.fingerprint() == b.fingerprint() != more.fingerprint()
    assert split_records(rs, salt="other").fingerprint() != a.fingerprint()
    assert 0 <= bucket("r1") < 1 and bucket("r1") == bucket("r1")


def test_split_with_a_dev_size_and_bad_settings():
    rs = records(20)
    s = split_records(rs, dev_size=5, test_fraction=0.0)
    assert s.sizes() == {"train": 15, "dev": 5, "test": 0}
    assert [r.id for r in s.dev] == [r.id for r in rs if r in s.dev]  # file order kept
    assert split_records(rs, dev_size=5, test_fraction=0.0).dev == s.dev
    with pytest.raises(TrainDataError, match="leaves no training records"):
        split_records(rs, dev_size=20, test_fraction=0.0)
    with pytest.raises(TrainDataError, match="fractions must be"):
        split_records(rs, dev_fraction=0.6, test_fraction=0.5)


def test_a_split_is_written_for_the_evaluation_harness(tmp_path):
    from optolab.evals.sources import load_eval_benchmark
    from optolab.train.data import write_eval_file

    rs = [TrainRecord(id=f"r{i}", question=f"Maximize x with x <= {i + 1}.", optimum=float(i + 1), code=CODE,
                      formulation=None, problem_class="LP", complexity=2, provenance="test") for i in range(3)]
    bench = load_eval_benchmark(write_eval_file(rs, tmp_path / "test.jsonl"))
    assert [(i.id, i.objective) for i in bench.items] == [("r0", 1.0), ("r1", 2.0), ("r2", 3.0)]
    assert bench.items[0].tags == ("class:LP", "complexity:2") and bench.items[0].has_ground_truth
