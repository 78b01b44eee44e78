"""The goal the text states, read against the numbers of the objective.

A slip of small models that the NL4OPT trails show often: the question asks to "minimize his sodium
intake", the text gives sodium per item ("100 mg of sodium", "75 mg of sodium"), and the model's
objective is built from another attribute's numbers (calories: ``400 * ramen + 300 * fries``). The
model solves, so no solver status reveals it.

:func:`goal_number_findings` names the goal's words, finds the numbers the text ties to them (the
words around each number), collects the numbers the objective uses (literals, and the values of
names and dicts the code sets once at the top level), and speaks up only when the objective uses
numbers, the text ties some numbers to the goal, and the objective uses none of them.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from optolab.agents.arith import arith
from optolab.agents.checks import NUMBER, SPELLED, SPELLED_WORDS, mentions_of, spelled_numbers
from optolab.agents.codeast import base_name, call_name, objective_expr, top_level_assignments

# a goal that is one total over another: "maximize the Energy-Impact Ratio", "the total output divided by ...",
# "the average net profit per truck", "the cost per unit of energy produced", "profit per hour of production"
# (not a rate per period: "profit per week"); the phrase stops at a comma, where "where the cost per acre is
# $2" starts data, not the goal
_RATIO_GOAL = re.compile(
    r"\b(minimi[sz]e|maximi[sz]e)\s+(?:the\s+|its\s+|their\s+|his\s+|her\s+)?"
    r"([^.;?!,]{0,120}?(?:\bratio\b|\bdivided\s+by\b|\baverage\b[^.;?!]{0,60}?\bper\b|"
    r"\bper\s+(?!(?:day|week|month|year|annum|season|period|shift|quarter)\b)(?:unit\s+of\s+|dollar\b|acre\b|"
    r"hour\s+of\b|gallon\b|kilogram\b|ton\b|tonne\b|truck\b|team\b|square\b|worker\b|employee\b|mile\b|"
    r"kwh\b|person\b|(?:[a-z]+\s+){1,2}(?:used|spent|invested|produced|worked)\b))[^.;?!]{0,120})", re.I)

# ("Which plan minimizes the total cost?": the -s of minimizes and maximizes only)
_GOAL = re.compile(r"\b(minimi[sz]e|maximi[sz]e|reduce|decrease|lower|increase)(?:(?<=mi[sz]e)s)?\s+"
                   r"((?:(?:the|his|her|its|their|your|our|total|overall)\s+)*"
                   r"(?:(?:total\s+)?(?:number|amount|quantity)\s+of\s+)?(?:[a-z]+[\s-]+){0,6}?[a-z]+)"
                   r"(?=\s*(?:[.,;?!]|$|\b(?:to|for|of|while|and|subject|given|if|so|that|by|in|per|from|with|"
                   r"on|at|across|over|under|when|where|which|it|he|she|they|we|you|i)\b))", re.I)
# "Find the minimum number of planes needed", "what is the maximum amount of sugar": a goal without a verb
_FIND_GOAL = re.compile(r"\b(?:find|determine|calculate|compute|what\s+is|what's)\s+the\s+"
                        r"(minimum|maximum|fewest|least|smallest|lowest|largest|highest)\s+"
                        r"((?:total\s+)?(?:number|amount|quantity)\s+of\s+(?:[a-z]+[\s-]+){0,6}?[a-z]+)"
                        r"(?=\s*(?:[.,;?!]|$|\b(?:to|for|of|while|and|subject|given|if|so|that|by|in|per|from|with|"
                        r"on|at|across|over|under|when|where|which|it|he|she|they|we|you|i|needed|required|"
                        r"used|possible)\b))", re.I)
# "meet its requirements at minimum cost", "at the lowest possible price": a goal worded as a manner
_AT_GOAL = re.compile(r"\bat\s+(?:the\s+|a\s+)?(minimum|maximum|lowest|highest|smallest|largest)\s+(?:possible\s+)?"
                      r"((?:total\s+)?(?:cost|costs|price|expense|expenses|profit|revenue|time|distance|risk|waste))\b",
                      re.I)
_FIND_VERB = {"minimum": "minimize", "fewest": "minimize", "least": "minimize", "smallest": "minimize",
              "lowest": "minimize", "maximum": "maximize", "largest": "maximize", "highest": "maximize"}
# a number right after one of these is a limit (a right-hand side), not a coefficient of the goal
_LIMIT_BEFORE = re.compile(r"\b(?:at\s+least|at\s+most|a\s+(?:minimum|maximum)\s+of|(?:minimum|maximum)\s+of|"
                           r"no\s+(?:more|less|fewer)\s+than|not\s+(?:more|less|fewer)\s+than|more\s+than|"
                           r"less\s+than|fewer\s+than|up\s+to|exceed|below|above|under|over|within|budget\s+of|"
                           r"limit\s+of|only)\s+(?:\w+\s+)?\$?\s*$", re.I)
# "can hold only 2 people", "uses only 3 units": a coefficient, not a limit ("has only 1000 treats")
_PER_UNIT_ONLY = re.compile(r"\b(?:holds?|carr(?:y|ies)|takes?(?:\s+up)?|uses?|requires?|produces?|contains?|"
                            r"yields?|gives?|makes?|generates?|costs?)\s+only\s+\$?\s*$", re.I)
_LEAD = {"the", "his", "her", "its", "their", "your", "our", "a", "an", "total", "overall", "amount", "number",
         "of", "sum", "weekly", "daily", "monthly", "yearly", "annual", "expected", "combined", "net", "possible"}
# words that name how much of something, not what: "sodium intake", "fat consumption"
_GENERIC = {"intake", "consumption", "usage", "use", "level", "levels", "amount", "value", "quantity", "count",
            "spending", "production", "output", "units", "unit", "company", "firm", "business", "store", "farmer",
            "factory", "hospital", "school", "he", "she", "they", "it", "we", "you", "i", "can", "be", "would"}
CLAUSE_END = re.compile(r"[,;:()]|\b(?:and|or|but|while|whereas)\b")
# goals counted in money: every "$N" and "N%" of the text may be one of their numbers
WORD = re.compile(r"[a-z]+")


# a letter or a small number that tells apart things of one kind: "vitamin D", "fertilizer B", "machine 2"
_QUALIFIER = re.compile(r"^(?:[A-Z]|\d{1,2})$")


def qualified_roots(tokens: list[str]) -> set[str]:
    """``"vitam d"`` for each word followed by a qualifier ("vitamin D", "Machine 2") among ``tokens`` (as written)."""
    return {f"{root(a)} {b.lower()}" for a, b in zip(tokens, tokens[1:]) if a.isalpha() and _QUALIFIER.match(b)}


def word_tokens(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]+|\d+", text)


def root(word: str) -> str:
    """A crude common root: plural endings dropped, then the first five letters
    ("changed", "changes" -> "chang"; "calories" -> "calor"; "costs" -> "cost")."""
    w = word.lower()
    if w.endswith("ies") and len(w) > 5:
        w = w[:-3] + "y"
    elif w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        w = w[:-1]
    if w.endswith("e") and len(w) > 3:  # "scones" and "scone", "houses" and "house" share a root: "scon", "hous"
        w = w[:-1]
    return w[:5]


_MONEY = frozenset(root(w) for w in ("cost", "profit", "revenue", "spending", "expense", "income", "earnings",
                                     "money", "budget", "price", "sale", "return", "wage", "fee", "payment", "salary",
                                     "value"))


@dataclass(frozen=True)
class Goal:
    verb: str  # minimize, maximize, ...
    phrase: str  # "his sodium intake"
    roots: frozenset[str]  # of the head word: {"sodiu"} for "his sodium intake"


# words that end the name of the goal's thing: "the number of wagons needed", "customers attracted every hour"
_PHRASE_END = {"that", "which", "whose", "who", "every", "each", "per", "a", "an", "the", "can", "could", "will",
               "would", "should", "must", "is", "are", "be", "being", "in", "on", "at", "by", "for", "to", "of"}
_ED_NOUNS = {"speed", "feed", "seed", "need", "bed", "weed", "breed", "shed", "sled", "reed", "steed", "deed"}


_GENERIC_HEADS = {"material", "materials", "resource", "resources", "item", "items", "product", "products",
                  "goods", "supply", "supplies", "stuff"}


def _head_roots(words: list[str]) -> frozenset[str]:
    """The root of the last word of a goal's thing; with a generic last word ("filler material") the word before
    it too, since the text may say just "filler". Empty for no words."""
    if not words:
        return frozenset()
    if len(words) > 1 and words[-1] in _GENERIC_HEADS:
        return frozenset({root(words[-1]), root(words[-2])})
    return frozenset({root(words[-1])})


def _thing_words(words: list[str]) -> list[str]:
    """The words that name the goal's thing: up to a participle or a clause word after the first of them
    ("parking spots required" -> parking spots; "waste produced" -> waste)."""
    out: list[str] = []
    for w in words:
        if out and (w in _PHRASE_END or (w.endswith("ed") and w not in _ED_NOUNS)):
            break
        out.append(w)
    return out


_UNIT_OF_PREVIOUS = re.compile(r"\d\s*%?\s+(?:[a-z-]+\s+){0,3}?[a-z-]+\s*,\s*(?:and\s+)?$|"
                               r"\d\s*%?\s+[a-z-]+\s+and\s+$", re.I)
_NOUN_BEFORE = re.compile(r"\b(?:an?|the|any|no|this|that)\s+$", re.I)


def goal_of(question: str) -> Goal | None:
    """The first goal phrase of the text with a specific word, or None; its head is the last specific word
    ("the total number of light changes" -> changes, "his sodium intake" -> sodium), before a participle
    ("the total number of parking spots required" -> spots). A goal worded "minimize"/"maximize" comes before one
    worded "increase", "reduce"...: "to increase her protein intake ... to minimize her fat intake" is about fat;
    a verb used as a noun ("expecting an increase in demand") comes last."""
    matches = list(_GOAL.finditer(question)) + list(_FIND_GOAL.finditer(question)) + list(_AT_GOAL.finditer(question))

    def verb(m: re.Match) -> str:
        return _FIND_VERB.get(m.group(1).lower(), m.group(1).lower())

    # "an increase in demand" is a noun, not the goal: it comes last
    # among the other verbs, the question's own sentence comes first: "to increase their capacity" in the opening
    # is a purpose, "how many ... to decrease the total number of vehicles?" the goal
    asked = [(a.start(), a.end()) for a in re.finditer(r"[^.?!]*\?", question)]

    def in_question(m: re.Match) -> bool:
        return any(a <= m.start() < b for a, b in asked)

    matches.sort(key=lambda m: (not verb(m).startswith(("minimi", "maximi")),
                                bool(_NOUN_BEFORE.search(question[max(0, m.start() - 12):m.start()])),
                                not in_question(m), m.start()))
    for m in matches:
        words = [w.lower() for w in re.split(r"[\s-]+", m.group(2)) if w]
        while words and words[0] in _LEAD:
            words.pop(0)
        words = _thing_words(words)
        specific = [w for w in words if w not in _GENERIC and w not in _LEAD and len(w) > 2]
        roots = _head_roots(specific)  # the head: "light changes" -> changes
        raw = word_tokens(m.group(2))
        at = [i for i, w in enumerate(raw[:-1]) if specific and w.lower() == specific[-1]]
        if at and _QUALIFIER.match(raw[at[-1] + 1]):  # "the amount of vitamin D": vitamin D, not vitamin A
            roots = frozenset({f"{root(specific[-1])} {raw[at[-1] + 1].lower()}"})
        if roots:
            return Goal(verb(m), m.group(2), roots)
    return None


def tied_numbers(question: str, roots: frozenset[str], width: int = 3) -> dict[float, str]:
    """Numbers of the text that quantify the goal: a goal word right before the number ("changed 3
    times") or among the ``width`` words after it ("100 mg of sodium", "supply 10 people"), in the same
    sentence; not numbers worded as limits ("at least 100") or names ("experiment 2"). Each with the
    words around it (for the message). A goal word further before the number is usually the thing
    described ("a fire fighter works 10 hours"), not what the number measures."""
    out: dict[float, str] = {}
    for sentence in sentences(question):
        for value, words in _tied_in(sentence, roots, width).items():
            out.setdefault(value, words)
    return out


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;?!])\s+", text) if s.strip()]


def _tied_in(sentence: str, roots: frozenset[str], width: int = 3) -> dict[float, str]:
    """:func:`tied_numbers` of one sentence; a percentage also under its fraction (7% -> 0.07)."""
    from optolab.agents.checks import label_numbers

    out: dict[float, str] = {}
    labels = label_numbers(sentence)
    # digits, and spelled numbers other than "one" ("refill food five times an hour")
    found = [*NUMBER.finditer(sentence), *(m for m in SPELLED.finditer(sentence) if m.group(1).lower() != "one")]
    for m in found:
        before = WORD.findall(sentence[: m.start()].lower())[-width:]
        after = WORD.findall(CLAUSE_END.split(sentence[m.end():].lower(), maxsplit=1)[0])[:width]
        value = float(m.group(1).replace(",", "")) if m.group(1)[0].isdigit() else spelled_numbers(m.group(1))[0]
        limit = _LIMIT_BEFORE.search(sentence[max(0, m.start() - 40): m.start()])
        if value in labels or limit and not _PER_UNIT_ONLY.search(sentence[max(0, m.start() - 40): m.start()]):
            continue
        percent = bool(re.match(r"\s*(?:%|percent\b)", sentence[m.end():]))
        money = bool(roots & _MONEY) and (sentence[: m.start()].rstrip().endswith("$") or percent)
        # the word before counts ("changed 3 times") unless it is the unit of a number before it ("5 apples, 6")
        lead = [] if _UNIT_OF_PREVIOUS.search(sentence[: m.start()]) else before[-1:]
        if after[:1] == ["times"]:  # "refill food five times": what is done twice is the verb before its object
            lead = before[-2:]
        pairs = qualified_roots(word_tokens(CLAUSE_END.split(sentence[m.end():], maxsplit=1)[0])[:width + 2]) \
            if any(" " in r for r in roots) else set()
        if money or ({root(w) for w in lead + after} | pairs) & roots:
            words = " ".join(before + [m.group(1) + ("%" if percent else "")] + after)
            out.setdefault(value, words)
            if percent:  # "earns 7%" is 0.07 in the code
                out.setdefault(round(value / 100, 12), words)
    return out


def _top_level_numbers(tree: ast.Module) -> dict[str, set[float]]:
    """Names set at the top level to a number, or to a dict/list/tuple of numbers (``a, b = 5, 6`` too)."""
    out: dict[str, set[float]] = {}
    for name, value in top_level_assignments(tree):
        values = _literal_numbers(value) if value is not None else None
        if values is not None:
            out[name] = values
    return out


def _literal_numbers(node: ast.AST) -> set[float] | None:
    try:
        value = ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    found: set[float] = set()

    def walk(v: object) -> bool:
        if isinstance(v, bool):
            return False
        if isinstance(v, (int, float)):
            found.add(float(v))
            return True
        if isinstance(v, dict):
            return all(walk(x) for x in v.values())
        if isinstance(v, (list, tuple)):
            return all(walk(x) for x in v)
        return False

    return found if walk(value) else None


def _objective_parts(tree: ast.Module, assigned: dict[str, ast.AST] | None = None) -> list[ast.AST]:
    """The expressions (or rule functions) of the code's objectives; a name among ``assigned`` stands for the
    expression it was set to."""
    functions = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    parts: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and call_name(node) == "Objective":
            for part in [kw.value for kw in node.keywords if kw.arg in ("expr", "rule")] + list(node.args[:1]):
                if isinstance(part, ast.Name) and part.id in functions:
                    part = functions[part.id]
                elif isinstance(part, ast.Name) and assigned and part.id in assigned:
                    part = assigned[part.id]
                parts.append(part)
    return parts


def objective_numbers(code: str) -> set[float] | None:
    """The numbers the objective is built from: literals in its expression (or rule function) and the
    values of top-level names it reads. None when the code has no objective or does not parse."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    named = _top_level_numbers(tree)
    parts = _objective_parts(tree)
    if not parts:
        return None
    numbers: set[float] = set()
    for part in parts:
        for n in ast.walk(part):
            if isinstance(n, ast.Constant) and isinstance(n.value, (int, float)) and not isinstance(n.value, bool):
                numbers.add(float(n.value))
            elif isinstance(n, ast.Name) and n.id in named:
                numbers |= named[n.id]
            elif isinstance(n, ast.Attribute) and base_name(n) in named and isinstance(n.value, ast.Name) \
                    and n.value.id == "model":
                numbers |= named[base_name(n)]
    return numbers


def goal_number_findings(question: str, code: str) -> list[str]:
    """The objective built from numbers that are not the goal's, when the text ties numbers to the goal.
    A heuristic: anything it trips over gives no finding."""
    try:
        return _goal_number_findings(question, code)
    except Exception:  # noqa: BLE001 - a heuristic must never turn into a finding about itself
        return []


def _goal_number_findings(question: str, code: str) -> list[str]:
    goal = goal_of(question)
    if goal is None:
        return []
    tied = {v: words for v, words in tied_numbers(question, goal.roots).items() if v not in (0.0, 1.0)}
    used = objective_numbers(code)
    if not tied or not used:
        return []
    used = {v for v in used if v not in (0.0, 1.0)}
    if not used or used & set(tied):
        return []
    shown = "; ".join(f"{v:g} (\"{w}\")" for v, w in list(tied.items())[:4])
    return [f"The goal is to {goal.verb} {goal.phrase}, but the objective uses none of the numbers the problem "
            f"gives for it: {shown}. Build the objective from those numbers (it now uses "
            f"{', '.join(f'{v:g}' for v in sorted(used)[:6])}); keep the constraints."]


def linear_terms(expr: ast.AST, variables: set[str]) -> list[ast.AST] | None:
    """The variable of each ``coefficient * variable`` term of a plain sum of scalar variables
    (``400 * ramen + 300 * model.fries``), or None when the objective has any other shape."""
    terms: list[ast.AST] = []
    for node in sum_terms(expr):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            pair = [node.left, node.right]
            var = [n for n in pair if isinstance(n, (ast.Name, ast.Attribute)) and base_name(n) in variables]
            coef = [n for n in pair if n not in var]
            if len(var) != 1 or len(coef) != 1 or any(
                    isinstance(n, (ast.Name, ast.Attribute)) and base_name(n) in variables for n in ast.walk(coef[0])):
                return None
            terms.append(var[0])
        elif isinstance(node, (ast.Name, ast.Attribute)) and base_name(node) in variables:
            terms.append(node)
        else:
            return None
    return terms


def collapse_objective(expr: ast.AST, variables: set[str],
               named: dict[str, float] | None = None) -> tuple[list[ast.AST], list[float]] | None:
    """For a linear objective over scalar decisions that names a decision more than once (``300 * s + 80 * s /
    15``): one reference per decision and its total weight, worked out with :func:`optolab.agents.arith.arith`;
    None when it is not linear in them or holds anything but numbers and decisions."""
    refs: dict[str, ast.AST] = {}
    found = sorted((n for n in ast.walk(expr) if isinstance(n, (ast.Name, ast.Attribute, ast.Subscript))),
                   key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)))  # in the order written
    for n in found:
        if isinstance(n, ast.Subscript):
            return None
        if base_name(n) in variables:
            refs.setdefault(base_name(n), n)
    names = list(refs)
    if len(names) < 2:
        return None

    zero = {**(named or {}), **{v: 0.0 for v in names}}  # ``named``: numbers the code sets (``vitamin_d = 10``)
    probe = {**zero, **{v: 1.0 + i for i, v in enumerate(names)}}  # linear: the weights add up at another point
    base, at_probe = arith(expr, zero), arith(expr, probe)
    units = [arith(expr, {**zero, v: 1.0}) for v in names]
    if base is None or at_probe is None or None in units:
        return None
    weights = [u - base for u in units]
    if abs(at_probe - base - sum(w * probe[v] for v, w in zip(names, weights))) > 1e-9 * (1 + abs(base)):
        return None
    return [refs[v] for v in names], [round(w, 12) for w in weights]


