"""Relations the text states between decisions, read against the model code.

Slips of small models that the NL4OPT and OptiBench trails show again and again, each producing a
model that solves to a wrong optimum (or none), so no solver status reveals them:

- a share of a total ("at most 60% of the vehicles can be vans") written against one other
  decision (``vans <= 0.6 * cars``) instead of the total (``vans <= 0.6 * (vans + cars)``);
- "at least twice as many cars as vans" flipped into ``vans >= 2 * cars``;
- "a total of at least 60,000 square feet" written as ``hardwood + vinyl <= 60000``.

The checks fire only when the phrase is in the text and a constraint of the code has exactly
the wrong shape, so a model that is right in another form (``0.4 * vans <= 0.6 * cars``, an
auxiliary ``total`` variable) is left alone.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from optolab.agents.arith import arith
from optolab.agents.checks import clause_span, mentions_of, name_words, spelled_numbers, stem
from optolab.agents.codeast import base_name, top_level_assignments, var_bounds

SHARE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent\b)\s+of\s+(?:the\s+|all\s+(?:the\s+)?|its\s+|their\s+|his\s+|"
                    r"her\s+)?(?:total\s+)?(?:number\s+of\s+|amount\s+of\s+)?([a-z]+)", re.I)
# what a share is of: "... of the pills should be (the) sleeping pills"
_SUBJECT = re.compile(r"\s+(?:\w+\s+){0,2}?(?:can|should|must|may|will|are|is|has\s+to|have\s+to|need\s+to)\s+be\s+"
                      r"(?:made\s+(?:up\s+)?(?:of|by)\s+|by\s+|from\s+)?(?:the\s+)?((?:[a-z-]+\s*){1,3})", re.I)
_TIMES = r"(twice|double|thrice|two times|three times|four times|five times|half|(\d+(?:\.\d+)?)\s*times)"
_WORDS = {"twice": 2.0, "double": 2.0, "thrice": 3.0, "two times": 2.0, "three times": 3.0, "four times": 4.0,
          "five times": 5.0, "half": 0.5}
_NOUN = r"([a-z]+(?:\s+[a-z]+){0,2}?)"
# "at least twice as many cars as vans": cars >= 2 * vans; also "twice the amount of X as (to that of) Y",
# "two times as many X than Y"
_AS_MANY = re.compile(_TIMES + r"\s+(?:as\s+(?:many|much)|more|the\s+(?:amount|number|quantity)\s+of)\s+" + _NOUN
                      # "two times as many large pizzas should be made than medium pizzas"
                      + r"(?:\s+(?:should|must|can|will|need\s+to|has\s+to|have\s+to)\s+be\s+[a-z]+)?"
                      + r"\s+(?:as|than|to\s+that\s+of|compared\s+to)\s+(?:the\s+)?(?:number\s+of\s+|amount\s+of\s+)?"
                      + _NOUN, re.I)
# "the number of cars must be at least three times the number of vans"
_VERB = r"(?:(?:must|should|can|cannot|will|is|are|be|at|least|most|no|not|more|less|fewer|than|exactly|equal|to)\s+){1,5}"
NUMBER_OF = re.compile(r"number\s+of\s+" + _NOUN + r"\s+" + _VERB + _TIMES +
                        r"\s+(?:the\s+number\s+of|that\s+of|the\s+amount\s+of|as\s+many\s+as|the)\s+" + _NOUN, re.I)
# "you must produce 4 chairs for every table": chairs == 4 * tables
_FOR_EVERY = re.compile(r"(?<![\w$.,])(\d+(?:\.\d+)?|two|three|four|five|six|seven|eight|nine|ten)\s+" + _NOUN
                        + r"\s+for\s+(?:every|each)\s+(?:one\s+|single\s+)?" + _NOUN + r"\b", re.I)
# "the number of trips by van must be larger than the number of trips by truck": van >= truck
_MORE_THAN = re.compile(r"number\s+(?:of\s+)?([a-z]+(?:\s+[a-z]+){0,4}?)\s+(?:must|should|has\s+to|have\s+to|"
                        r"needs?\s+to|is|are|will|can)\s+(?:be\s+|not\s+be\s+)?(?:strictly\s+)?"
                        r"(larger|greater|more|higher|bigger|less|fewer|smaller|lower)\s+than\s+(?:that\s+of\s+|"
                        r"those\s+of\s+|the\s+(?:number|amount)\s+of\s+|the\s+)?([a-z]+(?:\s+[a-z]+){0,4})", re.I)
# "the student must take more calcium pills than vitamin D pills": calcium >= vitamin_d
_MORE_X_THAN_Y = re.compile(r"\b(?:must|should|has\s+to|have\s+to|needs?\s+to|wants?\s+to)\s+(?:\w+\s+)?"
                            r"(more|fewer|less)\s+([a-z]+(?:\s+[a-z]+){0,3}?)\s+than\s+(?:the\s+)?"
                            r"([a-z]+(?:\s+[a-z]+){0,3})", re.I)
_SKIP = {"the", "of", "a", "an", "number", "amount", "total", "many", "much", "as", "than", "be", "is", "are",
         "must", "should", "can", "at", "least", "most"}
_OPS = (ast.LtE, ast.GtE, ast.Eq, ast.Lt, ast.Gt)
_MIRROR = {"<=": ">=", ">=": "<=", "<": ">", ">": "<", "==": "=="}


@dataclass(frozen=True)
class Ref:
    """One mention of a decision variable: ``vans``, ``x['vans']`` (index ``vans``) or ``x[i]`` (index ``*``)."""

    base: str
    index: str | None = None

    def words(self) -> set[str]:
        return name_words(self.base) | (name_words(self.index) if self.index else set())

    def overlaps(self, other: "Ref") -> bool:
        return self.base == other.base and (self.index is None or other.index is None or "*" in (self.index, other.index)
                                            or self.index == other.index)

    def __str__(self) -> str:
        return self.base if self.index is None else f"{self.base}[{self.index}]"


def refs_in(node: ast.AST, variables: set[str]) -> list[Ref]:
    out: list[Ref] = []
    seen_inner: set[int] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Subscript) and base_name(n.value) in variables:
            idx = n.slice
            index = str(idx.value) if isinstance(idx, ast.Constant) else "*"
            out.append(Ref(base_name(n.value), index))
            seen_inner.add(id(n.value))
        elif isinstance(n, (ast.Name, ast.Attribute)) and id(n) not in seen_inner and base_name(n) in variables:
            if isinstance(n, ast.Attribute) or isinstance(n.ctx, ast.Load):
                out.append(Ref(base_name(n)))
    return out


def constants_in(node: ast.AST) -> set[float]:
    """The numbers of an expression, with ``60 / 100`` and ``60 * 0.01`` also read as 0.6."""
    out: set[float] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Constant) and isinstance(n.value, (int, float)) and not isinstance(n.value, bool):
            out.add(round(float(n.value), 9))
        elif isinstance(n, ast.BinOp) and isinstance(n.left, ast.Constant) and isinstance(n.right, ast.Constant):
            a, b = n.left.value, n.right.value
            if isinstance(a, (int, float)) and isinstance(b, (int, float)):
                if isinstance(n.op, ast.Div) and b:
                    out.add(round(a / b, 9))
                elif isinstance(n.op, ast.Mult):
                    out.add(round(a * b, 9))
    return out


@dataclass
class Relation:
    """A two-sided comparison of the code whose both sides mention decisions."""

    left: ast.AST
    right: ast.AST
    left_refs: list[Ref]
    right_refs: list[Ref]
    op: str  # "<=", ">=", "==", "<", ">"
    source: str
    node: ast.Compare | None = None


def _tree(code: str | ast.AST) -> ast.AST | None:
    if isinstance(code, ast.AST):
        return code
    try:
        return ast.parse(code)
    except SyntaxError:
        return None


def relations(code: str | ast.AST, variables: list[str]) -> list[Relation]:
    tree = _tree(code)
    if tree is None:
        return []
    names = set(variables)
    out = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Compare) and len(n.ops) == 1 and isinstance(n.ops[0], _OPS):
            left, right = refs_in(n.left, names), refs_in(n.comparators[0], names)
            if left and right:
                op = ast.unparse(ast.Compare(ast.Name("a"), n.ops, [ast.Name("b")])).split()[1]
                out.append(Relation(n.left, n.comparators[0], left, right, op, ast.unparse(n), n))
    return out


def _disjoint(a: list[Ref], b: list[Ref]) -> bool:
    return not any(x.overlaps(y) for x in a for y in b)


def phrase_refs(phrase: str, refs: list[Ref]) -> list[Ref]:
    """The refs that a noun phrase ("large trucks") names best, by shared word stems."""
    words = {stem(w) for w in re.split(r"[^a-z0-9]+", phrase.lower()) if w and w not in _SKIP}  # "full-time"
    scored = [(len(words & r.words()), r) for r in refs]
    best = max((s for s, _ in scored), default=0)
    return [r for s, r in scored if s == best and best > 0]


def share_findings(question: str, code: str | ast.AST, variables: list[str]) -> list[str]:
    """"60% of the vehicles" (a group no single decision is named after) written against one other decision."""
    return list(dict.fromkeys(issue.text for issue in _share_issues(question, code, variables)))


@dataclass
class _ShareIssue:
    rel: Relation
    share: float
    side_is_right: bool  # the side with the share
    text: str
    whole: str | None = None  # a lone share (``high <= 0.4``): the sum of every decision it is a share of


def _share_issues(question: str, code: str | ast.AST, variables: list[str]) -> list[_ShareIssue]:
    rels = relations(code, variables)
    every = {Ref(v) for v in variables} | {r for rel in rels for r in rel.left_refs + rel.right_refs}
    found: list[_ShareIssue] = []
    for m in SHARE.finditer(question):
        share = round(float(m.group(1)) / 100, 9)
        if not 0 < share < 1:
            continue
        noun = stem(m.group(2))
        named = {str(r) for r in every if noun in r.words()}
        subject = _SUBJECT.match(question, m.end())
        part = {str(r) for r in phrase_refs(subject.group(1), list(every))} if subject else set()
        # "60% of the cars": a share of one decision, not of a total; but in "70% of the pills should be
        # sleeping pills" the group's noun names the part too, and the group is all the pills
        if len(named) == 1 and part != named:
            continue
        for rel in rels:
            for side, other, side_refs, other_refs in ((rel.right, rel.left, rel.right_refs, rel.left_refs),
                                                       (rel.left, rel.right, rel.left_refs, rel.right_refs)):
                consts = constants_in(side)
                if share not in consts or share in constants_in(other) or not _disjoint(side_refs, other_refs):
                    continue
                if round(1 - share, 9) in consts | constants_in(other):  # rearranged: 0.4*a >= 0.6*b
                    continue
                whole = " + ".join(dict.fromkeys(str(r) for r in other_refs + side_refs))
                op = rel.op if other is rel.left else _MIRROR[rel.op]
                mine = ", ".join(dict.fromkeys(map(str, other_refs)))
                found.append(_ShareIssue(rel, share, side is rel.right,
                                         f"\"{m.group(0).strip()}\" is a share of a total, but `{rel.source}` "
                                         f"compares {mine} with {share:g} times "
                                         f"{', '.join(dict.fromkeys(map(str, side_refs)))} only. The total includes "
                                         f"{mine} too: write it against the sum, e.g. `{other_refs[0]} {op} "
                                         f"{share:g} * ({whole})`."))
                break
        if subject and len(part) == 1 and (len(named) != 1 or part == named):
            found += _lone_shares(question, m, share, next(iter(part)), code, variables)
    return found


def _share_direction_issues(question: str, code: str | ast.AST,
                            variables: list[str]) -> list[tuple[ast.Compare, ast.Compare, str]]:
    """A share already written against the total, ``bikes >= 0.3 * (bikes + scooters)``, with the inequality the
    other way from the text ("at most 30% of the vehicles can be bikes"), or with the complement (``bikes <= 0.7 *
    (...)``): each comparison with the one to put in its place."""
    rels = relations(code, variables)
    every = {Ref(v) for v in variables} | {r for rel in rels for r in rel.left_refs + rel.right_refs}
    found: list[tuple[ast.Compare, ast.Compare, str]] = []
    for m in SHARE.finditer(question):
        share = round(float(m.group(1)) / 100, 9)
        kind = qualifier_of(question[max(0, m.start() - 30): m.start()])
        subject = _SUBJECT.match(question, m.end())
        if not 0 < share < 1 or kind is None or subject is None:
            continue
        part = phrase_refs(subject.group(1), list(every))
        if len(part) != 1:
            continue
        want = ">=" if kind == "lower" else "<="
        for rel in rels:
            for lone, lone_refs, whole, whole_refs in ((rel.left, rel.left_refs, rel.right, rel.right_refs),
                                                       (rel.right, rel.right_refs, rel.left, rel.left_refs)):
                if lone_refs != part or len(whole_refs) < 2 or part[0] not in whole_refs \
                        or not isinstance(lone, (ast.Name, ast.Attribute, ast.Subscript)) \
                        or not (isinstance(whole, ast.BinOp) and isinstance(whole.op, ast.Mult)):
                    continue
                factor = [n for n in (whole.left, whole.right) if not refs_in(n, set(variables))]
                total = [n for n in (whole.left, whole.right) if refs_in(n, set(variables))]
                value = arith(factor[0]) if len(factor) == 1 and len(total) == 1 else None
                if value is None:
                    continue
                op = rel.op if lone is rel.left else _MIRROR[rel.op]  # part OP factor * total
                complement = abs(value - (1 - share)) < 1e-9 and abs(share - 0.5) > 1e-9
                if not (complement or abs(value - share) < 1e-9 and op in ("<=", ">=") and op != want):
                    continue
                new = ast.parse(f"{ast.unparse(lone)} {want} {share:g} * ({ast.unparse(total[0])})",
                                mode="eval").body
                found.append((rel.node, new, f"\"{kind == 'lower' and 'at least' or 'at most'} {m.group(0).strip()}\" "
                                             f"means `{ast.unparse(new)}`"))
                break
    return found



# "the number of cucumbers is at most a third of the number of carrots", "the money in apartments must be at
# least a half as much as that in townhouses": one decision against a fraction of another
_FRACTION_WORDS = {"half": (1, 2), "third": (1, 3), "quarter": (1, 4), "fourth": (1, 4), "fifth": (1, 5),
                   "two thirds": (2, 3), "three quarters": (3, 4), "three fourths": (3, 4)}
_FRACTION = re.compile(r"\b(?P<q>at\s+least|at\s+most|no\s+more\s+than|no\s+less\s+than|not\s+more\s+than|"
                       r"not\s+less\s+than|a\s+(?:minimum|maximum)\s+of|up\s+to)\s+(?:a\s+|one[\s-])?"
                       r"(?P<f>half|third|quarter|fourth|fifth|two[\s-]thirds|three[\s-]quarters|three[\s-]fourths)"
                       r"(?:\s+(?:as\s+(?:many|much)\s+as|of))?\s+(?:that\s+(?:in|of|for)\s+|those\s+(?:in|of|for)\s+|"
                       r"the\s+(?:number|amount|quantity)\s+(?:of|to)\s+|the\s+)?(?P<other>[a-z]+(?:\s+[a-z]+){0,3})",
                       re.I)
_CLAUSE_START = re.compile(r".*(?:[.;:!?]\s|,\s|\bthat\s)", re.I | re.S)


def _linear_pair(node: ast.Compare, a: str, b: str, known: dict[str, float]) -> tuple[float, float] | None:
    """``(ca, cb)`` when the comparison reads ``ca * a + cb * b >= 0`` (sides moved over, ``<=`` turned round);
    None when it is not linear in ``a`` and ``b`` alone, has a constant term, or is an equality."""
    op = node.ops[0]
    if not isinstance(op, (ast.GtE, ast.Gt, ast.LtE, ast.Lt)):
        return None
    diff = ast.BinOp(node.left, ast.Sub(), node.comparators[0])

    def at(x: float, y: float) -> float | None:
        return arith(diff, {**known, a: x, b: y})

    points = [at(0, 0), at(1, 0), at(0, 1), at(2, 3)]
    if any(v is None for v in points):
        return None
    c0, ca, cb = points[0], points[1] - points[0], points[2] - points[0]
    if abs(c0) > 1e-9 or abs(points[3] - (2 * ca + 3 * cb)) > 1e-6 * (1 + abs(points[3])):
        return None
    sign = 1.0 if isinstance(op, (ast.GtE, ast.Gt)) else -1.0
    return sign * ca, sign * cb


def _fraction_issues(question: str, code: str | ast.AST,
                     variables: list[str]) -> list[tuple[ast.Compare, ast.Compare, str]]:
    """"A at most a third of B" where the code's one comparison of A with B says something else (``A <= 3/4 * B``,
    ``A >= 0.5 * (A + B)``): each comparison with ``A <= 1 / 3 * B`` to put in its place. Only plain decisions,
    only when both phrases name exactly one decision each and the code compares the two exactly once."""
    tree = _tree(code)
    if tree is None:
        return []
    scalar = [v for v in variables if not any(isinstance(n, ast.Subscript) and base_name(n.value) == v
                                               for n in ast.walk(tree))]
    known = constant_values(tree)
    every = [Ref(v) for v in scalar]
    rels = relations(tree, variables)
    found: list[tuple[ast.Compare, ast.Compare, str]] = []
    for m in _FRACTION.finditer(question):
        clause = question[:m.start()]
        start = _CLAUSE_START.match(clause)
        subject = clause[start.end() if start else 0:]
        other = re.split(r"\s+(?:and|but|or|while|whereas|so|because|since|if|than|must|should|is|are|sold|made|"
                         r"produced|each|per|every)\b", " " + m.group("other"), maxsplit=1, flags=re.I)[0]
        part, whole = phrase_refs(subject, every), phrase_refs(other, every)
        if len(part) != 1 or len(whole) != 1 or part == whole:
            continue
        a, b = part[0].base, whole[0].base
        pair = [r for r in rels if {x.base for x in r.left_refs + r.right_refs} == {a, b}
                and all(x.index is None for x in r.left_refs + r.right_refs)]
        if len(pair) != 1 or pair[0].node is None:
            continue
        num, den = _FRACTION_WORDS[re.sub(r"[\s-]+", " ", m.group("f").lower())]
        lower = re.search(r"least|less|minimum", m.group("q"), re.I) is not None
        want = (1.0, -num / den) if lower else (-1.0, num / den)  # a - f * b >= 0, or f * b - a >= 0
        have = _linear_pair(pair[0].node, a, b, known)
        if have is not None and abs(have[0] * want[1] - have[1] * want[0]) < 1e-9 * (1 + abs(have[0]) + abs(have[1])) \
                and have[0] * want[0] + have[1] * want[1] > 0:
            continue  # already says the same, in some other form
        names = {base_name(n): n for n in ast.walk(pair[0].node) if isinstance(n, (ast.Name, ast.Attribute))
                 and base_name(n) in (a, b)}
        unread = {n.id for n in ast.walk(pair[0].node) if isinstance(n, ast.Name)} - {a, b} - set(known)
        if a not in names or b not in names or unread - {"model", "pyo"}:
            continue  # names the code may not define: leave it to the checks that run it
        fraction = f"{num / den:g}" if den in (2, 4, 5) else f"{num} / {den}"
        new = ast.parse(f"{ast.unparse(names[a])} {'>=' if lower else '<='} {fraction} * {ast.unparse(names[b])}",
                        mode="eval").body
        found.append((pair[0].node, new, f"\"{' '.join(m.group(0).split())}\" means `{ast.unparse(new)}`"))
    return found

def _lone_shares(question: str, m: re.Match, share: float, part: str, code: str | ast.AST,
                 variables: list[str]) -> list[_ShareIssue]:
    """"at most 40% of the drills can be high intensity" written as ``high <= 0.4`` (or ``<= 40 / 100``, ``<=
    40``): the share bounds the one decision by the number alone, where it is a share of every decision."""
    tree = _tree(code)
    scalars = [v for v in variables if not any(isinstance(n, ast.Subscript) and base_name(n.value) == v
                                               for n in ast.walk(tree))] if tree is not None else []
    if part not in scalars or len(scalars) < 2 or len(scalars) != len(variables):
        return []
    found = []
    for n in ast.walk(tree):
        if not (isinstance(n, ast.Compare) and len(n.ops) == 1 and isinstance(n.ops[0], (ast.LtE, ast.GtE))):
            continue
        for lone, number, is_right in ((n.left, n.comparators[0], True), (n.comparators[0], n.left, False)):
            value = arith(number) if not refs_in(number, set(variables)) else None
            if [str(r) for r in refs_in(lone, set(variables))] != [part] or not isinstance(lone, (ast.Name, ast.Attribute)) \
                    or value is None or round(value, 9) not in (share, round(share * 100, 9)):
                continue
            whole = " + ".join(_written_like(lone, v, tree) for v in scalars)
            op = ast.unparse(ast.Compare(ast.Name("a"), n.ops, [ast.Name("b")])).split()[1]
            op = op if is_right else _MIRROR[op]
            rel = Relation(lone, number, [Ref(part)], [], op, ast.unparse(n), n)
            found.append(_ShareIssue(rel, share, is_right,
                                     f"\"{m.group(0).strip()}\" is a share of a total, but `{rel.source}` bounds "
                                     f"{part} by the number {value:g} alone. Write it against the sum of the "
                                     f"decisions, e.g. `{ast.unparse(lone)} {op} {share:g} * ({whole})`.", whole))
            break
    return found


def _written_like(lone: ast.AST, name: str, tree: ast.AST) -> str:
    """Decision ``name`` written the way ``lone`` is: ``model.x`` beside ``model.high``, ``x`` beside a bare
    ``high`` when the code binds ``x`` itself (``x = model.x``), else ``model.x``."""
    if isinstance(lone, ast.Attribute):
        return f"{ast.unparse(lone.value)}.{name}"
    bound = {t.id for a in ast.walk(tree) if isinstance(a, ast.Assign) for t in a.targets if isinstance(t, ast.Name)}
    return name if name in bound else f"model.{name}"


def _rewrite_share(issue: _ShareIssue) -> bool:
    """``vans <= 0.6 * cars`` -> ``vans <= 0.6 * (vans + cars)``, and a lone ``vans <= 0.6`` -> ``vans <= 0.6 *
    (vans + cars)``, in place; False for other shapes."""
    node = issue.rel.node

    def put(expr: str) -> bool:
        new = ast.parse(expr, mode="eval").body
        if issue.side_is_right:
            node.comparators = [new]
        else:
            node.left = new
        return True

    if issue.whole is not None:
        return put(f"{issue.share:g} * ({issue.whole})")
    side, other = (node.comparators[0], node.left) if issue.side_is_right else (node.left, node.comparators[0])
    if not isinstance(other, (ast.Name, ast.Attribute, ast.Subscript)) or not isinstance(side, ast.BinOp) \
            or not isinstance(side.op, ast.Mult):
        return False
    for factor, rest in ((side.left, side.right), (side.right, side.left)):
        value = arith(factor) if not any(isinstance(n, (ast.Name, ast.Attribute, ast.Call))
                                                   for n in ast.walk(factor)) else None
        if value is not None and abs(value - issue.share) < 1e-9:
            return put(f"{issue.share:g} * ({ast.unparse(other)} + {ast.unparse(rest)})")
    return False


_QUALIFIER_START = re.compile(r"\b(?:at\s+(?:least|most)|no\s+(?:more|less|fewer)\s+than|not\s+(?:more|less|fewer)"
                              r"\s+than|a\s+(?:minimum|maximum)\s+of|up\s+to)\b", re.I)


def qualifier_of(text: str) -> str | None:
    """"lower" for the last "at least" / "no less than" in ``text``, "upper" for "at most" / "no more than"."""
    last = None
    for m in _QUALIFIER_START.finditer(text):
        last = m.group(0).lower()
    if last is None:
        return None
    return "lower" if re.search(r"least|less|fewer|minimum", last) else "upper"


def multiple_findings(question: str, code: str | ast.AST, variables: list[str]) -> list[str]:
    """"At least twice as many cars as vans" written as ``vans >= 2 * cars`` (the factor on the wrong side)
    or as ``cars <= 2 * vans`` (the inequality the wrong way round)."""
    return list(dict.fromkeys(text for _, text, _ in _multiple_issues(question, code, variables)))


def stated_multiples(question: str):
    """Each multiple the text states between two things, "twice as many cars as vans" or "the number of cars
    must be three times the number of vans": (the match, its pattern, the factor, the larger thing's phrase,
    the smaller thing's phrase)."""
    for pattern, times_at, big_at, small_at in ((_AS_MANY, 1, 3, 4), (NUMBER_OF, 2, 1, 4)):
        for m in pattern.finditer(question):
            factor = _WORDS.get(m.group(times_at).lower()) or float(m.group(times_at + 1))
            yield m, pattern, factor, m.group(big_at), m.group(small_at)
    for m in _FOR_EVERY.finditer(question):
        word = m.group(1)
        factor = float(word) if word[0].isdigit() else spelled_numbers(word)[0]
        if factor > 1:  # "1 supervisor for every 10 workers" says the opposite way round: left to the model
            yield m, _FOR_EVERY, factor, m.group(2), m.group(3)


