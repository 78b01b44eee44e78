"""What every optimizer shares: its parameters, feedback clearing, step records and history."""

from __future__ import annotations

import ast
import builtins
import json
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from optolab.errors import NameClashError, ParameterUpdateError, TraceError
from optolab.files import write_text_atomic
from optolab.trace.nodes import Parameter


@dataclass
class StepRecord:
    """Everything one optimizer step did, for debugging and for ``history`` files."""

    step: int
    system_prompt: str = ""
    user_prompt: str = ""
    replies: list[str] = field(default_factory=list)
    reasoning: str = ""
    answer: str = ""
    suggestion: dict[str, Any] = field(default_factory=dict)
    updates: dict[str, dict[str, Any]] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    error: str | None = None
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hits: int = 0
    seconds: float = 0.0
    llm_seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def overhead_seconds(self) -> float:
        """Time of the step spent outside LLM calls."""
        return max(0.0, self.seconds - self.llm_seconds)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["overhead_seconds"] = self.overhead_seconds
        return _jsonable(d)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def collect_parameters(parameters: Any) -> list[Parameter]:
    """Accept a module, a single parameter, or an iterable of parameters / (name, parameter) pairs."""
    if hasattr(parameters, "parameters") and callable(parameters.parameters) and not isinstance(parameters, Parameter):
        parameters = parameters.parameters()
    if isinstance(parameters, Parameter):
        parameters = [parameters]
    out: list[Parameter] = []
    seen: set[int] = set()
    for item in parameters:
        if isinstance(item, tuple) and len(item) == 2:
            item = item[1]
        code = getattr(item, "code", None)
        if not isinstance(item, Parameter) and isinstance(code, Parameter):
            item = code  # a trainable operator: optimize its code
        if not isinstance(item, Parameter):
            raise TraceError(
                f"optimizers take trainable parameters; got {type(item).__name__}. Make one with "
                "trace.node(value, trainable=True) or pass a trace.Module"
            )
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    if not out:
        raise TraceError("the optimizer got no trainable parameters")
    names = [p.name for p in out]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise NameClashError(
            f"several parameters given to the optimizer are named {dupes}; the optimizer talks about them by "
            "name, so give each a distinct name with trace.node(..., name=...)"
        )
    return out


_FENCE = re.compile(r"^\s*```[a-zA-Z0-9_+-]*\s*\n(.*?)\n?```\s*$", re.S)


def coerce(param: Parameter, value: Any) -> Any:
    """Turn a value proposed by a model into the parameter's type, then validate it."""
    current = param._data
    if param.kind == "code" and isinstance(value, str):
        m = _FENCE.match(value)
        if m:
            value = m.group(1)
        value = _as_function(value.strip("\n").rstrip(), current) + "\n"
    elif isinstance(current, str) and not isinstance(value, str):
        value = json.dumps(value) if isinstance(value, (dict, list)) else str(value)
    elif isinstance(current, bool) and isinstance(value, str):
        low = value.strip().lower()
        if low in ("true", "false"):
            value = low == "true"
    elif isinstance(current, (int, float)) and not isinstance(current, bool) and isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            number = float(text)
        except ValueError:
            raise ParameterUpdateError(f"parameter {param.name!r} needs a number, got {value[:80]!r}") from None
        value = int(number) if isinstance(current, int) and number.is_integer() else number
    elif isinstance(current, (list, dict, tuple)) and isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            try:
                value = ast.literal_eval(value)
            except (ValueError, SyntaxError):
                raise ParameterUpdateError(
                    f"parameter {param.name!r} needs a {type(current).__name__}, got text {value[:80]!r}"
                ) from None
    if isinstance(current, tuple) and isinstance(value, list):
        value = tuple(value)
    return param.check(value)


