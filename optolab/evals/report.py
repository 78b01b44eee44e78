"""Reports of a run: a terminal summary (rich), ``report.md`` and ``report.html`` with plots, ``summary.json``.

``write_reports(run_dir, summary, run_doc)`` writes them; ``regenerate(path)`` reads a run folder and
writes them again (``optolab eval report DIR``), scoring the stored records with the current rules.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from optolab.evals.analysis import RunSummary, summarize_records
from optolab.evals.document import Bullets, Code, Figure, Heading, Para, Table, to_html, to_markdown
from optolab.evals.outcomes import CORRECT, ERROR_TYPES
from optolab.evals.plots.svg import PALETTE, bar_chart, histogram
from optolab.evals.rundir import RunDir
from optolab.evals.scoring import RuleStats, get_rule
from optolab.files import write_text_atomic

MAX_PROBLEM_ROWS = 2000
SHORT_RULES = {"rel_1e-4_all_answers": "1e-4 all", "rel_1e-6_objective": "1e-6 obj",
               "rounded_5pct_objective": "5% rounded"}
ERROR_COLORS = {CORRECT: "#55a868", "wrong_value": "#c44e52", "no_model": "#8c8c8c", "runtime_error": "#dd8452",
                "infeasible": "#8172b3", "unbounded": "#937860", "time_limit": "#da8bc3", "llm_error": "#4c72b0",
                "exception": "#222222", "no_ground_truth": "#cccccc"}


def pct(stats: RuleStats) -> str:
    """``"62.5% (25/40)"``, or ``"n/a"`` when nothing was scored."""
    acc = stats.accuracy
    return "n/a" if acc is None else f"{acc:.1f}% ({stats.correct}/{stats.scored})"


def _num(x: float | None, digits: int = 6) -> str:
    return "" if x is None else f"{x:.{digits}g}"


def _ids(ids: list[str], limit: int = 30) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" ... and {len(ids) - limit} more" if len(ids) > limit else "")


def _time(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds / 60:.1f} min"


def headline(summary: RunSummary) -> str:
    s = summary.overall.get(summary.rule, RuleStats())
    text = (f"{summary.finished}/{summary.planned} problems finished; accuracy under {summary.rule}: {pct(s)}")
    if summary.no_ground_truth:
        text += f"; {len(summary.no_ground_truth)} without usable ground truth (not scored)"
    if summary.pending_ids:
        text += f"; {len(summary.pending_ids)} pending"
    return text + "."


# --- plots ------------------------------------------------------------------------------------

def figures(summary: RunSummary) -> list[Figure]:
    figs = []
    cats = [c for c in summary.categories if any(s.scored for s in c.rules.values())]
    labels = ["all"] + [c.name for c in cats]
    notes = [f"n={summary.overall[summary.rule].scored}"]
    notes += [f"n={c.rules[summary.rule].scored}" for c in cats]
    series = {r: [summary.overall[r].accuracy] + [c.rules[r].accuracy for c in cats] for r in summary.rules}
    figs.append(Figure("accuracy_by_category", bar_chart(labels, series, title="Accuracy by category", unit="%",
                                                         max_value=100, notes=notes),
                       "Accuracy (% of scored problems) overall and per category, under each scoring rule."))
    types = [t for t in ERROR_TYPES if summary.error_types.get(t)]
    if types:
        svg = bar_chart(types, {"problems": [float(summary.error_types[t]) for t in types]},
                        title=f"Error types (rule {summary.rule})", integer=True)
        figs.append(Figure("error_types", _recolor(svg, [ERROR_COLORS.get(t, PALETTE[0]) for t in types]),
                           "How many problems ended in each outcome."))
    figs.append(Figure("time", histogram(summary.values.get("seconds", []), title="Wall time per problem",
                                         xlabel="seconds"), "Wall time per problem (LLM, sandbox and checks)."))
    figs.append(Figure("tokens", histogram(summary.values.get("tokens", []), title="Tokens per problem",
                                           xlabel="prompt + completion tokens", color=PALETTE[1]),
                       "Prompt plus completion tokens per problem (all LLM calls of the agent)."))
    return figs


def _recolor(svg: str, colors: list[str]) -> str:
    """Give the bars of a one-series chart their own colors, in order."""
    parts = svg.split(f'fill="{PALETTE[0]}"><title>')
    out = parts[0]
    for i, rest in enumerate(parts[1:]):
        out += f'fill="{colors[i] if i < len(colors) else PALETTE[0]}"><title>' + rest
    return out


# --- the document -------------------------------------------------------------------------------

def build_blocks(summary: RunSummary, doc: dict[str, Any], figs: list[Figure],
                 records: dict[str, Any]) -> list[Any]:
    """The report's content; ``records``: the run's records by id (for the per-problem table)."""
    config = doc.get("config", {})
    fig = {f.name: f for f in figs}
    title = f"Evaluation of {config.get('model', '?')} on {config.get('benchmark', summary.name)}"
    blocks: list[Any] = [Heading(title, 1), Para(headline(summary))]

    blocks.append(Heading("Accuracy"))
    rows = [[r, summary.overall[r].correct, summary.overall[r].scored,
             "n/a" if summary.overall[r].accuracy is None else f"{summary.overall[r].accuracy:.1f}%",
             summary.overall[r].not_scorable, _rule_doc(r)] for r in summary.rules]
    blocks.append(Table(["rule", "correct", "scored", "accuracy", "not scorable", "what it checks"], rows,
                        right={1, 2, 3, 4}))
    if summary.no_ground_truth:
        blocks.append(Para(f"{len(summary.no_ground_truth)} problem(s) have no usable ground truth; they are "
                           f"reported here and never scored: {_ids([g['id'] for g in summary.no_ground_truth])}."))
        blocks.append(Table(["id", "label", "raw label", "why"],
                            [[g["id"], g["label"], g["raw_label"], g["note"] or ""] for g in summary.no_ground_truth]))
    else:
        blocks.append(Para(f"Every finished problem has usable ground truth ({summary.finished} scored)."))
    if summary.failures:
        blocks.append(Para(f"{len(summary.failures)} problem(s) failed outside the agent's control (model-server "
                           "failures, harness exceptions); they count as wrong here and run again when the run "
                           f"resumes: {_ids([f['id'] for f in summary.failures])}."))
    if summary.pending_ids:
        blocks.append(Para(f"{len(summary.pending_ids)} planned problem(s) have no result yet (run the same command "
                           f"to resume): {_ids(summary.pending_ids)}."))

    blocks.append(Heading("Accuracy by category"))
    if summary.categories:
        rows = [[c.name, c.n, *[pct(c.rules[r]) for r in summary.rules]] for c in summary.categories]
        blocks.append(Table(["category", "problems", *summary.rules], rows,
                            right=set(range(1, 2 + len(summary.rules)))))
    else:
        blocks.append(Para("The problems carry no tags or types, so there are no categories."))
    if "accuracy_by_category" in fig:
        blocks.append(fig["accuracy_by_category"])

    blocks.append(Heading("Error types"))
    total = sum(summary.error_types.values()) or 1
    blocks.append(Para(f"One type per problem, under the rule {summary.rule}."))
    blocks.append(Table(["type", "problems", "share", "meaning"],
                        [[t, n, f"{100 * n / total:.1f}%", ERROR_TYPES[t]] for t, n in summary.error_types.items()],
                        right={1, 2}))
    if summary.categories:
        types = [t for t in ERROR_TYPES if summary.error_types.get(t)]
        rows = [[c.name, *[c.error_types.get(t, 0) for t in types]] for c in summary.categories]
        blocks.append(Table(["category", *types], rows, right=set(range(1, 1 + len(types)))))
    if "error_types" in fig:
        blocks.append(fig["error_types"])

    blocks.append(Heading("Time and tokens"))
    dist_rows = []
    for label, d, fmt in (("wall seconds", summary.seconds, "{:.2f}"),
                          ("LLM seconds", summary.llm_seconds, "{:.2f}"),
                          ("tokens", summary.tokens, "{:.0f}"), ("attempts", summary.attempts, "{:.2f}")):
        dist_rows.append([label, *[fmt.format(v) for v in (d.mean, d.median, d.p90, d.max, d.total)]])
    blocks.append(Table(["per problem", "mean", "median", "p90", "max", "total"], dist_rows, right={1, 2, 3, 4, 5}))
    share = summary.outside_llm_share
    blocks.append(Para(f"{summary.llm_calls} LLM calls in all; "
                       + ("no time recorded yet." if share is None else
                          f"{100 * share:.1f}% of the wall time was spent outside the LLM (sandbox, solver, checks, "
                          "harness; with several workers, LLM time overlaps).")))
    for name in ("time", "tokens"):
        if name in fig:
            blocks.append(fig[name])

    blocks.append(Heading("Problems"))
    shown = sorted(summary.verdicts)[:MAX_PROBLEM_ROWS]
    blocks.append(Para(f"{len(summary.verdicts)} finished problem(s)"
                       + (f", the first {MAX_PROBLEM_ROWS} by id shown" if len(summary.verdicts) > MAX_PROBLEM_ROWS
                          else "") + ". Generated code is under code/."))
    rows = []
    for pid in shown:
        r = records.get(pid)
        if r is None:
            continue
        rows.append([pid, r.status, _num(r.objective), _num(r.expected) if r.label == "value" else r.label,
                     summary.error_type_of.get(pid, ""), r.attempts, f"{r.seconds:.1f}", r.tokens,
                     r.code_path or ""])
    blocks.append(Table(["id", "status", "objective", "expected", "error type", "attempts", "seconds", "tokens",
                         "code"], rows, right={2, 3, 5, 6, 7}))

    blocks.append(Heading("Run"))
    blocks.append(Table(["setting", "value"], [[k, json.dumps(v) if not isinstance(v, str) else v]
                                               for k, v in config.items()]))
    details = [f"{k}: {doc[k]}" for k in ("created", "benchmark_path", "api_base", "rule") if doc.get(k)]
    blocks.append(Bullets(details + ["versions: " + ", ".join(f"{k} {v}" for k, v in doc.get("versions", {}).items()),
                                     "prompt and parameter hashes: " + ", ".join(
                                         f"{k} {v}" for k, v in doc.get("prompts", {}).items())]))
    commands = [inv.get("command") or "(library call)" for inv in doc.get("invocations", [])]
    if commands:
        blocks.append(Para("Invocations (the last one last):"))
        blocks.append(Code("\n".join(commands)))
    return blocks


def _rule_doc(name: str) -> str:
    try:
        doc = (type(get_rule(name)).__doc__ or "").strip().splitlines()[0]
    except Exception:
        return ""
    return doc.replace("``", "")


# --- writing --------------------------------------------------------------------------------

def write_reports(run_dir: RunDir, summary: RunSummary, doc: dict[str, Any]) -> list[Path]:
    """Write report.md, report.html, plots/*.svg and summary.json into the run folder; returns their paths."""
    records = {r.id: r for r in run_dir.results.read().records.values()}
    figs = figures(summary)
    blocks = build_blocks(summary, doc, figs, records)
    run_dir.plots_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for f in figs:
        path = run_dir.plots_dir / f"{f.name}.svg"
        write_text_atomic(path, f.svg + "\n")
        written.append(path)
    md, html = run_dir.path / "report.md", run_dir.path / "report.html"
    write_text_atomic(md, to_markdown(blocks))
    title = blocks[0].text if blocks and isinstance(blocks[0], Heading) else "Evaluation"
    write_text_atomic(html, to_html(blocks, title))
    sj = run_dir.path / "summary.json"
    write_text_atomic(sj, json.dumps(summary.to_dict(), indent=2, ensure_ascii=False) + "\n")
    return [md, html, sj, *written]


def load_summary(path: str | Path, rule: str | None = None) -> tuple[RunDir, dict[str, Any], RunSummary]:
    """Read a run folder and summarize it (``rule`` defaults to the one the run used)."""
    run_dir = RunDir(path)
    doc = run_dir.require()
    rule = rule or doc.get("rule") or "rel_1e-6_objective"
    get_rule(rule)
    records = list(run_dir.results.read().records.values())
    summary = summarize_records(records, rule=rule, planned_ids=doc.get("ids") or None,
                                name=doc.get("config", {}).get("benchmark", ""))
    return run_dir, doc, summary


def regenerate(path: str | Path, rule: str | None = None) -> tuple[RunSummary, dict[str, Any], list[Path]]:
    """Summarize a run folder again and rewrite its reports."""
    run_dir, doc, summary = load_summary(path, rule)
    return summary, doc, write_reports(run_dir, summary, doc)


# --- terminal -------------------------------------------------------------------------------

def print_summary(summary: RunSummary, doc: dict[str, Any], console: Any = None) -> None:
    """The summary tables in the terminal."""
    from rich.console import Console
    from rich.table import Table as RichTable

    console = console or Console()
    config = doc.get("config", {})
    console.print(f"[bold]{config.get('model', '?')}[/] on [bold]{config.get('benchmark', summary.name)}[/]: "
                  + headline(summary))
    t = RichTable(title="Accuracy", title_justify="left")
    t.add_column("category")
    t.add_column("problems", justify="right")
    for r in summary.rules:
        t.add_column(SHORT_RULES.get(r, r) + (" *" if r == summary.rule else ""), justify="right")
    t.add_row("[bold]all[/]", str(summary.finished), *[pct(summary.overall[r]) for r in summary.rules])
    for c in summary.categories:
        t.add_row(c.name, str(c.n), *[pct(c.rules[r]) for r in summary.rules])
    console.print(t)
    console.print("[dim]" + "; ".join(f"{SHORT_RULES.get(r, r)} = {r}" for r in summary.rules)
                  + "; * = the run's rule[/]")
    if summary.error_types:
        total = sum(summary.error_types.values())
        console.print(f"error types ({summary.rule}): " + ", ".join(
            f"{name} {n} ({100 * n / total:.0f}%)" for name, n in summary.error_types.items()))
    if summary.no_ground_truth:
        console.print(f"[yellow]{len(summary.no_ground_truth)} without usable ground truth (not scored):[/] "
                      + _ids([g["id"] for g in summary.no_ground_truth]))
    if summary.failures:
        console.print(f"[red]{len(summary.failures)} failed outside the agent (retried on resume):[/] "
                      + _ids([f["id"] for f in summary.failures]))
    s = summary.seconds
    share = summary.outside_llm_share
    console.print(f"time per problem: mean {_time(s.mean)}, median {_time(s.median)}, p90 {_time(s.p90)}; "
                  f"tokens per problem: mean {summary.tokens.mean:.0f}; "
                  + ("" if share is None else f"{100 * share:.1f}% of the time outside the LLM"))
