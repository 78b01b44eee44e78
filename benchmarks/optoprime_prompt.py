"""Size of the OptoPrime prompt and the cost of one step outside the LLM, next to trace-opt.

The same small traced workflow (a trainable prompt, a trainable number with a constraint and a
trainable function, four calls) is built with optolab and with Microsoft's Trace (PyPI
``trace-opt``, import ``opto``), feedback is sent back, and each library's OptoPrime builds its
prompt. Prints tokens and characters of both prompts and their ratio (target <= 0.7), then the
time of one optolab ``step()`` with a scripted LLM that answers at once (target < 5 ms).

Tokens are counted with the Qwen2.5 tokenizer read from a local GGUF model when one is cached
(``optolab model pull``) and ``llama-cpp-python`` is installed; otherwise with a word/punctuation
split, which the output names.

    python benchmarks/optoprime_prompt.py [--steps 200]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

FEEDBACK = "The reply must state the total price including the discount; it printed 589.00 but the expected total is 558.00."

OPTOLAB_SIDE = '''
from optolab import trace

PRICES = {"chair": 40.0, "table": 150.0}

prompt = trace.node("Write a one-line quote.", trainable=True, name="prompt", description="instruction for the reply")
rate = trace.node(0.05, trainable=True, name="rate", description="discount rate", constraint="0 <= rate <= 0.5")

@trace.node(trainable=True, description="Discount in EUR for an order subtotal and item count.")
def discount(subtotal, n_items, rate):
    if n_items >= 12:
        return rate * subtotal
    return 0.0

@trace.node(description="Sum of list prices of the order.")
def subtotal_of(order):
    return sum(PRICES[k] * n for k, n in order.items())

@trace.node(description="Count the items in the order.")
def count_items(order):
    return sum(order.values())

@trace.node(description="Write the reply from the instruction and the total.")
def reply(prompt, total):
    return f"{prompt} Total: {total:.2f} EUR."

def build():
    order = {"chair": 8, "table": 2}
    sub = subtotal_of(order)
    total = sub - discount(sub, count_items(order), rate)
    return reply(prompt, total)
'''

# trace-opt wants each operator description to start with "[name]"
OPTO_SIDE = re.sub(
    r'@trace\.node\((.*?)description="(.*?)"\)\ndef (\w+)',
    r'@trace.bundle(\1description="[\3] \2")\ndef \3',
    OPTOLAB_SIDE.replace("from optolab import trace", "import opto.trace as trace"),
)


def count_tokens(text: str, tokenizer) -> int:
    if tokenizer is not None:
        return len(tokenizer.tokenize(text.encode("utf-8"), add_bos=False, special=False))
    return len(re.findall(r"\w+|[^\w\s]", text))


def load_tokenizer():
    try:
        from llama_cpp import Llama

        from optolab.models import download as pull_mod

        for name in ("qwen2.5-coder-1.5b", "qwen2.5-0.5b"):
            try:
                path = pull_mod.path(name)
            except Exception:
                continue
            return Llama(model_path=str(path), vocab_only=True, verbose=False), f"Qwen2.5 tokenizer ({name})"
    except Exception:
        pass
    return None, "word/punctuation pieces (no local tokenizer found)"


def optolab_prompt() -> tuple[str, str]:
    ns: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "optolab_workflow.py"
        path.write_text(OPTOLAB_SIDE)
        exec(compile(path.read_text(), str(path), "exec"), ns)
        from optolab.trace.optimizers import OptoPrime
        from optolab.testing import ScriptedLLM

        out = ns["build"]()
        out.backward(FEEDBACK)
        opt = OptoPrime([ns["prompt"], ns["rate"], ns["discount"]], ScriptedLLM([]))
        system, user, _ = opt.build_prompt()
    return system, user


OPTO_WORKER = r'''
import json, sys
sys.path.insert(0, sys.argv[1])
import opto_workflow as w
from opto.optimizers import OptoPrime
out = w.build()
out.backward(sys.argv[2])
opt = OptoPrime([w.prompt, w.rate, w.discount.parameter], llm=object())
summary = opt.summarize()
system, user = opt.construct_prompt(summary)
system = opt.replace_symbols(system, opt.prompt_symbols)
user = opt.replace_symbols(user, opt.prompt_symbols)
print(json.dumps({"system": system, "user": user}))
'''


def opto_prompt() -> tuple[str, str] | None:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "opto_workflow.py").write_text(OPTO_SIDE)
        worker = Path(tmp) / "worker.py"
        worker.write_text(OPTO_WORKER)
        proc = subprocess.run([sys.executable, str(worker), tmp, FEEDBACK], capture_output=True, text=True)
    if proc.returncode != 0:
        print("trace-opt prompt could not be built:", (proc.stderr.strip().splitlines() or ["?"])[-1])
        return None
    import json

    doc = json.loads(proc.stdout.strip().splitlines()[-1])
    return doc["system"], doc["user"]


def step_overhead(steps: int) -> list[float]:
    ns: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "optolab_workflow.py"
        path.write_text(OPTOLAB_SIDE)
        exec(compile(path.read_text(), str(path), "exec"), ns)
    from optolab.testing import ScriptedLLM
    from optolab.trace.optimizers import OptoPrime

    reply = {"reasoning": "The discount threshold is too high.", "answer": "",
             "suggestion": {"rate": 0.05, "prompt": "Write a one-line quote with the total.",
                            "discount.__code__": textwrap.dedent('''\
                                def discount(subtotal, n_items, rate):
                                    if n_items >= 10:
                                        return rate * subtotal
                                    return 0.0
                                ''')}}
    llm = ScriptedLLM([reply], repeat_last=True)
    opt = OptoPrime([ns["prompt"], ns["rate"], ns["discount"]], llm)
    times = []
    for _ in range(steps):
        out = ns["build"]()
        out.backward(FEEDBACK)
        rec = opt.step()
        times.append(rec.overhead_seconds * 1000)
        opt.zero_feedback()
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--show", action="store_true", help="print both prompts")
    args = ap.parse_args()
    tokenizer, how = load_tokenizer()
    ours = optolab_prompt()
    peer = opto_prompt()
    print(f"token counts: {how}\n")
    print(f"{'prompt':<10} | {'optolab':>8} | {'trace-opt':>9} | {'ratio':>5}")
    print("-" * 42)
    a_tok = count_tokens(ours[0] + ours[1], tokenizer)
    a_chr = len(ours[0] + ours[1])
    if peer:
        b_tok = count_tokens(peer[0] + peer[1], tokenizer)
        b_chr = len(peer[0] + peer[1])
        print(f"{'tokens':<10} | {a_tok:>8} | {b_tok:>9} | {a_tok / b_tok:>5.2f}")
        print(f"{'chars':<10} | {a_chr:>8} | {b_chr:>9} | {a_chr / b_chr:>5.2f}")
    else:
        print(f"{'tokens':<10} | {a_tok:>8} | {'-':>9} |")
    if args.show:
        print("\n--- optolab ---\n" + ours[0] + "\n\n" + ours[1])
        if peer:
            print("\n--- trace-opt ---\n" + peer[0] + "\n\n" + peer[1])
    times = step_overhead(args.steps)
    print(f"\nOptoPrime.step() outside the LLM, {args.steps} steps with a scripted LLM: "
          f"median {statistics.median(times):.2f} ms, p95 {sorted(times)[int(0.95 * len(times)) - 1]:.2f} ms "
          f"(target < 5 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