def _parsed(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except SyntaxError:
        return None


def _as_function(text: str, current: Any) -> str:
    """A small model's new code in the shape of the function it replaces. Definitions pass unchanged; a
    definition wrapped in parentheses loses them; a lambda over the function's own arguments, or a bare
    expression in them (``3 * x + 4``), becomes the body of a definition with the original signature.
    Anything else passes unchanged (the compiler reports what is wrong with it)."""
    tree = _parsed(text)
    inner = text.strip()
    if tree is None and inner.startswith("(") and inner.endswith(")"):
        tree = _parsed(inner[1:-1].strip())
        if tree is not None:
            text = inner[1:-1].strip()
    if tree is None or not isinstance(current, str):
        return text
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return text
    defs = [n for n in getattr(_parsed(current), "body", []) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    old = defs[0] if defs else None
    if old is None:
        return text
    args = [a.arg for a in old.args.posonlyargs + old.args.args + old.args.kwonlyargs]
    expr = tree.body[0].value
    if isinstance(expr, ast.Lambda):
        if [a.arg for a in expr.args.posonlyargs + expr.args.args + expr.args.kwonlyargs] != args:
            return text
        expr = expr.body
    names = {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)}
    if not names & set(args) or names - set(args) - set(dir(builtins)):
        return text  # the expression reads names other than the arguments: not a body on its own
    old.body, old.decorator_list = [ast.Pass()], []
    header = ast.unparse(old).split("\n", 1)[0]
    return f"{header}\n    return {ast.unparse(expr)}"


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def match_names(suggestion: dict[str, Any], names: dict[str, Parameter]) -> tuple[dict[str, Any], list[str]]:
    """Map the keys a model used to parameter names (exact first, then ignoring case and punctuation)."""
    by_norm = {_norm(n): n for n in names}
    matched: dict[str, Any] = {}
    unknown: list[str] = []
    for key, value in suggestion.items():
        code_key = _norm(re.sub(r"\(.*\)\s*$", "", str(key))) + "code"  # "predict", "predict(x)": its code
        if key in names:
            matched[key] = value
        elif _norm(str(key)) in by_norm:
            matched[by_norm[_norm(str(key))]] = value
        elif code_key in by_norm and names[by_norm[code_key]].kind == "code" and by_norm[code_key] not in suggestion:
            matched[by_norm[code_key]] = value
        else:
            unknown.append(str(key))
    return matched, unknown


class Optimizer:
    """Base class: holds parameters, clears their feedback, keeps a history of steps."""

    def __init__(self, parameters: Any):
        self.parameters: list[Parameter] = collect_parameters(parameters)
        self.history: list[StepRecord] = []

    def zero_feedback(self) -> None:
        for p in self.parameters:
            p.zero_feedback()

    def step(self) -> StepRecord:
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        """Current parameter values by name."""
        return {p.name: p._data for p in self.parameters}

    def save_history(self, path: str | Path) -> Path:
        """Write every step record as JSON (atomically)."""
        doc = {"optimizer": type(self).__name__, "steps": [r.to_dict() for r in self.history]}
        return write_text_atomic(Path(path), json.dumps(doc, indent=2, ensure_ascii=False))


class UsageMeter:
    """Reads an LLM client's usage counters before and after a step, if it has them."""

    def __init__(self, llm: Any):
        self.llm = llm
        usage = getattr(llm, "usage", None)
        self._snap = usage.snapshot() if usage is not None and hasattr(usage, "snapshot") else None
        self.t0 = time.perf_counter()

    def fill(self, record: StepRecord) -> None:
        record.seconds = time.perf_counter() - self.t0
        usage = getattr(self.llm, "usage", None)
        if self._snap is None or usage is None or not hasattr(usage, "since"):
            return
        delta = usage.since(self._snap)
        record.llm_calls = int(getattr(delta, "calls", 0))
        record.prompt_tokens = int(getattr(delta, "prompt_tokens", 0))
        record.completion_tokens = int(getattr(delta, "completion_tokens", 0))
        record.cache_hits = int(getattr(delta, "cache_hits", 0))
