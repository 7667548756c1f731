"""CycloneDX purls for npm, Go, Cargo and Maven packages (fixtures/languages/deps), valid 1.6."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.report.bom_identity import package_url
from auditor.report.cyclonedx import render_cyclonedx
from auditor.scan.runner import scan_paths
from tests.report.test_cyclonedx import assert_valid

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "languages" / "deps"


def test_each_ecosystem_has_its_purl_type() -> None:
    text = render_cyclonedx(scan_paths([FIXTURE]))
    assert_valid(text)
    purls = sorted(c["purl"] for c in json.loads(text)["components"] if "purl" in c)
    assert purls == [
        "pkg:cargo/llama-cpp-2@0.1.86",
        "pkg:cargo/llama-cpp-sys-2@0.1.86",
        "pkg:cargo/llama_cpp",  # Cargo.toml's "0.3" is a range, not a version
        "pkg:golang/github.com/go-skynet/go-llama.cpp@v0.0.0-20240314183750-6a8041ef6b46",
        "pkg:maven/de.kherud/llama@4.1.0",
        "pkg:npm/llama-tokenizer-js@1.2.2",
        "pkg:npm/llama3-tokenizer-js@1.1.3",
        "pkg:npm/node-llama-cpp@3.1.1",
    ]


def test_scoped_npm_names_and_go_paths_are_namespaces() -> None:
    assert str(package_url("npm", "@acme/llama-tokenizer-js", "", "1.0.0")) == \
        "pkg:npm/%40acme/llama-tokenizer-js@1.0.0"
    assert str(package_url("golang", "github.com/go-skynet/go-llama.cpp", "", None)) == \
        "pkg:golang/github.com/go-skynet/go-llama.cpp"
