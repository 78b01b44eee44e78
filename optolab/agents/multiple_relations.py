"""Multiples and orders the text states ("at least twice as many cars as vans", "4 chairs for every table",
"more A than B"), read against the model's comparisons: a flipped factor or direction comes with its fix.
"""

from __future__ import annotations

import ast
import re

from optolab.agents.checks import clause_span, spelled_numbers
from optolab.agents.relation_core import (
    MIRROR, QUALIFIER_START, Relation, constants_in, disjoint_refs, phrase_refs, qualifier_of, relations,
)


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


def multiple_findings(question: str, code: str | ast.AST, variables: list[str]) -> list[str]:
    """"At least twice as many cars as vans" written as ``vans >= 2 * cars`` (the factor on the wrong side)
    or as ``cars <= 2 * vans`` (the inequality the wrong way round)."""
    return list(dict.fromkeys(text for _, text, _ in multiple_issues(question, code, variables)))


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


def multiple_issues(question: str, code: str | ast.AST,
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
                if len(side_refs) != 1 or len(other_refs) != 1 or not disjoint_refs(side_refs, other_refs):
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
                    op = rel.op if other is rel.left else MIRROR[rel.op]  # big OP factor * small
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
                        phrase = phrase[QUALIFIER_START.search(phrase).start():] if \
                            QUALIFIER_START.search(phrase) else m.group(0)
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
            if len(rel.left_refs) != 1 or len(rel.right_refs) != 1 or not disjoint_refs(rel.left_refs, rel.right_refs) \
                    or constants_in(rel.left) - {1.0} or constants_in(rel.right) - {1.0} or rel.op == "==":
                continue
            every = rel.left_refs + rel.right_refs
            big, small = phrase_refs(subject, every), phrase_refs(cut, every)
            if len(big) != 1 or len(small) != 1 or big == small:
                continue
            op = rel.op if big == rel.left_refs else MIRROR[rel.op]  # big OP small
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
