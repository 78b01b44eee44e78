"""Turn a GGUF file into a Hugging Face model directory (what vLLM loads).

Uses transformers' GGUF reader with dequantization (needs the ``vllm`` or ``train`` extra:
``transformers``, ``gguf``, ``accelerate``, ``torch``). The 0.5B model converts in about a
minute on 2 CPU cores and takes ~1.3 GB in bfloat16.
"""

from __future__ import annotations

from pathlib import Path

from optolab.errors import ModelError


def convert_gguf(gguf: str | Path, out_dir: str | Path, *, dtype: str = "bfloat16") -> Path:
    gguf, out_dir = Path(gguf), Path(out_dir)
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError:
        raise ModelError("converting GGUF to a Hugging Face directory needs transformers, gguf, accelerate and "
                         "torch: pip install 'optolab[vllm]' (or 'optolab[train]')") from None
    try:
        from transformers import GgufConfig

        quant = {"quantization_config": GgufConfig(dequantize=True)}
    except ImportError:  # older transformers dequantize GGUF by default
        quant = {}
    tmp = out_dir.with_name(out_dir.name + ".partial")
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name,
                                                 torch_dtype=getattr(torch, dtype), **quant)
    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model.save_pretrained(tmp, safe_serialization=True)
    tok.save_pretrained(tmp)
    tmp.rename(out_dir)
    return out_dir


def hf_dir_for(model: str) -> Path:
    """The converted directory of a registry model (converted on first use)."""
    from optolab.models.download import model_dir, path, pull
    from optolab.models.registry import get_spec

    spec = get_spec(model)
    out = model_dir() / f"{spec.name}-hf"
    if (out / "config.json").exists():
        return out
    try:
        gguf = path(model)
    except Exception:
        gguf = pull(model)
    return convert_gguf(gguf, out)
