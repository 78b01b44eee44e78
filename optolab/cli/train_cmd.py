"""``optolab train``: train the modeling agent on solved records.

    optolab train prompts --data FILE.jsonl --out STATE.json [options]   prompt-level (any CPU)
    optolab train sft --data FILE.jsonl --base MODEL --out DIR [options]  LoRA / full fine-tuning (TRL, PEFT)
    optolab train export-gguf DIR [--quant q4_k_m] [--out FILE.gguf]      merged model -> GGUF for llama.cpp
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train the modeling agent (prompts, or model weights)",
                       description="Train the modeling agent on solved records (JSONL: id, question, optimum, code, "
                                   "formulation, class, complexity, provenance).")
    tsub = p.add_subparsers(dest="train_command", metavar="WHAT")

    pr = tsub.add_parser("prompts", help="optimize the agent's instructions, repair template and shots",
                         description="Prompt-level training: the agent solves minibatches of training questions, "
                                     "feedback flows back through its traced steps, an optimizer rewrites its "
                                     "trainable parts, and each new state is scored on a dev split (strict rule).")
    pr.add_argument("--data", required=True, type=Path,
                    help="training records (JSONL), or the name of a benchmark read from --data-dir (its problems "
                         "with a numeric optimum become records; e.g. mamo_easylp to bootstrap demos from)")
    pr.add_argument("--out", type=Path, default=Path("agent_state.json"),
                    help="the trained agent state (default agent_state.json); the history and checkpoint go next "
                         "to it (<out>.history.json, <out>.checkpoint.json)")
    pr.add_argument("--model", default="local", help="the agent's LLM: 'local' (default) or a litellm name")
    pr.add_argument("--api-base", default=None, help="base URL of an OpenAI-compatible server for --model")
    pr.add_argument("--optimizer-model", default=None, help="LLM that proposes new values (default: --model)")
    pr.add_argument("--optimizer-api-base", default=None, help="server of --optimizer-model")
    pr.add_argument("--optimizer", choices=["optoprime", "search"], default="optoprime",
                    help="optoprime: one proposal per step, kept if dev does not get worse; search: several "
                         "candidates per step scored on dev (default optoprime)")
    pr.add_argument("--steps", type=int, default=4, help="optimizer steps (default 4); more steps continue a run")
    pr.add_argument("--batch-size", type=int, default=3, help="training questions per step (default 3)")
    pr.add_argument("--dev-size", type=int, default=8, help="dev questions that select states (default 8)")
    pr.add_argument("--test-fraction", type=float, default=0.1,
                    help="share of records held out for a later test, never used here (default 0.1)")
    pr.add_argument("--candidates", type=int, default=2, help="search: proposals per step (default 2)")
    pr.add_argument("--params", default=None,
                    help="agent parameters to train, comma-separated (default: instructions,repair_instructions,"
                         "shots for the formulation strategy, program_instructions,program_repair_instructions,"
                         "shots for the program strategy; check.__code__ and check_program.__code__ also exist)")
    pr.add_argument("--strategy", choices=["formulation", "program"], default="program",
                    help="how the trained agent models a problem (see optolab solve --strategy; default program)")
    pr.add_argument("--dev-benchmark", default=None, metavar="BENCH|FILE",
                    help="select states on a stratified sample of --dev-size problems of this benchmark (a name "
                         "read from --data-dir, or an eval JSONL file) instead of on held-back training records; "
                         "the chosen ids go to <out>.dev-ids.txt, for `optolab eval --exclude-ids` on the test")
    pr.add_argument("--dev-seed", type=int, default=0, help="seed of the --dev-benchmark sample (default 0)")
    pr.add_argument("--data-dir", default=None, help="benchmark data directory (default: OPTOLAB_DATA_DIR)")
    pr.add_argument("--init", type=Path, metavar="STATE", help="start from a saved agent state")
    pr.add_argument("--attempts", type=int, default=2, help="formulate plus repair rounds per question (default 2)")
    pr.add_argument("--time-limit", type=float, default=30.0, help="solver time limit in seconds (default 30)")
    pr.add_argument("--max-tokens", type=int, default=1500, help="tokens per agent reply (default 1500)")
    pr.add_argument("--seed", type=int, default=0, help="seed of the minibatch order (default 0)")
    pr.add_argument("--bootstrap", type=int, default=0, metavar="N",
                    help="before the optimizer steps, earn up to N worked examples: the agent solves training "
                         "questions and each right answer's code becomes a demo, kept only if the dev score does "
                         "not drop (default 0: none; --steps 0 bootstraps only)")
    pr.add_argument("--bootstrap-tries", type=int, default=None, metavar="N",
                    help="training questions tried for demos at most (default: until --bootstrap demos are earned)")
    pr.add_argument("--screen", default=None, metavar="BENCH[,BENCH]",
                    help="benchmarks a demo must not copy: training questions sharing half their 8-word n-grams "
                         "with one of their problems are never used (default: the --dev-benchmark)")
    pr.add_argument("--no-reference", action="store_true",
                    help="do not quote the record's reference model in the feedback on a wrong answer")
    pr.add_argument("--skip-bad", action="store_true", help="skip bad data lines (listed) instead of stopping")
    pr.add_argument("--fresh", action="store_true", help="ignore an existing checkpoint and start over")
    pr.set_defaults(func=run_prompts)

    sf = tsub.add_parser("sft", help="fine-tune the agent's model (LoRA or full) with TRL",
                         description="Weights-level training: chat examples (system: the agent's formulate "
                                     "instructions, user: the question, assistant: the formulation JSON, or the "
                                     "Pyomo code with --target code), LoRA on q/k/v/o projections, adapters merged "
                                     "and saved as a Hugging Face directory (servable with optolab serve --engine "
                                     "vllm --model DIR; optolab train export-gguf DIR makes a GGUF).")
    sf.add_argument("--data", required=True, type=Path, help="training records (JSONL)")
    sf.add_argument("--base", required=True, help="base model: registry name (optolab model list), .gguf file or "
                                                  "Hugging Face directory")
    sf.add_argument("--out", required=True, type=Path, help="output directory of the merged model")
    sf.add_argument("--target", choices=["formulation", "code"], default="formulation",
                    help="assistant turn: the formulation JSON the agent asks for (default), or the Pyomo code")
    sf.add_argument("--agent", type=Path, metavar="STATE", help="take the system prompt from a trained agent state")
    sf.add_argument("--shots", type=int, default=0, help="worked examples before the question, as the agent shows "
                                                         "them (default 0)")
    sf.add_argument("--lora-r", type=int, default=8, help="LoRA rank (default 8)")
    sf.add_argument("--lora-alpha", type=int, default=None, help="LoRA alpha (default 2 * rank)")
    sf.add_argument("--full", action="store_true", help="train every weight instead of LoRA adapters")
    sf.add_argument("--epochs", type=float, default=1.0, help="passes over the data (default 1)")
    sf.add_argument("--max-steps", type=int, default=None, help="stop after this many optimizer steps")
    sf.add_argument("--lr", type=float, default=None, help="learning rate (default 2e-4 LoRA, 1e-5 full)")
    sf.add_argument("--batch-size", type=int, default=1, help="examples per device step (default 1)")
    sf.add_argument("--grad-accum", type=int, default=1, help="gradient accumulation steps (default 1)")
    sf.add_argument("--max-length", type=int, default=1024, help="longest example in tokens; longer ones are left "
                                                                 "out (default 1024)")
    sf.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help="default: cuda if available")
    sf.add_argument("--train-dtype", choices=["auto", "float32", "bfloat16"], default="auto",
                    help="auto (default): bfloat16 or float16 on a GPU, float32 on the CPU; bfloat16 on the CPU is "
                         "mixed precision, faster where the CPU has bfloat16 instructions")
    sf.add_argument("--lora-layers", type=int, default=None, metavar="N",
                    help="LoRA adapters on the last N layers only (cheaper steps; default: every layer)")
    sf.add_argument("--gradient-checkpointing", action="store_true", help="less memory, slower steps")
    sf.add_argument("--save-dtype", choices=["bfloat16", "float16", "float32"], default="bfloat16",
                    help="dtype of the saved model (default bfloat16)")
    sf.add_argument("--save-adapter", action="store_true", help="also keep the LoRA adapter in DIR/adapter")
    sf.add_argument("--split", action="store_true",
                    help="train on the train split only (same hash split as train prompts: --dev-size, "
                         "--test-fraction), leaving dev and test questions unseen")
    sf.add_argument("--dev-size", type=int, default=8, help="with --split: dev questions left out (default 8)")
    sf.add_argument("--test-fraction", type=float, default=0.1, help="with --split: test share left out")
    sf.add_argument("--seed", type=int, default=0)
    sf.add_argument("--examples-out", type=Path, metavar="FILE.jsonl", help="also write the chat examples here")
    sf.add_argument("--overwrite", action="store_true", help="replace an existing --out directory")
    sf.add_argument("--skip-bad", action="store_true", help="skip bad data lines (listed) instead of stopping")
    sf.set_defaults(func=run_sft)

    ex = tsub.add_parser("export-gguf", help="convert a Hugging Face directory to a quantized GGUF file",
                         description="Convert with the llama.cpp converter vendored in llama-cpp-python's source "
                                     "distribution, quantize with llama.cpp, and check that llama.cpp loads it.")
    ex.add_argument("dir", type=Path, help="Hugging Face model directory (e.g. from optolab train sft)")
    ex.add_argument("--quant", default="q4_k_m", help="q4_k_m (default), q4_k_s, q5_k_m, q5_k_s, q6_k, q8_0, q4_0, "
                                                      "q3_k_m, q2_k, or f16/bf16/f32 for none")
    ex.add_argument("--out", type=Path, default=None, help="GGUF file (default DIR/<name>-<quant>.gguf)")
    ex.add_argument("--llama-cpp", default=None, metavar="PATH",
                    help="llama.cpp checkout or llama_cpp_python-*.tar.gz with the converter (default: "
                         "$OPTOLAB_LLAMA_CPP, else fetched once with pip download)")
    ex.add_argument("--keep-f16", action="store_true", help="keep the 16-bit GGUF next to the quantized one")
    ex.add_argument("--threads", type=int, default=None, help="quantization threads (default: all cores)")
    ex.add_argument("--no-check", action="store_true", help="do not load the result with llama.cpp")
    ex.set_defaults(func=run_export)
    p.set_defaults(func=lambda args: _usage(p))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _fail(message: str) -> int:
    print(f"optolab train: {message}", file=sys.stderr)
    return 1


def make_llm(model: str, api_base: str | None) -> Any:
    """The LLM client for a --model / --api-base pair."""
    from optolab.llm import LLM

    return LLM(model, api_base=api_base)


def _read(path: Path, skip_bad: bool):
    from optolab.train.data import read_records_report

    records, problems = read_records_report(path, skip_bad=skip_bad)
    if problems:
        _say(f"skipped {len(problems)} bad line(s):\n  " + "\n  ".join(problems[:20]))
    return records


# --- prompts -----------------------------------------------------------------------------------

def run_prompts(args: argparse.Namespace) -> int:
    from optolab.errors import OptolabError

    try:
        return _prompts(args)
    except OptolabError as exc:
        return _fail(str(exc))


def _prompts(args: argparse.Namespace) -> int:
    from optolab.agents import Modeler
    from optolab.train.data import split_records, write_eval_file
    from optolab.train.prompts import PromptTrainConfig, PromptTrainer

    records = _training_records(args)
    stem = args.out.with_suffix("") if args.out.suffix == ".json" else args.out
    if args.dev_benchmark:
        split = _split_with_benchmark_dev(records, args, Path(f"{stem}.dev-ids.txt"))
    else:
        split = split_records(records, dev_size=args.dev_size, test_fraction=args.test_fraction)
    sizes = split.sizes()
    _say(f"{len(records)} records: {sizes['train']} train, {sizes['dev']} dev, {sizes['test']} test (held out)")
    test_file = None
    if split.test:
        test_file = write_eval_file(split.test, Path(f"{stem}.test.jsonl"))
    params = tuple(p.strip() for p in (args.params or ",".join(PARAMS_BY_STRATEGY[args.strategy])).split(",")
                   if p.strip())
    config = PromptTrainConfig(steps=args.steps, batch_size=args.batch_size, optimizer=args.optimizer,
                               params=params, seed=args.seed, candidates=args.candidates,
                               show_reference=not args.no_reference, bootstrap=args.bootstrap,
                               bootstrap_tries=args.bootstrap_tries)
    screen = _screen(args) if args.bootstrap else None
    llm = make_llm(args.model, args.api_base)
    opt_llm = make_llm(args.optimizer_model, args.optimizer_api_base or args.api_base) if args.optimizer_model else llm
    with Modeler(llm, max_attempts=args.attempts, time_limit=args.time_limit, max_tokens=args.max_tokens,
                 max_example_overlap=0.4, strategies=(args.strategy,)) as agent:
        if args.init:
            if not args.init.is_file():
                return _fail(f"--init {args.init}: no such file; give a state saved by optolab train prompts")
            agent.load(args.init, strict=False)
        trainer = PromptTrainer(agent, split, optimizer_llm=opt_llm, config=config, out=args.out,
                                resume=not args.fresh, log=_say, screen=screen)
        result = trainer.run()
    fmt = lambda x: "-" if x is None else f"{x:.1%}"  # noqa: E731
    print(f"dev accuracy (strict rule): {fmt(result.initial_dev_score)} -> {fmt(result.best_dev_score)} after "
          f"{result.steps_done} steps")
    print(f"agent state: {result.state_path}  (optolab solve --agent {result.state_path} ...)")
    print(f"history: {result.history_path}")
    if test_file is not None:
        print(f"held-out test problems: {test_file}  (optolab eval {test_file} --agent {result.state_path})")
    if args.dev_benchmark:
        print(f"held-out benchmark test: optolab eval {args.dev_benchmark} --exclude-ids {stem}.dev-ids.txt "
              f"--sample N --strategy {args.strategy} [--agent {result.state_path}]")
    return 0


def _training_records(args: argparse.Namespace):
    """The records of --data: a JSONL file, or the problems of a benchmark named by --data."""
    from optolab.datasets import known_benchmarks
    from optolab.evals.sources import load_eval_benchmark
    from optolab.train.data import records_from_benchmark

    from optolab.train.errors import TrainDataError

    name = str(args.data).strip().lower().replace("-", "_")
    if args.data.is_file() or name not in known_benchmarks():
        if not args.data.exists():
            raise TrainDataError(f"--data {args.data}: no such file and no benchmark of that name; give a JSONL "
                                 f"file of records or one of {', '.join(known_benchmarks())} (read from --data-dir)")
        return _read(args.data, args.skip_bad)
    records, left = records_from_benchmark(load_eval_benchmark(name, data_dir=args.data_dir).items)
    if left:
        _say(f"{len(left)} problems of {name} without a numeric optimum left out")
    return records


def _screen(args: argparse.Namespace):
    """A function saying why a training question may not become a demo: a near-copy of a problem of the
    --screen benchmarks (default: the --dev-benchmark); None when there is nothing to screen against."""
    from optolab.synth.contamination import DEFAULT_THRESHOLD, ContaminationIndex, load_benchmark_texts

    names = [n.strip() for n in (args.screen or args.dev_benchmark or "").split(",") if n.strip()]
    if not names:
        _say("bootstrap: no --screen or --dev-benchmark: training questions are not screened for near-copies")
        return None
    texts, _ = load_benchmark_texts(names, args.data_dir)
    index = ContaminationIndex(texts)
    _say(f"bootstrap: screening against {', '.join(f'{k} ({len(v)})' for k, v in texts.items())}")

    def screen(question: str) -> str | None:
        best = index.best(question)
        if best is not None and best.score >= DEFAULT_THRESHOLD:
            return f"near-copy of {best.item_id} ({best.score:.0%} of 8-word n-grams shared)"
        return None

    return screen


PARAMS_BY_STRATEGY = {"formulation": ("instructions", "repair_instructions", "shots"),
                      "program": ("program_instructions", "program_repair_instructions", "shots")}


def _split_with_benchmark_dev(records, args: argparse.Namespace, ids_path: Path):
    """Training records split into train and test only, with the dev split a stratified sample of a
    benchmark; the dev ids are written to ``ids_path`` so that a test on the benchmark can leave them out."""
    from optolab.evals.sources import load_eval_benchmark, select
    from optolab.train.data import Split, records_from_benchmark, split_records
    from optolab.train.errors import TrainDataError

    bench = load_eval_benchmark(args.dev_benchmark, data_dir=args.data_dir)
    dev, left = records_from_benchmark(select(bench, sample=args.dev_size, seed=args.dev_seed).items)
    if left:
        _say(f"left out of dev (no numeric optimum): {', '.join(left)}")
    if not dev:
        raise TrainDataError(f"--dev-benchmark {args.dev_benchmark}: no problem with a numeric optimum in the "
                             f"sample of {args.dev_size}")
    rest = split_records(records, dev_size=0, test_fraction=args.test_fraction)
    ids_path.parent.mkdir(parents=True, exist_ok=True)
    ids_path.write_text("".join(f"{r.id}\n" for r in dev), encoding="utf-8")
    _say(f"dev: {len(dev)} problems of {bench.name} (seed {args.dev_seed}), ids in {ids_path}")
    return Split(train=rest.train, dev=dev, test=rest.test)


# --- sft ---------------------------------------------------------------------------------------

def run_sft(args: argparse.Namespace) -> int:
    from optolab.errors import OptolabError

    try:
        return _sft(args)
    except OptolabError as exc:
        return _fail(str(exc))


def _sft(args: argparse.Namespace) -> int:
    from optolab.train.data import split_records, write_eval_file
    from optolab.train.sft import SFTSettings, build_examples, require_train_packages, train_sft, write_examples

    settings = SFTSettings(full=args.full, lora_r=args.lora_r, lora_alpha=args.lora_alpha, epochs=args.epochs,
                           max_steps=args.max_steps, learning_rate=args.lr, batch_size=args.batch_size,
                           grad_accum=args.grad_accum, max_length=args.max_length, device=args.device,
                           seed=args.seed, gradient_checkpointing=args.gradient_checkpointing,
                           save_dtype=args.save_dtype, save_adapter=args.save_adapter,
                           train_dtype=args.train_dtype, lora_layers=args.lora_layers)
    records = _read(args.data, args.skip_bad)
    if args.split:
        split = split_records(records, dev_size=args.dev_size, test_fraction=args.test_fraction)
        _say(f"training on the train split: {split.sizes()}")
        if split.test:
            test_file = write_eval_file(split.test, Path(f"{args.out}.test.jsonl"))
            _say(f"held-out test questions: {test_file} (optolab eval {test_file} ...)")
        records = split.train
    examples, stats = build_examples(records, target=args.target, agent_state=args.agent, shots=args.shots)
    if stats.skipped:
        reasons: dict[str, int] = {}
        for why in stats.skipped.values():
            reasons[why] = reasons.get(why, 0) + 1
        _say(f"{len(stats.skipped)} of {stats.records} records give no example: "
             + "; ".join(f"{n} {why}" for why, n in sorted(reasons.items(), key=lambda kv: -kv[1])[:5]))
    if not examples:
        hint = " (none has a formulation: try --target code)" if args.target == "formulation" else ""
        return _fail(f"no training examples from {args.data}{hint}")
    if args.examples_out:
        write_examples(examples, args.examples_out)
        _say(f"examples written to {args.examples_out}")
    require_train_packages()
    result = train_sft(examples, args.base, args.out, settings, overwrite=args.overwrite, log=_say)
    print(json.dumps({k: v for k, v in result.to_dict().items() if k not in ("settings", "versions")}, indent=2))
    print(f"merged model: {result.out_dir}  (optolab serve --engine vllm --model {result.out_dir}; "
          f"optolab train export-gguf {result.out_dir})")
    return 0


# --- export ------------------------------------------------------------------------------------

def run_export(args: argparse.Namespace) -> int:
    from optolab.errors import OptolabError
    from optolab.train.export import export_gguf

    try:
        info = export_gguf(args.dir, args.out, quant=args.quant, llama_cpp=args.llama_cpp, keep_f16=args.keep_f16,
                           check=not args.no_check, threads=args.threads, log=_say)
    except OptolabError as exc:
        return _fail(str(exc))
    print(json.dumps(info, indent=2))
    print(f"serve it: optolab serve --model {info['gguf']}")
    return 0