def _multiple_issues(question: str, code: str | ast.AST,
                     variables: list[str]) -> list[tuple[ast.Compare | None, str, ast.Compare | None]]:
    """Each slip with the comparison to fix: flipped when the third item is None, else replaced by it (a
    factor on the wrong side, or an equality where the text says "at least"); no comparison when the
    shape does not say what the fix is."""
    rels = relations(code, variables)
    if not rels:
        return []
    found: list[tuple[ast.Compare | None, str, ast.Compare | None]] = []
    for m, pattern, factor, big_phrase, small_phrase in stated_multiples(question):
        for rel in rels:
            for side, other, side_refs, other_refs in ((rel.right, rel.left, rel.right_refs, rel.left_refs),
                                                       (rel.left, rel.right, rel.left_refs, rel.right_refs)):
                if factor not in constants_in(side) or factor in constants_in(other):
                    continue
                if len(side_refs) != 1 or len(other_refs) != 1 or not _disjoint(side_refs, other_refs):
                    continue
                every = side_refs + other_refs
                big, small = phrase_refs(big_phrase, every), phrase_refs(small_phrase, every)
                kind = qualifier_of(question[max(0, m.start() - 30): m.start()] if pattern is not NUMBER_OF
                                  else m.group(0))
                want = {"lower": ">=", "upper": "<="}.get(kind or "")
                if big == side_refs and small == other_refs:  # the factor multiplies the larger group
                    big_node = _single_factor(side, factor)
                    new = None
                    # a plain ratio written as an equality swaps sides the same way: `table == 4 * chair` for
                    # "4 chairs for every table" is `chair == 4 * table`
                    plain = want is None and rel.op == "==" and isinstance(rel.node, ast.Compare)
                    if (want or plain) and big_node is not None \
                            and isinstance(other, (ast.Name, ast.Attribute, ast.Subscript)):
                        new = ast.Compare(big_node, [ast.Eq() if plain else ast.GtE() if want == ">=" else ast.LtE()],
                                          [ast.BinOp(ast.Constant(factor if factor % 1 else int(factor)),
                                                     ast.Mult(), other)])
                    found.append((rel.node if new is not None else None,
                                  f"\"{m.group(0).strip()}\" compares {big[0]} with {factor:g} times "
                                  f"{small[0]} (`{big[0]} ... {factor:g} * {small[0]}`), but "
                                  f"`{rel.source}` multiplies {big[0]} instead. Put the factor on "
                                  f"{small[0]}.", new))
                elif big == other_refs and small == side_refs:  # the factor is right: is the direction?
                    op = rel.op if other is rel.left else _MIRROR[rel.op]  # big OP factor * small
                    if want is None and op in (">=", "<=") and isinstance(rel.node, ast.Compare) \
                            and _stated_exactly(question, m):
                        new = ast.Compare(other, [ast.Eq()], [side])
                        found.append((rel.node, f"\"{m.group(0).strip()}\" states the ratio itself, with no "
                                                f"\"at least\" or \"at most\", but `{rel.source}` makes it a "
                                                f"bound; write `{big[0]} == {factor:g} * {small[0]}`.", new))
                    elif want and op == "==" and isinstance(rel.node, ast.Compare):  # "at least": not exactly
                        new = ast.Compare(other, [ast.GtE() if want == ">=" else ast.LtE()], [side])
                        found.append((rel.node, f"\"{m.group(0).strip()}\" is a bound, but `{rel.source}` "
                                                f"fixes {big[0]} at exactly {factor:g} times {small[0]}; write "
                                                f"`{big[0]} {want} {factor:g} * {small[0]}`.", new))
                    elif want and op in (">=", ">", "<=", "<") and op[0] != want[0]:
                        phrase = question[max(0, m.start() - 30): m.end()] if pattern is not NUMBER_OF \
                            else m.group(0)
                        phrase = phrase[_QUALIFIER_START.search(phrase).start():] if \
                            _QUALIFIER_START.search(phrase) else m.group(0)
                        found.append((rel.node, f"\"{phrase.strip()}\" means `{big[0]} {want} {factor:g} * "
                                                f"{small[0]}`, but `{rel.source}` has the inequality the other "
                                                "way round.", None))
                break
    return found + _order_issues(question, rels)


