"""apply_policy: a pure function from (result, options) to classified findings and an exit code."""

from __future__ import annotations

import datetime
import json

import pytest

from auditor.policy import PolicyOptions, apply_policy
from auditor.policy.baseline import build_baseline
from auditor.policy.locate import RootLocation
from auditor.policy.waivers import Waiver
from auditor.ruleset.load import load_ruleset
from auditor.scan.suppressions import NOTEBOOK, PYTHON, parse_suppressions
from auditor.serialize import result_from_dict, result_to_dict
from auditor.types import AuditResult, Category, Effort, Finding, Severity, ToolInfo

TOOL = ToolInfo(name="llama-audit", version="0.1.0", rules_version="abc")
ROOTS = {".": RootLocation("/repo")}
TODAY = datetime.date(2027, 1, 31)


def finding(path: str = "app.py", line: int = 3, rule: str = "LA101",
            severity: Severity = Severity.HIGH, identifier: str = "meta-llama/Llama-3.1-8B",
            context: str = "") -> Finding:
    return Finding(rule_id=rule, category=Category.MODEL_REFERENCE, severity=severity,
                   effort=Effort.SWAP, path=path, line=line, column=1, end_line=line,
                   end_column=10, message="msg", snippet="s", identifier=identifier,
                   context=context, root=".")


def result(*findings: Finding) -> AuditResult:
    return AuditResult(tool=TOOL, roots=(".",), findings=tuple(findings))


def suppressions(text: str, file: str = "/repo/app.py"):
    found, problems = parse_suppressions(text, PYTHON, file, load_ruleset().resolve_rule_ref)
    return tuple(found), tuple(problems)


def rows(outcome) -> list[tuple[str, int, str, str | None]]:
    return [(f.path, f.line, f.rule_id, f.baseline_state) for f in outcome.result.findings]


@pytest.mark.parametrize(
    ("fail_on", "severities", "code"),
    [
        ("high", [Severity.MEDIUM], 0),
        ("high", [Severity.HIGH], 1),
        ("medium", [Severity.MEDIUM], 1),
        ("low", [Severity.INFO], 0),
        ("info", [Severity.INFO], 1),
        ("none", [Severity.HIGH], 0),
    ],
)
def test_fail_on_threshold(fail_on: str, severities: list[Severity], code: int) -> None:
    res = result(*(finding(severity=s, line=i + 1) for i, s in enumerate(severities)))
    assert apply_policy(res, PolicyOptions(fail_on=fail_on, roots=ROOTS)).failed is bool(code)


def test_exit_zero_wins_over_findings_and_strict_problems() -> None:
    found, problems = suppressions("x = 1  # llama-audit: ignore[LA101]\n")
    options = PolicyOptions(roots=ROOTS, exit_zero=True, strict_suppressions=True,
                            suppressions=found, suppression_problems=problems)
    outcome = apply_policy(result(finding(line=2)), options)
    assert not outcome.failed
    assert [d.code for d in outcome.strict_failures] == ["suppression-no-reason",
                                                         "suppression-unused"]


def test_without_policy_inputs_nothing_is_classified() -> None:
    outcome = apply_policy(result(finding()), PolicyOptions(roots=ROOTS))
    assert rows(outcome) == [("app.py", 3, "LA101", None)]
    assert dict(outcome.result.stats.policy) == {"suppressed": 0, "waived": 0}


def test_suppressed_findings_are_removed_and_counted() -> None:
    found, _ = suppressions("a\n# llama-audit: ignore[LA101] reason\nb\nc\n")
    outcome = apply_policy(result(finding(line=3), finding(line=4)),
                           PolicyOptions(roots=ROOTS, suppressions=found))
    assert rows(outcome) == [("app.py", 4, "LA101", None)]
    assert [f.line for f in outcome.suppressed] == [3]
    assert dict(outcome.result.stats.policy)["suppressed"] == 1


def test_suppression_for_another_rule_or_file_does_not_apply() -> None:
    found, _ = suppressions("x  # llama-audit: ignore[LA103] reason\n")
    other, _ = suppressions("x  # llama-audit: ignore[LA101] reason\n", file="/repo/b.py")
    outcome = apply_policy(result(finding(line=1)),
                           PolicyOptions(roots=ROOTS, suppressions=found + other))
    assert rows(outcome) == [("app.py", 1, "LA101", None)]


