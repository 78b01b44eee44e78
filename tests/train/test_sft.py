"""Weights-level training: chat examples (pure Python), and one LoRA step on a tiny random Qwen2 model."""

import importlib.util
import json
import math

import pytest

from optolab.agents import Modeler
from optolab.train.data import TrainRecord
from optolab.train.errors import TrainError
from optolab.train.sft import (TRAIN_PACKAGES, SFTSettings, build_examples, formulation_target, missing_packages,
                               require_train_packages)

CODE = "import pyomo.environ as pyo\nmodel = pyo.ConcreteModel()\nmodel.x = pyo.Var(domain=pyo.NonNegativeIntegers)\n"
FORM = {"constraints": [{"name": "cap", "expression": "x ≤ 4"}],
        "objective": {"sense": "max", "expression": "3x"},
        "variables": [{"name": "x", "type": "int", "description": "items made"}],
        "requirements": ["profit $3 per item", "at most 4 items"]}


def record(i, formulation=FORM, **kw):
    return TrainRecord(id=f"r{i}", question=f"Each item earns $3 and at most {4 + i} can be made. How many items "
                                            "maximize profit?", optimum=3.0 * (4 + i), code=CODE,
                       formulation=formulation, problem_class="MILP", complexity=1, provenance="test", **kw)


def test_formulation_examples_are_the_exchange_the_agent_has_with_its_model():
    examples, stats = build_examples([record(0), record(1, formulation=None), record(2, formulation={"x": 1})])
    assert stats.records == 3 and stats.examples == 1
    assert stats.skipped["r1"] == "no formulation" and "does not fit the schema" in stats.skipped["r2"]
    ex = examples[0]
    system, user = ex["prompt"]
    assert system == {"role": "system", "content": Modeler(None).instructions.data}
    assert user == {"role": "user", "content": "Problem:\n" + record(0).question}
    (answer,) = ex["completion"]
    assert answer["role"] == "assistant"
    doc = json.loads(answer["content"])
    # schema order (requirements first, as the agent's JSON mode asks), cleaned, defaults left out
    assert list(doc) == ["requirements", "variables", "objective", "constraints"]
    assert doc["objective"] == {"sense": "maximize", "expression": "3*x"}
    assert doc["variables"] == [{"name": "x", "description": "items made", "type": "integer"}]
    assert doc["constraints"] == [{"name": "cap", "expression": "x <= 4"}]
    assert answer["content"] == formulation_target(FORM)


def test_examples_take_a_trained_state_and_worked_examples(tmp_path):
    agent = Modeler(None)
    agent.instructions.set("Write the model as JSON. Integer counts stay integer.")
    state = agent.save(tmp_path / "state.json")
    (ex,), _ = build_examples([record(0)], agent_state=state, shots=2)
    msgs = ex["prompt"]
    assert msgs[0]["content"] == "Write the model as JSON. Integer counts stay integer."
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "user", "assistant", "user"]
    assert msgs[1]["content"].startswith("Problem:\n") and json.loads(msgs[2]["content"])["objective"]
    # the same prompt the agent builds for this question
    examples = agent.bank.search(record(0).question, 2, max_overlap=0.4)
    assert msgs == agent._messages(agent.instructions.data, record(0).question, examples)
    with pytest.raises(TrainError, match="no agent state at"):
        build_examples([record(0)], agent_state=tmp_path / "missing.json")


def test_code_target_and_bad_arguments():
    examples, stats = build_examples([record(0, formulation=None)], target="code")
    assert stats.examples == 1
    system, user = examples[0]["prompt"]
    assert "Pyomo" in system["content"] and "model = pyo.ConcreteModel()" in system["content"]
    assert examples[0]["completion"][0]["content"] == CODE
    with pytest.raises(TrainError, match="target must be one of formulation, code"):
        build_examples([], target="text")
    with pytest.raises(TrainError, match="device must be auto, cpu or cuda"):
        SFTSettings(device="tpu")
    assert SFTSettings().lr == 2e-4 and SFTSettings(full=True).lr == 1e-5


def test_missing_packages_name_the_train_extra(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "trl" else real(name, *a))
    expected = [m for m in TRAIN_PACKAGES if m == "trl" or real(m) is None]  # CI has none of them
    assert "trl" in expected and missing_packages() == expected
    with pytest.raises(TrainError, match=r"missing: .*trl.*\. Install them with: pip install 'optolab\[train\]'"):
        require_train_packages()


CHATML = ("{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + "
          "'<|im_end|>' + '\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")


