"""The report body for people: one card per model (where, plan, effort), the other findings
grouped by package or rule, the printed appendix rows and the check matrix; exact values."""

from __future__ import annotations

from dataclasses import replace

from auditor.report.cards import (
    AppendixRow,
    FileUse,
    PlanRow,
    appendix_rows,
    finding_kind,
    model_cards,
    other_groups,
    planned_text,
)
from auditor.report.check_matrix import check_matrix
from auditor.report.effort import EffortCounts
from auditor.report.summary import migration_plans
from auditor.types import AuditResult, Check, Finding, Suggestion
from tests.report_samples import SOURCE, TOOL, sample_result

RUNTIME_OK = Check("runtime_format", True, "Hugging Face repository (load it by this id)")
GEMMA = Suggestion(hub_id="google/gemma-4-E4B-it", family="Gemma 4",
                   runtime_name="google/gemma-4-E4B-it", reason="fits where a 7-8B Llama runs",
                   checks=(Check("exists", True, "on the Hub"), RUNTIME_OK), source=SOURCE)
GEMMA_OLLAMA = replace(GEMMA, runtime_name="gemma4:e4b",
                       checks=(Check("exists", True, "on the Hub"),
                               Check("runtime_format", True, "Ollama tag gemma4:e4b")))


def decided_result() -> AuditResult:
    """The sample, with the Llama 3.1 8B findings given a replacement their runtime can name
    (as the enrich stage records it): the decision then writes it."""
    base = sample_result()
    findings = []
    for finding in base.findings:
        if finding.path == "app/chat.py" and finding.line == 3:
            finding = replace(finding, suggestions=(GEMMA,))
        elif finding.path == "app/chat.py" and finding.line == 9:
            finding = replace(finding, suggestions=(GEMMA_OLLAMA,))
        findings.append(finding)
    return replace(base, findings=tuple(findings))


def test_one_card_per_model_with_files_lines_kinds_plan_and_effort() -> None:
    cards = model_cards(decided_result())
    assert [c.label for c in cards] == ["Llama 3.1 8B instruct", "Llama 2 13B instruct"]
    llama31, llama2 = cards
    assert llama31.uses == (
        FileUse("adapters/support-bot/adapter_config.json", (4,), ("model file", "fine-tune")),
        FileUse("app/chat.py", (3, 9), ("code", "loader")),
    )
    # the adapter config keeps the sample's suggestions, which have no runtime_format check:
    # its decision says why nothing is written there
    assert llama31.rows == (
        PlanRow(("meta-llama/Llama-3.1-8B-Instruct",), "huggingface", None,
                "google/gemma-4-E4B-it has no name for huggingface"),
        PlanRow(("meta-llama/Llama-3.1-8B-Instruct",), "huggingface", "google/gemma-4-E4B-it",
                ""),
        PlanRow(("llama3.1:8b",), "ollama", "gemma4:e4b", ""),
    )
    assert llama31.alternatives == ()
    assert llama31.effort == EffortCounts(swap=2, retrain=1)
    assert llama31.license == "Llama 3.1 Community License"
    assert llama31.references == 3
    assert llama31.reason == "fits where a 7-8B Llama runs"
    assert llama2.uses == (FileUse("config/serve.yaml", (3,), ("config",)),)
    assert llama2.rows == (PlanRow(
        ("./models/llama-2-13b-chat.Q5_K_M.gguf",), "gguf", None,
        "the catalog has no replacement for Llama 2 13B instruct (no replacement class "
        "fits it)"),)
    assert llama2.effort == EffortCounts(swap=1)
    assert llama2.license == "Llama 2 Community License"


def test_decision_is_the_one_fix_and_plan_use() -> None:
    result = decided_result()
    by_line = {(f.path, f.line): f for f in result.findings}
    assert planned_text(by_line[("app/chat.py", 3)]) == "google/gemma-4-E4B-it"
    assert planned_text(by_line[("app/chat.py", 9)]) == "gemma4:e4b"
    assert planned_text(by_line[("config/serve.yaml", 3)]) == "not swapped"
    assert planned_text(by_line[("requirements.txt", 4)]) == ""


