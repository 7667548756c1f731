"""Reports for findings in JavaScript/TypeScript, Go, Rust, Java and Kotlin, written by the real
CLI: SARIF valid against 2.1.0 with exact regions (code-point columns), HTML with the finding
shown and its scanned text escaped, CycloneDX with npm/golang/cargo/maven purls."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.report.test_cyclonedx import assert_valid as assert_valid_bom
from tests.report.test_html import parse, printed_findings
from tests.report.test_sarif import assert_valid as assert_valid_sarif
from tests.scan.treesitter.test_sources import EXPECTED

LANGUAGES = Path(__file__).resolve().parents[2] / "fixtures" / "languages"
SCAN = ["scan", ".", "--no-config", "--no-cache", "-q"]


def _copy(src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "tree"
    shutil.copytree(src, root)
    monkeypatch.chdir(root)
    return root


def _sarif(run_cli: Any, tmp_path: Path) -> dict[str, Any]:
    out = tmp_path / "out.sarif"
    done = run_cli([*SCAN, "--format", "sarif", "-o", str(out)])
    assert (done.code, done.err) == (1, "")  # high findings fail the default gate
    log: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    assert_valid_sarif(log)
    return log


def _regions(log: dict[str, Any]) -> dict[tuple[str, int, int], tuple[str, dict[str, Any]]]:
    regions = {}
    for result in log["runs"][0]["results"]:
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        region = dict(physical["region"])
        region.pop("snippet")
        key = (physical["artifactLocation"]["uri"], region["startLine"], region["startColumn"])
        regions[key] = (result["ruleId"], region)
    return regions


def test_sarif_has_every_language_finding_at_its_exact_place(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Any) -> None:
    _copy(LANGUAGES / "sources", tmp_path, monkeypatch)
    log = _sarif(run_cli, tmp_path)
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    regions = _regions(log)
    assert sorted((path, line, col, rule) for (path, line, col), (rule, _) in regions.items()) \
        == sorted((path, line, col, rule) for path, line, col, _, rule in EXPECTED)
    # One literal per language: the region spans the quoted string exactly.
    assert regions[("web/chat.ts", 8, 24)] == ("LA101", {
        "startLine": 8, "startColumn": 24, "endLine": 8, "endColumn": 65})
    assert regions[("go/main.go", 12, 17)] == ("LA101", {
        "startLine": 12, "startColumn": 17, "endLine": 12, "endColumn": 48})
    assert regions[("rust/src/main.rs", 5, 20)] == ("LA101", {
        "startLine": 5, "startColumn": 20, "endLine": 5, "endColumn": 54})
    assert regions[("java/App.java", 6, 33)] == ("LA101", {
        "startLine": 6, "startColumn": 33, "endLine": 6, "endColumn": 46})
    assert regions[("kotlin/Chat.kt", 3, 24)] == ("LA101", {
        "startLine": 3, "startColumn": 24, "endLine": 3, "endColumn": 49})
    by_place = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                 r["locations"][0]["physicalLocation"]["region"]["startLine"]): r
                for r in run["results"] if r["ruleId"] == "LA101"}
    ts = by_place[("web/chat.ts", 8)]
    assert ts["locations"][0]["physicalLocation"]["region"]["snippet"]["text"] == \
        'const TOGETHER_MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo";'
    assert ts["properties"]["identifier"] == "meta-llama/Llama-3.3-70B-Instruct-Turbo"
    assert ts["level"] == "error"


SAME_LINE = "meta-llama/Llama-3.1-8B"


def test_sarif_columns_are_code_points_after_non_ascii_text(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Any) -> None:
    """tree-sitter counts bytes; SARIF says unicodeCodePoints: an accented letter and an emoji
    (two UTF-16 units, four bytes) before the literal must not shift the column."""
    root = tmp_path / "tree"
    root.mkdir()
    (root / "a.ts").write_text(f'const label = "café 😀"; const m = "{SAME_LINE}";\n',
                               encoding="utf-8")
    (root / "b.go").write_text(f'package main\n\nconst l, m = "café 😀", "{SAME_LINE}"\n',
                               encoding="utf-8")
    (root / "c.rs").write_text(f'fn main() {{ let l = "café 😀"; let m = "{SAME_LINE}"; }}\n',
                               encoding="utf-8")
    (root / "A.java").write_text(
        f'class A {{ String l = "café 😀"; String m = "{SAME_LINE}"; }}\n', encoding="utf-8")
    monkeypatch.chdir(root)
    regions = _regions(_sarif(run_cli, tmp_path))
    width = len(SAME_LINE) + 2
    assert regions == {
        ("a.ts", 1, 35): ("LA101", {"startLine": 1, "startColumn": 35, "endLine": 1,
                                    "endColumn": 35 + width}),
        ("b.go", 3, 24): ("LA101", {"startLine": 3, "startColumn": 24, "endLine": 3,
                                    "endColumn": 24 + width}),
        ("c.rs", 1, 39): ("LA101", {"startLine": 1, "startColumn": 39, "endLine": 1,
                                    "endColumn": 39 + width}),
        ("A.java", 1, 43): ("LA101", {"startLine": 1, "startColumn": 43, "endLine": 1,
                                      "endColumn": 43 + width}),
    }
    for path, line, column in regions:
        text = (root / path).read_text(encoding="utf-8").splitlines()[line - 1]
        assert text[column - 1:column - 1 + width] == f'"{SAME_LINE}"'


XSS = "<script>alert('ts')</script>"


def test_html_shows_language_findings_with_scanned_text_escaped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Any) -> None:
    root = _copy(LANGUAGES / "sources", tmp_path, monkeypatch)
    (root / "web" / "banner.tsx").write_text(
        f'const MODEL = "{SAME_LINE}"; // {XSS}\n'
        'export const Banner = () => <b title="x">{MODEL}</b>;\n', encoding="utf-8")
    out = tmp_path / "out.html"
    done = run_cli([*SCAN, "--format", "html", "-o", str(out)])
    assert (done.code, done.err) == (1, "")
    html = out.read_text(encoding="utf-8")
    assert XSS not in html
    assert ('<pre class="snippet"><span class="ln">1</span>const MODEL = &#34;'
            f'<mark>{SAME_LINE}</mark>&#34;; // &lt;script&gt;alert(&#39;ts&#39;)'
            '&lt;/script&gt;</pre>') in html
    assert ('<span class="ln">11</span>let prompt = format!(&#34;<mark>&lt;|start_header_id|&gt;'
            '</mark>user&lt;|end_header_id|&gt;') in html
    assert "<|start_header_id|>" not in html
    text = "".join(parse(html).text)
    assert XSS in text, "the scanned text shows as text"
    listed = printed_findings(html)
    assert len(listed) == len(EXPECTED) + 1
    for row in (("web/banner.tsx", 1), ("web/chat.ts", 8), ("go/main.go", 12),
                ("rust/src/main.rs", 5), ("java/App.java", 6), ("kotlin/Chat.kt", 3),
                ("web/Chat.vue", 8)):
        assert row in [(path, line) for path, line, _ in listed], row


def test_cyclonedx_purls_per_ecosystem_from_the_cli(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Any) -> None:
    _copy(LANGUAGES / "deps", tmp_path, monkeypatch)
    done = run_cli([*SCAN, "--format", "cyclonedx", "--exit-zero"])
    assert (done.code, done.err) == (0, "")
    assert_valid_bom(done.out)
    components = json.loads(done.out)["components"]
    assert sorted((c["purl"], c["name"], c.get("version")) for c in components) == [
        ("pkg:cargo/llama-cpp-2@0.1.86", "llama-cpp-2", "0.1.86"),
        ("pkg:cargo/llama-cpp-sys-2@0.1.86", "llama-cpp-sys-2", "0.1.86"),
        ("pkg:cargo/llama_cpp", "llama_cpp", None),
        ("pkg:golang/github.com/go-skynet/go-llama.cpp@v0.0.0-20240314183750-6a8041ef6b46",
         "github.com/go-skynet/go-llama.cpp", "v0.0.0-20240314183750-6a8041ef6b46"),
        ("pkg:maven/de.kherud/llama@4.1.0", "de.kherud:llama", "4.1.0"),
        ("pkg:npm/llama-tokenizer-js@1.2.2", "llama-tokenizer-js", "1.2.2"),
        ("pkg:npm/llama3-tokenizer-js@1.1.3", "llama3-tokenizer-js", "1.1.3"),
        ("pkg:npm/node-llama-cpp@3.1.1", "node-llama-cpp", "3.1.1"),
    ]
    pulled = {c["name"]: sorted(p["value"] for p in c["properties"]
                                if p["name"] == "llama-audit:pulled-in-by")
              for c in components}
    assert pulled["llama-cpp-sys-2"] == ["llama-cpp-2"]
    assert pulled["llama-cpp-2"] == []
