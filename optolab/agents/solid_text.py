"""Container design questions read from their text: which solid, its faces and prices, what it must hold.

A textbook design question names a solid (a can, a box with a square base and no top, a box folded from a sheet
with squares cut from its corners, a parcel under a length-plus-girth limit, a cylinder inside a sphere), the
faces it has and what each costs per unit area ("$3 per square inch for the sides and $15 for the top and
bottom", "the top costs twice the side"), and the volume it must hold or the material it may use.
:func:`read_solid` reads all of that into a :class:`Solid`, or returns None when any part is unclear (a price
relation without its number, two volumes, a lid or a partition it has no formula for); the formulas and the
check of LLM-written code against them are in :mod:`optolab.agents.solids`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

_NUMBER = r"(\d+(?:,\d{3})*(?:\.\d+)?(?:\s*/\s*\d+)?)"
_SPELLED = {"twice": 2.0, "double": 2.0, "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0, "six": 6.0,
            "half": 0.5, "thrice": 3.0, "triple": 3.0}
_VOLUME_UNIT = re.compile(r"\s*(?:cubic\s+\w+|(?:cm|in|m|ft|mm)\s*(?:\^\s*3|3|³)|(?:centi|milli)?met(?:er|re)s?\s+"
                          r"cubed|inch(?:es)?\s+cubed|feet\s+cubed|lit(?:er|re)s?|l\b)", re.I)
_AREA_UNIT = re.compile(r"\s*(?:square\s+\w+|sq\.?\s*\w+|(?:cm|in|m|ft)\s*(?:\^\s*2|2|²))", re.I)
_AT_LEAST = re.compile(r"\b(?:at\s+least|no\s+less\s+than|a\s+minimum\s+of|minimum\s+of|not\s+less\s+than)\s*$",
                       re.I)
_AT_MOST = re.compile(r"\b(?:at\s+most|no\s+more\s+than|up\s+to|a\s+maximum\s+of|not\s+more\s+than|not\s+exceed\w*)"
                      r"\s*$", re.I)
_MAX_VOLUME = re.compile(r"\b(?:maximi[sz]\w*|largest|greatest|maximum|biggest)\s+(?:\w+\s+){0,4}?volume"
                         r"|\b(?:largest|biggest|greatest)\s+(?:\w+\s+){0,2}?(?:box|cylinder|can|container)"
                         r"|\bvolume\s+(?:\w+\s+){0,3}?(?:is\s+)?(?:maximi[sz]ed|as\s+large)", re.I)
_MIN_MATERIAL = re.compile(r"\b(?:least|minimi[sz]\w*|smallest|lowest|minimum|cheapest|fewest)\b", re.I)
_NO_TOP = re.compile(r"\b(?:no|without\s+a|open)[- ]top(?:ped)?\b|\bfive\s+sides\b|\btop\s+is\s+open\b"
                     r"|\ban?\s+open\s+(?:\w+\s+)?(?:box|carton|crate|tray|can|tank|container|cylinder|bin)\b", re.I)
_NO_BOTTOM = re.compile(r"\b(?:no|without\s+a|open)[- ]bottom\b|\bbottomless\b", re.I)
_OTHER_SOLID = re.compile(r"\b(?:cone|conical|pyramid|prism|triangular|trough|cube|cubes|tank\s+with|hexag\w*|"
                          r"semicirc\w*|window|partition\w*|divider\w*|dividing|compartment\w*|lid|lids|handle|"
                          r"weld\w*|seam\w*|label\w*|paint\w*)\b", re.I)
_FACE_WORDS = [(r"\b(?:sides?|lateral|walls?|curved\s+surface)\b", {"sides"}), (r"\btop\b", {"top"}),
               (r"\b(?:bottom|base|floor)\b", {"bottom"}), (r"\b(?:ends|both\s+ends)\b", {"top", "bottom"})]
_PRICE = re.compile(rf"\$\s*{_NUMBER}\s*(?:per\s+|/\s*|a\s+|for\s+each\s+)(?:square|sq|in|cm|m|ft|unit)"
                    rf"|\b{_NUMBER}\s*(cents?|dollars?)\s+(?:per|a)\s+(?:square|sq)", re.I)
_BOX = r"\b(?:box|boxes|carton|crate|chest|tray|parcel|package|packet)\b"


@dataclass
class Solid:
    """A container design question: its dimensions, its faces and what they cost, what it must hold."""

    kind: str  # "cylinder", "square box", "long box", "folded box", "girth box", "cylinder in sphere"
    goal: str  # "material": the least (weighted) surface; "volume": the largest volume
    weights: dict[str, float] = field(default_factory=lambda: {"bottom": 1.0, "top": 1.0, "sides": 1.0})
    top: str = "flat"  # "flat", "hemisphere" (a cylinder's dome), "square" (cut from a square of side 2r)
    bottom: str = "flat"  # "flat" or "square"
    volume: tuple[str, float] | None = None  # the volume row: relation and number
    material: tuple[str, float] | None = None  # the area or cost row of a volume goal
    ratio: float | None = None  # long box: base length = ratio * base width
    sheet: tuple[float, float] | None = None  # folded box: the sheet's two sides
    limit: float | None = None  # girth box: length + girth at most this; cylinder in sphere: the sphere's radius
    described: str = ""

    @property
    def dimensions(self) -> list[str]:
        return {"cylinder": ["radius", "height"], "square box": ["side", "height"],
                "long box": ["width", "length", "height"], "folded box": ["height", "length", "width"],
                "girth box": ["side", "length"], "cylinder in sphere": ["radius", "height"]}[self.kind]


def _number(text: str) -> float:
    text = text.replace(",", "").replace(" ", "")
    if "/" in text:
        a, b = text.split("/")
        return float(a) / float(b)
    return float(text)


def _faces(text: str) -> set[str]:
    return set().union(*(faces for pattern, faces in _FACE_WORDS if re.search(pattern, text, re.I)))


def _sentences(question: str) -> list[str]:
    return [p for p in re.split(r"(?<=[.!?])\s+|;\s*", question) if p.strip()]


def _multiple(text: str) -> float | None:
    m = re.search(rf"(?:{_NUMBER}|\b(twice|double|three|thrice|triple|four|five|half)\b)\s*(?:times?\s+)?"
                  r"(?:as\s+(?:great|expensive|much|costly|high)|the\s+(?:cost|price))", text, re.I)
    if not m:
        return None
    return _number(m.group(1)) if m.group(1) else _SPELLED[m.group(2).lower()]


def _prices(question: str, solid: Solid) -> bool:
    """Reads the cost per unit area of each face into ``solid.weights`` (scaled by a price all faces share);
    False when a price is stated in a way this does not read."""
    scale = 1.0
    relative: dict[str, float] = {}
    absolute: dict[str, float] = {}
    for sentence in _sentences(question):
        prices = list(_PRICE.finditer(sentence))
        for k, price in enumerate(prices):
            # the faces a price is for: named between the price before it and this one, else after it
            start = prices[k - 1].end() if k else 0
            end = prices[k + 1].start() if k + 1 < len(prices) else len(sentence)
            faces = _faces(sentence[start:price.start()]) or _faces(sentence[price.end():end])
            value = _number(price.group(1) or price.group(2))
            if re.search(r"cents?\b", price.group(0), re.I):
                value /= 100
            if faces:
                for face in faces:
                    absolute[face] = value
            else:
                scale = value
        if prices:
            continue
        multiple = _multiple(sentence)
        if multiple is not None:
            head, tail = _split_comparison(sentence)
            subject, reference = _faces(head), _faces(tail)
            if not subject or not reference or subject & reference or len(reference) != 1:
                return False
            for face in subject:
                relative[face] = multiple
        elif re.search(r"\b(?:times\s+as|expensive|cheaper|costs?\s+more)\b", sentence, re.I):
            return False  # a price relation without a number ("a material that is times as expensive")
    if absolute and relative:
        return False
    for face, value in absolute.items():
        solid.weights[face] = value
    missing = {"bottom", "top", "sides"} - set(absolute)
    if absolute and any(solid.weights[f] for f in missing):
        return False  # a price for some faces only: the others cost what the text does not say
    for face, value in relative.items():
        solid.weights[face] = value
    for face in solid.weights:
        solid.weights[face] *= scale
    return True


def _split_comparison(part: str) -> tuple[str, str]:
    """The words before a price comparison and after it: "the top and bottom ... 3 times as expensive | as the
    material used for the lateral side"."""
    m = re.search(r"\b(?:times?|twice|double|half)\b", part, re.I)
    if not m:
        return part, ""
    return part[:m.start()], part[m.end():]


