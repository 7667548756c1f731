"""The dependency fixture repository: every format, exact rows, look-alikes, broken copies.

``fixtures/deps`` holds a requirements tree (with -r / -c includes), pyproject.toml (PEP 621,
PEP 735, Hatch, PDM, uv tables), setup.cfg, setup.py, Pipfile, Pipfile.lock, environment.yml,
uv.lock, pylock.toml, a Poetry project and a PDM project, each declaring Llama packages and
look-alikes; ``fixtures/deps/broken`` holds a malformed copy of each format.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from auditor.scan.deps import DIAGNOSTIC_CODES
from auditor.scan.runner import scan_paths
from auditor.types import AuditResult
from tests.conftest import FIXTURES
from tests.deps_helpers import span_text

FIXTURE = FIXTURES / "deps"
EXPECTED = json.loads((FIXTURE / "expected.json").read_text(encoding="utf-8"))

LOOKALIKES = {
    "llama-index", "llama-index-core", "llama-index-llms-openai", "llama-parse", "llama-cloud",
    "llama-cloud-services", "ollama", "exllamav2", "llamafactory", "llama-deploy", "llama-hub",
}
FORMATS = [
    "requirements.txt", "requirements-dev.in", "requirements/base.txt", "pyproject.toml",
    "setup.cfg", "setup.py", "Pipfile", "Pipfile.lock", "environment.yml", "uv.lock",
    "pylock.toml", "poetry-app/pyproject.toml", "poetry-app/poetry.lock",
    "pdm-app/pyproject.toml", "pdm-app/pdm.lock",
]
BROKEN = ["requirements.txt", "pyproject.toml", "setup.cfg", "setup.py", "Pipfile",
          "Pipfile.lock", "environment.yml", "poetry.lock", "uv.lock", "pdm.lock", "pylock.toml"]


def _finding_rows(result: AuditResult) -> list[dict[str, Any]]:
    out = []
    for f in result.findings:
        if not f.rule_id.startswith("LA2"):
            continue
        details = dict(f.details)
        out.append({
            "rule_id": f.rule_id, "path": f.path, "line": f.line, "column": f.column,
            "end_line": f.end_line, "end_column": f.end_column, "identifier": f.identifier,
            "context": f.context, "package": details["package"],
            "constraint": details["constraint"], "direct": details["direct"],
            "class": details["class"], "manifest": details["manifest"],
            "pulled_in_by": details.get("pulled_in_by", ""), "group": details.get("group", ""),
        })
    return out


def _diagnostic_rows(result: AuditResult) -> list[dict[str, Any]]:
    return [{"path": d.path, "code": d.code, "line": d.line}
            for d in result.diagnostics if d.code in DIAGNOSTIC_CODES]


@pytest.fixture(scope="module")
def result() -> AuditResult:
    return scan_paths([FIXTURE])


def test_exact_findings(result: AuditResult) -> None:
    assert _finding_rows(result) == EXPECTED["findings"]


def test_exact_diagnostics(result: AuditResult) -> None:
    assert _diagnostic_rows(result) == EXPECTED["diagnostics"]


def test_every_span_covers_what_it_reports(result: AuditResult) -> None:
    for f in result.findings:
        if not f.rule_id.startswith("LA2"):
            continue
        text = (FIXTURE / f.path).read_text(encoding="utf-8")
        covered = span_text(text, f.line, f.column, f.end_line, f.end_column)
        if f.detail("declared_at"):
            assert covered.startswith(("-r ", "-c ")), (f, covered)
        else:
            assert f.identifier and f.identifier in covered.replace("\\\n", ""), (f, covered)


def test_every_format_declares_llama_packages_and_lookalikes(result: AuditResult) -> None:
    reported = {f.path for f in result.findings if f.rule_id.startswith("LA2")}
    for rel in FORMATS:
        assert rel in reported, f"{rel}: no Llama package reported"
        text = (FIXTURE / rel).read_text(encoding="utf-8").lower()
        assert any(name in text for name in LOOKALIKES), f"{rel}: no look-alike to ignore"


def test_no_lookalike_is_ever_reported(result: AuditResult) -> None:
    everything = "\n".join(p.read_text(encoding="utf-8").lower()
                           for p in FIXTURE.rglob("*") if p.is_file())
    assert all(name in everything for name in LOOKALIKES)  # they are there to be ignored
    packages = {f.detail("package") for f in result.findings if f.rule_id.startswith("LA2")}
    assert packages.isdisjoint(LOOKALIKES)


def test_transitive_chains_for_poetry_and_uv(result: AuditResult) -> None:
    chains = {(f.path, f.identifier): f.detail("pulled_in_by") for f in result.findings
              if f.detail("direct") == "false" and f.detail("pulled_in_by")}
    assert chains == {
        ("poetry-app/poetry.lock", "llama-stack"): "acme-assistant",
        ("poetry-app/poetry.lock", "llama-models"): "acme-assistant → llama-stack",
        ("poetry-app/poetry.lock", "llama-stack-client"): "acme-assistant → llama-stack",
        ("uv.lock", "llama-api-client"): "acme-rag → acme-llm-adapters",
        ("pdm-app/pdm.lock", "llamafirewall"): "acme-guard",
        ("pylock.toml", "llama-api-client"): "acme-rag",
    }
    uv = next(f for f in result.findings if f.path == "uv.lock" and f.line == 64)
    assert "transitive dependency, pulled in by acme-rag → acme-llm-adapters" in uv.message


def test_each_broken_copy_gets_a_diagnostic_and_spoils_nothing(tmp_path: Path,
                                                                 result: AuditResult) -> None:
    diagnosed = {d["path"] for d in _diagnostic_rows(result)}
    for name in BROKEN:
        assert f"broken/{name}" in diagnosed, name
    clean = tmp_path / "deps"
    shutil.copytree(FIXTURE, clean, ignore=shutil.ignore_patterns("broken"))
    without_broken = _finding_rows(scan_paths([clean]))
    valid = [row for row in _finding_rows(result) if not row["path"].startswith("broken/")]
    assert valid == without_broken
    assert len(valid) == 43


def test_setup_py_is_read_never_executed(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo)
    canary = repo / "SETUP_PY_WAS_EXECUTED"
    found = scan_paths([repo])
    assert not canary.exists()
    setup_rows = [(f.line, f.identifier, f.context) for f in found.findings
                  if f.path == "setup.py" and f.rule_id.startswith("LA2")]
    assert setup_rows == [
        (13, "llama-recipes", "setup.install_requires"),
        (20, "llama-stack-client", "setup.install_requires"),
        (22, "llama-cpp-python", "setup.extras_require.cpu"),
    ]
    # Control: running the file really does write the canary, so the check above can fail.
    subprocess.run([sys.executable, "setup.py", "--name"], cwd=repo, capture_output=True,
                   timeout=60, check=False)
    assert canary.exists()


def test_cli_json_carries_the_dependency_details(run_cli: Any, result_schema: dict[str, Any]
                                                 ) -> None:
    import jsonschema

    run = run_cli(["scan", str(FIXTURE), "--format", "json", "--no-cache"])
    assert run.code == 1  # high-severity (Meta-Llama-only) packages are present
    data = run.json()
    jsonschema.validate(data, result_schema)
    uv = next(f for f in data["findings"] if f["path"] == "uv.lock" and f["line"] == 64)
    assert (uv["rule_id"], uv["category"], uv["severity"], uv["column"]) == (
        "LA201", "dependency", "high", 9)
    details = uv["details"]
    pairs = details.items() if isinstance(details, dict) else [tuple(p) for p in details]
    assert dict(pairs)["pulled_in_by"] == "acme-rag → acme-llm-adapters"
