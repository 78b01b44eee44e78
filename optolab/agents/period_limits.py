"""A limit per period the code leaves out.

"It can produce up to 120 units a month", "at most 150 hectolitres can be brewed in a week": a small model
plans production over the months of a table with ``make = pyo.Var(months)``, a stock balance and the costs,
and forgets the limit. The model solves, to an optimum below the answer, and the number the text gives is
not in the code. :func:`add_period_limits` adds the row ``make[t] <= 120`` for every period when all of this
holds:

- the text puts a number after "up to", "at most", "no more than", "a maximum of", "capacity of" or "limited
  to", and within five words after it "a", "per", "each", "every" or "in a" and a period (day, week, month,
  quarter, year, shift, period);
- the number appears nowhere in the code;
- the code makes variables over one list named after that period (``months``, ``weeks``; ``periods`` for
  any), and exactly one of them fits the clause: a stock (stock, inventory, storage, hold) where the clause
  speaks of storing, and otherwise the one that is neither a stock, a backlog, nor a yes/no decision.
"""

from __future__ import annotations

import ast
import re

from optolab.agents.codeast import list_variables, number_literals, quiet_fix

_PERIODS = "day|week|month|quarter|year|shift|period|season"
_LIMIT = re.compile(r"\b(?:up\s+to|at\s+most|no\s+more\s+than|not\s+more\s+than|a\s+maximum\s+of|maximum\s+of|"
                    r"capacity\s+of|limited\s+to)\s+(?P<n>\d[\d,]*(?:\.\d+)?)\s+"
                    r"(?P<words>(?:[A-Za-z-]+\s+){0,5}?)(?:a|per|each|every|in\s+a|in\s+any|in\s+each|in\s+every)\s+"
                    rf"(?P<period>{_PERIODS})s?\b", re.I)
_STOCK = re.compile(r"stock|inventor|stor|hold|keep|kept|carr", re.I)
_NOT_MADE = re.compile(r"stock|inventor|stor|hold|carry|backlog|short|open|setup|use[sd]?$|on$|run", re.I)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _period_vars(tree: ast.Module, period: str) -> list[tuple[str, str, bool]]:
    """(the variable as written on the model, the list it runs over, whether it is binary) for every variable
    made over one list named after ``period`` (or ``periods``)."""
    names = (f"{period}s", f"{period}", "periods", "time_periods")
    out = []
    for st, over in list_variables(tree):
        if not isinstance(st.targets[0], ast.Attribute) or over.lower() not in names:
            continue
        domain = next((ast.unparse(k.value) for k in st.value.keywords if k.arg in ("domain", "within")), "")
        out.append((ast.unparse(st.targets[0]), over, domain.endswith("Binary")))
    return out


@quiet_fix
def add_period_limits(code: str, question: str):
    """Add the rows of a per-period limit the text states and the code leaves out (see the module's notes)."""
    from optolab.agents.program import Program

    tree = ast.parse(code)
    used = number_literals(tree)
    if not re.search(r"^import\s+pyomo\.environ\s+as\s+pyo\s*$", code, re.M):
        return None
    taken = {t.attr for n in ast.walk(tree) if isinstance(n, ast.Assign) for t in n.targets
             if isinstance(t, ast.Attribute)}
    lines, changes = [], []
    for m in _LIMIT.finditer(question):
        value = _number(m.group("n"))
        if value in used or value <= 0:
            continue
        clause = question[max(0, m.start() - 60):m.end()]
        clause = clause[clause.rfind(".") + 1:] if "." in clause[:-len(m.group(0))] else clause
        period = m.group("period").lower()
        stored = bool(_STOCK.search(clause))
        fits = [(var, over) for var, over, binary in _period_vars(tree, period)
                if not binary and bool(_STOCK.search(var.rsplit(".", 1)[-1])) == stored
                and (stored or not _NOT_MADE.search(var.rsplit(".", 1)[-1]))]
        if len(fits) != 1:
            continue
        var, over = fits[0]
        owner = var.rsplit(".", 1)[0]
        name = next(n for n in (f"{period}_limit", f"{period}_limit_2", f"{period}_limit_3") if n not in taken)
        taken.add(name)
        number = f"{value:g}"
        lines += [f"{owner}.{name} = pyo.ConstraintList()", f"for _t in {over}:",
                  f"    {owner}.{name}.add({var}[_t] <= {number})"]
        used.add(value)
        changes.append(f"added {owner}.{name}: {var}[t] <= {number} for each of {over}; the text says "
                       f"\"{' '.join(m.group(0).split())}\" and no row of the code has {number}")
    if not lines:
        return None
    return Program.changed(ast.parse(code.rstrip("\n") + "\n" + "\n".join(lines) + "\n"), changes)