def _volume(question: str) -> tuple[str, float] | None:
    """The volume the solid must hold: the one number the text gives in cubic units or as "volume (of) N"."""
    found = set()
    for m in re.finditer(rf"{_NUMBER}(\s*(?:π|pi)\b|\s*π)?", question):
        before, after = question[max(0, m.start() - 40):m.start()], question[m.end():m.end() + 30]
        unit = _VOLUME_UNIT.match(after)
        if not unit and not re.search(r"\bvolume\b(?:[^.]{0,30}?(?:\bof|\bis|=|\bbe|\bleast|\bto))?\s*$", before,
                                      re.I):
            continue
        if re.search(r"\b(?:surface|area)\b[^.]{0,20}$", before, re.I):
            continue  # "a surface area of 50": material, not volume
        value = _number(m.group(1)) * (math.pi if m.group(2) else 1.0)
        if unit and re.match(r"\s*lit(?:er|re)s?|\s*l\b", unit.group(0), re.I):
            if not re.search(r"centimet|\bcm\b", question, re.I):
                return None
            value *= 1000.0  # a litre is 1000 cubic centimetres
        relation = ">=" if _AT_LEAST.search(before) else "=="
        found.add((relation, value))
    return found.pop() if len(found) == 1 else None


def _material(question: str) -> tuple[str, float] | None:
    """The material a volume goal may use: "45 square meters of material", "surface area 50"."""
    found = set()
    for m in re.finditer(_NUMBER, question):
        before, after = question[max(0, m.start() - 40):m.start()], question[m.end():m.end() + 30]
        if not (_AREA_UNIT.match(after) or re.search(r"\bsurface\s+area\b(?:\s+(?:of\s+the\s+\w+|is|of|=|must\s+be|"
                                                      r"at\s+most|is\s+at\s+most))*\s*$", before, re.I)):
            continue
        found.add(("<=" if _AT_MOST.search(before) or re.search(r"\bhave\b|\bavailable\b", before + after, re.I)
                   else "==", _number(m.group(1))))
    return found.pop() if len(found) == 1 else None


