"""Contamination check: word n-gram overlap of synthesized questions with evaluation benchmarks.

Training data must not contain the test problems. For every synthesized question and every
benchmark problem this measures the shared word ``n``-grams (8 by default, the usual unit of such
checks) as a share of the question's n-grams and of the benchmark problem's n-grams; the larger
share is the *score*. A question whose score reaches ``threshold`` against any benchmark problem is
a near-copy and is left out of the cleaned file.

>>> index = ContaminationIndex({"nl4opt": [("nl4opt-0", "A farmer has 100 acres to plant wheat and corn. "
...                                          "Wheat earns $300 per acre and corn earns $500 per acre.")]})
>>> index.best("A farmer has 100 acres to plant wheat and corn. Wheat earns $300 per acre and corn "
...            "earns $500 per acre. Maximize profit.").score > 0.5
True
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from optolab.synth.errors import SynthError
from optolab.synth.ngrams import shingles
from optolab.synth.store import dumps, read_jsonl, write_json_atomic

DEFAULT_N = 8
DEFAULT_THRESHOLD = 0.5
QUESTION_FIELDS = ("question", "en_question", "text", "problem")


@dataclass
class Overlap:
    """The benchmark problem a question overlaps most: shared n-grams and the two shares."""

    benchmark: str
    item_id: str
    shared: int
    question_share: float  # shared / n-grams of the question
    item_share: float  # shared / n-grams of the benchmark problem

    @property
    def score(self) -> float:
        return max(self.question_share, self.item_share)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "score": round(self.score, 4), "question_share": round(self.question_share, 4),
                "item_share": round(self.item_share, 4)}


class ContaminationIndex:
    """An inverted index from word n-grams to the benchmark problems that contain them.

    ``benchmarks``: benchmark name -> list of ``(item id, question text)``.
    """

    def __init__(self, benchmarks: Mapping[str, Sequence[tuple[str, str]]], n: int = DEFAULT_N):
        if n < 2:
            raise SynthError(f"the contamination check needs n-grams of 2 or more words, got n={n}")
        self.n = n
        self.items: list[tuple[str, str, int]] = []  # (benchmark, id, number of n-grams)
        self._postings: dict[str, list[int]] = {}
        self.sizes: dict[str, int] = {}
        for name, entries in benchmarks.items():
            self.sizes[name] = len(entries)
            for item_id, text in entries:
                grams = shingles(text, n)
                idx = len(self.items)
                self.items.append((name, str(item_id), len(grams)))
                for g in grams:
                    self._postings.setdefault(g, []).append(idx)

    def overlaps(self, text: str) -> tuple[dict[str, Overlap], int, int]:
        """Per benchmark, the problem ``text`` overlaps most (only benchmarks with any overlap); also the
        number of the text's n-grams and how many of them occur in some benchmark problem."""
        grams = shingles(text, self.n)
        counts: Counter[int] = Counter()
        found = 0
        for g in grams:
            post = self._postings.get(g)
            if post:
                found += 1
                counts.update(post)
        best: dict[str, Overlap] = {}
        for idx, shared in counts.items():
            name, item_id, size = self.items[idx]
            ov = Overlap(name, item_id, shared, shared / len(grams), shared / size if size else 0.0)
            old = best.get(name)
            if old is None or (ov.score, ov.shared) > (old.score, old.shared):
                best[name] = ov
        return best, len(grams), found

    def best(self, text: str) -> Overlap | None:
        """The single most overlapping benchmark problem, or None when no n-gram is shared."""
        per, _, _ = self.overlaps(text)
        return max(per.values(), key=lambda o: (o.score, o.shared), default=None)


def question_of(record: dict[str, Any]) -> str | None:
    for key in QUESTION_FIELDS:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


@dataclass
class ContaminationReport:
    n: int
    threshold: float
    benchmarks: dict[str, dict[str, Any]]
    questions: int = 0
    kept: int = 0
    dropped: int = 0
    without_question: int = 0
    ngram_overlap: float = 0.0  # share of all question n-grams that occur in some benchmark problem
    near_copies: list[dict[str, Any]] = field(default_factory=list)
    per_question: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source: str | None = None
    cleaned: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def brief(self) -> dict[str, Any]:
        """The report without the per-question list (for a run summary)."""
        d = self.to_dict()
        d.pop("per_question")
        d["near_copies"] = d["near_copies"][:50]
        return d


