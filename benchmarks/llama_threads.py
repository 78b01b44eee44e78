"""Tokens per second of the local llama.cpp server for each thread count, on this machine as it is now.

Starts one server per thread count with the registry model, sends the same agent-sized request
(a long system prompt, a question, a reply of up to ``--tokens`` tokens, temperature 0) a few
times, and prints prompt and generation throughput. Run it on an idle machine to choose
``OPTOLAB_LLAMA_THREADS``; the default (half the cores) is what survives a busy machine.

    python benchmarks/llama_threads.py [--model qwen2.5-coder-1.5b] [--threads 1 2] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

SYSTEM = ("You are an operations research expert. Write a Pyomo model for the problem. " * 12).strip()
QUESTION = ("A factory makes chairs and tables. A chair needs 2 hours of carpentry and 1 hour of painting and earns "
            "$30; a table needs 3 hours of carpentry and 2 hours of painting and earns $50. There are 120 hours of "
            "carpentry and 70 hours of painting each week, and at least 10 tables must be made. How many of each "
            "maximize profit? Write the complete model code.")


def measure(model: str, threads: int, repeats: int, tokens: int) -> dict[str, float]:
    from optolab.llm import LLM
    from optolab.models import pull
    from optolab.models.server import LlamaCppServer

    path = pull(model, progress=False)
    t0 = time.perf_counter()
    with LlamaCppServer(path, n_threads=threads, n_ctx=4096, served_name=model) as server:
        start_s = time.perf_counter() - t0
        llm = LLM(f"openai/{model}", api_base=server.api_base, cache=False)
        gen, total = [], []
        for i in range(repeats):
            messages = [{"role": "system", "content": f"{SYSTEM} (run {i})"},  # defeats the prompt cache
                        {"role": "user", "content": QUESTION}]
            t = time.perf_counter()
            reply = llm.chat(messages, max_tokens=tokens, temperature=0.0)
            seconds = time.perf_counter() - t
            total.append((reply.prompt_tokens + reply.completion_tokens) / seconds)
            gen.append(reply.completion_tokens / seconds)
    return {"threads": threads, "start_s": start_s, "completion_tok_s": statistics.median(gen),
            "all_tok_s": statistics.median(total)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="qwen2.5-coder-1.5b")
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--tokens", type=int, default=256)
    args = ap.parse_args()
    load = os.getloadavg()[0]
    print(f"model {args.model}, {os.cpu_count()} cores, load average {load:.2f} at start")
    rows = [measure(args.model, t, args.repeats, args.tokens) for t in args.threads]
    base = rows[0]["completion_tok_s"]
    print(f"{'threads':>7} {'start s':>8} {'reply tok/s':>12} {'(prompt+reply) tok/s':>21} {'vs first':>9}")
    for r in rows:
        print(f"{r['threads']:>7} {r['start_s']:>8.1f} {r['completion_tok_s']:>12.1f} {r['all_tok_s']:>21.1f} "
              f"{r['completion_tok_s'] / base:>8.2f}x")


if __name__ == "__main__":
    main()
