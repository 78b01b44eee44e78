"""Markdown tables in a question, read into Python data for the code writer.

Questions of OptiBench and of the embedded set give per-item data as Markdown tables (costs by product and
resource, exposure and cost by medium, shipping costs from plants to stores). A small model that copies such
a table into code often shifts a column, takes a row for a column or drops an entry. :func:`read_tables`
reads every table of a text; :func:`table_data_code` writes them as Python data (a list of the row labels,
one dict per numeric column keyed by row label, or one dict keyed by (row, column) for a matrix, also for the
columns of items that share a unit beside other columns), with the keyed lists of the prose
(:mod:`optolab.agents.textdata`), so that the prompt can show the data already written;
:func:`define_table_data` adds the definitions to code that reads those names without defining them, and
:func:`restore_table_data` puts them back where the code copied them with slips.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_CAPTION = re.compile(r"^\s*(?:\*\*)?\s*Table\b[^(:\n]*(?:\(([^)\n]*)\))?[^:\n]*:?.*$", re.IGNORECASE)
# a cell that holds one number: "$1,200", "20,000", "25%", "-3.5", "4 hours", "$0.50/kg"
_CELL_NUMBER = re.compile(r"^\s*(?P<neg>-)?\s*\$?\s*(?P<num>\d[\d,]*(?:\.\d+)?|\.\d+)\s*(?P<pct>%)?"
                          r"(?P<unit>\s*(?:/\s*)?[A-Za-z][A-Za-z .²³/]*)?\s*$")
_RESERVED = {"model", "pyo", "sum", "range", "min", "max", "len", "abs", "list", "dict", "set", "math", "exp",
             "log", "sqrt", "sin", "cos", "tan", "log10", "id", "type", "input", "map", "round", "pow"}


@dataclass(frozen=True)
class TextTable:
    """One Markdown table: its caption (the "Table (...)" line above it, or ""), header cells and rows, and the
    line of text right above it (its sentence of introduction, or the caption)."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    intro: str = ""

    @property
    def matrix(self) -> bool:
        """Whether the table is a matrix over two sets of things (costs from plants to stores, a
        covariance) rather than attributes of one set: its corner cell is empty or reads "From / To", or its
        column headers are its row labels."""
        corner = self.header[0].strip()
        if not corner or "/" in corner or "\\" in corner:
            return True
        labels = {r[0].strip().lower() for r in self.rows}
        heads = [h.strip() for h in self.header[1:]]
        if len(heads) >= 2 and {h.lower() for h in heads} == labels:
            return True
        # columns named like things, not attributes: "A | B | C", "S1 | S2", "City 1 | City 2", "Product A | Product B"
        short = all(re.fullmatch(r"[A-Z0-9][A-Za-z0-9]{0,2}", h) for h in heads)
        indexed = [re.fullmatch(r"(.*\S)\s+([A-Z]|\d+)", h) for h in heads]
        same = all(indexed) and len({m.group(1).lower() for m in indexed}) == 1
        return len(heads) >= 2 and (short or same)


def _cells(line: str) -> list[str]:
    s = line.strip()
    s = s.removeprefix("|")
    s = s.removesuffix("|")
    return [c.strip() for c in s.split("|")]


def read_tables(text: str) -> list[TextTable]:
    """Every Markdown table of ``text`` (a header line, a ``|---|`` line, then rows), with its caption."""
    lines = (text or "").splitlines()
    tables: list[TextTable] = []
    i = 0
    while i < len(lines) - 1:
        if lines[i].count("|") >= 2 and _SEPARATOR.match(lines[i + 1]):
            header = _cells(lines[i])
            rows = []
            j = i + 2
            while j < len(lines) and lines[j].count("|") >= 2 and not _SEPARATOR.match(lines[j]):
                cells = _cells(lines[j])
                cells = (cells + [""] * len(header))[:len(header)]
                if any(cells):
                    rows.append(tuple(cells))
                j += 1
            k = i - 1
            while k >= 0 and not lines[k].strip():
                k -= 1
            m = _CAPTION.match(lines[k]) if k >= 0 else None
            caption = ((m.group(1) or re.sub(r"^\W*Table\s*\d*\s*:?", "", lines[k].strip()).strip(" :*"))
                       if m else "").strip()
            if rows and len(header) >= 2:
                intro = lines[k].strip()[-200:] if k >= 0 else ""
                tables.append(TextTable(caption, tuple(header), tuple(rows), intro))
            i = j
        else:
            i += 1
    return tables


