"""Weights-level training: supervised fine-tuning of the agent's model on solved records.

**What the model learns.** The agent asks its model for one thing: the structured formulation of a
problem (JSON held to the :class:`~optolab.agents.formulation.Formulation` schema); the library
writes the Pyomo code from it. So the default target (``target="formulation"``) is exactly that
exchange: the system prompt is the agent's formulate instructions (those of a trained agent state
when one is given), the user turn is ``Problem:\\n<question>`` (after ``shots`` worked examples, as the
agent retrieves them, when ``shots > 0``), and the assistant turn is the record's formulation as
compact JSON in schema order. Records without a formulation are skipped (and counted).
``target="code"`` trains a model that writes the Pyomo program itself (system prompt:
``templates/code_instructions.txt``, assistant turn: the record's ``code``), for use outside the agent.

**How.** Examples are prompt-completion conversations, so the loss covers the assistant turn only.
TRL's ``SFTTrainer`` trains LoRA adapters (PEFT) on the attention projections (``q_proj``,
``k_proj``, ``v_proj``, ``o_proj``), or every weight with ``full=True``; bfloat16 on a GPU, float32
on the CPU (or bfloat16 mixed precision there, ``train_dtype="bfloat16"``, which CPUs with bfloat16
instructions run faster). ``lora_layers=N`` puts adapters on the last N layers only: the backward pass
then stops at the lowest of them, a cheaper step on a CPU. The adapters are merged into the weights
and the result is saved as a Hugging Face directory (safetensors, tokenizer with its chat template),
which ``optolab serve --engine vllm --model DIR`` serves and
:func:`optolab.train.export.export_gguf` turns into GGUF for llama.cpp.

The heavy libraries (torch, transformers, peft, trl, datasets) are imported inside the functions
that need them: ``pip install 'optolab[train]'``.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import resource
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from optolab.train.data import TrainRecord
from optolab.train.errors import TrainError

TARGETS = ("formulation", "code")
TRAIN_PACKAGES = ("torch", "transformers", "peft", "trl", "datasets", "accelerate")
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj")
TRAIN_DTYPES = ("auto", "float32", "bfloat16")
INFO_FILE = "optolab-train.json"


def load_template(name: str) -> str:
    return resources.files("optolab.train").joinpath("templates", name).read_text(encoding="utf-8")


# --- examples (pure Python) ---------------------------------------------------------------------

@dataclass
class ExampleStats:
    """What :func:`build_examples` made of the records."""

    records: int = 0
    examples: int = 0
    skipped: dict[str, str] = field(default_factory=dict)  # record id -> why

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def formulation_target(formulation: dict[str, Any]) -> str:
    """The assistant turn for a formulation: validated, compact JSON in the order the schema asks for it."""
    from optolab.agents.formulation import Formulation

    f = Formulation.model_validate(formulation)
    return json.dumps(f.model_dump(mode="json", exclude_defaults=True), ensure_ascii=False)


def build_examples(records: Iterable[TrainRecord], *, target: str = "formulation",
                   agent_state: str | Path | None = None, shots: int = 0,
                   max_example_overlap: float | None = 0.4) -> tuple[list[dict[str, Any]], ExampleStats]:
    """Prompt-completion chat examples, one per usable record, and what was skipped.

    Each example is ``{"id", "prompt": [system, (worked examples,) user], "completion": [assistant]}``,
    the format TRL trains on with the loss on the completion only. ``agent_state``: a saved agent
    state whose formulate instructions become the system prompt. ``shots``: worked examples shown
    before the question, retrieved as the agent retrieves them (formulation target only).
    """
    if target not in TARGETS:
        raise TrainError(f"target must be one of {', '.join(TARGETS)}, got {target!r}")
    if shots < 0:
        raise TrainError(f"shots must be >= 0, got {shots}")
    from optolab.agents import Modeler

    agent = Modeler(None, shots=shots, max_example_overlap=max_example_overlap)
    if agent_state is not None:
        path = Path(agent_state)
        if not path.is_file():
            raise TrainError(f"no agent state at {path}; give a file written by 'optolab train prompts' or "
                             "Modeler.save")
        agent.load(path, strict=False)
    system = agent.instructions.data if target == "formulation" else load_template("code_instructions.txt")
    stats = ExampleStats()
    out: list[dict[str, Any]] = []
    for rec in records:
        stats.records += 1
        if target == "formulation":
            if not rec.formulation:
                stats.skipped[rec.id] = "no formulation"
                continue
            try:
                answer = formulation_target(rec.formulation)
            except ValueError as exc:  # pydantic's ValidationError is a ValueError
                stats.skipped[rec.id] = f"formulation does not fit the schema: {str(exc).splitlines()[0][:200]}"
                continue
            examples = agent.bank.search(rec.question, shots, max_overlap=max_example_overlap) if shots else []
            prompt = agent._messages(system, rec.question, examples)
        else:
            answer = rec.code.strip() + "\n"
            prompt = [{"role": "system", "content": system}, {"role": "user", "content": f"Problem:\n{rec.question}"}]
        out.append({"id": rec.id, "prompt": prompt, "completion": [{"role": "assistant", "content": answer}]})
        stats.examples += 1
    return out, stats


def write_examples(examples: Sequence[dict[str, Any]], path: str | Path) -> Path:
    """Write examples as JSONL (to inspect them, or to train with other tools)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for ex in examples:
            fh.write(json.dumps(ex, ensure_ascii=False) + "\n")
    return path


