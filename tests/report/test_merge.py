"""merge_results: what one scan of every root would give, or a clear MergeError."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.report.merge import MergeError, load_result, merge_results
from auditor.serialize import result_to_dict
from auditor.types import AuditResult, ScanStats
from tests.report_samples import TOOL, demo_diagnostics, demo_findings


def one(root: str, findings_slice: slice, files: int) -> AuditResult:
    return AuditResult(
        tool=TOOL, roots=(root,),
        findings=tuple(sorted(demo_findings(root)[findings_slice], key=lambda f: f.sort_key)),
        diagnostics=demo_diagnostics(root),
        stats=ScanStats(files_discovered=files, files_scanned=files - 1, files_parsed=files - 2,
                        files_skipped=1, files_by_kind=(("python", files - 1),),
                        duration_seconds=0.5),
    )


def test_roots_keep_their_order_and_findings_are_sorted_like_the_engine() -> None:
    merged = merge_results([one("zeta", slice(0, 2), 5), one("alpha", slice(4, 6), 3)])
    assert merged.roots == ("zeta", "alpha")
    assert [(f.root, f.path, f.line) for f in merged.findings] == [
        ("alpha", "requirements.txt", 4), ("alpha", "requirements.txt", 5),
        ("zeta", "app/chat.py", 3), ("zeta", "app/chat.py", 9)]
    assert [(d.root, d.path) for d in merged.diagnostics] == [
        ("alpha", "legacy/py2.py"), ("alpha", "weights/model.bin"),
        ("zeta", "legacy/py2.py"), ("zeta", "weights/model.bin")]
    assert merged.stats == ScanStats(files_discovered=8, files_scanned=6, files_parsed=4,
                                     files_skipped=2, files_by_kind=(("python", 6),),
                                     duration_seconds=1.0)


def test_findings_without_a_root_get_their_results_root() -> None:
    legacy = one("repo", slice(0, 1), 2)
    legacy = replace(legacy, findings=tuple(replace(f, root="") for f in legacy.findings))
    merged = merge_results([legacy])
    assert [f.root for f in merged.findings] == ["repo"]


def test_a_root_twice_is_an_error() -> None:
    with pytest.raises(MergeError, match=r"a\.json and b\.json both hold a repository named "
                                         r"'repo': the same result twice"):
        merge_results([one("repo", slice(0, 1), 1), one("repo", slice(1, 2), 1)],
                      ["a.json", "b.json"])


def test_results_from_different_rules_are_an_error() -> None:
    other = replace(one("b", slice(0, 1), 1), tool=replace(TOOL, rules_version="fff000"))
    with pytest.raises(MergeError, match=r"b\.json was made by llama-audit 0\.1\.0 "
                                         r"\(rules fff000, catalog 2026-11-22\)"):
        merge_results([one("a", slice(0, 1), 1), other], ["a.json", "b.json"])


def test_nothing_to_merge() -> None:
    with pytest.raises(MergeError, match="nothing to merge"):
        merge_results([])


def test_load_result_errors_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    with pytest.raises(MergeError, match=r"cannot read .*missing\.json"):
        load_result(missing)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(MergeError, match=r"bad\.json is not JSON"):
        load_result(bad)
    array = tmp_path / "array.json"
    array.write_text("[]")
    with pytest.raises(MergeError, match=r"array\.json is not a llama-audit JSON result"):
        load_result(array)
    future = tmp_path / "future.json"
    data = result_to_dict(one("a", slice(0, 1), 1))
    data["schema_version"] = "2.0"
    future.write_text(json.dumps(data))
    with pytest.raises(MergeError, match=r"future\.json: schema_version 2\.0 is not supported"):
        load_result(future)
    broken = tmp_path / "broken.json"
    del data["findings"]
    data["schema_version"] = "1.0"
    broken.write_text(json.dumps(data))
    with pytest.raises(MergeError, match=r"broken\.json: not a llama-audit JSON result"):
        load_result(broken)


def test_policy_counts_are_added_up_in_first_seen_order() -> None:
    a = one("a", slice(0, 1), 1)
    b = one("b", slice(1, 2), 1)
    a = replace(a, stats=replace(a.stats, policy=(("suppressed", 1), ("waived", 0))))
    b = replace(b, stats=replace(b.stats, policy=(("suppressed", 2), ("waived", 3))))
    assert merge_results([a, b]).stats.policy == (("suppressed", 3), ("waived", 3))
