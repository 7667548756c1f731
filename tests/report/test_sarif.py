"""SARIF 2.1.0: valid against the OASIS schema and shaped the way GitHub code scanning reads it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest

from auditor.report.sarif import (
    FINGERPRINT_KEY,
    MAX_RESULTS,
    render_sarif,
    root_base_ids,
    sarif_log,
)
from auditor.ruleset.load import load_ruleset
from auditor.types import AuditResult, Severity
from tests.report_samples import TOOL, demo_findings, empty_result, hostile_findings, sample_result

SCHEMA = json.loads((Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json").read_text())
VALIDATOR = jsonschema.Draft4Validator(SCHEMA)
DOCS = "https://github.com/llama-audit/llama-audit/blob/main/docs/rules.md#"


def assert_valid(log: dict[str, Any]) -> None:
    errors = sorted(VALIDATOR.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def multi_root_result() -> AuditResult:
    findings = demo_findings("repo-a") + demo_findings("repo-b")[:2]
    return AuditResult(tool=TOOL, roots=("repo-a", "/srv/checkouts/repo-b"),
                       findings=tuple(sorted(
                           [*findings[:-2], *(replace(f, root="/srv/checkouts/repo-b")
                                              for f in findings[-2:])],
                           key=lambda f: f.sort_key)))


@pytest.mark.parametrize("make", [
    lambda: sample_result(hostile=True), empty_result, multi_root_result])
def test_valid_against_the_sarif_2_1_0_schema(make) -> None:  # type: ignore[no-untyped-def]
    text = render_sarif(make())
    log = json.loads(text)
    assert log["version"] == "2.1.0"
    assert_valid(log)


def test_one_rule_per_id_with_descriptions_help_and_docs_link() -> None:
    run = sarif_log(sample_result())["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    assert ids == sorted(set(f.rule_id for f in sample_result().findings))
    installed = load_ruleset().rules
    for rule in rules:
        assert rule["shortDescription"]["text"]
        assert rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"]
        if rule["id"] not in installed:
            assert rule["helpUri"] == DOCS.rstrip("#")
        else:
            known = installed[rule["id"]]
            assert rule["shortDescription"]["text"] == known.title
            assert rule["fullDescription"]["text"] == known.why
            assert rule["helpUri"] == DOCS + known.help_anchor
            assert rule["defaultConfiguration"]["level"] == {
                "high": "error", "medium": "warning", "low": "note", "info": "note"
            }[known.severity.value]
    assert rules[ids.index("LA101")]["helpUri"] == DOCS + "la101-llama-model-id"


def test_results_point_at_their_rule_and_carry_fingerprints() -> None:
    result = sample_result()
    run = sarif_log(result)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == len(result.findings)
    for finding, item in zip(result.findings, run["results"], strict=True):
        assert item["ruleId"] == finding.rule_id
        assert rules[item["ruleIndex"]]["id"] == finding.rule_id
        assert item["partialFingerprints"] == {FINGERPRINT_KEY: finding.fingerprint}
        assert item["level"] == {Severity.HIGH: "error", Severity.MEDIUM: "warning",
                                 Severity.LOW: "note", Severity.INFO: "note"}[finding.severity]


def test_location_is_relative_with_base_id_and_one_based_region() -> None:
    run = sarif_log(sample_result())["runs"][0]
    assert run["originalUriBaseIds"] == {
        "%SRCROOT%": {"description": {
            "text": "scan root demo (relative to the directory llama-audit ran in)"}}}
    assert run["columnKind"] == "unicodeCodePoints"
    chat = next(r for r in run["results"] if r["ruleId"] == "LA101")
    assert chat["locations"] == [{"physicalLocation": {
        "artifactLocation": {"uri": "app/chat.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3, "startColumn": 12, "endLine": 3, "endColumn": 44,
                   "snippet": {"text": 'MODEL_ID = "meta-llama/Llama-3.1-8B-Instruct"'}},
    }}]


def test_message_names_the_replacement_and_notebook_cell() -> None:
    results = sarif_log(sample_result())["runs"][0]["results"]
    by_rule = {r["ruleId"]: r for r in results}
    assert by_rule["LA101"]["message"]["text"] == (
        "Llama model 'meta-llama/Llama-3.1-8B-Instruct' (Llama 3.1 8B instruct) is named here. "
        "Suggested replacement: google/gemma-4-E4B-it (Gemma 4). Alternatives: Qwen/Qwen3-8B.")
    assert by_rule["LA102"]["message"]["text"].endswith(
        "Suggested replacement: gemma4:e4b (google/gemma-4-E4B-it) (Gemma 4).")
    notebook = by_rule["LA103"]
    assert notebook["message"]["text"] == (
        "Llama-specific class LlamaForCausalLM. Notebook cell 2, line 3.")
    assert notebook["properties"]["cell"] == 2 and notebook["properties"]["cellLine"] == 3


def test_hostile_paths_become_percent_encoded_uris() -> None:
    result = replace(sample_result(), findings=hostile_findings())
    uri = sarif_log(result)["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"]["uri"]
    assert uri == "src/%3Cscript%3Eboom%3C/script%3E.py"
    parts = urlsplit(uri)
    assert not parts.scheme and not parts.netloc


def test_multi_root_has_one_base_id_per_root() -> None:
    result = multi_root_result()
    run = sarif_log(result)["runs"][0]
    assert root_base_ids(result.roots) == {"repo-a": "%SRCROOT1%",
                                           "/srv/checkouts/repo-b": "%SRCROOT2%"}
    assert run["originalUriBaseIds"]["%SRCROOT2%"]["uri"] == "file:///srv/checkouts/repo-b/"
    assert "uri" not in run["originalUriBaseIds"]["%SRCROOT1%"]
    bases = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
              r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
             for r in run["results"]}
    assert ("%SRCROOT1%", "app/chat.py") in bases
    assert ("%SRCROOT2%", "app/chat.py") in bases
    assert len(run["results"]) == 11


def test_diagnostics_become_tool_notifications() -> None:
    run = sarif_log(sample_result())["runs"][0]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert run["invocations"][0]["executionSuccessful"] is True
    assert notes[0] == {
        "level": "warning",
        "message": {"text": "legacy/py2.py: not Python 3 (line 3: print 'x'); "
                            "scanned line by line"},
        "descriptor": {"id": "parse-error"},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": "legacy/py2.py", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 3}}}],
    }
    assert notes[1]["descriptor"] == {"id": "binary"}


def test_over_the_github_limit_keeps_the_most_severe_and_says_so() -> None:
    base = demo_findings()
    high = next(f for f in base if f.severity is Severity.HIGH)
    low = next(f for f in base if f.severity is Severity.LOW)
    lows = [replace(low, line=n, end_line=n, fingerprint="") for n in range(1, 11)]
    highs = [replace(high, line=n, end_line=n, fingerprint="") for n in range(1, 6)]
    findings = tuple(sorted([*lows, *highs], key=lambda f: f.sort_key))
    result = AuditResult(tool=TOOL, roots=("demo",), findings=findings)
    log = sarif_log(result, max_results=8)
    assert_valid(log)
    run = log["runs"][0]
    kept = [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in run["results"]]
    assert kept == [("LA101", n) for n in range(1, 6)] + [("LA203", n) for n in (1, 2, 3)]
    assert run["properties"]["omittedFindings"] == 7
    assert run["properties"]["totalFindings"] == 15
    note = run["invocations"][0]["toolExecutionNotifications"][-1]
    assert note["descriptor"] == {"id": "results-truncated"}
    assert note["message"]["text"].startswith("7 of 15 findings are not in this SARIF run")
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == ["LA101", "LA203"]


def test_default_limit_is_githubs_display_limit() -> None:
    assert MAX_RESULTS == 5000
    finding = demo_findings()[0]
    many = tuple(replace(finding, line=n, end_line=n, fingerprint="") for n in range(1, 5003))
    run = sarif_log(AuditResult(tool=TOOL, roots=("demo",), findings=many))["runs"][0]
    assert len(run["results"]) == 5000
    assert run["properties"]["omittedFindings"] == 2


def test_unknown_rule_from_a_saved_result_still_gets_a_descriptor() -> None:
    finding = replace(demo_findings()[0], rule_id="LA999")
    run = sarif_log(AuditResult(tool=TOOL, roots=("demo",), findings=(finding,)))["runs"][0]
    rule = run["tool"]["driver"]["rules"][0]
    assert rule["id"] == "LA999"
    assert rule["helpUri"] == "https://github.com/llama-audit/llama-audit/blob/main/docs/rules.md"
    assert rule["shortDescription"]["text"] == "LA999 (model-reference)"