def cell_number(cell: str) -> float | int | None:
    """The one number a cell holds ("$1,200" 1200, "25%" 0.25, "4 hours" 4), or None ("Yes", "10-20", "")."""
    m = _CELL_NUMBER.match(cell or "")
    if not m:
        return None
    text = m.group("num").replace(",", "")
    value: float | int = float(text) if "." in text else int(text)
    if m.group("neg"):
        value = -value
    if m.group("pct"):
        value = round(value / 100, 12)
    return value


def identifier(words: str, taken: set[str] = frozenset()) -> str:
    """A Python name for a header or caption ("Input Cost per Acre" input_cost_per_acre), not one of
    ``taken``, a keyword or a name the model code needs (model, sum...)."""
    name = re.sub(r"[^0-9a-zA-Z]+", "_", words.replace("%", " percent ").replace("$", " ")).strip("_").lower()
    name = name or "value"
    if name[0].isdigit():
        name = "n_" + name
    if keyword.iskeyword(name) or name in _RESERVED:
        name += "_data"
    base, k = name, 2
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    return name


def _plural(name: str) -> str:
    if name.endswith("s"):
        return name + "_list"
    if re.search(r"[^aeiou]y$", name):
        return name[:-1] + "ies"
    if name.endswith(("x", "ch", "sh")):
        return name + "es"
    return name + "s"


def _set_name(words: str, fallback: str) -> str:
    """The plural name of a set of things ("Crop" crops); ``fallback`` for no words or a keyword ("From")."""
    name = re.sub(r"[^0-9a-zA-Z]+", "_", re.sub(r"\([^)]*\)", " ", words)).strip("_").lower()
    if not name or keyword.iskeyword(name) or name in _STOP or name[0].isdigit():
        return fallback
    return _plural(name)


def _common_prefix(columns: list[str]) -> str:
    m = [re.fullmatch(r"(.*\S)\s+([A-Z]|\d+)", c.strip()) for c in columns]
    return m[0].group(1) if all(m) and len({x.group(1).lower() for x in m}) == 1 else ""


_STOP = {"table", "the", "a", "an", "of", "to", "and", "for", "in", "per", "each", "between", "from", "by", "on",
         "with", "are", "is", "as", "follows", "below", "given", "unit", "units"}
_MATRIX_WORDS = ("cost", "time", "distance", "profit", "revenue", "covariance", "return", "yield", "rate",
                 "production", "score", "rating", "value", "requirement", "amount", "capacity", "demand")


def _value_name(caption: str) -> str:
    """A name for a matrix's numbers from its caption or the line before it: the first word of what such
    tables hold (cost, time, distance...), else its first content words; "table" for nothing."""
    words = re.findall(r"[A-Za-z]+", re.sub(r"^\s*Table\s*\d*\s*:?", "", caption or "", flags=re.IGNORECASE).lower())
    for known in _MATRIX_WORDS:
        if any(w.startswith(known) for w in words):
            return known
    content = [w for w in words if w not in _STOP]
    return "_".join(content[:3]) or "table"


def _key(label: str, numeric: bool) -> str | int | float:
    if numeric:
        value = cell_number(label)
        if value is not None:
            return value
    return label


_ARC_WORDS = {"from", "to", "origin", "destination", "source", "target", "start", "end", "tail", "head", "node",
              "i", "j"}


