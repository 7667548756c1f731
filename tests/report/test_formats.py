"""Every Format member maps to a pure renderer, and every renderer handles every result."""

from __future__ import annotations

import json

import pytest

from auditor.report.formats import (
    EXTRA_OUTPUT_OPTIONS,
    RENDERERS,
    Format,
    format_names,
    render,
)
from tests.report_samples import empty_result, sample_result


def test_every_format_is_mapped_to_a_renderer() -> None:
    assert set(RENDERERS) == set(Format)
    assert all(callable(renderer) for renderer in RENDERERS.values())


def test_format_names_are_the_cli_choices() -> None:
    assert format_names() == ["text", "json", "sarif", "markdown", "markdown-comment", "html",
                              "cyclonedx", "spdx", "gitlab"]


def test_every_machine_and_document_format_has_an_extra_output_option() -> None:
    assert set(EXTRA_OUTPUT_OPTIONS) == set(Format) - {Format.TEXT}
    assert EXTRA_OUTPUT_OPTIONS[Format.SARIF] == "--sarif-output"
    assert EXTRA_OUTPUT_OPTIONS[Format.CYCLONEDX] == "--cyclonedx-output"


@pytest.mark.parametrize("fmt", list(Format))
@pytest.mark.parametrize("make", [sample_result, empty_result], ids=["sample", "empty"])
def test_render_is_deterministic_text(fmt: Format, make) -> None:  # type: ignore[no-untyped-def]
    result = make()
    first = render(result, fmt)
    assert isinstance(first, str) and first.endswith("\n")
    assert render(result, fmt) == first, "renderers must be pure: same result, same text"


@pytest.mark.parametrize("fmt", [Format.JSON, Format.SARIF, Format.CYCLONEDX, Format.SPDX])
def test_machine_formats_are_json(fmt: Format) -> None:
    assert isinstance(json.loads(render(sample_result(), fmt)), dict)


def test_gitlab_code_quality_is_a_json_array() -> None:
    assert isinstance(json.loads(render(sample_result(), Format.GITLAB)), list)


def test_color_only_changes_text() -> None:
    result = sample_result()
    assert "\x1b[" in render(result, Format.TEXT, color=True)
    assert "\x1b[" not in render(result, Format.TEXT, color=False)
    for fmt in set(Format) - {Format.TEXT}:
        assert render(result, fmt, color=True) == render(result, fmt, color=False)


def test_link_base_reaches_markdown() -> None:
    text = render(sample_result(), Format.MARKDOWN, link_base="https://example.test/blob/abc/")
    assert "](https://example.test/blob/abc/demo/app/chat.py#L3)" in text


def test_new_findings_against_a_baseline_are_marked() -> None:
    from dataclasses import replace

    result = sample_result()
    marked = replace(result, findings=tuple(
        replace(f, baseline_state="new" if f.rule_id == "LA101" else "known")
        for f in result.findings))
    text = render(marked, Format.TEXT)
    assert "is named here  [swap] [new]" in text
    assert text.count("[new]") == 1
    sarif = json.loads(render(marked, Format.SARIF))["runs"][0]["results"]
    assert {(r["ruleId"], r["baselineState"]) for r in sarif if r["ruleId"] in ("LA101", "LA102")
            } == {("LA101", "new"), ("LA102", "unchanged")}
    assert "| LA101 **new** |" in render(marked, Format.MARKDOWN)
    assert '<span class="badge new">new</span>' in render(marked, Format.HTML)
    assert "baselineState" not in render(result, Format.SARIF)


def test_every_format_has_exactly_one_spec_row() -> None:
    from auditor.report.formats import SPECS

    assert [spec.format for spec in SPECS] == list(Format)
    assert all(fmt.spec.format is fmt for fmt in Format)
    assert len({spec.extension for spec in SPECS}) == len(SPECS)