# --- training --------------------------------------------------------------------------------

@dataclass
class SFTSettings:
    """How to fine-tune. ``learning_rate`` None means 2e-4 for LoRA and 1e-5 for full fine-tuning."""

    full: bool = False
    lora_r: int = 8
    lora_alpha: int | None = None  # default 2 * lora_r
    lora_dropout: float = 0.05
    target_modules: tuple[str, ...] = LORA_TARGETS
    epochs: float = 1.0
    max_steps: int | None = None  # overrides epochs
    learning_rate: float | None = None
    batch_size: int = 1
    grad_accum: int = 1
    max_length: int = 1024
    device: str = "auto"  # auto, cpu, cuda
    seed: int = 0
    gradient_checkpointing: bool = False
    save_dtype: str = "bfloat16"  # dtype of the merged model on disk (bfloat16, float16, float32)
    save_adapter: bool = False  # also keep the LoRA adapter in DIR/adapter
    logging_steps: int = 1
    train_dtype: str = "auto"  # auto (bf16/fp16 on a GPU, fp32 on the CPU), float32, bfloat16 (mixed precision)
    lora_layers: int | None = None  # adapters on the last N decoder layers only (None: all of them)

    def __post_init__(self) -> None:
        self.target_modules = tuple(self.target_modules)
        if self.lora_r < 1:
            raise TrainError(f"lora_r must be >= 1, got {self.lora_r}")
        if self.device not in ("auto", "cpu", "cuda"):
            raise TrainError(f"device must be auto, cpu or cuda, got {self.device!r}")
        if self.save_dtype not in ("bfloat16", "float16", "float32"):
            raise TrainError(f"save_dtype must be bfloat16, float16 or float32, got {self.save_dtype!r}")
        if self.train_dtype not in TRAIN_DTYPES:
            raise TrainError(f"train_dtype must be one of {', '.join(TRAIN_DTYPES)}, got {self.train_dtype!r}")
        if self.lora_layers is not None and (self.full or self.lora_layers < 1):
            raise TrainError("lora_layers must be >= 1 and applies to LoRA only (not with full fine-tuning); "
                             f"got {self.lora_layers}")
        if self.max_length < 16:
            raise TrainError(f"max_length must be at least 16 tokens, got {self.max_length}")
        if self.epochs <= 0 and not self.max_steps:
            raise TrainError("epochs must be > 0 (or give max_steps)")

    @property
    def lr(self) -> float:
        return self.learning_rate if self.learning_rate is not None else (1e-5 if self.full else 2e-4)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["target_modules"] = list(self.target_modules)
        d["learning_rate"] = self.lr
        return d


@dataclass
class SFTResult:
    """What :func:`train_sft` did; also written to ``DIR/optolab-train.json``."""

    out_dir: Path
    base: str
    base_dir: str
    device: str
    examples: int
    dropped_too_long: int
    steps: int
    losses: list[float]
    train_loss: float
    seconds: float
    seconds_per_step: float
    peak_rss_mb: float
    trainable_params: int
    total_params: int
    settings: dict[str, Any]
    versions: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["out_dir"] = str(self.out_dir)
        return d


def missing_packages() -> list[str]:
    return [m for m in TRAIN_PACKAGES if importlib.util.find_spec(m) is None]


def require_train_packages() -> None:
    """Raise a clear error naming the ``train`` extra when a package of it is missing."""
    missing = missing_packages()
    if missing:
        raise TrainError(f"weights-level training needs {', '.join(TRAIN_PACKAGES)}; missing: {', '.join(missing)}. "
                         "Install them with: pip install 'optolab[train]'")