def _transposed(table: TextTable) -> TextTable:
    """A table of one row of numbers across many columns ("| period | 00-04 | 04-08 |" over "| agents | 4 | 8 |")
    turned into one row per column, so that the columns become keys."""
    if len(table.rows) != 1 or len(table.header) < 4:
        return table
    row = table.rows[0]
    if not all(cell_number(c) is not None for c in row[1:]):
        return table
    return TextTable(table.caption, (table.header[0], row[0]), tuple(zip(table.header[1:], row[1:])), table.intro)


def _pair_keys(table: TextTable) -> tuple[list[tuple], str, TextTable] | None:
    """An edge list ("| from | to | minutes |"): the (first, second) pairs as keys when they are unique and
    name things, the name of their list, and the table with the pair as one first column."""
    if len(table.header) < 3:
        return None
    pairs = [(r[0], r[1]) for r in table.rows]
    if len(set(pairs)) != len(pairs) or any(cell_number(a) is not None or cell_number(b) is not None or not a or not b
                                            for a, b in pairs):
        return None
    words = {table.header[0].strip().lower(), table.header[1].strip().lower()}
    name = "arcs" if words <= _ARC_WORDS else f"{identifier(table.header[0])}_{identifier(table.header[1])}_pairs"
    rows = tuple((f"{a}|{b}", *r[2:]) for (a, b), r in zip(pairs, table.rows))
    header = (f"{table.header[0]}|{table.header[1]}", *table.header[2:])
    return pairs, name, TextTable(table.caption, header, rows, table.intro)


_LINK_LABEL = re.compile(r"^\s*(\S(?:.*?\S)?)\s+(?:to|->|→)\s+(\S(?:.*?\S)?)\s*$", re.I)


def _link_keys(table: TextTable) -> tuple[list[tuple], str, TextTable] | None:
    """Rows labelled as links ("| F1 to H | 2 | 70 |", "| A -> B | 5 |"): the (start, end) pairs as keys when
    every label reads so and no two repeat, their list named after the first column ("links"), and the table
    with the labels written as pairs."""
    found = [_LINK_LABEL.match(r[0]) for r in table.rows]
    if len(table.rows) < 2 or not all(found):
        return None
    pairs = [(m.group(1), m.group(2)) for m in found]
    if len(set(pairs)) != len(pairs) or any(len(a) > 20 or len(b) > 20 for a, b in pairs):
        return None
    name = _set_name(table.header[0], "links")
    rows = tuple((f"{a}|{b}", *r[1:]) for (a, b), r in zip(pairs, table.rows))
    return pairs, name, TextTable(table.caption, table.header, rows, table.intro)


def _column_names(header: tuple[str, ...], taken: set[str]) -> list[str]:
    """Names for the columns after the first: the header without its parenthesised unit, or with it where
    two columns would otherwise share a name."""
    short = [re.sub(r"\([^)]*\)", " ", h) for h in header]
    bare = [identifier(s) for s in short]
    names: list[str] = []
    for h, s, b in zip(header, short, bare):
        words = h if bare.count(b) > 1 or not s.strip() else s
        if len(identifier(words)) <= 2:  # "A", "x1": a loop variable's name; "column_a" instead
            words = f"column {words}"
        name = identifier(words, taken | set(names))
        names.append(name)
    return names


def _keyed(table: TextTable) -> tuple[list, str | None, TextTable] | None:
    """The keys of the table's rows (its first column's labels, numbers as numbers, or (from, to) pairs of an
    edge list), the name of their list where it is fixed (an edge list's), and the table to read; None when
    the rows have no usable keys."""
    labels = [r[0] for r in table.rows]
    if len(set(labels)) != len(labels) or not all(labels):
        return _pair_keys(table)
    links = _link_keys(table)
    if links is not None:
        return links
    numeric = all(cell_number(x) is not None for x in labels)
    return [_key(x, numeric) for x in labels], None, table


