"""Shares and fractions the text states, read against the model's comparisons.

"At most 60% of the vehicles can be vans" written against one other decision (``vans <= 0.6 * cars``) instead of
the total (``vans <= 0.6 * (vans + cars)``), a share pointing the wrong way, and "at least half of" written
with the wrong fraction or side. Each issue comes with the comparison to rewrite.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from optolab.agents.arith import arith
from optolab.agents.checks import stem
from optolab.agents.codeast import base_name
from optolab.agents.relation_core import (
    MIRROR, Ref, Relation, constant_values, constants_in, disjoint_refs, parsed, phrase_refs, qualifier_of,
    refs_in, relations,
)


SHARE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent\b)\s+of\s+(?:the\s+|all\s+(?:the\s+)?|its\s+|their\s+|his\s+|"
                    r"her\s+)?(?:total\s+)?(?:number\s+of\s+|amount\s+of\s+)?([a-z]+)", re.I)
# what a share is of: "... of the pills should be (the) sleeping pills"
_SUBJECT = re.compile(r"\s+(?:\w+\s+){0,2}?(?:can|should|must|may|will|are|is|has\s+to|have\s+to|need\s+to)\s+be\s+"
                      r"(?:made\s+(?:up\s+)?(?:of|by)\s+|by\s+|from\s+)?(?:the\s+)?((?:[a-z-]+\s*){1,3})", re.I)


def share_findings(question: str, code: str | ast.AST, variables: list[str]) -> list[str]:
    """"60% of the vehicles" (a group no single decision is named after) written against one other decision."""
    return list(dict.fromkeys(issue.text for issue in share_issues(question, code, variables)))


@dataclass
class _ShareIssue:
    rel: Relation
    share: float
    side_is_right: bool  # the side with the share
    text: str
    whole: str | None = None  # a lone share (``high <= 0.4``): the sum of every decision it is a share of


def share_issues(question: str, code: str | ast.AST, variables: list[str]) -> list[_ShareIssue]:
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
                if share not in consts or share in constants_in(other) or not disjoint_refs(side_refs, other_refs):
                    continue
                if round(1 - share, 9) in consts | constants_in(other):  # rearranged: 0.4*a >= 0.6*b
                    continue
                whole = " + ".join(dict.fromkeys(str(r) for r in other_refs + side_refs))
                op = rel.op if other is rel.left else MIRROR[rel.op]
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


def share_direction_issues(question: str, code: str | ast.AST,
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
                op = rel.op if lone is rel.left else MIRROR[rel.op]  # part OP factor * total
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


def fraction_issues(question: str, code: str | ast.AST,
                     variables: list[str]) -> list[tuple[ast.Compare, ast.Compare, str]]:
    """"A at most a third of B" where the code's one comparison of A with B says something else (``A <= 3/4 * B``,
    ``A >= 0.5 * (A + B)``): each comparison with ``A <= 1 / 3 * B`` to put in its place. Only plain decisions,
    only when both phrases name exactly one decision each and the code compares the two exactly once."""
    tree = parsed(code)
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
    tree = parsed(code)
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
            op = op if is_right else MIRROR[op]
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


def rewrite_share(issue: _ShareIssue) -> bool:
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