def tiny_model(path, corpus):
    """A random two-layer Qwen2 with a byte-level BPE tokenizer trained here (no download)."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(corpus, trainers.BpeTrainer(
        vocab_size=600, special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    fast.chat_template = CHATML
    fast.save_pretrained(path)
    config = Qwen2Config(vocab_size=len(fast), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024,
                         tie_word_embeddings=True, eos_token_id=fast.eos_token_id, pad_token_id=fast.pad_token_id)
    torch.manual_seed(0)
    Qwen2ForCausalLM(config).save_pretrained(path)
    return path


def tiny_setup(tmp_path, n):
    """A short-prompt agent state, its chat examples for n records, a tiny model whose tokenizer knows them,
    and the records as a file."""
    from optolab.train.data import write_records

    agent = Modeler(None)
    agent.instructions.set("Write the model of the problem as JSON.")
    state = agent.save(tmp_path / "state.json")
    records = [record(i) for i in range(n)]
    examples, _ = build_examples(records, agent_state=state)
    base = tiny_model(tmp_path / "base", [json.dumps(e) for e in examples])
    return state, examples, base, write_records(records, tmp_path / "synth.jsonl")


@pytest.mark.skipif(bool(missing_packages()), reason="needs the train extra: pip install 'optolab[train]' "
                                                       f"(missing: {', '.join(missing_packages())})")
def test_one_lora_step_on_a_tiny_model_merges_saves_and_reloads(tmp_path):
    import torch
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from optolab.cli.main import main as cli_main

    state, examples, base, data = tiny_setup(tmp_path, 4)
    out = tmp_path / "tuned"
    rc = cli_main(["train", "sft", "--data", str(data), "--base", str(base), "--out", str(out), "--agent", str(state),
                   "--lora-r", "4", "--max-steps", "2", "--lr", "0.01", "--max-length", "512", "--device", "cpu",
                   "--save-dtype", "float32", "--examples-out", str(tmp_path / "examples.jsonl")])
    assert rc == 0
    info = json.loads((out / "optolab-train.json").read_text())
    assert info["steps"] == 2 and info["examples"] == 4 and info["device"] == "cpu"
    assert len(info["losses"]) == 2 and all(math.isfinite(x) for x in info["losses"])
    assert 0 < info["trainable_params"] < info["total_params"] and info["seconds_per_step"] > 0
    assert len((tmp_path / "examples.jsonl").read_text().splitlines()) == 4
    assert not (out / "adapter").exists() and not (tmp_path / "tuned.partial").exists()
    # merged: a plain model (no LoRA weights), attention projections changed, the rest as it was
    before, after = load_file(base / "model.safetensors"), load_file(out / "model.safetensors")
    assert not any("lora" in k for k in after)
    assert set(before) == set(after)
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed and all(any(p in k for p in ("q_proj", "k_proj", "v_proj", "o_proj")) for k in changed)
    model = AutoModelForCausalLM.from_pretrained(out)
    tok = AutoTokenizer.from_pretrained(out)
    assert tok.chat_template == CHATML
    ids = tok.apply_chat_template(examples[0]["prompt"], add_generation_prompt=True, return_tensors="pt")
    ids = ids["input_ids"] if hasattr(ids, "keys") else ids
    with torch.no_grad():
        logits = model(ids).logits
    assert torch.isfinite(logits).all()
    # an existing output directory is never overwritten by accident
    rc = cli_main(["train", "sft", "--data", str(data), "--base", str(base), "--out", str(out), "--agent", str(state),
                   "--max-steps", "1", "--device", "cpu"])
    assert rc == 1


@pytest.mark.skipif(bool(missing_packages()), reason="needs the train extra: pip install 'optolab[train]' "
                                                       f"(missing: {', '.join(missing_packages())})")
def test_bfloat16_on_the_cpu_and_adapters_on_the_top_layers_only(tmp_path):
    import torch
    from safetensors.torch import load_file

    from optolab.cli.main import main as cli_main
    from optolab.train.data import read_records, split_records

    state, _, base, data = tiny_setup(tmp_path, 12)
    out = tmp_path / "tuned"
    rc = cli_main(["train", "sft", "--data", str(data), "--base", str(base), "--out", str(out), "--agent", str(state),
                   "--lora-r", "4", "--max-steps", "1", "--lr", "0.01", "--max-length", "512", "--device", "cpu",
                   "--train-dtype", "bfloat16", "--lora-layers", "1", "--save-dtype", "float32",
                   "--split", "--dev-size", "1", "--test-fraction", "0.3"])
    assert rc == 0
    info = json.loads((out / "optolab-train.json").read_text())
    assert info["settings"]["train_dtype"] == "bfloat16" and info["settings"]["lora_layers"] == 1
    assert all(math.isfinite(x) for x in info["losses"])
    before, after = load_file(base / "model.safetensors"), load_file(out / "model.safetensors")
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed and all(k.startswith("model.layers.1.") for k in changed)  # the tiny model has layers 0 and 1
    # the held-out questions are written for 'optolab eval', and none of them was trained on
    split = split_records(read_records(data), dev_size=1, test_fraction=0.3)
    test_file = tmp_path / "tuned.test.jsonl"
    held_out = [json.loads(line)["id"] for line in test_file.read_text().splitlines()]
    assert held_out == [r.id for r in split.test] and held_out
    assert info["examples"] == len(split.train)


def test_training_settings_are_checked():
    with pytest.raises(TrainError, match="train_dtype"):
        SFTSettings(train_dtype="float16")
    with pytest.raises(TrainError, match="lora_layers"):
        SFTSettings(lora_layers=0)
    with pytest.raises(TrainError, match="full fine-tuning"):
        SFTSettings(full=True, lora_layers=2)
