"""The answer step: report the quantities a question asks for, by the names it uses.

A question such as "how many trucks go to each site, and what is the lowest cost?" asks for
values under its own names ("Number of trucks to site A", "The minimum cost"), while the solved
model knows them as ``trucks[A]`` and the objective. :func:`answer_keys` maps each requested
name to the objective, to one variable value, or to nothing.

Two passes: a word-overlap match that needs no model and settles the clear cases (the objective
phrasings or the question's goal words with no variable named, a variable whose name and index words all appear
in the key, an index written apart in the key such as "Apple Sauce" for ``produce[Applesauce]``, the one
variable whose name holds every word of a short key such as "bikes" for ``electric_bikes``, a name written as
one word that ends with a key word such as ``hayharvester`` for "harvester"; plurals meet their singulars; "The
total number of vehicles used" beside a goal of one decision, "the fewest scooters", is the sum of the
counts), and, for the rest, one
small LLM call whose reply is constrained to the list of candidates (a JSON schema with an enum
per key), so a small model cannot invent a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from pydantic import ConfigDict, create_model

from optolab.agents.checks import stem
from optolab.agents.codeast import folded
from optolab.agents.goal import goal_of

OBJECTIVE = "objective"
NONE = "none"
TOTAL = "total of the counts"
# "The total number of vehicles used": a count of everything the decisions count
_TOTAL_COUNT = re.compile(r"^\s*(?:the\s+)?total\s+number\s+of\s+[a-z]+", re.I)

_OBJECTIVE_WORDS = re.compile(
    r"\b(maxim\w*|minim\w*|optimal (value|objective)|objective|total (profit|cost|revenue|return|value)|"
    r"(lowest|highest|least|greatest|largest|smallest|best) (possible )?(total )?\w+)\b", re.I)
# a key that starts by naming an extreme or a total asks for the objective unless it names a variable
_SUPERLATIVE_START = re.compile(r"\s*(the\s+)?(minimum|maximum|minimal|maximal|total|optimal|lowest|highest|least|"
                                r"greatest|largest|smallest|best|overall)\b", re.I)
_STOP = {"the", "of", "a", "an", "to", "for", "in", "on", "at", "by", "and", "or", "is", "are", "be", "number",
         "amount", "quantity", "value", "how", "many", "much", "each", "per", "that", "which", "what", "with",
         "units", "unit", "total", "produced", "used"}


# "Of all rectangles of area 100, which has the smallest perimeter?": the goal asked without a verb
_ASKED_EXTREME = re.compile(r"\b(?:smallest|largest|least|greatest|lowest|highest|minimum|maximum|fewest|most|"
                            r"shortest|longest|cheapest)\s+((?:[a-z]+\s+){0,2}?[a-z]+)\s*\?", re.I)
# "Find the dimensions of the cylinder that has the least amount of surface area.": the goal asked in a request
_ASKED_EXTREME_REQUEST = re.compile(r"^\s*(?:find|determine|what|which)\b[^.?!]*?\b(?:smallest|largest|least|"
                                    r"greatest|lowest|highest|minimum|maximum|fewest|shortest|longest|cheapest)\s+"
                                    r"((?:[a-z]+\s+){0,3}?[a-z]+)\s*[.?]\s*$", re.I | re.M)


def _asked_extreme_words(question: str) -> set[str]:
    """The content words of a question's superlative at the end of a sentence that asks ("... the smallest
    perimeter?"), or none."""
    found = _ASKED_EXTREME.search(question or "")
    return _words(found.group(1)) if found else set()


def _requested_extreme_words(question: str) -> set[str]:
    """The content words of a superlative ending a last sentence that requests ("Find the dimensions of the
    cylinder that has the least amount of surface area."), or none. A request names what it wants first (the
    dimensions, the height), so these words pick the objective only for a key that starts with them."""
    found = _ASKED_EXTREME_REQUEST.search(_last_sentence(question or ""))
    return _words(found.group(1)) if found else set()


def _last_sentence(text: str) -> str:
    parts = [p for p in re.split(r"(?<=[.?!])\s+", text.strip()) if p]
    return parts[-1] if parts else ""


# "without a catalyst" is ``no_catalyst``: the negations read as one word
_NEGATIONS = {"no": "not", "non": "not", "not": "not", "without": "not"}


