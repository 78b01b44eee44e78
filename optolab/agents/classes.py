"""The class of an optimization problem (transportation, blending, lot sizing...) guessed from its words.

Worked examples help a small model most when they are of the question's class: a shipping question shown a
facility-location example copies its open/close decisions, a blending question shown a per-station table
copies its station loop. Word overlap alone (BM25) is pulled by words every class uses ("cost", "total",
"units", "table"), so :func:`problem_class` scores each class by the cue words that set it apart and
:class:`~optolab.agents.retrieval.ExampleBank` ranks examples of the same class first.
"""

from __future__ import annotations

import re

# each class: its cue patterns with their weights; a word counts once however often it occurs
_CUES: dict[str, list[tuple[str, float]]] = {
    "transportation": [(r"\bship(?:s|ped|ping|ment|ments)?\b", 2), (r"\btransport", 2),
        (r"\bsuppl(?:y|ies)\b", 1), (r"\bwarehouses?\b", 1), (r"\bdepots?\b", 1), (r"\bstores?\b", 0.5),
        (r"\bdemands?\b", 1), (r"\bsends?\b|\bdeliver(?:s|ed|y)?\b", 1),
        (r"\bper (?:unit|pallet|ton(?:ne)?|truckload) shipped\b", 2),
        (r"\bfrom / to\b|\bfrom\s*\\\s*to\b", 2)],
    "assignment": [(r"\bassign(?:s|ed|ing|ment|ments)?\b", 3), (r"\bexactly one\b", 2),
        (r"\beach (?:worker|person|job|task|machine|nurse|employee|team)\b", 1),
        (r"\bone (?:job|task|project|location)\b", 1.5)],
    "knapsack": [(r"\bknapsack\b", 3), (r"\bselect(?:s|ed|ion)?\b|\bchoose\b|\bpick\b", 1),
        (r"\bweigh(?:s|t|ts)?\b", 1), (r"\bcapacity\b", 0.5), (r"\bvalue\b", 1), (r"\bload(?:ed)?\b", 1),
        (r"\bpack(?:ed)?\b", 1), (r"\bitems?\b", 0.5), (r"\bcargo\b", 1.5), (r"\bat most once\b", 2),
        (r"\bprojects?\b", 1), (r"\bwhich (?:projects|items|spots|crates|investments)\b", 2)],
    "blending": [(r"\bblend(?:s|ed|ing)?\b", 3), (r"\bmix(?:es|ed|ture|tures)?\b", 2), (r"\bdiet\b", 2),
        (r"\bnutri(?:ent|ents|tion)\b", 2), (r"\bvitamins?\b", 1.5), (r"\bprotein\b", 1.5),
        (r"\bcalories?\b", 1), (r"\boctane\b", 3), (r"\balloy\b", 2), (r"\bingredients?\b", 1.5),
        (r"\bcontent\b", 1), (r"\bfeeds?\b", 1), (r"\bpercent\b|%", 0.5)],
    "facility location": [(r"\bopen(?:s|ed|ing)?\b", 4), (r"\bfixed (?:cost|charge)", 1.5),
        (r"\bsites?\b", 1), (r"\blocat(?:e|ion|ions)\b", 1), (r"\bserved?\b", 1), (r"\bbuild\b", 0.5),
        (r"\bcover(?:s|ed|ing)?\b", 1.5)],
    "scheduling": [(r"\bshifts?\b", 2.5), (r"\bstaff(?:ed|ing)?\b", 1.5),
        (r"\bschedul(?:e|es|ed|ing)\b", 1.5), (r"\bconsecutive\b", 2), (r"\bnurses?\b", 1),
        (r"\bon duty\b", 2), (r"\bdays? (?:a|per) week\b", 1), (r"\bjobs?\b", 0.5), (r"\bdeadlines?\b", 2),
        (r"\bmakespan\b", 3), (r"\bdays? off\b", 2), (r"\bmonday\b", 1.5)],
    "network flow": [(r"\bpaths?\b", 2), (r"\broutes?\b", 1), (r"\barcs?\b", 2.5), (r"\bnodes?\b", 2),
        (r"\bflows?\b", 2), (r"\bpipes?\b|\bpipelines?\b", 2), (r"\blinks?\b", 1.5), (r"\bnetwork\b", 2),
        (r"\bshortest\b", 2.5), (r"\bthrough\b", 0.5), (r"\bhubs?\b", 1.5), (r"\broads?\b", 1),
        (r"(?-i:\b[A-Z]\d? to [A-Z]\d?\b)", 2)],  # links written "S to X"
    "lot sizing": [(r"\bmonths?\b|\bmonthly\b", 1), (r"\binventory\b", 2), (r"\bstock\b", 1),
        (r"\bholding cost", 2.5), (r"\bstor(?:e|ed|age|ing) (?:cost|from)\b|\bcarr(?:y|ied) over\b", 2),
        (r"\bset-?ups?\b", 1.5), (r"\border(?:s|ing)? (?:quantity|cost)\b", 2), (r"\bbacklog", 2),
        (r"\bperiods?\b", 1), (r"\bend of (?:each|the) (?:month|week|quarter)\b", 2)],
    "cutting and packing": [(r"\bcut(?:s|ting)?\b", 2), (r"\bpatterns?\b", 2.5), (r"\brolls?\b", 1.5),
        (r"\bbars?\b", 1), (r"\bbins?\b", 2.5), (r"\bboxes\b", 1), (r"\bwaste\b|\btrim\b", 1.5),
        (r"\bpieces?\b", 1), (r"\bcannot be split\b", 2),
        (r"\bsmallest number of (?:vans|bins|boxes|trucks|containers|rolls|bars)\b", 2)],
    "portfolio": [(r"\binvest(?:s|ed|ing|ment|ments|or)?\b", 2), (r"\bportfolio\b", 3), (r"\breturns?\b", 1),
        (r"\brisk\b", 1.5), (r"\bvariance\b|\bcovariance\b", 2.5), (r"\bfunds?\b", 1), (r"\bstocks?\b", 0.5),
        (r"\bbonds?\b", 1.5)],
    "production": [(r"\bproduc(?:e|es|ed|ing|tion)\b", 1), (r"\bmanufactur", 1.5), (r"\bmakes?\b", 1),
        (r"\bprofit\b", 1), (r"\bmachines?\b", 1), (r"\bhours? (?:of|on)\b", 1), (r"\bresources?\b", 1),
        (r"\blabou?r\b", 1), (r"\braw materials?\b", 1)],
    "geometric design": [(r"\bradius\b", 3), (r"\bheight\b", 2), (r"\bwidth\b|\blength\b", 1.5),
        (r"\barea\b", 1.5), (r"\bvolume\b", 1), (r"\bsquare (?:metres?|meters?|feet)\b", 1), (r"\bcylind", 3),
        (r"\bdimensions?\b", 2), (r"\bperimeter\b", 2.5), (r"\bfence\b|\bfencing\b", 2)],
}
_COMPILED = {name: [(re.compile(p, re.IGNORECASE), w) for p, w in cues] for name, cues in _CUES.items()}
CLASSES = tuple(_CUES)
_MIN_SCORE = 2.5  # a class needs more than one weak cue
_MARGIN = 1.0  # and a lead over the next class; below it the question is of no one class


def class_scores(question: str) -> dict[str, float]:
    """Each class's cue score for ``question`` (0 for a class none of whose cues it has)."""
    text = question or ""
    return {name: sum(w for pattern, w in cues if pattern.search(text)) for name, cues in _COMPILED.items()}


def problem_class(question: str) -> str | None:
    """The class whose cues ``question`` has most, when that is clear (enough cues, and a lead over the
    next class); None otherwise."""
    ranked = sorted(class_scores(question).items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    return best if top >= _MIN_SCORE and top - second >= _MARGIN else None
