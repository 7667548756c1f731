"""The shipped pre-commit hook on a real repository, through ``pre-commit try-repo``.

The hook repository is a committed copy of this checkout in a temp dir (pre-commit installs
it with pip from the package registry); the repository it runs on is ``fixtures/gate``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, PROJECT

GATE = FIXTURES / "gate"
JUNK = shutil.ignore_patterns(".git", "__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache",
                              ".ruff_cache", ".venv", "venv", "build", "dist", "*.egg-info",
                              ".llama-audit-cache", "node_modules", ".hypothesis",
                              "test-artifacts")
NETWORK_TROUBLE = ("Could not find a version", "No matching distribution",
                   "Failed to establish a new connection", "Temporary failure in name resolution",
                   "ConnectionError", "Network is unreachable")


def test_gate_fixture_exact_findings(run_cli) -> None:
    expected = json.loads((GATE / "expected.json").read_text())
    run = run_cli(["scan", str(GATE), "--no-baseline", "--format", "json"])
    data = run.json()
    rows = [{"rule_id": f["rule_id"], "path": f["path"], "line": f["line"]}
            for f in data["findings"]]
    assert rows == expected["findings"]
    assert data["stats"]["policy"] == expected["policy"]
    assert run.code == 1


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
                    "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                   cwd=repo, check=True, capture_output=True)


def committed_copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=JUNK)
    git(target, "init", "-q")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "snapshot")
    return target


@pytest.mark.slow
def test_pre_commit_try_repo_runs_the_hook(tmp_path: Path, run_cli,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pre_commit", reason="pre-commit is in the 'test' extra")
    hook_repo = committed_copy(PROJECT, tmp_path / "llama-audit")
    work = tmp_path / "support-bot"
    shutil.copytree(GATE, work)
    (work / "expected.json").unlink()
    monkeypatch.chdir(work)
    assert run_cli(["baseline", "."]).code == 0  # path from the config
    git(work, "init", "-q")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "support bot with its llama-audit baseline")
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
               PRE_COMMIT_COLOR="never", GIT_AUTHOR_NAME="Test", GIT_COMMITTER_NAME="Test",
               GIT_AUTHOR_EMAIL="test@example.com", GIT_COMMITTER_EMAIL="test@example.com")
    env.pop("PYTHONPATH", None)

    # a change on top of the baseline: one new Llama loader, staged as for a commit
    (work / "app" / "summarise.py").write_text(
        'from transformers import pipeline\n\n'
        'summariser = pipeline("summarization", model="meta-llama/Llama-3.2-3B-Instruct")\n')
    git(work, "add", "app/summarise.py")
    # try-repo installs the hook into a fresh store on every call (~15 s), so one call
    run = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "llama-audit",
         "--all-files"], cwd=work, env=env, capture_output=True, text=True, timeout=600)
    output = run.stdout + run.stderr
    if run.returncode != 0 and any(t in output for t in NETWORK_TROUBLE):
        pytest.skip("pre-commit could not install the hook from the package registry: "
                    + output.strip().splitlines()[-1])
    assert run.returncode == 1, output
    assert "llama-audit (no new Llama dependencies)" in run.stdout
    assert "Failed" in run.stdout and "- exit code: 1" in run.stdout
    assert "Known findings (4)" in run.stdout
    new_list = run.stdout.split("New findings (1):", 1)[1].split("Findings by category")[0]
    assert "summarise.py" in new_list and "3:14" in new_list and "LA102" in new_list
    assert "chat.py" not in new_list
    assert "1 new, 4 known, 1 suppressed, 1 waived" in run.stdout
    assert "old_bot.py" not in run.stdout  # the config's exclude, via --force-exclude
