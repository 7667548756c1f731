"""The kinds fixture: one repository with every non-Python file kind, exact findings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.types import AuditResult, Severity
from tests.kinds_helpers import expected, prepare_kinds_repo, rows, scan_repo


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_kinds_repo(tmp_path_factory.mktemp("kinds"))


@pytest.fixture(scope="module")
def result(repo: Path) -> AuditResult:
    return scan_repo(repo)


def test_exact_findings(result: AuditResult) -> None:
    assert rows(result) == expected()["findings"]


def test_exact_diagnostics(result: AuditResult) -> None:
    got = [{"path": d.path, "code": d.code, "line": d.line} for d in result.diagnostics]
    assert got == expected()["diagnostics"]


def test_every_file_kind_is_represented(result: AuditResult) -> None:
    paths = {f.path for f in result.findings}
    for rel in (
        "notebooks/explore.ipynb", "config/settings.yaml", "config/app.json", "config/app.toml",
        "config/service.ini", "config/.env", "config/app.properties", "deploy/Dockerfile",
        "deploy/docker-compose.yml", "deploy/Modelfile", "scripts/pull_models.sh", "Makefile",
        "deploy/k8s/vllm-deployment.yaml", "deploy/helm/values.yaml",
        ".github/workflows/eval.yml", ".gitlab-ci.yml", "infra/main.tf",
        "models/adapter/adapter_config.json", "models/merged/config.json",
        "models/merged/tokenizer_config.json", "models/merged/generation_config.json",
        "models/gguf/support-model.Q4_K_M.gguf", "models/merged/LICENSE", "NOTICE",
        "models/merged/USE_POLICY.md", "README.md", "docs/guide.rst", "docs/notes.txt",
    ):
        assert rel in paths, rel
    rules = {f.rule_id for f in result.findings}
    assert rules >= {"LA301", "LA302", "LA303", "LA304", "LA305", "LA306", "LA401", "LA402",
                     "LA403", "LA404", "LA405", "LA410", "LA411"}


def _escaped(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)[1:-1]


def test_positions_point_at_what_was_found(repo: Path, result: AuditResult) -> None:
    """Every finding's line and column hold its identifier in the file as written."""
    checked = 0
    for finding in result.findings:
        if finding.path.endswith(".gguf") or finding.rule_id == "LA102":
            continue
        lines = (repo / finding.path).read_text(encoding="utf-8").splitlines()
        at = lines[finding.line - 1][finding.column - 1:]
        ident = finding.identifier or ""
        if finding.rule_id == "LA404":
            ident = ident.split(",")[0]
        if finding.path.endswith(".ipynb"):
            ident = _escaped(ident)
            if not at.startswith(ident) and finding.context != "shell":
                # The Python scanner reports a string literal where it opens: at its quote,
                # which the notebook JSON writes escaped (\"); shell lines point at the token.
                assert at.startswith(("\\\"", "'")), at
                at = at[2:] if at.startswith("\\") else at[1:]
        if finding.rule_id in ("LA410", "LA411"):
            assert " ".join(at.split()).lower().startswith(ident.lower()[:10]), finding
        else:
            assert at.startswith(ident), (finding.path, finding.line, at, ident)
        checked += 1
    assert checked >= 60


def test_loader_findings_in_notebooks_point_at_the_call(repo: Path,
                                                         result: AuditResult) -> None:
    calls = {(f.path, f.line, f.column) for f in result.findings if f.rule_id == "LA102"}
    for path, line, column in calls:
        text = (repo / path).read_text(encoding="utf-8").splitlines()[line - 1]
        assert text[column - 1:].startswith(("AutoModelForCausalLM.from_pretrained",
                                             "ollama.chat(")), text


def test_notebook_cells_and_cell_lines(repo: Path, result: AuditResult) -> None:
    notebook = json.loads((repo / "notebooks/explore.ipynb").read_text(encoding="utf-8"))
    for finding in result.findings:
        if finding.path != "notebooks/explore.ipynb" or finding.cell_line is None:
            continue
        assert finding.cell is not None
        source = "".join(notebook["cells"][finding.cell]["source"])
        line = source.splitlines()[finding.cell_line - 1]
        assert finding.snippet == line.strip()
        if finding.rule_id != "LA102":
            assert (finding.identifier or "") in line