def _words(text: str, name: bool = False) -> set[str]:
    """Content words of a key or (``name``) of a variable entry. The letter "a" is an article in a key
    but an index in a name (``machine_A``, ``x[a]``); a capital "A" after the first word of a key is an
    index too ("The number of machine A")."""
    parts = re.findall(r"[A-Za-z]+|\d+", re.sub(r"([a-z])([A-Z])", r"\1 \2", str(text)))
    out = set()
    for i, raw in enumerate(parts):
        w = raw.lower()
        if w in _STOP and not (w == "a" and (name or (raw == "A" and i > 0))):
            continue
        out.add(_NEGATIONS.get(w) or _stem(w))
    return out


def _stem(w: str) -> str:
    """:func:`optolab.agents.checks.stem` with a final "e" dropped too, so that singular and plural forms meet
    ("buses" and "bus", "houses" and "house"); words of three letters or fewer stay as they are."""
    if len(w) <= 3:
        return w
    w = stem(w)
    return w[:-1] if len(w) > 3 and w.endswith("e") else w


@dataclass
class Candidate:
    """One reportable value: the objective or a variable entry, with words that describe it."""

    key: str  # "objective" or a variable entry such as "trucks[A]"
    value: float
    words: set[str]
    label: str  # shown to the LLM


def candidates(values: dict[str, float], objective: float | None,
               descriptions: dict[str, str] | None = None, objective_text: str = "") -> list[Candidate]:
    descriptions = descriptions or {}
    out = []
    if objective is not None:
        out.append(Candidate(OBJECTIVE, float(objective), _words(objective_text) | {"objective"},
                             f"objective ({objective_text})" if objective_text else "objective"))
    for name, value in values.items():
        base = name.split("[", 1)[0]
        desc = descriptions.get(base, "")
        label = f"{name} ({desc})" if desc else name
        out.append(Candidate(name, float(value), _words(name, name=True) | _words(desc), label))
    return out


def _overlap_choice(key: str, cands: list[Candidate], goal_words: set[str] = frozenset(),
                    goal_parts: list[set[str]] | None = None, head_goal_words: set[str] = frozenset()) -> str | None:
    """The candidate that clearly matches ``key`` by words, or None when it is not clear. ``goal_words``: the
    content words of the question's goal ("maximize the number of meals delivered"); ``goal_parts``: the words
    of each item a goal lists ("the total number of limousines and buses"); ``head_goal_words``: goal words
    that name the objective only in the key's head ("The surface area" of "The surface area of the cylinder")."""
    kw = _words(key)
    # the goal words must name the asked quantity itself, not what it belongs to
    # ("The x coordinate of the best location" asks for a variable)
    head = re.split(r"\s(?:of|for)\s", key, maxsplit=1)[0]
    has_objective = any(c.key == OBJECTIVE for c in cands)
    if _OBJECTIVE_WORDS.search(head) and not re.search(r"\b(number|how many|amount|quantity)\b", key, re.I):
        return OBJECTIVE if has_objective else None
    variable = _variable_named_in(kw, cands) or _index_named_in(key, cands) or _key_within_name(kw, cands) \
        or _numbered_index(key, cands) or _compound_name(key, cands)
    if variable is None and has_objective and (_SUPERLATIVE_START.match(key) or goal_words & kw
                                               and not _one_of_listed(kw, goal_parts)
                                               or head_goal_words & _words(head)):
        # "The minimum number of machines", "Total NPV", "The number of meals delivered" when the question
        # maximizes the meals delivered: no variable is named, the goal is
        return OBJECTIVE
    return variable


def _one_of_listed(kw: set[str], parts: list[set[str]] | None) -> bool:
    """Whether a key names some but not all of the items a goal lists: "The number of limousines" beside the
    goal "the total number of limousines and buses" asks for one decision, not the objective."""
    if not parts or len(parts) < 2:
        return False
    hit = [bool(p & kw) for p in parts]
    return any(hit) and not all(hit)


def _goal_parts(question: str, phrase: str) -> list[set[str]]:
    """The words of each item the goal lists: "the total number of limousines" followed in the question by "and
    buses used" gives the limousines and the buses (the goal phrase itself ends at the first item)."""
    at = question.lower().find(phrase.lower())
    if at < 0 or not re.search(r"\b(?:number|amount|quantity|units)\s+of\b", phrase, re.I):
        return []  # only a count of things lists them: "the number of vans, trucks and cars"
    rest = re.split(r"[.?!;:]", question[at + len(phrase):], maxsplit=1)[0]
    listed = re.match(r"((?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|plus)\s+)(?!(?:while|which|that|so|subject|to|in|"
                      r"by|whereas|but|if|where|when|given|with|without|keeping|ensuring|then|also|the\s+company|"
                      r"it|they|he|she|we)\b)[a-z][a-z -]*?)+(?=\s+(?:that|which|to|in|"
                      r"at|by|for|while|so|subject)\b|\s*,|$)", rest, re.I)
    if not listed:
        return []
    items = [phrase] + re.split(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|plus)\s+", listed.group(0))
    parts = [_words(p) for p in items]
    return [p for p in parts if p]


