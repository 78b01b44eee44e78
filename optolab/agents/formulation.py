"""The structured formulation the modeling agent asks a model to fill in.

A small model writes structure far more reliably than long free-form code, so the agent asks
for sets, parameters, typed variables, an objective and constraints as JSON, and the library
writes the Pyomo code (:mod:`optolab.agents.codegen`). Expressions are Python expressions over
the variable, parameter and set names, e.g. ``"sum(profit[p] * make[p] for p in products)"``.

The validators are deliberately forgiving about spelling ("max", "Maximize", "int", "≤",
"2x") because a small model's slips should be repaired here rather than cost a retry.
"""

from __future__ import annotations

import json
import keyword
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_BUILTIN_NAMES = {"sum", "min", "max", "len", "range", "abs", "pyo", "model", "math", "round", "list", "dict", "set",
                  "int", "float", "str", "print", "sorted", "enumerate", "zip", "any", "all", "objective",
                  "dual", "slack", "rc", "lrc", "urc", "exp", "log", "sqrt", "sin", "cos", "tan", "log10"}


def identifier(name: Any) -> str:
    """A safe Python identifier from a name a model wrote ("Number of trucks" -> "number_of_trucks")."""
    text = re.sub(r"\W+", "_", str(name).strip()).strip("_") or "v"
    if text[0].isdigit():
        text = f"v_{text}"
    if keyword.iskeyword(text) or text in _BUILTIN_NAMES:
        text = f"{text}_"
    return text


_SENSES = {"max": "maximize", "maximize": "maximize", "maximise": "maximize", "maximization": "maximize",
           "min": "minimize", "minimize": "minimize", "minimise": "minimize", "minimization": "minimize"}
_TYPES = {"continuous": "continuous", "real": "continuous", "float": "continuous", "nonnegativereals": "continuous",
          "reals": "continuous", "number": "continuous", "integer": "integer", "int": "integer",
          "integers": "integer", "nonnegativeintegers": "integer", "whole": "integer", "binary": "binary",
          "bool": "binary", "boolean": "binary", "0-1": "binary", "01": "binary"}


def clean_expression(text: Any) -> str:
    """Repair common slips in an expression a model wrote; the result is still plain Python."""
    s = str(text).strip().rstrip(";").strip()
    s = (s.replace("≤", "<=").replace("≥", ">=").replace("≠", "!=").replace("×", "*").replace("·", "*")
         .replace("−", "-").replace("–", "-").replace("÷", "/"))
    s = s.replace("^", "**")
    s = s.replace("=<", "<=").replace("=>", ">=")
    s = re.sub(r"(?<![<>=!])=(?![=])", "==", s)  # a lone '=' in a constraint means equality
    # implicit multiplication: "3x" -> "3*x", "2 (a+b)" -> "2*(a+b)" (but not "1e5" or names like "x2")
    s = re.sub(r"(?<![\w.])(\d+(?:\.\d+)?)(?![eE][+-]?\d)(?!\s*(?:for|if|in|and|or|else|not|is)\b)\s*(?=[A-Za-z_(])",
               r"\1*", s)
    s = re.sub(r"\)\s*(?=[A-Za-z_(])(?!(?:for|if|in|and|or|else|not)\b)", ")*", s)
    return s


def _objective_side(expr: str) -> str:
    """An objective written as ``total_cost = 3*x + 2*y`` is its right-hand side; a comparison
    inside it (a filter such as ``if pipe_to[p] == sink``) is left alone."""
    import ast

    try:
        top = ast.parse(expr, mode="eval").body
    except SyntaxError:
        return expr
    if (isinstance(top, ast.Compare) and len(top.ops) == 1 and isinstance(top.ops[0], ast.Eq)
            and isinstance(top.left, ast.Name)):
        return ast.unparse(top.comparators[0])
    return expr


def _int_like(x: Any) -> Any:
    if isinstance(x, str) and re.fullmatch(r"-?\d+", x.strip()):
        return int(x.strip())
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return x