def test_documentation_mentions_are_off_by_default(repo: Path) -> None:
    plain = scan_repo(repo, include_docs=False)
    with_docs = [r for r in expected()["findings"] if r["rule_id"] != "LA305"]
    assert rows(plain) == with_docs
    assert all(f.severity is not Severity.INFO or f.rule_id == "LA109"
               for f in plain.findings)


def _at(result: AuditResult, path: str) -> list[dict[str, Any]]:
    return [r for r in rows(result) if r["path"] == path]


def test_look_alikes_are_not_reported(result: AuditResult) -> None:
    identifiers = " ".join(f.identifier or "" for f in result.findings).lower()
    for lookalike in ("ollama/ollama", "llama.cpp", "llama_index", "llamacpp", "[inst]",
                      "mistral", "qwen", "llama-server", "gemma"):
        assert lookalike not in identifiers, lookalike
    # The compose file: the ollama/ollama image (line 3) and the llamacpp service (lines 5-7)
    # are not findings; only the vLLM service's model and the OLLAMA_MODEL variable are.
    assert [r["line"] for r in _at(result, "deploy/docker-compose.yml")] == [10, 12]
    # settings.yaml: the llama_index section (16-19) and the Mistral [INST] prompt (22) are not.
    assert [r["line"] for r in _at(result, "config/settings.yaml")] == [4, 13, 24, 28, 29, 29]
    # Comments in infrastructure files are not read: Dockerfile line 2 and 5, the shell
    # script's comment lines, the Makefile target comment, the Terraform block comment.
    assert [r["line"] for r in _at(result, "deploy/Dockerfile")] == [4, 8, 10]
    assert [r["line"] for r in _at(result, "scripts/pull_models.sh")] == [7, 8]
    assert [r["line"] for r in _at(result, "Makefile")] == [1, 7]
    assert [r["line"] for r in _at(result, "infra/main.tf")] == [3, 8]
    # The Mistral GGUF declares llama.cpp's "llama" architecture: not a Llama model.
    assert _at(result, "models/gguf/mistral-7b-instruct-v0.3.Q4_K_M.gguf") == []


def test_broken_files_give_a_diagnostic_and_still_find_identifiers(
        result: AuditResult) -> None:
    diagnostics = {d.path: d for d in result.diagnostics}
    for path, kind in (("config/broken.yaml", "YAML"), ("config/broken.json", "JSON"),
                       ("config/broken.toml", "TOML"), ("notebooks/broken.ipynb", "JSON")):
        assert diagnostics[path].code == "parse-error"
        assert f"invalid {kind}" in diagnostics[path].message
        assert "line scanner" in diagnostics[path].message
        assert _at(result, path), path
    assert "cell 1 is not valid Python" in diagnostics["notebooks/string_source.ipynb"].message


def test_artefact_and_license_details(result: AuditResult) -> None:
    by_path = {(f.path, f.rule_id): f for f in result.findings}
    adapter = by_path[("models/adapter/adapter_config.json", "LA401")]
    assert (adapter.category.value, adapter.severity.value, adapter.effort.value) == (
        "fine-tune", "medium", "retrain")
    assert adapter.model is not None and adapter.model.family == "Llama 3.1"
    gguf = by_path[("models/gguf/support-model.Q4_K_M.gguf", "LA405")]
    assert gguf.detail("license") == "llama3.2"
    assert gguf.detail("header_key") == "general.name"
    assert gguf.snippet == ("general.architecture=llama general.name=Llama 3.2 1B Instruct "
                            "general.license=llama3.2")
    notice = by_path[("NOTICE", "LA410")]
    assert notice.detail("license") == "llama3.2"
    assert "700M MAU cap" in notice.message and "Llama 3.2 AUP" in notice.message
    built = by_path[("README.md", "LA411")]
    assert built.category.value == "license" and built.detail("license") is None
