"""The prompts of the synthesis pipelines: text files under ``optolab/synth/prompts``, and their versions.

A prompt's version is the sha256 of its text, recorded in every synthesized record, so a data set
says which wording of which prompt produced it. A pipeline can be given other texts for any prompt
(``prompts={"critic": "..."}``); their versions are then the hashes of those texts.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from string import Template
from typing import Mapping

from optolab.synth.errors import SynthError

FORWARD_PROMPTS = ("backtranslate", "critic", "refine", "backtranslate_table", "refine_table")
REVERSE_PROMPTS = ("scenario", "question", "question_table")


def load_prompt(name: str) -> str:
    """The text of ``optolab/synth/prompts/<name>.txt``."""
    path = resources.files("optolab.synth").joinpath("prompts", f"{name}.txt")
    if not path.is_file():
        known = sorted(p.name[:-4] for p in resources.files("optolab.synth").joinpath("prompts").iterdir()
                       if p.name.endswith(".txt"))
        raise SynthError(f"no synthesis prompt named {name!r}; known: {', '.join(known)}")
    return path.read_text(encoding="utf-8")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class PromptSet:
    """The prompt texts one pipeline uses: the packaged files, with ``overrides`` by name."""

    def __init__(self, names: tuple[str, ...], overrides: Mapping[str, str] | None = None):
        overrides = dict(overrides or {})
        unknown = sorted(set(overrides) - set(names))
        if unknown:
            raise SynthError(f"unknown prompt name(s) {unknown}: this pipeline's prompts are {', '.join(names)}")
        self.texts = {name: overrides.get(name) or load_prompt(name) for name in names}

    def render(self, name: str, **values: str) -> str:
        """The prompt with ``${name}`` fields filled in (values are inserted as they are, ``$`` included)."""
        return Template(self.texts[name]).safe_substitute(values)

    def versions(self) -> dict[str, str]:
        """Prompt name -> sha256 of its text."""
        return {name: sha256(text) for name, text in self.texts.items()}
