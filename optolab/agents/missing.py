"""Limits that the text states in one plain clause and the model code leaves out.

Word problems end with short rules, each with one number: "At most 40% of the birds can be owls", "at
least 20 carrier pigeons must be used", "there must be a minimum of 8 low-volume pipes". Small models drop
such a rule now and then; the unused-number finding asks for it, but a 1.5B model often fails that repair
(NL4OPT trails: the rule stays missing in every attempt, or the repair breaks another row).

:func:`add_missing_limits` adds the constraint itself when all of this holds, and does nothing otherwise:

- the model's decisions are plain (not indexed) variables, at least two;
- the clause's number appears nowhere in the code: not as written (a number that only weighs a decision, the 70
  of ``70 * carts``, does not count for a share or a count), not as a fraction (40% as 0.4), not as the
  complement of a share (0.6 for "at most 40%", which a model may write the other way round);
- the clause says which way ("at least", "at most", "a minimum of", "no more than", ...);
- (a share, a count) its subject is the name of exactly one decision ("carrier pigeons" ->
  ``carrier_pigeons``), and a share's group names every decision or none of them ("the birds"), so the
  whole is the sum of all decisions;
- (a budget, "has $3000 to invest") no decision is integer: the decisions are the amounts put in, and their sum
  is at most the budget;
- (a shared resource, "has 140 hectares available to grow tomatoes and potatoes") the code caps every decision at
  the number and no row sums them against it: the sum is at most the number.
"""

from __future__ import annotations

import ast
import re

from optolab.agents.checks import clause_span, mentions_of, name_words, stem
from optolab.agents.codeast import base_name, call_name, integer_variables, variable_names, weight_literals
from optolab.agents.goal import sum_terms
from optolab.agents.bound_relations import bound_words

_WAY = (r"(?P<way>at\s+least|at\s+most|no\s+(?:more|less|fewer)\s+than|not\s+(?:more|less|fewer)\s+than|"
        r"a\s+(?:minimum|maximum)\s+of|minimum\s+of|maximum\s+of|up\s+to)")
_NUM = r"(?P<num>\d+(?:\.\d+)?)"
# "at most 40% of the birds can be owls", "at least 30 percent of the pills must be daytime pills"
_SHARE = re.compile(_WAY + r"\s+" + _NUM + r"\s*(?:%|percent\b)\s+of\s+(?:the\s+|all\s+(?:the\s+)?|its\s+|their\s+)?"
                    r"(?:total\s+)?(?:number\s+of\s+)?(?P<group>[a-z-]+(?:\s+[a-z-]+)?)\s+"
                    r"(?:\w+\s+)?(?:can|should|must|may|will|are\s+to|is\s+to|has\s+to|have\s+to|need\s+to)\s+be\s+"
                    r"(?:made\s+(?:up\s+)?(?:of|by)\s+|by\s+|from\s+)?(?:the\s+)?(?P<part>[a-z-]+(?:\s+[a-z-]+){0,2})",
                    re.I)
# "at least 20 carrier pigeons must be used", "a minimum of 8 low-volume pipes", "at most 5 vans"
_COUNT = re.compile(_WAY + r"\s+" + _NUM + r"\s+(?P<part>[a-z-]+(?:\s+[a-z-]+){0,3}?)"
                    r"(?=\s+(?:must|should|can|need|needs|have|has|are|is|be|will|to)\b|\s*[.,;]|\s+(?:and|but)\b)",
                    re.I)
# "at most 150 desk lamps and 180 night lamps": one bound word over a list, a cap on each decision
_LISTED = re.compile(_WAY + r"\s+(?P<n1>\d+(?:\.\d+)?)\s+(?P<p1>[a-z-]+(?:\s+[a-z-]+){0,2}?)\s*(?:,\s*(?:and\s+)?|\s+and\s+)"
                     r"(?P<n2>\d+(?:\.\d+)?)\s+(?P<p2>[a-z-]+(?:\s+[a-z-]+){0,2}?)"
                     r"(?=\s+(?:must|should|can|need|needs|have|has|are|is|be|will|to|per|each|every|a)\b|\s*[.,;]|"
                     r"\s+(?:and|but)\b)", re.I)
# "at least 40 should be vitamin D pills", "at most 10 of them can be vans"
_COUNT_BE = re.compile(_WAY + r"\s+" + _NUM + r"\s+(?:of\s+(?:them|these|those)\s+)?(?:should|must|need\s+to|has\s+to|"
                       r"have\s+to|will|can|may)\s+be\s+(?:the\s+)?(?P<part>[a-z-]+(?:\s+[a-z-]+){0,2}?)"
                       r"(?=\s*[.,;]|\s+(?:and|but|because|since|so|to|in|on|each|per|every)\b)", re.I)
