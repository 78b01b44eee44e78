"""A disk cache of model replies, safe for concurrent threads and processes.

Each entry is one JSON file named by the sha256 of the request (model, messages and the
parameters that change the output), written to a temporary file and renamed into place, so a
reader sees a whole entry or none. Calls with temperature > 0 are cached too when the cache is
on: pass a different ``seed`` to get a new sample.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from optolab.files import write_text_atomic

# parameters that do not change what the model says are left out of the key
_IGNORED = {"timeout", "num_retries", "api_key", "stream", "metadata"}


def request_key(model: str, messages: list[dict], params: dict[str, Any]) -> str:
    payload = {"model": model, "messages": messages,
               "params": {k: v for k, v in params.items() if k not in _IGNORED}}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=repr, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class DiskCache:
    def __init__(self, path: str | Path):
        self.path = Path(path).expanduser()

    @classmethod
    def default(cls) -> "DiskCache":
        from platformdirs import user_cache_dir

        return cls(Path(user_cache_dir("optolab")) / "llm-cache")

    def _file(self, key: str) -> Path:
        return self.path / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            return json.loads(self._file(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, key: str, entry: dict[str, Any]) -> None:
        write_text_atomic(self._file(key), json.dumps(entry, ensure_ascii=False))

    def __len__(self) -> int:
        return sum(1 for _ in self.path.glob("*/*.json")) if self.path.exists() else 0

    def clear(self) -> None:
        for f in self.path.glob("*/*.json"):
            f.unlink(missing_ok=True)
