"""LLM settings: explicit arguments > environment variables > config file > defaults.

Environment: ``OPTOLAB_MODEL``, ``OPTOLAB_API_BASE``, ``OPTOLAB_API_KEY``, ``OPTOLAB_LLM_CACHE``
(``1``/``0`` or a directory), ``OPTOLAB_JSON_MODE``. Config file: ``OPTOLAB_CONFIG`` or
``<user config dir>/optolab/config.toml``, section ``[llm]`` with the same names in lower case
(``model``, ``api_base``, ``api_key``, ``cache``, ``json_mode``, ``temperature``, ``max_tokens``,
``timeout``, ``max_retries``, ``max_concurrency``). Read when a client is made, never at import.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from optolab.errors import LLMConfigError

JsonMode = Literal["auto", "json_schema", "json_object_schema", "json_object", "none"]


class LLMSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = "local"
    api_base: str | None = None
    api_key: str | None = None
    cache: bool | str = False
    json_mode: JsonMode = "auto"
    temperature: float = 0.0
    max_tokens: int = 1024
    timeout: float = 120.0
    max_retries: int = 3
    max_concurrency: int = 4


_ENV = {"model": "OPTOLAB_MODEL", "api_base": "OPTOLAB_API_BASE", "api_key": "OPTOLAB_API_KEY",
        "cache": "OPTOLAB_LLM_CACHE", "json_mode": "OPTOLAB_JSON_MODE"}


def config_path() -> Path:
    env = os.environ.get("OPTOLAB_CONFIG")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("optolab")) / "config.toml"


def _from_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        if os.environ.get("OPTOLAB_CONFIG"):
            raise LLMConfigError(f"OPTOLAB_CONFIG points at {path}, which does not exist")
        return {}
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LLMConfigError(f"cannot read the config file {path}: {exc}") from None
    section = doc.get("llm", {})
    if not isinstance(section, dict):
        raise LLMConfigError(f"{path}: [llm] must be a table")
    return section


def _cache_value(text: str) -> bool | str:
    low = text.strip().lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off", ""):
        return False
    return text


def resolve_settings(**explicit: Any) -> LLMSettings:
    values: dict[str, Any] = dict(_from_file(config_path()))
    for field, var in _ENV.items():
        if var in os.environ:
            values[field] = _cache_value(os.environ[var]) if field == "cache" else os.environ[var]
    values.update({k: v for k, v in explicit.items() if v is not None})
    try:
        return LLMSettings(**values)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise LLMConfigError(f"invalid LLM settings: {problems}") from None
