"""License files, "Built with Llama" notices and documentation code blocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.ruleset.load import load_ruleset
from auditor.scan.docs import code_lines
from auditor.scan.runner import ScanOptions, scan_paths
from tests.kinds_helpers import scan_text

# The title each llama-models license file opens with (meta-llama/llama-models, commit
# a9c89c471f793423afd4cc3ca8671d6e56fe64cb), and the license id its finding records.
LICENSE_TITLES = [
    ("LLAMA 2 COMMUNITY LICENSE AGREEMENT", "llama2"),
    ("META LLAMA 3 COMMUNITY LICENSE AGREEMENT", "llama3"),
    ("LLAMA 3.1 COMMUNITY LICENSE AGREEMENT", "llama3.1"),
    ("LLAMA 3.2 COMMUNITY LICENSE AGREEMENT", "llama3.2"),
    ("LLAMA 3.3 COMMUNITY LICENSE AGREEMENT", "llama3.3"),
    ("LLAMA 4 COMMUNITY LICENSE AGREEMENT", "llama4"),
]


@pytest.mark.parametrize(("title", "license_id"), LICENSE_TITLES)
def test_license_file_by_version(tmp_path: Path, title: str, license_id: str) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "LICENSE").write_text(f"{title}\nVersion Release Date: ...\n\n{title.title()}\n")
    (finding,) = scan_paths([repo], ScanOptions()).findings
    assert (finding.rule_id, finding.line, finding.column) == ("LA410", 1, 1)
    assert finding.detail("license") == license_id
    facts = next(t for t in load_ruleset().section_list("llama_license") if t["id"] == license_id)
    shorts = [o["short"] for o in facts["obligations"]]
    assert finding.detail("license_obligations") == "; ".join(shorts)
    assert finding.detail("llama_license_source") == facts["sources"][0]
    assert finding.message == f"LICENSE carries the {facts['name']}: {'; '.join(shorts)}"
    assert (finding.category.value, finding.severity.value) == ("license", "medium")


def test_use_policy_and_notice_files(tmp_path: Path) -> None:
    out, _ = scan_text(tmp_path, "USE_POLICY.md",
                       "# Llama 4 Acceptable Use Policy\n\nLlama 4 is ...\n")
    assert [(h.rule_id, h.line, h.column, dict(h.details)["license"]) for h in out.hits] == [
        ("LA410", 1, 3, "llama4")]
    out, _ = scan_text(tmp_path, "third_party/NOTICE.txt",
                       "Llama 3.3 is licensed under the Llama 3.3\nCommunity License.\n")
    assert [(h.rule_id, h.line, h.end_line, h.identifier) for h in out.hits] == [
        ("LA410", 1, 2, "Llama 3.3 Community License")]


def test_license_files_of_other_projects(tmp_path: Path) -> None:
    out, _ = scan_text(tmp_path, "LICENSE",
                       "MIT License\n\nThis project builds on LlamaIndex and llama.cpp.\n")
    assert out.hits == []
    # A README mentioning the license is prose, not a license file.
    out, _ = scan_text(tmp_path, "README.md", "The weights are under the Llama 3.1 Community "
                       "License.\n")
    assert out.hits == []


@pytest.mark.parametrize(("text", "identifier", "license_id"), [
    ("Built with Llama", "Built with Llama", None),
    ("Proudly built with Meta Llama 3.", "built with Meta Llama 3", "llama3"),
    ("Built   with\nLlama 3.1", "Built with Llama 3.1", "llama3.1"),
])
def test_built_with_llama(tmp_path: Path, text: str, identifier: str,
                          license_id: str | None) -> None:
    out, _ = scan_text(tmp_path, "docs/about.md", text + "\n")
    (hit,) = out.hits
    assert (hit.rule_id, hit.identifier) == ("LA411", identifier)
    assert dict(hit.details).get("license") == license_id


def test_built_with_look_alikes(tmp_path: Path) -> None:
    out, _ = scan_text(tmp_path, "README.md",
                       "Built with LlamaIndex. Built with llama.cpp. Built with llama-stack.\n")
    assert out.hits == []


def test_markdown_code_blocks_only(tmp_path: Path) -> None:
    text = (
        "Uses meta-llama/Llama-3.1-8B-Instruct in prose and `llama3.2:1b` inline.\n"
        "\n"
        "~~~~\n"
        "ollama pull llama3.1:8b\n"
        "```\n"
        "still code: meta-llama/Llama-3.2-1B\n"
        "~~~~\n"
        "\n"
        "    vllm serve meta-llama/Llama-3.2-3B-Instruct\n"
        "\n"
        "1. step\n"
        "\n"
        "    continuation about llama3.3:70b\n"
    )
    out, _ = scan_text(tmp_path, "docs/usage.md", text, include_docs=True)
    assert [(h.rule_id, h.line, h.column, h.identifier) for h in out.hits] == [
        ("LA305", 4, 13, "llama3.1:8b"),
        ("LA305", 6, 13, "meta-llama/Llama-3.2-1B"),
        ("LA305", 9, 16, "meta-llama/Llama-3.2-3B-Instruct"),
    ]
    off, _ = scan_text(tmp_path, "docs/usage.md", text)
    assert off.hits == []


def test_rst_and_asciidoc_blocks() -> None:
    rst = ("Intro::\n\n    code line\n\nprose\n\n.. code-block:: python\n   :linenos:\n\n"
           "   x = 1\n\n.. note::\n\n   not code\n")
    assert [n for n, _ in code_lines(rst, "rst")] == [2, 7, 9]
    adoc = "text\n----\nollama pull llama3\n----\nmore\n"
    assert list(code_lines(adoc, "adoc")) == [(2, "ollama pull llama3")]


def test_docs_are_recorded_by_default_and_skipped_when_not_included(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text("```\nollama pull llama3.1:8b\n```\n")
    assert scan_paths([repo], ScanOptions(include_docs=False)).findings == ()
    (finding,) = scan_paths([repo], ScanOptions()).findings
    assert (finding.rule_id, finding.severity.value, finding.line) == ("LA305", "info", 2)
    assert finding.details == (("mention", "code-block"),)
