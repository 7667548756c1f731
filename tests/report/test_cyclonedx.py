"""CycloneDX 1.6 ML-BOM, validated by cyclonedx-python-lib's own JSON schema validator."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from auditor.report.cyclonedx import render_cyclonedx
from auditor.types import AuditResult
from tests.report_samples import TOOL, demo_findings, empty_result, sample_result


def assert_valid(text: str) -> None:
    errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text, all_errors=True)
    assert errors is None, "\n".join(str(e) for e in errors)


def bom(result: AuditResult) -> dict[str, Any]:
    text = render_cyclonedx(result)
    assert_valid(text)
    data: dict[str, Any] = json.loads(text)
    return data


def component(data: dict[str, Any], ref: str) -> dict[str, Any]:
    return next(c for c in data["components"] if c["bom-ref"] == ref)


def props(item: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["value"] for p in item.get("properties", [])}


@pytest.mark.parametrize("make", [lambda: sample_result(hostile=True), empty_result])
def test_valid_cyclonedx_1_6(make) -> None:  # type: ignore[no-untyped-def]
    data = bom(make())
    assert data["bomFormat"] == "CycloneDX" and data["specVersion"] == "1.6"
    assert "timestamp" not in data["metadata"]
    assert data["serialNumber"].startswith("urn:uuid:")


def test_huggingface_model_component() -> None:
    data = bom(sample_result())
    model = component(data, "model/huggingface/-/meta-llama/llama-3.1-8b-instruct")
    assert model["type"] == "machine-learning-model"
    assert model["group"] == "meta-llama" and model["name"] == "Llama-3.1-8B-Instruct"
    assert model["purl"] == "pkg:huggingface/meta-llama/Llama-3.1-8B-Instruct"
    assert model["licenses"] == [{"license": {
        "name": "Llama 3.1 Community License",
        "url": "https://github.com/meta-llama/llama-models/blob/"
               "a9c89c471f793423afd4cc3ca8671d6e56fe64cb/models/llama3_1/LICENSE"}}]
    assert model["externalReferences"] == [
        {"type": "model-card", "url": "https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct"}]
    assert model["modelCard"] == {
        "modelParameters": {
            "task": "text-generation", "architectureFamily": "llama",
            "modelArchitecture": "Llama 3.1 8B",
            "inputs": [{"format": "text"}], "outputs": [{"format": "text"}]},
        "properties": [{"name": "llama-audit:params-billions", "value": "8"},
                       {"name": "llama-audit:active-params-billions", "value": "8"}],
    }
    assert [(o["location"], o["line"]) for o in model["evidence"]["occurrences"]] == [
        ("demo/adapters/support-bot/adapter_config.json", 4), ("demo/app/chat.py", 3)]


def test_replacements_are_properties() -> None:
    model = component(bom(sample_result()), "model/huggingface/-/meta-llama/llama-3.1-8b-instruct")
    values = props(model)
    assert values["llama-audit:family"] == "Llama 3.1"
    assert values["llama-audit:canonical-id"] == "meta-llama/Llama-3.1-8B-Instruct"
    assert values["llama-audit:replacement:1:hub-id"] == "google/gemma-4-E4B-it"
    assert values["llama-audit:replacement:1:checks"] == (
        "exists=pass; license=pass; gated=pass; size-class=pass; context-length=pass; "
        "format=unknown")
    assert values["llama-audit:replacement:1:source"] == "snapshot 2026-11-22"
    assert values["llama-audit:replacement:2:hub-id"] == "Qwen/Qwen3-8B"
    assert values["llama-audit:replacement:2:checks"] == (
        "exists=pass; license=pass; context-length=fail")


def test_non_hub_models_have_no_purl_but_link_their_meta_model_card() -> None:
    data = bom(sample_result())
    ollama = component(data, "model/ollama/-/llama3.1:8b")
    assert ollama["name"] == "llama3.1:8b" and "purl" not in ollama and "group" not in ollama
    assert ollama["externalReferences"][0]["url"] == (
        "https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct")
    assert props(ollama)["llama-audit:replacement:1:runtime-name"] == "gemma4:e4b"
    gguf = component(data, "model/gguf/-/models/llama-2-13b-chat.q5_k_m.gguf")
    assert gguf["licenses"][0]["license"]["name"] == "Llama 2 Community License"


def test_llama_packages_are_library_components() -> None:
    data = bom(sample_result())
    models_pkg = component(data, "pkg/pypi/llama-models")
    assert models_pkg["type"] == "library"
    assert models_pkg["purl"] == "pkg:pypi/llama-models@0.1.4"
    assert models_pkg["version"] == "0.1.4"
    assert props(models_pkg)["llama-audit:direct"] == "true"
    assert props(models_pkg)["llama-audit:class"] == "replace"
    assert props(models_pkg)["llama-audit:manifest"] == "requirements.txt"
    runtime = component(data, "pkg/pypi/llama-cpp-python")
    assert runtime["purl"] == "pkg:pypi/llama-cpp-python" and "version" not in runtime
    assert props(runtime)["llama-audit:effort"] == "keep"


def test_roots_depend_on_what_was_found_in_them() -> None:
    findings = demo_findings("repo-a") + tuple(
        replace(f, root="repo-b") for f in demo_findings("repo-b") if f.path == "requirements.txt")
    result = AuditResult(tool=TOOL, roots=("repo-a", "repo-b"),
                         findings=tuple(sorted(findings, key=lambda f: f.sort_key)))
    data = bom(result)
    deps = {d["ref"]: d.get("dependsOn", []) for d in data["dependencies"]}
    assert deps["scan"] == ["root/1", "root/2"]
    assert deps["root/2"] == ["pkg/pypi/llama-cpp-python", "pkg/pypi/llama-models"]
    assert "model/ollama/-/llama3.1:8b" in deps["root/1"]
    assert data["metadata"]["component"]["name"] == "2 repositories"


def test_same_result_same_bom_and_different_result_different_serial() -> None:
    first = render_cyclonedx(sample_result())
    assert render_cyclonedx(sample_result()) == first
    other = render_cyclonedx(sample_result(hostile=True))
    assert json.loads(other)["serialNumber"] != json.loads(first)["serialNumber"]
