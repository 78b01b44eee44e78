"""Compare two runs: accuracy per category on the problems both finished, and the problems that changed.

A problem is *fixed* when run A got it wrong and run B right (under the chosen rule), *broken* the other
way round. Problems only one run finished, or without usable ground truth, are counted apart.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optolab.evals.analysis import RunSummary, categories
from optolab.evals.document import Heading, Para, Table, to_markdown
from optolab.evals.report import load_summary
from optolab.evals.rundir import RunDir


@dataclass
class CategoryDelta:
    name: str
    n: int  # problems of the category scored in both runs
    correct_a: int
    correct_b: int

    @property
    def acc_a(self) -> float | None:
        return 100.0 * self.correct_a / self.n if self.n else None

    @property
    def acc_b(self) -> float | None:
        return 100.0 * self.correct_b / self.n if self.n else None

    @property
    def delta(self) -> float | None:
        return None if not self.n else self.acc_b - self.acc_a  # type: ignore[operator]


@dataclass
class Comparison:
    a: str
    b: str
    rule: str
    model_a: str
    model_b: str
    rows: list[CategoryDelta]  # "all" first
    fixed: list[str]
    broken: list[str]
    still_wrong: int
    still_right: int
    only_a: list[str]
    only_b: list[str]
    not_scorable: list[str]
    error_type_changes: Counter = field(default_factory=Counter)  # (type in A, type in B) -> problems

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "rule": self.rule, "model_a": self.model_a, "model_b": self.model_b,
                "categories": [{"name": r.name, "n": r.n, "accuracy_a": r.acc_a, "accuracy_b": r.acc_b,
                                "delta": r.delta} for r in self.rows],
                "fixed": self.fixed, "broken": self.broken, "still_wrong": self.still_wrong,
                "still_right": self.still_right, "only_a": self.only_a, "only_b": self.only_b,
                "not_scorable": self.not_scorable,
                "error_type_changes": [{"a": a, "b": b, "problems": n}
                                       for (a, b), n in self.error_type_changes.most_common()]}


def _rows_and_changes(sa: RunSummary, sb: RunSummary, cats_of: dict[str, list[str]], common: list[str],
                      rule: str) -> tuple[list[CategoryDelta], list[str], list[str], int, int]:
    groups: dict[str, list[str]] = {"all": common}
    for pid in common:
        for cat in cats_of[pid]:
            groups.setdefault(cat, []).append(pid)
    rows = []
    for name in ["all"] + sorted(g for g in groups if g != "all"):
        ids = groups[name]
        rows.append(CategoryDelta(name, len(ids), sum(bool(sa.verdicts[i][rule]) for i in ids),
                                  sum(bool(sb.verdicts[i][rule]) for i in ids)))
    fixed = [i for i in common if not sa.verdicts[i][rule] and sb.verdicts[i][rule]]
    broken = [i for i in common if sa.verdicts[i][rule] and not sb.verdicts[i][rule]]
    still_wrong = sum(1 for i in common if not sa.verdicts[i][rule] and not sb.verdicts[i][rule])
    still_right = sum(1 for i in common if sa.verdicts[i][rule] and sb.verdicts[i][rule])
    return rows, fixed, broken, still_wrong, still_right


def compare_runs(run_a: str | Path, run_b: str | Path, rule: str | None = None) -> Comparison:
    """Compare the run folders ``run_a`` (before) and ``run_b`` (after) under ``rule`` (default: A's rule)."""
    rule = rule or RunDir(run_a).require().get("rule") or "rel_1e-6_objective"
    dir_a, doc_a, sa = load_summary(run_a, rule)
    dir_b, doc_b, sb = load_summary(run_b, rule)
    recs_b = dir_b.results.read().records
    ids_a = [i for i in sa.verdicts]
    ids_b = set(sb.verdicts)
    both = [i for i in ids_a if i in ids_b]
    not_scorable = [i for i in both if sa.verdicts[i][rule] is None or sb.verdicts[i][rule] is None]
    common = [i for i in both if i not in set(not_scorable)]
    cats_of = {i: categories(recs_b[i]) for i in common}
    rows, fixed, broken, still_wrong, still_right = _rows_and_changes(sa, sb, cats_of, common, rule)
    changes = Counter((sa.error_type_of[i], sb.error_type_of[i]) for i in common
                      if sa.error_type_of[i] != sb.error_type_of[i])
    return Comparison(
        a=str(run_a), b=str(run_b), rule=rule, model_a=str(doc_a.get("config", {}).get("model", "?")),
        model_b=str(doc_b.get("config", {}).get("model", "?")), rows=rows, fixed=fixed, broken=broken,
        still_wrong=still_wrong, still_right=still_right, only_a=[i for i in ids_a if i not in ids_b],
        only_b=[i for i in sb.verdicts if i not in set(ids_a)], not_scorable=not_scorable,
        error_type_changes=changes)


def _acc(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1f}%"


def _delta(x: float | None) -> str:
    return "n/a" if x is None else f"{x:+.1f}"


def comparison_blocks(c: Comparison) -> list[Any]:
    blocks: list[Any] = [
        Heading(f"{c.b} vs {c.a}", 1),
        Para(f"A = {c.a} ({c.model_a}), B = {c.b} ({c.model_b}); rule {c.rule}; {c.rows[0].n if c.rows else 0} "
             f"problems scored in both. Fixed (wrong in A, right in B): {len(c.fixed)}; broken (right in A, wrong "
             f"in B): {len(c.broken)}; right in both: {c.still_right}; wrong in both: {c.still_wrong}."),
        Heading("Accuracy by category"),
        Table(["category", "problems", "A", "B", "B - A (points)"],
              [[r.name, r.n, _acc(r.acc_a), _acc(r.acc_b), _delta(r.delta)] for r in c.rows], right={1, 2, 3, 4}),
        Heading("Problems that changed"),
        Table(["change", "problems", "ids"],
              [["fixed", len(c.fixed), ", ".join(c.fixed)], ["broken", len(c.broken), ", ".join(c.broken)]],
              right={1}),
    ]
    if c.error_type_changes:
        blocks.append(Table(["error type in A", "error type in B", "problems"],
                            [[a, b, n] for (a, b), n in c.error_type_changes.most_common()], right={2}))
    extra = []
    if c.only_a:
        extra.append(f"{len(c.only_a)} finished only in A: {', '.join(c.only_a[:20])}")
    if c.only_b:
        extra.append(f"{len(c.only_b)} finished only in B: {', '.join(c.only_b[:20])}")
    if c.not_scorable:
        extra.append(f"{len(c.not_scorable)} without usable ground truth: {', '.join(c.not_scorable[:20])}")
    if extra:
        blocks.append(Para("Not compared: " + "; ".join(extra) + "."))
    return blocks


def comparison_markdown(c: Comparison) -> str:
    return to_markdown(comparison_blocks(c))


def print_comparison(c: Comparison, console: Any = None) -> None:
    from rich.console import Console
    from rich.table import Table as RichTable

    console = console or Console()
    console.print(f"A = [bold]{c.a}[/] ({c.model_a})   B = [bold]{c.b}[/] ({c.model_b})   rule {c.rule}")
    t = RichTable(title="Accuracy on the problems both runs scored", title_justify="left")
    for col, just in (("category", "left"), ("problems", "right"), ("A", "right"), ("B", "right"),
                      ("B - A", "right")):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for r in c.rows:
        d = r.delta
        color = "green" if d and d > 0 else "red" if d and d < 0 else ""
        shown = _delta(d) if not color else f"[{color}]{_delta(d)}[/]"
        t.add_row(r.name, str(r.n), _acc(r.acc_a), _acc(r.acc_b), shown)
    console.print(t)
    console.print(f"[green]fixed ({len(c.fixed)})[/]: {', '.join(c.fixed) or '-'}")
    console.print(f"[red]broken ({len(c.broken)})[/]: {', '.join(c.broken) or '-'}")
    console.print(f"right in both: {c.still_right}; wrong in both: {c.still_wrong}")
    if c.error_type_changes:
        console.print("error type changes: " + "; ".join(f"{a} -> {b}: {n}"
                                                          for (a, b), n in c.error_type_changes.most_common()))
    for label, ids in (("only in A", c.only_a), ("only in B", c.only_b), ("no usable ground truth", c.not_scorable)):
        if ids:
            console.print(f"[yellow]{label} ({len(ids)})[/]: {', '.join(ids[:20])}"
                          + (" ..." if len(ids) > 20 else ""))