# "Jacob has $3000 to invest", "She has a budget of $5000 to spend": every decision is money out of it
_BUDGET = re.compile(r"\bha(?:s|ve)\s+(?:a\s+(?:total|budget)\s+of\s+|up\s+to\s+)?\$\s?(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
                     r"\s+(?:available\s+)?(?:to\s+(?:invest|spend|allocate)|for\s+investments?)\b", re.I)
# "A farmer has 500 acres of land to grow turnips and pumpkins" (or "... of land and plans to plant ...") where the
# question asks "how many acres of each":
# the decisions are parts of the one resource, so their sum is at most it
_SHARED = re.compile(r"\bha(?:s|ve)\s+(?:a\s+total\s+of\s+|only\s+)?(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s+"
                     r"(?P<unit>[a-z]+)\s+(?:of\s+[a-z]+\s+)?(?:available\s+)?"
                     r"(?:and\s+(?:plans|wants|intends|needs|decides|would\s+like)\s+)?(?:to|for)\s+"
                     r"(?:grow|plant|cultivate|farm|use\s+for|allocate\s+to|split\s+between|divide\s+between)\s+"
                     r"(?:the\s+)?(?P<list>[a-z -]+(?:,\s*[a-z -]+)*?)\s*(?=[.;?]|,\s*(?:but|and\s+(?!\w+\s*[.;?]))|$)",
                     re.I)
_NOT_PART = {"the", "a", "an", "of", "units", "unit", "total", "more", "less", "fewer", "additional", "extra",
             "new", "different", "other", "type", "types", "kind", "kinds", "each", "every"}


def _way(words: str) -> str:
    return ">=" if re.search(r"least|less|fewer|minimum", words, re.I) else "<="


def _words(phrase: str) -> set[str]:
    return {stem(w) for w in re.split(r"[\s-]+", phrase.lower()) if w and w not in _NOT_PART}


def _one_decision(phrase: str, decisions: list[str]) -> str | None:
    """The one decision a noun phrase names best (most shared words), or None when none or several do."""
    words = _words(phrase)
    scored = [(len(words & name_words(d)), d) for d in decisions]
    best = max(s for s, _ in scored)
    hits = [d for s, d in scored if s == best]
    return hits[0] if best > 0 and len(hits) == 1 else None


def _counts_all(question: str, phrase: str, decisions: list[str]) -> bool:
    """Whether a count clause's noun ("300 light fixtures") is what every decision is a kind of: it names no
    decision, and the question asks "how many of each light" (or "how many lights") by a word of it."""
    words = _words(phrase)
    if not words or any(words & name_words(d) for d in decisions):
        return False
    asked = re.findall(r"\bhow\s+many\s+(?:of\s+each\s+(?:type\s+of\s+|kind\s+of\s+)?)?([a-z-]+)", question, re.I)
    return any(stem(a.lower()) in words for a in asked)


def _names_alone(phrase: str, decisions: list[str]) -> str | None:
    """The decision a phrase is the name of ("carrier pigeons" -> ``carrier_pigeons``, "low-volume pipes" ->
    ``low_volume``), not a measure of ("hours of oven time") or a part of ("rye flour" beside ``rye_loaves``)."""
    part = _one_decision(phrase, decisions)
    if part is None:
        return None
    words, own = _words(phrase), name_words(part)
    return part if words <= own or own <= words else None


def _numbers(tree: ast.Module, weights: bool = True) -> set[float]:
    """The numbers the code uses; without ``weights``, leaving out those that only weigh a decision
    (``10 * shots``): a count clause's number there is not its bound."""
    from optolab.agents.program import unread_literals

    out: set[float] = set()
    unread = set(map(id, unread_literals(tree)))
    if not weights:
        unread |= set(map(id, weight_literals(tree, set(variable_names(tree)))))
    for n in ast.walk(tree):
        if id(n) in unread:
            continue
        if isinstance(n, ast.Constant) and isinstance(n.value, (int, float)) and not isinstance(n.value, bool):
            out.add(abs(float(n.value)))
        elif isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div) and all(
                isinstance(s, ast.Constant) and isinstance(s.value, (int, float)) for s in (n.left, n.right)) \
                and n.right.value:
            out.add(abs(n.left.value / n.right.value))
    return out


def _uses(numbers: set[float], value: float) -> bool:
    return any(abs(u - value) <= 1e-9 * max(1.0, value) for u in numbers)


