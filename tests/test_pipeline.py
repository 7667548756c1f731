"""The one pipeline (``auditor.audit``) and the commands built on it: ``scan``, ``baseline`` and
``fix`` see the same findings after the same policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from .fix_helpers import git_repo, snapshot

LLAMA_LINE = 'MODEL = "meta-llama/Llama-3.1-8B-Instruct"\n'
WAIVER = '[[waivers]]\nrule = "LA101"\npath = "app.py"\nreason = "benchmark parity"\n'


@pytest.fixture
def waived_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository whose config waives the one LA101 finding in app.py."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "app.py").write_text(LLAMA_LINE, encoding="utf-8")
    (root / ".llama-audit.toml").write_text(WAIVER, encoding="utf-8")
    git_repo(root)
    monkeypatch.chdir(root)
    return root


@pytest.mark.xfail(strict=True, reason="issue 15: fix ignores config waivers")
def test_fix_leaves_a_line_the_config_waives(waived_repo: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    scan = run_cli(["scan", ".", "--format", "json", "--no-cache"])
    assert (scan.code, scan.json()["findings"]) == (0, [])
    assert "policy: 1 waived" in scan.err
    before = snapshot(waived_repo)
    dry = run_cli(["fix", "."])
    assert (dry.code, dry.out) == (0, "")
    written = run_cli(["fix", ".", "--write"])
    assert (written.code, written.out) == (0, "")
    assert snapshot(waived_repo) == before
    assert "1 finding(s) waived in the config were left as they are" in written.err


@pytest.mark.xfail(strict=True, reason="issue 15: fix rewrites the baseline file")
def test_fix_does_not_rewrite_the_baseline_file(tmp_path: Path, run_cli,  # type: ignore[no-untyped-def]
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The baseline names every known Llama id by design: scan never reads it, nor may fix."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "app.py").write_text(LLAMA_LINE, encoding="utf-8")
    (root / ".llama-audit.toml").write_text('baseline = "llama-baseline.json"\n',
                                            encoding="utf-8")
    monkeypatch.chdir(root)
    assert run_cli(["baseline", ".", "--no-cache", "-q"]).code == 0
    recorded = (root / "llama-baseline.json").read_bytes()
    git_repo(root)
    scan = run_cli(["scan", ".", "--format", "json", "--no-cache"])
    assert [(f["path"], f["baseline_state"]) for f in scan.json()["findings"]] == [
        ("app.py", "known")]
    written = run_cli(["fix", ".", "--write"])
    assert written.code == 0, written.err
    assert (root / "llama-baseline.json").read_bytes() == recorded
    assert "llama-baseline.json" not in written.out
    assert (root / "app.py").read_text(encoding="utf-8") == 'MODEL = "google/gemma-4-E4B-it"\n'
