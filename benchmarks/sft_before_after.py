"""LoRA fine-tune of a local model on solved records, then the agent before and after on held-out questions.

Stages (each skipped when its output is already there, so an interrupted run goes on where it stopped):

1. records: solved instances of every generator (``optolab.synth.generators``; their statements,
   formulations and solver-checked optima), unless ``--records`` gives a file (e.g. the verified output
   of ``optolab synth forward``);
2. agent state for the tuned model: short formulate instructions (``optolab/train/templates/
   tuned_formulate.txt``) and no worked examples, so that a CPU training step stays short; the model
   learns the format from the data instead of from a long prompt;
3. ``optolab train sft --split``: LoRA on the train split; the test split is written for evaluation;
4. ``optolab train export-gguf``: the merged model as GGUF for llama.cpp (``--quant``, default q8_0);
5. ``optolab eval`` of the held-out questions (formulation strategy) with three set-ups: the base model
   and the default agent (the untrained agent), the base model with the tuned agent's short prompt, and
   the tuned model with it, all with the same ``--field-order`` (default declared); then a table of the
   accuracy under each rule.

    OPTOLAB_LLAMA_THREADS=2 python benchmarks/sft_before_after.py --base qwen2.5-0.5b --out runs/sft-0.5b \\
        --train-dtype bfloat16 --lora-layers 12 --max-length 1024
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

SETUPS = ("base-default", "base-short", "tuned-short")


def run(cmd: list[str], env: dict[str, str] | None = None) -> None:
    print("$", " ".join(cmd), flush=True)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env={**os.environ, **(env or {})})
    print(f"  ({time.perf_counter() - t0:.0f} s)", flush=True)


def stop_servers() -> None:
    from optolab.models.server import stop_local_servers

    stop_local_servers()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="qwen2.5-0.5b", help="base model (registry name)")
    ap.add_argument("--out", type=Path, default=Path("runs/sft-0.5b"))
    ap.add_argument("--records", type=Path, default=None, help="solved records (default: from the generators)")
    ap.add_argument("--per-class", type=int, default=16, help="generator records per class (default 16)")
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--max-steps", type=int, default=None)
    ap.add_argument("--lr", type=float, default=None)
    ap.add_argument("--lora-r", type=int, default=8)
    ap.add_argument("--lora-layers", type=int, default=None)
    ap.add_argument("--train-dtype", default="auto")
    ap.add_argument("--max-length", type=int, default=1024)
    ap.add_argument("--dev-size", type=int, default=8)
    ap.add_argument("--test-fraction", type=float, default=0.1)
    ap.add_argument("--quant", default="q8_0", help="GGUF type of the tuned model (default q8_0: a 4-bit export "
                    "rounds much of a small LoRA update away)")
    ap.add_argument("--setups", default=",".join(SETUPS), help=f"which evaluations to run (of {', '.join(SETUPS)})")
    ap.add_argument("--eval-limit", type=int, default=None, help="evaluate the first N held-out questions only")
    ap.add_argument("--stop-after", choices=["records", "train", "export"], default=None)
    ap.add_argument("--field-order", choices=["any", "declared"], default="declared",
                    help="formulation field order for every set-up (default declared: the order the training "
                         "records are written in; see optolab.llm.schema)")
    args = ap.parse_args()

    from optolab.agents import Modeler
    from optolab.train.sft import load_template

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    cli = [sys.executable, "-m", "optolab.cli.main"]

    records = args.records or out / "records.jsonl"
    if args.records is None and not records.exists():
        run([sys.executable, str(Path(__file__).with_name("sft_records.py")), "--per-class", str(args.per_class),
             "--out", str(records)])
    if args.stop_after == "records":
        return 0

    state = out / "agent-short.json"
    if not state.exists():
        agent = Modeler(None, shots=0)
        agent.instructions.set(load_template("tuned_formulate.txt").strip())
        agent.save(state)

    model_dir = out / "model"
    if not model_dir.exists():
        cmd = cli + ["train", "sft", "--data", str(records), "--base", args.base, "--out", str(model_dir),
                     "--agent", str(state), "--split", "--dev-size", str(args.dev_size), "--test-fraction",
                     str(args.test_fraction), "--lora-r", str(args.lora_r), "--epochs", str(args.epochs),
                     "--max-length", str(args.max_length), "--train-dtype", args.train_dtype]
        for flag, value in (("--max-steps", args.max_steps), ("--lr", args.lr), ("--lora-layers", args.lora_layers)):
            if value is not None:
                cmd += [flag, str(value)]
        run(cmd)
    if args.stop_after == "train":
        return 0

    gguf = out / f"model-{args.quant}.gguf"
    if not gguf.exists():
        run(cli + ["train", "export-gguf", str(model_dir), "--quant", args.quant, "--out", str(gguf)])
    if args.stop_after == "export":
        return 0

    test_file = Path(f"{model_dir}.test.jsonl")
    models = {"base": args.base, "tuned": str(gguf.resolve())}
    rows = []
    for setup in [s.strip() for s in args.setups.split(",") if s.strip()]:
        which, prompt = setup.split("-")
        run_dir = out / f"eval-{setup}"
        cmd = cli + ["eval", str(test_file), "--strategy", "formulation", "--field-order", args.field_order,
                     "--out", str(run_dir), "--no-progress"]
        if prompt == "short":
            cmd += ["--agent", str(state)]
        if args.eval_limit:
            cmd += ["--limit", str(args.eval_limit)]
        try:
            run(cmd, env={"OPTOLAB_LOCAL_MODEL": models[which]})
        finally:
            stop_servers()
        summary = json.loads((run_dir / "summary.json").read_text())
        rows.append((setup, summary))

    rules = list(rows[0][1]["rules"]) if rows else []
    print("\n| set-up | " + " | ".join(rules) + " | error types | s/problem | tokens/problem |")
    print("|---|" + "---|" * (len(rules) + 3))
    for setup, summary in rows:
        cells = [f"{summary['overall'][r]['correct']}/{summary['overall'][r]['scored']}" for r in rules]
        errors = ", ".join(f"{k} {v}" for k, v in summary["error_types"].items() if v)
        print(f"| {setup} | " + " | ".join(cells) + f" | {errors} | {summary['seconds']['mean']:.1f} | "
              f"{summary['tokens']['mean']:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