def _int_keys(value: Any) -> Any:
    """Digit-string dict keys become ints, at every depth."""
    if isinstance(value, dict):
        return {_int_like(k): _int_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_int_keys(v) for v in value]
    return value


class Variable(BaseModel):
    """A decision variable, optionally indexed by one or more sets."""

    model_config = ConfigDict(extra="ignore")

    name: str
    description: str = ""
    type: Literal["continuous", "integer", "binary"] = "continuous"
    lower: float | None = 0.0
    upper: float | None = None
    index: list[str] = Field(default_factory=list, description="names of the sets indexing this variable")

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, v: Any) -> str:
        return identifier(v)

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, v: Any) -> str:
        key = re.sub(r"[\s_]", "", str(v or "continuous").lower())
        return _TYPES.get(key, "continuous")

    @field_validator("index", mode="before")
    @classmethod
    def _index(cls, v: Any) -> list[str]:
        if v in (None, "", [], "none", "None"):
            return []
        if isinstance(v, str):
            v = [p for p in re.split(r"[,\s×*]+", v) if p]
        return [identifier(x) for x in v]

    @field_validator("lower", "upper", mode="before")
    @classmethod
    def _bound(cls, v: Any) -> float | None:
        if v is None or (isinstance(v, str) and v.strip().lower() in ("", "none", "null", "inf", "infinity", "-inf")):
            return None
        return float(v)


class Objective(BaseModel):
    model_config = ConfigDict(extra="ignore")

    sense: Literal["minimize", "maximize"]
    expression: str
    description: str = ""

    @field_validator("sense", mode="before")
    @classmethod
    def _sense(cls, v: Any) -> str:
        key = str(v).strip().lower()
        if key not in _SENSES:
            raise ValueError(f"sense must be 'minimize' or 'maximize', got {v!r}")
        return _SENSES[key]

    @field_validator("expression", mode="before")
    @classmethod
    def _expr(cls, v: Any) -> str:
        return _objective_side(clean_expression(v))


class Constraint(BaseModel):
    """``expression`` compares two sides; ``for_each`` ("i in items, j in sites") repeats it."""

    model_config = ConfigDict(extra="ignore")

    name: str = ""
    expression: str
    for_each: str | None = None
    description: str = ""

    @field_validator("expression", mode="before")
    @classmethod
    def _expr(cls, v: Any) -> str:
        return clean_expression(v)

    @field_validator("for_each", mode="before")
    @classmethod
    def _for_each(cls, v: Any) -> str | None:
        if v is None or not str(v).strip() or str(v).strip().lower() in ("none", "null"):
            return None
        text = str(v).strip()
        text = re.sub(r"^for\s+", "", text)
        text = re.sub(r"\s+for\s+", ", ", text)
        text = text.replace("∈", " in ")
        return re.sub(r"\s+", " ", text)


def _request_schema(schema: dict[str, Any]) -> None:
    """What the LLM is asked for: the requirements first (a short plan in words, written before the
    model), and at least one constraint. Grammar-constrained decoding then cannot skip either,
    which is the commonest failure of a small model (a model with no constraints at all)."""
    props = schema.get("properties", {})
    order = ["requirements", "sets", "parameters", "variables", "objective", "constraints"]
    schema["properties"] = {k: props[k] for k in order if k in props} | {k: v for k, v in props.items()
                                                                        if k not in order}
    schema["required"] = ["requirements", "variables", "constraints", "objective"]
    if "requirements" in props:
        props["requirements"]["minItems"] = 1
    for name in ("constraints", "variables"):
        if name in props:
            props[name]["minItems"] = 1


