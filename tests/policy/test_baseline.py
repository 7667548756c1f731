"""The baseline file: counted fingerprints, round trip, which occurrence is new, moved files."""

from __future__ import annotations

import json

import pytest

from auditor.policy.baseline import (
    BaselineError,
    baseline_to_json,
    build_baseline,
    content_hash,
    match_baseline,
    parse_baseline,
)
from auditor.types import Category, Effort, Finding, Severity, ToolInfo

TOOL = ToolInfo(name="llama-audit", version="0.1.0", rules_version="abc")
MODEL = "meta-llama/Llama-3.1-8B-Instruct"


def finding(path: str = "app.py", line: int = 3, rule: str = "LA102",
            identifier: str | None = MODEL, context: str = "load",
            snippet: str = "m = load()") -> Finding:
    return Finding(rule_id=rule, category=Category.LOADER, severity=Severity.HIGH,
                   effort=Effort.SWAP, path=path, line=line, column=5, end_line=line,
                   end_column=20, message="m", snippet=snippet, identifier=identifier,
                   context=context, root=".")


def baseline_of(findings: list[Finding], hashes: dict[str, str] | None = None):
    built = build_baseline(findings, [f.path for f in findings], hashes or {}, "b.json", TOOL)
    return parse_baseline(baseline_to_json(built, TOOL), "b.json")


def known_lines(findings: list[Finding], baseline, hashes=None) -> list[int]:
    match = match_baseline(findings, [f.path for f in findings], baseline, hashes)
    return sorted(findings[i].line for i in match.known)


def test_round_trip_groups_occurrences_with_counts() -> None:
    findings = [finding(line=3), finding(line=9), finding(line=5, rule="LA101", context="")]
    baseline = baseline_of(findings, {"app.py": "h1"})
    assert [(e.rule_id, e.path, e.key, e.context, e.count, e.lines) for e in baseline.entries] \
        == [("LA101", "app.py", MODEL, "", 1, (5,)), ("LA102", "app.py", MODEL, "load", 2, (3, 9))]
    assert baseline.files == {"app.py": "h1"}
    assert baseline.total == 3
    # the stored fingerprint is the finding's own when paths are relative to the same place
    data = json.loads(baseline_to_json(baseline, TOOL))
    assert data["findings"][1]["fingerprint"] == findings[0].fingerprint


def test_output_is_deterministic_and_has_no_timestamp() -> None:
    findings = [finding(line=9), finding(line=3, path="b.py")]
    one = baseline_to_json(baseline_of(findings), TOOL)
    two = baseline_to_json(baseline_of(list(reversed(findings))), TOOL)
    assert one == two
    assert set(json.loads(one)) == {"format", "version", "tool", "about", "total", "files",
                                    "findings"}


def test_same_findings_after_lines_moved_are_all_known() -> None:
    baseline = baseline_of([finding(line=3), finding(line=9)])
    assert known_lines([finding(line=23), finding(line=29)], baseline) == [23, 29]


def test_reformatting_the_identifier_keeps_it_known() -> None:
    baseline = baseline_of([finding(identifier="meta-llama/Llama-3.1-8B-Instruct")])
    assert known_lines([finding(identifier="  META-LLAMA/Llama-3.1-8B-Instruct ")],
                       baseline) == [3]


def test_one_more_occurrence_than_recorded_is_one_new() -> None:
    baseline = baseline_of([finding(line=3), finding(line=10)])
    current = [finding(line=3), finding(line=4), finding(line=11)]  # a copy inserted at line 4
    assert known_lines(current, baseline) == [3, 11]


def test_the_new_occurrence_is_the_one_far_from_the_recorded_lines() -> None:
    baseline = baseline_of([finding(line=40)])
    current = [finding(line=5), finding(line=41)]
    assert known_lines(current, baseline) == [41]


def test_fewer_occurrences_leave_unmatched_entries() -> None:
    baseline = baseline_of([finding(line=3), finding(line=9)])
    match = match_baseline([finding(line=3)], ["app.py"], baseline)
    assert match.known == {0}
    assert [(e.rule_id, left) for e, left in match.unmatched] == [("LA102", 1)]


def test_different_scope_path_or_rule_is_new() -> None:
    baseline = baseline_of([finding()])
    assert known_lines([finding(context="other_function")], baseline) == []
    assert known_lines([finding(path="copy.py")], baseline) == []
    assert known_lines([finding(rule="LA101")], baseline) == []


def test_findings_without_identifier_match_on_snippet() -> None:
    baseline = baseline_of([finding(identifier=None, snippet="<|eot_id|>", rule="LA106")])
    data = json.loads(baseline_to_json(baseline, TOOL))
    assert data["findings"][0]["snippet"] == "<|eot_id|>"
    assert "identifier" not in data["findings"][0]
    assert known_lines([finding(identifier=None, snippet="<|eot_id|>", rule="LA106")],
                       baseline) == [3]


def test_renamed_unchanged_file_is_matched_and_reported_as_moved() -> None:
    baseline = baseline_of([finding(path="old.py", line=3), finding(path="old.py", line=8)],
                           {"old.py": "same"})
    current = [finding(path="new.py", line=3), finding(path="new.py", line=8)]
    match = match_baseline(current, ["new.py", "new.py"], baseline,
                           {"old.py": None, "new.py": "same"})
    assert match.known == {0, 1}
    assert match.moved_from == {0: "old.py", 1: "old.py"}
    assert match.moves == (("old.py", "new.py"),)
    assert match.unmatched == ()


def test_renamed_file_with_changed_content_is_new() -> None:
    baseline = baseline_of([finding(path="old.py")], {"old.py": "before"})
    match = match_baseline([finding(path="new.py")], ["new.py"], baseline,
                           {"old.py": None, "new.py": "after"})
    assert match.known == set() and match.moves == ()


def test_a_copy_is_not_a_move_while_the_original_exists() -> None:
    baseline = baseline_of([finding(path="old.py")], {"old.py": "same"})
    match = match_baseline([finding(path="old.py"), finding(path="copy.py")],
                           ["old.py", "copy.py"], baseline,
                           {"old.py": "", "copy.py": "same"})
    assert match.known == {0} and match.moves == ()


def test_content_hash_ignores_line_ending_style() -> None:
    assert content_hash(b"a\r\nb\r\n") == content_hash(b"a\nb\n")
    assert content_hash(b"a\nb\n") != content_hash(b"a\nc\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ('{"schema_version": "1.0", "findings": []}', "this is a scan report"),
        ('{"format": "llama-audit-baseline", "version": 9, "findings": []}',
         "baseline version 9 is not supported"),
        ('{"format": "llama-audit-baseline", "version": 1, "findings": [{"path": "a"}]}',
         "findings[0]: 'rule_id' must be a string"),
        ('{"format": "llama-audit-baseline", "version": 1, "findings": '
         '[{"rule_id": "LA101", "path": "a", "identifier": "x", "count": 0}]}',
         "'count' must be a positive integer"),
        ('{"format": "llama-audit-baseline", "version": 1, "findings": '
         '[{"rule_id": "LA101", "path": "a"}]}', "needs an 'identifier' or a 'snippet'"),
    ],
)
def test_bad_baseline_files_are_named_errors(text: str, message: str) -> None:
    with pytest.raises(BaselineError) as info:
        parse_baseline(text, "base.json")
    assert str(info.value).startswith("base.json: ")
    assert message in str(info.value)
