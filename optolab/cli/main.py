"""Entry point of the ``optolab`` command.

Each sub-command lives in its own module under ``optolab.cli`` and exposes
``register(subparsers)``; it is imported only when the command line is built, so
``optolab --help`` stays fast and importing this module does no work.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# module name under optolab.cli -> one-line help; each module defines register(subparsers)
COMMANDS: dict[str, str] = {
    "solve_cmd": "solve",
    "model_cmd": "model",
    "serve_cmd": "serve",
    "engine_cmd": "engine",
    "eval_cmd": "eval",
    "synth_cmd": "synth",
    "train_cmd": "train",
}


def build_parser() -> argparse.ArgumentParser:
    from optolab import __version__

    parser = argparse.ArgumentParser(
        prog="optolab",
        description="Trace and optimize LLM workflows; model and solve optimization problems.",
    )
    parser.add_argument("--version", action="version", version=f"optolab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMANDS:
        module = importlib.import_module(f"optolab.cli.{module_name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
