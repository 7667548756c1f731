"""One plan: scan's reports, ``llama-audit plan`` and ``fix`` give the same replacement."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from auditor.cli.main import cli
from auditor.pipeline import AuditOptions, audit
from auditor.policy.gate import GateOptions
from auditor.ruleset.load import load_ruleset

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted(p for p in (ROOT / "fixtures").iterdir() if p.is_dir())
RULES = load_ruleset()


def _agreement_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "fixcheck_agreement", ROOT / "benchmarks" / "fixcheck" / "agreement.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


AGREEMENT = _agreement_module()


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_scan_and_fix_give_the_same_replacement_for_every_finding(fixture: Path) -> None:
    found = AGREEMENT.agreement(fixture)
    assert found.disagreements == []
    scanned = audit([fixture], AuditOptions(gate=GateOptions(no_baseline=True))).result.findings
    if any(f.model is not None and f.model.meta_weights for f in scanned):
        assert found.compared > 0


def test_code_llama_on_ollama_gets_one_answer_from_report_plan_and_fix(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "main.py").write_text(
        'import ollama\n'
        'r = ollama.generate(model="codellama:7b-code", prompt="def f(", suffix="\\n")\n'
        'c = ollama.chat(model="llama3.1:8b", messages=[])\n', encoding="utf-8")
    runner = CliRunner()
    scan = runner.invoke(cli, ["scan", str(app), "--format", "json", "--exit-zero", "-q"])
    assert scan.exit_code == 0, scan.output
    first = {f["identifier"]: f["suggestions"][0]["runtime_name"]
             for f in json.loads(scan.stdout)["findings"]}
    plan_path = tmp_path / "plan.toml"
    planned = runner.invoke(cli, ["plan", str(app), "-o", str(plan_path)])
    assert planned.exit_code == 0, planned.output
    text = plan_path.read_text(encoding="utf-8")
    fixed = runner.invoke(cli, ["fix", str(app), "-q"])
    assert fixed.exit_code == 0, fixed.output
    for identifier, name in first.items():
        assert f'identifier = "{identifier}"\nruntime = "ollama"' in text
        assert f'replacement = "{name}"' in text
    assert f'+r = ollama.generate(model="{first["codellama:7b-code"]}",' in fixed.stdout
    assert '+c = ollama.chat(model="gemma4:e4b", messages=[])' in fixed.stdout
    assert first["llama3.1:8b"] == "gemma4:e4b"


def test_fix_takes_an_edited_plan_and_report_shows_it(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "main.py").write_text('import ollama\nollama.chat(model="llama3.1:8b")\n'
                                 'ollama.chat(model="llama3.2:3b")\n', encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(app)], check=True)
    runner = CliRunner()
    plan_path = tmp_path / "plan.json"
    assert runner.invoke(cli, ["plan", str(app), "-o", str(plan_path)]).exit_code == 0
    data = json.loads(plan_path.read_text(encoding="utf-8"))
    assert data["format"] == "llama-audit-plan"
    rows = {row["identifier"]: row for row in data["decision"]}
    assert rows["llama3.1:8b"]["replacement"] == "gemma4:e4b"
    assert rows["llama3.1:8b"]["locations"] == ["main.py:2:1"]
    rows["llama3.1:8b"]["replacement"] = "qwen3:8b"
    rows["llama3.2:3b"]["replacement"] = ""
    plan_path.write_text(json.dumps(data), encoding="utf-8")
    fixed = runner.invoke(cli, ["fix", str(app), "--plan", str(plan_path)])
    assert fixed.exit_code == 0, fixed.output
    assert '+ollama.chat(model="qwen3:8b")' in fixed.stdout
    assert ' ollama.chat(model="llama3.2:3b")\n' in fixed.stdout  # context: unchanged
    assert '-ollama.chat(model="llama3.2:3b")' not in fixed.stdout
    assert "the plan leaves it alone" in fixed.stderr
    result = tmp_path / "r.json"
    assert runner.invoke(cli, ["scan", str(app), "--format", "json", "-o", str(result),
                               "--exit-zero", "-q"]).exit_code == 0
    shown = runner.invoke(cli, ["report", str(result), "--plan", str(plan_path)])
    assert shown.exit_code == 0
    assert "-> replace with qwen3:8b (edited plan)" in shown.stdout


def test_a_broken_plan_file_is_a_usage_error(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "main.py").write_text('import ollama\nollama.chat(model="llama3.1:8b")\n',
                                 encoding="utf-8")
    bad = tmp_path / "plan.toml"
    bad.write_text('format = "something-else"\n', encoding="utf-8")
    fixed = CliRunner().invoke(cli, ["fix", str(app), "--plan", str(bad)])
    assert fixed.exit_code == 2
    assert "not a plan file (format must be 'llama-audit-plan'" in fixed.output
    bad.write_text('format = "llama-audit-plan"\nformat_version = 1\n[[decision]]\n'
                   'identifier = "llama3.1:8b"\nruntime = "ollama"\nreplacement = "a b"\n',
                   encoding="utf-8")
    fixed = CliRunner().invoke(cli, ["fix", str(app), "--plan", str(bad)])
    assert fixed.exit_code == 2
    assert "decision 1: the replacement 'a b' must not contain spaces" in fixed.output
    assert shutil.which("git") is not None