def name_roots(name: str) -> set[str]:
    """The roots of the words of a decision's name (``otter_tricks`` -> otter, trick); a word with a qualifier
    after it is one root with it (``fertilizer_b`` -> "ferti b", ``machine2`` -> "machi 2")."""
    words = word_tokens(name.replace("_", " "))
    out, used = set(), set()
    for i, (word, nxt) in enumerate(zip(words, words[1:])):
        if word.isalpha() and len(word) > 2 and (len(nxt) == 1 or nxt.isdigit() and len(nxt) <= 2):
            out.add(f"{root(word)} {nxt.lower()}")
            used |= {i, i + 1}
    return out | {root(w) for i, w in enumerate(words) if i not in used and w.isalpha() and len(w) > 2}


def _clause_roots(clause: str) -> set[str]:
    """The roots of a clause's words, and of its qualified words ("Fertilizer B" -> "ferti b")."""
    return {root(w) for w in WORD.findall(clause.lower())} | qualified_roots(word_tokens(clause))


# where one sentence describes two decisions in turn: "a small bus holds 20 students while a large bus holds 50"
_CONTRAST = re.compile(r"\bwhereas\b|,?\s\bwhile\b(?!\s+(?:minimi|maximi|keeping|still|also|ensuring|meeting))|;"
                       r"|,\s+(?:and\s+)?(?=(?:each|every)\b)|,\s+and\s+(?=(?:a|an|one)\s)"
                       r"|\s+and\s+(?=(?:a|an)\s+(?:profit|cost|revenue|price|return|loss|margin)\s+of\b)", re.I)
