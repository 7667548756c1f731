"""The whole Markdown document (``--format markdown``) against the capped comment
(``--format markdown-comment``), on a result the size of a large repository: 40 models, 600
findings. Long "not swapped" reasons are numbered notes, shown once."""

from __future__ import annotations

import json
import re
from dataclasses import replace

from auditor.report import markdown
from auditor.report.cards import PlanRow, why_notes
from auditor.report.markdown import md_text, render_markdown, render_markdown_comment
from auditor.serialize import result_to_dict
from auditor.types import (
    AuditResult,
    Category,
    Check,
    Effort,
    Finding,
    ModelRef,
    Severity,
    Suggestion,
)
from tests.report.test_markdown import cells, table_rows
from tests.report_samples import TOOL

MODELS = 40
FINDINGS = 600
PROVIDERS = ("groq", "together", "bedrock")
APPENDIX = "| Severity | Rule | Location | Finding | Effort | Replace with |"
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)")
"""A code span of any fence length: it shows its text literally."""
HOSTILE = 'x|y`<img src=x onerror="alert(1)">*b*'


def _provider_detail(provider: str, hub_id: str) -> str:
    """The runtime_format detail ``enrich.checks`` writes when a provider lists no id."""
    return (f"{provider} does not list {hub_id} on the model list the catalog read, so there is "
            f"no {provider} id to write. Nearest runtimes that serve these models: their "
            "Hugging Face ids (vLLM, TGI, SGLang, Inference Endpoints) or Ollama/GGUF builds. "
            f"Check {provider}'s current model list first")


def _suggestions(provider: str | None) -> tuple[Suggestion, ...]:
    out = []
    for hub_id, family in (("google/gemma-4-E4B-it", "Gemma 4"), ("Qwen/Qwen3.5-9B", "Qwen"),
                           ("mistralai/Ministral-3-8B-Instruct-2512", "Mistral")):
        check = (Check("runtime_format", True, f"served as {hub_id}") if provider is None
                 else Check("runtime_format", None, _provider_detail(provider, hub_id)))
        out.append(Suggestion(hub_id=hub_id, family=family, runtime_name=hub_id,
                              reason="closest size class", checks=(check,),
                              source="snapshot 2026-11-22", license="apache-2.0"))
    return tuple(out)


