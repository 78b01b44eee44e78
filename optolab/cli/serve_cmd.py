"""``optolab serve``: an OpenAI-compatible server for a local model, in the foreground."""

from __future__ import annotations

import argparse
import signal
import time


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the server the way Ctrl-C does


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve a local model over an OpenAI-compatible API")
    p.add_argument("--engine", choices=["llama.cpp", "vllm"], default="llama.cpp")
    p.add_argument("--model", default=None, help="registry name, a .gguf file, or (vllm) a Hugging Face directory")
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--threads", type=int, default=None, help="CPU threads (llama.cpp)")
    p.add_argument("--ctx", type=int, default=None, help="context length")
    p.add_argument("--name", default="local", help="the model name clients ask for")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from optolab.errors import ModelError
    from optolab.models.server import ModelServer

    try:
        target = args.model
        if args.engine == "vllm":
            if not (target and Path(target).is_dir()):
                from optolab.models.convert import hf_dir_for

                target = str(hf_dir_for(target or "qwen2.5-0.5b"))
        elif not (target and Path(target).exists()):
            from optolab.models import pull

            target = str(pull(target))
        server = ModelServer(target, engine=args.engine, port=args.port, host=args.host, served_name=args.name,
                             n_ctx=args.ctx, threads=args.threads)
        previous = signal.signal(signal.SIGTERM, _interrupt)
        server.start()
        try:
            server.wait_ready(timeout=600)
            print(f"serving {target} ({args.engine}) at {server.api_base} as model {args.name!r}; Ctrl-C stops it",
                  flush=True)
            while server.proc.poll() is None:  # polling, not proc.wait(): a signal may arrive at any time
                time.sleep(0.5)
            print(f"optolab serve: the server exited with status {server.proc.returncode}; end of its log "
                  f"({server.log_path}):\n{server.log_tail()}")
            return 1
        except KeyboardInterrupt:
            return 0
        finally:
            server.stop()
            signal.signal(signal.SIGTERM, previous)
    except ModelError as exc:
        print(f"optolab serve: {exc}")
        return 1
    return 0