def read_solid(question: str) -> Solid | None:
    """The container design the question asks about, or None when it is not clearly one this reads."""
    if _OTHER_SOLID.search(question):
        return None
    cylinder = re.search(r"\bcylind\w*", question, re.I) is not None
    box = re.search(_BOX, question, re.I) is not None
    if cylinder == box:
        return None
    special = _shaped_by_a_limit(question, cylinder)
    if special is not None or re.search(r"\bsphere\b|\bgirth\b|\bcorners?\b", question, re.I):
        return special
    solid = _container(question, cylinder)
    if solid is None or not _goal(question, solid) or not _prices(question, solid):
        return None
    layers = re.search(r"([^.,;]*)\b(?:two|double)\s+layers?\b", question, re.I)
    if layers:
        faces = _faces(re.split(r"\bso\s+that\b", layers.group(1))[-1])
        if not faces:
            return None
        for face in faces:
            solid.weights[face] *= 2
    solid.described = _description(solid)
    return solid


def _shaped_by_a_limit(q: str, cylinder: bool) -> Solid | None:
    """A box folded from a sheet, a parcel under a length-plus-girth limit, a cylinder inside a sphere: solids
    whose largest volume a single limit fixes."""
    if not _MAX_VOLUME.search(q):
        return None
    if not cylinder and re.search(r"\b(?:cut|cutting|remov\w+)\b.{0,60}\bcorners?\b|\bcorners?\b.{0,40}\bcut\b", q,
                                  re.I | re.S):
        sheet = re.search(rf"{_NUMBER}\s*(?:-?\s*(?:inch(?:es)?|in\.?|cm|centimet\w+|met(?:er|re)s?|m|feet|ft|foot))?"
                          rf"\s*(?:by|x|×)\s*{_NUMBER}", q, re.I)
        if not sheet:
            return None
        a, b = sorted((_number(sheet.group(1)), _number(sheet.group(2))), reverse=True)
        return Solid("folded box", "volume", sheet=(a, b),
                     described=f"an open box folded from a {a:g} by {b:g} sheet with squares cut from its corners")
    if not cylinder and re.search(r"\bgirth\b", q, re.I):
        limit = re.search(rf"(?:at\s+most|no\s+more\s+than|not\s+exceed\w*)\s+{_NUMBER}", q, re.I)
        if not limit or not re.search(r"square\s+(?:front|ends?|cross)", q, re.I):
            return None
        n = _number(limit.group(1))
        return Solid("girth box", "volume", limit=n,
                     described=f"a box with square ends whose length plus girth is at most {n:g}")
    if cylinder and re.search(r"\bsphere\b", q, re.I) and re.search(r"\b(?:in|inside|within|inscribed|fits)\b", q,
                                                                     re.I):
        radius = re.search(rf"(?:sphere\s+(?:of|with)\s+(?:a\s+)?radius\s*(?:of\s*)?|radius\s+of\s+the\s+sphere\s+is\s*)"
                           rf"{_NUMBER}", q, re.I)
        if not radius:
            return None
        n = _number(radius.group(1))
        return Solid("cylinder in sphere", "volume", limit=n, described=f"a cylinder inside a sphere of radius {n:g}")
    return None