# a ratio stated as a requirement: "there must be twice as many large bags as tiny bags", "the number of small
# bins must be three times the number of large bins", "she must eat 2 times more protein bars than smoothies"
_MUST_BEFORE = re.compile(r"\b(?:must|should|has\s+to|have\s+to|needs?\s+to|is\s+required\s+to|are\s+required\s+to)"
                          r"(?:\s+be|\s+(?:eat|make|produce|buy|use|have|order|hire|sell|build|plant|take|drink|"
                          r"stock|carry|ship|send|keep))?\s+(?:\w+\s+){0,3}$", re.I)
LOOSE = re.compile(r"\b(?:at\s+(?:least|most)|no\s+(?:more|less|fewer)|not\s+(?:more|less|fewer)|more\s+than|"
                    r"less\s+than|fewer\s+than|minimum|maximum|up\s+to|exceed|or\s+more|or\s+less|or\s+fewer|"
                    r"upto|within|roughly|about|around|approximately)\b", re.I)


def _stated_exactly(question: str, m: re.Match) -> bool:
    """True when the multiple ``m`` reads as a plain requirement ("must be three times the number of ..."), with
    no bound word in its clause before it or right after it."""
    start, _ = clause_span(question, m.start(), m.end())
    before, after = question[start: m.start()], question[m.end(): m.end() + 12]
    # "the number of small bins must be three times ...": the verb stands inside the match, before the multiple
    inside = m.group(0)[:m.start(2) - m.start()] if m.re is NUMBER_OF else ""
    must = _MUST_BEFORE.search(before) or re.search(r"\b(?:must|should|has\s+to|have\s+to|needs?\s+to)\s+be\s+"
                                                    r"(?:\w+\s+)?$", inside, re.I)
    return bool(must) and not LOOSE.search(before) and not LOOSE.search(m.group(0)) \
        and not re.match(r"\s*or\s+(?:more|less|fewer)\b", after, re.I)