def _decisions(tree: ast.Module) -> tuple[list[str], str, str] | None:
    """The plain decisions, the model object they hang on (``model``) and the Pyomo prefix (``pyo.``), or None
    when any decision is indexed or the code declares them some other way."""
    found, owners, prefixes = [], set(), set()
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call) and call_name(stmt.value) == "Var"):
            continue
        target = stmt.targets[0]
        if len(stmt.targets) != 1 or not isinstance(target, ast.Attribute) or stmt.value.args:
            return None
        found.append(target.attr)
        owners.add(ast.unparse(target.value))
        func = stmt.value.func
        prefixes.add(ast.unparse(func.value) + "." if isinstance(func, ast.Attribute) else "")
    indexed = any(isinstance(n, ast.Subscript) and base_name(n.value) in found for n in ast.walk(tree))
    if len(found) < 2 or len(owners) != 1 or len(prefixes) != 1 or indexed:
        return None
    return found, owners.pop(), prefixes.pop()


def missing_limits(question: str, code: str) -> list[tuple[str, str]]:
    """The constraints (``(expression, clause)``) that the text states and the code leaves out."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    shape = _decisions(tree)
    if shape is None:
        return []
    decisions, owner, _ = shape
    used = _numbers(tree)
    unweighted = _numbers(tree, weights=False)
    found: list[tuple[str, str]] = []
    for m in _SHARE.finditer(question):
        value = float(m.group("num"))
        share = value / 100
        # 70 weighing a decision ("70 customer interactions") is not the share "at least 70% of the shifts"
        if not 0 < share < 1 or any(_uses(used, v) for v in (share, 1 - share)) \
                or any(_uses(unweighted, v) for v in (value, 100 - value)):
            continue
        group = _words(m.group("group"))
        in_group = [d for d in decisions if group & name_words(d)]
        part = _names_alone(m.group("part"), decisions)
        if part is None or in_group and len(in_group) != len(decisions):
            continue
        whole = " + ".join(f"{owner}.{d}" for d in decisions)
        found.append((f"{owner}.{part} {_way(m.group('way'))} {share:g} * ({whole})", m.group(0)))
    for m in [*_COUNT.finditer(question), *_COUNT_BE.finditer(question)]:
        value = float(m.group("num"))
        if _uses(unweighted, value) or re.match(r"\s*(?:%|percent\b|per\s+cent\b)", question[m.end("num"):], re.I):
            continue
        part = _names_alone(m.group("part"), decisions)
        if part is None:
            if _counts_all(question, m.group("part"), decisions):  # "at least 300 light fixtures" in all
                found.append((f"{' + '.join(f'{owner}.{d}' for d in decisions)} {_way(m.group('way'))} {value:g}",
                              m.group(0)))
            continue
        found.append((f"{owner}.{part} {_way(m.group('way'))} {value:g}", m.group(0)))
    for m in _BUDGET.finditer(question):
        value = float(m.group("num").replace(",", ""))
        if not _uses(used, value) and not integer_variables(tree):  # amounts of money are not integer
            found.append((f"{' + '.join(f'{owner}.{d}' for d in decisions)} <= {value:g}", m.group(0)))
    for m, first, second in _listed(question, decisions):
        for num, part in ((m.group("n1"), first), (m.group("n2"), second)):
            if not _uses(used, float(num)):
                found.append((f"{owner}.{part} {_way(m.group('way'))} {float(num):g}", m.group(0)))
    for m in _SHARED.finditer(question):
        value = float(m.group("num").replace(",", ""))
        asks = re.search(r"\bhow\s+many\s+" + re.escape(m.group("unit")) + r"\b", question, re.I)
        items = [p for p in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", m.group("list")) if p.strip()]
        named = {_names_alone(p, decisions) for p in items}
        if asks and not _uses(used, value) and len(items) == len(decisions) and named == set(decisions):
            found.append((f"{' + '.join(f'{owner}.{d}' for d in decisions)} <= {value:g}", m.group(0)))
    found += _shared_caps(question, tree, decisions, owner)
    found += _multiples(question, tree, decisions, owner)
    return list(dict.fromkeys(found))


# words that make a ratio a requirement: "the manufacturer aims to have five times as many mechanical ..."
_WANT = re.compile(r"\b(?:must|should|has\s+to|have\s+to|needs?\s+to|wants?\s+to|aims?\s+to|plans?\s+to|would\s+like|"
                   r"requires?|required|at\s+least|at\s+most|no\s+(?:more|less|fewer)\s+than|ensure|there\s+(?:are|is)|"
                   r"decided?\s+to|policy|rule)\b", re.I)
_RATE_AFTER = re.compile(r"\s*(?:per|each|every|an?\s+(?:hour|day|week|minute|month))\b", re.I)


def _multiples(question: str, tree: ast.Module, decisions: list[str], owner: str) -> list[tuple[str, str]]:
    """"Five times as many mechanical than standard keyboards" where no row of the code sets the two decisions
    against each other (one on each side of a comparison): ``mechanical == 5 * standard``, or ``>=`` / ``<=``
    under "at least" / "at most" just before. A ratio with a loose word ("about", "up to") is left alone."""
    from optolab.agents.multiple_relations import LOOSE, NUMBER_OF, stated_multiples
    from optolab.agents.relation_core import constants_in, qualifier_of, refs_in, relations

    rels = relations(tree, decisions)
    found: list[tuple[str, str]] = []
    for m, pattern, factor, big_phrase, small_phrase in stated_multiples(question):
        big, small = _names_alone(big_phrase, decisions), _names_alone(small_phrase, decisions)
        if big is None or small is None or big == small:
            continue
        if any({r.base for r in rel.left_refs} & {big, small} and {r.base for r in rel.right_refs} & {big, small}
               for rel in rels):
            continue  # some row already relates the two: the relation checks judge its form
        if any({r.base for r in refs_in(c, set(decisions))} == {big, small} and factor in constants_in(c)
               and constants_in(c) <= {factor, -factor, 0.0, 1.0} for c in ast.walk(tree) if isinstance(c, ast.Compare)):
            continue  # ... or states it moved to one side: `x - 5 * y >= 0` (not a resource row `5 * x + 2 * y <= 1000`)
        clause = question[clause_span(question, m.start(), m.end(), ".;:!?")[0]: m.start()]
        # a requirement on the decisions, not a rate ("a machine makes twice as many chairs as tables per hour")
        if pattern is not NUMBER_OF and (not _WANT.search(clause) or _RATE_AFTER.match(question[m.end():])):
            continue
        kind = qualifier_of(clause[-40:] + (m.group(0) if pattern is NUMBER_OF else ""))
        if kind is None and (LOOSE.search(clause) or LOOSE.search(m.group(0))
                             or re.match(r"\s*or\s+(?:more|less|fewer)\b", question[m.end():], re.I)):
            continue
        op = {"lower": ">=", "upper": "<="}.get(kind or "", "==")
        found.append((f"{owner}.{big} {op} {factor:g} * {owner}.{small}", m.group(0)))
    return found


def _listed(question: str, decisions: list[str]):
    """Each "at most N1 A and N2 B" whose two nouns name two different decisions, with those decisions."""
    for m in _LISTED.finditer(question):
        if any(re.match(r"(?:on|in|at|for|by|per|during|from|to|of|each|every)\b", m.group(g), re.I)
               for g in ("p1", "p2")):
            continue  # "17 drivers on Monday, 13 on Tuesday": a requirement per period, not a cap on a decision
        first, second = _names_alone(m.group("p1"), decisions), _names_alone(m.group("p2"), decisions)
        if first is not None and second is not None and first != second:
            yield m, first, second


def _merged_lists(question: str, tree: ast.Module, decisions: list[str], owner: str):
    """"At most 150 desk lamps and 180 night lamps" written as ``desk_lamps + night_lamps <= 150`` with 180 used
    nowhere: the row with what it should say (``desk_lamps <= 150``; the other cap is added as missing)."""
    used = _numbers(tree)
    out = []
    for m, first, second in _listed(question, decisions):
        n1, n2 = float(m.group("n1")), float(m.group("n2"))
        if _uses(used, n2):
            continue
        way = _way(m.group("way"))
        for n in ast.walk(tree):
            if not (isinstance(n, ast.Compare) and len(n.ops) == 1 and isinstance(n.ops[0], (ast.LtE, ast.GtE))):
                continue
            for side, const, op in ((n.left, n.comparators[0], n.ops[0]), (n.comparators[0], n.left, None)):
                if not (isinstance(const, ast.Constant) and isinstance(const.value, (int, float))
                        and float(const.value) == n1):
                    continue
                if op is None:
                    op = ast.GtE() if isinstance(n.ops[0], ast.LtE) else ast.LtE()
                if (">=" if isinstance(op, ast.GtE) else "<=") != way or not _plain_sum(side, {first, second}):
                    continue
                out.append((n, f"{owner}.{first} {way} {n1:g}", m.group(0)))
    return out


def _plain_sum(node: ast.AST, names: set[str]) -> bool:
    """``a + b`` (``model.a + model.b``) over exactly ``names``, each once, with no coefficient."""
    terms = sum_terms(node)
    return (all(isinstance(t, (ast.Name, ast.Attribute)) for t in terms)
            and sorted(base_name(t) for t in terms) == sorted(names))


def _var_caps(tree: ast.Module) -> dict[str, float]:
    """The upper bound of each plain decision, from ``bounds=(lo, N)`` or a constraint ``x <= N``."""
    caps: dict[str, float] = {}
    for n in ast.walk(tree):
        if isinstance(n, ast.Assign) and call_name(n.value) == "Var" and isinstance(n.targets[0], ast.Attribute):
            for kw in n.value.keywords:
                if kw.arg == "bounds" and isinstance(kw.value, ast.Tuple) and len(kw.value.elts) == 2:
                    hi = kw.value.elts[1]
                    if isinstance(hi, ast.Constant) and isinstance(hi.value, (int, float)):
                        caps[n.targets[0].attr] = float(hi.value)
        elif isinstance(n, ast.Compare) and len(n.ops) == 1 and isinstance(n.ops[0], ast.LtE) \
                and isinstance(n.left, (ast.Name, ast.Attribute)) and isinstance(n.comparators[0], ast.Constant) \
                and isinstance(n.comparators[0].value, (int, float)):
            caps.setdefault(base_name(n.left), float(n.comparators[0].value))
    return caps


def _shared_caps(question: str, tree: ast.Module, decisions: list[str], owner: str) -> list[tuple[str, str]]:
    """"A farmer has 140 hectares available to grow tomatoes and potatoes" written as ``bounds=(0, 140)`` on each
    crop and no sum: the land is shared, so the sum of the decisions is at most 140."""
    caps = _var_caps(tree)
    values = {caps.get(d) for d in decisions}
    if len(values) != 1 or None in values:
        return []
    value = values.pop()
    mentions = mentions_of(question, value)
    if len(mentions) != 1 or bound_words(question, value)[0] != "upper":
        return []
    clause = re.split(r"[.;]", question[mentions[0].start():])[0]
    if re.search(r"\b(?:each|every|per|apiece)\b", clause, re.I):
        return []  # "50 acres for each crop": a cap per decision after all
    noun = re.split(r"\s+(?:can|could|must|should|may|will|is|are|of|to|for|available|in|on|at)\b|[,:]",
                    question[mentions[0].end(1):mentions[0].end(1) + 60], maxsplit=1, flags=re.I)[0]
    if _names_alone(noun, decisions) is not None:
        return []  # "at most 12 junior shifts can be filled": the cap of one decision, given to the other too
    for n in ast.walk(tree):  # a row that already sums decisions against the number
        if isinstance(n, ast.Compare) and len({base_name(x) for x in ast.walk(n) if base_name(x) in decisions}) > 1 \
                and value in {float(c.value) for c in ast.walk(n) if isinstance(c, ast.Constant)
                              and isinstance(c.value, (int, float))}:
            return []
    return [(f"{' + '.join(f'{owner}.{d}' for d in decisions)} <= {value:g}", clause.strip())]


def add_missing_limits(code: str, question: str):
    """Model code that leaves out a limit the text states plainly (see the module's description): the code
    with that constraint added (a :class:`optolab.agents.program.Program` saying what was added), or None."""
    from optolab.agents.program import Program

    try:
        tree = ast.parse(code)
        shape = _decisions(tree)
        limits = missing_limits(question, code)
        merged = _merged_lists(question, tree, shape[0], shape[1]) if shape else []
    except Exception:  # noqa: BLE001 - a heuristic fix that trips leaves the code as it was
        return None
    if shape is None or not limits and not merged:
        return None
    _, owner, prefix = shape
    taken = {t.attr for n in ast.walk(tree) if isinstance(n, ast.Assign) for t in n.targets
             if isinstance(t, ast.Attribute)}
    changes = []
    for node, expr, clause in merged:
        before = ast.unparse(node)
        new = ast.parse(expr, mode="eval").body
        node.left, node.ops, node.comparators = new.left, new.ops, new.comparators
        changes.append(f"`{before}` turned into `{expr}`: the text says \"{' '.join(clause.split())}\", a cap on "
                       "each, not on their sum")
    lines = [(ast.unparse(tree) if merged else code).rstrip("\n")]
    for k, (expr, clause) in enumerate(limits, 1):
        name = f"text_limit_{k}"
        while name in taken:
            name += "_"
        lines.append(f"{owner}.{name} = {prefix}Constraint(expr={expr})")
        changes.append(f"added `{expr}`: the text says \"{' '.join(clause.split())}\" and no row of the code "
                       "states it")
    return Program("\n".join(lines) + "\n", changes)
