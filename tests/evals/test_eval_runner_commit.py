"""run.json names the git commit an evaluation ran from, so that it can be repeated with the same code."""

import subprocess

from optolab.evals.runner import source_commit, versions


def _git(root, *args):
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_source_commit_names_the_checkout_and_its_local_changes(tmp_path):
    assert source_commit(tmp_path) is None  # not a git checkout
    (tmp_path / "optolab").mkdir()
    (tmp_path / "optolab" / "a.py").write_text("x = 1\n")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")
    head = subprocess.run(["git", "-C", str(tmp_path), "rev-parse", "HEAD"], capture_output=True,
                          text=True).stdout.strip()
    assert source_commit(tmp_path) == head
    (tmp_path / "optolab" / "a.py").write_text("x = 2\n")
    assert source_commit(tmp_path) == head + "+changes"


def test_versions_carry_the_commit_when_there_is_one():
    v = versions()
    assert "python" in v and "pyomo" in v
    commit = source_commit()
    assert v.get("optolab_commit") == commit