def _order_issues(question: str, rels: list[Relation]) -> list[tuple[ast.Compare | None, str, None]]:
    """"The number of A must be larger than the number of B" (or "must take more A than B") written as
    ``A <= B``: the comparison to flip."""
    found: list[tuple[ast.Compare | None, str, None]] = []
    phrases = [(m, m.group(1), m.group(2), m.group(3)) for m in _MORE_THAN.finditer(question)]
    phrases += [(m, m.group(2), m.group(1), m.group(3)) for m in _MORE_X_THAN_Y.finditer(question)]
    for m, subject, word, rest in phrases:
        if re.search(r"\bnot\s+be\b", m.group(0), re.I):
            continue
        cut = re.split(r"\s+(?:and|but|or|while|whereas|so|because|since|if|than|must|should|is|are)\b", rest,
                       maxsplit=1, flags=re.I)[0]
        want = ">=" if word.lower() in ("larger", "greater", "more", "higher", "bigger") else "<="
        for rel in rels:
            if len(rel.left_refs) != 1 or len(rel.right_refs) != 1 or not _disjoint(rel.left_refs, rel.right_refs) \
                    or constants_in(rel.left) - {1.0} or constants_in(rel.right) - {1.0} or rel.op == "==":
                continue
            every = rel.left_refs + rel.right_refs
            big, small = phrase_refs(subject, every), phrase_refs(cut, every)
            if len(big) != 1 or len(small) != 1 or big == small:
                continue
            op = rel.op if big == rel.left_refs else _MIRROR[rel.op]  # big OP small
            if op[0] != want[0]:
                found.append((rel.node, f"\"{' '.join(m.group(0).split())}\" means `{big[0]} {want} {small[0]}`, but "
                                        f"`{rel.source}` has the inequality the other way round.", None))
    return found


