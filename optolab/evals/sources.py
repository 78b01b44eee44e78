"""What an evaluation runs on: a known benchmark, a data file, or optolab's own embedded problem set.

``load_eval_benchmark("embedded")`` converts the embedded problems (:mod:`optolab.problems`) into
:class:`~optolab.datasets.BenchmarkItem` with tags ``class:<LP|MILP|...>``, ``difficulty:<easy|medium|hard>``,
``linear``/``nonlinear``, ``table``/``notable`` and the problem's own tags; its category is the item's
``problem_type``. Their keyed answers are left out: they are named after the reference model's Pyomo
variables, which a generated model names differently, so every rule scores them on the objective.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence

from optolab.datasets import Benchmark, BenchmarkItem, LabelKind, load_benchmark
from optolab.evals.errors import EvalError

EMBEDDED = "embedded"
LINEAR_CLASSES = frozenset({"LP", "MILP"})


def embedded_benchmark() -> Benchmark:
    """optolab's own problem set as a benchmark (ids in id order)."""
    from optolab.problems import load_problems

    items = []
    for p in load_problems():
        tags = [f"class:{p.problem_class}", f"difficulty:{p.difficulty}",
                "linear" if p.problem_class in LINEAR_CLASSES else "nonlinear",
                "table" if "table" in p.tags else "notable"]
        tags += [t for t in p.tags if t not in tags]
        items.append(BenchmarkItem(id=p.id, question=p.text.strip(), objective=p.objective, answers=None,
                                   label=LabelKind.VALUE, raw_label=repr(p.objective), source=EMBEDDED,
                                   tags=tuple(tags), problem_type=p.category))
    return Benchmark(name=EMBEDDED, items=items, description="optolab's embedded problems with solver-verified optima")


def load_eval_benchmark(target: str | os.PathLike[str], data_dir: str | os.PathLike[str] | None = None) -> Benchmark:
    """``embedded``, a known benchmark name (read from ``data_dir`` / ``$OPTOLAB_DATA_DIR``) or a data file."""
    if str(target).strip().lower() == EMBEDDED:
        return embedded_benchmark()
    return load_benchmark(target, data_dir=data_dir)


def select(
    bench: Benchmark,
    *,
    ids: Sequence[str] | None = None,
    tags: Iterable[str] = (),
    sample: int | None = None,
    seed: int = 0,
    limit: int | None = None,
    exclude: Iterable[str] = (),
) -> Benchmark:
    """The items to run, in this order: only ``ids``; not those in ``exclude`` (say, a dev split used
    for training); items carrying every tag in ``tags``; a stratified ``sample`` (``Benchmark.sample``,
    same seed -> same items); the first ``limit``."""
    items = list(bench.items)
    excluded = set(exclude)
    if excluded:
        items = [item for item in items if item.id not in excluded]
    if ids:
        known = {item.id: item for item in items}
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise EvalError(f"{len(unknown)} id(s) are not in benchmark {bench.name!r}: {unknown[:5]}; "
                            f"its ids look like {[it.id for it in items[:3]]}")
        wanted = set(ids)
        items = [item for item in items if item.id in wanted]
    tags = list(tags)
    if tags:
        known_tags = sorted({t for item in bench.items for t in item.tags})
        missing = [t for t in tags if t not in known_tags]
        if missing:
            raise EvalError(f"no item of {bench.name!r} has tag(s) {missing}; its tags are {known_tags}")
        items = [item for item in items if all(t in item.tags for t in tags)]
    chosen = bench.subset(items)
    if sample is not None:
        chosen = chosen.sample(sample, seed=seed)
    if limit is not None:
        if limit < 0:
            raise EvalError(f"--limit must be >= 0, got {limit}")
        chosen = chosen.subset(chosen.items[:limit])
    return chosen


def question_sha(item: BenchmarkItem) -> str:
    """A short fingerprint of an item's question and label: a resumed run checks it is the same problem."""
    text = "\x1f".join([item.question, item.label.value, item.raw_label, repr(sorted((item.answers or {}).items()))])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
