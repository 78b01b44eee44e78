"""``trace.Module``: a container that finds its trainable parts, like ``torch.nn.Module``.

Parameters are found in instance attributes, in lists, tuples and dicts held by them, in
sub-modules, and in trainable ``@trace.node`` methods (whose code is a parameter of each
instance). State is saved as JSON, never pickle.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from optolab.errors import NameClashError, ParameterUpdateError, StateError
from optolab.files import write_text_atomic
from optolab.trace.nodes import Parameter
from optolab.trace.operators import BoundOperator, Operator

STATE_FORMAT = "optolab.module-state"
STATE_VERSION = 1


class Module:
    """Base class for traced workflows with trainable parts.

    Subclasses assign parameters (``trace.node(..., trainable=True)``), other modules and
    containers of them as attributes, and may define trainable methods with
    ``@trace.node(trainable=True)``. ``forward`` is what calling the module runs.
    """

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define forward(...)")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # --- discovery ----------------------------------------------------------------------
    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """``(qualified name, parameter)`` pairs; a parameter shared by two paths is listed once."""
        seen_nodes: dict[int, str] = {}
        names: dict[str, Parameter] = {}
        for name, param in _walk(self, prefix, set()):
            if id(param) in seen_nodes:
                continue
            other = names.get(name)
            if other is not None and other is not param:
                raise NameClashError(
                    f"two different parameters are both named {name!r} in {type(self).__name__}; "
                    "rename one of the attributes or dict keys"
                )
            seen_nodes[id(param)] = name
            names[name] = param
            yield name, param

    def parameters(self) -> list[Parameter]:
        return [p for _, p in self.named_parameters()]

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, "Module"]]:
        yield prefix, self
        for name, value in _children(self):
            for sub_name, module in _modules_in(value, _join(prefix, name), {id(self)}):
                yield sub_name, module

    def zero_feedback(self) -> None:
        for p in self.parameters():
            p.zero_feedback()

    def freeze(self) -> "Module":
        """Stop every parameter from being trained (they keep their values)."""
        for p in self.parameters_including_frozen():
            p.frozen = True
        return self

    def unfreeze(self) -> "Module":
        for p in self.parameters_including_frozen():
            p.frozen = False
        return self

    def parameters_including_frozen(self) -> list[Parameter]:
        return [p for _, p in _unique(_walk(self, "", set(), include_frozen=True))]

    # --- state ----------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Parameter name -> current value (code parameters hold their source text)."""
        return {name: p._data for name, p in _unique(_walk(self, "", set(), include_frozen=True))}

    def load_state_dict(self, state: dict[str, Any], *, strict: bool = True) -> None:
        """Set parameter values from ``state``.

        Every value is checked before any is applied, so a bad state changes nothing. With
        ``strict`` (default) missing and unexpected names raise :class:`StateError`.
        """
        if not isinstance(state, dict):
            raise StateError(f"a state must be a dict of parameter name -> value, got {type(state).__name__}")
        params = dict(_unique(_walk(self, "", set(), include_frozen=True)))
        missing = sorted(set(params) - set(state))
        unexpected = sorted(set(state) - set(params))
        if strict and (missing or unexpected):
            parts = []
            if missing:
                parts.append(f"missing {missing}")
            if unexpected:
                parts.append(f"unexpected {unexpected}")
            raise StateError(
                f"state does not match {type(self).__name__}: {'; '.join(parts)}. "
                f"Its parameters are {sorted(params)}; pass strict=False to load the names that match"
            )
        checked: list[tuple[Parameter, Any]] = []
        for name, value in state.items():
            param = params.get(name)
            if param is None:
                continue
            if isinstance(param._data, tuple) and isinstance(value, list):
                value = tuple(value)  # JSON has no tuples
            try:
                checked.append((param, param.check(value)))
            except ParameterUpdateError as exc:
                raise StateError(f"cannot load parameter {name!r}: {exc}") from exc
        for param, value in checked:
            param.set(value)

    def save(self, path: str | Path) -> Path:
        """Write the state as JSON (atomically: a crash never leaves half a file)."""
        path = Path(path)
        entries = {}
        for name, p in _unique(_walk(self, "", set(), include_frozen=True)):
            entries[name] = {"kind": p.kind, "type": type(p._data).__name__, "data": p._data}
        doc = {"format": STATE_FORMAT, "version": STATE_VERSION, "module": type(self).__name__, "parameters": entries}
        try:
            text = json.dumps(doc, indent=2, ensure_ascii=False)
        except (TypeError, ValueError) as exc:
            bad = [n for n, e in entries.items() if not _json_ok(e["data"])]
            raise StateError(
                f"cannot save {type(self).__name__}: parameters {bad} hold values JSON cannot store ({exc}); "
                "keep parameter values to text, numbers, lists and dicts"
            ) from None
        return write_text_atomic(path, text)

    def load(self, path: str | Path, *, strict: bool = True) -> "Module":
        """Load a state written by :meth:`save` into this module; returns ``self``."""
        path = Path(path)
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise StateError(f"no saved state at {path}") from None
        except json.JSONDecodeError as exc:
            raise StateError(f"{path} is not a saved optolab state: invalid JSON ({exc})") from None
        if not isinstance(doc, dict) or doc.get("format") != STATE_FORMAT:
            raise StateError(f"{path} is not a saved optolab module state (no 'format': {STATE_FORMAT!r})")
        if doc.get("version") != STATE_VERSION:
            raise StateError(f"{path} has state version {doc.get('version')}; this optolab reads {STATE_VERSION}")
        entries = doc.get("parameters")
        if not isinstance(entries, dict):
            raise StateError(f"{path} has no 'parameters' table")
        self.load_state_dict({k: v.get("data") if isinstance(v, dict) else v for k, v in entries.items()},
                             strict=strict)
        return self

    def __repr__(self) -> str:
        names = [n for n, _ in self.named_parameters()]
        return f"{type(self).__name__}(parameters={names})"


