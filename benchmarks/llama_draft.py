"""Reply speed of the local llama.cpp server with and without prompt-lookup decoding, on the agent's own requests.

The program strategy's replies copy much of their prompt: the table data written as Python dicts, the
element names, the shape of the worked examples. Prompt-lookup decoding (llama-cpp-python's
``--draft_model prompt-lookup-decoding``) guesses the next tokens by finding the last few tokens of the reply
earlier in the context and lets the model check the guess in one batch; on a CPU, where each step reads all the
weights, a checked run of several tokens costs about one step.

For each server setting this starts a server with the registry model, has the modeling agent (program
strategy, first attempt only, temperature 0, no cache) solve the same embedded problems, and prints reply
tokens per second, the ratio against the first setting, and whether each reply is the same as under the
first setting (greedy decoding checked by the model should not change it).

    python benchmarks/llama_draft.py [--model qwen2.5-coder-1.5b] [--ids transport-001 knapsack-001 ...]
        [--settings off 10 4]
"""

from __future__ import annotations

import argparse
import os
import time

DEFAULT_IDS = ["production-001", "transport-001", "knapsack-002", "blending-002", "staffing-001", "ratio-001"]


def measure(model: str, setting: str, ids: list[str]) -> dict:
    from optolab.agents import Modeler
    from optolab.llm import LLM
    from optolab.models import pull
    from optolab.models.server import LlamaCppServer
    from optolab.problems.catalog import get_problem

    extra = [] if setting == "off" else ["--draft_model", "prompt-lookup-decoding",
                                          "--draft_model_num_pred_tokens", setting]
    path = pull(model, progress=False)
    with LlamaCppServer(path, n_ctx=8192, served_name=model, extra_args=extra) as server:
        llm = LLM(f"openai/{model}", api_base=server.api_base, cache=False)
        agent = Modeler(llm, max_attempts=1)
        codes, tokens, seconds = {}, 0, 0.0
        for pid in ids:
            t = time.perf_counter()
            sol = agent.solve(get_problem(pid).text)
            seconds += time.perf_counter() - t
            tokens += sol.completion_tokens
            codes[pid] = sol.code
            print(f"  {setting:>4} {pid:<18} {sol.completion_tokens:>5} tokens {sol.llm_seconds:>6.1f} s "
                  f"{sol.status}", flush=True)
    return {"setting": setting, "tokens": tokens, "seconds": seconds, "codes": codes}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="qwen2.5-coder-1.5b")
    ap.add_argument("--ids", nargs="+", default=DEFAULT_IDS, help="embedded problem ids")
    ap.add_argument("--settings", nargs="+", default=["off", "10"],
                    help="'off' or a number of drafted tokens per step, one server each")
    args = ap.parse_args()
    print(f"model {args.model}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start, "
          f"{len(args.ids)} problems")
    rows = [measure(args.model, s, args.ids) for s in args.settings]
    base = rows[0]
    print(f"\n{'draft':>6} {'tokens':>7} {'seconds':>8} {'tok/s':>6} {'vs first':>9} {'same replies':>13}")
    for r in rows:
        same = sum(r["codes"][i] == base["codes"][i] for i in args.ids)
        print(f"{r['setting']:>6} {r['tokens']:>7} {r['seconds']:>8.1f} {r['tokens'] / r['seconds']:>6.1f} "
              f"{(r['tokens'] / r['seconds']) / (base['tokens'] / base['seconds']):>8.2f}x {same:>6}/{len(args.ids)}")


if __name__ == "__main__":
    main()