def _single_factor(side: ast.AST, factor: float) -> ast.AST | None:
    """The decision of ``factor * x`` (or ``x * factor``), or None for another shape."""
    if not (isinstance(side, ast.BinOp) and isinstance(side.op, ast.Mult)):
        return None
    for number, rest in ((side.left, side.right), (side.right, side.left)):
        if isinstance(number, ast.Constant) and number.value == factor \
                and isinstance(rest, (ast.Name, ast.Attribute, ast.Subscript)):
            return rest
    return None


# the bound phrase right before a number; negated forms come first, so "no more than" is not read as "more than"
_UPPER_WORDS = (r"at\s+most|a\s+maximum\s+of|maximum\s+of|no\s+more\s+than|not\s+more\s+than|"
                # "does not want to spend more than $400000": the negation comes a few words before
                r"(?:not|n't|never)\s+(?:\w+\s+){1,4}?(?:more|greater|larger|higher)\s+than|"
                r"(?<!\badd\s)(?<!adds\s)(?<!\bsum\s)(?<!sums\s)up\s+to|"  # not "fractions that add up to 1"
                r"(?:can\s*not|must\s+not|may\s+not|does\s+not|do\s+not|should\s+not|not|never)\s+exceed|"
                r"no\s+(?:greater|larger|higher)\s+than|less\s+than|fewer\s+than|under|within|"
                # what someone has is what they can use: "a pharmacy has 3000 mg of morphine", "has available 80"
                r"(?<!\bto\s)(?<!must\s)(?<!needs\s)(?<!need\s)(?<!will\s)ha(?:s|ve)(?:\s+only)?")
