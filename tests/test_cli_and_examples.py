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
                      "def predict(x):\n    return {0: 4, 1: 7}[x]\n",  # a lookup table: fails on other points
                      "def predict(x):\n    return 3 * x + 4\n"])

    def reply(messages):
        return {"reasoning": "fit the measurements", "suggestion": {"predict.__code__": next(proposals,
                "def predict(x):\n    return 3 * x + 4\n")}}

    monkeypatch.setattr(example, "LLM", lambda *a, **k: FunctionLLM(reply))
    monkeypatch.setattr(sys, "argv", ["optimize_function.py", "--steps", "3", "--candidates", "2"])
    assert example.main() == 0
    out = capsys.readouterr().out
    assert "target met" in out and "3 * x + 4" in out