Line = tuple[str, str, str]  # name, its definition, a comment


def _matrix_lines(table: TextTable, keys: list, taken: set[str], *, text: str = "", value_words: str = "",
                  cols_words: str = "") -> list[Line]:
    """A matrix as its row list, its column list and one dict keyed by (row, column); [] when a cell holds no
    number. ``value_words`` and ``cols_words`` name the numbers and the columns' list where the caller knows
    better than the header and caption; else the columns are named after the things ``text`` counts as
    many as there are columns ("ship to four depots")."""
    columns = list(table.header[1:])
    values = {(k, c): cell_number(r[j + 1]) for k, r in zip(keys, table.rows) for j, c in enumerate(columns)}
    if not values or any(v is None for v in values.values()):
        return []
    row_words, _, col_words = table.header[0].replace("\\", "/").partition("/")
    rows_name = identifier(_set_name(row_words, "sources" if col_words else "rows"), taken)
    taken.add(rows_name)
    if not cols_words and not col_words and not _common_prefix(columns):
        cols_words = _items_word(text, columns) or _counted_noun(text, len(columns), rows_name)
    cols_name = identifier(cols_words or _set_name(col_words or _common_prefix(columns), "destinations" if col_words
                                                   else "columns"), taken)
    taken.add(cols_name)
    value_name = identifier(value_words or _value_name(table.caption or table.intro), taken)
    taken.add(value_name)
    body = ", ".join(f"({k!r}, {c!r}): {v!r}" for (k, c), v in values.items())
    return [(rows_name, f"{rows_name} = {keys!r}", ""), (cols_name, f"{cols_name} = {columns!r}", ""),
            (value_name, f"{value_name} = {{{body}}}",
             f"{value_name}[r, c] for r in {rows_name} for c in {cols_name}")]


_PERCENT_HEAD = re.compile(r"\(\s*%\s*\)|\bpercent(?:age)?\b|\bin %", re.IGNORECASE)


def _column_lines(table: TextTable, keys: list, set_name: str | None, known: dict[str, str],
                  taken: set[str]) -> list[Line]:
    """The row keys' list (unless an earlier table of ``known`` definitions has the same) and one dict per
    column of numbers (or of words, when every cell has one; a column of percents, "carbon (%)", as fractions);
    [] when no column qualifies."""
    same = next((n for n, d in known.items() if d == f"{n} = {keys!r}"), None)
    set_name = same or set_name or identifier(_set_name(table.header[0], "items"), taken)
    taken.add(set_name)
    out: list[Line] = [] if same else [(set_name, f"{set_name} = {keys!r}", "")]
    columns = 0
    for col, (name, head) in enumerate(zip(_column_names(table.header[1:], taken), table.header[1:]), 1):
        cells = [r[col] for r in table.rows]
        numbers = [cell_number(c) for c in cells]
        if any(v is None for v in numbers):
            if any(v is not None for v in numbers) or not all(cells):
                continue  # mixed or partly empty: left to the model
            pairs = dict(zip(keys, cells))
        else:
            pairs = dict(zip(keys, numbers))
        note = head if identifier(head) != name else ""
        if pairs and all(isinstance(v, (int, float)) for v in pairs.values()) and _PERCENT_HEAD.search(head) \
                and not any("%" in c for c in cells):
            # "carbon (%)" over 2.5, 5.0: shares as fractions, as "3%" in the text reads 0.03
            pairs = {k: round(v / 100, 12) for k, v in pairs.items()}
            note = f"{head}, as fractions ({cells[0].strip()}% -> {pairs[keys[0]]!r})"
        taken.add(name)
        out.append((name, f"{name} = {pairs!r}", note))
        columns += 1
    return out if columns else []


_ITEM_HEAD = re.compile(r"(?P<label>[A-Z][A-Za-z]?\d{0,2})\s*\((?P<unit>[^)]+)\)")


_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}


