"""A synthesis run folder: ``accepted.jsonl``, ``hard_cases.jsonl``, ``run.json`` and ``summary.json``.

Work is done in *units* (one instance of the forward pipeline, one scenario of the reverse pipeline);
a unit writes one or more records, each one JSON line in ``accepted.jsonl`` (verified data) or in
``hard_cases.jsonl`` (everything rejected, with the reason). Every record names its unit and how many
records the unit wrote (``unit``, ``unit_records``), and a unit's records are written together.

Opening a folder again makes it whole before anything is appended: a line cut by a kill is moved to
``<file>.partial`` (kept, never lost), the records of a unit that did not finish writing and of units
to be redone (exceptions, model-server failures) are removed, and the files are rewritten atomically
when that changed anything. So every finished unit is in the files exactly once, and a re-run only
does the units that are missing.
"""

from __future__ import annotations

import json
import math
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

from optolab.files import write_text_atomic
from optolab.synth.errors import SynthError

RUN_FORMAT = "optolab-synth-run"
ACCEPTED = "accepted"
REJECTED = "rejected"
FILES = {ACCEPTED: "accepted.jsonl", REJECTED: "hard_cases.jsonl"}


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def json_safe(value: Any) -> Any:
    """``value`` with NaN and infinities replaced by None (JSON has neither), at any depth."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(json_safe(record), ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def write_json_atomic(path: Path, doc: Any) -> None:
    write_text_atomic(path, json.dumps(json_safe(doc), indent=2, ensure_ascii=False) + "\n")


@dataclass
class JsonlRead:
    records: list[dict[str, Any]]
    bad_lines: list[str] = field(default_factory=list)  # "line N: why"
    bad_text: list[str] = field(default_factory=list)  # those lines as they were
    partial_tail: bytes = b""  # text after the last newline that is not a complete record


def read_jsonl(path: Path) -> JsonlRead:
    """Records of a JSON-lines file; a cut last line is reported, not parsed; unreadable lines are listed."""
    if not path.exists():
        return JsonlRead([])
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SynthError(f"cannot read {path}: {exc.strerror}") from None
    cut = raw.rfind(b"\n") + 1
    body, tail = raw[:cut], raw[cut:]
    out = JsonlRead([])
    if tail.strip():
        try:
            rec = json.loads(tail.decode("utf-8"))
            if not isinstance(rec, dict):
                raise ValueError("not an object")
            body += tail + b"\n"  # a complete record that only lacks its newline
        except (ValueError, UnicodeDecodeError):
            out.partial_tail = tail
    for n, line in enumerate(body.decode("utf-8", errors="replace").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as exc:
            out.bad_lines.append(f"line {n}: not JSON ({str(exc)[:80]})")
            out.bad_text.append(line)
            continue
        if not isinstance(rec, dict):
            out.bad_lines.append(f"line {n}: not a JSON object")
            out.bad_text.append(line)
            continue
        out.records.append(rec)
    return out


class RunStore:
    """The files of one run folder and the units they hold."""

    def __init__(self, path: str | os.PathLike[str], pipeline: str):
        self.path = Path(path)
        self.pipeline = pipeline
        self.files = {kind: self.path / name for kind, name in FILES.items()}
        self.run_json = self.path / "run.json"
        self.summary_json = self.path / "summary.json"
        self._lock = threading.Lock()

    # --- run.json -------------------------------------------------------------------------
    def read_run(self) -> dict[str, Any] | None:
        if not self.run_json.exists():
            return None
        try:
            doc = json.loads(self.run_json.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SynthError(f"{self.run_json} is not readable JSON ({exc}); move it away to start a new run "
                             "in this folder") from None
        if not isinstance(doc, dict) or doc.get("format") != RUN_FORMAT:
            raise SynthError(f"{self.run_json} is not an optolab synthesis run (no 'format': {RUN_FORMAT!r}); "
                             "choose another --out folder")
        if doc.get("pipeline") != self.pipeline:
            raise SynthError(f"{self.path} holds a {doc.get('pipeline')!r} synthesis run, not {self.pipeline!r}; "
                             "choose another --out folder")
        return doc

    def write_run(self, doc: dict[str, Any]) -> None:
        write_json_atomic(self.run_json, doc)

    # --- records --------------------------------------------------------------------------
    def open(self, redo: Callable[[list[dict[str, Any]]], bool]) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
        """Make the files whole and return ``(finished units -> their records, notes)``.

        A unit is finished when all of its records are there and ``redo(records)`` is false; the
        records of every other unit are removed from the files, so the unit can run again.
        """
        notes: list[str] = []
        reads = {kind: read_jsonl(p) for kind, p in self.files.items()}
        units: dict[str, list[dict[str, Any]]] = {}
        rewrite = False
        for kind, read in reads.items():
            name = self.files[kind].name
            partial = self.files[kind].with_name(name + ".partial")
            if read.partial_tail:
                with partial.open("ab") as fh:
                    fh.write(read.partial_tail + b"\n")
                notes.append(f"a cut last line of {name} was moved to {partial.name}; its unit runs again")
                rewrite = True
            if read.bad_lines:
                with partial.open("a", encoding="utf-8") as fh:
                    fh.write("".join(line + "\n" for line in read.bad_text))
                notes.extend(f"{name} {bad}: moved to {partial.name}" for bad in read.bad_lines)
                rewrite = True
            for rec in read.records:
                unit = rec.get("unit")
                if not isinstance(unit, str):
                    notes.append(f"{name}: a record without a 'unit' was dropped")
                    rewrite = True
                    continue
                units.setdefault(unit, []).append(rec)
        finished: dict[str, list[dict[str, Any]]] = {}
        for unit, recs in units.items():
            expected = recs[0].get("unit_records", 1)
            keys = [r.get("key") for r in recs]
            complete = isinstance(expected, int) and len(recs) == expected and len(set(keys)) == len(keys)
            if complete and not redo(recs):
                finished[unit] = recs
            else:
                rewrite = True
                if not complete:
                    notes.append(f"unit {unit} has {len(recs)} of {expected} records; it runs again")
        if rewrite:
            keep = {id(r) for recs in finished.values() for r in recs}
            for kind, read in reads.items():
                self._rewrite(self.files[kind], [r for r in read.records if id(r) in keep])
        return finished, notes

    def _rewrite(self, path: Path, records: Iterable[dict[str, Any]]) -> None:
        write_text_atomic(path, "".join(dumps(rec) + "\n" for rec in records))

    def write_unit(self, records: list[dict[str, Any]]) -> None:
        """Append the records of one unit (each to its file by ``verdict``) and flush them."""
        lines: dict[str, list[str]] = {}
        for rec in records:
            kind = ACCEPTED if rec.get("verdict") == ACCEPTED else REJECTED
            lines.setdefault(kind, []).append(dumps(rec) + "\n")
        with self._lock:
            self.path.mkdir(parents=True, exist_ok=True)
            for kind, chunk in lines.items():
                with self.files[kind].open("a", encoding="utf-8") as fh:
                    fh.write("".join(chunk))
                    fh.flush()

    def all_records(self) -> list[dict[str, Any]]:
        """Every record in the files now (accepted first)."""
        return [r for kind in (ACCEPTED, REJECTED) for r in read_jsonl(self.files[kind]).records]
