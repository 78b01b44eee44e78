import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_cli_version_and_help():
    proc = subprocess.run([sys.executable, "-m", "optolab.cli.main", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("optolab ")
    proc = subprocess.run([sys.executable, "-m", "optolab.cli.main", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "usage: optolab" in proc.stdout


def test_importing_optolab_does_no_work():
    code = (
        "import sys, optolab; heavy = [m for m in ('litellm', 'pyomo', 'networkx', 'optolab.trace') if m in sys.modules];"
        "print(heavy)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.strip() == "[]"


def test_trace_example_runs_and_prints_its_graph():
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "trace_workflow.py")], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Total: 589.00 EUR" in out and "flowchart TB" in out
    assert "discount.__code__" in out and "path: write_reply" in out


def _load_example(name: str):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "examples" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"example_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_optimize_function_example_reaches_its_target_with_a_scripted_optimizer(monkeypatch, capsys):
    import sys

    from optolab.testing import FunctionLLM

    example = _load_example("optimize_function")
    proposals = iter(["def predict(x):\n    return 2 * x + 4\n",  # better, not right
                      # a lookup of the shown points: exact there, no number elsewhere
                      "def predict(x):\n    return {0: 4, 1: 7, 2: 10, 3: 13, 5: 19}.get(x)\n",
                      "def predict(x):\n    return {0: 4, 1: 7}[x]\n",  # a lookup table: fails on other points
                      "def predict(x):\n    return 3 * x + 4\n"])

    def reply(messages):
        return {"reasoning": "fit the measurements", "suggestion": {"predict.__code__": next(proposals,
                "def predict(x):\n    return 3 * x + 4\n")}}

    monkeypatch.setattr(example, "LLM", lambda *a, **k: FunctionLLM(reply))
    monkeypatch.setattr(sys, "argv", ["optimize_function.py", "--steps", "3", "--candidates", "2",
                                      "--slope", "3", "--intercept", "4"])
    assert example.main() == 0
    out = capsys.readouterr().out
    assert "target met" in out and "3 * x + 4" in out


def test_optimize_function_example_fits_the_numbers_the_model_gets_wrong(monkeypatch, capsys):
    import sys

    from optolab.testing import FunctionLLM

    example = _load_example("optimize_function")

    def reply(messages):  # the right shape with the wrong numbers, every time
        return {"reasoning": "a line", "suggestion": {"predict.__code__": "def predict(x):\n    return 2 * x + 3\n"}}

    monkeypatch.setattr(example, "LLM", lambda *a, **k: FunctionLLM(reply))
    monkeypatch.setattr(sys, "argv", ["optimize_function.py", "--steps", "2", "--candidates", "1"])
    assert example.main() == 0
    out = capsys.readouterr().out
    assert "numbers of step 1 candidate 1 fitted" in out and "return 3 * x + 4" in out
    example = _load_example("optimize_function")  # predict back at ``return x``
    monkeypatch.setattr(example, "LLM", lambda *a, **k: FunctionLLM(reply))
    monkeypatch.setattr(sys, "argv", ["optimize_function.py", "--steps", "2", "--candidates", "1", "--fit-constants", "0"])
    assert example.main() == 1  # without the fit the model's numbers stay wrong


def test_optimize_prompt_example_keeps_the_best_scored_rewrite(monkeypatch, capsys):
    import sys

    from optolab.testing import FunctionLLM

    example = _load_example("optimize_prompt")
    keywords = {"complaint": ("late", "crash", "charged", "wrong", "nobody", "not received", "crushed"),
                "question": ("?",)}
    rewrites = iter(["Say hello.",  # worse than nothing: must not be kept
                     "Answer with one word: complaint, question or praise."])

    def reply(messages):
        system = messages[0]["content"]
        if "#Variables" in system or "#Feedback" in messages[-1]["content"]:  # the optimizer
            return {"reasoning": "name the labels", "suggestion": {"instruction": next(rewrites, "Say hello.")}}
        if "one word" not in system:  # the labelling call under a poor instruction
            return "Thank you for your message."
        text = messages[-1]["content"].lower()
        return next((label for label, keys in keywords.items() if any(k in text for k in keys)), "praise")

    monkeypatch.setattr(example, "LLM", lambda *a, **k: FunctionLLM(reply))
    monkeypatch.setattr(sys, "argv", ["optimize_prompt.py", "--rounds", "2", "--candidates", "2"])
    assert example.main() == 0
    out = capsys.readouterr().out
    assert "held-out accuracy before: 0%" in out
    assert "held-out accuracy after:  100%" in out and "one word" in out.splitlines()[-1]
