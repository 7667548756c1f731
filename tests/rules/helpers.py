"""Running a case: write its code, scan it (and fix it), compare the rows exactly."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from auditor.ruleset.load import RuleCase
from auditor.scan.runner import ScanOptions, scan_paths
from tests.fix_helpers import run_fix


def write_case(root: Path, case: RuleCase) -> Path:
    target = root / case.path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(case.code + "\n", encoding="utf-8")
    return target


def rows_of(root: Path, rule_id: str, rules_dirs: tuple[Path, ...] = ()
            ) -> list[tuple[int, int, str]]:
    result = scan_paths([root], ScanOptions(include_docs=True, rules_dirs=rules_dirs))
    return sorted((f.line, f.column, f.identifier or "") for f in result.findings
                  if f.rule_id == rule_id)


def check_case(tmp_path: Path, rule_id: str, case: RuleCase,
               rules_dirs: tuple[Path, ...] = ()) -> None:
    root = tmp_path / "repo"
    target = write_case(root, case)
    rows = rows_of(root, rule_id, rules_dirs)
    if case.expect is None:  # a legacy `match` string from a user's rules
        assert rows, f"{rule_id} does not fire on {case.code!r}"
    else:
        assert rows == list(case.expect), case.code
    if case.fixed is not None:
        extra = [arg for d in rules_dirs for arg in ("--rules", str(d))]
        run = run_fix([".", "--write", "--allow-dirty", "-q", *extra], root)
        assert run.code in (0, 1), run.err
        assert target.read_text(encoding="utf-8").removesuffix("\n") == case.fixed


def row_case(example: Mapping[str, Any], default_path: str) -> RuleCase:
    """A data row's example (``{code, expect, fixed, path}``) as a case."""
    return RuleCase(code=example["code"], path=example.get("path", default_path),
                    expect=tuple(sorted((r[0], r[1], r[2]) for r in example["expect"])),
                    fixed=example.get("fixed"))
