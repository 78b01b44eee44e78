"""Benchmarks from the Hugging Face Hub, through the ``datasets`` library (imported on use)."""

from __future__ import annotations

from typing import Any

from optolab.datasets.records import records_to_items
from optolab.datasets.types import BenchmarkItem
from optolab.errors import DatasetError


def load_hub_items(
    hub_id: str, *, split: str, source: str, sentinels: tuple[float, ...] = ()
) -> list[BenchmarkItem]:
    """Items of one split of a Hub dataset; columns are mapped like the fields of record files."""
    try:
        import datasets  # noqa: PLC0415 - heavy optional dependency, imported on use
    except ImportError as exc:
        raise DatasetError(
            f"loading {hub_id!r} from the Hugging Face Hub needs the 'datasets' package: "
            "pip install datasets "
            "(or download the file and pass its path / a data directory instead)"
        ) from exc
    try:
        rows: Any = datasets.load_dataset(hub_id, split=split)
    except Exception as exc:  # the library raises many types (network, missing split, auth)
        raise DatasetError(
            f"could not load split {split!r} of {hub_id!r} from the Hugging Face Hub: {exc}"
        ) from exc
    records = [(f"{hub_id}[{split}][{i}]", dict(row)) for i, row in enumerate(rows)]
    return records_to_items(records, source=source, sentinels=sentinels)
