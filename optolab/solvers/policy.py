"""What generated model code may do, checked before it runs.

The code may import Pyomo and a short list of harmless standard modules (and numpy); it may not
touch files, processes, the network or the interpreter's internals. The check reads the syntax
tree, so nothing runs until it passes; the sandbox also runs the code with a restricted
``__import__`` as a second line of defence.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

ALLOWED_MODULES = frozenset({
    "pyomo", "math", "cmath", "itertools", "functools", "collections", "numpy", "statistics", "fractions",
    "decimal", "typing", "dataclasses", "re", "random", "operator", "heapq", "bisect", "string", "copy", "enum",
    "numbers", "json",
})
# attributes that lead out of the model: processes, files, the interpreter
FORBIDDEN_ATTRIBUTES = frozenset({
    "os", "sys", "subprocess", "socket", "shutil", "builtins", "importlib", "ctypes", "system", "popen", "spawn",
    "fork", "execv", "execve", "execvp", "remove", "unlink", "rmtree", "rmdir", "environ", "kill", "load_module",
})
FORBIDDEN_NAMES = frozenset({
    "eval", "exec", "compile", "open", "__import__", "globals", "locals", "vars", "getattr", "setattr", "delattr",
    "input", "breakpoint", "exit", "quit", "memoryview", "help", "__builtins__", "__loader__", "__spec__",
})


@dataclass
class Violation:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def check_code(code: str) -> list[Violation]:
    """Violations of the policy; raises ``SyntaxError`` when the code does not parse."""
    tree = ast.parse(code, filename="<model>")
    found: list[Violation] = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            for alias in node.names:
                root = alias.name.split(".")[0]
                if root not in ALLOWED_MODULES:
                    found.append(Violation(line, f"import of {alias.name!r} is not allowed "
                                                 f"(allowed: {', '.join(sorted(ALLOWED_MODULES))})"))
        elif isinstance(node, ast.ImportFrom):
            root = (node.module or "").split(".")[0]
            if node.level or root not in ALLOWED_MODULES:
                found.append(Violation(line, f"import from {node.module!r} is not allowed"))
        elif isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            found.append(Violation(line, f"use of {node.id!r} is not allowed in model code"))
        elif isinstance(node, ast.Attribute) and node.attr.startswith("__") and node.attr.endswith("__"):
            found.append(Violation(line, f"access to the special attribute {node.attr!r} is not allowed"))
        elif isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
            found.append(Violation(line, f"access to the attribute {node.attr!r} is not allowed in model code"))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name.startswith("__"):
            found.append(Violation(line, f"defining {node.name!r} is not allowed in model code"))
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            found.append(Violation(line, "global/nonlocal statements are not allowed in model code"))
    return found


def allowed_import(name: str) -> bool:
    return name.split(".")[0] in ALLOWED_MODULES
