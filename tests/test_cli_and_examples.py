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