def _counted_noun(text: str, count: int, other: str) -> str:
    """The first plural noun ``text`` counts ``count`` of ("four depots") that is not ``other`` (the rows' list
    name); "" for none."""
    for m in re.finditer(r"\b(two|three|four|five|six|seven|eight|nine|ten|\d+)\s+([a-z]{3,}s)\b", text or ""):
        n = _COUNTS.get(m.group(1)) or (int(m.group(1)) if m.group(1).isdigit() else 0)
        if n == count and m.group(2) != other and not m.group(2).endswith("ss"):
            return m.group(2)
    return ""


def _item_columns(table: TextTable) -> tuple[list[int], str]:
    """The columns of a table of attributes that are items with one shared unit ("| machine | A (min/unit) |
    B (min/unit) | available (min/week) |": A and B), by position, and that unit; ([], "") for none or for
    fewer than two such columns beside at least one other."""
    found = [(j, m) for j, h in enumerate(table.header[1:], 1) if (m := _ITEM_HEAD.fullmatch(h.strip()))]
    units = {m.group("unit").strip().lower() for _, m in found}
    if len(found) < 2 or len(units) != 1 or len(found) == len(table.header) - 1:
        return [], ""
    return [j for j, _ in found], units.pop()


def _items_word(text: str, labels: list[str]) -> str:
    """The plural noun the text puts before the list of ``labels`` ("three products, A, B and C" ->
    "products"); "" when it has none."""
    m = re.search(rf"\b([a-z]{{3,}}s),?\s+{re.escape(str(labels[0]))}\s*,", text or "")
    return m.group(1) if m and not m.group(1).endswith("ss") else ""


def _mixed_lines(table: TextTable, keys: list, columns: list[int], unit: str, text: str,
                 known: dict[str, str], taken: set[str]) -> list[Line]:
    """A table whose item columns share a unit, beside columns of attributes: the item columns as one matrix
    keyed by (row, item) named after the unit, the other columns as dicts keyed by row."""
    labels = [_ITEM_HEAD.fullmatch(table.header[j].strip()).group("label") for j in columns]
    matrix = TextTable(table.caption, (table.header[0], *labels),
                       tuple((r[0], *(r[j] for j in columns)) for r in table.rows), table.intro)
    lines = _matrix_lines(matrix, keys, taken, text=text, value_words=unit.replace("/", " per "),
                          cols_words=_items_word(text, labels))
    if not lines:
        return []
    rest = [j for j in range(1, len(table.header)) if j not in columns]
    others = TextTable(table.caption, (table.header[0], *(table.header[j] for j in rest)),
                       tuple((r[0], *(r[j] for j in rest)) for r in table.rows), table.intro)
    return lines + _column_lines(others, keys, None, {**known, lines[0][0]: lines[0][1]}, taken)


_LISTS_HEADING = "# lists in the text"


def table_data_code(text: str) -> tuple[str, dict[str, str]]:
    """The tables of ``text`` as Python lines, and each name's definition (for :func:`define_table_data`);
    ("", {}) for a text without tables or without numbers in them."""
    blocks: list[str] = []
    definitions: dict[str, str] = {}
    taken: set[str] = set()
    for table in read_tables(text):
        keyed = _keyed(_transposed(table))
        if keyed is None:
            continue
        keys, set_name, table = keyed
        items, unit = _item_columns(table) if set_name is None and not table.matrix else ([], "")
        if table.matrix and set_name is None:
            lines = _matrix_lines(table, keys, taken, text=text)
        elif items:
            lines = _mixed_lines(table, keys, items, unit, text, definitions, taken)
        else:
            lines = _column_lines(table, keys, set_name, definitions, taken)
        if not lines:
            continue
        definitions.update({name: definition for name, definition, _ in lines})
        heading = f"# {table.caption}" if table.caption else "# table"
        blocks.append("\n".join([heading] + [d + (f"  # {c}" if c else "") for _, d, c in lines]))
    from optolab.agents.textdata import keyed_lists, numbered_lists

    listed = keyed_lists(text, taken)
    listed += numbered_lists(text, taken | {k.name for k in listed})
    if listed:
        definitions.update({k.name: k.definition for k in listed})
        blocks.append("\n".join([_LISTS_HEADING] + [f"{k.definition}  # {' '.join(k.source.split())}"
                                                    for k in listed]))
    return "\n\n".join(blocks), definitions


