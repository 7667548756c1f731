"""The Python fixture: every touch-point at its exact position, no look-alike reported."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.discover import DiscoverOptions
from auditor.engine import ScanOptions, scan_paths

from .conftest import FIXTURES

FIXTURE = FIXTURES / "python"


ONLY_FIXTURE = ScanOptions(discover=DiscoverOptions(excludes=("expected.json",)))


def _rows() -> tuple[list[dict], list[dict]]:
    result = scan_paths([FIXTURE], ONLY_FIXTURE)
    rows = [{"rule_id": f.rule_id, "path": f.path, "line": f.line, "column": f.column,
             "identifier": f.identifier} for f in result.findings]
    diags = [{"path": d.path, "code": d.code} for d in result.diagnostics]
    return rows, diags


def test_exact_findings_and_diagnostics() -> None:
    expected = json.loads((FIXTURE / "expected.json").read_text())
    rows, diags = _rows()
    assert rows == expected["findings"]
    assert diags == expected["diagnostics"]


def test_fixture_covers_at_least_thirty_distinct_touch_points() -> None:
    rows, _ = _rows()
    distinct = {(r["path"], r["line"], r["rule_id"]) for r in rows if r["rule_id"] != "LA109"}
    assert len(distinct) >= 30
    assert {r["rule_id"] for r in rows} >= {"LA101", "LA102", "LA103", "LA104", "LA105",
                                            "LA106", "LA107"}


def test_look_alikes_are_not_reported() -> None:
    rows, _ = _rows()
    lookalike_rows = [r for r in rows if r["path"] == "app/lookalikes.py"]
    # Only TinyLlama, and only as architecture-only information.
    assert lookalike_rows == [{"rule_id": "LA109", "path": "app/lookalikes.py", "line": 18,
                               "column": 8, "identifier": "TinyLlama/TinyLlama-1.1B-Chat-v1.0"}]


def test_unparsable_files_fall_back_to_the_line_scanner() -> None:
    rows, diags = _rows()
    assert {"path": "app/legacy_py2.py", "code": "parse-error"} in diags
    assert {"path": "app/broken_syntax.py", "code": "parse-error"} in diags
    assert {"rule_id": "LA101", "path": "app/legacy_py2.py", "line": 4, "column": 10,
            "identifier": "meta-llama/Llama-2-7b-chat-hf"} in rows
    assert {"rule_id": "LA101", "path": "app/broken_syntax.py", "line": 2, "column": 14,
            "identifier": "llama3.1:70b"} in rows


def test_good_files_unaffected_by_broken_neighbours(tmp_path: Path) -> None:
    good = tmp_path / "good"
    good.mkdir()
    source = (FIXTURE / "app" / "loaders.py").read_text()
    (good / "loaders.py").write_text(source)
    alone = [(f.rule_id, f.line, f.column) for f in scan_paths([good]).findings]
    (good / "broken.py").write_text("def x(:\n  'llama3.1'\n")
    (good / "py2.py").write_text('print "meta-llama/Llama-2-7b-hf"\n')
    together = [(f.rule_id, f.line, f.column) for f in scan_paths([good]).findings
                if f.path == "loaders.py"]
    assert together == alone


def test_parse_error_diagnostic_names_the_error() -> None:
    result = scan_paths([FIXTURE])
    message = next(d.message for d in result.diagnostics if d.path == "app/legacy_py2.py")
    assert "not valid Python 3" in message
