"""benchmarks/fixcheck/run.py reads fix's summary, pytest's JUnit report and a mirror's tree:
if fix's summary format changes, the real-repository check must fail loudly, not count zero."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import PROJECT
from tests.fix_helpers import DEMO, copy_tree, git_repo, run_fix


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "fixcheck_run", PROJECT / "benchmarks" / "fixcheck" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


RUN = _load()


def _section(err: str, heading: str) -> list[str]:
    """The rows under one heading of fix's summary, read without run.py's patterns."""
    lines = err.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(heading)), None)
    if start is None:
        return []
    rows = []
    for line in lines[start + 1:]:
        if not line.startswith("  "):
            break
        rows.append(line)
    return rows


def test_fix_summary_of_the_demo_is_read_completely(tmp_path: Path) -> None:
    """Every row of every section is counted (the numbers follow fix, which other changes
    move; what must hold is that run.py reads all of them and agrees with the summary line)."""
    root = git_repo(copy_tree(DEMO, tmp_path / "demo"))
    run = run_fix([".", "--write"], root)
    summary = RUN.parse_fix(run.err)
    rewritten = _section(run.err, "Rewritten (")
    manual = _section(run.err, "Manual steps (")
    left = _section(run.err, "Not replaced (")
    assert len(rewritten) > 0 and len(manual) > 0 and len(left) > 0
    assert (summary["rewritten"], summary["not_replaced"], summary["manual"]) == (
        len(rewritten), len(left), len(manual))
    assert summary["files"] == len(_section(run.err, "Files changed ("))
    assert summary["manual_by_rule"] == dict(Counter(row.split()[1] for row in manual))
    assert sum(summary["not_replaced_why"].values()) == len(left)
    kept = _section(run.err, "Kept as they are")
    assert summary["kept_by_rule"] == dict(Counter(row.split()[1] for row in kept))


def test_a_summary_without_its_last_line_is_an_error() -> None:
    with pytest.raises(RUN.FixcheckError, match="no summary line"):
        RUN.parse_fix("Rewritten (1):\n  a.py:1:1  LA101  'x' -> 'y' (catalog)\n")


def test_junit_outcomes_take_the_worse_of_a_test_reported_twice(tmp_path: Path) -> None:
    xml = tmp_path / "r.xml"
    xml.write_text(
        '<testsuites><testsuite>'
        '<testcase classname="t" name="a"/>'
        '<testcase classname="t" name="b"><failure/></testcase>'
        '<testcase classname="t" name="c"><skipped/></testcase>'
        '<testcase classname="t" name="d"/><testcase classname="t" name="d"><error/></testcase>'
        '</testsuite></testsuites>', encoding="utf-8")
    assert RUN.junit_outcomes(xml) == {"t::a": "passed", "t::b": "failed", "t::c": "skipped",
                                       "t::d": "error"}
    assert RUN.counts(RUN.junit_outcomes(xml)) == "1 passed, 1 failed, 1 error, 1 skipped"


def test_export_tree_writes_every_blob_and_lists_absent_ones(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "pkg").mkdir(parents=True)
    (src / "pkg" / "a.py").write_text("x = 1\n", encoding="utf-8")
    (src / "run.sh").write_text("#!/bin/sh\n", encoding="utf-8")
    (src / "run.sh").chmod(0o755)
    git_repo(src)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=src, capture_output=True,
                            text=True, check=True).stdout.strip()
    dest = tmp_path / "dest"
    dest.mkdir()
    assert RUN.export_tree(src / ".git", commit, dest) == []
    assert (dest / "pkg" / "a.py").read_text(encoding="utf-8") == "x = 1\n"
    assert (dest / "run.sh").stat().st_mode & 0o111


def test_parse_check_names_the_parser_error(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text("a: 1\n", encoding="utf-8")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    (tmp_path / "bad.py").write_text("def f(:\n", encoding="utf-8")
    assert RUN.parse_check(tmp_path / "ok.yaml") == "ok"
    assert RUN.parse_check(tmp_path / "bad.json").startswith("JSONDecodeError: ")
    assert RUN.parse_check(tmp_path / "bad.py").startswith("SyntaxError: ")