def _index_named_in(key: str, cands: list[Candidate]) -> str | None:
    """The variable entry whose index, letters only, stands in the key ("Applesauce" in "Number of Apple Sauce
    batches"), every part of a tuple index; the longest when several do and one is longest."""
    text = folded(key)
    found = []
    for c in cands:
        if c.key == OBJECTIVE or "[" not in c.key:
            continue
        # each part of a tuple index on its own: "Units from Los Angeles to Region 1" names flow[Los Angeles,Region 1]
        # (both parts, so it wins over open[Los Angeles], which the key names one part of)
        parts = [folded(p) for p in c.key.split("[", 1)[1].rstrip("]").split(",")]
        if all(len(p) >= 3 and p in text or _initial_of(p, key) for p in parts):
            found.append((sum(map(len, parts)), c.key))
    found.sort(reverse=True)
    if not found or len(found) > 1 and found[0][0] == found[1][0]:
        return None
    return found[0][1]


def _numbered_index(key: str, cands: list[Candidate]) -> str | None:
    """The one variable entry whose index is the one number in the key ("The quantity of paper stock 2":
    ``use[2]``), when no other entry has that index."""
    numbers = re.findall(r"(?<![\d.,])(\d+)(?![\d.,])", key)
    if len(numbers) != 1:
        return None
    found = [c.key for c in cands if c.key != OBJECTIVE and "[" in c.key
             and c.key.split("[", 1)[1].rstrip("]").strip().strip("'\"") == numbers[0]]
    return found[0] if len(found) == 1 else None


def _initial_of(part: str, key: str) -> bool:
    """Whether an index like ``F1`` abbreviates a word and number of the key ("The quantity of Fertilizer 1")."""
    m = re.fullmatch(r"([a-z])(\d+)", part)
    return bool(m) and re.search(rf"\b{m.group(1)}[a-z]*\s*{m.group(2)}\b", key, re.I) is not None


def _key_within_name(kw: set[str], cands: list[Candidate]) -> str | None:
    """The one plain variable whose name holds every content word of the key ("The number of bikes" for
    ``electric_bikes``)."""
    if not kw:
        return None
    found = [c.key for c in cands if c.key != OBJECTIVE and "[" not in c.key and kw <= _words(c.key, name=True)]
    return found[0] if len(found) == 1 else None


def _count_total(values: dict[str, float], objective: float | None) -> float | None:
    """The sum of the decisions when they are all whole counts (two or more) and the objective is the value of
    one of them: what "The total number of vehicles used" asks for when the goal is the fewest scooters. None
    otherwise (then the objective, a total itself, answers such a key)."""
    counts = [v for v in values.values() if v is not None]
    if len(counts) < 2 or any(abs(v - round(v)) > 1e-6 for v in counts):
        return None
    total = float(round(sum(counts)))
    # only when the goal is one of the decisions alone ("minimize the number of scooters"); a goal that
    # weighs them ("the flowers transported") is the total such a key asks for
    if objective is None or not any(abs(objective - v) <= 1e-6 * max(1.0, abs(v)) for v in counts) \
            or abs(objective - total) <= 1e-6 * max(1.0, abs(total)):
        return None
    return total


def _compound_name(key: str, cands: list[Candidate]) -> str | None:
    """The one plain variable whose name is one run of letters that ends with a word of the key, not the word
    itself: ``hayharvester`` for "The acres processed by harvester" (names written without a separator are one
    word to the other rules). Words of five letters or more, so that a short word inside a name is no match."""
    words = {w.lower() for w in re.findall(r"[A-Za-z]{5,}", key)} - _STOP
    found = {c.key for c in cands if c.key != OBJECTIVE and re.fullmatch(r"[a-z]+", c.key)
             and any(c.key.endswith(w) and c.key != w for w in words)}
    return found.pop() if len(found) == 1 else None


