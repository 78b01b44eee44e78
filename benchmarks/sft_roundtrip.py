"""Fine-tune a model on solved records and measure the agent's formulate step before and after.

Splits the records by a hash of their ids (optolab.train.data.split_records), fine-tunes the base
model with LoRA on the train split (optolab.train.sft.train_sft), then, for the base model and for
the fine-tuned one, asks for the formulation of each held-out question exactly as the agent does
(its formulate instructions as the system prompt), writes the Pyomo code from the reply with the
agent's code writer and solves it. A held-out question counts as solved when the optimum matches the
record's within 1e-4 relative. Generation runs in batches with transformers (greedy), so this is
meant for a GPU; on a CPU use a handful of questions.

    python benchmarks/sft_roundtrip.py --records runs/sft/records.jsonl --base qwen2.5-0.5b \
        --out runs/sft/model --device cuda --eval 40
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

LINEAR_CLASSES = {"LP", "MILP", "QP"}  # what HiGHS solves; other classes need SCIP or ripopt


def solve_reply(text: str, expected: float) -> tuple[bool, str]:
    """(correct, what happened) for one model reply."""
    from optolab.agents.autofix import autofix
    from optolab.agents.codegen import check_formulation, generate_code
    from optolab.agents.formulation import Formulation
    from optolab.llm.jsonrepair import extract_json
    from optolab.solvers import solve

    try:
        f = Formulation.model_validate(extract_json(text))
    except Exception as exc:  # noqa: BLE001
        return False, f"invalid reply: {type(exc).__name__}"
    f, _ = autofix(f)
    if check_formulation(f):
        return False, "static issues"
    scope: dict = {}
    try:
        exec(generate_code(f).code, scope)  # noqa: S102 - code written by the library from a formulation
        res = solve(scope["model"], time_limit=20)
    except Exception as exc:  # noqa: BLE001
        return False, f"run failed: {type(exc).__name__}"
    if res.objective is None:
        return False, str(res.termination.value if hasattr(res.termination, "value") else res.termination)
    ok = abs(res.objective - expected) <= 1e-4 * max(1.0, abs(expected))
    return ok, "correct" if ok else "wrong value"


def evaluate(model_dir: str, examples: list[dict], records: dict, device: str, batch: int,
             max_new_tokens: int) -> dict:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    tok.padding_side = "left"
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=dtype).to(device).eval()
    t0, outcomes, samples = time.perf_counter(), {}, []
    for i in range(0, len(examples), batch):
        chunk = examples[i:i + batch]
        prompts = [tok.apply_chat_template(ex["prompt"], tokenize=False, add_generation_prompt=True) for ex in chunk]
        enc = tok(prompts, return_tensors="pt", padding=True).to(device)
        with torch.no_grad():
            out = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False,
                                 pad_token_id=tok.pad_token_id)
        for ex, seq in zip(chunk, out):
            text = tok.decode(seq[enc["input_ids"].shape[1]:], skip_special_tokens=True)
            outcomes[ex["id"]] = solve_reply(text, records[ex["id"]].optimum)
            if len(samples) < 3:
                samples.append({"id": ex["id"], "outcome": outcomes[ex["id"]][1], "reply": text[:3000]})
    del model
    if device == "cuda":
        torch.cuda.empty_cache()
    correct = sum(ok for ok, _ in outcomes.values())
    kinds: dict[str, int] = {}
    for _, what in outcomes.values():
        kinds[what] = kinds.get(what, 0) + 1
    return {"correct": correct, "total": len(outcomes), "seconds": time.perf_counter() - t0, "outcomes": kinds,
            "by_id": {k: v[0] for k, v in outcomes.items()}, "samples": samples}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=Path, required=True)
    ap.add_argument("--base", default="qwen2.5-0.5b", help="registry name, .gguf file or Hugging Face directory")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    ap.add_argument("--eval", type=int, default=40, help="held-out questions scored before and after")
    ap.add_argument("--epochs", type=float, default=2.0)
    ap.add_argument("--max-steps", type=int, default=None)
    ap.add_argument("--lora-r", type=int, default=16)
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--max-length", type=int, default=2048)
    ap.add_argument("--gen-batch", type=int, default=16)
    ap.add_argument("--max-new-tokens", type=int, default=1200)
    ap.add_argument("--test-fraction", type=float, default=0.2)
    ap.add_argument("--report", type=Path, default=None, help="write the figures as JSON here")
    ap.add_argument("--no-before", action="store_true", help="skip scoring the base model")
    args = ap.parse_args()

    from optolab.models.convert import hf_dir_for
    from optolab.train.data import read_records, split_records
    from optolab.train.sft import SFTSettings, build_examples, train_sft

    records = read_records(args.records)
    split = split_records(records, dev_fraction=0.0, test_fraction=args.test_fraction)
    held = [r for r in split.test if r.problem_class in LINEAR_CLASSES][: args.eval]
    print(f"{len(records)} records: {len(split.train)} train, {len(split.test)} test "
          f"({len(held)} held-out questions scored)", flush=True)
    train_examples, stats = build_examples(split.train)
    eval_examples, _ = build_examples(held)
    by_id = {r.id: r for r in held}
    device = args.device
    if device == "auto":
        import torch

        device = "cuda" if torch.cuda.is_available() else "cpu"
    base_dir = str(hf_dir_for(args.base))
    before = {"correct": None, "total": 0, "outcomes": {}, "seconds": 0.0} if args.no_before else \
        evaluate(base_dir, eval_examples, by_id, device, args.gen_batch, args.max_new_tokens)
    print(f"before: {before['correct']}/{before['total']} {before['outcomes']} ({before['seconds']:.0f} s)",
          flush=True)
    settings = SFTSettings(lora_r=args.lora_r, epochs=args.epochs, max_steps=args.max_steps, device=device,
                           batch_size=args.batch_size, max_length=args.max_length, logging_steps=10)
    result = train_sft(train_examples, base_dir, args.out, settings, overwrite=True, log=print)
    print(f"trained {result.steps} steps on {result.examples} examples in {result.seconds:.0f} s "
          f"({result.seconds_per_step:.2f} s/step), loss {result.losses[0]:.3f} -> {result.losses[-1]:.3f}",
          flush=True)
    after = evaluate(str(args.out), eval_examples, by_id, device, args.gen_batch, args.max_new_tokens)
    print(f"after:  {after['correct']}/{after['total']} {after['outcomes']} ({after['seconds']:.0f} s)")
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps({"before": before, "after": after, "train": result.to_dict(),
                                           "records": len(records), "held_out": len(held)}, indent=1,
                                          default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
