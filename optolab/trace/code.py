"""Function code as a trainable parameter.

A trainable operator keeps its source text in a :class:`CodeParameter`. When an optimizer
proposes new text, the parameter compiles it at once (so a bad proposal is rejected before
it is stored) and the operator runs the new function on its next call.

Compilation only *defines* things: the new text may contain imports, constant assignments
and function or class definitions, and must define a function with the operator's name.
Decorators on that function are dropped, so ``@trace.node`` in proposed code does not wrap
the function twice.
"""

from __future__ import annotations

import ast
import inspect
import linecache
import textwrap
from typing import Any, Callable

from optolab.errors import CodeCompileError, TraceError
from optolab.trace.nodes import Node, Parameter

_ALLOWED_TOP_LEVEL = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign,
                      ast.AnnAssign)


def function_source(fn: Callable) -> str:
    """The source of ``fn`` without its decorators, dedented."""
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError) as exc:
        raise TraceError(
            f"cannot read the source of {getattr(fn, '__qualname__', fn)!r} to make its code trainable "
            f"({exc}); define it in a file rather than an interactive prompt or a lambda"
        ) from None
    source = textwrap.dedent(source)
    tree = ast.parse(source)
    fdef = tree.body[0]
    if isinstance(fdef, (ast.FunctionDef, ast.AsyncFunctionDef)) and fdef.decorator_list:
        lines = source.splitlines(keepends=True)
        start = fdef.lineno - 1  # the 'def' line (decorators sit above it)
        source = "".join(lines[start:])
    return source


def closure_values(fn: Callable) -> dict[str, Any]:
    """Names bound in ``fn``'s closure, with their current values."""
    code = getattr(fn, "__code__", None)
    if code is None or not fn.__closure__:
        return {}
    values = {}
    for name, cell in zip(code.co_freevars, fn.__closure__):
        try:
            values[name] = cell.cell_contents
        except ValueError:  # empty cell
            pass
    return values


class CodeCompiler:
    """Compiles proposed source for one function, in that function's namespace."""

    def __init__(self, fn: Callable, name: str):
        self.name = name
        self.is_async = inspect.iscoroutinefunction(fn)
        self._globals = getattr(fn, "__globals__", {})
        self._closure = closure_values(fn)
        self._counter = 0

    def compile(self, source: str) -> Callable:
        if not isinstance(source, str):
            raise CodeCompileError(
                f"the code of trainable function {self.name!r} must be text, got {type(source).__name__}"
            )
        source = textwrap.dedent(source)
        try:
            tree = ast.parse(source)
        except SyntaxError as exc:
            line = (exc.text or "").strip()
            raise CodeCompileError(
                f"new code for trainable function {self.name!r} does not compile: line {exc.lineno}: {exc.msg}"
                + (f" ({line})" if line else "")
            ) from None
        target = None
        # example calls a model appends after the definition (``print(f(3))``) are dropped, never run
        while len(tree.body) > 1 and isinstance(tree.body[-1], ast.Expr) \
                and any(isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == self.name
                        for s in tree.body[:-1]):
            tree.body.pop()
        for stmt in tree.body:
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                continue  # a docstring or stray string literal
            if not isinstance(stmt, _ALLOWED_TOP_LEVEL):
                raise CodeCompileError(
                    f"new code for trainable function {self.name!r} has a {type(stmt).__name__} statement at top "
                    f"level (line {stmt.lineno}); only imports, constants and definitions are allowed there"
                )
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == self.name:
                target = stmt
        if target is None:
            raise CodeCompileError(
                f"new code for trainable function {self.name!r} does not define 'def {self.name}(...)'"
            )
        if isinstance(target, ast.AsyncFunctionDef) != self.is_async:
            kind = "async def" if self.is_async else "def"
            raise CodeCompileError(f"new code for trainable function {self.name!r} must use '{kind}' like the original")
        target.decorator_list = []
        self._counter += 1
        filename = f"<optolab code {self.name} v{self._counter}>"
        try:
            code = compile(tree, filename, "exec")
        except (SyntaxError, ValueError) as exc:
            raise CodeCompileError(f"new code for trainable function {self.name!r} does not compile: {exc}") from None
        # register the text so tracebacks through the new code show its lines
        linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
        namespace = dict(self._globals)
        namespace.update(self._closure)
        try:
            exec(code, namespace)  # noqa: S102 - defines the function; its body runs on the next call
        except Exception as exc:
            raise CodeCompileError(
                f"defining the new code of trainable function {self.name!r} raised {type(exc).__name__}: {exc}"
            ) from None
        fn = namespace.get(self.name)
        if not callable(fn):
            raise CodeCompileError(f"new code for trainable function {self.name!r} does not define a callable")
        return fn


class CodeParameter(Parameter):
    """The source text of a trainable operator; setting new text compiles it."""

    __slots__ = ("compiler", "_function", "_compiled_text")

    kind = "code"

    def __init__(self, fn: Callable, name: str, *, description: str = "", constraint: str | None = None):
        source = function_source(fn)
        super().__init__(source, name=f"{name}.__code__", description=description, constraint=constraint)
        self.compiler = CodeCompiler(fn, name)
        self._function = fn
        self._compiled_text = source

    def check(self, value: Any) -> Any:
        self.compiler.compile(value)
        return super().check(value)

    def set(self, value: Any) -> None:
        if isinstance(value, Node):
            value = value._data
        fn = self.compiler.compile(value)
        value = Parameter.check(self, value)
        self._data = value
        self._function = fn
        self._compiled_text = value

    @property
    def function(self) -> Callable:
        """The function the current text defines (compiled again if the text was changed directly)."""
        if self._compiled_text is not self._data:
            self._function = self.compiler.compile(self._data)
            self._compiled_text = self._data
        return self._function

    def clone(self) -> "CodeParameter":
        """A parameter with the same code, compiler and function, and no feedback."""
        twin = object.__new__(CodeParameter)
        Parameter.__init__(twin, self._data, name=self.name, description=self.description,
                           constraint=self.constraint, validator=self.validator, info=self.info)
        twin.frozen = self.frozen
        twin.compiler = self.compiler
        twin._function = self._function
        twin._compiled_text = self._compiled_text
        return twin