def _container(q: str, cylinder: bool) -> Solid | None:
    """A cylinder (with its top's shape) or a box with a square base or a base length a multiple of its width,
    with the faces the text leaves off at weight 0."""
    if cylinder:
        solid = Solid("cylinder", "")
        if re.search(r"hemispher", q, re.I):
            solid.top = "hemisphere"
        if re.search(r"squares?\s+of\s+side\s+2\s*\*?\s*r\b|cut\s+from\s+squares", q, re.I):
            if solid.top != "flat":
                return None
            solid.top = solid.bottom = "square"
    elif re.search(r"square[- ](?:base|bottom)\w*|base\s+(?:is\s+)?(?:a\s+)?square\b|square\s+bottomed", q, re.I):
        solid = Solid("square box", "")
    else:
        ratio = re.search(rf"base\s+length\s+(?:of\s+the\s+box\s+)?(?:is|should\s+be|must\s+be|equals?)\s+"
                          rf"(?:{_NUMBER}|(\w+))\s+times\s+(?:as\s+long\s+as\s+)?(?:the\s+)?(?:base\s+)?width", q, re.I)
        k = None if not ratio else _number(ratio.group(1)) if ratio.group(1) else _SPELLED.get(ratio.group(2).lower())
        if k is None:
            return None
        solid = Solid("long box", "", ratio=k)
    if _NO_TOP.search(q) or re.search(r"\bbottom\s+but\s+no\s+top\b", q, re.I):
        solid.weights["top"] = 0.0
    if _NO_BOTTOM.search(q):
        solid.weights["bottom"] = 0.0
    return None if solid.top == "hemisphere" and solid.weights["top"] == 0 else solid


def _goal(q: str, solid: Solid) -> bool:
    """Reads what is optimized and the number that limits it into ``solid``; False when either is unclear."""
    if _MAX_VOLUME.search(q):
        solid.goal, solid.material = "volume", _material(q)
        return solid.material is not None
    if _MIN_MATERIAL.search(q):
        solid.goal, solid.volume = "material", _volume(q)
        return solid.volume is not None
    return False


def _description(solid: Solid) -> str:
    what = {"cylinder": "a cylinder", "square box": "a box with a square base",
            "long box": f"a box whose base length is {solid.ratio or 0:g} times its width"}[solid.kind]
    if solid.top == "hemisphere":
        what += " with a hemispherical top"
    if solid.top == "square":
        what += " whose top and bottom are cut from squares of side 2r"
    open_faces = [f for f in ("top", "bottom") if solid.weights[f] == 0]
    if open_faces:
        what += " with no " + " and no ".join(open_faces)
    return what
