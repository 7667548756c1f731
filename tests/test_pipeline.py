"""The one pipeline (``auditor.audit``) and the commands built on it: ``scan``, ``baseline`` and
``fix`` see the same findings after the same policy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.pipeline import AuditError, AuditOptions, audit
from auditor.policy.gate import GateOptions

from .conftest import PROJECT
from .fix_helpers import DEMO, git_repo, snapshot

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


def test_fix_does_not_rewrite_the_baseline_file(tmp_path: Path, run_cli,  # type: ignore[no-untyped-def]
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The baseline names every known Llama id by design: scan never reads it, nor may fix."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "app.py").write_text(LLAMA_LINE, encoding="utf-8")
    (root / ".llama-audit.toml").write_text('baseline = "llama-baseline.json"\n',
                                            encoding="utf-8")
    monkeypatch.chdir(root)
    not_yet = run_cli(["fix", "."])  # fix does not need the baseline to exist, as scan does
    assert (not_yet.code, not_yet.out.splitlines()[:2]) == (0, ["--- a/app.py", "+++ b/app.py"])
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


def test_audit_is_the_library_api_and_matches_scan(run_cli,  # type: ignore[no-untyped-def]
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import auditor

    monkeypatch.chdir(DEMO)
    outcome = auditor.audit([Path(".")], auditor.AuditOptions())
    assert isinstance(outcome, auditor.AuditOutcome)
    assert isinstance(outcome.result, auditor.AuditResult)
    assert all(isinstance(f, auditor.Finding) for f in outcome.result.findings)
    scan = run_cli(["scan", ".", "--format", "json", "--no-cache"]).json()
    assert [(f.path, f.line, f.column, f.rule_id, [s.hub_id for s in f.suggestions])
            for f in outcome.result.findings] == [
        (f["path"], f["line"], f["column"], f["rule_id"],
         [s["hub_id"] for s in f["suggestions"]]) for f in scan["findings"]]
    assert outcome.failed is True
    relaxed = auditor.audit([Path(".")], AuditOptions(gate=GateOptions(fail_on="none")))
    assert relaxed.failed is False


def test_audit_applies_the_config_waiver_and_skips_enrich_when_asked(waived_repo: Path) -> None:
    outcome = audit([waived_repo], AuditOptions(enrich=None))
    assert outcome.result.findings == ()
    assert [(f.path, f.rule_id, f.suggestions) for f in outcome.policy.waived] == [
        ("app.py", "LA101", ())]
    unconfigured = audit([waived_repo], AuditOptions(enrich=None, use_config=False))
    assert [(f.path, f.rule_id) for f in unconfigured.result.findings] == [("app.py", "LA101")]
    assert unconfigured.root_paths == {waived_repo.as_posix(): waived_repo}


def test_an_audit_that_cannot_run_raises_audit_error(tmp_path: Path) -> None:
    (tmp_path / ".llama-audit.toml").write_text("fail-on = 'sometimes'\n", encoding="utf-8")
    with pytest.raises(AuditError, match="fail-on"):
        audit([tmp_path], AuditOptions())
    with pytest.raises(AuditError, match="does not exist"):
        audit([tmp_path], AuditOptions(use_config=False,
                                       gate=GateOptions(baseline=tmp_path / "missing.json")))


def test_importing_auditor_is_cheap_and_the_core_never_imports_click() -> None:
    """``import auditor`` loads no stage; the pipeline and policy work without click."""
    script = ("import sys, auditor\n"
              "assert [m for m in sys.modules if m.startswith('auditor.')] == [], sys.modules\n"
              "import auditor.pipeline, auditor.policy.gate\n"
              "assert 'click' not in sys.modules\n"
              "assert auditor.audit is auditor.pipeline.audit\n")
    subprocess.run([sys.executable, "-c", script], check=True, cwd=PROJECT)


def test_commands_do_not_import_the_entry_point_and_exit_only_with_exit_codes() -> None:
    """No import cycle through ``cli/main.py``; every exit code is an ``ExitCode`` member."""
    for module in sorted((PROJECT / "auditor" / "cli").glob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert "auditor.cli.main" not in imported, module.name
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "sys.exit":
                assert ast.unparse(node.args[0]).startswith("ExitCode."), (module.name, node.lineno)
            if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "exit_code":
                assert ast.unparse(node.value).startswith("ExitCode."), (module.name, node.lineno)
