"""The command line: outputs, exit codes, one-line usage errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema

from tests.conftest import FIXTURES, PROJECT

DEMO = str(FIXTURES / "demo")


def test_demo_scan_fails_on_high_findings(run_cli) -> None:
    run = run_cli(["scan", DEMO])
    assert run.code == 1
    assert "chatbot/settings.py" in run.out
    assert "LA101" in run.out
    assert "finding(s)" in run.out.splitlines()[-1]


def test_json_output_validates_against_published_schema(run_cli, result_schema) -> None:
    run = run_cli(["scan", DEMO, "--format", "json"])
    assert run.code == 1
    data = run.json()
    jsonschema.validate(data, result_schema)
    assert data["roots"] == [Path(DEMO).as_posix()]
    assert data["tool"]["name"] == "llama-audit"
    rows = {(f["rule_id"], f["path"], f["line"]) for f in data["findings"]}
    assert ("LA101", "chatbot/settings.py", 5) in rows
    assert ("LA102", "chatbot/backends.py", 35) in rows
    assert ("LA106", "chatbot/prompts.py", 7) in rows


def test_output_order_is_deterministic(run_cli) -> None:
    first = run_cli(["scan", DEMO, "--format", "json"]).json()
    second = run_cli(["scan", DEMO, "--format", "json", "--jobs", "2"]).json()
    assert first["findings"] == second["findings"]
    keys = [(f["path"], f["line"], f["column"], f["rule_id"]) for f in first["findings"]]
    assert keys == sorted(keys)


def test_fail_on_thresholds(run_cli, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "prompt.py").write_text('P = "<|begin_of_text|>{x}<|eot_id|>"\n')  # medium only
    assert run_cli(["scan", str(repo)]).code == 0
    assert run_cli(["scan", str(repo), "--fail-on", "medium"]).code == 1
    assert run_cli(["scan", str(repo), "--fail-on", "low"]).code == 1
    assert run_cli(["scan", DEMO, "--fail-on", "none"]).code == 0
    assert run_cli(["scan", DEMO, "--exit-zero"]).code == 0


def test_clean_repo_exits_zero(run_cli, tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text('MODEL = "google/gemma-4-E4B-it"\n')
    run = run_cli(["scan", str(tmp_path)])
    assert run.code == 0
    assert run.out.splitlines()[-1].startswith("0 finding(s)")


def test_missing_path_is_a_one_line_usage_error(run_cli, tmp_path: Path) -> None:
    run = run_cli(["scan", str(tmp_path / "nope")])
    assert run.code == 2
    assert run.err.strip().count("\n") == 0
    assert "path does not exist" in run.err
    assert "Traceback" not in run.err


def test_bad_option_is_a_usage_error(run_cli) -> None:
    run = run_cli(["scan", DEMO, "--fail-on", "sometimes"])
    assert run.code == 2
    assert "Traceback" not in run.err
    run = run_cli(["scan", DEMO, "--no-such-option"])
    assert run.code == 2


def test_output_file_is_written(run_cli, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    run = run_cli(["scan", DEMO, "--format", "json", "-o", str(target)])
    assert run.code == 1
    assert run.out == ""
    assert json.loads(target.read_text())["findings"]


def test_unwritable_output_is_exit_2_and_leaves_nothing(run_cli, tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "out.json"
    run = run_cli(["scan", DEMO, "--format", "json", "-o", str(target)])
    assert run.code == 2
    assert "cannot write" in run.err
    assert not target.exists()


def test_rules_list_and_explain(run_cli) -> None:
    listing = run_cli(["rules", "list"])
    assert listing.code == 0
    assert "LA101  llama-model-id " in listing.out
    explain = run_cli(["rules", "explain", "llama-prompt-format"])
    assert explain.code == 0
    assert explain.out.startswith("LA106 llama-prompt-format")
    assert "apply_chat_template" in explain.out
    assert run_cli(["rules", "explain", "LA999"]).code == 2


def test_python_dash_m_entry_point() -> None:
    proc = subprocess.run([sys.executable, "-m", "auditor", "scan", DEMO, "--format", "json"],
                          capture_output=True, text=True, cwd=PROJECT, check=False)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["findings"]


def test_rules_doc_is_up_to_date(run_cli) -> None:
    run = run_cli(["rules", "docs"])
    assert run.code == 0
    committed = (PROJECT / "docs" / "rules.md").read_text()
    assert run.out == committed, "run: llama-audit rules docs -o docs/rules.md"


def test_cache_gives_identical_findings(run_cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LLAMA_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    uncached = run_cli(["scan", DEMO, "--format", "json", "--no-cache"]).json()
    cold = run_cli(["scan", DEMO, "--format", "json"]).json()
    assert any((tmp_path / "cache").rglob("*.json"))
    warm = run_cli(["scan", DEMO, "--format", "json"]).json()
    assert uncached["findings"] == cold["findings"] == warm["findings"]
    assert uncached["diagnostics"] == cold["diagnostics"] == warm["diagnostics"]


def test_unwritable_cache_does_not_break_the_scan(run_cli, tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv("LLAMA_AUDIT_CACHE_DIR", str(blocker))
    run = run_cli(["scan", DEMO, "--format", "json"])
    assert run.code == 1
    assert run.json()["findings"]


def test_broken_pyproject_in_scanned_repo_is_a_diagnostic(run_cli, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\ndependencies = ["llama-models",\n')
    (tmp_path / "app.py").write_text('M = "llama3.1:8b"\n')
    run = run_cli(["scan", str(tmp_path), "--format", "json"])
    assert run.code == 1
    data = run.json()
    problems = {(d["path"], d["code"]) for d in data["diagnostics"]}
    assert ("pyproject.toml", "invalid-toml") in problems
    # the dependency the broken file names is still reported, read line by line
    assert [(f["path"], f["rule_id"]) for f in data["findings"]] == [
        ("app.py", "LA101"), ("pyproject.toml", "LA201")]


def test_snippets_neutralise_control_characters_and_tokens(run_cli, tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        'M = "llama3.1:8b"  # \x1b[2J token hf_abcdefghijklmnopqrstuvwxyz0123456789 \u202e\n')
    data = run_cli(["scan", str(tmp_path), "--format", "json"]).json()
    snippet = data["findings"][0]["snippet"]
    assert "\x1b" not in snippet and "\u202e" not in snippet
    assert "hf_abcdefgh…(redacted)" in snippet
    assert "ijklmnopqrstuvwxyz" not in snippet