_LOWER_WORDS = (r"at\s+least|a\s+minimum\s+of|minimum\s+of|no\s+less\s+than|not\s+less\s+than|no\s+fewer\s+than|"
                r"not\s+fewer\s+than|more\s+than|greater\s+than|exceeds?|over|needs?|requires?|"
                # what must be done: "must cut 520 pounds", "needs to transport 600 people"
                r"(?:must|needs?\s+to|ha(?:s|ve)\s+to)\s+(?:cut|process|make|produce|transport|deliver|ship|supply|"
                r"move|sell|meet|handle|treat|serve|feed|plant|pick|mine|collect|send|carry|fulfil+|print|bake|"
                r"grow|harvest|build|hire|buy|purchase|provide|prepare|manufacture)")
_BOUND_BEFORE = re.compile(rf"\b(?:(?P<upper>{_UPPER_WORDS})|(?P<lower>{_LOWER_WORDS}))\s+(?:\w+\s+)?\$?\s*$", re.I)
# the second number of a list under one bound: "at least 4000 calories and 150 grams of potassium", "has available
# 1200 units of vitamin C and 1500 units of vitamin D"
_LISTED_BEFORE = re.compile(rf"\b(?:(?P<upper>{_UPPER_WORDS})|(?P<lower>{_LOWER_WORDS}))\s+(?:\w+\s+)?\$?\d[\d,.]*%?\s+"
                            r"(?:[a-z-]+\s+){0,4}?(?:,\s*(?:and\s+)?|and\s+)\$?\s*$", re.I)
_LOWER_AFTER = re.compile(r"^\s*(?:[a-z]+\s+){0,3}?or\s+more\b", re.I)
_UPPER_AFTER = re.compile(r"^\s*(?:[a-z]+\s+){0,3}?(?:or\s+(?:less|fewer)|available)\b|"
                          # "300 units of wood and 300 units of oxygen available": the list is available
                          r"^\s*(?:[a-z]+\s+){0,3}?(?:,\s*(?:and\s+)?|and\s+)\d[\d,.]*\s+(?:[a-z]+\s+){0,3}?available\b",
                          re.I)


# "each table needs 3 hours", "a palladium-heavy catalyst requires 15 units": a coefficient, not a minimum
PER_ITEM_NEED = re.compile(r"(?:^|[.;,]\s*|\b(?:while|whereas|and|with|for)\s+)(?:each|every|a|an|one|per)\s+"
                            r"(?:[\w-]+\s+){1,4}?(?:needs?|requires?|uses?|takes?)\s+(?:only\s+)?\$?\s*$", re.I)
