"""Golden diffs, one case per rewrite kind (``tests/data/fix/<case>/``).

Each case is a tiny repository (``input/``), the arguments ``fix`` gets (``args.txt``), the
exact diff of a dry run (``expected.diff``) and the exact summary (``expected.txt``). The diff
lists every changed line, so an exact match also proves that nothing else changed. After
``--write`` every Python file must still parse and a second run must change nothing.

Regenerate after an intended change with ``LLAMA_AUDIT_UPDATE_GOLDEN=1 pytest
tests/test_fix_golden.py`` and review the diff of the golden files.
"""

from __future__ import annotations

import ast
import os
import shlex
from pathlib import Path

import pytest

from tests.fix_helpers import FIX_DATA, copy_tree, run_fix, snapshot

CASES = sorted(p.name for p in FIX_DATA.iterdir() if (p / "input").is_dir())
UPDATE = os.environ.get("LLAMA_AUDIT_UPDATE_GOLDEN") == "1"


def _args(case: str) -> list[str]:
    return shlex.split((FIX_DATA / case / "args.txt").read_text(encoding="utf-8"))


def _golden(case: str, name: str, actual: str) -> None:
    path = FIX_DATA / case / name
    if UPDATE:
        path.write_bytes(actual.encode("utf-8"))
    assert actual == path.read_bytes().decode("utf-8")


def test_every_rewrite_kind_has_a_case() -> None:
    assert CASES == ["config_files", "deps", "infra_files", "left_and_retrain", "notebook",
                     "py_auto_classes", "py_catalog_schemes", "py_identifiers",
                     "py_manual_steps"]


@pytest.mark.parametrize("case", CASES)
def test_dry_run_prints_the_golden_diff_and_writes_nothing(case: str, tmp_path: Path) -> None:
    root = copy_tree(FIX_DATA / case / "input", tmp_path / case)
    before = snapshot(root)
    run = run_fix([".", *_args(case)], root)
    assert run.code == 0, run.err
    _golden(case, "expected.diff", run.out)
    _golden(case, "expected.txt", run.err)
    assert snapshot(root) == before


@pytest.mark.parametrize("case", CASES)
def test_write_applies_the_diff_and_a_second_run_changes_nothing(case: str,
                                                                  tmp_path: Path) -> None:
    root = copy_tree(FIX_DATA / case / "input", tmp_path / case)
    first = run_fix([".", "--write", "--allow-dirty", *_args(case)], root)
    summary = (FIX_DATA / case / "expected.txt").read_text(encoding="utf-8")
    assert first.code == (1 if "Not replaced" in summary else 0), first.err
    assert first.out == (FIX_DATA / case / "expected.diff").read_bytes().decode("utf-8")
    for path in root.rglob("*.py"):
        ast.parse(path.read_text(encoding="utf-8"), str(path))
    written = snapshot(root)
    second = run_fix([".", *_args(case)], root)
    assert second.code == 0
    assert second.out == ""
    assert "0 rewrite(s) in 0 file(s)" in second.err
    assert snapshot(root) == written
