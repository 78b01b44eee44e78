"""Training the modeling agent on solved problems.

- :mod:`optolab.train.data`: training records (JSONL), checked line by line, and stable splits.
- :mod:`optolab.train.prompts`: prompt-level training: feedback on the agent's answers flows back
  through its traced steps and an optimizer (OptoPrime or the search optimizer) rewrites its
  instructions, repair template and number of worked examples, selected on a dev split.
- :mod:`optolab.train.sft`: weights-level training: chat-formatted examples and LoRA (or full)
  fine-tuning with TRL and PEFT, merged into a Hugging Face directory.
- :mod:`optolab.train.export`: a Hugging Face directory to a quantized GGUF file for llama.cpp.

Names are imported lazily: importing this package loads neither torch nor the agent.
The weights-level part needs the ``train`` extra: ``pip install 'optolab[train]'``.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "TrainRecord": "optolab.train.data",
    "TrainDataError": "optolab.train.errors",
    "Split": "optolab.train.data",
    "read_records": "optolab.train.data",
    "split_records": "optolab.train.data",
    "write_records": "optolab.train.data",
    "PromptTrainer": "optolab.train.prompts",
    "PromptTrainConfig": "optolab.train.prompts",
    "TrainError": "optolab.train.errors",
    "record_steps": "optolab.train.tape",
    "SFTSettings": "optolab.train.sft",
    "build_examples": "optolab.train.sft",
    "train_sft": "optolab.train.sft",
    "export_gguf": "optolab.train.export",
    "quantize_gguf": "optolab.train.export",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'optolab.train' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
