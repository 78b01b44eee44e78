"""A tiny document model (headings, text, tables, figures) rendered as Markdown or standalone HTML.

Reports are written once as blocks and rendered twice, so ``report.md`` and ``report.html`` always
hold the same numbers. Figures are SVG text: inline in HTML, separate ``.svg`` files linked from Markdown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape


@dataclass
class Heading:
    text: str
    level: int = 2


@dataclass
class Para:
    text: str


@dataclass
class Bullets:
    items: list[str]


@dataclass
class Table:
    headers: list[str]
    rows: list[list[object]]
    right: set[int] = field(default_factory=set)  # columns aligned right (numbers)


@dataclass
class Figure:
    name: str  # file stem under plots/
    svg: str
    caption: str


@dataclass
class Code:
    text: str


Block = Heading | Para | Bullets | Table | Figure | Code


def _md_cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def to_markdown(blocks: list[Block], plots_dir: str = "plots") -> str:
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            out.append(f"{'#' * b.level} {b.text}")
        elif isinstance(b, Para):
            out.append(b.text)
        elif isinstance(b, Bullets):
            out.append("\n".join(f"- {item}" for item in b.items))
        elif isinstance(b, Code):
            out.append(f"```\n{b.text}\n```")
        elif isinstance(b, Table):
            lines = ["| " + " | ".join(_md_cell(h) for h in b.headers) + " |",
                     "|" + "|".join("---:" if i in b.right else "---" for i in range(len(b.headers))) + "|"]
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in b.rows]
            out.append("\n".join(lines))
        elif isinstance(b, Figure):
            out.append(f"![{b.caption}]({plots_dir}/{b.name}.svg)")
    return "\n\n".join(out) + "\n"


_CSS = """
body { font-family: Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1000px; color: #222;
       line-height: 1.45; padding: 0 1em; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1em 0; } figcaption { color: #555; font-size: 0.9em; }
pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
"""


def to_html(blocks: list[Block], title: str) -> str:
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f"<title>{escape(title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>"]
    for b in blocks:
        if isinstance(b, Heading):
            out.append(f"<h{b.level}>{escape(b.text)}</h{b.level}>")
        elif isinstance(b, Para):
            out.append(f"<p>{escape(b.text)}</p>")
        elif isinstance(b, Bullets):
            out.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in b.items) + "</ul>")
        elif isinstance(b, Code):
            out.append(f"<pre>{escape(b.text)}</pre>")
        elif isinstance(b, Table):
            head = "".join(f"<th>{escape(str(h))}</th>" for h in b.headers)
            rows = "".join(
                "<tr>" + "".join(f'<td{" class=num" if i in b.right else ""}>{escape(str(c))}</td>'
                                 for i, c in enumerate(row)) + "</tr>"
                for row in b.rows)
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif isinstance(b, Figure):
            out.append(f"<figure>{b.svg}<figcaption>{escape(b.caption)}</figcaption></figure>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"
