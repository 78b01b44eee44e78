"""``optolab serve``: an OpenAI-compatible server for a local model, in the foreground.

``--engine llama.cpp`` serves a GGUF file; ``--engine vllm`` serves a Hugging Face directory, and
converts a registry model or a ``.gguf`` file into one first (once: the result is cached). vLLM
may live in its own environment: ``--python`` or ``OPTOLAB_VLLM_PYTHON`` names its interpreter.
On CPU vLLM runs eager (it starts in under a minute instead of ~2.5; ``--engine-arg=--no-enforce-eager``
compiles instead).
Ctrl-C or SIGTERM stops the server and every process it started.
"""

from __future__ import annotations

import argparse
import signal
import time


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the server the way Ctrl-C does


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve a local model over an OpenAI-compatible API")
    p.add_argument("--engine", choices=["llama.cpp", "vllm"], default="llama.cpp")
    p.add_argument("--model", default=None,
                   help="registry name, a .gguf file, or (vllm) a Hugging Face directory; default: qwen2.5-coder-1.5b "
                        "(llama.cpp), qwen2.5-0.5b (vllm)")
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--threads", type=int, default=None, help="CPU threads (llama.cpp)")
    p.add_argument("--ctx", type=int, default=None, help="context length (default 8192 for llama.cpp, 4096 for vllm)")
    p.add_argument("--name", default="local", help="the model name clients ask for")
    p.add_argument("--python", default=None,
                   help="(vllm) the Python interpreter that has vllm (default: OPTOLAB_VLLM_PYTHON, this one, or the "
                        "one of a `vllm` command on PATH)")
    p.add_argument("--dtype", default=None, help="(vllm) weight dtype; default bfloat16 on CPU, auto on GPU")
    p.add_argument("--engine-arg", action="append", default=[], metavar="ARG",
                   help="passed to the engine unchanged; repeatable, e.g. --engine-arg=--enforce-eager")
    p.add_argument("--timeout", type=float, default=None,
                   help="seconds to wait for the server to answer (default 300 llama.cpp, 900 vllm)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    previous = signal.signal(signal.SIGTERM, _interrupt)  # from here on, also while a model converts
    try:
        return _serve(args)
    except KeyboardInterrupt:
        print("optolab serve: stopped", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def _serve(args: argparse.Namespace) -> int:
    from pathlib import Path

    from optolab.errors import ModelError
    from optolab.models.server import ModelServer

    try:
        target = args.model
        if args.engine == "vllm":
            from optolab.models.convert import hf_dir_for

            target = str(hf_dir_for(target, python=args.python))
        elif not (target and Path(target).exists()):
            from optolab.models import pull

            target = str(pull(target))
        ctx = args.ctx or (4096 if args.engine == "vllm" else None)
        server = ModelServer(target, engine=args.engine, port=args.port, host=args.host, served_name=args.name,
                             n_ctx=ctx, threads=args.threads, python=args.python, dtype=args.dtype,
                             extra_args=args.engine_arg)
    except ModelError as exc:
        print(f"optolab serve: {exc}")
        return 1
    try:
        t0 = time.time()
        server.start()
        server.wait_ready(timeout=args.timeout)
        print(f"serving {target} ({args.engine}, pid {server.proc.pid}) at {server.api_base} as model "
              f"{args.name!r}; ready after {time.time() - t0:.0f} s; Ctrl-C stops it", flush=True)
        if args.engine == "vllm":
            print(f"client: LLM('openai/{args.name}', api_base='{server.api_base}', json_mode='json_schema')",
                  flush=True)
        while server.proc.poll() is None:  # polling, not proc.wait(): a signal may arrive at any time
            time.sleep(0.5)
        print(f"optolab serve: the server exited with status {server.proc.returncode}; end of its log "
              f"({server.log_path}):\n{server.log_tail()}")
        return 1
    except ModelError as exc:
        print(f"optolab serve: {exc}")
        return 1
    finally:
        server.stop()