def _variable_named_in(kw: set[str], cands: list[Candidate]) -> str | None:
    """The variable entry all of whose name and index words appear in the key words ``kw``, if just one
    has the most such words."""
    scored = []
    for c in cands:
        if c.key == OBJECTIVE or not c.words:
            continue
        name_words = _words(c.key, name=True)
        # every word of the variable's name and index appears in the key (a clipped name word, "limo" for
        # "limousines", counts when it has four letters or more, or three, "eng" for "English", when another
        # word of the name is in the key as it is)
        exact = name_words & kw
        if name_words and all(w in kw or (len(w) >= 4 or len(w) == 3 and exact and w.isalpha())
                              and any(k.startswith(w) for k in kw) for w in name_words):
            scored.append((len(name_words), c.key))
    if not scored:
        return None
    scored.sort(reverse=True)
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return None
    return scored[0][1]


def answer_schema(keys: list[str], choices: list[str]) -> type:
    """A pydantic model with fields k0, k1, ...; its JSON schema gives each an enum of ``choices``."""
    fields = {f"k{i}": (str, NONE) for i in range(len(keys))}

    def _enum(s: dict) -> None:  # the backend sees one enum per key; the reply is read as plain strings
        for i, k in enumerate(keys):
            s["properties"][f"k{i}"] = {"type": "string", "enum": choices, "description": k}
        s["required"] = [f"k{i}" for i in range(len(keys))]

    return create_model("AnswerMap", __config__=ConfigDict(json_schema_extra=_enum), **fields)


def _ask_llm(llm: Any, question: str, keys: list[str], cands: list[Candidate], max_tokens: int,
             context: list[dict] | None = None) -> dict[str, str]:
    schema = answer_schema(keys, [c.key for c in cands] + [NONE])
    listing = "\n".join(f"- {c.label} = {c.value:g}" for c in cands)
    asked = "\n".join(f"k{i}: {k}" for i, k in enumerate(keys))
    request = (f"Solved values:\n{listing}\n\nFor each asked quantity, give the name of the solved value it is "
               f"(\"objective\" for the optimal objective, \"none\" if no value matches). Answer with JSON "
               f"only:\n{asked}")
    if context:
        # the conversation that wrote the model: the model sees its own code (what each variable means),
        # and a local server reuses the work already done on that prompt
        messages = list(context) + [{"role": "user", "content": f"That model was solved. {request}"}]
    else:
        messages = [
            {"role": "system", "content": "You match the quantities a question asks for to the values of a solved "
                                          "model. Answer with JSON only."},
            {"role": "user", "content": f"Question:\n{question}\n\n{request}"},
        ]
    reply = llm.structured(messages, schema, max_tokens=max_tokens, temperature=0.0)
    data = reply.model_dump()
    return {k: data.get(f"k{i}", NONE) for i, k in enumerate(keys)}


def answer_keys(keys: Iterable[str], values: dict[str, float], objective: float | None, *,
                question: str = "", descriptions: dict[str, str] | None = None, objective_text: str = "",
                llm: Any = None, max_tokens: int = 300, context: list[dict] | None = None) -> dict[str, float]:
    """Values for the requested ``keys``; keys that match nothing are left out.

    ``context``: the messages (ending with the model's reply) that produced the solved model; the
    LLM pass then continues that conversation instead of starting a new one.

    ``values`` are the solved variable entries ("x", "trucks[A]"), ``descriptions`` the variables'
    descriptions by base name. Without ``llm`` only the word-overlap pass runs.
    """
    keys = [k for k in keys if str(k).strip()]
    cands = candidates(values, objective, descriptions, objective_text)
    by_key = {c.key: c for c in cands}
    total = _count_total(values, objective)
    if total is not None:
        by_key[TOTAL] = Candidate(TOTAL, total, set(), TOTAL)
    chosen: dict[str, str] = {}
    unclear = []
    goal = goal_of(question) if question else None
    goal_words = _words(goal.phrase) if goal else _asked_extreme_words(question)
    goal_parts = _goal_parts(question, goal.phrase) if goal else None
    head_goal_words = set() if goal or goal_words else _requested_extreme_words(question)
    for k in keys:
        pick = _overlap_choice(k, cands, goal_words, goal_parts, head_goal_words)
        if total is not None and pick in (None, OBJECTIVE) and _TOTAL_COUNT.match(k):
            pick = TOTAL
        if pick is None:
            unclear.append(k)
        else:
            chosen[k] = pick
    if unclear and llm is not None and cands:
        try:
            chosen.update(_ask_llm(llm, question, unclear, cands, max_tokens, context))
        except Exception:  # noqa: BLE001 - an unanswered key is reported as missing, never a crash
            pass
    return {k: by_key[c].value for k, c in chosen.items() if c in by_key}