# (the last three: "..., each television commercial is seen by ...", "... costs $30,000, and a television ad costs
# ...": a clause about a new item; "a profit of $2 per regular donut and a profit of $3 per jelly-filled donut")


def names_count(names: list[str], roots: frozenset[str]) -> bool:
    """Whether the decisions are named after the thing measured (``color_printers`` for printers): then a sum of
    them counts it, and no sentence's number is a weight of it."""
    return any(name_roots(v) & roots for v in names)


def _named_in(words: set[str], names: list[str], roots_of: dict[str, set[str]]) -> list[str]:
    """The decisions a clause (its word roots) is about: the one whose whole name it holds ("Each protein bar
    contains 7 units of protein" is about ``protein_bars``, not ``smoothies`` beside it), else every decision
    with a word of its name in it."""
    whole = [u for u in names if roots_of[u] <= words]
    return whole if len(whole) == 1 else [u for u in names if roots_of[u] & words]


def numbers_by_decision(question: str, names: list[str], roots: frozenset[str],
                        keep_one: bool = False) -> dict[str, float] | None:
    """For each decision, the one number that the sentences (or the halves of a sentence split at "while",
    "whereas") naming it and no other decision tie to ``roots`` ("Each banana contains ... 10 grams of sugar"
    -> banana: 10); None when a decision has none or several.
    A 1 counts only with ``keep_one`` (a bare 1 is often no coefficient)."""
    roots_of = {v: name_roots(v) for v in names}
    shared = set.intersection(*roots_of.values()) if roots_of else set()  # otter_tricks, dolphin_tricks: tricks
    roots_of = {v: r - shared or r for v, r in roots_of.items()}
    # words the text counts ("20 bananas", "7 units of protein") name a resource more often than a decision:
    # ``banana_haters`` is named by "haters", ``protein_bars`` by "bar" (when the name has other words)
    counted = {root(w) for m in NUMBER.finditer(question)
               for w in WORD.findall(question[m.end():m.end() + 40].lower())[:3]}
    roots_of = {v: r - counted or r for v, r in roots_of.items()}
    out: dict[str, float] = {}
    clauses: list[str] = []
    for sentence in sentences(question):
        halves = [c for c in _CONTRAST.split(sentence) if c.strip()]
        for k, half in enumerate(halves):
            # "... by hand, and have 85 interactions while refilling food twenty times": a half that names no
            # decision goes on about the one before
            if k and not _named_in(_clause_roots(half), names, roots_of):
                clauses[-1] += "; " + half  # kept apart from the numbers before it
            else:
                clauses.append(half)
    for v in names:
        values: set[float] = set()
        for sentence in clauses:
            words = _clause_roots(sentence)
            if _named_in(words, names, roots_of) == [v]:
                values |= {x for x in _tied_in(sentence, roots) if x != 0.0 and (x != 1.0 or keep_one)}
        if len(values) != 1:
            return None
        out[v] = values.pop()
    return out