def with_table_data(question: str) -> str:
    """``question`` followed by its tables as Python data (the ``table_data.txt`` prompt), or ``question`` as
    it is when it has no table with numbers."""
    from importlib import resources
    from string import Template

    data, _ = table_data_code(question)
    if not data:
        return question
    lists = _LISTS_HEADING in data
    what = ("tables and lists" if read_tables(question) else "lists") if lists else "tables"
    note = resources.files("optolab.agents").joinpath("prompts", "table_data.txt").read_text(encoding="utf-8")
    return f"{question.rstrip()}\n\n{Template(note).safe_substitute(what=what, data=data).rstrip()}"


def define_table_data(code: str, question: str):
    """Code that reads names of the question's table data (:func:`table_data_code`) without defining them:
    the same code with their definitions put after the imports; None otherwise."""
    from optolab.agents.program import Program, define_unbound

    done = define_unbound(code, table_data_code(question)[1])
    if done is None:
        return None
    tree, wanted = done
    note = f"defined {', '.join(wanted)} from the question's table, as the prompt showed them; the code used them undefined"
    return Program.changed(tree, [note])


def restore_table_data(code: str, question: str):
    """Code that copies a name of the question's table data (:func:`table_data_code`) with slips: a list with
    entries dropped, a dict with entries dropped or numbers changed (``agents`` without its 12-16 period,
    ``cost`` of 30 for a cost of 300). The same code with the definition the prompt showed in its place; None
    when every copy is exact, or for a copy with keys the table lacks (another structure the model chose) or
    with every number scaled by one factor (a conversion of units)."""
    import ast

    from optolab.agents.program import Program

    definitions = table_data_code(question)[1]
    if not definitions:
        return None
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    changed = []
    for k, stmt in enumerate(tree.body):
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
                and stmt.targets[0].id in definitions and isinstance(stmt.value, (ast.Dict, ast.List))):
            continue
        shown = ast.parse(definitions[stmt.targets[0].id]).body[0]
        try:
            copy, wanted = ast.literal_eval(stmt.value), ast.literal_eval(shown.value)
        except (ValueError, TypeError, SyntaxError):  # not plain data ({[1]: 2}, a name inside)
            continue
        if copy == wanted or not _slipped_copy(copy, wanted):
            continue
        tree.body[k] = ast.copy_location(shown, stmt)
        changed.append(stmt.targets[0].id)
    if not changed:
        return None
    return Program.changed(tree, [f"{', '.join(changed)} differed from the table's data the prompt showed (entries "
                                  "dropped or numbers miscopied): put back the shown definition"])


def _slipped_copy(copy, wanted) -> bool:
    """Whether ``copy`` is ``wanted`` with slips: a list of some of its entries in order; a dict over some of its
    keys whose numbers are not all one multiple of the shown ones."""
    if isinstance(copy, list) and isinstance(wanted, list):
        it = iter(wanted)
        return len(copy) < len(wanted) and all(any(c == w for w in it) for c in copy)
    if not (isinstance(copy, dict) and isinstance(wanted, dict)) or not copy or not set(copy) <= set(wanted):
        return False
    pairs = [(copy[key], wanted[key]) for key in copy]
    if not all(isinstance(a, (int, float)) and isinstance(b, (int, float)) for a, b in pairs):
        return False
    ratios = {round(a / b, 9) for a, b in pairs if b}
    return len(ratios) != 1 or len(copy) < len(wanted)
