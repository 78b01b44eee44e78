"""NLP4LP (OptiMUS) problem folders: ``<id>/description.txt`` and ``<id>/solution.json``.

``solution.json`` holds the optimal value under ``"objective"``; a missing file or a null value is
a *missing* label. Folders are read in natural order of their names (``2`` before ``10``); hidden
folders are skipped, and any other folder without ``description.txt`` is a format error. The
JSON-lines form of NLP4LP is read as ordinary records (``optolab.datasets.records``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from optolab.datasets.labels import parse_label
from optolab.datasets.types import BenchmarkItem
from optolab.errors import DatasetFormatError


def _natural_key(name: str) -> list[object]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def load_nlp4lp_folders(root: Path, *, source: str = "nlp4lp") -> list[BenchmarkItem]:
    """Items of an NLP4LP-style folder of problem folders."""
    folders = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: _natural_key(p.name),
    )
    if not folders:
        raise DatasetFormatError(f"{root} holds no problem folders (expected <id>/description.txt)")
    items: list[BenchmarkItem] = []
    errors: list[str] = []
    for folder in folders:
        description = folder / "description.txt"
        if not description.is_file():
            errors.append(f"{folder}: no description.txt")
            continue
        raw = None
        solution = folder / "solution.json"
        if solution.is_file():
            try:
                data = json.loads(solution.read_text(encoding="utf-8"))
            except json.JSONDecodeError as exc:
                errors.append(f"{solution}: invalid JSON ({exc.msg} at line {exc.lineno})")
                continue
            if not isinstance(data, dict):
                errors.append(f"{solution}: expected an object with an 'objective' key")
                continue
            raw = data.get("objective")
        parsed = parse_label(raw)
        items.append(
            BenchmarkItem(
                id=f"{source}-{folder.name}",
                question=description.read_text(encoding="utf-8"),
                objective=parsed.value,
                answers=None,
                label=parsed.kind,
                raw_label=parsed.raw,
                source=source,
                orig_id=folder.name,
                note=parsed.reason if solution.is_file() else f"no solution.json in {folder.name}",
            )
        )
    if errors:
        raise DatasetFormatError(
            f"{len(errors)} malformed problem folder(s) in {root}:\n  " + "\n  ".join(errors[:10])
        )
    return items
