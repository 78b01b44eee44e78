"""Tables of an instance's data, in Markdown, for word problems that show their data the way textbooks do.

A small model that rewrites a statement of thirty numbers as a story drops some of them (a cost
matrix collapses to its diagonal); a table written from the data cannot. :func:`data_tables` finds
the tabular parts of an instance's data and writes each as a Markdown table:

- a matrix (``{row: {column: number}}``) whose rows and columns are named sets of the data
  (``hours[worker][task]``) becomes one table with a row per row label and a column per column label;
- the per-item numbers of one set (``weight_kg[item]``, ``value[item]``, also ``{item: {attribute: number}}``
  and ``{item: [labels]}``) become one table with a row per item and a column per quantity;
- a series per item (``demand[product] = [50, 80, ...]``) becomes a table whose columns are the periods
  (a list of labels of the same length, such as ``months``) or ``1 .. n``;
- a list of records (``[{"from": "A", "to": "B", "minutes": 7}, ...]``) becomes a table with a column per field.

Scalars and lone lists of numbers stay for the text. Column headers are written from the data's keys
(``weight_kg`` -> ``Weight (kg)``, ``cost_per_tonne`` -> ``Cost per tonne``).

>>> tables = data_tables({"items": ["tent", "stove"], "weight_kg": {"tent": 7.5, "stove": 2},
...                       "value": {"tent": 40, "stove": 25}, "capacity_kg": 9})
>>> print(tables[0].markdown())
| Item | Weight (kg) | Value |
|---|---|---|
| tent | 7.5 | 40 |
| stove | 2 | 25 |
>>> [t.keys for t in tables]
[('weight_kg', 'value')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from optolab.synth.generators.render import num

# key suffixes that are units: weight_kg -> Weight (kg)
_UNITS = {"kg": "kg", "pct": "%", "mw": "MW", "mwh": "MWh", "cm": "cm", "m": "m", "km": "km", "hours": "hours",
          "tonnes": "tonnes", "t": "t", "usd": "$", "minutes": "minutes", "litres": "litres", "l": "litres"}
_SHOWN = {"mw": "MW", "mwh": "MWh", "kwh": "kWh", "kg": "kg", "km": "km"}


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_cell(v: Any) -> bool:
    """A value a table cell can show: a number, a label, or a short list of labels."""
    return _is_number(v) or isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v))


def humanize(key: str) -> str:
    """``weight_kg`` -> ``Weight (kg)``; ``cost_per_tonne`` -> ``Cost per tonne``; ``from`` -> ``From``."""
    words = [w for w in str(key).split("_") if w]
    if not words:
        return str(key)
    unit = None
    if len(words) > 1 and words[-1].lower() in _UNITS and words[-2].lower() != "per":
        unit = _UNITS[words.pop().lower()]
    text = " ".join(_SHOWN.get(w.lower(), w) for w in words)
    text = text[:1].upper() + text[1:]
    return f"{text} ({unit})" if unit else text


def singular(name: str) -> str:
    """``workers`` -> ``Worker``, ``cities`` -> ``City``, ``batches`` -> ``Batch`` (a header for a set's labels)."""
    word = humanize(name)
    low = word.lower()
    if low.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif low.endswith(("ches", "shes", "xes", "sses")):
        word = word[:-2]
    elif low.endswith("s") and not low.endswith("ss"):
        word = word[:-1]
    return word


def _cell(v: Any) -> str:
    if _is_number(v):
        return num(v)
    if isinstance(v, list):
        return ", ".join(v) if v else "none"
    return str(v).replace("|", "/")


@dataclass(frozen=True)
class DataTable:
    """One table: a caption (may be empty), the header cells, the rows (cells as text), and the data keys shown."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    keys: tuple[str, ...]

    def markdown(self) -> str:
        lines = [f"{self.caption}:", ""] if self.caption else []
        lines.append("| " + " | ".join(self.header) + " |")
        lines.append("|" + "---|" * len(self.header))
        lines.extend("| " + " | ".join(row) + " |" for row in self.rows)
        return "\n".join(lines)

    @property
    def numbers(self) -> int:
        """How many cells hold a number."""
        count = 0
        for row in self.rows:
            for cell in row:
                try:
                    float(cell)
                except ValueError:
                    continue
                count += 1
        return count


def _label_sets(data: Mapping[str, Any]) -> dict[frozenset, str]:
    """The named sets of the data: ``{frozenset(labels): key}`` for every list of distinct strings."""
    out: dict[frozenset, str] = {}
    for key, value in data.items():
        if isinstance(value, list) and value and all(isinstance(x, str) for x in value) \
                and len(set(value)) == len(value):
            out.setdefault(frozenset(value), key)
    return out


def _in_set(labels: Sequence[str], sets: Mapping[frozenset, str]) -> str | None:
    """The key of the data's set that holds every one of ``labels`` (the smallest such set), or None."""
    wanted = set(labels)
    holding = [(len(s), name) for s, name in sets.items() if wanted <= s]
    return min(holding)[1] if holding else None


def _ordered(labels: Sequence[str], data: Mapping[str, Any], sets: Mapping[frozenset, str]) -> list[str]:
    """``labels`` in the order of the data's list of them, where there is one."""
    name = sets.get(frozenset(labels))
    return list(data[name]) if name else list(labels)


def _set_name(labels: Sequence[str], sets: Mapping[frozenset, str], fallback: str) -> str:
    name = sets.get(frozenset(labels))
    return singular(name) if name else fallback


def data_tables(data: Mapping[str, Any]) -> list[DataTable]:
    """The tables of ``data`` (see the module's text), in the order of the data's keys."""
    if not isinstance(data, Mapping):
        return []
    sets = _label_sets(data)
    tables: list[DataTable] = []
    per_item: dict[frozenset, list[str]] = {}  # label set -> keys of its per-item quantities
    placed: dict[frozenset, int] = {}          # label set -> where its table goes among ``tables``
    for key, value in data.items():
        if isinstance(value, list) and len(value) > 1 and all(isinstance(r, Mapping) for r in value):
            fields = list(value[0])
            if fields and all(list(r) == fields and all(_is_cell(c) for c in r.values()) for r in value):
                tables.append(DataTable(humanize(key), tuple(humanize(f) for f in fields),
                                        tuple(tuple(_cell(r[f]) for f in fields) for r in value), (key,)))
            continue
        if not isinstance(value, Mapping) or not value:
            continue
        rows = list(value)
        inner = list(value.values())
        if all(isinstance(v, Mapping) and v for v in inner):
            columns = list(dict.fromkeys(c for v in inner for c in v))
            if not all(_is_cell(c) for v in inner for c in v.values()):
                continue
            row_name = _set_name(rows, sets, singular(key))
            rows = _ordered(rows, data, sets)
            matrix = _in_set(columns, sets)
            if matrix:  # a matrix between two sets
                columns = [c for c in data[matrix] if c in columns]
                col_name = singular(matrix)
                caption = humanize(key) if col_name == row_name else \
                    f"{humanize(key)} by {row_name.lower()} and {col_name.lower()}"
                header = (row_name, *columns)
            else:  # attributes of each row
                caption, header = humanize(key), (row_name, *(humanize(c) for c in columns))
            sparse = any(c not in value[r] for r in rows for c in columns)
            if sparse:
                caption += " (a dash means none)"
            tables.append(DataTable(caption, header, tuple((r, *(_cell(value[r][c]) if c in value[r] else "-"
                                                                 for c in columns)) for r in rows), (key,)))
            continue
        if all(isinstance(v, list) and v and all(_is_number(x) for x in v) for v in inner) \
                and len({len(v) for v in inner}) == 1:
            n = len(inner[0])
            periods = next((list(v) for v in data.values() if isinstance(v, list) and len(v) == n
                            and all(isinstance(x, str) for x in v)), [str(i) for i in range(1, n + 1)])
            rows = _ordered(rows, data, sets)
            tables.append(DataTable(humanize(key), (_set_name(rows, sets, "Item"), *periods),
                                    tuple((r, *(_cell(x) for x in value[r])) for r in rows), (key,)))
            continue
        if all(_is_cell(v) for v in inner) and any(_is_number(v) for v in inner) or \
                all(isinstance(v, list) for v in inner) and frozenset(rows) in sets:
            label_set = frozenset(rows)
            if label_set not in per_item:
                per_item[label_set] = []
                placed[label_set] = len(tables)
                tables.append(None)  # type: ignore[arg-type]  # filled in below, in first-seen order
            per_item[label_set].append(key)
    for label_set, keys in per_item.items():
        rows = _ordered(list(data[keys[0]]), data, sets)
        header = (_set_name(rows, sets, "Item"), *(humanize(k) for k in keys))
        body = tuple((r, *(_cell(data[k].get(r, "")) if r in data[k] else "-" for k in keys)) for r in rows)
        tables[placed[label_set]] = DataTable("", header, body, tuple(keys))
    return tables


def tables_markdown(tables: Sequence[DataTable]) -> str:
    """The tables one after another, separated by blank lines."""
    return "\n\n".join(t.markdown() for t in tables)


_TABLE_LINE = re.compile(r"^\s*\|.*\|?\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+(?=[A-Z\"'(])")


def strip_tables(text: str) -> str:
    """``text`` without Markdown table rows (a writer that copies the tables anyway), blank runs squeezed."""
    lines = [line for line in (text or "").splitlines() if not _TABLE_LINE.match(line)]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def place_tables(text: str, tables: str) -> str:
    """The word problem: ``text`` with ``tables`` set before its closing question (after the text when it has none).

    The closing question is the last paragraph when that ends with ``?`` and there are several, else the last
    sentence when it does.

    >>> print(place_tables("A shop sells tea. Which mix is cheapest?", "| a |"))
    A shop sells tea.
    <BLANKLINE>
    | a |
    <BLANKLINE>
    Which mix is cheapest?
    """
    text = strip_tables(text)
    if not tables.strip():
        return text
    if not text:
        return tables
    paragraphs = text.split("\n\n")
    if paragraphs[-1].rstrip().endswith("?"):
        if len(paragraphs) > 1:
            return "\n\n".join(paragraphs[:-1]) + "\n\n" + tables + "\n\n" + paragraphs[-1]
        breaks = list(_SENTENCE_END.finditer(text))
        if breaks:
            last = breaks[-1]
            return text[:last.start()] + "\n\n" + tables + "\n\n" + text[last.end():]
    return text + "\n\n" + tables
