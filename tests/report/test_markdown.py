"""Markdown for a pull-request comment: exact summary, links to lines, escaping, size limit."""

from __future__ import annotations

import re
from dataclasses import replace

from auditor.report import markdown
from auditor.report.markdown import link_base_from_env, md_code, md_text, render_markdown
from auditor.types import AuditResult
from tests.report_samples import TOOL, demo_findings, empty_result, sample_result

_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def cells(row: str) -> list[str]:
    """Split a table row on unescaped pipes, as GitHub does."""
    return [c.strip() for c in _CELL_SPLIT.split(row.strip())[1:-1]]


def table_rows(text: str, header: str) -> list[list[str]]:
    lines = text.splitlines()
    start = lines.index(header)
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(cells(line))
    return rows


def test_summary_head() -> None:
    text = render_markdown(sample_result())
    assert text.startswith(
        "## llama-audit: 9 Llama touch-points in 7 files\n\n"
        "**Severity:** 4 high · 4 medium · 1 low · 0 info  \n"
        "**Effort:** 1 retrain · 4 adapt · 3 swap · 1 keep  \n"
        "**Llama models:** 2\n")


def test_category_and_effort_tables() -> None:
    text = render_markdown(sample_result())
    categories = table_rows(text, "| Category | Findings | high | medium | low | info |")
    assert categories[0] == ["model-reference", "2", "2", "0", "0", "0"]
    assert ["dependency", "2", "1", "0", "1", "0"] in categories
    effort = table_rows(text, "| Where | retrain | adapt | swap | keep | Heaviest |")
    assert effort == [
        [".", "0", "2", "0", "1", "adapt"],
        ["adapters/support-bot", "1", "0", "0", "0", "retrain"],
        ["app", "0", "1", "2", "0", "adapt"],
        ["config", "0", "0", "1", "0", "swap"],
        ["notebooks", "0", "1", "0", "0", "adapt"],
    ]


def test_findings_table_is_most_severe_first_with_links_to_lines() -> None:
    text = render_markdown(sample_result(), link_base="https://github.com/o/r/blob/abc123/")
    rows = table_rows(text, "| Severity | Rule | Location | Finding | Effort | Replace with |")
    assert len(rows) == 9
    assert rows[0] == [
        "🔴 high", "LA101",
        "[app/chat.py:3](https://github.com/o/r/blob/abc123/demo/app/chat.py#L3)",
        "Llama model 'meta-llama/Llama-3.1-8B-Instruct' (Llama 3.1 8B instruct) is named here",
        "swap", "`google/gemma-4-E4B-it`",
    ]
    notebook = next(r for r in rows if r[1] == "LA103")
    assert notebook[2] == ("[notebooks/explore.ipynb:27 (cell 2, line 3)]"
                           "(https://github.com/o/r/blob/abc123/demo/notebooks/explore.ipynb#L27)")
    assert [r[0].split()[1] for r in rows] == ["high"] * 4 + ["medium"] * 4 + ["low"]


def test_replacement_table_lists_each_model_once() -> None:
    text = render_markdown(sample_result())
    rows = table_rows(text, "| Llama model | Written as | Replace with | Checks | Source |")
    assert rows == [
        ["Llama 3.1 8B instruct", "`meta-llama/Llama-3.1-8B-Instruct`, `llama3.1:8b`",
         "`google/gemma-4-E4B-it (also: gemma4:e4b)` (Gemma 4)", "5/6 passed, 1 unknown",
         "snapshot 2026-11-22"],
        ["", "", "`Qwen/Qwen3-8B` (Qwen)", "2/3 passed (failed: context-length)",
         "snapshot 2026-11-22"],
    ]


def test_license_and_diagnostics() -> None:
    text = render_markdown(sample_result())
    assert "- **Llama 2 Community License** — 1 finding;" in text
    assert "- **Llama 3.1 Community License** — 4 findings;" in text
    assert "<details><summary>2 files not fully scanned</summary>" in text
    assert "- `weights/model.bin`: binary file skipped (binary)" in text


def test_hostile_text_cannot_break_cells_or_inject_markup() -> None:
    evil = "a|b`c<script>x</script>[l](http://e)*s*"
    finding = replace(demo_findings()[0], message=evil, path="d|ir/<x>.py")
    result = AuditResult(tool=TOOL, roots=("demo",), findings=(finding,))
    text = render_markdown(result)
    rows = table_rows(text, "| Severity | Rule | Location | Finding | Effort | Replace with |")
    assert len(rows) == 1 and len(rows[0]) == 6
    assert rows[0][3] == r"a\|b\`c\<script\>x\</script\>\[l\](http://e)\*s\*"
    assert rows[0][2] == r"[d\|ir/\<x\>.py:3](demo/d%7Cir/%3Cx%3E.py#L3)"
    assert "<script>" not in text


def test_md_helpers() -> None:
    assert md_text("a_b *c*\nd") == r"a\_b \*c\* d"
    assert md_code("x|y") == r"`x\|y`"
    assert md_code("a`b") == "`` a`b ``"
    assert md_code("") == "" and md_text(None) == ""


def test_empty_result() -> None:
    assert render_markdown(empty_result()).startswith(
        "## llama-audit: 0 Llama touch-points in 0 files\n\n"
        "No dependency on Meta Llama models was found.\n")


def test_long_results_are_cut_to_fit_a_comment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    finding = demo_findings()[0]
    many = tuple(replace(finding, line=n, end_line=n, fingerprint="") for n in range(1, 2001))
    text = render_markdown(AuditResult(tool=TOOL, roots=("demo",), findings=many))
    assert len(text) <= markdown.MAX_CHARS
    header = "| Severity | Rule | Location | Finding | Effort | Replace with |"
    shown = len(table_rows(text, header))
    assert 0 < shown < 2000
    assert f"_{2000 - shown} more findings are not shown" in text


def test_link_base_from_github_actions_environment() -> None:
    env = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r",
           "GITHUB_SHA": "abc"}
    assert link_base_from_env(env) == "https://github.com/o/r/blob/abc/"
    assert link_base_from_env({"GITHUB_SHA": "abc"}) is None