def resolve_base(base: str | Path, *, progress: bool = True) -> Path:
    """A Hugging Face directory for ``base``: a directory as it is, a registry name or GGUF file converted once."""
    from optolab.errors import ModelError
    from optolab.models.convert import hf_dir_for

    try:
        return hf_dir_for(str(base), dtype="bfloat16", progress=progress)
    except ModelError as exc:
        raise TrainError(f"base model {base!r}: {exc}") from None


def _pick_device(requested: str) -> str:
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise TrainError("device cuda was asked for, but torch sees no GPU (torch.cuda.is_available() is False); "
                         "use --device cpu, or install a CUDA build of torch")
    return requested


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # kilobytes on Linux


def _versions() -> dict[str, str]:
    from importlib import metadata

    out = {"python": sys.version.split()[0]}
    for name in ("optolab", "torch", "transformers", "peft", "trl", "datasets", "accelerate"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _dtype_kw(transformers: Any, dtype: Any) -> dict[str, Any]:
    major = int(transformers.__version__.split(".")[0])
    return {"dtype" if major >= 5 else "torch_dtype": dtype}


def _train_dtype(torch: Any, name: str, device: str) -> Any:
    if name == "float32":
        return torch.float32
    if name == "bfloat16":
        if device == "cuda" and not torch.cuda.is_bf16_supported():
            raise TrainError("train_dtype bfloat16 was asked for, but this GPU does not support it; use float32 "
                             "(or auto: float16 on this GPU)")
        return torch.bfloat16
    if device == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float32


def _last_layers(model: Any, n: int | None) -> list[int] | None:
    """Indices of the last ``n`` decoder layers (None: every layer). The backward pass stops below the
    lowest adapted layer, so adapting only the top layers makes a step cheaper."""
    if n is None:
        return None
    total = getattr(model.config, "num_hidden_layers", None)
    if not total:
        raise TrainError("lora_layers needs the model's number of layers (config.num_hidden_layers), which "
                         "this model does not give; leave lora_layers out")
    return list(range(max(0, total - n), total))


def _check_targets(model: Any, targets: Sequence[str]) -> None:
    import torch

    linear = sorted({name.rsplit(".", 1)[-1] for name, m in model.named_modules() if isinstance(m, torch.nn.Linear)})
    missing = [t for t in targets if t not in linear]
    if missing:
        raise TrainError(f"the base model has no linear layers named {missing} for LoRA; its linear layers are "
                         f"{linear}. Choose target modules among them")


def _fit_length(examples: list[dict[str, Any]], tok: Any, max_length: int) -> tuple[list[dict[str, Any]], int, int]:
    """Drop examples longer than ``max_length`` tokens (cut, the JSON target would teach broken replies)."""
    kept, longest = [], 0
    for ex in examples:
        ids = tok.apply_chat_template(ex["prompt"] + ex["completion"], tokenize=True)
        if isinstance(ids, dict) or hasattr(ids, "keys"):
            ids = ids["input_ids"]
        n = len(ids)
        longest = max(longest, n)
        if n <= max_length:
            kept.append(ex)
    return kept, len(examples) - len(kept), longest


def train_sft(examples: Sequence[dict[str, Any]], base: str | Path, out_dir: str | Path,
              settings: SFTSettings | None = None, *, overwrite: bool = False,
              log: Callable[[str], None] | None = None) -> SFTResult:
    """Fine-tune ``base`` on ``examples`` (from :func:`build_examples`) and save the merged model in ``out_dir``.

    ``base``: a registry model name, a ``.gguf`` file (converted once, see
    :func:`optolab.models.convert.hf_dir_for`) or a Hugging Face model directory. ``out_dir`` appears
    only when complete (the model is written to ``<out_dir>.partial`` first).
    """
    settings = settings or SFTSettings()
    log = log or (lambda line: None)
    require_train_packages()
    out_dir = Path(out_dir).expanduser()
    if out_dir.exists() and any(out_dir.iterdir()) and not overwrite:
        raise TrainError(f"{out_dir} already exists and is not empty; choose a new output directory "
                         "(or overwrite it: --overwrite)")
    if not examples:
        raise TrainError("no training examples: the records gave none (see the skipped records)")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch
    import transformers
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
    from trl import SFTConfig, SFTTrainer

    t0 = time.perf_counter()
    device = _pick_device(settings.device)
    base_dir = resolve_base(base)
    log(f"base model {base} -> {base_dir}; device {device}")
    tok = AutoTokenizer.from_pretrained(str(base_dir))
    if not getattr(tok, "chat_template", None):
        raise TrainError(f"the tokenizer of {base_dir} has no chat template, so chat examples cannot be formatted; "
                         "use an instruct model, or add a chat_template to its tokenizer_config.json")
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    rows, dropped, longest = _fit_length([{"prompt": e["prompt"], "completion": e["completion"]} for e in examples],
                                         tok, settings.max_length)
    if not rows:
        raise TrainError(f"every example is longer than max_length={settings.max_length} tokens (the longest has "
                         f"{longest}); raise --max-length")
    if dropped:
        log(f"{dropped} of {len(examples)} examples are longer than {settings.max_length} tokens and are left out")
    train_dtype = _train_dtype(torch, settings.train_dtype, device)
    # on the CPU, bfloat16 is mixed precision: float32 weights, bfloat16 matrix products (autocast)
    load_dtype = torch.float32 if device == "cpu" else train_dtype
    model = AutoModelForCausalLM.from_pretrained(str(base_dir), **_dtype_kw(transformers, load_dtype))
    peft_config = None
    if not settings.full:
        from peft import LoraConfig

        _check_targets(model, settings.target_modules)
        peft_config = LoraConfig(r=settings.lora_r, lora_alpha=settings.lora_alpha or 2 * settings.lora_r,
                                 lora_dropout=settings.lora_dropout, target_modules=list(settings.target_modules),
                                 bias="none", task_type="CAUSAL_LM",
                                 layers_to_transform=_last_layers(model, settings.lora_layers))
    work = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    step_times: list[float] = []

    class StepClock(TrainerCallback):
        def on_step_begin(self, args, state, control, **kw):  # noqa: ANN001
            self._t = time.perf_counter()

        def on_step_end(self, args, state, control, **kw):  # noqa: ANN001
            step_times.append(time.perf_counter() - self._t)
            log(f"step {state.global_step}/{state.max_steps}: {step_times[-1]:.1f}s")

    import dataclasses

    # TRL turns checkpointing on by default; transformers 5 calls it activation_checkpointing
    ckpt = "activation_checkpointing" if "activation_checkpointing" in {f.name for f in dataclasses.fields(SFTConfig)} \
        else "gradient_checkpointing"
    extra: dict[str, Any] = {ckpt: settings.gradient_checkpointing}
    config = SFTConfig(
        output_dir=str(work / "trainer"), num_train_epochs=settings.epochs,
        max_steps=settings.max_steps if settings.max_steps else -1,
        per_device_train_batch_size=settings.batch_size, gradient_accumulation_steps=settings.grad_accum,
        learning_rate=settings.lr, logging_steps=settings.logging_steps, save_strategy="no", report_to="none",
        max_length=settings.max_length, completion_only_loss=True, seed=settings.seed,
        use_cpu=device == "cpu", bf16=train_dtype == torch.bfloat16, fp16=train_dtype == torch.float16,
        dataloader_num_workers=0, disable_tqdm=True, **extra,
    )
    trainer = SFTTrainer(model=model, args=config, train_dataset=Dataset.from_list(rows), processing_class=tok,
                         peft_config=peft_config, callbacks=[StepClock()])
    trainable = sum(p.numel() for p in trainer.model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in trainer.model.parameters())
    log(f"training {len(rows)} examples: {trainable:,} of {total:,} parameters trainable")
    output = trainer.train()
    losses = [float(h["loss"]) for h in trainer.state.log_history if "loss" in h]
    if not losses or not all(math.isfinite(x) for x in losses):
        raise TrainError(f"training gave no finite loss ({losses[:5]}); lower the learning rate or check the data")
    trained = trainer.model
    if peft_config is not None:
        if settings.save_adapter:
            trained.save_pretrained(str(work / "adapter"))
        trained = trained.merge_and_unload()
    shutil.rmtree(work / "trainer", ignore_errors=True)
    trained = trained.to(getattr(torch, settings.save_dtype))
    trained.config.use_cache = True
    trained.save_pretrained(str(work), safe_serialization=True)
    tok.save_pretrained(str(work))
    result = SFTResult(
        out_dir=out_dir, base=str(base), base_dir=str(base_dir), device=device, examples=len(rows),
        dropped_too_long=dropped, steps=int(trainer.state.global_step), losses=losses,
        train_loss=float(output.training_loss), seconds=round(time.perf_counter() - t0, 2),
        seconds_per_step=round(sum(step_times) / len(step_times), 3) if step_times else 0.0,
        peak_rss_mb=round(_peak_rss_mb(), 1), trainable_params=int(trainable), total_params=int(total),
        settings=settings.to_dict(), versions=_versions())
    (work / INFO_FILE).write_text(json.dumps(result.to_dict(), indent=2), encoding="utf-8")
    if out_dir.exists():
        shutil.rmtree(out_dir)
    work.rename(out_dir)
    return result