def check_records(records: Iterable[dict[str, Any]], index: ContaminationIndex, *,
                  threshold: float = DEFAULT_THRESHOLD) -> tuple[list[dict[str, Any]], ContaminationReport]:
    """The records to keep (near-copies left out) and the report."""
    if not 0.0 < threshold <= 1.0:
        raise SynthError(f"the contamination threshold is a share in (0, 1], got {threshold}")
    report = ContaminationReport(n=index.n, threshold=threshold,
                                 benchmarks={name: {"items": size, "questions_overlapping": 0, "near_copies": 0,
                                                    "max_score": 0.0}
                                             for name, size in index.sizes.items()})
    kept: list[dict[str, Any]] = []
    total_grams = found_grams = 0
    for position, rec in enumerate(records):
        text = question_of(rec)
        if text is None:
            report.without_question += 1
            kept.append(rec)
            continue
        report.questions += 1
        per, n_grams, found = index.overlaps(text)
        total_grams += n_grams
        found_grams += found
        key = str(rec.get("key") or rec.get("id") or position)
        report.per_question.append({"key": key, "scores": {b: round(o.score, 4) for b, o in sorted(per.items())}})
        copy = False
        for name, ov in per.items():
            stats = report.benchmarks[name]
            stats["questions_overlapping"] += 1
            stats["max_score"] = round(max(stats["max_score"], ov.score), 4)
            if ov.score >= threshold:
                stats["near_copies"] += 1
                copy = True
                report.near_copies.append({"key": key, **ov.to_dict()})
        if copy:
            report.dropped += 1
        else:
            kept.append(rec)
    report.kept = len(kept)
    report.ngram_overlap = round(found_grams / total_grams, 6) if total_grams else 0.0
    report.near_copies.sort(key=lambda d: -d["score"])
    return kept, report


def load_benchmark_texts(names: Sequence[str] | None, data_dir: str | os.PathLike[str] | None = None
                         ) -> tuple[dict[str, list[tuple[str, str]]], list[str]]:
    """Question texts of evaluation benchmarks: known names (read from ``data_dir`` or ``$OPTOLAB_DATA_DIR``)
    or paths to benchmark files. With ``names=None`` every known benchmark found there is used.

    Returns ``(name -> [(id, question)], notes)``; a named benchmark that cannot be read is an error, one
    merely absent from the data folder when none were named is a note.
    """
    from optolab.datasets import known_benchmarks, load_benchmark
    from optolab.errors import OptolabError

    notes: list[str] = []
    out: dict[str, list[tuple[str, str]]] = {}
    chosen = list(names) if names else known_benchmarks()
    for name in chosen:
        try:
            bench = load_benchmark(name, data_dir=data_dir)
        except (OptolabError, OSError) as exc:
            if names:
                raise SynthError(f"benchmark {name!r} for the contamination check cannot be read: {exc}") from None
            notes.append(f"{name}: not checked ({str(exc).splitlines()[0][:160]})")
            continue
        label = Path(name).stem if (os.sep in name or name.endswith((".json", ".jsonl"))) else bench.name
        out[label] = [(item.id, item.question) for item in bench.items]
    if not out:
        raise SynthError("no evaluation benchmark could be read for the contamination check: "
                         + ("; ".join(notes) if notes else "no benchmarks given")
                         + ". Pass --data-dir (or set OPTOLAB_DATA_DIR) to the folder with the benchmark files")
    return out, notes


def check_file(path: str | os.PathLike[str], *, benchmarks: Sequence[str] | None = None,
               data_dir: str | os.PathLike[str] | None = None, texts: Mapping[str, Sequence[tuple[str, str]]] | None
               = None, n: int = DEFAULT_N, threshold: float = DEFAULT_THRESHOLD, out: str | os.PathLike[str] | None
               = None, report_path: str | os.PathLike[str] | None = None) -> ContaminationReport:
    """Check a JSON-lines file of synthesized records; write the cleaned file and the report.

    ``texts`` gives the benchmark questions directly (name -> [(id, text)]); otherwise they are loaded
    from ``benchmarks``/``data_dir``. Default outputs: ``FILE.clean.jsonl`` and ``FILE.contamination.json``.
    """
    path = Path(path)
    if not path.is_file():
        raise SynthError(f"{path}: no such file; give a JSON-lines file of synthesized records "
                         "(one object with a 'question' per line)")
    notes: list[str] = []
    if texts is None:
        texts, notes = load_benchmark_texts(benchmarks, data_dir)
    read = read_jsonl(path)
    notes.extend(f"{path.name} {bad}: skipped" for bad in read.bad_lines)
    if read.partial_tail:
        notes.append(f"{path.name}: a cut last line was skipped")
    kept, report = check_records(read.records, ContaminationIndex(texts, n), threshold=threshold)
    stem = path.name[:-6] if path.name.endswith(".jsonl") else path.stem
    out_path = Path(out) if out else path.with_name(f"{stem}.clean.jsonl")
    report_file = Path(report_path) if report_path else path.with_name(f"{stem}.contamination.json")
    if out_path.resolve() == path.resolve():
        raise SynthError(f"the cleaned file would overwrite its input {path}; give another output path")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for rec in kept:
            fh.write(dumps(rec) + "\n")
    os.replace(tmp, out_path)
    report.notes = notes
    report.source = str(path)
    report.cleaned = str(out_path)
    write_json_atomic(report_file, report.to_dict())
    return report