def test_unused_suppressions_are_listed_only_when_asked() -> None:
    found, _ = suppressions("x = 1  # llama-audit: ignore[LA101] stale\n")
    quiet = apply_policy(result(), PolicyOptions(roots=ROOTS, suppressions=found))
    assert quiet.policy_diagnostics == ()
    loud = apply_policy(result(), PolicyOptions(roots=ROOTS, suppressions=found,
                                                file_labels={"/repo/app.py": (".", "app.py")},
                                                report_unused=True))
    [diag] = loud.policy_diagnostics
    assert (diag.root, diag.path, diag.line, diag.code) == (".", "app.py", 1,
                                                            "suppression-unused")
    assert diag.message == "'llama-audit: ignore[LA101]' matched no finding; remove it"
    assert not loud.failed
    strict = apply_policy(result(), PolicyOptions(roots=ROOTS, suppressions=found,
                                                  strict_suppressions=True))
    assert strict.failed


def test_unknown_rules_are_always_reported() -> None:
    found, _ = suppressions("x  # llama-audit: ignore[LA999] typo\n")
    outcome = apply_policy(result(finding(line=1)), PolicyOptions(roots=ROOTS,
                                                                  suppressions=found))
    assert [d.code for d in outcome.policy_diagnostics] == ["suppression-unknown-rule"]
    assert rows(outcome) == [("app.py", 1, "LA101", None)]  # and it suppresses nothing


def waiver(**kwargs: object) -> Waiver:
    values: dict[str, object] = {"rule_id": "LA101", "path": "legacy/**", "reason": "eval",
                                 "source": "pyproject.toml", "base_dir": "/repo"}
    values.update(kwargs)
    return Waiver(**values)  # type: ignore[arg-type]


def test_active_waiver_removes_matching_findings() -> None:
    res = result(finding(path="legacy/a.py"), finding(path="src/a.py"))
    outcome = apply_policy(res, PolicyOptions(roots=ROOTS, today=TODAY,
                                              waivers=(waiver(until=TODAY),)))
    assert rows(outcome) == [("src/a.py", 3, "LA101", None)]
    assert [f.path for f in outcome.waived] == ["legacy/a.py"]
    assert outcome.policy_diagnostics == ()


def test_expired_waiver_stops_applying_and_is_reported() -> None:
    res = result(finding(path="legacy/a.py"), finding(path="legacy/b.py", rule="LA103"))
    expired = waiver(until=datetime.date(2027, 1, 30), index=2)
    outcome = apply_policy(res, PolicyOptions(roots=ROOTS, today=TODAY, waivers=(expired,)))
    assert rows(outcome) == [("legacy/a.py", 3, "LA101", None),
                             ("legacy/b.py", 3, "LA103", None)]
    assert outcome.failed
    [diag] = outcome.policy_diagnostics
    assert (diag.path, diag.code) == ("pyproject.toml", "waiver-expired")
    assert diag.message == ("waiver #3 (LA101 on 'legacy/**') expired on 2027-01-30 (reason "
                            "was: eval); 1 finding(s) it covered count again")


def test_waiver_identifier_and_base_directory() -> None:
    res = result(finding(path="svc/legacy/a.py"),
                 finding(path="svc/legacy/b.py", identifier="meta-llama/Llama-3.1-70B"))
    scoped = waiver(path="legacy/", identifier="META-LLAMA/llama-3.1-8b", base_dir="/repo/svc")
    outcome = apply_policy(res, PolicyOptions(roots=ROOTS, today=TODAY, waivers=(scoped,)))
    assert [f.path for f in outcome.waived] == ["svc/legacy/a.py"]
    elsewhere = waiver(base_dir="/other")
    outcome = apply_policy(res, PolicyOptions(roots=ROOTS, today=TODAY, waivers=(elsewhere,)))
    assert outcome.waived == ()


def test_unused_waiver_reported_when_asked() -> None:
    outcome = apply_policy(result(), PolicyOptions(roots=ROOTS, today=TODAY,
                                                   waivers=(waiver(),), report_unused=True))
    assert [(d.code, d.message) for d in outcome.policy_diagnostics] == [
        ("waiver-unused", "waiver #1 (LA101 on 'legacy/**') matched no finding; remove it")]


def baseline_for(*findings: Finding):
    return build_baseline(list(findings), [f.path for f in findings], {}, "b.json", TOOL)


def test_baseline_marks_known_and_new_and_only_new_counts() -> None:
    old = finding(line=3)
    options = PolicyOptions(roots=ROOTS, baseline=baseline_for(old), baseline_dir="/repo")
    outcome = apply_policy(result(finding(line=13), finding(line=14, rule="LA102")), options)
    assert rows(outcome) == [("app.py", 13, "LA101", "known"), ("app.py", 14, "LA102", "new")]
    assert outcome.failed
    assert [f.rule_id for f in outcome.failing] == ["LA102"]
    stats = dict(outcome.result.stats.policy)
    assert stats == {"new": 1, "known": 1, "suppressed": 0, "waived": 0, "baseline_fixed": 0,
                     "moved_files": 0}


