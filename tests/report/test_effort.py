"""Effort per finding rolled up per repository and per directory."""

from __future__ import annotations

from dataclasses import replace

from auditor.report.effort import (
    EffortCounts,
    directory_of,
    effort_by_directory,
    effort_by_root,
    effort_rows,
    effort_total,
)
from auditor.types import Effort
from tests.report_samples import TOOL, demo_findings, sample_result


def test_total_counts_every_effort_class() -> None:
    total = effort_total(sample_result())
    assert total.as_dict() == {"retrain": 1, "adapt": 4, "swap": 3, "keep": 1}
    assert total.total == 9
    assert total.to_change == 8
    assert total.heaviest is Effort.RETRAIN


def test_empty_counts_have_no_heaviest() -> None:
    assert EffortCounts().heaviest is None
    assert EffortCounts(keep=2).heaviest is Effort.KEEP


def test_directory_of() -> None:
    assert directory_of("requirements.txt") == "."
    assert directory_of("a/b/c.py") == "a/b"
    assert directory_of("a/b/c.py", depth=1) == "a"
    assert directory_of("c.py", depth=1) == "."


def test_by_directory_in_path_order() -> None:
    rows = effort_by_directory(sample_result())
    assert [(r.root, r.directory, r.counts.as_dict()) for r in rows] == [
        ("demo", ".", {"retrain": 0, "adapt": 2, "swap": 0, "keep": 1}),
        ("demo", "adapters/support-bot", {"retrain": 1, "adapt": 0, "swap": 0, "keep": 0}),
        ("demo", "app", {"retrain": 0, "adapt": 1, "swap": 2, "keep": 0}),
        ("demo", "config", {"retrain": 0, "adapt": 0, "swap": 1, "keep": 0}),
        ("demo", "notebooks", {"retrain": 0, "adapt": 1, "swap": 0, "keep": 0}),
    ]
    assert [r.label(with_root=False) for r in rows][:2] == [".", "adapters/support-bot"]
    assert rows[1].label() == "demo: adapters/support-bot"


def test_by_directory_with_depth_rolls_up_subdirectories() -> None:
    rows = effort_by_directory(sample_result(), depth=1)
    assert [(r.directory, r.counts.total) for r in rows] == [
        (".", 3), ("adapters", 1), ("app", 3), ("config", 1), ("notebooks", 1)]


def test_multi_root_rows_follow_root_order_with_their_directories() -> None:
    from auditor.types import AuditResult

    findings = demo_findings("zeta") + tuple(
        replace(f, root="alpha") for f in demo_findings("alpha") if f.path.startswith("app/"))
    result = AuditResult(tool=TOOL, roots=("zeta", "alpha", "empty"),
                         findings=tuple(sorted(findings, key=lambda f: f.sort_key)))
    by_root = effort_by_root(result)
    assert [(r.root, r.directory, r.counts.total) for r in by_root] == [
        ("zeta", None, 9), ("alpha", None, 3), ("empty", None, 0)]
    rows = effort_rows(result)
    assert [(r.root, r.directory) for r in rows] == [
        ("zeta", None), ("zeta", "."), ("zeta", "adapters/support-bot"), ("zeta", "app"),
        ("zeta", "config"), ("zeta", "notebooks"),
        ("alpha", None), ("alpha", "app"),
        ("empty", None),
    ]
    assert rows[0].label() == "zeta"
    assert rows[7].label() == "alpha: app"