_EXPLICIT_LOWER = re.compile(r"at\s+least|a\s+minimum\s+of|minimum\s+of|no\s+less\s+than|not\s+less\s+than|"
                             r"no\s+fewer\s+than|not\s+fewer\s+than", re.I)
# words that make a bound exact after all: "must invest all of it", "exactly", "the entire budget"
_EXACT = re.compile(r"\b(?:exactly|entire|entirely|whole|all\s+of\s+(?:it|the|his|her|their|its)|in\s+full|"
                    r"fully|equal\s+to)\b", re.I)


def bound_words(question: str, value: float, explicit: bool = False) -> tuple[str | None, str]:
    """"lower" or "upper" when every mention of ``value`` in the text is worded as that kind of bound
    ("at least 40", "no more than 50,000", "30 or more"), else None; with the words of the first one.
    ``explicit``: only "at least", "a minimum of", "no less than" or "or more" count, and mentions worded
    as no bound at all (the same number as a coefficient elsewhere) are passed over."""
    kinds, first = set(), ""
    for m in mentions_of(question, value):
        before, after = question[max(0, m.start() - 40): m.start()], question[m.end(): m.end() + 70]
        b = _BOUND_BEFORE.search(before) or _LISTED_BEFORE.search(question[max(0, m.start() - 90): m.start()])
        if b and PER_ITEM_NEED.search(question[max(0, m.start() - 80): m.start()]):
            b = None  # "a palladium-heavy catalyst requires 15 units of platinum": what one item takes
        kind = ("upper" if b and b.group("upper") else "lower" if b else
                "lower" if _LOWER_AFTER.search(after) else "upper" if _UPPER_AFTER.search(after) else None)
        if explicit:
            if kind == "lower" and b and not _EXPLICIT_LOWER.match(b.group("lower")):
                kind = None
            if kind is None:
                continue
        kinds.add(kind)
        if not first:
            words = before.split()[-4:] + [m.group(1)] + after.split()[:4]
            first = " ".join(words).strip(" ,.;")
    if len(kinds) == 1 and None not in kinds:
        return kinds.pop(), first
    return None, first


