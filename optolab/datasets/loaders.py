"""``load_benchmark``: one entry point for known benchmarks, local files and Hugging Face Hub datasets."""

from __future__ import annotations

import os
from pathlib import Path

from optolab.datasets.hub import load_hub_items
from optolab.datasets.nlp4lp import load_nlp4lp_folders
from optolab.datasets.optibench import load_optibench
from optolab.datasets.records import read_json_records, records_to_items
from optolab.datasets.registry import (
    BENCHMARKS,
    NLP4LP,
    OPTIBENCH,
    BenchmarkSpec,
    resolve_data_dir,
)
from optolab.datasets.types import Benchmark, BenchmarkIssue, BenchmarkItem
from optolab.errors import DatasetError, DatasetNotFoundError, UnknownBenchmarkError


def _issues(items: list[BenchmarkItem]) -> list[BenchmarkIssue]:
    return [
        BenchmarkIssue(item.id, item.label, item.note or f"label {item.raw_label!r} is {item.label.value}")
        for item in items
        if not item.has_ground_truth
    ]


def _find_spec_file(spec: BenchmarkSpec, data_dir: Path) -> Path:
    for rel in spec.paths:
        candidate = data_dir / rel
        if candidate.is_file() or (spec.format == NLP4LP and candidate.is_dir()):
            return candidate
    expected = " or ".join(str(data_dir / rel) for rel in spec.paths)
    hub = (
        f"; or load a Hugging Face copy with hub_id=... (known id: {spec.hub_id})"
        if spec.hub_id
        else "; or load a Hugging Face copy with load_benchmark(..., hub_id='<owner>/<dataset>')"
    )
    raise DatasetNotFoundError(f"benchmark {spec.name!r} not found: expected {expected}{hub}")


def _read_path(
    path: Path, *, name: str, fmt: str | None, sentinels: tuple[float, ...], companion: Path | None
):
    if fmt == OPTIBENCH:
        return load_optibench(path, source=name, companion=companion)
    if path.is_dir():
        return load_nlp4lp_folders(path, source=name)
    return records_to_items(read_json_records(path), source=name, sentinels=sentinels, path=path)


def _local_path(name_or_path: str | os.PathLike[str], data_dir: str | os.PathLike[str] | None) -> Path | None:
    path = Path(name_or_path).expanduser()
    if path.exists():
        return path
    if data_dir is not None and not path.is_absolute() and (Path(data_dir) / path).exists():
        return Path(data_dir) / path
    return None


def load_benchmark(
    name_or_path: str | os.PathLike[str],
    *,
    data_dir: str | os.PathLike[str] | None = None,
    hub_id: str | None = None,
    split: str | None = None,
    limit: int | None = None,
) -> Benchmark:
    """Load a benchmark as a :class:`Benchmark` of :class:`BenchmarkItem`.

    ``name_or_path`` is a known name (``optolab.datasets.registry.BENCHMARKS``: ``optibench``,
    ``nl4opt``, ``mamo_easylp`` ...), read from ``data_dir`` or ``$OPTOLAB_DATA_DIR``; or a path to a
    ``.jsonl``/``.json`` record file (optolab's generic format ``{id, question, objective, answers?,
    tags?}`` or the SIRL ``{en_question, en_answer}`` format), an ``OptiBench.json``-style file, or an
    NLP4LP-style folder. With ``hub_id`` the items come from that Hugging Face dataset instead
    (``split`` defaults to the benchmark's hub split, else ``"test"``; local files have a single
    split and ignore it). ``limit`` keeps the first items in file order.

    Items whose label is missing or malformed are kept and listed in ``Benchmark.issues``.
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise DatasetError(f"limit must be a non-negative integer or None, got {limit!r}")
    key = str(name_or_path).strip().lower().replace("-", "_")
    spec = BENCHMARKS.get(key)
    path: Path | None = None
    if hub_id is not None:
        name = spec.name if spec else str(name_or_path)
        items = load_hub_items(
            hub_id,
            split=split or (spec.hub_split if spec else "test"),
            source=name,
            sentinels=spec.no_optimum_sentinels if spec else (),
        )
        description = f"{spec.description if spec else name} (from the Hugging Face Hub: {hub_id})"
    elif spec is not None:
        root = resolve_data_dir(data_dir)
        path = _find_spec_file(spec, root)
        companion = next((root / rel for rel in spec.companion_paths if (root / rel).is_file()), None)
        items = _read_path(
            path, name=spec.name, fmt=spec.format, sentinels=spec.no_optimum_sentinels, companion=companion
        )
        name, description = spec.name, spec.description
        if spec.format == OPTIBENCH:
            description += (
                " Objective key matched to SIRL's objective-only copy."
                if companion
                else " Objective key chosen by its description (SIRL objective-only copy absent)."
            )
    else:
        path = _local_path(name_or_path, data_dir)
        if path is None:
            text = str(name_or_path)
            if text.endswith((".json", ".jsonl")) or os.sep in text or "/" in text:
                raise DatasetNotFoundError(f"benchmark file {text!r} does not exist")
            raise UnknownBenchmarkError(
                f"unknown benchmark {text!r}: use one of {', '.join(BENCHMARKS)}, or a path to a .jsonl/.json"
                " file or an NLP4LP-style folder"
            )
        name = path.stem if path.is_file() else path.name
        items = _read_path(path, name=name, fmt=None, sentinels=(), companion=None)
        description = f"benchmark read from {path}"
    if limit is not None:
        items = items[:limit]
    return Benchmark(
        name=name,
        items=items,
        issues=_issues(items),
        path=None if path is None else str(path),
        description=description,
    )
