"""Limits the text states ("at least 4,000 calories", "a total of at most 60,000 square feet"), read against
the direction of the model's comparisons and variable bounds; a bound on the wrong decision is moved.
"""

from __future__ import annotations

import ast
import re

from optolab.agents.arith import arith
from optolab.agents.checks import clause_span, mentions_of, name_words, stem
from optolab.agents.codeast import base_name, var_bounds
from optolab.agents.relation_core import (
    Ref, constant_values, constants_in, number_of, parsed, phrase_refs, refs_in,
)


# the bound phrase right before a number; negated forms come first, so "no more than" is not read as "more than"
_UPPER_WORDS = (r"at\s+most|a\s+maximum\s+of|maximum\s+of|no\s+more\s+than|not\s+more\s+than|"
                # "does not want to spend more than $400000": the negation comes a few words before
                r"(?:not|n't|never)\s+(?:\w+\s+){1,4}?(?:more|greater|larger|higher)\s+than|"
                # "no fund may get more than $6 million": the negation is the subject's
                r"\bno\s+(?:\w+\s+){1,4}?(?:more|greater|larger|higher)\s+than|"
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


def bound_findings(question: str, code: str | ast.AST, variables: list[str]) -> list[str]:
    """A limit the text words as "at least N" written as ``... <= N`` in the code, or "at most N" as ``>= N``.

    Only constraints whose one side is the number alone (a literal or a name set to it once) count, and
    only numbers that every mention in the text words as the same kind of bound."""
    return list(dict.fromkeys(text for _, text in bound_issues(question, code, variables)))


def bound_issues(question: str, code: str | ast.AST, variables: list[str]) -> list[tuple[ast.Compare, str]]:
    tree = parsed(code)
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


def _names_after(question: str, value: float, name: str) -> bool:
    """Whether every mention of ``value`` in the text is followed (within three words) by a word of ``name``."""
    own = name_words(name)
    mentions = mentions_of(question, value)
    return bool(mentions) and all({stem(w) for w in re.findall(r"[a-z]+", question[m.end():m.end() + 40].lower())[:3]}
                                  & own for m in mentions)


def fix_var_bounds(tree: ast.AST, question: str) -> list[str]:
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
