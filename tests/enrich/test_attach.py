"""The enrich stage offline: no network at all, the snapshot date named, findings kept."""

from __future__ import annotations

import json
import socket
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditor.cli.catalog import catalog_group, suggest_command
from auditor.enrich import (
    CatalogError,
    EnrichOptions,
    enrich,
    load_bundled,
    write_snapshot,
)
from auditor.identify.models import identify
from auditor.ruleset.load import load_ruleset
from auditor.types import Category, Effort, Finding, Severity

SNAPSHOT = "bundled snapshot 2026-11-22"


def finding(raw: str, line: int, *, model: bool = True, rule: str = "LA101") -> Finding:
    ref = identify(raw, load_ruleset()) if model else None
    return Finding(rule_id=rule, category=Category.MODEL_REFERENCE, severity=Severity.HIGH,
                   effort=Effort.SWAP, path="src/app.py", line=line, column=12, end_line=line,
                   end_column=12 + len(raw), message=f"model {raw}", snippet=f'm = "{raw}"',
                   identifier=raw, model=ref)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every socket connect raises, and the Hub client may not even be constructed."""
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError(f"network blocked in this test: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    import huggingface_hub

    def no_client(*_a: Any, **_k: Any) -> None:
        raise AssertionError("the offline path constructed huggingface_hub.HfApi")

    monkeypatch.setattr(huggingface_hub.HfApi, "__init__", no_client)
    return attempts


def test_offline_enrich_makes_no_connection_and_names_the_snapshot(
        no_network: list[Any]) -> None:
    findings = [
        finding("meta-llama/Llama-3.1-8B-Instruct", 3),
        finding("requirements: llama-index", 4, model=False, rule="LA201"),
        finding("llama3.2-vision:11b", 9),
        finding("meta-llama/Llama-3.1-8B-Instruct", 12),
    ]
    result = enrich(findings, EnrichOptions())
    assert no_network == []
    assert result.diagnostics == ()
    assert (result.catalog_date, result.catalog_source) == ("2026-11-22", SNAPSHOT)
    assert [(f.rule_id, f.line) for f in result.findings] == [
        ("LA101", 3), ("LA201", 4), ("LA101", 9), ("LA101", 12)]
    assert result.findings[1] is findings[1]  # no model: untouched
    first = result.findings[0]
    assert first.fingerprint == findings[0].fingerprint
    assert [s.hub_id for s in first.suggestions] == [
        "google/gemma-4-E4B-it", "Qwen/Qwen3.5-9B", "mistralai/Ministral-3-8B-Instruct-2512"]
    assert all(s.source == SNAPSHOT for s in first.suggestions)
    assert result.findings[3].suggestions == first.suggestions
    assert dict(first.details) == {
        "llama_license": "Llama 3.1 Community License",
        "llama_license_id": "llama3.1",
        "license_obligations": "700M MAU cap; 'Built with Llama' display; derivative names "
                               "start with 'Llama'; Notice file; Llama 3.1 AUP",
        "llama_license_source": "https://github.com/meta-llama/llama-models/blob/"
                                "a9c89c471f793423afd4cc3ca8671d6e56fe64cb/models/llama3_1/LICENSE",
        "replacement_class": "7-8B text class",
        "catalog_unconfirmed": ("mlx_repos: from knowledge; ollama_tag: not confirmed on "
                                "ollama.com (the catalog cited github.com)"),
    }
    vision = dict(result.findings[2].details)
    assert vision["license_obligations"].endswith("Llama 3.2 AUP; EU multimodal restriction")
    assert vision["license_eu_multimodal"].startswith("For multimodal models, the license "
                                                      "rights are not granted")


def test_offline_suggest_command_with_the_network_blocked(no_network: list[Any]) -> None:
    outcome = CliRunner().invoke(suggest_command, ["llama3.3:70b"])
    assert outcome.exit_code == 0, outcome.output
    assert no_network == []
    assert (f"Catalog:  {SNAPSHOT} (offline: checks come from the snapshot, not the live Hub; "
            "add --online to check live)") in outcome.output
    # Mistral offers a second candidate: the first has no Ollama tag
    assert outcome.output.count(f"checks from {SNAPSHOT}:") == 4


def test_scanner_details_are_kept_and_not_duplicated() -> None:
    original = replace(finding("llama3.1", 1), details=(("llama_license", "from a scanner"),
                                                        ("package", "ollama")))
    result = enrich([original], EnrichOptions())
    details = result.findings[0].details
    assert details[:2] == (("llama_license", "from a scanner"), ("package", "ollama"))
    assert [k for k, _ in details].count("llama_license") == 1
    again = enrich(result.findings, EnrichOptions())
    assert again.findings[0].details == details


def test_non_meta_weights_get_no_plan() -> None:
    tiny = finding("TinyLlama/TinyLlama-1.1B-Chat-v1.0", 2)
    assert tiny.model is not None and not tiny.model.meta_weights
    result = enrich([tiny], EnrichOptions())
    assert result.findings[0] is tiny


def test_derivative_findings_carry_lineage_offline() -> None:
    result = enrich([finding("TheBloke/Llama-2-7B-Chat-GGUF", 5),
                     finding("lmsys/vicuna-7b-v1.5", 6)], EnrichOptions())
    gguf, vicuna = (dict(f.details) for f in result.findings)
    assert gguf["lineage"] == ("TheBloke/Llama-2-7B-Chat-GGUF → meta-llama/Llama-2-7b-chat-hf "
                               "(quantized): Llama-derived (catalog)")
    assert vicuna["lineage"] == ("lmsys/vicuna-7b-v1.5 → meta-llama/Llama-2-7b-hf (finetune): "
                                 "Llama-derived (catalog); unconfirmed base_model: from the lmsys "
                                 "model card (from knowledge)")
    assert [s.runtime_name for s in result.findings[0].suggestions] == [
        "unsloth/gemma-4-E4B-it-GGUF", "unsloth/Qwen3.5-9B-GGUF",
        "bartowski/Mistral-7B-Instruct-v0.3-GGUF", "mistralai/Ministral-3-8B-Instruct-2512"]


def test_catalog_file_replaces_the_bundled_snapshot(tmp_path: Path) -> None:
    bundled = load_bundled()
    qwen = bundled.get("Qwen/Qwen3.5-9B")
    assert qwen is not None
    changed = bundled.with_entries(
        [replace(e, exists=False) if e is qwen else e for e in bundled.entries],
        snapshot_date="2026-12-01", source="snapshot 2026-12-01 (refreshed from test)")
    path = tmp_path / "snap.json"
    write_snapshot(changed, path)
    result = enrich([finding("meta-llama/Llama-3.1-8B-Instruct", 1)],
                    EnrichOptions(catalog_file=path))
    assert (result.catalog_date, result.catalog_source) == (
        "2026-12-01", "snapshot 2026-12-01 (refreshed from test)")
    hub_ids = [s.hub_id for s in result.findings[0].suggestions]
    # gone from the Hub per the snapshot: ranked after the candidates that can be used
    assert hub_ids == ["google/gemma-4-E4B-it", "mistralai/Ministral-3-8B-Instruct-2512",
                       "Qwen/Qwen3.5-9B"]
    qwen_suggestion = result.findings[0].suggestions[2]
    assert qwen_suggestion.checks[0].passed is False
    assert qwen_suggestion.checks[0].detail == (
        "not on the Hub per snapshot 2026-12-01 (refreshed from test); the next candidate is "
        "offered")


@pytest.mark.parametrize("content,message", [
    ("{", "not valid JSON (Expecting property name enclosed in double quotes at line 1)"),
    ('{"format": "something-else"}', "not a llama-audit catalog (missing format "
                                     "'llama-audit-catalog')"),
    ('{"format": "llama-audit-catalog", "format_version": 9}',
     "catalog format_version 9 is not supported (this tool reads 1)"),
    ('{"format": "llama-audit-catalog", "format_version": 1, "snapshot_date": "2026-01-01", '
     '"entries": [{"hub_id": "a/b", "vendor": "x", "family": "y", "kind": "llama", '
     '"variant": "base", "params_b_total": "big"}]}',
     "entry 1 (a/b): 'params_b_total' must be a number or null, got 'big'"),
])
def test_a_broken_catalog_file_is_a_clear_error(tmp_path: Path, content: str,
                                                message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        enrich([], EnrichOptions(catalog_file=path))
    assert str(caught.value) == f"{path}: {message}"
    outcome = CliRunner().invoke(suggest_command, ["llama3", "--catalog", str(path)])
    assert outcome.exit_code == 2
    assert outcome.output == f"Error: {path}: {message}\n"


def test_missing_catalog_file_and_bad_prefer_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="does not exist"):
        enrich([], EnrichOptions(catalog_file=tmp_path / "missing.json"))
    with pytest.raises(CatalogError, match="--prefer must be one of gemma, qwen, mistral, "
                                           "not 'llama'"):
        enrich([], EnrichOptions(prefer="llama"))


def test_catalog_show_lists_entries_with_marks_and_sources(no_network: list[Any]) -> None:
    outcome = CliRunner().invoke(catalog_group, ["show", "--family", "gemma", "--format",
                                                 "json"])
    assert outcome.exit_code == 0, outcome.output
    data = json.loads(outcome.output)
    assert data["snapshot_date"] == "2026-11-22"
    assert [e["hub_id"] for e in data["entries"]] == [
        "google/gemma-4-E2B-it", "google/gemma-4-E2B", "google/gemma-4-E4B-it",
        "google/gemma-4-E4B", "google/gemma-4-12B-it", "google/gemma-4-12B",
        "google/gemma-4-26B-A4B-it", "google/gemma-4-26B-A4B", "google/gemma-4-31B-it",
        "google/gemma-4-31B", "google/shieldgemma-2b", "google/shieldgemma-9b",
        "google/shieldgemma-27b", "google/shieldgemma-2-4b-it"]
    assert all(e["sources"] for e in data["entries"])
    text = CliRunner().invoke(catalog_group, ["show", "--family", "Llama 3.3"]).output
    assert text.startswith(f"Catalog: {SNAPSHOT}; 2 of {len(load_bundled().entries)} entries\n")
    assert ("meta-llama/Llama-3.3-8B-Instruct  [Llama 3.3, llama, instruct]\n"
            "    8B* | ?* | text* | license?* | gated* | released ?\n") in text
    assert ("    unconfirmed: gated: no primary source recorded (the catalog cited only "
            "developers.llamaindex.ai, github.com)\n") in text
    assert "    unconfirmed: exists: reported removed from the meta-llama org" in text
    missing = CliRunner().invoke(catalog_group, ["show", "--family", "falcon"])
    assert (missing.exit_code, missing.output) == (
        2, "Error: no catalog entry matches family 'falcon'\n")


def test_enriched_results_match_the_json_report_schema(result_schema: dict[str, Any]) -> None:
    import jsonschema

    from auditor.enrich.attach import problems_to_diagnostics
    from auditor.enrich.hub_records import HubProblem
    from auditor.serialize import result_to_dict
    from auditor.types import AuditResult, ToolInfo

    raws = ["meta-llama/Llama-3.1-8B-Instruct", "llama4:scout", "TheBloke/Llama-2-7B-Chat-GGUF",
            "meta-llama/Prompt-Guard-86M", "meta-llama/Llama-Guard-4-12B"]
    result = enrich([finding(raw, line) for line, raw in enumerate(raws, start=1)],
                    EnrichOptions())
    hub_problems = problems_to_diagnostics(
        [HubProblem("Qwen/Qwen3.5-9B", "rate-limited", "rate limited by the Hub (HTTP 429)",
                    "https://huggingface.co", "2026-11-22T12:00:00Z", 429)], SNAPSHOT)
    audit = AuditResult(
        tool=ToolInfo("llama-audit", "0.1.0", load_ruleset().version, result.catalog_date,
                      result.catalog_source),
        roots=(".",), findings=result.findings, diagnostics=result.diagnostics + hub_problems)
    data = result_to_dict(audit)
    jsonschema.validate(data, result_schema)
    assert data["tool"]["catalog_date"] == "2026-11-22"
    assert data["diagnostics"] == [{
        "root": "", "path": "hub:Qwen/Qwen3.5-9B", "code": "hub-rate-limited", "line": None,
        "message": f"Qwen/Qwen3.5-9B: rate limited by the Hub (HTTP 429); its checks use "
                   f"{SNAPSHOT}"}]
    assert all(len(f["suggestions"]) >= 1 for f in data["findings"])
