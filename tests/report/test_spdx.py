"""SPDX 2.3 JSON, parsed and validated by spdx-tools: exact packages, licenses and
relationships; byte-identical reruns."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from auditor.report.spdx import created, render_spdx
from auditor.types import AuditResult
from tests.report_samples import TOOL, empty_result, sample_result

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def assert_valid(text: str, tmp_path: Path) -> None:
    path = tmp_path / "doc.spdx.json"
    path.write_text(text, encoding="utf-8")
    messages = validate_full_spdx_document(parse_file(str(path)))
    assert [m.validation_message for m in messages] == []


def document(result: AuditResult, tmp_path: Path) -> dict[str, Any]:
    text = render_spdx(result)
    assert_valid(text, tmp_path)
    data: dict[str, Any] = json.loads(text)
    return data


def by_id(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["SPDXID"]: p for p in data["packages"]}


@pytest.mark.parametrize("make", [sample_result, lambda: sample_result(hostile=True),
                                  empty_result], ids=["sample", "hostile", "empty"])
def test_valid_and_deterministic(make, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = document(make(), tmp_path)
    assert render_spdx(make()) == render_spdx(make())
    assert data["spdxVersion"] == "SPDX-2.3"
    assert data["creationInfo"]["created"] == "2026-11-22T00:00:00Z"


def test_sample_packages_exactly(tmp_path: Path) -> None:
    data = document(sample_result(), tmp_path)
    packages = by_id(data)
    assert [(p["SPDXID"], p["name"], p.get("versionInfo"), p["downloadLocation"],
             p.get("licenseDeclared")) for p in data["packages"]] == [
        ("SPDXRef-Project-1", "demo", None, "NOASSERTION", None),
        ("SPDXRef-Package-1", "llama-cpp-python", None, "NOASSERTION", None),
        ("SPDXRef-Package-2", "llama-models", "0.1.4", "NOASSERTION", None),
        ("SPDXRef-Model-1", "models/llama-2-13b-chat.Q5_K_M.gguf", None, "NOASSERTION",
         "LicenseRef-llama2"),
        ("SPDXRef-Model-2", "meta-llama/Llama-3.1-8B-Instruct", None,
         "https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct", "LicenseRef-llama3.1"),
        ("SPDXRef-Model-3", "llama3.1:8b", None, "NOASSERTION", "LicenseRef-llama3.1"),
    ]
    assert packages["SPDXRef-Package-2"]["externalRefs"] == [
        {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
         "referenceLocator": "pkg:pypi/llama-models@0.1.4"}]
    assert packages["SPDXRef-Model-2"]["externalRefs"][0]["referenceLocator"] == \
        "pkg:huggingface/meta-llama/Llama-3.1-8B-Instruct"
    assert "externalRefs" not in packages["SPDXRef-Model-3"]
    assert packages["SPDXRef-Model-2"]["comment"] == (
        "found at demo/adapters/support-bot/adapter_config.json:4 (LA401); "
        "demo/app/chat.py:3 (LA101)")
    assert data["documentDescribes"] == ["SPDXRef-Project-1"]
    assert [(r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"])
            for r in data["relationships"]] == [
        ("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Project-1"),
        *[("SPDXRef-Project-1", "DEPENDS_ON", ref) for ref in
          ("SPDXRef-Package-1", "SPDXRef-Package-2", "SPDXRef-Model-1", "SPDXRef-Model-2",
           "SPDXRef-Model-3")]]
    licenses = {i["licenseId"]: i for i in data["hasExtractedLicensingInfos"]}
    assert sorted(licenses) == ["LicenseRef-llama2", "LicenseRef-llama3.1"]
    assert licenses["LicenseRef-llama3.1"]["name"] == "Llama 3.1 Community License"
    assert "Llama 3.1 Community License" in licenses["LicenseRef-llama3.1"]["extractedText"]
    assert licenses["LicenseRef-llama3.1"]["seeAlsos"][0].endswith("/models/llama3_1/LICENSE")


def test_namespace_and_created_follow_the_content() -> None:
    first = json.loads(render_spdx(sample_result()))
    other = json.loads(render_spdx(sample_result(hostile=True)))
    assert first["documentNamespace"] != other["documentNamespace"]
    assert first["documentNamespace"].startswith("https://spdx.org/spdxdocs/llama-audit-")
    undated = replace(sample_result(), tool=replace(TOOL, catalog_date=None))
    assert created(undated) == "1970-01-01T00:00:00Z"


@pytest.mark.parametrize("fixture", ["demo", "deps"])
def test_cli_scan_of_fixtures_is_valid(fixture: str, run_cli, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(FIXTURES)
    extra = tmp_path / "extra.spdx.json"
    done = run_cli(["scan", fixture, "--format", "spdx", "-q", "--spdx-output", str(extra)])
    assert done.code == 1, done.err
    assert extra.read_text() == done.out
    assert_valid(done.out, tmp_path)
    again = run_cli(["scan", fixture, "--format", "spdx", "-q"])
    assert again.out == done.out, "reruns are byte-identical"
    data = json.loads(done.out)
    libraries = sorted((p["name"], p.get("versionInfo"),
                        p["externalRefs"][0]["referenceLocator"])
                       for p in data["packages"] if p["primaryPackagePurpose"] == "LIBRARY")
    if fixture == "demo":
        assert libraries == [
            ("llama-cpp-python", "0.3.2", "pkg:pypi/llama-cpp-python@0.3.2"),
            ("llama-models", None, "pkg:pypi/llama-models")]
        models = {p["name"]: (p["downloadLocation"], p["licenseDeclared"])
                  for p in data["packages"] if p["primaryPackagePurpose"] == "OTHER"}
        assert models["meta-llama/Llama-3.1-8B-Instruct"] == (
            "https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct", "LicenseRef-llama3.1")
        assert models["us.meta.llama3-3-70b-instruct-v1:0"] == (
            "NOASSERTION", "LicenseRef-llama3.3")
    else:
        assert len(libraries) == 11
        assert all(locator.startswith("pkg:pypi/") for _, _, locator in libraries)
    saved = tmp_path / "result.json"
    assert run_cli(["scan", fixture, "--format", "json", "-o", str(saved), "-q"]).code == 1
    report = run_cli(["report", str(saved), "--format", "spdx"])
    assert report.code == 0, report.err
    assert report.out == done.out


def test_two_roots_are_two_described_projects(run_cli, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(FIXTURES / "multi-repo")
    done = run_cli(["scan", "repo-a", "repo-b", "--format", "spdx", "-q",
                    "--name", "alpha", "--name", "beta"])
    assert_valid(done.out, tmp_path)
    data = json.loads(done.out)
    assert data["documentDescribes"] == ["SPDXRef-Project-1", "SPDXRef-Project-2"]
    assert [p["name"] for p in data["packages"][:2]] == ["alpha", "beta"]
    depends = {(r["spdxElementId"]) for r in data["relationships"]
               if r["relationshipType"] == "DEPENDS_ON"}
    assert depends == {"SPDXRef-Project-1", "SPDXRef-Project-2"}