def fix_goal_objective(code: str, question: str):
    """When the objective is a plain sum of ``coefficient * variable`` terms, each variable named in sentences
    of the text that give exactly one number for the goal ("Each banana contains ... 10 grams of sugar"), and
    either :func:`goal_number_findings` speaks up or some literal coefficient is not its variable's number
    (an objective that mixes the goal's numbers with another attribute's: ``5 * orange + 7 * grapefruit`` where
    "one grapefruit contains 7 units of vitamin C ... and 6 grams of sugar"): the same code with the objective
    rebuilt from those numbers (a :class:`optolab.agents.program.Program` saying what changed). None otherwise."""
    from optolab.agents.codeast import variable_names
    from optolab.agents.program import Program
    from optolab.agents.relation_core import constant_values

    try:
        finding = bool(_goal_number_findings(question, code))
        goal = goal_of(question)
        counted = _counted(question)
        if goal is None:
            return None
        money = bool(goal.roots & _MONEY)
        tree = ast.parse(code)
        variables = set(variable_names(tree))
        expr_kw = [kw for kw in [objective_expr(tree)] if kw]
        terms = linear_terms(expr_kw[0].value, variables) if expr_kw else None
        names = list(dict.fromkeys(base_name(t) for t in terms or []))
        weights = term_weights(expr_kw[0].value, variables) if terms and len(names) == len(terms) else None
        added = None  # for a plain sum naming a decision twice: each decision's own term weights
        if expr_kw and (not terms or len(names) != len(terms)):  # a decision named twice: its weights summed
            raw = term_weights(expr_kw[0].value, variables) if terms else None
            if raw is not None and all(w > 0 for w in raw):
                added = {}
                for t, w in zip(terms, raw):
                    added.setdefault(base_name(t), []).append(w)
            collapsed = collapse_objective(expr_kw[0].value, variables, constant_values(tree))
            terms, weights = collapsed if collapsed else (None, None)
            names = [base_name(t) for t in terms or []]
        # decisions named after the goal ("otter_tricks") summed with weight 1 count it; with other weights
        # (``3 * otter_tricks + 5 * dolphin_tricks``) the model weighs them per item, and the weights must be the
        # goal's numbers
        if not terms or len(names) < 2 or (not finding and names_count(names, goal.roots)
                                           and (weights is None or all(w == 1 for w in weights))):
            return None
        if not finding and counted and names_count(names, counted.roots) \
                and (weights is None or all(w == 1 for w in weights)):
            return None  # a count of the decisions themselves is fix_count_objective's
        # "1 trick" is a number of the goal when the sentence is about one decision
        coefficient = numbers_by_decision(question, names, goal.roots, keep_one=not finding)
        if coefficient is None:
            return None
        if not finding:
            if weights is None or weights == [coefficient[base_name(t)] for t in terms]:
                return None
            # every "$N" of a sentence ties to a money goal: only an objective that takes the decisions' own
            # amounts and mixes them up ("$3" for rice written beside kebab) is rebuilt, never a computed margin
            # ... unless the sum adds each decision's goal number to another amount of it (``4 * regular + 2 *
            # regular`` for a $4 price and a $2 profit): a margin subtracts, an addition mixes two attributes up
            mixed = added is not None and all(coefficient[n] in added.get(n, ()) for n in names)
            # ... or takes other amounts the text states ("pays a baker $4 and $6") where it names the goal's own
            # per-decision amounts ("a profit of $2 per regular donut"): a margin is computed, not stated
            other = all(_dollars(question, w) for w in weights) \
                and all(_said_for(question, x, goal.roots) for x in coefficient.values())
            if money and not set(weights) <= set(coefficient.values()) and not mixed and not other:
                return None
            # a count goal ("the number of parking spots") takes numbers of the counted thing itself ("takes up
            # 2 parking spots"), not rates of it ("50 boxes per trip" for "the number of trips")
            if counted and not all(_counts(question, x, counted.roots) for x in coefficient.values()):
                return None
    except Exception:  # noqa: BLE001 - a heuristic fix that trips leaves the code as it was
        return None
    before = ast.unparse(expr_kw[0].value)
    new = " + ".join(f"{coefficient[base_name(t)]:g} * {ast.unparse(t)}" for t in terms)
    expr_kw[0].value = ast.parse(new, mode="eval").body
    return Program.changed(tree, [f"the objective `{before}` became `{new}`: the question asks to "
                                              f"{goal.verb} {goal.phrase}, and these are the numbers the text "
                                              "gives for it"])


