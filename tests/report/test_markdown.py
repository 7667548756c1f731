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


def test_appendix_lists_every_finding_by_file_with_links_and_the_decision() -> None:
    from tests.report.test_cards import decided_result

    text = render_markdown(decided_result(), link_base="https://github.com/o/r/blob/abc123/")
    rows = table_rows(text, "| Severity | Rule | Location | Finding | Effort | Replace with |")
    assert text.index("### Models") < text.index("### Other findings") < text.index(
        "### Appendix: every finding, by file")
    assert [r[2].split("](")[0].lstrip("[") for r in rows] == [
        "LICENSE-LLAMA:1", r"adapters/support-bot/adapter\_config.json:4", "app/chat.py:3",
        "app/chat.py:9", "app/prompts.py:2", "config/serve.yaml:3",
        "notebooks/explore.ipynb:27 (cell 2, line 3)", "requirements.txt:4",
        "requirements.txt:5"]
    assert rows[2] == [
        "🔴 high", "LA101",
        "[app/chat.py:3](https://github.com/o/r/blob/abc123/demo/app/chat.py#L3)",
        "Llama model 'meta-llama/Llama-3.1-8B-Instruct' (Llama 3.1 8B instruct) is named here",
        "swap", "`google/gemma-4-E4B-it`",
    ]
    assert rows[3][5] == "`gemma4:e4b`"
    assert rows[5][5] == "not swapped"
    assert rows[0][5] == ""
    notebook = next(r for r in rows if r[1] == "LA103")
    assert notebook[2] == ("[notebooks/explore.ipynb:27 (cell 2, line 3)]"
                           "(https://github.com/o/r/blob/abc123/demo/notebooks/explore.ipynb#L27)")


def test_one_section_per_model_with_plan_files_and_effort() -> None:
    from tests.report.test_cards import decided_result

    text = render_markdown(decided_result(), link_base="https://github.com/o/r/blob/abc123/")
    models = text.split("### Models\n", 1)[1].split("### Other findings", 1)[0]
    assert models.count("#### ") == 2
    assert models.startswith(
        "\n#### Llama 3.1 8B instruct\n\n"
        "Meta repository `meta-llama/Llama-3.1-8B-Instruct` · 3 references in 2 files · "
        "effort: 1 retrain, 2 swap · Llama 3.1 Community License\n")
    plan = table_rows(models, "| Written as | Runtime | Plan |")
    assert plan == [
        ["`meta-llama/Llama-3.1-8B-Instruct`", "huggingface",
         "not swapped: google/gemma-4-E4B-it has no name for huggingface"],
        ["`meta-llama/Llama-3.1-8B-Instruct`", "huggingface", "write `google/gemma-4-E4B-it`"],
        ["`llama3.1:8b`", "ollama", "write `gemma4:e4b`"],
    ]
    assert table_rows(models, "| File | Lines | Kind |") == [
        [r"[adapters/support-bot/adapter\_config.json](https://github.com/o/r/blob/abc123/"
         "demo/adapters/support-bot/adapter_config.json#L4)", "4", "model file, fine-tune"],
        ["[app/chat.py](https://github.com/o/r/blob/abc123/demo/app/chat.py#L3)", "3, 9",
         "code, loader"],
    ]
    other = text.split("### Other findings\n", 1)[1].split("### Appendix", 1)[0]
    assert re.findall(r"^#### (.*)$", other, flags=re.M) == [
        "Package `llama-cpp-python`", "Package `llama-models`", "Checkpoint of a Llama model",
        "Llama-specific transformers class or module", "Module that exists only for Meta Llama"]
    assert "1 finding in 1 file · rule LA201 · effort: 1 adapt" in other


def test_unconfirmed_model_facts_marked_once_per_model_section() -> None:
    base = sample_result()
    unconfirmed = ("catalog_unconfirmed", "ollama_tag: from knowledge")
    findings = tuple(replace(f, details=(*f.details, unconfirmed)) if f.model else f
                     for f in base.findings)
    text = render_markdown(replace(base, findings=findings))
    assert text.count("Not confirmed from a primary source") == 2
    assert "catalog\\_unconfirmed" not in text and "catalog_unconfirmed" not in text


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
    # the model section's file table and plan table keep their three cells
    assert table_rows(text, "| File | Lines | Kind |") == [
        [r"[d\|ir/\<x\>.py](demo/d%7Cir/%3Cx%3E.py#L3)", "3", "code"]]
    assert [len(r) for r in table_rows(text, "| Written as | Runtime | Plan |")] == [3]


def test_hostile_identifiers_in_model_sections_stay_literal() -> None:
    text = render_markdown(sample_result(hostile=True))
    models = text.split("### Models\n", 1)[1].split("### Other findings", 1)[0]
    outside_code = re.sub(r"`[^`]*`", "", models)  # a code span shows its text literally
    assert "<img" not in outside_code and "<script>" not in outside_code
    plan = table_rows(models, "| Written as | Runtime | Plan |")
    assert all(len(row) == 3 for row in plan)
    hostile = [row[0] for row in plan if "img" in row[0]]
    assert hostile == ['`meta-llama/Llama-3.1-8B"><img src=x onerror="alert(1)">`']


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