class Formulation(BaseModel):
    """A complete optimization model in data form.

    ``requirements`` lists, in words, every limit, requirement and goal the problem states (with
    its numbers); it is written first, as a plan, and each entry should become a constraint or
    the objective.
    """

    model_config = ConfigDict(extra="ignore", json_schema_extra=_request_schema)

    requirements: list[str] = Field(default_factory=list,
                                    description="every limit, requirement and goal of the problem in words, "
                                                "with its numbers, one per entry")
    sets: dict[str, list[Any]] = Field(default_factory=dict)
    parameters: dict[str, Any] = Field(default_factory=dict)
    variables: list[Variable]
    objective: Objective
    constraints: list[Constraint] = Field(default_factory=list)

    @field_validator("requirements", mode="before")
    @classmethod
    def _requirements(cls, v: Any) -> list[str]:
        if v in (None, "", []):
            return []
        if isinstance(v, str):
            return [line.strip(" -*\t") for line in v.splitlines() if line.strip(" -*\t")]
        if isinstance(v, dict):
            return [f"{k}: {x}" for k, x in v.items()]
        return [x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in v]

    @field_validator("sets", "parameters", mode="before")
    @classmethod
    def _names(cls, v: Any) -> dict:
        if v in (None, "", []):
            return {}
        if isinstance(v, list):  # [{"name": ..., "value"/"values": ...}] is a common shape
            out = {}
            for item in v:
                if isinstance(item, dict) and "name" in item:
                    out[item["name"]] = item.get("value", item.get("values", item.get("elements")))
            v = out
        return {identifier(k): val for k, val in v.items()}

    @model_validator(mode="after")
    def _unique(self) -> "Formulation":
        # JSON object keys are always text: "1" and 1 must mean the same set element
        self.sets = {k: [_int_like(x) for x in v] if isinstance(v, list) else v for k, v in self.sets.items()}
        self.parameters = {k: _int_keys(v) for k, v in self.parameters.items()}
        var_names = {v.name for v in self.variables}
        for name in [n for n in self.sets if n in var_names]:
            # a set named like a variable ("loaves" both): the set is renamed where it is looped over
            self._rename_set(name, f"{name}_set")
        seen: dict[str, str] = {}
        for kind, names in (("set", self.sets), ("parameter", self.parameters),
                            ("variable", [v.name for v in self.variables])):
            for n in names:
                if n in seen:
                    raise ValueError(f"the name {n!r} is used for a {seen[n]} and a {kind}; use distinct names")
                seen[n] = kind
        for i, c in enumerate(self.constraints):
            if not c.name:
                c.name = f"c{i + 1}"
            else:
                c.name = identifier(c.name)
        names = [c.name for c in self.constraints]
        for i, c in enumerate(self.constraints):
            if names.count(c.name) > 1:
                c.name = f"{c.name}_{i + 1}"
        if not self.variables:
            raise ValueError("the formulation has no decision variables")
        return self

    def _rename_set(self, old: str, new: str) -> None:
        self.sets = {(new if k == old else k): v for k, v in self.sets.items()}
        loop = re.compile(rf"(\bin\s+){re.escape(old)}\b")
        for v in self.variables:
            v.index = [new if s == old else s for s in v.index]
        for c in self.constraints:
            c.expression = loop.sub(rf"\g<1>{new}", c.expression)
            if c.for_each:
                c.for_each = loop.sub(rf"\g<1>{new}", c.for_each)
        self.objective.expression = loop.sub(rf"\g<1>{new}", self.objective.expression)

    def variable(self, name: str) -> Variable | None:
        return next((v for v in self.variables if v.name == name), None)

    def to_math(self) -> str:
        """The formulation in readable notation, for people."""
        lines = [f"{self.objective.sense} {self.objective.expression}", "subject to"]
        for c in self.constraints:
            scope = f"   for {c.for_each}" if c.for_each else ""
            lines.append(f"  [{c.name}] {c.expression}{scope}")
        for v in self.variables:
            dom = {"continuous": "real", "integer": "integer", "binary": "binary"}[v.type]
            idx = f"[{', '.join(v.index)}]" if v.index else ""
            lo = "-inf" if v.lower is None else f"{v.lower:g}"
            hi = "inf" if v.upper is None else f"{v.upper:g}"
            bounds = "" if v.type == "binary" else f", {lo} <= {v.name}{idx} <= {hi}"
            lines.append(f"  {v.name}{idx}: {dom}{bounds}" + (f"   ({v.description})" if v.description else ""))
        return "\n".join(lines)