def test_other_findings_grouped_by_package_then_rule() -> None:
    groups = other_groups(sample_result(), lambda f: f"fix {f.rule_id}",
                          lambda f: f"title {f.rule_id}")
    assert [(g.what, g.title, g.uses, g.advice, g.effort) for g in groups] == [
        ("package", "llama-cpp-python", (FileUse("requirements.txt", (5,), ("dependency",)),),
         "fix LA203", EffortCounts(keep=1)),
        ("package", "llama-models", (FileUse("requirements.txt", (4,), ("dependency",)),),
         "fix LA201", EffortCounts(adapt=1)),
        ("rule", "title LA103", (FileUse("notebooks/explore.ipynb", (27,),
                                         ("notebook", "Llama API")),), "fix LA103",
         EffortCounts(adapt=1)),
        ("rule", "title LA104", (FileUse("app/prompts.py", (2,), ("code", "prompt format")),),
         "fix LA104", EffortCounts(adapt=1)),
        ("rule", "title LA402", (FileUse("LICENSE-LLAMA", (1,), ("docs", "license")),),
         "fix LA402", EffortCounts(adapt=1)),
    ]


def test_cards_name_roots_when_several_were_scanned() -> None:
    one = decided_result()
    two = sample_result(root="other")
    merged = AuditResult(tool=TOOL, roots=("demo", "other"),
                         findings=one.findings + two.findings)
    card = model_cards(merged)[0]
    assert [u.path for u in card.uses] == [
        "demo/adapters/support-bot/adapter_config.json", "demo/app/chat.py",
        "other/adapters/support-bot/adapter_config.json", "other/app/chat.py"]
    assert card.references == 6


def test_appendix_rows_share_a_row_only_when_all_but_the_line_agree() -> None:
    finding = decided_result().findings[2]
    assert (finding.path, finding.line) == ("app/chat.py", 3)
    same = replace(finding, line=12, end_line=12)
    other_rule = replace(finding, line=20, end_line=20, rule_id="LA102")
    assert appendix_rows([finding, same, other_rule]) == [
        AppendixRow((3, 12), "LA101", "high", "swap", "meta-llama/Llama-3.1-8B-Instruct",
                    "google/gemma-4-E4B-it"),
        AppendixRow((20,), "LA102", "high", "swap", "meta-llama/Llama-3.1-8B-Instruct",
                    "google/gemma-4-E4B-it"),
    ]


def test_documentation_mentions_share_one_row_per_file_and_rule() -> None:
    base = replace(decided_result().findings[2], path="README.md", rule_id="LA305",
                   suggestions=(), details=(("mention", "code-block"),))
    first = replace(base, line=4, end_line=4, identifier="meta-llama/Llama-3.1-8B")
    second = replace(base, line=9, end_line=9, identifier="llama3.1:8b")
    again = replace(base, line=15, end_line=15, identifier="meta-llama/Llama-3.1-8B")
    rows = appendix_rows([first, second, again])
    assert [(r.lines, r.rule_id, r.identifier) for r in rows] == [
        ((4, 9, 15), "LA305", "meta-llama/Llama-3.1-8B, llama3.1:8b")]


def test_finding_kind_from_category_else_file() -> None:
    reference: Finding = decided_result().findings[2]
    assert finding_kind(reference) == "code"
    assert finding_kind(replace(reference, path="docs/models.md")) == "docs"
    assert finding_kind(replace(reference, path="notes.ipynb")) == "notebook"
    by_path = {f.path: finding_kind(f) for f in sample_result().findings}
    assert by_path["config/serve.yaml"] == "config"
    assert by_path["requirements.txt"] == "dependency"
    assert by_path["notebooks/explore.ipynb"] == "Llama API"


def test_check_matrix_every_check_once_per_replacement_and_notes_deduplicated() -> None:
    matrix = check_matrix(migration_plans(sample_result()))
    assert matrix.columns == ("exists", "license", "gated", "size-class", "context-length",
                              "format")
    assert [(r.model, r.replacement, r.results, r.notes, r.span) for r in matrix.rows] == [
        ("Llama 3.1 8B instruct", "google/gemma-4-E4B-it",
         (True, True, True, True, True, None), (0, 0, 0, 0, 0, 1), 2),
        ("Llama 3.1 8B instruct", "Qwen/Qwen3-8B", (True, True, "", "", False, ""),
         (0, 0, 0, 0, 2, 0), 0),
    ]
    assert matrix.notes == (
        (1, "google/gemma-4-E4B-it", "format", "no GGUF repo confirmed for this runtime"),
        (2, "Qwen/Qwen3-8B", "context-length", "32768 tokens < 131072"))
    assert matrix.failed == frozenset({2})
