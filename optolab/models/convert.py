"""Turn a GGUF file into a Hugging Face model directory (what vLLM loads).

vLLM serves Hugging Face-format directories; optolab's registry ships GGUF files (what llama.cpp
loads). :func:`hf_dir_for` converts a registry model or a ``.gguf`` file once and keeps the result
in the model cache under ``hf/<sha256 of the GGUF>-<dtype>``, so every later call reuses it. A
directory appears there only complete: the conversion writes into ``<dir>.partial`` and renames it
at the end, after writing ``optolab-conversion.json`` (what was converted, how long it took).

The conversion uses transformers' GGUF reader with dequantization (``torch``, ``transformers``,
``gguf``, ``accelerate``): in this interpreter when it has them, otherwise in the interpreter that
has vLLM (``OPTOLAB_VLLM_PYTHON``, see :func:`optolab.models.server.vllm_python`), which runs this
file in a subprocess. The 0.5B model converts in about a minute on 2 CPU cores and takes ~1.3 GB
in bfloat16.

This module imports only the standard library at the top: the other interpreter runs it without
optolab installed (:data:`RUNNER`).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

CONVERT_PACKAGES = ("torch", "transformers", "gguf", "accelerate")
MARKER = "optolab-conversion.json"
DTYPES = ("bfloat16", "float16", "float32")
# run in another interpreter: python -c RUNNER <this file> <gguf> <out> <dtype>
RUNNER = ("import runpy, sys; ns = runpy.run_path(sys.argv[1], run_name='optolab_convert'); "
          "ns['convert_here'](sys.argv[2], sys.argv[3], sys.argv[4])")


def convert_here(gguf: str | Path, out_dir: str | Path, dtype: str = "bfloat16") -> Path:
    """Convert in this interpreter (needs :data:`CONVERT_PACKAGES`); ``out_dir`` is created.

    Without ``dequantize=True`` transformers keeps the GGUF quantization and ``save_pretrained``
    refuses ("quantized with gguf and is not serializable").
    """
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf, out_dir = Path(gguf), Path(out_dir)
    t0 = time.time()
    kwargs: dict = {}
    try:
        from transformers import GgufConfig

        kwargs["quantization_config"] = GgufConfig(dequantize=True)
    except ImportError:  # transformers before GgufConfig dequantize GGUF weights anyway
        pass
    major = int(transformers.__version__.split(".")[0])
    kwargs["dtype" if major >= 5 else "torch_dtype"] = getattr(torch, dtype)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, **kwargs)
    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model.save_pretrained(out_dir, safe_serialization=True)
    tok.save_pretrained(out_dir)
    info = {"gguf": str(gguf), "dtype": dtype, "seconds": round(time.time() - t0, 1),
            "transformers": transformers.__version__, "chat_template": bool(getattr(tok, "chat_template", None))}
    (out_dir / MARKER).write_text(json.dumps(info, indent=2))
    return out_dir


def packages_missing_here() -> list[str]:
    return [m for m in CONVERT_PACKAGES if importlib.util.find_spec(m) is None]


def _run_conversion(gguf: Path, out_dir: Path, dtype: str, python: str | None) -> None:
    """Write the converted model into ``out_dir``: in this interpreter or in ``python``'s."""
    from optolab.errors import ModelError

    if python is None and not packages_missing_here():
        convert_here(gguf, out_dir, dtype)
        return
    from optolab.models.server import probe_python, vllm_python

    py = vllm_python(python)
    info = probe_python(py)
    missing = [m for m in CONVERT_PACKAGES if m not in info.packages]
    if missing:
        needs = f"converting GGUF to a Hugging Face directory needs {', '.join(CONVERT_PACKAGES)}"
        if os.path.realpath(info.python) == os.path.realpath(sys.executable):
            raise ModelError(f"{needs}; this interpreter ({sys.executable}) lacks {', '.join(missing)}. Install "
                             "them (pip install 'optolab[vllm]' torch), or point OPTOLAB_VLLM_PYTHON (or --python) at "
                             "an environment that has them, such as the one with vllm")
        raise ModelError(f"{needs}; {py} lacks {', '.join(missing)}. Install them with: "
                         f"{py} -m pip install {' '.join(missing)}")
    proc = subprocess.run([py, "-c", RUNNER, str(Path(__file__).resolve()), str(gguf), str(out_dir), dtype],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not (out_dir / MARKER).exists():
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        raise ModelError(f"converting {gguf.name} with {py} failed (status {proc.returncode}):\n{tail}")


def convert_gguf(gguf: str | Path, out_dir: str | Path, *, dtype: str = "bfloat16",
                 python: str | None = None) -> Path:
    """Convert ``gguf`` into the new directory ``out_dir`` and return it.

    ``python``: the interpreter to convert in; by default this one when it has the packages,
    else the one that has vLLM. The directory appears only once complete.
    """
    from optolab.errors import ModelError

    gguf, out_dir = Path(gguf).expanduser(), Path(out_dir).expanduser()
    if dtype not in DTYPES:
        raise ModelError(f"dtype must be one of {', '.join(DTYPES)}, not {dtype!r}")
    if not gguf.is_file():
        raise ModelError(f"{gguf} is not a file; give a .gguf file or a registry model name (optolab model list)")
    if out_dir.exists():
        raise ModelError(f"{out_dir} already exists; choose a new output directory")
    tmp = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)  # left by an interrupted conversion
    tmp.parent.mkdir(parents=True, exist_ok=True)
    try:
        _run_conversion(gguf, tmp, dtype, python)
        tmp.rename(out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir


def cache_root() -> Path:
    """Where converted models are kept: ``hf/`` in the model cache (``OPTOLAB_MODEL_DIR``)."""
    from optolab.models.download import model_dir

    return model_dir() / "hf"


def cached_dir(sha256: str, dtype: str = "bfloat16") -> Path:
    """The cache directory for the conversion of the GGUF file with this sha256."""
    return cache_root() / f"{sha256.lower()}-{dtype}"


def is_converted(directory: Path) -> bool:
    return (directory / MARKER).is_file() and (directory / "config.json").is_file()


def _gguf_and_sha(model: str, progress: bool) -> tuple[Path, str]:
    from optolab.errors import ModelNotFoundError
    from optolab.models.download import is_installed, model_dir, pull, sha256_of
    from optolab.models.registry import get_spec

    candidate = Path(model).expanduser()
    if model.endswith(".gguf") or os.sep in model:
        if not candidate.is_file():
            raise ModelNotFoundError(f"{model} is not a file; give a .gguf file, a Hugging Face model directory or "
                                     "a registry model name (optolab model list)")
        return candidate, sha256_of(candidate)
    spec = get_spec(model)
    if is_installed(spec):  # verified when it was pulled
        return model_dir() / spec.filename, spec.sha256
    return pull(spec.name, progress=progress), spec.sha256


def hf_dir_for(model: str | Path | None, *, dtype: str = "bfloat16", python: str | None = None,
               progress: bool = True) -> Path:
    """A Hugging Face directory for ``model``: converted once, then reused.

    ``model``: a registry name (pulled if needed), a ``.gguf`` file, or a Hugging Face model
    directory (returned as it is). ``None`` means the small test model ``qwen2.5-0.5b``.
    """
    from filelock import FileLock

    from optolab.errors import ModelError

    model = str(model or "qwen2.5-0.5b")
    as_path = Path(model).expanduser()
    if as_path.is_dir():
        if not (as_path / "config.json").is_file():
            raise ModelError(f"{as_path} is a directory without config.json, so not a Hugging Face model directory")
        return as_path
    gguf, sha = _gguf_and_sha(model, progress)
    out = cached_dir(sha, dtype)
    if is_converted(out):
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(out) + ".lock"):
        if is_converted(out):  # converted by another process meanwhile
            return out
        if out.exists():  # not written by a finished conversion
            shutil.rmtree(out)
        if progress:
            print(f"converting {gguf.name} to a Hugging Face directory in {out} (once; about a minute per GB)",
                  file=sys.stderr, flush=True)
        return convert_gguf(gguf, out, dtype=dtype, python=python)

