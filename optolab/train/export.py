"""A Hugging Face model directory to a quantized GGUF file that llama.cpp (and ``optolab serve``) loads.

Two steps:

1. ``convert_hf_to_gguf.py`` of llama.cpp writes a 16-bit GGUF file. The converter is the copy
   vendored in the source distribution of the installed ``llama-cpp-python``, so the file format
   matches the llama.cpp that will load it. It runs with its own ``gguf-py`` package (the ``gguf``
   release on PyPI can be older than the converter, e.g. ``AttributeError: DFLASH``). The converter is
   looked up in, in order: the ``llama_cpp`` argument, ``$OPTOLAB_LLAMA_CPP`` (a llama.cpp checkout or
   a ``llama_cpp_python-*.tar.gz``), the model cache (``<model dir>/llama.cpp/<version>``); else the
   sdist is fetched once with ``pip download`` and its converter files kept in the cache.
2. ``llama_cpp.llama_model_quantize`` quantizes it (``q4_k_m`` by default).

Measured on 2 CPU cores with Qwen2.5-0.5B: conversion about 15 s, Q4_K_M quantization about 7 s.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from optolab.train.errors import TrainError

# quantization name -> llama_cpp constant
QUANTS = {
    "q4_k_m": "LLAMA_FTYPE_MOSTLY_Q4_K_M",
    "q4_k_s": "LLAMA_FTYPE_MOSTLY_Q4_K_S",
    "q5_k_m": "LLAMA_FTYPE_MOSTLY_Q5_K_M",
    "q5_k_s": "LLAMA_FTYPE_MOSTLY_Q5_K_S",
    "q6_k": "LLAMA_FTYPE_MOSTLY_Q6_K",
    "q8_0": "LLAMA_FTYPE_MOSTLY_Q8_0",
    "q4_0": "LLAMA_FTYPE_MOSTLY_Q4_0",
    "q3_k_m": "LLAMA_FTYPE_MOSTLY_Q3_K_M",
    "q2_k": "LLAMA_FTYPE_MOSTLY_Q2_K",
}
UNQUANTIZED = ("f16", "bf16", "f32")  # written by the converter itself
CONVERTER_PARTS = ("convert_hf_to_gguf.py", "conversion", "gguf-py", "LICENSE")


def _llama_cpp_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("llama-cpp-python")
    except metadata.PackageNotFoundError:
        raise TrainError("GGUF export needs llama-cpp-python (its converter and quantizer): "
                         "pip install 'optolab[llama]'") from None


def is_converter_dir(path: Path) -> bool:
    return (path / "convert_hf_to_gguf.py").is_file() and (path / "gguf-py" / "gguf").is_dir()


def _extract_converter(sdist: Path, dest: Path) -> Path:
    """Copy the converter files of a llama-cpp-python sdist into ``dest`` (written whole, then renamed)."""
    tmp = Path(tempfile.mkdtemp(prefix=".partial-", dir=dest.parent))
    try:
        with tarfile.open(sdist) as tar:
            members = []
            prefix = None
            for m in tar.getmembers():
                parts = Path(m.name).parts
                if "vendor" in parts and "llama.cpp" in parts:
                    i = parts.index("llama.cpp")
                    rel = parts[i + 1:]
                    if rel and rel[0] in CONVERTER_PARTS and (m.isfile() or m.isdir()):
                        prefix = Path(*parts[: i + 1])
                        members.append((m, Path(*rel)))
            if prefix is None:
                raise TrainError(f"{sdist} holds no vendor/llama.cpp/convert_hf_to_gguf.py; give a llama-cpp-python "
                                 "source distribution or a llama.cpp checkout")
            for m, rel in members:
                target = tmp / rel
                if m.isdir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(m) as src, open(target, "wb") as out:  # type: ignore[union-attr]
                    shutil.copyfileobj(src, out)
        if not is_converter_dir(tmp):
            raise TrainError(f"{sdist} lacks convert_hf_to_gguf.py or gguf-py; it is not a usable llama.cpp source")
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)
        return dest
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _fetch_sdist(version: str, where: Path, log: Callable[[str], None]) -> Path:
    log(f"fetching the llama-cpp-python {version} source distribution for its GGUF converter (about 75 MB, once)")
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
           f"llama-cpp-python=={version}", "-d", str(where)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    found = sorted(where.glob("llama_cpp_python-*.tar.gz"))
    if proc.returncode != 0 or not found:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-6:])
        raise TrainError(f"could not download the llama-cpp-python {version} sdist for its GGUF converter:\n{tail}\n"
                         "Give a llama.cpp checkout or a llama_cpp_python-*.tar.gz with --llama-cpp "
                         "(or $OPTOLAB_LLAMA_CPP)")
    return found[0]


def find_converter(llama_cpp: str | Path | None = None, *, fetch: bool = True,
                   log: Callable[[str], None] | None = None) -> Path:
    """The folder holding ``convert_hf_to_gguf.py``, ``conversion/`` and ``gguf-py/`` (see the module docstring)."""
    from optolab.models.download import model_dir

    log = log or (lambda line: None)
    given = llama_cpp or os.environ.get("OPTOLAB_LLAMA_CPP")
    cache_root = model_dir() / "llama.cpp"
    if given:
        path = Path(given).expanduser()
        if path.is_dir():
            for candidate in (path, path / "vendor" / "llama.cpp"):
                if is_converter_dir(candidate):
                    return candidate
            raise TrainError(f"{path} has no convert_hf_to_gguf.py and gguf-py/; give a llama.cpp checkout or a "
                             "llama_cpp_python-*.tar.gz")
        if path.is_file() and path.name.endswith((".tar.gz", ".tgz")):
            cache_root.mkdir(parents=True, exist_ok=True)
            dest = cache_root / path.name.removesuffix(".tar.gz").removesuffix(".tgz")
            return dest if is_converter_dir(dest) else _extract_converter(path, dest)
        raise TrainError(f"{path} is neither a llama.cpp folder nor a llama_cpp_python-*.tar.gz")
    version = _llama_cpp_version()
    dest = cache_root / f"llama_cpp_python-{version}"
    if is_converter_dir(dest):
        return dest
    if not fetch:
        raise TrainError(f"no GGUF converter in {dest}; give --llama-cpp (a llama.cpp checkout or sdist) or let "
                         "optolab fetch the llama-cpp-python sdist")
    cache_root.mkdir(parents=True, exist_ok=True)
    from filelock import FileLock

    with FileLock(str(dest) + ".lock"):
        if is_converter_dir(dest):
            return dest
        with tempfile.TemporaryDirectory(dir=cache_root) as tmp:
            sdist = _fetch_sdist(version, Path(tmp), log)
            return _extract_converter(sdist, dest)


def _check_hf_dir(hf_dir: Path) -> None:
    if not hf_dir.is_dir():
        raise TrainError(f"{hf_dir} is not a directory; give the Hugging Face directory that 'optolab train sft' wrote")
    if not (hf_dir / "config.json").is_file():
        raise TrainError(f"{hf_dir} has no config.json, so it is not a Hugging Face model directory")
    if not any(hf_dir.glob("*.safetensors")) and not any(hf_dir.glob("*.bin")):
        raise TrainError(f"{hf_dir} holds no weights (*.safetensors); was the model saved completely?")
    if not ((hf_dir / "tokenizer.json").is_file() or (hf_dir / "tokenizer.model").is_file()):
        raise TrainError(f"{hf_dir} has no tokenizer (tokenizer.json); GGUF files carry the tokenizer, so save it "
                         "with the model")


def convert_to_gguf(hf_dir: str | Path, out_file: str | Path, *, outtype: str = "f16",
                    llama_cpp: str | Path | None = None, log: Callable[[str], None] | None = None) -> Path:
    """Write ``out_file`` (GGUF, ``outtype`` f16, bf16 or f32) from a Hugging Face directory."""
    log = log or (lambda line: None)
    hf_dir, out_file = Path(hf_dir).expanduser(), Path(out_file).expanduser()
    _check_hf_dir(hf_dir)
    if outtype not in UNQUANTIZED:
        raise TrainError(f"outtype must be one of {', '.join(UNQUANTIZED)}, got {outtype!r}")
    converter = find_converter(llama_cpp, log=log)
    env = dict(os.environ)
    env.pop("NO_LOCAL_GGUF", None)  # the converter must use its own gguf-py
    env["PYTHONPATH"] = os.pathsep.join([str(converter / "gguf-py"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    partial = out_file.with_name(out_file.name + ".partial")
    cmd = [sys.executable, str(converter / "convert_hf_to_gguf.py"), str(hf_dir), "--outfile", str(partial),
           "--outtype", outtype]
    log(f"converting {hf_dir} to GGUF ({outtype}) with {converter}")
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0 or not partial.is_file():
        partial.unlink(missing_ok=True)
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-12:])
        raise TrainError(f"convert_hf_to_gguf.py failed (status {proc.returncode}):\n{tail}")
    partial.replace(out_file)
    log(f"wrote {out_file} ({out_file.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - t0:.0f}s")
    return out_file


def quantize_gguf(src: str | Path, dst: str | Path, quant: str = "q4_k_m", *, threads: int | None = None) -> Path:
    """Quantize a 16/32-bit GGUF file with llama.cpp (``llama_cpp.llama_model_quantize``)."""
    quant = quant.lower()
    if quant not in QUANTS:
        raise TrainError(f"unknown quantization {quant!r}: use one of {', '.join(QUANTS)} (or {', '.join(UNQUANTIZED)} "
                         "for no quantization)")
    src, dst = Path(src).expanduser(), Path(dst).expanduser()
    if not src.is_file():
        raise TrainError(f"{src} is not a file; give a GGUF file to quantize")
    _llama_cpp_version()
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, QUANTS[quant])
    params.nthread = int(threads or os.cpu_count() or 1)
    partial = dst.with_name(dst.name + ".partial")
    rc = llama_cpp.llama_model_quantize(str(src).encode(), str(partial).encode(), ctypes.byref(params))
    if rc != 0 or not partial.is_file():
        partial.unlink(missing_ok=True)
        raise TrainError(f"llama.cpp could not quantize {src} to {quant} (status {rc}); see its log above")
    partial.replace(dst)
    return dst


def check_loads(gguf: str | Path, prompt: str = "1 + 1 =") -> str:
    """Load a GGUF file with llama.cpp and generate a few tokens; returns the text (raises if it cannot load)."""
    _llama_cpp_version()
    from llama_cpp import Llama

    try:
        llm = Llama(model_path=str(gguf), n_ctx=256, n_threads=max(1, (os.cpu_count() or 2) // 2), verbose=False)
    except Exception as exc:  # llama.cpp says little more than "failed to load model"
        raise TrainError(f"llama.cpp cannot load {gguf}: {exc}") from None
    try:
        out = llm(prompt, max_tokens=4, temperature=0.0)
        return str(out["choices"][0]["text"])
    finally:
        close = getattr(llm, "close", None)
        if close:
            close()


def export_gguf(hf_dir: str | Path, out: str | Path | None = None, *, quant: str = "q4_k_m",
                llama_cpp: str | Path | None = None, keep_f16: bool = False, check: bool = True,
                threads: int | None = None, log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Convert and quantize ``hf_dir``; the GGUF goes to ``out`` (default ``<hf_dir>/<name>-<quant>.gguf``).

    Returns ``{"gguf", "quant", "bytes", "convert_seconds", "quantize_seconds", "check"}``.
    """
    log = log or (lambda line: None)
    hf_dir = Path(hf_dir).expanduser()
    quant = quant.lower()
    if quant not in QUANTS and quant not in UNQUANTIZED:
        raise TrainError(f"unknown quantization {quant!r}: use one of {', '.join(QUANTS)} or {', '.join(UNQUANTIZED)}")
    _check_hf_dir(hf_dir)
    out = Path(out).expanduser() if out else hf_dir / f"{hf_dir.name}-{quant}.gguf"
    if out.is_dir():
        out = out / f"{hf_dir.name}-{quant}.gguf"
    info: dict[str, Any] = {"quant": quant}
    t0 = time.perf_counter()
    if quant in UNQUANTIZED:
        convert_to_gguf(hf_dir, out, outtype=quant, llama_cpp=llama_cpp, log=log)
        info["convert_seconds"] = round(time.perf_counter() - t0, 1)
        info["quantize_seconds"] = 0.0
    else:
        f16 = out.with_name(out.stem + ".f16.gguf")
        convert_to_gguf(hf_dir, f16, outtype="f16", llama_cpp=llama_cpp, log=log)
        info["convert_seconds"] = round(time.perf_counter() - t0, 1)
        t1 = time.perf_counter()
        log(f"quantizing to {quant}")
        try:
            quantize_gguf(f16, out, quant, threads=threads)
        finally:
            if not keep_f16:
                f16.unlink(missing_ok=True)
        info["quantize_seconds"] = round(time.perf_counter() - t1, 1)
        if keep_f16:
            info["f16"] = str(f16)
    info["gguf"] = str(out)
    info["bytes"] = out.stat().st_size
    if check:
        info["check"] = check_loads(out)
        log(f"llama.cpp loads {out.name}; it continues '1 + 1 =' with {info['check']!r}")
    return info
