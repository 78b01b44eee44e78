"""Items the text allows at most once, modelled as counts.

"Each spot can be aired at most once", "every project can be funded only once", "no item may be packed more
than once": the decision is yes or no. Small models declare it an integer count (``pyo.Var(spots,
domain=pyo.NonNegativeIntegers)``) and the solver takes the best item many times over (the embedded set's radio
spots: eight 15-second spots instead of one of each). :func:`fix_single_use` makes such a decision
``Binary`` when all of this holds, and does nothing otherwise:

- a sentence says that each (or every, any) <item> can be ... at most once, only once, or not more than
  once, that no <item> may be ... more than once, or that there is at most one of each <item>;
- the decisions whose names carry that item's word ("spot" in ``spots``, ``spot_30``) are integer (or
  nonnegative) and none has an upper bound below 1 or a stated bound of its own.
"""

from __future__ import annotations

import ast
import re

from optolab.agents.checks import name_words, stem
from optolab.agents.codeast import base_name, call_name, quiet_fix

_ONCE = r"(?:at\s+most\s+once|only\s+once|just\s+once|once\s+at\s+most|(?:not|no)\s+more\s+than\s+once)"
_EACH_ONCE = re.compile(r"\b(?:each|every|any|an?)\s+(?P<item>[a-z-]+)\s+(?:can|may|could|is|are|will|must|should)"
                        r"(?:\s+not)?(?:\s+(?:only|be|[a-z]+ed|[a-z]+en|used|run|bought|sold|made))*\s+" + _ONCE,
                        re.I)
_NO_MORE = re.compile(r"\bno\s+(?P<item>[a-z-]+)\s+(?:can|may|could|is|are|will|must|should)"
                      r"(?:\s+(?:be|[a-z]+ed|[a-z]+en|used|run|bought|sold|made))*\s+more\s+than\s+once", re.I)
_ONE_OF_EACH = re.compile(r"\bat\s+most\s+one\s+(?:of\s+)?(?:each|every)\s+(?P<item>[a-z-]+)", re.I)
_RELAXABLE = {"Integers", "NonNegativeIntegers", "PositiveIntegers", "NonNegativeReals", "Reals"}


def _once_items(question: str) -> set[str]:
    return {stem(m.group("item")) for rx in (_EACH_ONCE, _NO_MORE, _ONE_OF_EACH) for m in rx.finditer(question)}


def _upper_bound(call: ast.Call) -> ast.AST | None:
    for kw in call.keywords:
        if kw.arg == "bounds":
            if isinstance(kw.value, ast.Tuple) and len(kw.value.elts) == 2:
                hi = kw.value.elts[1]
                return None if isinstance(hi, ast.Constant) and hi.value is None else hi
            return kw.value
    return None


@quiet_fix
def fix_single_use(code: str, question: str):
    """The code with the decisions the text allows at most once made ``Binary``: a
    :class:`optolab.agents.program.Program` saying what changed, or None."""
    from optolab.agents.program import Program

    items = _once_items(question)
    if not items:
        return None
    tree = ast.parse(code)  # code that does not parse: the wrapper returns None
    changes = []
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and call_name(stmt.value) == "Var"):
            continue
        name = base_name(stmt.targets[0])
        call = stmt.value
        domain = next((kw for kw in call.keywords if kw.arg in ("domain", "within")), None)
        dname = (call_name(domain.value) or base_name(domain.value)) if domain else "Reals"
        if not name or not (name_words(name) & items) or dname not in _RELAXABLE or _upper_bound(call) is not None:
            continue
        binary = ast.Attribute(value=call.func.value, attr="Binary", ctx=ast.Load()) \
            if isinstance(call.func, ast.Attribute) else ast.Name("Binary", ast.Load())
        before = ast.unparse(call)
        call.keywords = [kw for kw in call.keywords if kw.arg not in ("domain", "within", "bounds")]
        call.keywords.append(ast.keyword(arg="domain", value=binary))
        word = next(iter(name_words(name) & items))
        changes.append(f"`{before}` became `{ast.unparse(call)}`: the text allows each {word} at most once, a yes or "
                       "no decision")
    return Program.changed(tree, changes)