def big_result() -> AuditResult:
    """40 models: model m has 15 findings in 15 files; every tenth model is served by a
    provider with no id for its replacements (a long reason); model 7's family is hostile."""
    findings = []
    for m in range(MODELS):
        family = f"Llama {HOSTILE}" if m == 7 else f"Llama {m}"
        provider = PROVIDERS[m // 10 % 3] if m % 10 == 3 else None
        model = ModelRef(family=family, variant="instruct", runtime=provider or "huggingface",
                         size=f"{m + 1}B", canonical_id=f"meta-llama/Model-{m}",
                         provider=provider)
        identifier = f"{provider}/llama-{m}" if provider else f"meta-llama/Model-{m}"
        if m == 7:
            identifier = f"meta-llama/{HOSTILE}"
        for n in range(FINDINGS // MODELS):
            path = f"pkg_{m}/{'<evil>|' if m == 7 and n == 0 else ''}file_{n}.py"
            findings.append(Finding(
                rule_id="LA101", category=Category.MODEL_REFERENCE, severity=Severity.HIGH,
                effort=Effort.SWAP, path=path, line=10 + n, column=1, end_line=10 + n,
                end_column=20, message=f"Llama model '{identifier}' is named here",
                snippet=f'M = "{identifier}"', identifier=identifier, model=model,
                context="<module>", suggestions=_suggestions(provider), root="big"))
    return AuditResult(tool=TOOL, roots=("big",), findings=tuple(findings))


def _sections(text: str) -> list[str]:
    models = text.split("### Models\n", 1)[1].split("### Other findings", 1)[0]
    models = models.split("### Appendix", 1)[0]
    return [line.removeprefix("#### ") for line in models.splitlines()
            if line.startswith("#### ")]


def all_rows(text: str, header: str) -> list[list[str]]:
    """The rows of every table with this header (each model section has its own)."""
    rows: list[list[str]] = []
    inside = False
    for line in text.splitlines():
        if line == header:
            inside = True
        elif inside and line.startswith("| ---"):
            continue
        elif inside and line.startswith("|"):
            rows.append(cells(line))
        else:
            inside = False
    return rows


def _expected_location(finding: Finding) -> str:
    return f"[{md_text(f'{finding.path}:{finding.line}')}]("


def test_the_document_holds_every_model_section_and_every_finding() -> None:
    result = big_result()
    text = render_markdown(result)
    assert len(text) > markdown.MAX_CHARS  # it would not fit a comment
    # equal counts: ordered by Meta repository name (Model-0, Model-1, Model-10, ...)
    firsts = sorted(result.findings[::FINDINGS // MODELS],
                    key=lambda f: f.model.canonical_id if f.model else "")
    labels = [f.model.label() for f in firsts if f.model]
    assert _sections(text) == [md_text(label) for label in labels] + ["Notes on the plans"]
    rows = table_rows(text, APPENDIX)
    assert len(rows) == FINDINGS
    got = {(row[2].split("](", 1)[0] + "](", row[1]) for row in rows}
    assert got == {(_expected_location(f), f.rule_id) for f in result.findings}
    assert "not shown" not in text


def test_the_comment_stays_within_the_limit_and_says_what_it_left_out() -> None:
    result = big_result()
    text = render_markdown_comment(result)
    assert len(text) <= markdown.MAX_CHARS
    shown = [s for s in _sections(text) if s != "Notes on the plans"]
    assert 0 < len(shown) < MODELS
    assert (f"_{MODELS - len(shown)} more sections are not shown to keep this comment within "
            "GitHub's size limit; `--format markdown` writes the whole report with all of "
            "them._") in text
    rows = table_rows(text, APPENDIX)
    assert f"_{FINDINGS - len(rows)} more findings are not shown" in text
    # the comment is the document's beginning, cut: its sections are the first ones
    assert shown == [s for s in _sections(render_markdown(result))][:len(shown)]


def test_the_comment_limit_holds_for_any_budget() -> None:
    result = big_result()
    for limit in (20_000, 31_234, 45_000, 60_000):  # the summary alone is about 13,000
        text = render_markdown_comment(result, max_chars=limit)
        assert len(text) <= limit, limit
        assert "more findings are not shown" in text


def test_a_small_result_is_the_same_document_in_both_forms() -> None:
    small = replace(big_result(), findings=big_result().findings[:15])
    assert render_markdown_comment(small) == render_markdown(small)


def test_long_provider_reasons_are_numbered_notes_shown_once() -> None:
    text = render_markdown(big_result())
    advice = ("Nearest runtimes that serve these models: their Hugging Face ids (vLLM, TGI, "
              "SGLang, Inference Endpoints) or Ollama/GGUF builds. Check the provider's "
              "current model list first")
    assert text.count(advice) == 1
    notes = table_rows(text, "| Note | Detail |")
    ids = ("google/gemma-4-E4B-it, Qwen/Qwen3.5-9B or "
           "mistralai/Ministral-3-8B-Instruct-2512")
    assert notes == [["1", ids], ["2", advice]]
    plans = [row for row in all_rows(text, "| Written as | Runtime | Plan |")
             if row[2].startswith("not swapped")]
    assert [row[1:] for row in plans] == [
        [provider, f"not swapped: {provider} does not list the 3 replacements in note 1 on "
                   f"the model list the catalog read, so there is no {provider} id to write "
                   "(see note 2)"]
        for provider in ("together", "bedrock", "groq", "groq")]  # Model-13, -23, -3, -33


def test_short_reasons_and_single_ids_stay_on_the_card() -> None:
    notes = why_notes()
    short = PlanRow(("x",), "groq", None, "it is a derivative of Llama 3 (a fine-tune or merge)")
    assert notes.shown(short) == short.why and notes.notes == []
    single = PlanRow(("x",), "groq", None, _provider_detail("groq", "google/gemma-4-E4B-it"))
    assert notes.shown(single) == (
        "groq does not list google/gemma-4-E4B-it on the model list the catalog read, so "
        "there is no groq id to write (see note 1)")
    assert notes.notes[0][0] == 1 and notes.notes[0][1].endswith(
        "Check the provider's current model list first")


def test_hostile_identifiers_stay_literal_in_sections_notes_and_cut_messages() -> None:
    for text in (render_markdown(big_result()), render_markdown_comment(big_result())):
        outside_code = _CODE_SPAN.sub("", text)
        assert not re.search(r"(?<!\\)<(img|evil)", outside_code)
        plans = all_rows(text, "| Written as | Runtime | Plan |")
        assert len(plans) >= 10 and all(len(row) == 3 for row in plans)
        assert all(len(row) == 6 for row in table_rows(text, APPENDIX))
    text = render_markdown(big_result())
    assert f"#### {md_text('Llama ' + HOSTILE + ' 8B instruct')}" in text
    assert r"#### Llama x\|y\`\<img src=x onerror=\"alert(1)\"\>\*b\* 8B instruct" not in text
    assert (r"#### Llama x\|y\`\<img src=x onerror=" + '"alert(1)"' + r"\>\*b\* 8B instruct"
            in text)
    evil_rows = [row for row in table_rows(text, APPENDIX) if "evil" in row[2]]
    assert evil_rows[0][2].startswith(r"[pkg\_7/\<evil\>\|file\_0.py:10](")


def test_cli_writes_the_document_and_the_comment_from_one_saved_result(
        run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    saved = tmp_path / "big.json"
    saved.write_text(json.dumps(result_to_dict(big_result())))
    document, comment = tmp_path / "report.md", tmp_path / "comment.md"
    done = run_cli(["report", str(saved), "--format", "markdown", "-o", str(document),
                    "--markdown-comment-output", str(comment)])
    assert done.code == 0, done.err
    loaded = document.read_text(encoding="utf-8")
    assert len(table_rows(loaded, APPENDIX)) == FINDINGS
    assert len(_sections(loaded)) == MODELS + 1
    capped = comment.read_text(encoding="utf-8")
    assert len(capped) <= markdown.MAX_CHARS and "more sections are not shown" in capped
    stdout = run_cli(["report", str(saved), "--format", "markdown-comment"]).out
    assert stdout == capped
