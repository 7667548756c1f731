"""Catalog facts that are not confirmed, read back from ``name: why; name: why`` details."""

from __future__ import annotations

from dataclasses import replace

import pytest

from auditor.report.facts import unconfirmed_names, unconfirmed_note
from auditor.report.markdown import render_markdown
from auditor.types import AuditResult
from tests.report_samples import TOOL, demo_findings


def _with(value: str):  # type: ignore[no-untyped-def]
    finding = demo_findings()[0]
    return replace(finding, details=(*finding.details, ("catalog_unconfirmed", value)))


@pytest.mark.parametrize(("value", "names"), [
    ("mlx_repos: from knowledge", ["mlx repos"]),
    ("mlx_repos: from knowledge; gguf_repos: from knowledge", ["gguf repos", "mlx repos"]),
    # a reason holding ';' (as catalog reasons do) is one fact, not two
    ("license: from knowledge; Llama 3.2 family license id llama3.2 confirmed on "
     "Llama-Guard-3-11B-Vision", ["license"]),
    ("license: confirmed for codellama/CodeLlama-7b-hf (License: llama2); meta-llama copies "
     "assumed same; hub_id: original-format repo id; existence not individually confirmed",
     ["hub id", "license"]),
    ("gated: Qwen repos are normally ungated; not individually confirmed; "
     "hosted:groq: not on groq's list; a note: in words", ["gated", "hosted:groq"]),
    ("", []),
])
def test_unconfirmed_names_split_only_at_a_fact_name(value: str, names: list[str]) -> None:
    assert unconfirmed_names(_with(value)) == names


def test_the_note_names_only_the_facts() -> None:
    finding = _with("license: from knowledge; Llama 3.2 family license id llama3.2 confirmed")
    assert unconfirmed_note(finding) == ("Not confirmed from a primary source, so check before "
                                         "relying on it: the catalog's license.")
    text = render_markdown(AuditResult(tool=TOOL, roots=("demo",), findings=(finding,)))
    assert "the catalog's license." in text and "Llama 3.2 family license id" not in text
