"""Summarise the traced subgraph between parameters and feedback for an LLM optimizer.

The summary has the sections of the OptoPrime prompt (Cheng et al., 2024): the code that ran,
documentation of its operators, the variables to change and their constraints, the inputs, the
intermediate values ("others"), the outputs and the feedback. Names are short and unique within
one summary so the model can answer with them as JSON keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Sequence

from optolab.errors import NameClashError
from optolab.trace.graph import leading_to, topological
from optolab.trace.nodes import Node, OpNode, Parameter


@dataclass
class Limits:
    """How many characters of each kind of value the prompt shows (variables are never cut)."""

    inputs: int = 400
    others: int = 300
    outputs: int = 600
    feedback: int = 2000


@dataclass
class Summary:
    code: list[str] = field(default_factory=list)
    documentation: dict[str, str] = field(default_factory=dict)
    variables: dict[str, Parameter] = field(default_factory=dict)
    constraints: dict[str, str] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    others: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    feedback: list[str] = field(default_factory=list)


def _ident(name: str) -> str:
    text = re.sub(r"\W+", "_", name).strip("_") or "v"
    return text if not text[0].isdigit() else f"v_{text}"


def _clip(value: Any, limit: int) -> str:
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = text[: limit - 20] + f"...<{len(text) - limit + 20} more chars>"
    return text


def _show(value: Any, limit: int | None = None) -> str:
    kind = type(value).__name__
    text = repr(value) if limit is None else _clip(value if not isinstance(value, str) else repr(value), limit)
    return f"({kind}) {text}"


class Namer:
    """Gives each node a short identifier, unique within one summary."""

    def __init__(self, params: Sequence[Parameter]):
        self._names: dict[int, str] = {}
        self._taken: dict[str, int] = {}
        for p in params:  # parameters first, so they keep their plain names
            self.name(p, param=True)

    def name(self, node: Node, param: bool = False) -> str:
        key = id(node)
        if key in self._names:
            return self._names[key]
        base = node.name if node.kind == "code" else _ident(node.name)  # code keeps "f.__code__"
        if param and base in self._taken:
            raise NameClashError(
                f"two parameters given to the optimizer are both named {node.name!r}; "
                "give them distinct names with trace.node(..., name=...)"
            )
        if isinstance(node, OpNode):  # results are numbered: f0 = f(x=x)
            i = 0
            while f"{base}{i}" in self._taken:
                i += 1
            name = f"{base}{i}"
        else:
            name, i = base, 1
            while name in self._taken:
                name = f"{base}{i}"
                i += 1
        self._taken[name] = key
        self._names[key] = name
        return name


def summarize(params: Sequence[Parameter], limits: Limits | None = None) -> tuple[Summary, dict[str, Parameter]]:
    """Build the summary from the feedback the parameters hold.

    Returns the summary and the mapping from the names used in it to the parameters.
    """
    limits = limits or Limits()
    namer = Namer(params)
    summary = Summary()
    outputs: list[Node] = []
    seen_out: set[int] = set()
    for p in params:
        for entry in p.feedback:
            if id(entry.output) not in seen_out:
                seen_out.add(id(entry.output))
                outputs.append(entry.output)
    order = topological(outputs) if outputs else []
    reach = leading_to(order, params)
    nodes = [n for n in order if id(n) in reach]
    in_graph = {id(n) for n in nodes}

    for p in params:
        summary.variables[namer.name(p)] = p
        if p.constraint:
            summary.constraints[namer.name(p)] = p.constraint

    out_ids = {id(o) for o in outputs}
    for n in nodes:
        if not isinstance(n, OpNode):
            continue
        args = []
        for arg, parent in zip(n.arg_names, n.parents):
            if parent.kind == "code":
                continue  # the code parameter is the function itself
            pname = namer.name(parent)
            if arg.startswith("(read) "):
                args.append(f"{pname}  # read inside")
                continue
            args.append(f"{arg}={pname}")
            if id(parent) not in in_graph and not isinstance(parent, Parameter):
                summary.inputs.setdefault(pname, _show(parent._data, limits.inputs))
        op = n.op
        line = f"{namer.name(n)} = {op.name}({', '.join(args)})"
        if op.code is not None or any(p.kind == "code" for p in n.parents):
            code_param = next((p for p in n.parents if p.kind == "code"), None)
            if code_param is not None:
                line += f"  # body is variable {namer.name(code_param)}"
        summary.code.append(line)
        if op.name not in summary.documentation:
            summary.documentation[op.name] = op.description or op.doc.split("\n")[0] if (op.description or op.doc) else ""
        if id(n) in out_ids:
            summary.outputs[namer.name(n)] = _show(n._data, limits.outputs)
        else:
            summary.others[namer.name(n)] = _show(n._data, limits.others)

    for o in outputs:  # outputs that are parameters themselves
        if not isinstance(o, OpNode):
            summary.outputs.setdefault(namer.name(o), _show(o._data, limits.outputs))

    texts: list[str] = []
    for p in params:
        for entry in p.feedback:
            text = str(entry.content)
            if len(outputs) > 1:
                text = f"on {namer.name(entry.output)}: {text}"
            if text not in texts:
                texts.append(text)
    summary.feedback = [_clip(t, limits.feedback) for t in texts]
    return summary, {namer.name(p): p for p in params}


def render_sections(summary: Summary) -> dict[str, str]:
    """The text of each section, ready for the prompt template."""
    def lines(d: dict[str, Any]) -> str:
        return "\n".join(f"{k} = {v}" for k, v in d.items()) or "(none)"

    parts = []
    for name, p in summary.variables.items():
        note = f"  # {p.description}" if p.description else ""
        if p.kind == "code":
            parts.append(f"{name} = (code){note}\n{str(p._data).rstrip()}")
        else:
            parts.append(f"{name} = {_show(p._data)}{note}")
    variables = "\n".join(parts)
    docs = "\n".join(f"[{k}] {v}" for k, v in summary.documentation.items() if v) or "(none)"
    return {
        "code": "\n".join(summary.code) or "(none)",
        "documentation": docs,
        "variables": variables or "(none)",
        "constraints": lines(summary.constraints),
        "inputs": lines(summary.inputs),
        "others": lines(summary.others),
        "outputs": lines(summary.outputs),
        "feedback": "\n".join(summary.feedback) or "(none)",
    }