def number_of(node: ast.AST, named: dict[str, float]) -> float | None:
    """The number a side of a comparison is: a literal (``2200``) or a name the code sets to one (``demand``,
    with ``named`` from :func:`constant_values`); None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.Name) and node.id in named:
        return named[node.id]
    return None


def constant_values(tree: ast.AST) -> dict[str, float]:
    """Names the code sets once, at the top level, to a plain number (``demand = 60000``, or ``demand, cost = 2400,
    50``)."""
    values: dict[str, float] = {}
    counts: dict[str, int] = {}
    for name, value in top_level_assignments(tree):
        counts[name] = counts.get(name, 0) + 1
        if isinstance(value, ast.Constant) and isinstance(value.value, (int, float)) \
                and not isinstance(value.value, bool):
            values[name] = float(value.value)
    return {k: v for k, v in values.items() if counts[k] == 1}


def bound_findings(question: str, code: str | ast.AST, variables: list[str]) -> list[str]:
    """A limit the text words as "at least N" written as ``... <= N`` in the code, or "at most N" as ``>= N``.

    Only constraints whose one side is the number alone (a literal or a name set to it once) count, and
    only numbers that every mention in the text words as the same kind of bound."""
    return list(dict.fromkeys(text for _, text in _bound_issues(question, code, variables)))


def _bound_issues(question: str, code: str | ast.AST, variables: list[str]) -> list[tuple[ast.Compare, str]]:
    tree = _tree(code)
    if tree is None:
        return []
    names, named = set(variables), constant_values(tree)
    found: list[tuple[ast.Compare, str]] = []
    for n in ast.walk(tree):
        if not (isinstance(n, ast.Compare) and len(n.ops) == 1 and isinstance(n.ops[0], (ast.LtE, ast.GtE, ast.Lt,
                                                                                            ast.Gt, ast.Eq))):
            continue
        left, right = n.left, n.comparators[0]
        for side, other, mirrored in ((right, left, False), (left, right, True)):
            value = number_of(side, named)
            if value is None or not refs_in(other, names) or value == 0:
                continue
            kind, words = bound_words(question, value)
            if isinstance(n.ops[0], ast.Eq):
                # "has $100000 to invest" written as ``telecom + healthcare == 100000``: a limit, not a target (a
                # demand met exactly, "needs 900 MW", is often right as an equality: left alone, but not "at
                # least 50 grams", even where 50 is also a coefficient elsewhere in the text)
                if kind != "upper":
                    explicit, explicit_words = bound_words(question, value, explicit=True)
                    kind, words = (explicit, explicit_words) if explicit == "lower" else (None, words)
                if kind in ("upper", "lower") and not _EXACT.search(question):
                    op = (">=" if mirrored else "<=") if kind == "upper" else ("<=" if mirrored else ">=")
                    found.append((n, f"\"{words}\" is a {'maximum' if kind == 'upper' else 'minimum'}, but "
                                     f"`{ast.unparse(n)}` fixes it exactly; the relation should be {op}."))
                break
            upper = isinstance(n.ops[0], (ast.LtE, ast.Lt)) != mirrored  # decisions <= value
            if kind == "lower" and upper or kind == "upper" and not upper:
                right_op = ">=" if kind == "lower" else "<="
                found.append((n, f"\"{words}\" is a {'minimum' if kind == 'lower' else 'maximum'}, but "
                                 f"`{ast.unparse(n)}` bounds it from {'above' if upper else 'below'}; the "
                                 f"direction should be {right_op}."))
            break
    return found


_FLIP = {ast.LtE: ast.GtE, ast.GtE: ast.LtE, ast.Lt: ast.Gt, ast.Gt: ast.Lt}


def fix_relations(code: str, question: str):
    """:func:`_fix_relations_once`, and once more on its result: a share rewritten against the total
    (``bikes >= 0.3 * scooters`` -> ``bikes >= 0.3 * (bikes + scooters)``) keeps the code's direction, which
    the second pass checks against the text ("at most 30% ... can be bikes")."""
    from optolab.agents.program import Program

    first = _fix_relations_once(code, question)
    if first is None:
        return None
    second = _fix_relations_once(first.code, question)
    if second is None:
        return first
    return Program(second.code, first.changes + second.changes)


def _fix_relations_once(code: str, question: str):
    """The code with the inequalities turned round that :func:`bound_findings` and :func:`multiple_findings`
    show to point the wrong way, and shares of a total written against one other decision rewritten
    against the sum (:func:`share_findings`): a :class:`optolab.agents.program.Program` saying what
    changed, or None when there is nothing to fix. Small models rarely make these changes when asked;
    the text says what the relation is, so the fix needs no model."""
    from optolab.agents.codeast import variable_names
    from optolab.agents.program import Program

    try:
        tree = ast.parse(code)
        variables = variable_names(tree)
        multiples = _multiple_issues(question, tree, variables)
        rewrites = [(n, new, t) for n, t, new in multiples if n is not None and new is not None]
        flips = [(n, t) for n, t, new in multiples if new is None]
        issues = [(n, t) for n, t in _bound_issues(question, tree, variables) + flips if n]
        shares = _share_issues(question, tree, variables)
        rewrites += _share_direction_issues(question, tree, variables)
        rewrites += _fraction_issues(question, tree, variables)
    except Exception:  # noqa: BLE001 - a heuristic fix that trips leaves the code as it was
        return None
    changes, done = [], set()
    for node, new, text in rewrites:
        if id(node) in done:
            continue
        before = ast.unparse(node)
        node.left, node.ops, node.comparators = new.left, new.ops, new.comparators
        done.add(id(node))
        changes.append(f"`{before}` turned into `{ast.unparse(node)}`: the text says \"{text.split(chr(34))[1]}\"")
    for node, text in issues:
        if id(node) in done or type(node.ops[0]) not in _FLIP and not isinstance(node.ops[0], ast.Eq):
            continue
        before = ast.unparse(node)
        if isinstance(node.ops[0], ast.Eq):  # the text's bound, in the direction the message names
            node.ops = [ast.GtE() if text.rstrip(".").endswith(">=") else ast.LtE()]
        else:
            node.ops = [_FLIP[type(node.ops[0])]()]
        done.add(id(node))
        changes.append(f"`{before}` turned into `{ast.unparse(node)}`: {text.split(' but ')[0].rstrip(',')}")
    changes += _fix_var_bounds(tree, question)
    for issue in shares:
        node = issue.rel.node
        if id(node) in done:
            continue
        before = ast.unparse(node)
        if _rewrite_share(issue):
            done.add(id(node))
            changes.append(f"`{before}` turned into `{ast.unparse(node)}`: {issue.text.split(', but ')[0]}")
    return Program.changed(tree, changes)


def _names_after(question: str, value: float, name: str) -> bool:
    """Whether every mention of ``value`` in the text is followed (within three words) by a word of ``name``."""
    own = name_words(name)
    mentions = mentions_of(question, value)
    return bool(mentions) and all({stem(w) for w in re.findall(r"[a-z]+", question[m.end():m.end() + 40].lower())[:3]}
                                  & own for m in mentions)


def _fix_var_bounds(tree: ast.AST, question: str) -> list[str]:
    """``Var(bounds=(0, 12))`` where the text says "at least 12": the number moved to the side the text gives it
    (``bounds=(12, None)``), and the other way for "at most"; each change described."""
    changes = []
    for n, kw in var_bounds(tree):
        lo, hi = kw.value.elts
        lo_value, hi_value = arith(lo), arith(hi)
        name = ast.unparse(n.targets[0])
        if hi_value not in (None, 0.0) and lo_value in (None, 0.0):
            value, want, new = hi_value, "lower", ast.Tuple([hi, ast.Constant(None)], ast.Load())
        elif lo_value not in (None, 0.0) and isinstance(hi, ast.Constant) and hi.value is None:
            value, want, new = lo_value, "upper", ast.Tuple([ast.Constant(0), lo], ast.Load())
        else:
            continue
        kind, words = bound_words(question, value)
        if kind != want or not _names_after(question, value, base_name(n.targets[0]) or ""):
            continue  # "at least 4 units of medicine to the brain": a bound on something else
        before = ast.unparse(kw.value)
        kw.value = new
        changes.append(f"the bounds of {name} {before} became {ast.unparse(new)}: the text says \"{words}\"")
    return changes + _move_misplaced_bounds(tree, question)


def _move_misplaced_bounds(tree: ast.AST, question: str) -> list[str]:
    """``throwing = Var(bounds=(5, None))`` where the one clause with 5 names another decision ("at least 5 games
    must be climbing"): the bound moves to that decision, when its own bound on that side is open."""
    bounded = {base_name(n.targets[0]): (n, kw) for n, kw in var_bounds(tree)
               if isinstance(n.value, ast.Call) and not n.value.args}
    refs = [Ref(v) for v in bounded if v]
    changes = []
    for name, (n, kw) in list(bounded.items()):
        for side in (0, 1):
            value = arith(kw.value.elts[side])
            if value in (None, 0.0):
                continue
            mentions = mentions_of(question, value)
            if len(mentions) != 1:
                continue
            m = mentions[0]
            start, end = clause_span(question, m.start(), m.end())
            clause = question[start:end]
            owner = phrase_refs(clause, refs)
            if len(owner) != 1 or owner[0].base == name:
                continue
            other_kw = bounded[owner[0].base][1]
            if arith(other_kw.value.elts[side]) not in (None, 0.0) or value in constants_in(other_kw.value):
                continue
            open_value = ast.Constant(0) if side == 0 else ast.Constant(None)
            moved = kw.value.elts[side]
            kw.value.elts[side] = open_value
            other_kw.value.elts[side] = moved
            changes.append(f"the {'lower' if side == 0 else 'upper'} bound {value:g} moved from {name} to "
                           f"{owner[0].base}: the text says \"{' '.join(clause.split())}\"")
    return changes


def relation_findings(question: str, code: str | ast.AST, variables: list[str], solved: bool = True) -> list[str]:
    """All three checks for a solved model; for one without a solution (infeasible, unbounded), only the
    bound directions, a common cause of both. A check that trips over unusual code says nothing rather
    than stop the agent."""
    try:
        if not solved:
            return bound_findings(question, code, variables)
        return (share_findings(question, code, variables) + multiple_findings(question, code, variables)
                + bound_findings(question, code, variables))
    except Exception:  # noqa: BLE001 - heuristics must never turn into a finding about themselves
        return []