def _dollars(question: str, value: float) -> bool:
    """Whether the text states ``value`` as an amount of money ("$4")."""
    return any(re.search(r"\$\s?$", question[:m.start()]) for m in mentions_of(question, value))


def _said_for(question: str, value: float, roots: frozenset[str]) -> bool:
    """Whether the text names ``value`` with a word of the goal itself: among the three words before it ("a
    profit of $2") or the two after it ("$2 in profit"), in the same clause."""
    for m in mentions_of(question, value):
        before = WORD.findall(CLAUSE_END.split(question[max(0, m.start() - 60):m.start()].lower())[-1])[-3:]
        after = WORD.findall(CLAUSE_END.split(question[m.end():m.end() + 40].lower(), maxsplit=1)[0])[:2]
        if {root(w) for w in before + after} & roots:
            return True
    return False


def ratio_goal(question: str) -> tuple[str, str] | None:
    """``(verb, phrase)`` when the text's goal is a ratio of two totals ("maximize the average net profit
    per truck", "the total energy output divided by the total environmental impact"), else None."""
    m = _RATIO_GOAL.search(question or "")
    if not m:
        return None
    return m.group(1).lower(), re.sub(r"\s+", " ", m.group(2)).strip()[:160]


def objective_divides(code: str) -> bool | None:
    """Whether the objective divides by something other than a number (a total of the decisions), or the
    code states a ratio multiplied out (``rate * hours == earnings``); None when the code has no objective or
    does not parse."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    named = _top_level_numbers(tree)
    assigned: dict[str, ast.AST] = {}  # top-level helper expressions the objective may read (total = ...)
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            assigned[node.targets[0].id] = node.value
    parts = _objective_parts(tree, assigned)
    if not parts:
        return None

    def constant(node: ast.AST) -> bool:
        if _literal_numbers(node) is not None:
            return True
        if isinstance(node, ast.Name):
            return node.id in named
        if isinstance(node, ast.Subscript):
            return constant(node.value)
        if isinstance(node, ast.BinOp):
            return constant(node.left) and constant(node.right)
        if isinstance(node, ast.UnaryOp):
            return constant(node.operand)
        return False

    for n in ast.walk(tree):  # the ratio multiplied out in a constraint: rate * hours == earnings
        if isinstance(n, ast.Compare) and len(n.ops) == 1 and isinstance(n.ops[0], ast.Eq):
            for side in (n.left, n.comparators[0]):
                if any(isinstance(m, ast.BinOp) and isinstance(m.op, ast.Mult) and not constant(m.left)
                       and not constant(m.right) for m in ast.walk(side)):
                    return True
    seen: set[int] = set()
    todo = list(parts)
    while todo:
        part = todo.pop()
        if id(part) in seen:
            continue
        seen.add(id(part))
        for n in ast.walk(part):
            if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div) and not constant(n.right):
                return True
            if isinstance(n, ast.Name) and n.id in assigned and isinstance(n.ctx, ast.Load):
                todo.append(assigned[n.id])
    return False


def ratio_goal_findings(question: str, code: str) -> list[str]:
    """The goal is a ratio of two totals but the objective divides by no expression of the decisions."""
    try:
        goal = ratio_goal(question)
        if goal is None or objective_divides(code) is not False:
            return []
    except Exception:  # noqa: BLE001 - a heuristic must never turn into a finding about itself
        return []
    verb, phrase = goal
    return [f"The goal is to {verb} {phrase}: a ratio of two totals, but the objective divides by nothing that "
            "depends on the decisions. Write the objective as one total divided by the other, each a sum over "
            "the decisions (for example (sum of profit * x) / (sum of hours * x)); keep the constraints."]


# "minimize the total number of buses", "reduce the number of pipes required": a count of the things decided
_COUNT_PHRASE = re.compile(r"^(?:(?:the|its|their|his|her|total|overall)\s+)*number\s+of\s+", re.I)
# a number "per trip" or "for each bus" is a rate of the counted thing, not how many of it there are
_RATE_OF = r"\b(?:per|each|every|a|an)\s+((?:[\w-]+\s+){0,2}?)(%s)\b"
_TIMES_DONE = re.compile(rf"\b(\d+(?:\.\d+)?|{SPELLED_WORDS})\s+times\b", re.I)


def _spelled_or_number(word: str) -> float:
    return float(word) if word[0].isdigit() else spelled_numbers(word)[0]


_SPELLED = re.compile(r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
                      r"thirty|forty|fifty|hundred|dozen)\s+([a-z]+)(?:[\s-]+([a-z]+))?", re.I)


_NOT_THING = {"per", "each", "every", "a", "an", "for", "while", "whereas", "and", "or", "to", "of", "in", "at"}


def _counts(question: str, value: float, roots: frozenset[str]) -> bool:
    """Whether the text names the counted thing right after ``value`` ("2 parking spots" for spots), before
    any "per", "each", "and" that would make it a rate or another attribute; or says how often it happens
    ("needs to be changed 3 times a decade" for changes)."""
    spelled = [m for m in SPELLED.finditer(question) if spelled_numbers(m.group(1))[:1] == [value]]
    for m in [*mentions_of(question, value), *spelled]:
        # "changed 3 times", "refill food five times"
        before = WORD.findall(question[max(0, m.start() - 30):m.start()].lower())[-2:]
        if any(root(w) in roots for w in before) and re.match(r"\s+times\b", question[m.end():]):
            return True
        after = WORD.findall(question[m.end():m.end() + 40].lower())
        if after[:2] in (["units", "of"], ["unit", "of"]):  # "2 units of filler": the filler is counted
            after = after[2:]
        for w in after[:3]:
            if w in _NOT_THING:
                break
            if root(w) in roots:
                return True
    return False


def _counted(question: str) -> Goal | None:
    """The goal when it is a count ("minimize the total number of buses"), its roots those of the
    counted thing ("the total number of parking spots required" -> spots), else None."""
    goal = goal_of(question)
    m = _COUNT_PHRASE.match(goal.phrase.strip()) if goal else None
    if m is None:
        return None
    words = _thing_words([w for w in re.split(r"[\s-]+", goal.phrase.strip()[m.end():].lower()) if w])
    return Goal(goal.verb, goal.phrase, _head_roots(words)) if words else None


def plain_count(question: str, expr: ast.AST, variables: set[str], integer: set[str],
                named: dict[str, float] | None = None) -> str | None:
    """The objective ``expr`` as the plain sum of its decisions (``"small + large"``), when the goal counts things
    ("minimize the total number of buses"), ``expr`` weighs two or more integer decisions (``20 * small + 50 *
    large``) and the text ties none of the weights to the counted thing (a cost, a capacity: "a small bus can
    carry 20 students"); else None. A number the text gives for the counted thing ("an owl can carry 5 letters"
    for "the number of letters") means the weights may be right; so does one written as a word ("two letters")."""
    goal = _counted(question)
    terms = linear_terms(expr, variables) if goal else None
    names = list(dict.fromkeys(base_name(t) for t in terms or []))
    weights = term_weights(expr, variables, named) if terms and len(names) == len(terms) else None
    if goal and (not terms or len(names) != len(terms)):  # a decision named twice (``50 * sedans - 10 * sedans``)
        collapsed = collapse_objective(expr, variables, named)
        terms, weights = collapsed if collapsed else (None, None)
        names = [base_name(t) for t in terms or []]
    if not terms or len(names) < 2 or not set(names) <= integer:
        return None
    if weights is None or all(w == 1.0 for w in weights):
        return None
    if any(root(w) in goal.roots for m in _SPELLED.finditer(question) for w in m.groups() if w):
        return None
    goal_words = {w for w in WORD.findall(question.lower()) if root(w) in goal.roots}
    tied: set[float] = set()
    for sentence in sentences(question):
        for word in goal_words:  # "50 boxes per trip" counts boxes, not trips
            sentence = re.sub(_RATE_OF % re.escape(word), " ", sentence, flags=re.I)
        tied |= set(_tied_in(sentence, goal.roots))
        # how often the counted thing is done: "will have to refill food five times an hour" for refills
        if {root(w) for w in WORD.findall(sentence.lower())} & goal.roots:
            tied |= {float(_spelled_or_number(m.group(1))) for m in _TIMES_DONE.finditer(sentence)}
    if set(weights) & tied:
        return None
    if not names_count(names, goal.roots):  # the text counts it per decision ("changed 3 times a decade"):
        own = numbers_by_decision(question, names, goal.roots)  # a weighted sum, fix_goal_objective's to write
        if own is not None and all(_counts(question, x, goal.roots) for x in own.values()):
            return None
    return " + ".join(ast.unparse(t) for t in terms)


def fix_count_objective(code: str, question: str):
    """Model code whose objective weighs what the question counts (see :func:`plain_count`): the same code with
    the plain count as the objective (a :class:`optolab.agents.program.Program` saying what changed); None
    otherwise."""
    from optolab.agents.codeast import integer_variables, variable_names
    from optolab.agents.program import Program
    from optolab.agents.relation_core import constant_values

    try:
        tree = ast.parse(code)
        expr_kw = [kw for kw in [objective_expr(tree)] if kw]
        integer = integer_variables(tree, binary=False)
        named = constant_values(tree)  # ``cost_truck = 500`` weighs as 500
        new = plain_count(question, expr_kw[0].value, set(variable_names(tree)), integer, named) if expr_kw else None
    except Exception:  # noqa: BLE001 - a heuristic fix that trips leaves the code as it was
        return None
    if new is None:
        return None
    before = ast.unparse(expr_kw[0].value)
    expr_kw[0].value = ast.parse(new, mode="eval").body
    return Program.changed(tree, [count_note(before, new, question)])


def count_note(before: str, new: str, question: str) -> str:
    goal = goal_of(question)
    return (f"the objective `{before}` became `{new}`: the question asks to {goal.verb} {goal.phrase}, a count "
            "of the decisions, and the text gives none of the objective's weights for it")


def term_weights(expr: ast.AST, variables: set[str], named: dict[str, float] | None = None) -> list[float] | None:
    """The number each term of a plain ``coefficient * variable`` sum is weighted by (1 for a bare
    variable), or None when a coefficient is not a number written in the code (or, with ``named``, a name the
    code sets to one: ``cost_truck = 500``)."""
    out: list[float] = []
    for node in sum_terms(expr):
        if isinstance(node, (ast.Name, ast.Attribute)) and base_name(node) in variables:
            out.append(1.0)
            continue
        if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult)):
            return None
        coef = [n for n in (node.left, node.right) if not (isinstance(n, (ast.Name, ast.Attribute))
                                                           and base_name(n) in variables)]
        if len(coef) == 1 and isinstance(coef[0], (ast.Name, ast.Attribute)) and base_name(coef[0]) in (named or {}):
            out.append(float(named[base_name(coef[0])]))
            continue
        if len(coef) != 1 or not isinstance(coef[0], ast.Constant) or not isinstance(coef[0].value, (int, float)):
            return None
        out.append(float(coef[0].value))
    return out


def sum_terms(expr: ast.AST) -> list[ast.AST]:
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return sum_terms(expr.left) + sum_terms(expr.right)
    return [expr]


def bound_objective_findings(question: str, code: str, objective: float | None) -> list[str]:
    """The objective written as the very expression a constraint bounds, on the side the objective pushes
    toward (``min length * width`` with ``length * width >= 1600``, ``max 4 * a + 6 * b`` with ``4 * a + 6 * b <=
    5000``), and the optimum at that bound: the model measures the goal with a limit's numbers, so the answer is
    just the limit. A finding that says so; none when the bound does not hold the optimum (a limit that happens to
    weigh the decisions as the goal does, and does not bind, is fine)."""
    if objective is None:
        return []
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    kw = objective_expr(tree)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and call_name(n) == "Objective"]
    if kw is None or len(calls) != 1:
        return []
    sense = next((ast.unparse(k.value) for k in calls[0].keywords if k.arg == "sense"), "minimize")
    maximize = "max" in sense.lower() or sense.strip() == "-1"
    target = ast.unparse(kw.value)
    named = {name: values.pop() for name, values in _top_level_numbers(tree).items() if len(values) == 1}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Compare) and len(node.ops) == 1):
            continue
        left, op, right = node.left, node.ops[0], node.comparators[0]
        if ast.unparse(right) == target:  # 1600 <= area is area >= 1600
            left, right = right, left
            op = {ast.LtE: ast.GtE(), ast.GtE: ast.LtE(), ast.Lt: ast.Gt(), ast.Gt: ast.Lt()}.get(type(op), op)
        if ast.unparse(left) != target:
            continue
        bound = arith(right, named)
        toward = isinstance(op, ast.Eq) or isinstance(op, (ast.LtE, ast.Lt) if maximize else (ast.GtE, ast.Gt))
        if bound is None or not toward or abs(objective - bound) > 1e-6 * max(1.0, abs(bound)):
            continue
        goal = goal_of(question)
        wanted = f"the goal ({goal.verb} {goal.phrase})" if goal else "the goal"
        return [f"The objective `{target}` is the very expression the constraint `{ast.unparse(node)}` limits, so the "
                f"optimum is just that limit ({bound:g}). Write the objective for {wanted} from the numbers or the "
                "formula that measure it, not from a limit's; keep the constraint."]
    return []