def _json_ok(value: Any) -> bool:
    try:
        json.dumps(value)
        return True
    except (TypeError, ValueError):
        return False


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _unique(pairs: Iterator[tuple[str, Parameter]]) -> Iterator[tuple[str, Parameter]]:
    seen: set[int] = set()
    names: dict[str, Parameter] = {}
    for name, p in pairs:
        if id(p) in seen:
            continue
        if name in names and names[name] is not p:
            raise NameClashError(f"two different parameters are both named {name!r}; rename one of them")
        seen.add(id(p))
        names[name] = p
        yield name, p


def _children(module: Module) -> Iterator[tuple[str, Any]]:
    """Attributes worth walking: instance attributes, then trainable methods of the class."""
    for name, value in vars(module).items():
        if name.startswith("__optolab_op_"):
            continue
        yield name, value
    seen = set()
    for cls in type(module).__mro__:
        for name, value in vars(cls).items():
            if name in seen or not isinstance(value, Operator):
                continue
            seen.add(name)
            if value.trainable:
                yield name, getattr(module, name)


def _walk(value: Any, prefix: str, visiting: set[int], include_frozen: bool = False) -> Iterator[tuple[str, Parameter]]:
    if isinstance(value, Parameter):
        if include_frozen or value.trainable:
            yield prefix, value
        return
    if isinstance(value, (Operator, BoundOperator)):
        code = value.code
        if code is not None and (include_frozen or code.trainable):
            yield _join(prefix, "__code__"), code
        return
    if id(value) in visiting:
        return
    if isinstance(value, Module):
        visiting.add(id(value))
        for name, child in _children(value):
            yield from _walk(child, _join(prefix, name), visiting, include_frozen)
        visiting.discard(id(value))
    elif isinstance(value, (list, tuple)):
        visiting.add(id(value))
        for i, child in enumerate(value):
            yield from _walk(child, _join(prefix, str(i)), visiting, include_frozen)
        visiting.discard(id(value))
    elif isinstance(value, dict):
        visiting.add(id(value))
        for key, child in value.items():
            yield from _walk(child, _join(prefix, str(key)), visiting, include_frozen)
        visiting.discard(id(value))


def _modules_in(value: Any, prefix: str, visiting: set[int]) -> Iterator[tuple[str, Module]]:
    if id(value) in visiting:
        return
    if isinstance(value, Module):
        visiting.add(id(value))
        yield prefix, value
        for name, child in _children(value):
            yield from _modules_in(child, _join(prefix, name), visiting)
    elif isinstance(value, (list, tuple)):
        visiting.add(id(value))
        for i, child in enumerate(value):
            yield from _modules_in(child, _join(prefix, str(i)), visiting)
    elif isinstance(value, dict):
        visiting.add(id(value))
        for key, child in value.items():
            yield from _modules_in(child, _join(prefix, str(key)), visiting)