def test_only_known_findings_exit_zero_and_only_new_hides_them() -> None:
    options = PolicyOptions(roots=ROOTS, baseline=baseline_for(finding()), baseline_dir="/repo",
                            only_new=True)
    outcome = apply_policy(result(finding(line=30)), options)
    assert not outcome.failed
    assert outcome.result.findings == ()
    assert [f.line for f in outcome.known] == [30]


def test_baseline_fixed_counts_only_what_was_scanned() -> None:
    base = baseline_for(finding(path="src/a.py"), finding(path="docs/b.py"))
    options = PolicyOptions(roots={"src": RootLocation("/repo/src")}, baseline=base,
                            baseline_dir="/repo")
    outcome = apply_policy(AuditResult(tool=TOOL, roots=("src",), findings=()), options)
    assert outcome.baseline_fixed == 1


def test_baseline_paths_are_relative_to_the_baseline_not_the_scan_root() -> None:
    base = baseline_for(finding(path="src/a.py"))
    sub = Finding(**{**_fields(finding(path="a.py")), "root": "src", "fingerprint": ""})
    options = PolicyOptions(roots={"src": RootLocation("/repo/src")}, baseline=base,
                            baseline_dir="/repo")
    outcome = apply_policy(AuditResult(tool=TOOL, roots=("src",), findings=(sub,)), options)
    assert [f.baseline_state for f in outcome.result.findings] == ["known"]


def _fields(f: Finding) -> dict[str, object]:
    return {name: getattr(f, name) for name in Finding.__dataclass_fields__}


def test_new_since_marks_findings_on_unchanged_lines_known() -> None:
    changed = {"/repo/app.py": frozenset({5, 6}), "/repo/new.py": None}
    res = result(finding(line=3), finding(line=5), finding(path="new.py", line=1),
                 finding(path="other.py", line=5))
    outcome = apply_policy(res, PolicyOptions(roots=ROOTS, changed_lines=changed))
    assert rows(outcome) == [("app.py", 3, "LA101", "known"), ("app.py", 5, "LA101", "new"),
                             ("new.py", 1, "LA101", "new"), ("other.py", 5, "LA101", "known")]


def test_moved_file_findings_carry_their_old_path() -> None:
    base = build_baseline([finding(path="old.py")], ["old.py"], {"old.py": "h"}, "b.json", TOOL)
    options = PolicyOptions(roots=ROOTS, baseline=base, baseline_dir="/repo",
                            file_hashes={"old.py": None, "new.py": "h"})
    outcome = apply_policy(result(finding(path="new.py")), options)
    [f] = outcome.result.findings
    assert f.baseline_state == "known"
    assert f.detail("moved_from") == "old.py"
    [diag] = outcome.policy_diagnostics
    assert (diag.path, diag.code) == ("new.py", "baseline-moved")
    assert outcome.moves == (("old.py", "new.py"),)
    assert dict(outcome.result.stats.policy)["moved_files"] == 1


def test_notebook_findings_match_suppressions_by_cell_and_cell_line() -> None:
    notebook = json.dumps({"cells": [
        {"cell_type": "code", "source": ["x = 1\n"]},
        {"cell_type": "code", "source": [
            "# llama-audit: ignore[LA101] demo notebook\n", "m = 'meta-llama/Llama-3.1-8B'\n"]},
    ]}, indent=1)
    found, _ = parse_suppressions(notebook, NOTEBOOK, "/repo/nb.ipynb",
                                  load_ruleset().resolve_rule_ref)
    in_cell = Finding(**{**_fields(finding(path="nb.ipynb", line=9)), "cell": 1, "cell_line": 2,
                         "fingerprint": ""})
    other_cell = Finding(**{**_fields(finding(path="nb.ipynb", line=4)), "cell": 0,
                            "cell_line": 2, "fingerprint": ""})
    outcome = apply_policy(result(in_cell, other_cell),
                           PolicyOptions(roots=ROOTS, suppressions=tuple(found)))
    assert [(f.cell, f.cell_line) for f in outcome.result.findings] == [(0, 2)]
    assert [(f.cell, f.cell_line) for f in outcome.suppressed] == [(1, 2)]


def test_policy_fields_survive_the_json_round_trip() -> None:
    options = PolicyOptions(roots=ROOTS, baseline=baseline_for(finding()), baseline_dir="/repo")
    outcome = apply_policy(result(finding(), finding(line=9, rule="LA103")), options)
    data = result_to_dict(outcome.result)
    assert [f["baseline_state"] for f in data["findings"]] == ["known", "new"]
    assert data["stats"]["policy"]["known"] == 1
    back = result_from_dict(data)
    assert back.findings == outcome.result.findings
    assert back.stats.policy == outcome.result.stats.policy
    plain = result_to_dict(result(finding()))
    assert "baseline_state" not in plain["findings"][0] and "policy" not in plain["stats"]
